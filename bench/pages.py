"""Page benchmark on PostgreSQL: /2021/ at 1,000 and at 1,000,000 reports, and throughput.

Builds its own database (BENCH_DATABASE_URL, by default zzmetro_bench on the local server),
never the dashboard's. Writes its section of bench/RESULTS.md.
Usage: make bench   (or: python bench/pages.py [--small N] [--large N] [--seconds S])
"""

import argparse
import http.cookiejar
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from common import fresh_database, production_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zzmetro_bench")
os.environ["DATABASE_URL"] = URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zzmetro.settings")
PORT = 8765


fresh_database(URL)

import django  # noqa: E402

django.setup()

import scale_data  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.db.models import Sum  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from results import write_section  # noqa: E402

from investment.figures import Figures  # noqa: E402
from investment.models import ProgressReport  # noqa: E402
from plan.models import Plan  # noqa: E402

PAGE = "/2021/?as_of=2021Q4"


def render_times(runs: int = 15) -> dict:
    """Median time to draw the page, computed afresh and from the warm figures cache."""
    settings.DASHBOARD_PUBLIC = True
    settings.ALLOWED_HOSTS = ["testserver"]
    client = Client()
    timings = {}
    for label, seconds in (("computed", 0), ("cached", 600)):
        settings.ROLLUP_CACHE_SECONDS = seconds
        client.get(PAGE)  # Warm: the cache, and the database's own buffers.
        samples = []
        for _run in range(runs):
            start = time.perf_counter()
            response = client.get(PAGE)
            samples.append(time.perf_counter() - start)
            assert response.status_code == 200
        with CaptureQueriesContext(connection) as captured:
            client.get(PAGE)
        timings[label] = (statistics.median(samples), len(captured))
    reset_queries()
    return timings


def explain() -> str:
    """The plan of the heaviest query of the page: every task's completed amount."""
    plan = Plan.objects.get(year=2021)
    reports = Figures(plan, 4).reports()
    query = reports.order_by().values("task").annotate(total=Sum("amount"))
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def throughput(seconds: int) -> dict:
    """Requests per second through gunicorn for /2021/ and for a trivial view, one run."""
    if not shutil.which("wrk"):
        return {}
    with production_server(PORT, os.cpu_count() or 2, DATABASE_POOL="true"):
        cookie = signed_in()
        # wrk counts a redirect to the sign-in page as a success: make sure it is the page.
        request = urllib.request.Request(f"http://127.0.0.1:{PORT}{PAGE}")
        request.add_header("Cookie", cookie)
        with urllib.request.build_opener(NoRedirect).open(request) as response:
            assert response.status == 200 and b'class="kpi-value"' in response.read()
        rates = {}
        for label, path in (("page", PAGE), ("trivial", "/healthz")):
            output = subprocess.run(
                [
                    "wrk",
                    "-t2",
                    "-c8",
                    f"-d{seconds}s",
                    "-H",
                    f"Cookie: {cookie}",
                    f"http://127.0.0.1:{PORT}{path}",
                ],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            rates[label] = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])
            count = int(re.search(r"(\d+) requests in", output)[1])
            amount, unit = re.search(r"([\d.]+)([KMG]?B) read", output).groups()
            scale = {"B": 1, "KB": 2**10, "MB": 2**20, "GB": 2**30}[unit]
            rates[f"{label}_bytes"] = float(amount) * scale / count
            errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
            rates[f"{label}_errors"] = int(errors[1]) if errors else 0
        return rates


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs) -> None:
        return None


def signed_in() -> str:
    """The cookies of a leader who has signed in and opened the page once (as officials do)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from plan.models import VIEWER

    password = secrets.token_urlsafe(16)
    leader = get_user_model().objects.create_user("bench-leader", password=password)
    leader.groups.add(Group.objects.get(name=VIEWER))
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login = opener.open(f"http://127.0.0.1:{PORT}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login)[1]
    form = {"username": "bench-leader", "password": password, "csrfmiddlewaretoken": token}
    opener.open(
        f"http://127.0.0.1:{PORT}/accounts/login/", urllib.parse.urlencode(form).encode()
    ).read()
    opener.open(f"http://127.0.0.1:{PORT}{PAGE}").read()  # Keeps the page for her.
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("load_plan", "2021", verbosity=0)
    call_command("load_sample_data", "2021", verbosity=0)
    sample = ProgressReport.objects.count()
    scale_data.generate(args.small - sample)
    small_count = ProgressReport.objects.count()
    print(f"{small_count:,} reports: timing /2021/…")
    small = render_times()
    scale_data.generate(args.large - small_count)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    large_count = ProgressReport.objects.count()
    print(f"{large_count:,} reports: timing /2021/…")
    large = render_times()
    plan = explain()
    rates = throughput(args.seconds)
    lines = [
        "PostgreSQL, the local server. /2021/ drawn in-process (Django's test client, "
        'anonymous with DASHBOARD_PUBLIC on), median of 15; "computed" with the figures cache '
        'off, "cached" with it warm.',
        "",
        f"| /2021/ | {small_count:,} reports | {large_count:,} reports | ratio |",
        "|---|---:|---:|---:|",
    ]
    for label in ("computed", "cached"):
        (a, qa), (b, qb) = small[label], large[label]
        lines.append(f"| {label}: time | {a * 1000:.1f} ms | {b * 1000:.1f} ms | {b / a:.2f}x |")
        lines.append(f"| {label}: queries | {qa} | {qb} | {'equal' if qa == qb else 'DIFFER'} |")
    if rates:
        lines += [
            "",
            f"Throughput through gunicorn ({os.cpu_count()} workers, psycopg pool, whitenoise, "
            f"DEBUG off), wrk -t2 -c8 for {args.seconds} s each as a signed-in leader, "
            f"cache warm, {large_count:,} reports. Her kept page costs one query, her session "
            "read together with the figures' version; the trivial view costs none.",
            "",
            "| URL | requests/s | bytes per response, headers included | non-2xx |",
            "|---|---:|---:|---:|",
            f"| {PAGE} | {rates['page']:.0f} | {rates['page_bytes']:,.0f} | "
            f"{rates['page_errors']} |",
            f"| /healthz (trivial view, same stack) | {rates['trivial']:.0f} | "
            f"{rates['trivial_bytes']:,.0f} | {rates['trivial_errors']} |",
            "",
            f"Ratio page / trivial: {rates['page'] / rates['trivial']:.2f} (target at least 0.5).",
        ]
    else:
        lines += ["", "wrk is not installed (apt-get install wrk): no throughput figures."]
    lines += ["", "EXPLAIN ANALYZE of the heaviest query (completed per task):", "", "```", plan]
    lines += ["```"]
    write_section("Pages at scale", lines)


if __name__ == "__main__":
    main()
