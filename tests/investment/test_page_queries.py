"""Every page and its workbook run as many queries for a small world as for one four times
its size: more areas, tasks, cities, corridor members, reports, key projects, their updates and
photos, the units that lead them, and the problems the cities raise."""

from datetime import date, datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils.timezone import make_aware

from investment.models import ProgressReport, ProjectPhoto, ProjectUpdate
from plan.models import City, Corridor, Unit
from problems.models import Problem
from tasks.models import CityAllocation, Project, Task
from tests.builders import make_area, make_plan

PAGES = [
    "/2021/",
    "/2021/areas/1/",
    "/2021/cities/city-0/",
    "/2021/tasks/1.1/",
    "/2021/corridors/belt/",
]
# Pages without a workbook of their own; {unit} and {project} are the world's first ones.
PROJECT_PAGES = [
    "/2021/projects/",
    "/2021/projects/?task=1.1&unit={unit}&met=1&as_of=2021Q3",
    "/2021/projects/{project}/",
    "/2021/units/{unit}/",
    "/2021/rankings/",
    "/2021/rankings/?as_of=2021Q3&approved=1",
]


def grow(size: int) -> None:
    """`size` areas of `size` tasks each, in `size + 1` cities, with a report a quarter each."""
    plan = make_plan(areas=10, tasks=100)
    cities = City.objects.bulk_create(
        City(slug=f"city-{n}", name=f"城市{n}", name_en=f"City {n}", order=n)
        for n in range(size + 1)
    )
    corridor = Corridor.objects.create(slug="belt", name="产业带", kind="industrial")
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
    assert response.status_code == 200, url
    return len(captured)


def counts(client) -> dict[str, int]:
    first = {"unit": Unit.objects.get().pk, "project": Project.objects.order_by("pk")[0].pk}
    return (
        {url: queries(client, url) for url in PAGES}
        | {f"{url}export.xlsx": queries(client, f"{url}export.xlsx") for url in PAGES}
        | {url: queries(client, url.format(**first)) for url in PROJECT_PAGES}
    )


def measured(client, size: int) -> dict[str, int]:
    """The query counts in a world of `size`, which is gone afterwards."""
    with transaction.atomic():
        grow(size)
        assert ProgressReport.objects.count() == size * size * (size + 1) * 4
        counts(client)  # The first request of a process reads what Django then keeps.
        found = counts(client)
        transaction.set_rollback(True)
    return found


@pytest.mark.django_db
def test_page_queries_do_not_grow_with_the_world(client, leader):
    client.force_login(leader)
    assert measured(client, 2) == measured(client, 4)
