"""The year pages against odd input: looped carry-over chains, odd queries, a plan gone back
to draft behind the office's back."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from plan.models import Plan
from tasks.editions import carry_over
from tasks.models import Project, Task
from tests.builders import make_project, make_report, make_update, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def years(zhengzhou, kaifeng, leader, client):
    world = make_world(zhengzhou, kaifeng)
    rail = make_project(world.rail, "郑开城际", "complete", [zhengzhou, kaifeng])
    make_update(rail, kaifeng, 2, "construction")
    make_report(world.rail, kaifeng, 2, "10")
    later = carry_over(world.plan, 2022, [world.rail], [rail])
    later.status = Plan.Status.ISSUED
    later.save()
    carried = rail.successor
    client.force_login(leader)
    return world, later, rail, carried


def pages(world, later, rail, carried) -> list[str]:
    return [
        "/2021/",
        "/2022/",
        "/2021/cities/kaifeng/",
        "/2022/cities/kaifeng/",
        "/2021/tasks/1.1/",
        "/2022/tasks/1.1/",
        f"/2021/projects/{rail.pk}/",
        f"/2022/projects/{carried.pk}/",
        "/2022/rankings/",
        "/2022/projects/",
    ]


@pytest.fixture
def bounded_queries():
    """A query that never ends (a recursive walk round and round the loop) fails the test
    instead of holding the run: SQLite is interrupted a minute in, PostgreSQL stops any
    statement after 20 s (for this test's transaction only)."""
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        end = time.monotonic() + 60
        connection.connection.set_progress_handler(lambda: time.monotonic() > end, 100_000)
        yield
        connection.connection.set_progress_handler(None, 0)
    else:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = '20s'")
        yield


def test_a_looped_project_chain_is_no_500_and_no_hang(client, years, bounded_queries):
    """A chain walked round its loop would read on without end: each page reads no more
    than it does for the chain unlooped (a count of queries, not a time, so a busy machine
    never fails it)."""
    world, _later, rail, carried = years
    for url in pages(*years):
        client.get(url)  # The session renewed now, not during the counts.
    unlooped = {url: queries(client, url) for url in pages(*years)}
    Project.objects.filter(pk=rail.pk).update(predecessor=carried.pk)  # 2021 <- 2022 <- 2021
    Task.objects.filter(pk=world.rail.pk).update(predecessor=carried.task.pk)
    looped = {url: queries(client, url) for url in pages(*years)}
    assert {url: n for url, n in looped.items() if n > unlooped[url]} == {}


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def test_a_project_carried_from_itself_is_no_500(client, years):
    _world, _later, rail, carried = years
    Project.objects.filter(pk=carried.pk).update(predecessor=None)
    Project.objects.filter(pk=rail.pk).update(predecessor=rail.pk)
    for url in pages(*years):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize(
    "query",
    ["?as_of=%00", "?as_of=2022Q1%00", "?as_of=2022q1", "?as_of=２０２２Q1", "?approved=%00",
     "?as_of=" + "9" * 5000, "?page=%00", "?city=%00", "?task=%00", "?unit=99999999999999999999"],
)  # fmt: skip
def test_odd_queries_on_the_year_pages_are_no_500(client, years, query):
    for url in pages(*years):
        response = client.get(url + query)
        assert response.status_code in (200, 404), (url, query, response.status_code)


def test_the_project_page_query_count_does_not_grow_with_the_years(client, years, office):
    _world, later, _rail, carried = years
    client.force_login(office)
    with CaptureQueriesContext(connection) as two:
        assert client.get(f"/2022/projects/{carried.pk}/").status_code == 200
    current, project = later, carried
    for year in range(2023, 2028):
        current = carry_over(current, year, [project.task], [project])
        current.status = Plan.Status.ISSUED
        current.save()
        project = project.successor
    with CaptureQueriesContext(connection) as seven:
        assert client.get(f"/2022/projects/{carried.pk}/").status_code == 200
    assert len(seven) <= len(two) + 2, (len(two), len(seven))


def test_a_project_page_shows_no_update_of_a_plan_gone_back_to_draft(client, years):
    """The office sets 2021 back to draft (to revise it); 2022 stays issued. The 2022 project's
    "earlier years" still list 2021's counted updates to a leader."""
    _world, _later, rail, carried = years
    rail.updates.update(progress="二〇二一草稿年度的机密进度")
    Plan.objects.filter(year=2021).update(status=Plan.Status.DRAFT)
    html = client.get(f"/2022/projects/{carried.pk}/").content.decode()
    assert "二〇二一草稿年度的机密进度" not in html
