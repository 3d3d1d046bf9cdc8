"""Larger worlds and plan files that several test modules share."""

import re
from datetime import date, datetime
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.timezone import make_aware

from investment.models import ProgressReport, ProjectPhoto, ProjectUpdate
from plan.models import City, Corridor, Member, Unit
from problems.models import Problem
from tasks.models import CityAllocation, Project, Task
from tests.builders import make_area, make_plan

# A copy of shared/seeds/000_093f44626fa38706.txt, kept with the data transcribed from it.
SOURCE = Path(settings.BASE_DIR) / "fixtures" / "source_2021.txt"


def source_text() -> str:
    # The newspaper wraps paragraphs; the comparison ignores white space only.
    return re.sub(r"\s+", "", SOURCE.read_text(encoding="utf-8"))


def load(year: str = "2021") -> str:
    out = StringIO()
    call_command("load_plan", year, stdout=out)
    return out.getvalue()


PLAN_2030 = """
[plan]
year = 2030
title = "2030年测试要点"
title_en = "Test plan 2030"
source = "测试"
declared_area_count = 1
declared_task_count = 1

[[areas]]
number = 1
name = "互联互通"
name_en = "Connectivity"
summary = ""

[[areas.tasks]]
number = 1
title = "测试任务"
title_en = "Test task"
description = "测试。"
"""


def grow(size: int) -> None:
    """`size` areas of `size` tasks each, in `size + 1` cities, with a report a quarter each."""
    plan = make_plan(areas=10, tasks=100)
    cities = City.objects.bulk_create(
        City(slug=f"city-{n}", name=f"城市{n}", name_en=f"City {n}", order=n)
        for n in range(size + 1)
    )
    Member.objects.bulk_create(Member(plan=plan, place=city) for city in cities)
    corridor = Corridor.objects.create(plan=plan, slug="belt", name="产业带", kind="industrial")
    corridor.cities.set(cities)
    tasks = Task.objects.bulk_create(
        Task(area=area, number=n, title=f"任务{n}", target=1000, corridor=corridor)
        for area in [make_area(plan, number, f"要点{number}") for number in range(1, size + 1)]
        for n in range(1, size + 1)
    )
    Task.cities.through.objects.bulk_create(
        Task.cities.through(task=task, city=city) for task in tasks for city in cities
    )
    CityAllocation.objects.bulk_create(
        CityAllocation(task=task, city=city, amount=10) for task in tasks for city in cities
    )
    ProgressReport.objects.bulk_create(
        ProgressReport(
            task=task, city=city, year=2021, quarter=quarter, amount=1, status="approved"
        )
        for task in tasks
        for city in cities
        for quarter in range(1, 5)
    )
    unit = grow_projects(tasks, cities)
    # Each city raises a problem on each task in January: closed, or open and overdue, by turns.
    Problem.objects.bulk_create(
        Problem(
            task=task,
            city=city,
            title="问题",
            description="说明",
            kind="land",
            unit=unit,
            status="closed" if n % 2 else "assigned",
            deadline=date(2021, 2, 1),
            closed_on=date(2021, 1, 20) if n % 2 else None,
        )
        for n, (task, city) in enumerate((task, city) for task in tasks for city in cities)
    )
    Problem.objects.update(created_at=make_aware(datetime(2021, 1, 10, 12)))


def grow_projects(tasks: list[Task], cities: list[City]) -> Unit:
    """A unit leading and supporting every task and a project of each, with a section in every
    city, each reporting every quarter with a photo (the last quarter's still drafts)."""
    unit = Unit.objects.create(name="牵头单位", kind="other")
    Task.objects.filter(pk__in=[task.pk for task in tasks]).update(lead_unit=unit)
    unit.supported_tasks.set(tasks)
    projects = Project.objects.bulk_create(
        Project(task=task, name="项目", goal="start", lead_unit=unit) for task in tasks
    )
    unit.supported_projects.set(projects)
    Project.cities.through.objects.bulk_create(
        Project.cities.through(project=project, city=city)
        for project in projects
        for city in cities
    )
    updates = ProjectUpdate.objects.bulk_create(
        ProjectUpdate(
            project=project,
            city=city,
            year=2021,
            quarter=quarter,
            stage="construction",
            progress="施工中",
            amount=1,
            status="draft" if quarter == 4 else "submitted",
        )
        for project in projects
        for city in cities
        for quarter in range(1, 5)
    )
    ProjectPhoto.objects.bulk_create(
        ProjectPhoto(update=update, image="p.jpg", width=400, height=300) for update in updates
    )
    return unit


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)  # A CSV file is read from the database as sent.
    assert response.status_code == 200, url
    return len(captured)
