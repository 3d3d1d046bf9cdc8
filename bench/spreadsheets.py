"""Spreadsheet benchmark: export 100,000 reports, import 5,000; time and peak memory.

Runs on its own SQLite file (never the dashboard's database) and writes bench/RESULTS.md.
Usage: make bench   (or: python bench/spreadsheets.py [--reports N] [--imports N])
"""

import argparse
import csv
import io
import os
import sys
import tempfile
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE = Path(tempfile.gettempdir()) / "zzmetro-bench.sqlite3"
os.environ["DATABASE_URL"] = f"sqlite:///{DATABASE}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zzmetro.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import translation  # noqa: E402
from results import write_section  # noqa: E402

from exports import workbook  # noqa: E402
from figures.rollups import Figures, scope  # noqa: E402
from investment.admin.reports import ReportExport  # noqa: E402
from investment.imports import FileImport  # noqa: E402
from investment.models import ProgressReport  # noqa: E402
from investment.tables import read_table  # noqa: E402
from plan.models import City, FocusArea, Member, Plan  # noqa: E402
from plan.spreadsheets import EscapedXLSX  # noqa: E402
from tasks.models import Task  # noqa: E402

YEAR = 2030  # A made-up plan year of its own, so 2021's figures are never touched.
CITIES = 50


def build_world(reports: int, imports: int) -> Plan:
    """A plan with `reports` reports (one per task, city and quarter), and empty tasks enough
    for `imports` more."""
    plan = Plan.objects.create(
        year=YEAR,
        title="基准测试",
        source="bench",
        declared_area_count=1,
        declared_task_count=1,
        status=Plan.Status.ISSUED,
    )
    area = FocusArea.objects.create(plan=plan, number=1, name="基准", name_en="Bench")
    cities = City.objects.bulk_create(
        City(slug=f"bench-{n}", name=f"基准市{n}", name_en=f"Bench {n}", order=100 + n)
        for n in range(CITIES)
    )
    Member.objects.bulk_create(Member(plan=plan, place=city) for city in cities)
    reported = -(-reports // (CITIES * 4))
    count = reported + -(-imports // (CITIES * 4))
    plan.declared_task_count = count
    plan.save()
    tasks = Task.objects.bulk_create(
        Task(area=area, number=n, title=f"基准任务{n}", target=Decimal(1000))
        for n in range(1, count + 1)
    )
    Task.cities.through.objects.bulk_create(
        Task.cities.through(task=task, city=city) for task in tasks for city in cities
    )
    # Bulk on purpose: these rows are the benchmark's input, not records anyone made.
    ProgressReport.objects.bulk_create(_reports(tasks[:reported], cities, reports), batch_size=5000)
    return plan


def _reports(tasks, cities, limit):
    made = 0
    for task in tasks:
        for city in cities:
            for quarter in range(1, 5):
                if made == limit:
                    return
                made += 1
                yield ProgressReport(
                    task=task,
                    city=city,
                    year=YEAR,
                    quarter=quarter,
                    amount=Decimal("1.2345"),
                    note='=HYPERLINK("x") 基准' if made == 1 else "进展顺利",
                    status=ProgressReport.Status.APPROVED,
                )


def measure(label: str, work) -> dict:
    """Wall time of one run, then peak Python memory of a second, traced run."""
    start = time.perf_counter()
    size = work()
    seconds = time.perf_counter() - start
    tracemalloc.start()
    work()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    row = {"what": label, "seconds": seconds, "peak_mb": peak / 1024 / 1024, "size": size}
    print(f"{label}: {seconds:.1f} s, peak {row['peak_mb']:.0f} MB, {size}")
    return row


def our_workbook(plan: Plan):
    def work():
        # The office reads every problem: the fullest workbook.
        office = get_user_model()(is_superuser=True)
        out = workbook.workbook(scope(Figures(plan, 4), plan), False, office)
        return f"{len(out.read()) / 1024 / 1024:.1f} MB xlsx"

    return work


def default_export(plan: Plan):
    """What django-import-export's admin export does with the same rows."""

    def work():
        queryset = ProgressReport.objects.filter(year=plan.year).select_related(
            "task__area", "city"
        )
        dataset = ReportExport().export(queryset)
        data = EscapedXLSX().export_data(dataset)
        return f"{len(data) / 1024 / 1024:.1f} MB xlsx"

    return work


def import_file(plan: Plan, rows: int) -> bytes:
    """A CSV of `rows` new reports, as a city office would send it (GBK)."""
    task_list = Task.objects.filter(area__plan=plan, reports__isnull=True).order_by("number")
    cities = list(City.objects.filter(slug__startswith="bench-").order_by("order"))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["任务编号", "城市", "年度", "季度", "完成投资(亿元)", "进展情况"])
    made = 0
    for task in task_list:
        for city in cities:
            for quarter in range(1, 5):
                if made == rows:
                    return out.getvalue().encode("gb18030")
                writer.writerow([task.code, city.name, YEAR, quarter, "2.5", "导入基准"])
                made += 1
    return out.getvalue().encode("gb18030")


def run_import(data: bytes, user) -> str:
    rows = FileImport(read_table(data), user=user, file_name="bench.csv")
    assert rows.run(dry_run=False), [line.errors for line in rows.failed[:3]]
    counts = rows.counts()
    return f"{counts['new']} new, {counts['update']} updated"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--imports", type=int, default=5_000)
    args = parser.parse_args()
    DATABASE.unlink(missing_ok=True)
    translation.activate("zh-hans")
    call_command("migrate", verbosity=0)
    print(f"Building {args.reports} reports…")
    plan = build_world(args.reports, args.imports)
    office = get_user_model().objects.create_superuser("bench", password=None)
    results = [
        measure(f"Workbook export, {args.reports:,} reports (write-only)", our_workbook(plan)),
        measure(
            f"django-import-export admin export, {args.reports:,} reports", default_export(plan)
        ),
    ]
    data = import_file(plan, args.imports)
    start = time.perf_counter()
    summary = run_import(data, office)
    seconds = time.perf_counter() - start
    print(f"Import of {args.imports:,} rows: {seconds:.1f} s ({summary})")
    tracemalloc.start()
    run_import(data.replace(b"2.5", b"3.5"), office)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    results.append(
        {
            "what": f"Import of {args.imports:,} rows (CSV, GBK), every row validated and audited",
            "seconds": seconds,
            "peak_mb": peak / 1024 / 1024,
            "size": f"{len(data) / 1024:.0f} KB csv",
        }
    )
    write_results(results)
    DATABASE.unlink(missing_ok=True)


def write_results(results: list[dict]) -> None:
    import django as dj
    import import_export
    import openpyxl

    lines = [
        f"Django {dj.get_version()}, django-import-export {import_export.__version__}, "
        f"openpyxl {openpyxl.__version__}, SQLite. Peak memory is Python's own allocations "
        "(tracemalloc) during a second run of the same work.",
        "",
        "| What | Time (s) | Peak memory (MB) | Output |",
        "|---|---:|---:|---|",
    ]
    lines += [
        f"| {r['what']} | {r['seconds']:.1f} | {r['peak_mb']:.0f} | {r['size']} |" for r in results
    ]
    ours, default = results[0], results[1]
    lines += [
        "",
        f"The workbook export peaks at {ours['peak_mb'] / default['peak_mb']:.0%} of the memory of "
        "django-import-export's default export of the same rows, while writing eight sheets "
        "instead of one: it streams the reports in chunks into openpyxl's write-only mode.",
    ]
    write_section("Spreadsheets", lines)


if __name__ == "__main__":
    main()
