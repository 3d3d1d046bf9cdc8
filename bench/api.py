"""The read API and open data at scale, on PostgreSQL: the plan-figures endpoint and the
projects list at the seed's size and with 2,000 key projects, and the OC4IDS package of 2,000
projects written a project at a time, with its peak memory.

Builds its own database (BENCH_API_DATABASE_URL, by default zzmetro_bench_api on the local
server). Writes its section of bench/RESULTS.md.
Usage: make bench   (or: python bench/api.py [--projects N])
"""

import argparse
import os
import statistics
import sys
import time
import tracemalloc
from datetime import date
from pathlib import Path

from common import fresh_database

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
URL = os.environ.get(
    "BENCH_API_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zzmetro_bench_api"
)
os.environ["DATABASE_URL"] = URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zzmetro.settings")
RUNS = 15

fresh_database(URL)

import django  # noqa: E402

django.setup()

import scale_data  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from results import PROJECTS_ONLY, write_section  # noqa: E402

from investment.models import QuarterClose  # noqa: E402
from opendata import oc4ids  # noqa: E402
from opendata.datasets import OpenYear  # noqa: E402
from people.models import ApiKey  # noqa: E402
from people.roles import VIEWER  # noqa: E402
from plan.models import Plan  # noqa: E402
from tasks.models import Project  # noqa: E402

ENDPOINTS = {
    "plan figures": "/api/v1/plans/2021/figures?as_of=2021Q4",
    "projects list, 200 a page": "/api/v1/plans/2021/projects?as_of=2021Q4&page_size=200",
}


def timed(client, url: str, headers: dict) -> tuple[float, float, int]:
    def once() -> None:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, (url, response.content[:200])

    once()
    samples = []
    for _run in range(RUNS):
        start = time.perf_counter()
        once()
        samples.append(time.perf_counter() - start)
    with CaptureQueriesContext(connection) as captured:
        once()
    return statistics.median(samples), min(samples), len(captured)


def package() -> tuple[float, float, int, int]:
    """Seconds, peak memory (MB) and size of the OC4IDS package, and its projects."""
    year = OpenYear(Plan.objects.get(year=2021))
    start = time.perf_counter()
    size = sum(len(part.encode()) for part in oc4ids.package(year, "http://bench/oc4ids.json"))
    seconds = time.perf_counter() - start
    # Measured apart: tracing every allocation slows the writing several times over.
    tracemalloc.start()
    sum(1 for _part in oc4ids.package(year, "http://bench/oc4ids.json"))
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return seconds, peak, size, Project.objects.filter(task__area__plan=year.plan).count()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=2000, help="projects at the second size")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("load_plan", "2021", verbosity=0)
    call_command("load_sample_data", "2021", verbosity=0)
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.FIGURES_CACHE_SECONDS = 0
    settings.API_RATE = "1000000/m"
    User = get_user_model()
    office = User.objects.create_superuser("bench-office", password="unused")
    leader = User.objects.create_user("bench-leader")
    leader.groups.add(Group.objects.get(name=VIEWER))
    secret = ApiKey.objects.issue(leader, "bench", date(2099, 1, 1), office)[1]
    headers = {"Authorization": f"Bearer {secret}"}
    plan = Plan.objects.get(year=2021)
    for quarter in range(1, 5):
        QuarterClose.objects.create(plan=plan, quarter=quarter, closed_by=office)
    client = Client()
    scale_data.scale_cities()
    sizes = [Project.objects.count()]
    print(f"{sizes[0]:,} projects: timing…")
    timings = [{label: timed(client, url, headers) for label, url in ENDPOINTS.items()}]
    packages = [package()]
    scale_data.generate(projects=args.projects - Project.objects.count())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    sizes.append(Project.objects.count())
    print(f"{sizes[1]:,} projects: timing…")
    timings.append({label: timed(client, url, headers) for label, url in ENDPOINTS.items()})
    packages.append(package())
    write_section("Read API and OC4IDS at scale", report(sizes, timings, packages))


def report(sizes: list, timings: list, packages: list) -> list[str]:
    small, large = sizes
    lines = [
        PROJECTS_ONLY,
        "",
        "PostgreSQL, the local server, on a shared 2-core machine. Each endpoint called in-process "
        f"(Django's test client) with a leader's key, figures cache off, {RUNS} times after a warm "
        "one; median and, in brackets, best. The seed is the 2021 plan with its sample data and "
        f"{scale_data.CITIES} cities ({small:,} projects); scale_data.generate adds the rest "
        f"({large:,} projects, an approved update a quarter each); all four quarters closed.",
        "",
        f"| Endpoint | {small:,} projects | {large:,} projects | ratio (best) | queries |",
        "|---|---:|---:|---:|---:|",
    ]
    for label in timings[0]:
        (a, best_a, qa), (b, best_b, qb) = (timing[label] for timing in timings)
        lines.append(
            f"| {label} | {a * 1000:.0f} ms ({best_a * 1000:.0f} ms) "
            f"| {b * 1000:.0f} ms ({best_b * 1000:.0f} ms) | {best_b / best_a:.2f}x | {qa} = {qb} |"
        )
    lines += [
        "",
        "Target: the plan-figures endpoint at 2,000 projects within 2x its time at the seed's "
        "size.",
        "",
        "The OC4IDS package (/opendata/2021/oc4ids.json), written a project at a time; peak is "
        "the Python heap's highest point while writing it (tracemalloc), the database's rows "
        "read for it included:",
        "",
        "| Projects | Time | Peak memory | Size |",
        "|---:|---:|---:|---:|",
    ]
    for seconds, peak, size, count in packages:
        lines.append(f"| {count:,} | {seconds:.2f} s | {peak:.1f} MB | {size / 1e6:.1f} MB |")
    return lines


if __name__ == "__main__":
    main()
