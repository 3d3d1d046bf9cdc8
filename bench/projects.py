"""Key projects benchmark on PostgreSQL: the projects list, a project page, the overview and the
plan's workbook (with its 重点项目 sheet), at the seed's size and with 2,000 projects in 2021.

Builds its own database (BENCH_PROJECTS_DATABASE_URL, by default zzmetro_bench_projects on the
local server), never the dashboard's nor the page benchmark's. Writes its section of
bench/RESULTS.md.
Usage: make bench   (or: python bench/projects.py [--projects N])
"""

import argparse
import os
import re
import sys
from pathlib import Path

from common import fresh_database, measure

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
URL = os.environ.get(
    "BENCH_PROJECTS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zzmetro_bench_projects"
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
from results import PROJECTS_ONLY, write_section  # noqa: E402

from investment.models import ProjectUpdate  # noqa: E402
from people.roles import VIEWER  # noqa: E402
from tasks.models import Project  # noqa: E402


def pages() -> dict[str, str]:
    """What is measured, by label: the same project's page at both sizes."""
    project = Project.objects.get(name="郑州南站主体工程")
    return {
        "projects list": "/2021/projects/?as_of=2021Q4",
        "a project": f"/2021/projects/{project.pk}/",
        "overview": "/2021/?as_of=2021Q4",
        "workbook": "/2021/export.xlsx?as_of=2021Q4",
    }


def explain(sql: str) -> str:
    """The top of the query's plan and its summary (times, JIT), without the subplans."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, SUMMARY) " + sql)
        lines = [row[0] for row in cursor.fetchall()]
    # The subplans are indented; the summary after them is not, but for the JIT's details.
    end = next(n for n, line in enumerate(lines) if n and not line.startswith(" "))
    return "\n".join([lines[0], *lines[end:]])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--projects", type=int, default=2000, help="projects at the second size")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("load_plan", "2021", verbosity=0)
    call_command("load_sample_data", "2021", verbosity=0)
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.FIGURES_CACHE_SECONDS = 0
    leader = get_user_model().objects.create_user("bench-leader")
    leader.groups.add(Group.objects.get(name=VIEWER))
    client = Client()
    client.force_login(leader)
    # Thirty cities at both sizes, so that what grows is the projects alone.
    scale_data.scale_cities()
    sizes = [(Project.objects.count(), ProjectUpdate.objects.count())]
    print(f"{sizes[0][0]:,} projects: timing…")
    timings = [{label: measure(client, url, RUNS) for label, url in pages().items()}]
    scale_data.generate(projects=args.projects - Project.objects.count())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    sizes.append((Project.objects.count(), ProjectUpdate.objects.count()))
    print(f"{sizes[1][0]:,} projects: timing…")
    timings.append({label: measure(client, url, RUNS) for label, url in pages().items()})
    slowest = max(
        (query for *_times, queries in timings[1].values() for query in queries),
        key=lambda query: float(query["time"]),
    )
    plan = explain(slowest["sql"])
    # PostgreSQL compiles a query whose estimated cost passes jit_above_cost; see what that
    # costs these pages by drawing them again on a connection with JIT off.
    with connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    print(f"{sizes[1][0]:,} projects, JIT off: timing…")
    timings.append({label: measure(client, url, RUNS) for label, url in pages().items()})
    write_section("Key projects at scale", report(sizes, timings, slowest, plan))


def report(sizes: list, timings: list, slowest: dict, plan: str) -> list[str]:
    (small, small_updates), (large, large_updates) = sizes
    lines = [
        PROJECTS_ONLY,
        "",
        "PostgreSQL, the local server, on a shared machine where other work may have been going "
        "on. Each page drawn in-process (Django's test client) as a signed-in leader, computed "
        f"(figures cache off, FIGURES_CACHE_SECONDS=0), {RUNS} times; the workbook is the "
        "plan's, every sheet written and read to the end. The seed is the 2021 plan with "
        f"`load_sample_data 2021` ({small:,} projects, {small_updates:,} updates) and "
        f"{scale_data.CITIES} cities; scale_data.generate(projects=…) adds the rest to 2021's "
        "tasks, each with one to three sections in those cities and an approved update a quarter "
        f"({large:,} projects, {large_updates:,} updates). The last columns draw the pages at "
        f"{large:,} again on a connection with PostgreSQL's JIT compilation off (`SET jit = off`).",
        "",
        "Each time is the median, and in brackets the best, of the runs; ratios are of the best "
        "times, against the seed's.",
        "",
        f"| Page | {small:,} projects | {large:,} projects | ratio | {large:,}, JIT off | ratio "
        f"| queries | slowest query at {large:,}: JIT on, off |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label in timings[0]:
        (a, best_a, qa), (b, best_b, qb), (c, best_c, qc) = (timing[label] for timing in timings)
        same = "=" if len(qa) == len(qb) == len(qc) else "≠"
        lines.append(
            f"| {label} | {ms(a)} ({ms(best_a)}) | {ms(b)} ({ms(best_b)}) "
            f"| {best_b / best_a:.2f}x | {ms(c)} ({ms(best_c)}) | {best_c / best_a:.2f}x "
            f"| {len(qa)} {same} {len(qb)} | {worst(qb)}, {worst(qc)} |"
        )
    tables = ", ".join(sorted(set(re.findall(r'FROM "(\w+)"', slowest["sql"]))))
    compiling = re.search(r"Timing: .*Total ([\d.]+) ms", plan)
    executing = re.search(r"Execution Time: ([\d.]+) ms", plan)
    if compiling and executing:
        lines += [
            "",
            f"Of the slowest query's {float(executing[1]):.0f} ms, PostgreSQL spent "
            f"{float(compiling[1]):.0f} ms compiling it (JIT), as its estimated cost passes "
            "jit_above_cost; the last column gives the slowest query's time with JIT off too.",
        ]
    lines += [
        "",
        f"EXPLAIN ANALYZE of the slowest query at {large:,} projects, JIT as the server has it "
        f"(it reads {tables}), its top node and summary:",
        "",
        "```",
        plan,
        "```",
    ]
    return lines


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def worst(queries: list[dict]) -> str:
    return ms(max(float(query["time"]) for query in queries))


if __name__ == "__main__":
    main()
