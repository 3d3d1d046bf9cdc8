"""Area, city and task pages: the figures of the overview, scoped; bounded queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from investment.models import ProgressReport
from tests.builders import make_city, make_report, make_task, make_world

Status = ProgressReport.Status
# A figure's cell names its column (for the phone's cards).
COMPLETED = '<td class="num" data-label="已完成(亿元)">{}</td>'
ALLOCATION = '<td class="num" data-label="分配金额(亿元)">{}</td>'


@pytest.fixture(autouse=True)
def signed_in(client, leader):
    client.force_login(leader)


@pytest.fixture
def world(zhengzhou, kaifeng):
    """The shared small world; on task 1.1, Zhengzhou 10 in Q1 and 20 in Q2, Kaifeng 12 in Q1
    (and a Q2 draft, which never counts)."""
    task = make_world(zhengzhou, kaifeng).rail
    make_report(task, zhengzhou, 1, "10", Status.APPROVED)
    make_report(task, zhengzhou, 2, "20", Status.SUBMITTED)
    make_report(task, kaifeng, 1, "12", Status.APPROVED)
    make_report(task, kaifeng, 2, "5", Status.DRAFT)
    return task


def html(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_task_page_shows_each_citys_quarters_and_the_source(client, world):
    page = html(client, "/2021/tasks/1.1/?as_of=2021Q2")
    assert "<h1>1.1 轨道</h1>" in page
    assert (
        '<td class="num" data-label="Q1">10</td><td class="num" data-label="Q2">20</td>'
        '<td class="num" data-label="Q3">—</td><td class="num" data-label="Q4">—</td>' in page
    )
    # The draft does not count.
    assert '<td class="num" data-label="Q1">12</td><td class="num" data-label="Q2">—</td>' in page
    assert '<span class="kpi-value">42 <small>亿元</small></span>' in page
    assert "季度填报" in page  # The change history lists the reports.


def test_task_pages_history_gives_each_moment_as_html_allows_it(client, world):
    page = html(client, "/2021/tasks/1.1/?as_of=2021Q2")
    moments = re.findall(r'<time datetime="([^"]*)">', page)

    # Seven changes (four reports, the task and its two allocations), each to the second, in
    # Zhengzhou's offset: HTML allows at most three fractional digits.
    assert len(moments) == 7
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", m) for m in moments)


def test_area_page_scopes_tasks_and_cities(client, world):
    page = html(client, "/2021/areas/1/?as_of=2021Q2")
    assert "轨道" in page
    assert COMPLETED.format(30) in page and COMPLETED.format(12) in page
    assert 'data-chart="cities"' in page


def test_city_page_shows_the_citys_own_figures(client, world):
    page = html(client, "/2021/cities/kaifeng/?as_of=2021Q2")
    assert "<h1>开封</h1>" in page
    assert ALLOCATION.format(40) in page and COMPLETED.format(12) in page
    assert '<td class="num" data-label="%">30.0</td>' in page


@pytest.mark.parametrize(
    "url", ["/2021/areas/9/", "/2021/cities/luoyang/", "/2021/tasks/9.9/", "/2021/tasks/abc/"]
)
def test_unknown_area_city_or_task_is_404(client, world, url):
    assert client.get(url).status_code == 404


def grow(world, extra_tasks: int) -> None:
    """More tasks and reports in the same plan: query counts must not follow."""
    cities = list(world.cities.all())
    for number in range(3, 3 + extra_tasks):
        task = make_task(world.area, number, "50", cities)
        for city in cities:
            for quarter in (1, 2, 3):
                make_report(task, city, quarter, "1", Status.SUBMITTED)


@pytest.mark.parametrize("url", ["/2021/areas/1/", "/2021/cities/kaifeng/", "/2021/tasks/1.1/"])
def test_page_queries_do_not_grow_with_data(client, world, url):
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    grow(world, 15)
    make_city("xuchang", "许昌", 5)
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(large) == len(small)


def test_corridor_page_splits_the_corridors_tasks_by_member_city(client, world):
    page = html(client, "/2021/corridors/belt/?as_of=2021Q2")
    assert "<h1>郑开科创走廊" in page
    assert '<span class="kpi-value">42 <small>亿元</small></span>' in page
    assert COMPLETED.format(30) in page and COMPLETED.format(12) in page
    overview = html(client, "/2021/?as_of=2021Q2")
    assert 'href="/2021/corridors/belt/?as_of=2021Q2">郑开科创走廊</a>' in overview


def test_unknown_corridor_is_404(client, world):
    assert client.get("/2021/corridors/nowhere/").status_code == 404


def test_city_page_breaks_the_city_down_by_focus_area(client, world):
    page = html(client, "/2021/cities/zhengzhou/?as_of=2021Q2")
    assert 'data-chart="areas"' in page
    assert ALLOCATION.format(60) in page and COMPLETED.format(30) in page


def test_overview_lists_what_each_city_still_owes(client, world):
    page = html(client, "/2021/?as_of=2021Q2")
    link = '<a href="/2021/cities/{}/?as_of=2021Q2">{}</a>'
    assert f"<li><strong>{link.format('zhengzhou', '郑州')}</strong>: 1.2、2.1</li>" in page
    # Her Q2 draft is still owed.
    assert f"<li><strong>{link.format('kaifeng', '开封')}</strong>: 1.1、2.1</li>" in page
