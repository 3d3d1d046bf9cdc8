"""Years side by side: each plan's own members, a draft the office's alone, the year switcher,
last year at the same quarter, carried tasks and projects, and a query budget that does not
grow with the plan years."""

from datetime import date

import pytest
from django.db import transaction

from plan.models import Member, Plan
from tasks.editions import carry_over
from tests.builders import (
    make_allocation,
    make_area,
    make_city,
    make_plan,
    make_project,
    make_report,
    make_task,
    make_update,
    make_world,
)
from tests.worlds import grow, queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def years(zhengzhou, kaifeng, leader, client):
    """2021 (郑州, 开封) and 2022, which adds 洛阳 and carries the rail task and its project."""
    world = make_world(zhengzhou, kaifeng)
    rail = make_project(world.rail, "郑开城际", "complete", [zhengzhou, kaifeng])
    make_update(rail, kaifeng, 2, "construction")
    make_report(world.rail, kaifeng, 2, "10")
    later = carry_over(world.plan, 2022, [world.rail], [rail])
    later.status = Plan.Status.ISSUED
    later.save()
    luoyang = make_city("luoyang", "洛阳", 3, code="410300")
    Member.objects.filter(place=luoyang).exclude(plan=later).delete()
    task = later.areas.get().tasks.get()
    task.target = 200
    task.save()
    task.cities.add(luoyang)
    make_allocation(task, kaifeng, "50")
    make_report(task, kaifeng, 2, "20")
    client.force_login(leader)
    return world, later


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_a_city_new_in_2022_is_not_on_the_2021_pages(client, years):
    assert ">洛阳<" not in page(client, "/2021/")
    assert client.get("/2021/cities/luoyang/").status_code == 404
    assert ">洛阳<" in page(client, "/2022/")
    assert ">洛阳<" not in page(client, "/2021/rankings/")


def test_one_click_from_kaifeng_2022_to_kaifeng_2021(client, years):
    html = page(client, "/2022/cities/kaifeng/")
    assert (
        '<nav class="year-switcher" aria-label="工作要点年度">\n    <span>工作要点年度</span>\n'
        '    \n      <a href="/2021/cities/kaifeng/">2021</a>\n    \n'
        '      <a href="/2022/cities/kaifeng/" aria-current="page">2022</a>\n    \n  </nav>'
    ) in html
    # 洛阳 was not in 2021's plan: the switcher opens that year's overview, and says so.
    html = page(client, "/2022/cities/luoyang/")
    assert '<a href="/2021/" title="该年度工作要点不含此项：打开其概览">2021*</a>' in html


def test_the_city_page_reads_the_change_from_last_year(client, years):
    html = page(client, "/2022/cities/kaifeng/?as_of=2022Q2")
    assert "与 2021 年第2季度同期相比" in html
    assert (
        '<tr><th scope="row">已完成(亿元)</th><td class="num" data-label="2022">20</td>'
        '<td class="num" data-label="2021">10</td><td class="num" data-label="变化">+10</td></tr>'
    ) in html
    # 2021: 10 of 40 allocated (25.0%); 2022: 20 of 50 (40.0%).
    assert (
        '<td class="num" data-label="2022">40.0</td><td class="num" data-label="2021">25.0</td>'
        '<td class="num" data-label="变化">+15.0</td>'
    ) in html


def test_a_city_new_this_year_has_no_figures_of_last_year(client, years):
    html = page(client, "/2022/cities/luoyang/?as_of=2022Q2")
    assert "2021 年工作要点不含该地区，没有该年度的数字。" in html
    assert (
        '<td class="num" data-label="2022">0</td><td class="num" data-label="2021">—</td>'
        '<td class="num" data-label="变化">—</td>'
    ) in html


def test_the_first_plan_shows_no_comparison(client, years):
    assert "同期相比" not in page(client, "/2021/cities/kaifeng/")


def test_a_carried_task_and_project_link_their_years(client, years):
    _world, later = years
    html = page(client, "/2022/tasks/1.1/")
    assert '由 2021 年结转： <a href="/2021/tasks/1.1/">1.1 轨道</a>' in html
    html = page(client, "/2021/tasks/1.1/")
    assert '结转至 2022 年： <a href="/2022/tasks/1.1/">1.1 轨道</a>' in html
    carried = later.areas.get().tasks.get().projects.get()
    html = page(client, f"/2022/projects/{carried.pk}/")
    assert "以往年度工作要点中的进展" in html
    assert f'<a href="/2021/projects/{carried.predecessor_id}/">2021 Q2</a>' in html
    # Its stage goes on from 2021's: the Kaifeng section is being built.
    assert "在建" in html


def test_a_draft_plan_is_the_offices_alone(client, office, years, leader):
    draft = make_plan(2023, status=Plan.Status.DRAFT)
    assert client.get("/2023/").status_code == 404
    assert "2023" not in page(client, "/2022/").split('class="year-switcher"')[1][:400]
    assert client.get("/").url == "/2022/"  # the latest issued plan, not the draft
    client.force_login(office)
    assert "2023（草稿）" in page(client, "/2022/")
    assert client.get("/2023/").status_code == 200
    assert client.get("/").url == "/2022/"
    draft.delete()


