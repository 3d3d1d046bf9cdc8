"""Load and faults, on PostgreSQL through gunicorn: readers and writers at once, and the
database restarted half-way. Run by .ci/run; exits non-zero when anything is lost or broken.

- Readers fetch the pages; every answer must be 200, or 503 while the database is down.
- Writers (the office, two browsers) raise the same reports through the admin's change form,
  each save based on the version it read, so they collide: a stale save must be refused,
  never applied over the other.
- Afterwards every report must equal its starting amount plus its committed saves, with one
  history row for each (no lost update, no unrecorded change), and the site must answer again.

Usage: python bench/load_faults.py [--seconds 40]
"""

import argparse
import http.cookiejar
import os
import re
import secrets
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal
from pathlib import Path

from common import fresh_database, production_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
URL = os.environ.get("LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zzmetro_load")
os.environ["DATABASE_URL"] = URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zzmetro.settings")
PORT = 8766
BASE = f"http://127.0.0.1:{PORT}"
PAGES = ["/2021/", "/2021/areas/2/", "/2021/cities/zhengzhou/", "/2021/tasks/2.2/"]
PASSWORD = secrets.token_urlsafe(16)


fresh_database(URL)

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402

from investment.models import ProgressReport  # noqa: E402
from plan.models import City  # noqa: E402
from tasks.models import Task  # noqa: E402


class Log:
    """What every thread saw, kept under one lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reads: list[tuple[float, int]] = []
        self.bad: list[str] = []
        self.saved: dict[int, Decimal] = {}  # report -> highest amount a save was confirmed at
        self.stale = 0
        self.unknown = 0

    def read(self, status: int, body: str, url: str) -> None:
        with self.lock:
            self.reads.append((time.monotonic(), status))
            if "Traceback" in body or (status >= 500 and status != 503):
                self.bad.append(f"{url}: {status} {body[:200]!r}")


def fetch(opener, url: str, data: dict | None = None) -> tuple[int, str]:
    encoded = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with opener.open(BASE + url, data=encoded, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")
    except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
        return 0, str(error)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def browser(follow: bool = True):
    handlers = [urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())]
    if not follow:
        handlers.append(NoRedirect())
    return urllib.request.build_opener(*handlers)


def token(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    return match[1] if match else ""


def reader(log: Log, stop: threading.Event) -> None:
    opener = browser()
    while not stop.is_set():
        for page in PAGES:
            status, body = fetch(opener, page)
            log.read(status, body, page)


def writer(log: Log, stop: threading.Event, reports: list[int]) -> None:
    opener = browser(follow=False)
    while not stop.is_set():
        status, page = fetch(opener, "/admin/login/")
        status, _body = fetch(
            opener,
            "/admin/login/?next=/admin/",
            {"username": "office", "password": PASSWORD, "csrfmiddlewaretoken": token(page)},
        )
        if status == 302:
            break
        time.sleep(0.5)
    while not stop.is_set():
        for report in reports:
            save_once(log, opener, report)


def save_once(log: Log, opener, report: int) -> None:
    url = f"/admin/investment/progressreport/{report}/change/"
    status, form = fetch(opener, url)
    if status != 200:
        log.read(status, form, url)
        return
    # Which task, city and quarter is fixed once a report exists: only these are posted.
    seen = re.search(r'name="seen_version" value="(\d+)"', form)[1]
    amount = Decimal(re.search(r'name="amount" value="([^"]+)"', form)[1])
    data = {
        "seen_version": seen,
        "amount": str(amount + 1),
        "note": "load test",
        "csrfmiddlewaretoken": token(form),
        "correction_reason": "",
        "_save": "1",
    }
    status, body = fetch(opener, url, data)
    with log.lock:
        if status == 302:
            log.saved[report] = max(log.saved.get(report, Decimal(0)), amount + 1)
        elif status == 200 and "在您编辑期间修改了这条填报" in body:
            log.stale += 1
        elif status == 200:
            log.bad.append(
                f"save refused for another reason: {re.findall(r'errorlist[^>]*>(.*?)<', body)}"
            )
        else:
            log.unknown += 1  # The database went away mid-save: committed or not, we cannot tell.
            if "Traceback" in body or (status >= 500 and status != 503):
                log.bad.append(f"save: {status} {body[:200]!r}")


def restart_database() -> bool:
    versions = sorted(os.listdir("/etc/postgresql")) if os.path.isdir("/etc/postgresql") else []
    if not versions:
        return False
    result = subprocess.run(
        [
            "pg_ctlcluster",
            "--skip-systemctl-redirect",
            versions[-1],
            "main",
            "restart",
            "-m",
            "fast",
        ],
        capture_output=True,
        text=True,
    )
    return result.returncode == 0


def setup() -> list[int]:
    call_command("migrate", verbosity=0)
    call_command("load_plan", "2021", verbosity=0)
    get_user_model().objects.create_superuser("office", password=PASSWORD)
    zhengzhou = City.objects.get(slug="zhengzhou")
    reports = [
        ProgressReport.objects.create(
            task=task, city=zhengzhou, year=2021, quarter=1, amount=Decimal(1), status="submitted"
        )
        for task in Task.objects.filter(cities=zhengzhou, target__isnull=False)[:4]
    ]
    connections.close_all()
    return [report.pk for report in reports]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=40)
    args = parser.parse_args()
    reports = setup()
    log, stop = Log(), threading.Event()
    with production_server(PORT, 3, DASHBOARD_PUBLIC="true", LOGIN_FAILURE_LIMIT="1000"):
        threads = [threading.Thread(target=reader, args=(log, stop)) for _n in range(4)]
        threads += [threading.Thread(target=writer, args=(log, stop, reports)) for _n in range(2)]
        for thread in threads:
            thread.start()
        time.sleep(args.seconds / 2)
        down = time.monotonic()
        restarted = restart_database()
        up = time.monotonic()
        print(f"Database restarted: {restarted} ({up - down:.1f} s)")
        time.sleep(args.seconds / 2)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    result = verify(log, reports, up if restarted else None)
    connections.close_all()
    fresh_database(URL, create=False)
    return result


def verify(log: Log, reports: list[int], up: float | None) -> int:
    problems = list(log.bad)
    statuses = [status for _when, status in log.reads]
    late_503 = [s for when, s in log.reads if s != 200 and (up is None or when > up + 10)]
    if late_503:
        problems.append(f"{len(late_503)} reads failed after the database was back")
    if up is not None and not any(s == 200 for when, s in log.reads if when > up):
        problems.append("the site did not recover after the restart")
    if not log.saved:
        problems.append("no save was confirmed: the writers never got to save")
    connections.close_all()
    for report in ProgressReport.objects.filter(pk__in=reports):
        changes = report.history.filter(history_type="~").count()
        if report.amount != 1 + changes:
            problems.append(
                f"report {report.pk}: amount {report.amount} but {changes} recorded changes"
            )
        if report.amount < log.saved.get(report.pk, Decimal(1)):
            problems.append(
                f"report {report.pk}: a confirmed save of {log.saved[report.pk]} was lost"
            )
    print(
        f"reads: {len(statuses)} ({statuses.count(200)} ok, {statuses.count(503)} 503); "
        f"saves confirmed up to {dict(log.saved)}, stale refused: {log.stale}, "
        f"unknown during the restart: {log.unknown}"
    )
    for problem in problems:
        print("PROBLEM:", problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
