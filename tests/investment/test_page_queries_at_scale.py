"""Every page runs the same number of queries with 500 reports as with 50,000."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from investment.models import ProgressReport
from plan.models import City, Corridor
from tasks.models import Task
from tests.builders import make_area, make_plan

CITIES = 25
PER_TASK = CITIES * 4  # Each task has a report per city and quarter.
PAGES = [
    "/2021/",
    "/2021/areas/1/",
    "/2021/cities/city-0/",
    "/2021/tasks/1.1/",
    "/2021/corridors/belt/",
]


@pytest.fixture
def world(db):
    area = make_area(make_plan(areas=1, tasks=1000))
    cities = City.objects.bulk_create(
        City(slug=f"city-{n}", name=f"城市{n}", name_en=f"City {n}", order=n) for n in range(CITIES)
    )
    corridor = Corridor.objects.create(slug="belt", name="产业带", kind="industrial")
    corridor.cities.set(cities)
    return area, cities, corridor


def add_tasks(world, first: int, count: int) -> None:
    area, cities, corridor = world
    tasks = Task.objects.bulk_create(
        Task(area=area, number=n, title=f"任务{n}", target=1000, corridor=corridor)
        for n in range(first, first + count)
    )
    Task.cities.through.objects.bulk_create(
        Task.cities.through(task=task, city=city) for task in tasks for city in cities
    )
    ProgressReport.objects.bulk_create(
        ProgressReport(
            task=task,
            city=city,
            year=2021,
            quarter=quarter,
            amount=1,
            status=ProgressReport.Status.APPROVED,
        )
        for task in tasks
        for city in cities
        for quarter in range(1, 5)
    )


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_page_queries_are_the_same_at_500_and_50000_reports(client, leader, world):
    # One world for every page: building 50,000 reports once per page would
    # make this the slowest test of the suite for no extra assurance.
    client.force_login(leader)
    add_tasks(world, 1, 500 // PER_TASK)
    for url in PAGES:
        client.get(url)  # Warm the per-process caches.
    small = {url: queries(client, url) for url in PAGES}
    add_tasks(world, 500 // PER_TASK + 1, 50_000 // PER_TASK - 500 // PER_TASK)
    assert ProgressReport.objects.count() == 50_000
    assert {url: queries(client, url) for url in PAGES} == small
