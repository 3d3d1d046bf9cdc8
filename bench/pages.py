"""Page benchmark on PostgreSQL: /2021/ at the seed's size and at ten times its reports,
computed and from the figures cache, and signed-in throughput through gunicorn.

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
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from common import fresh_database, production_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zzmetro_bench")
os.environ["DATABASE_URL"] = URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zzmetro.settings")
os.environ.pop("CACHE_URL", None)  # The file-based cache under .cache/, as `make serve` has it.
PORT = 8765
PAGE = "/2021/?as_of=2021Q4"
RUNS = 25


fresh_database(URL)

import django  # noqa: E402

django.setup()

import scale_data  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Sum  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from results import NOT_A_LARGER_PLAN, write_section  # noqa: E402

from figures.rollups import Figures  # noqa: E402
from investment.models import ProgressReport  # noqa: E402
from people.roles import VIEWER  # noqa: E402
from plan.models import Plan  # noqa: E402


def make_leader(password: str):
    """A leader of the metropolitan area, who reads the pages signed in."""
    leader = get_user_model().objects.create_user("bench-leader", password=password)
    leader.groups.add(Group.objects.get(name=VIEWER))
    return leader


def render_times(leader) -> dict:
    """Median time to draw the page as the leader, computed afresh and from the warm figures
    cache, and the queries of one more drawing."""
    settings.ALLOWED_HOSTS = ["testserver"]
    timings = {}
    for label, seconds in (("computed", 0), ("cached", 600)):
        settings.FIGURES_CACHE_SECONDS = seconds
        client = Client()
        client.force_login(leader)
        # Warm: the cache, the database's buffers, and the session's renewal, which writes the
        # session on the first request and then not for a minute.
        client.get(PAGE)
        samples = []
        for _run in range(RUNS):
            start = time.perf_counter()
            response = client.get(PAGE)
            samples.append(time.perf_counter() - start)
            assert response.status_code == 200
        with CaptureQueriesContext(connection) as captured:
            client.get(PAGE)
        timings[label] = (statistics.median(samples), [query["sql"] for query in captured])
    return timings


def tables(queries: list[str]) -> str:
    """What each query reads first, to say in the results what a cached page still asks for."""
    return ", ".join(re.search(r'FROM "(\w+)"', sql)[1] for sql in queries)


def explain() -> str:
    """The plan of the heaviest query of the page: every task's completed amount."""
    plan = Plan.objects.get(year=2021)
    reports = Figures(plan, 4).reports()
    query = reports.order_by().values("task").annotate(total=Sum("amount"))
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def throughput(password: str, seconds: int, **env: str) -> dict:
    """wrk's figures for the page and for /healthz through gunicorn, signed in, cache warm."""
    server_env = {"DATABASE_POOL": "true", "DASHBOARD_PUBLIC": "false", **env}
    with production_server(PORT, os.cpu_count() or 2, **server_env):
        cookie = signed_in(password)
        # wrk counts a redirect to the sign-in page as a success: make sure it is the page.
        request = urllib.request.Request(f"http://127.0.0.1:{PORT}{PAGE}")
        request.add_header("Cookie", cookie)
        with urllib.request.build_opener(NoRedirect).open(request) as response:
            assert response.status == 200 and b'class="kpi-value"' in response.read()
        return {path: wrk(path, cookie, seconds) for path in (PAGE, "/healthz")}


def wrk(path: str, cookie: str, seconds: int) -> tuple[float, float, int]:
    """Requests per second, bytes per response (headers included) and non-2xx/3xx responses."""
    command = ["wrk", "-t2", "-c8", f"-d{seconds}s", "-H", f"Cookie: {cookie}"]
    command.append(f"http://127.0.0.1:{PORT}{path}")
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])
    count = int(re.search(r"(\d+) requests in", output)[1])
    amount, unit = re.search(r"([\d.]+)([KMG]?B) read", output).groups()
    size = float(amount) * {"B": 1, "KB": 2**10, "MB": 2**20, "GB": 2**30}[unit] / count
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return rate, size, int(errors[1]) if errors else 0


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs) -> None:
        return None


def signed_in(password: str) -> str:
    """The cookies of the leader once she has signed in and opened the page (which warms the
    figures cache of a server that starts with an empty one)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    login = opener.open(f"http://127.0.0.1:{PORT}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login)[1]
    form = {"username": "bench-leader", "password": password, "csrfmiddlewaretoken": token}
    opener.open(
        f"http://127.0.0.1:{PORT}/accounts/login/", urllib.parse.urlencode(form).encode()
    ).read()
    opener.open(f"http://127.0.0.1:{PORT}{PAGE}").read()
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


@contextmanager
def redis_server() -> Iterator[str]:
    """A redis-server of the benchmark's own on a free local port, keeping nothing on disk."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    options = ["--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"]
    server = subprocess.Popen(["redis-server", *options], stdout=subprocess.DEVNULL)
    try:
        for _attempt in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=30)


