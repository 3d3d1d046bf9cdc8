"""What the benchmark and CI scripts share: a database of their own, the production stack, and
a page timed in-process."""

import os
import secrets
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent


def fresh_database(url: str, create: bool = True) -> None:
    """Drop the database `url` names, and create it again empty unless told not to."""
    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if create:
            connection.execute(f'CREATE DATABASE "{name}"')


@contextmanager
def production_server(port: int, workers: int, **env: str) -> Iterator[None]:
    """gunicorn with whitenoise and DEBUG off on 127.0.0.1:`port`, until the block ends."""
    env = os.environ | {
        "DEBUG": "false",
        "HTTPS": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        **env,
    }
    # Whatever else listens there would answer in gunicorn's place: refuse to measure it.
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise RuntimeError(f"port {port} is already in use; stop what listens there first")
    manage = [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"]
    subprocess.run(manage, cwd=ROOT, env=env, check=True)
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    server = subprocess.Popen(
        [gunicorn, "zzmetro.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _attempt in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        yield
    finally:
        server.terminate()
        server.wait(timeout=30)


def fetch(client, url: str) -> None:
    """One drawing of `url` by Django's test client, read to its end (a workbook or document is
    written as it is read)."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    if response.streaming:
        b"".join(response.streaming_content)


def measure(client, url: str, runs: int) -> tuple[float, float, list[dict]]:
    """Median and best time of `runs` drawings after a warm one (the database's buffers, the
    session's renewal), and one more's queries. On a shared machine the best is the nearer to
    what the drawing itself costs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fetch(client, url)
    samples = []
    for _run in range(runs):
        start = time.perf_counter()
        fetch(client, url)
        samples.append(time.perf_counter() - start)
    with CaptureQueriesContext(connection) as captured:
        fetch(client, url)
    return statistics.median(samples), min(samples), list(captured)