def test_the_first_quarters_rank_change_compares_with_last_years_fourth(client, years):
    html = page(client, "/2022/rankings/?as_of=2022Q1")
    # Both years rank 开封 first on completion: unchanged.
    assert html.count('<span class="visually-hidden">与上季度持平</span>') == 2


def test_a_plan_without_targets_says_so_and_owes_nothing_before_its_issue(
    client, zhengzhou, leader
):
    client.force_login(leader)
    plan = make_plan(2020, areas=None, tasks=None, issued_on=date(2020, 9, 3))
    make_task(make_area(plan), 1, None, [zhengzhou])
    html = page(client, "/2020/")
    assert '<span class="kpi-value kpi-none">工作要点未载明</span>' in html
    assert "资料列出 1 个要点、1 项任务；未载明工作要点共有多少。" in html
    assert "2020-09-03 印发：此前结束的季度无需填报。" in html


# The query budget: the pages of a plan ask as many queries with six plan years in the
# database as with two (with one, there is no last year to compare with, and the overview and
# city pages ask the few queries of last year's figures less).
PAGES = [
    "/2021/",
    "/2021/cities/city-0/",
    "/2021/areas/1/",
    "/2021/tasks/1.1/",
    "/2021/corridors/belt/",
    "/2021/rankings/?as_of=2021Q1",
    "/2021/projects/",
    "/2021/projects/{project}/",
    "/2021/problems/",
]


def earlier_years(count: int) -> None:
    """`count` plan years before 2021, each holding the cities, with task 1.1, the corridor and
    the first project carried from year to year into 2021's."""
    from plan.models import City, Corridor
    from tasks.models import Project, Task

    first = Project.objects.order_by("pk").first()
    cities = list(City.objects.all())
    previous_task = previous_project = None
    for year in range(2021 - count, 2021):
        plan = make_plan(year)  # holding every city
        Corridor.objects.create(plan=plan, slug="belt", name="产业带", kind="industrial")
        task = make_task(make_area(plan), 1, "10", cities[:2])
        task.predecessor = previous_task
        task.save()
        project = make_project(task, first.name, "start", cities[:1], predecessor=previous_project)
        make_update(project, cities[0], 4, "construction")
        make_report(task, cities[0], 4, "5")
        previous_task, previous_project = task, project
    Task.objects.filter(area__plan__year=2021, area__number=1, number=1).update(
        predecessor=previous_task
    )
    Project.objects.filter(pk=first.pk).update(predecessor=previous_project)


def measured(client, count: int) -> dict[str, int]:
    from tasks.models import Project

    with transaction.atomic():
        grow(2)
        earlier_years(count)
        project = Project.objects.filter(task__area__plan__year=2021).order_by("pk").first()
        # By the page's pattern: the project's id differs between the two worlds (PostgreSQL
        # never reuses one).
        urls = {url: url.format(project=project.pk) for url in PAGES}
        [queries(client, url) for url in urls.values()]  # what a process reads once
        found = {page: queries(client, url) for page, url in urls.items()}
        transaction.set_rollback(True)
    return found


def test_page_queries_do_not_grow_with_the_plan_years(client, leader):
    client.force_login(leader)
    assert measured(client, 1) == measured(client, 5)


def test_the_switcher_keeps_the_quarter_and_the_switch(client, years):
    html = page(client, "/2022/cities/kaifeng/?as_of=2022Q3&approved=1")
    assert '<a href="/2021/cities/kaifeng/?as_of=2021Q3&amp;approved=1">2021</a>' in html


def test_a_quarter_before_last_years_issue_has_nothing_to_compare(client, years):
    Plan.objects.filter(year=2021).update(issued_on=date(2021, 7, 1))
    html = page(client, "/2022/cities/kaifeng/?as_of=2022Q2")
    assert "2021 年工作要点在当年第2季度之后印发，该季度无需填报，没有可比的数字。" in html
    assert '<td class="num" data-label="2021">—</td>' in html


def test_a_plan_without_targets_shows_no_zero_target(client, zhengzhou, leader):
    client.force_login(leader)
    plan = make_plan(2020, areas=None, tasks=None)
    make_task(make_area(plan), 1, None, [zhengzhou])
    html = page(client, "/2020/?as_of=2020Q4")
    assert "尚未分配到城市" not in html
    assert '<td class="num" data-label="预期进度(亿元)">未公布</td></tr>' in html


def test_a_list_page_switches_to_the_same_list(client, years):
    assert '<a href="/2021/rankings/">2021</a>' in page(client, "/2022/rankings/")
    assert '<a href="/2022/bulletins/">2022</a>' in page(client, "/2021/bulletins/")
