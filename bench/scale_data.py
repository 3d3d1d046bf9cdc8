"""A larger world for benchmarks only: more plan years, tasks and cities, N reports.

Everything it writes is marked as sample data (the pages show the banner, and
purge_sample_data removes the reports), and its plans say "规模测试" in their titles.
Call `generate(reports)` from a benchmark with Django set up.
"""

from decimal import Decimal

from django.db import transaction

from investment.figures_cache import reset_generation
from investment.models import ProgressReport
from plan.models import City, FocusArea, Plan
from tasks.models import CityAllocation, Task

AREAS = 7
TASKS_PER_AREA = 40
CITIES = 30  # The five of 2021, and more as the metropolitan area grows.


def generate(reports: int) -> str:
    """Add `reports` sample reports, in as many new plan years as they need; say what was made."""
    if reports < 1:
        raise ValueError("reports must be at least 1")
    with transaction.atomic():
        cities = _cities()
        per_year = AREAS * TASKS_PER_AREA * len(cities) * 4
        years = -(-reports // per_year)
        # Run again to grow the world: new years follow the last one.
        first = (Plan.objects.order_by("-year").values_list("year", flat=True).first() or 2021) + 1
        made = 0
        for year in range(first, first + years):
            tasks = _plan(year, cities)
            count = min(per_year, reports - made)
            # Bulk, and so without history or signals: benchmark input, not anybody's record.
            ProgressReport.objects.bulk_create(
                _reports(year, tasks, cities, count), batch_size=5000
            )
            made += count
    reset_generation()
    return f"{made} sample reports over {years} plan years, {len(cities)} cities."


def _cities() -> list[City]:
    existing = list(City.objects.order_by("order", "slug"))
    extra = City.objects.bulk_create(
        City(slug=f"scale-{n}", name=f"测试市{n}", name_en=f"Scale city {n}", order=100 + n)
        for n in range(len(existing), CITIES)
    )
    return existing + extra


def _plan(year: int, cities: list[City]) -> list[Task]:
    plan = Plan.objects.create(
        year=year,
        title=f"{year}年工作要点（规模测试数据）",
        source="bench/scale_data.py: made up for benchmarks",
        declared_area_count=AREAS,
        declared_task_count=AREAS * TASKS_PER_AREA,
    )
    areas = FocusArea.objects.bulk_create(
        FocusArea(plan=plan, number=n, name=f"要点{n}", name_en=f"Area {n}")
        for n in range(1, AREAS + 1)
    )
    tasks = Task.objects.bulk_create(
        Task(area=area, number=n, title=f"任务{area.number}.{n}", target=Decimal(300))
        for area in areas
        for n in range(1, TASKS_PER_AREA + 1)
    )
    Task.cities.through.objects.bulk_create(
        Task.cities.through(task=task, city=city) for task in tasks for city in cities
    )
    CityAllocation.objects.bulk_create(
        CityAllocation(task=task, city=city, amount=Decimal(10), is_sample=True)
        for task in tasks
        for city in cities
    )
    return tasks


def _reports(year: int, tasks: list[Task], cities: list[City], count: int):
    made = 0
    for task in tasks:
        for city in cities:
            for quarter in range(1, 5):
                if made == count:
                    return
                made += 1
                yield ProgressReport(
                    task=task,
                    city=city,
                    year=year,
                    quarter=quarter,
                    amount=Decimal("2.5"),
                    status=ProgressReport.Status.APPROVED,
                    is_sample=True,
                )
