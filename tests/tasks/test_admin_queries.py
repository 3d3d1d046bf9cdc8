"""The admin pages the office uses most run a fixed number of queries, whatever the data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tasks.models import Milestone
from tests.builders import make_allocation, make_area, make_city, make_plan, make_task

pytestmark = pytest.mark.django_db


def build(tasks: int, milestones: int, year: int = 2021):
    plan = make_plan(year=year, areas=1, tasks=tasks)
    cities = [make_city(f"city-{year}-{n}", f"城市{year}{n}", n) for n in range(3)]
    area = make_area(plan, 1)
    made = []
    for number in range(1, tasks + 1):
        task = make_task(area, number, "90", cities)
        for city in cities:
            make_allocation(task, city, "30")
        for index in range(milestones):
            Milestone.objects.create(
                task=task, name=f"项目{index}", kind=Milestone.Kind.START, city=cities[index % 3]
            )
        made.append(task)
    return made[0]


def queries(client, url: str) -> int:
    client.get(url)  # Warms the per-process caches (content types) that a server keeps.
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.fixture
def office_client(client, office):
    client.force_login(office)
    return client


def test_task_change_page_queries_do_not_grow_with_milestones(office_client):
    few = queries(office_client, f"/admin/tasks/task/{build(1, 1).pk}/change/")
    many = queries(office_client, f"/admin/tasks/task/{build(1, 12, year=2022).pk}/change/")
    assert many == few


def test_task_list_queries_do_not_grow_with_tasks(office_client):
    build(2, 1)
    few = queries(office_client, "/admin/tasks/task/")
    build(40, 1, year=2022)
    assert queries(office_client, "/admin/tasks/task/") == few


def test_task_autocomplete_queries_do_not_grow_with_tasks(office_client):
    build(2, 0)
    url = "/admin/autocomplete/?app_label=tasks&model_name=milestone&field_name=task"
    few = queries(office_client, url)
    build(15, 0, year=2022)
    assert queries(office_client, url) == few