def grow_to(total: int) -> int:
    """Add generated reports until there are `total`; the count there is afterwards."""
    missing = total - ProgressReport.objects.count()
    if missing > 0:
        scale_data.generate(missing)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return ProgressReport.objects.count()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, help="reports at the first size (the seed's)")
    parser.add_argument("--large", type=int, help="reports at the second (ten times the seed)")
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("load_plan", "2021", verbosity=0)
    call_command("load_sample_data", "2021", verbosity=0)
    seed = ProgressReport.objects.count()
    password = secrets.token_urlsafe(16)
    leader = make_leader(password)
    sizes, timings = [], []
    for total in (args.small or seed, args.large or 10 * seed):
        sizes.append(grow_to(total))
        print(f"{sizes[-1]:,} reports: timing /2021/…")
        timings.append(render_times(leader))
    plan = explain()
    rates = {}
    if shutil.which("wrk"):
        rates["files (.cache/, as `make serve`)"] = throughput(password, args.seconds)
        if shutil.which("redis-server"):
            with redis_server() as cache_url:
                rates["Redis (CACHE_URL, a redis-server of its own)"] = throughput(
                    password, args.seconds, CACHE_URL=cache_url
                )
    write_section("Pages at scale", report(args.seconds, seed, sizes, timings, rates, plan))


def report(seconds: int, seed: int, sizes: list, timings: list, rates: dict, plan: str) -> list:
    small, large = sizes
    lines = [
        NOT_A_LARGER_PLAN,
        "",
        f"PostgreSQL, the local server; numbers taken on a shared {os.cpu_count()}-core machine "
        "where other work (a test run) may have been going on. "
        f"{PAGE} drawn in-process (Django's test client) as a signed-in leader "
        f'(DASHBOARD_PUBLIC off), median of {RUNS}; "computed" with the figures cache off '
        '(FIGURES_CACHE_SECONDS=0), "cached" from the warm file-based figures cache. The seed '
        f"is the 2021 plan with `load_sample_data 2021` ({seed:,} reports); "
        "scale_data.generate adds the rest in generated plan years after 2021, and brings the "
        f"cities to {scale_data.CITIES}, which /2021/ lists too: /2021/ reads its own {seed:,} "
        "reports at both sizes, out of a larger table.",
        "",
        f"| {PAGE} | {small:,} reports | {large:,} reports | ratio |",
        "|---|---:|---:|---:|",
    ]
    for label in ("computed", "cached"):
        (a, qa), (b, qb) = timings[0][label], timings[1][label]
        same = "equal" if len(qa) == len(qb) else "DIFFER"
        lines.append(f"| {label}: time | {a * 1000:.1f} ms | {b * 1000:.1f} ms | {b / a:.2f}x |")
        lines.append(f"| {label}: queries | {len(qa)} | {len(qb)} | {same} |")
    cached = timings[1]["cached"][1]
    lines += [
        "",
        f"A page from the figures cache makes {len(cached)} queries, which read "
        f"{tables(cached)}: the session and the signed-in user (Django's database sessions "
        "and ModelBackend), then the plan and whether sample data exists. Its figures are "
        "cache entries: the generation number and the page's figures filed under it. The "
        "template is drawn anew each time.",
    ]
    if rates:
        lines += [
            "",
            f"Throughput through gunicorn ({os.cpu_count()} workers, psycopg pool, whitenoise, "
            f"DEBUG off), wrk -t2 -c8 for {seconds} s each with a signed-in leader's cookies, "
            f"figures cache warm, {large:,} reports. /healthz is the same stack with no "
            "session, database or cache.",
            "",
            "| Figures cache | URL | requests/s | bytes per response, headers included | non-2xx |",
            "|---|---|---:|---:|---:|",
        ]
        for cache, results in rates.items():
            for path, (rate, size, errors) in results.items():
                lines.append(f"| {cache} | {path} | {rate:.0f} | {size:,.0f} | {errors} |")
    else:
        lines += ["", "wrk is not installed (apt-get install wrk): no throughput figures."]
    lines += ["", "EXPLAIN ANALYZE of the heaviest query (completed per task):", "", "```", plan]
    lines += ["```"]
    return lines


if __name__ == "__main__":
    main()
