"""Small builders for tests of behaviour: each test makes the rows it asserts on."""

from decimal import Decimal

from investment.models import ProgressReport
from plan.models import City, FocusArea, Plan
from tasks.models import CityAllocation, Task

LEADER_PASSWORD = "a-long-passphrase"  # The leader fixture's (tests/conftest.py).


def make_plan(year: int = 2021, areas: int = 2, tasks: int = 3) -> Plan:
    return Plan.objects.create(
        year=year,
        title=f"{year}年工作要点",
        source="测试",
        declared_area_count=areas,
        declared_task_count=tasks,
    )


def make_city(slug: str, name: str, order: int = 0) -> City:
    return City.objects.create(slug=slug, name=name, name_en=slug.title(), order=order)


def make_area(plan: Plan, number: int = 1, name: str = "互联互通") -> FocusArea:
    return FocusArea.objects.create(plan=plan, number=number, name=name, name_en=f"Area {number}")


def make_task(
    area: FocusArea,
    number: int = 1,
    target: str | None = "100",
    cities: list[City] = (),
    title: str = "测试任务",
) -> Task:
    task = Task.objects.create(
        area=area,
        number=number,
        title=title,
        title_en=f"Task {area.number}.{number}",
        target=None if target is None else Decimal(target),
    )
    task.cities.set(cities)
    return task


def make_allocation(task: Task, city: City, amount: str, is_sample: bool = False):
    return CityAllocation.objects.create(
        task=task, city=city, amount=Decimal(amount), is_sample=is_sample
    )


def make_report(
    task: Task,
    city: City,
    quarter: int,
    amount: str,
    status: str = ProgressReport.Status.SUBMITTED,
    is_sample: bool = False,
) -> ProgressReport:
    return ProgressReport.objects.create(
        task=task,
        city=city,
        year=task.area.plan.year,
        quarter=quarter,
        amount=Decimal(amount),
        status=status,
        is_sample=is_sample,
    )
