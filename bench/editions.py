"""Plan editions benchmark on PostgreSQL: the overview's computed time with one plan year in the
database, and with six (each carried from the one before, the same size as 2021 with its
sample reports, allocations and project updates); the target is at most 1.2x.

Builds its own database (BENCH_DATABASE_URL, by default zzmetro_bench on the local server).
Writes its section of bench/RESULTS.md.
Usage: python bench/editions.py [--runs N]
"""

import argparse
import os
import sys
from pathlib import Path

from common import fresh_database, measure

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/zzmetro_bench")
os.environ["DATABASE_URL"] = URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zzmetro.settings")
os.environ.pop("CACHE_URL", None)

fresh_database(URL)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from results import write_section  # noqa: E402

from figures.cache import reset_generation  # noqa: E402
from investment.models import ProgressReport, ProjectUpdate  # noqa: E402
from people.roles import VIEWER  # noqa: E402
from plan.models import Plan  # noqa: E402
from tasks.editions import carry_over  # noqa: E402
from tasks.models import CityAllocation, Project, Task  # noqa: E402


def next_year(source: Plan) -> Plan:
    """The year after `source`, every task and project carried, the targets, allocations,
    reports and updates copied as sample rows (bulk: benchmark input, no history)."""
    tasks = list(Task.objects.of_plan(source))
    projects = list(Project.objects.of_plan(source).select_related("task__area"))
    with transaction.atomic():
        plan = carry_over(source, source.year + 1, tasks, projects)
        plan.status = Plan.Status.ISSUED
        plan.save()
        new_tasks = {row.predecessor_id: row for row in Task.objects.of_plan(plan)}
        for old in tasks:
            new_tasks[old.pk].target = old.target
        Task.objects.bulk_update(new_tasks.values(), ["target"])
        CityAllocation.objects.bulk_create(
            CityAllocation(task=new_tasks[row.task_id], city_id=row.city_id, amount=row.amount)
            for row in CityAllocation.objects.of_plan(source)
        )
        ProgressReport.objects.bulk_create(
            ProgressReport(
                task=new_tasks[row.task_id],
                city_id=row.city_id,
                year=plan.year,
                quarter=row.quarter,
                amount=row.amount,
                note=row.note,
                status=row.status,
                is_sample=True,
            )
            for row in ProgressReport.objects.of_plan(source)
        )
        new_projects = {row.predecessor_id: row for row in Project.objects.of_plan(plan)}
        ProjectUpdate.objects.bulk_create(
            ProjectUpdate(
                project=new_projects[row.project_id],
                city_id=row.city_id,
                year=plan.year,
                quarter=row.quarter,
                stage=row.stage,
                progress=row.progress,
                amount=row.amount,
                status=row.status,
                is_sample=True,
            )
            for row in ProjectUpdate.objects.filter(project__task__area__plan=source)
        )
    reset_generation()
    return plan


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=25)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("load_plan", "2021", verbosity=0)
    call_command("load_sample_data", "2021", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.FIGURES_CACHE_SECONDS = 0  # computed each time
    leader = get_user_model().objects.create_user("bench-leader")
    leader.groups.add(Group.objects.get(name=VIEWER))
    client = Client()
    client.force_login(leader)
    one = measure(client, "/2021/?as_of=2021Q4", args.runs)
    plan = Plan.objects.get(year=2021)
    for _year in range(5):
        plan = next_year(plan)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as the database would, once autovacuum has seen the rows
    latest = f"/{plan.year}/?as_of={plan.year}Q4"
    six_first = measure(client, "/2021/?as_of=2021Q4", args.runs)
    six_latest = measure(client, latest, args.runs)
    reports = ProgressReport.objects.count()
    lines = [
        f"PostgreSQL, the local server, on a shared {os.cpu_count()}-core machine. The overview "
        "drawn in-process as a signed-in leader with the figures cache off, median and best of "
        f"{args.runs}. One plan year: the 2021 plan with its sample data. Six: five more years "
        "made by carrying every task and key project over from the year before (tasks.editions)"
        f", each with a copy of the year before's targets, allocations, reports and updates "
        f"({reports:,} reports in all). The latest year's overview also reads last year's "
        "figures for its year-on-year table (the 2021 one has no last year).",
        "",
        "| page | plan years | median | best | queries | against one year (best) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    base = one[1]
    for label, years, (median, best, queries) in (
        ("/2021/?as_of=2021Q4", 1, one),
        ("/2021/?as_of=2021Q4", 6, six_first),
        (latest, 6, six_latest),
    ):
        lines.append(
            f"| {label} | {years} | {median * 1000:.1f} ms | {best * 1000:.1f} ms "
            f"| {len(queries)} | {best / base:.2f}x |"
        )
    lines += [
        "",
        "Target: at most 1.2x with six plan years. The query counts stay equal for the same "
        "page (tests/dashboard/test_years.py checks it at two and six years); the latest "
        "year's page asks the few queries of last year's total and key projects more.",
    ]
    write_section("Plan editions: the overview with six plan years", lines)


if __name__ == "__main__":
    main()
