"""The read API against a live server: schemathesis generates requests from the OpenAPI
document (/api/v1/openapi.json) and checks that no answer is a server error or breaks the
document, for every endpoint, anonymous and with a leader's key.

Run by .ci/run. Builds a SQLite database with the 2021 plan and the sample data, its first
quarter closed (so that anonymous callers have open data), serves it with the dashboard public,
and runs schemathesis twice.
Usage: python bench/api_check.py [--max-examples N]
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

SETUP = """
from datetime import date
from django.contrib.auth.models import Group, User
from investment.models import QuarterClose
from people.models import ApiKey
from people.roles import VIEWER
from plan.models import Plan

office = User.objects.create_superuser("api-office", password="unused")
leader = User.objects.create_user("api-leader", password="unused")
leader.groups.add(Group.objects.get(name=VIEWER))
QuarterClose.objects.create(plan=Plan.objects.get(year=2021), quarter=1, closed_by=office)
print(ApiKey.objects.issue(leader, "schemathesis", date(2099, 1, 1), office)[1])
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-examples", type=int, default=60)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="zzmetro-api-")
    env = os.environ | {
        "DATABASE_URL": f"sqlite:///{folder}/api.sqlite3",
        "DASHBOARD_PUBLIC": "true",
        "API_RATE": "1000000/m",  # schemathesis is one fast caller; the rate has its own tests
        "DEBUG": "false",
        "SECRET_KEY": "api-check-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "HTTPS": "false",
    }
    manage = [str(BIN / "python"), "manage.py"]

    def run(*command: str) -> str:
        done = subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
        return done.stdout.decode()

    run(*manage, "migrate", "--no-input")
    run(*manage, "load_plan", "2021")
    run(*manage, "load_sample_data", "2021")
    key = run(*manage, "shell", "-c", SETUP).strip().splitlines()[-1]
    port = free_port()
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "zzmetro.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    failed = 0
    try:
        schema = f"http://127.0.0.1:{port}/api/v1/openapi.json"
        common = [
            str(BIN / "schemathesis"), "run", schema,
            "--checks", "not_a_server_error,response_schema_conformance,"
            "status_code_conformance,content_type_conformance",
            "--max-examples", str(args.max_examples),
            "--max-response-time", "1",
            "--wait-for-schema", "30",
            "--seed", "24",
        ]  # fmt: skip
        for label, extra in [
            ("anonymous", []),
            ("with a leader's key", ["--header", f"Authorization: Bearer {key}"]),
        ]:
            print(f"-- schemathesis, {label}", flush=True)
            failed |= subprocess.run([*common, *extra], cwd=ROOT, env=env).returncode
    finally:
        server.terminate()
        server.wait(10)
    return failed


if __name__ == "__main__":
    started = time.monotonic()
    code = main()
    print(f"api check: {'ok' if code == 0 else 'FAILED'} in {time.monotonic() - started:.0f} s")
    sys.exit(code)
