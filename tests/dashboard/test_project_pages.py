"""The key projects list, a project's page and a unit's; the projects of a task and a city;
开工率, 竣工率 and the named projects' share of the investment on the overview, area, city and
corridor pages."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from investment.models import ProjectPhoto, ProjectUpdate
from people.models import Reporter
from people.roles import REPORTER
from plan.models import City, Unit
from tasks.models import Milestone, Project, Task
from tests.builders import (
    make_area,
    make_plan,
    make_project,
    make_report,
    make_task,
    make_update,
    make_world,
)

Goal, Stage = Project.Goal, Project.Stage


@pytest.fixture(autouse=True)
def signed_in(client, leader):
    client.force_login(leader)


@pytest.fixture
def world(zhengzhou, kaifeng):
    """On 1.1: five to start (two started), two to complete (one completed); on 2.1 one to
    advance in Kaifeng, led by a unit."""
    world = make_world(zhengzhou, kaifeng)
    both = [zhengzhou, kaifeng]
    make_project(world.rail, "甲工程", Goal.START, both, actual_start=date(2021, 3, 1))
    yi = make_project(world.rail, "乙工程", Goal.START, both)
    make_update(yi, zhengzhou, 1, Stage.CONSTRUCTION)
    for name in ("丙工程", "丁工程", "戊工程"):
        make_project(world.rail, name, Goal.START, [zhengzhou])
    ji = make_project(world.rail, "己工程", Goal.COMPLETE, [zhengzhou])
    make_update(ji, zhengzhou, 1, Stage.COMPLETED)
    make_project(world.rail, "庚工程", Goal.COMPLETE, [zhengzhou])
    unit = Unit.objects.create(
        name="开封市发展和改革委员会", short_name="开封市发改委", kind="other"
    )
    make_project(world.industry, "辛工程", Goal.ADVANCE, [kaifeng], lead_unit=unit)
    return world


ZHENGZHOU = '<a href="/2021/cities/zhengzhou/">郑州</a>'
KAIFENG = '<a href="/2021/cities/kaifeng/">开封</a>'


def html(client, url: str) -> str:
    """The page without its cells' data-label (the phone cards' labels, which
    test_page_reading.py tests): these tests read what the cells hold."""
    response = client.get(url)
    assert response.status_code == 200, url
    return re.sub(r' data-label="[^"]*"', "", response.content.decode())


def test_the_overview_shows_the_start_and_finish_rates_with_their_counts(client, world):
    page = html(client, "/2021/")
    assert "开工率" in page and "40.0%（2/5）" in page
    assert "竣工率" in page and "50.0%（1/2）" in page
    assert 'href="/2021/projects/"' in page


def test_the_rates_are_in_english_too(client, world):
    client.cookies["django_language"] = "en"
    page = html(client, "/2021/")
    assert "Start rate" in page and "40.0% (2/5)" in page
    assert "Finish rate" in page and "50.0% (1/2)" in page


def test_the_area_city_and_corridor_pages_show_their_own_rates(client, world):
    assert "40.0%（2/5）" in html(client, "/2021/areas/1/")
    assert "40.0%（2/5）" in html(client, "/2021/corridors/belt/")
    # Kaifeng's own sections: 甲 started by date; 乙 is reported in Zhengzhou only.
    assert "50.0%（1/2）" in html(client, "/2021/cities/kaifeng/")


def test_a_rate_is_a_dash_where_no_project_has_that_goal(client, world):
    page = html(client, "/2021/areas/2/")
    assert page.count('<span class="kpi-value">—</span>') == 2


def test_the_list_shows_every_project_with_its_task_cities_unit_goal_and_stage(client, world):
    page = html(client, "/2021/projects/")
    assert "8 个项目" in page
    for name in ("甲工程", "乙工程", "丙工程", "丁工程", "戊工程", "己工程", "庚工程", "辛工程"):
        assert f'lang="zh-Hans">{name}</a>' in page
    assert '<td><a href="/2021/tasks/2.1/">2.1</a></td>' in page
    assert f"<td>{ZHENGZHOU}、{KAIFENG}</td>" in page
    unit = Unit.objects.get(short_name="开封市发改委")
    assert f'<a href="/2021/units/{unit.pk}/" lang="zh-Hans">开封市发改委</a>' in page
    assert page.count('<span class="not-stated">未明确</span>') == 7
    # 甲 started by its date, 乙 reported 在建, 己 建成; the other five report nothing.
    assert page.count('<span class="not-stated">未报告</span>') == 5
    assert page.count('<td class="short">在建</td>') == 2
    assert '<td class="short">建成</td>' in page


def test_the_list_filters_by_city_area_and_goal(client, world):
    assert "辛工程" not in html(client, "/2021/projects/?city=zhengzhou")
    by_area = html(client, "/2021/projects/?area=2")
    assert "辛工程" in by_area and "甲工程" not in by_area
    by_goal = html(client, "/2021/projects/?goal=complete&city=zhengzhou")
    assert "2 个项目" in by_goal and "己工程" in by_goal and "甲工程" not in by_goal


@pytest.mark.parametrize("query", ["city=nowhere", "city=%00", "area=9", "area=x", "goal=finish"])
def test_an_unknown_filter_value_is_a_404(client, world, query):
    assert client.get(f"/2021/projects/?{query}").status_code == 404


def test_the_list_is_paginated_fifty_a_page_keeping_the_filters(client, world):
    Project.objects.bulk_create(
        Project(task=world.policy, name=f"项目{n:02}", goal=Goal.NOT_STATED) for n in range(51)
    )
    first = html(client, "/2021/projects/")
    assert "59 个项目" in first and "第 1 页，共 2 页" in first
    assert first.count('<th scope="row"><a href="/2021/projects/') == 50
    second = html(client, "/2021/projects/?page=2")
    assert second.count('<th scope="row"><a href="/2021/projects/') == 9
    filtered = html(client, "/2021/projects/?goal=not_stated")
    assert "51 个项目" in filtered and 'href="?goal=not_stated&amp;page=2"' in filtered


def test_a_projects_page_shows_its_facts_and_milestones(client, world):
    project = Project.objects.get(name="己工程")
    project.total_investment = Decimal("12.5")
    project.planned_start = date(2020, 6, 1)
    project.save()
    Milestone.objects.create(
        task=world.rail,
        project=project,
        name="主体完工",
        kind=Milestone.Kind.COMPLETE,
        due_quarter=3,
    )
    page = html(client, f"/2021/projects/{project.pk}/")
    assert '<h1 lang="zh-Hans">己工程</h1>' in page
    assert "1.1 轨道" in page
    assert "<dd>12.50</dd>" in page  # total investment, two places as everywhere
    assert '<span class="not-stated">未公布</span>' in page  # annual investment
    assert "<dd>2020-06-01</dd>" in page and "<dd>—</dd>" in page
    assert "第1季度末阶段" in page and '<span class="kpi-value">建成</span>' in page
    assert '<th scope="row" lang="zh-Hans">主体完工</th>' in page and "Q3" in page


def test_a_projects_page_shows_its_national_code_or_that_none_is_reported(client, world):
    project = Project.objects.get(name="己工程")
    page = html(client, f"/2021/projects/{project.pk}/")
    assert '<dt>项目代码</dt>\n  <dd><span class="not-stated">未填报</span></dd>' in page
    project.national_code = "2020-410100-48-01-012345"
    project.save()
    page = html(client, f"/2021/projects/{project.pk}/")
    assert "<dt>项目代码</dt>\n  <dd>2020-410100-48-01-012345</dd>" in page
    client.cookies["django_language"] = "en"
    page = html(client, f"/2021/projects/{project.pk}/")
    assert "<dt>National project code</dt>\n  <dd>2020-410100-48-01-012345</dd>" in page


def test_a_project_of_another_plan_is_a_404(client, world):
    other = make_area(make_plan(2022), 1)
    task = Task.objects.create(area=other, number=1, title="别年任务")
    project = make_project(task, "别年工程", Goal.START)
    assert client.get(f"/2022/projects/{project.pk}/").status_code == 200
    assert client.get(f"/2021/projects/{project.pk}/").status_code == 404


def test_an_account_without_a_role_sees_no_project(client, world, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody", password="x"))
    project = Project.objects.first()
    assert client.get("/2021/projects/").status_code == 403
    assert client.get(f"/2021/projects/{project.pk}/").status_code == 403


def grow(size: int) -> None:
    """`size` tasks with `size` projects each, every project in `size` cities and led."""
    plan = make_plan()
    area = make_area(plan, 1)
    cities = City.objects.bulk_create(
        City(slug=f"city-{n}", name=f"城市{n}", name_en=f"City {n}", order=n) for n in range(size)
    )
    unit = Unit.objects.create(name="牵头单位", kind="other")
    tasks = Task.objects.bulk_create(
        Task(area=area, number=n, title=f"任务{n}") for n in range(1, size + 1)
    )
    projects = Project.objects.bulk_create(
        Project(task=task, name=f"项目{n}", goal=Goal.START, lead_unit=unit)
        for task in tasks
        for n in range(size)
    )
    Project.cities.through.objects.bulk_create(
        Project.cities.through(project=project, city=city)
        for project in projects
        for city in cities
    )


def queries(client, size: int) -> int:
    with transaction.atomic():
        grow(size)
        client.get("/2021/projects/")  # The first request of a process reads what Django keeps.
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/2021/projects/")
        assert response.status_code == 200
        assert response.content.decode().count("城市0") >= size * size
        transaction.set_rollback(True)
    return len(captured)


@pytest.mark.parametrize("who", ["leader", "office", "kaifeng_reporter"])
def test_a_projects_page_runs_as_many_queries_with_more_of_everything(
    client, world, kaifeng, who, request
):
    """More cities, units, milestones, updates and photos; for whoever reads it."""
    client.force_login(request.getfixturevalue(who))
    project = Project.objects.get(name="甲工程")

    def counted() -> int:
        client.get(f"/2021/projects/{project.pk}/")
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/2021/projects/{project.pk}/").status_code == 200
        return len(captured)

    def more_updates(cities: list[City], status: str) -> None:
        for city in cities:
            for quarter in (1, 2):
                update = make_update(project, city, quarter, Stage.CONSTRUCTION, status=status)
                ProjectPhoto.objects.create(update=update, image="p.jpg", width=4, height=3)

    more_updates([kaifeng], "submitted")
    few = counted()
    units = Unit.objects.bulk_create(Unit(name=f"单位{n}", kind="other") for n in range(5))
    project.supporting_units.set(units)
    cities = City.objects.bulk_create(City(slug=f"c{n}", name=f"城{n}") for n in range(5))
    project.cities.add(*cities)
    Milestone.objects.bulk_create(
        Milestone(task=world.rail, project=project, name=f"节点{n}", kind="other") for n in range(5)
    )
    more_updates(cities[:3], "submitted")
    more_updates(cities[3:], "draft")
    assert counted() == few


@pytest.fixture
def kaifeng_reporter(django_user_model, kaifeng):
    return reporter(django_user_model, kaifeng)


def test_a_units_page_runs_as_many_queries_with_more_tasks_and_projects(client, unit, world):
    def counted() -> int:
        client.get(f"/2021/units/{unit.pk}/")
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/2021/units/{unit.pk}/").status_code == 200
        return len(captured)

    few = counted()
    tasks = [make_task(world.rail.area, n, "10", list(City.objects.all())) for n in (3, 4, 5)]
    for task in tasks:
        task.supporting_units.add(unit)
        for n in range(3):
            project = make_project(task, f"工程{n}", Goal.START, list(City.objects.all()))
            project.supporting_units.add(unit)
            make_update(project, City.objects.first(), 1, Stage.CONSTRUCTION, amount=Decimal(1))
    assert counted() == few


@pytest.mark.django_db
def test_the_list_runs_as_many_queries_for_a_small_world_as_for_a_larger_one(client):
    assert queries(client, 3) == queries(client, 6)


def test_the_list_names_the_sources_projects_and_each_has_a_page(client, plan_2021):
    page = html(client, "/2021/projects/")
    assert "20 个项目" in page
    named = [
        "郑济高铁郑州至濮阳段",
        "郑州南站主体工程",
        "贾鲁河综合治理郑州段工程",
        "鲲鹏服务器基地",
    ]
    named.append("中欧班列郑州集结中心智慧场站管理平台")
    for name in named:
        project = Project.objects.get(name=name)
        assert f'<a href="/2021/projects/{project.pk}/" lang="zh-Hans">{name}</a>' in page
        assert f'<h1 lang="zh-Hans">{name}</h1>' in html(client, f"/2021/projects/{project.pk}/")


def squeezed(page: str) -> str:
    """The page without the line breaks between tags, to read a table row as one string."""
    return re.sub(r">\s*\n\s*<", "><", page)


def names(page: str) -> list[str]:
    """The projects a list names, in its order."""
    return [name for name in PROJECT_NAMES if f'lang="zh-Hans">{name}</a>' in page]


PROJECT_NAMES = ["甲工程", "乙工程", "丙工程", "丁工程", "戊工程", "己工程", "庚工程", "辛工程"]


def test_the_list_filters_by_task_and_by_a_unit_leading_or_supporting(client, world):
    assert names(html(client, "/2021/projects/?task=2.1")) == ["辛工程"]
    assert "7 个项目" in html(client, "/2021/projects/?task=1.1")
    unit = Unit.objects.get()
    Project.objects.get(name="甲工程").supporting_units.add(unit)
    # Leading one project and supporting it as well still lists it once.
    Project.objects.get(name="辛工程").supporting_units.add(unit)
    page = html(client, f"/2021/projects/?unit={unit.pk}")
    assert "2 个项目" in page and names(page) == ["甲工程", "辛工程"]
    assert f'<option value="{unit.pk}" selected lang="zh-Hans">开封市发改委</option>' in page
    assert '<option value="1.1">1.1 轨道</option>' in page
    assert '<option value="2.1" selected>' not in page


def test_the_list_filters_by_goal_met_or_not_yet_as_of_the_quarter(client, world, zhengzhou):
    assert names(html(client, "/2021/projects/?met=1")) == ["甲工程", "乙工程", "己工程"]
    not_yet = html(client, "/2021/projects/?met=0")
    assert names(not_yet) == ["丙工程", "丁工程", "戊工程", "庚工程"]  # 辛 is to advance.
    assert "仅年度目标为开工或建成的项目判断是否达成" in not_yet
    make_update(Project.objects.get(name="庚工程"), zhengzhou, 2, Stage.COMPLETED)
    assert "庚工程" in names(html(client, "/2021/projects/?met=1&as_of=2021Q2"))
    assert "庚工程" not in names(html(client, "/2021/projects/?met=1&as_of=2021Q1"))
    combined = html(client, "/2021/projects/?met=0&goal=complete&city=zhengzhou")
    assert names(combined) == ["庚工程"]


def test_the_list_marks_whether_each_goal_is_met(client, world):
    page = html(client, "/2021/projects/")
    assert page.count("<td>已达成</td>") == 3 and page.count("<td>未达成</td>") == 4
    assert page.count("<td>—</td>") == 1  # 辛, to advance


@pytest.mark.parametrize(
    "query", ["task=9.9", "task=abc", "unit=999", "unit=x", "unit=%00", "met=2", "met=yes"]
)
def test_an_unknown_task_unit_or_met_value_is_a_404(client, world, query):
    assert client.get(f"/2021/projects/?{query}").status_code == 404


@pytest.mark.parametrize("as_of", ["2021Q5", "2020Q1", "x"])
def test_an_unknown_quarter_is_a_404_on_the_project_pages(client, world, as_of):
    project = Project.objects.first()
    assert client.get(f"/2021/projects/?as_of={as_of}").status_code == 404
    assert client.get(f"/2021/projects/{project.pk}/?as_of={as_of}").status_code == 404


@pytest.fixture
def yi_reported(world, zhengzhou, kaifeng):
    """乙: Kaifeng reports 桥梁施工 and 1.5 亿元 in Q1 (after Zhengzhou's Q1 update, which states
    no amount); Zhengzhou 铺轨完成一半 and 2 亿元 in Q2."""
    yi = Project.objects.get(name="乙工程")
    make_update(yi, kaifeng, 1, Stage.CONSTRUCTION, "桥梁施工", amount=Decimal("1.5"))
    make_update(yi, zhengzhou, 2, Stage.CONSTRUCTION, "铺轨完成一半", amount=Decimal(2))
    return yi


def test_the_list_shows_the_latest_progress_and_the_investment_as_of_the_quarter(
    client, yi_reported
):
    q1 = squeezed(html(client, "/2021/projects/?as_of=2021Q1"))
    assert '<option value="2021Q1" selected>' in q1
    assert (
        '<td class="progress-text"><span lang="zh-Hans">桥梁施工</span> '
        '<small class="city"><a href="/2021/cities/kaifeng/?as_of=2021Q1">开封</a></small></td>'
        '<td class="num">1.50</td><td class="num">1.50</td>'
    ) in q1
    q2 = squeezed(html(client, "/2021/projects/?as_of=2021Q2"))
    assert (
        '<span lang="zh-Hans">铺轨完成一半</span> <small class="city">'
        '<a href="/2021/cities/zhengzhou/?as_of=2021Q2">郑州</a></small>'
        '</td><td class="num">2</td><td class="num">3.50</td>'
    ) in q2
    # 己 reported in Q1 with no amount: nothing this quarter, nothing stated before.
    assert '<td class="num">—</td><td class="num">—</td>' in q2
    assert f'href="/2021/projects/{yi_reported.pk}/?as_of=2021Q2"' in q2


def test_the_list_keeps_the_quarter_and_the_filters_from_page_to_page(client, world):
    Project.objects.bulk_create(
        Project(task=world.policy, name=f"项目{n:02}", goal=Goal.NOT_STATED) for n in range(51)
    )
    page = html(client, "/2021/projects/?goal=not_stated&as_of=2021Q2&approved=1")
    assert 'href="?goal=not_stated&amp;as_of=2021Q2&amp;approved=1&amp;page=2"' in page
    assert '<input type="checkbox" name="approved" value="1" checked>' in page


def test_the_list_is_in_english_too(client, yi_reported):
    client.cookies["django_language"] = "en"
    page = html(client, "/2021/projects/?as_of=2021Q2")
    assert "Latest physical progress" in page and "Goal met" in page
    assert '<td class="short">under construction</td>' in page and "<td>met</td>" in page


def test_a_projects_page_shows_its_stage_as_of_the_quarter(client, world, zhengzhou):
    geng = Project.objects.get(name="庚工程")
    make_update(geng, zhengzhou, 2, Stage.CONSTRUCTION, "主体施工", amount=Decimal("0.8"))
    q1 = html(client, f"/2021/projects/{geng.pk}/?as_of=2021Q1")
    assert '<span class="kpi-value"><span class="not-stated">未报告</span></span>' in q1
    assert '<span class="kpi-detail">未达成</span>' in q1
    q2 = html(client, f"/2021/projects/{geng.pk}/?as_of=2021Q2")
    assert "第2季度末阶段" in q2 and '<span class="kpi-value">在建</span>' in q2
    assert '<span class="kpi-value">0.80 <small>亿元</small></span>' in q2
    assert 'href="export.xlsx' not in q2  # A project's page has no workbook of its own.


def test_a_projects_page_shows_what_each_section_reports(client, yi_reported):
    page = squeezed(html(client, f"/2021/projects/{yi_reported.pk}/?as_of=2021Q2"))
    assert (
        '<th scope="row"><a href="/2021/cities/zhengzhou/?as_of=2021Q2">郑州</a></th>'
        "<td>Q2</td><td>在建</td>"
        '<td class="progress-text"><span lang="zh-Hans">铺轨完成一半</span></td>'
        '<td class="num">2</td>'
    ) in page
    assert (
        '<th scope="row"><a href="/2021/cities/kaifeng/?as_of=2021Q2">开封</a></th>'
        "<td>Q1</td><td>在建</td>"
        '<td class="progress-text"><span lang="zh-Hans">桥梁施工</span></td>'
        '<td class="num">1.50</td>'
    ) in page
    q1 = html(client, f"/2021/projects/{yi_reported.pk}/?as_of=2021Q1")
    assert '<td class="progress-text"><span lang="zh-Hans">路基施工中</span></td>' in q1


def test_a_section_with_nothing_counted_says_so(client, world):
    jia = Project.objects.get(name="甲工程")
    page = html(client, f"/2021/projects/{jia.pk}/")
    assert page.count('<td><span class="not-stated">未填报</span></td>') == 2
    assert "<li>尚无填报。</li>" in page


def test_a_projects_page_lists_its_updates_with_their_photos(client, yi_reported, kaifeng):
    update = ProjectUpdate.objects.get(project=yi_reported, city=kaifeng)
    first = ProjectPhoto.objects.create(
        update=update, image="p/1.jpg", width=4000, height=3000, caption="主桥合龙"
    )
    second = ProjectPhoto.objects.create(update=update, image="p/2.jpg", width=1000, height=2000)
    page = html(client, f"/2021/projects/{yi_reported.pk}/?as_of=2021Q2")
    zhengzhou = '<a href="/2021/cities/zhengzhou/?as_of=2021Q2">郑州</a>'
    kaifeng = '<a href="/2021/cities/kaifeng/?as_of=2021Q2">开封</a>'
    assert (
        f'<strong>2021 Q2</strong> · {zhengzhou} · 在建 · 2 亿元 <span class="tag">已报送</span>'
    ) in page
    assert f"<strong>2021 Q1</strong> · {kaifeng} · 在建 · 1.50 亿元" in page
    assert f"<strong>2021 Q1</strong> · {zhengzhou} · 在建 · " in page
    assert page.index("2021 Q2") < page.index("2021 Q1")  # The latest quarter first.
    assert (
        f'<a href="/photos/{first.pk}/"><img src="/photos/{first.pk}/" alt="主桥合龙" '
        'width="160" height="120" loading="lazy"></a>'
    ) in page
    alt = 'alt="开封，第1季度：照片2" width="160" height="320"'
    assert f'<img src="/photos/{second.pk}/" {alt}' in page


@pytest.fixture
def drafts(yi_reported, zhengzhou, kaifeng):
    """乙 in Q3: a Kaifeng draft saying 建成 and a returned Zhengzhou update."""
    make_update(yi_reported, kaifeng, 3, Stage.COMPLETED, "开封草稿进度", status="draft")
    make_update(
        yi_reported,
        zhengzhou,
        3,
        Stage.CONSTRUCTION,
        "郑州退回进度",
        status="returned",
        return_reason="照片不清楚",
    )
    return yi_reported


def reporter(django_user_model, city: City):
    user = django_user_model.objects.create_user(f"reporter-{city.slug}")
    user.groups.add(Group.objects.get(name=REPORTER))
    Reporter.objects.create(user=user, city=city)
    return user


def timeline_of(user, project: Project) -> tuple[bool, bool]:
    """Whether `user` sees the Kaifeng draft and the Zhengzhou returned update."""
    client = Client()
    client.force_login(user)
    page = html(client, f"/2021/projects/{project.pk}/?as_of=2021Q3")
    return "开封草稿进度" in page, "郑州退回进度" in page


def test_a_leader_sees_neither_draft_nor_returned_update(leader, drafts):
    assert timeline_of(leader, drafts) == (False, False)


def test_a_reporter_sees_her_citys_draft_but_not_another_citys(
    django_user_model, drafts, zhengzhou, kaifeng
):
    assert timeline_of(reporter(django_user_model, kaifeng), drafts) == (True, False)
    assert timeline_of(reporter(django_user_model, zhengzhou), drafts) == (False, True)


def test_the_office_sees_every_update_with_the_reason_for_a_return(client, office, drafts):
    assert timeline_of(office, drafts) == (True, True)
    client.force_login(office)
    page = html(client, f"/2021/projects/{drafts.pk}/?as_of=2021Q3")
    assert '<p class="note">退回原因: 照片不清楚</p>' in page
    assert '<span class="tag">草稿</span>' in page and '<span class="tag">已退回</span>' in page


def test_a_projects_page_as_of_a_quarter_lists_no_later_update(client, office, drafts):
    client.force_login(office)
    page = html(client, f"/2021/projects/{drafts.pk}/?as_of=2021Q2")
    assert "2021 Q2" in page and "2021 Q3" not in page


def test_a_draft_never_moves_the_stage_or_the_sections(client, office, drafts):
    client.force_login(office)
    page = html(client, f"/2021/projects/{drafts.pk}/?as_of=2021Q3")
    assert '<span class="kpi-value">在建</span>' in page
    assert "<td>Q3</td>" not in page


def test_visible_to_chains_with_other_filters(leader, office, drafts, kaifeng):
    updates = ProjectUpdate.objects.filter(project=drafts)
    assert updates.visible_to(leader).filter(city=kaifeng).count() == 1
    assert updates.visible_to(office).filter(city=kaifeng).count() == 2
    assert updates.visible_to(office).count() == 5


def test_unit_names_link_to_their_page_from_a_project(client, world):
    xin = Project.objects.get(name="辛工程")
    helper = Unit.objects.create(name="开封市交通运输局", kind="other")
    xin.supporting_units.add(helper)
    page = html(client, f"/2021/projects/{xin.pk}/?as_of=2021Q2")
    for unit, name in [(xin.lead_unit, "开封市发改委"), (helper, "开封市交通运输局")]:
        assert f'<a href="/2021/units/{unit.pk}/?as_of=2021Q2" lang="zh-Hans">{name}</a>' in page


@pytest.fixture
def unit(world, zhengzhou):
    """开封市发改委 leads 1.1 and 辛, supports 2.1 and 甲; 1.1 has 10 亿元 reported."""
    unit = Unit.objects.get()
    world.rail.lead_unit = unit
    world.rail.save()
    world.industry.supporting_units.add(unit)
    Project.objects.get(name="甲工程").supporting_units.add(unit)
    make_report(world.rail, zhengzhou, 1, "10")
    return unit


def test_a_units_page_lists_its_tasks_with_their_progress_and_its_projects(client, unit):
    page = squeezed(html(client, f"/2021/units/{unit.pk}/"))
    assert (
        '<h1><span lang="zh-Hans">开封市发展和改革委员会</span> '
        '<small lang="zh-Hans">开封市发改委</small></h1>'
    ) in page
    assert (
        '<th scope="row"><a href="/2021/tasks/1.1/">轨道</a></th><td class="short">牵头</td>'
        '<td class="num">100</td><td class="num">10</td><td class="num">10.0</td>'
    ) in page
    assert '<a href="/2021/tasks/2.1/">产业</a></th><td class="short">配合</td>' in page
    roles = page.replace('<td class="short">', "<td>")
    assert (
        f'lang="zh-Hans">甲工程</a></th><td>{ZHENGZHOU}、{KAIFENG}</td><td>配合</td><td>开工</td>'
        in roles
    )
    assert f'lang="zh-Hans">辛工程</a></th><td>{KAIFENG}</td><td>牵头</td><td>推进</td>' in roles
    assert names(page) == ["甲工程", "辛工程"]


def test_a_unit_leading_and_supporting_one_task_lists_it_once(client, unit, world):
    world.rail.supporting_units.add(unit)
    page = html(client, f"/2021/units/{unit.pk}/")
    assert page.count('<a href="/2021/tasks/1.1/">轨道</a>') == 1


def test_a_unit_the_plan_does_not_use_says_so(client, world):
    idle = Unit.objects.create(name="许昌市住建局", kind="city_government", is_active=False)
    page = html(client, f"/2021/units/{idle.pk}/")
    assert "该单位在2021年工作要点中不牵头、不配合任何任务或重点项目。" in page
    assert "已停用，仅作记录" in page and "<table" not in page


def test_a_units_page_is_in_english_too(client, unit):
    client.cookies["django_language"] = "en"
    page = html(client, f"/2021/units/{unit.pk}/")
    assert '<td class="short">lead</td>' in page and '<td class="short">supporting</td>' in page


@pytest.mark.parametrize("url", ["/2021/units/999/", "/2022/units/{pk}/"])
def test_an_unknown_unit_or_plan_is_a_404(client, unit, url):
    assert client.get(url.format(pk=unit.pk)).status_code == 404


def in_order(page: str) -> list[str]:
    """The projects a page's table of projects names, in its order."""
    return re.findall(
        r'<th scope="row"><a href="/2021/projects/\d+/[^"]*" lang="zh-Hans">(.*?)</a>', page
    )


def test_a_tasks_page_lists_its_projects_those_behind_their_goal_first(client, world):
    page = squeezed(html(client, "/2021/tasks/1.1/"))
    # 丙, 丁 and 戊 are still to start, 庚 to complete; 甲 started by its date, 乙 reports 在建
    # and 己 建成: each part in the plan's order.
    assert in_order(page) == ["丙工程", "丁工程", "戊工程", "庚工程", "甲工程", "乙工程", "己工程"]
    ji = Project.objects.get(name="己工程")
    assert (
        f'<th scope="row"><a href="/2021/projects/{ji.pk}/" lang="zh-Hans">己工程</a></th>'
        f'<td>{ZHENGZHOU}</td><td class="short">建成</td><td class="short">建成</td>'
        '<td class="progress-text">'
        f'<span lang="zh-Hans">路基施工中</span> <small class="city">{ZHENGZHOU}</small>'
        '</td><td class="num">—</td>'
    ) in page
    assert (
        "<p>先列年度目标未达成的项目（应开工或应建成，截至第1季度末尚未开工或建成），"
        "其余按工作要点顺序排列。</p>"
    ) in page.replace('<p class="note">', "<p>")
    assert '<p><a href="/2021/projects/?task=1.1">全部 7 个项目 →</a></p>' in page
    assert '<td colspan="6">没有重点项目。</td>' in html(client, "/2021/tasks/1.2/")


def test_a_tasks_page_counts_its_projects_by_goal_and_stage(client, world):
    page = squeezed(html(client, "/2021/tasks/1.1/"))
    assert (
        '<p class="note" id="project-stages-caption">重点项目按年度目标和第1季度末所处阶段统计</p>'
        '<div class="table-scroll" tabindex="0">'
        '<table class="figures project-stages" aria-labelledby="project-stages-caption">'
    ) in page
    cells = '<td class="num">{}</td>' * 4
    # To start: 丙, 丁, 戊 report nothing, 甲 (by its date) and 乙 are 在建. To complete: 庚
    # reports nothing, 己 is 建成.
    assert (
        '<tr><th scope="row">开工</th><td class="num">'
        '<a href="/2021/projects/?task=1.1&amp;goal=start">5</a></td>' + cells.format(3, 0, 2, 0)
    ) in page
    assert (
        '<tr><th scope="row">建成</th><td class="num">'
        '<a href="/2021/projects/?task=1.1&amp;goal=complete">2</a></td>' + cells.format(1, 0, 0, 1)
    ) in page
    assert (
        '<tfoot><tr><th scope="row">合计</th><td class="num">7</td>' + cells.format(4, 0, 2, 1)
    ) in page
    # One goal alone needs no total; no project, no count.
    industry = html(client, "/2021/tasks/2.1/")
    assert "推进" in industry and "<tfoot>" not in industry
    assert "所处阶段统计" not in html(client, "/2021/tasks/1.2/")


def test_a_citys_page_lists_its_projects_with_its_own_sections(client, yi_reported):
    page = squeezed(html(client, "/2021/cities/kaifeng/?as_of=2021Q2"))
    # 甲 started by its date, 乙 in Kaifeng too (桥梁施工, 在建): none is behind.
    assert in_order(page) == ["甲工程", "乙工程", "辛工程"]
    # 乙 as its Kaifeng section reports it, not Zhengzhou's later 铺轨完成一半.
    assert (
        '<span lang="zh-Hans">桥梁施工</span> <small class="city">'
        '<a href="/2021/cities/kaifeng/?as_of=2021Q2">开封</a></small>'
        '</td><td class="num">1.50</td>'
    ) in page
    assert "各项目在开封段的当前阶段、形象进度和投资额。" in page
    assert '<a href="/2021/projects/?city=kaifeng&amp;as_of=2021Q2">全部 3 个项目 →</a>' in page


def test_a_citys_page_puts_a_project_behind_in_its_own_section_first(client, world):
    # 乙 is 在建 in Zhengzhou only: in Kaifeng it has not started.
    page = squeezed(html(client, "/2021/cities/kaifeng/"))
    assert in_order(page) == ["乙工程", "甲工程", "辛工程"]
    zhengzhou = squeezed(html(client, "/2021/cities/zhengzhou/"))
    assert in_order(zhengzhou)[:4] == ["丙工程", "丁工程", "戊工程", "庚工程"]


@pytest.fixture
def crowded(zhengzhou, kaifeng):
    """Twenty-three projects on 1.1 through Kaifeng: 项目01 to 项目20 to advance, then 项目21
    to 项目23 to start, none started."""
    world = make_world(zhengzhou, kaifeng)
    for n in range(1, 24):
        goal = Goal.ADVANCE if n <= 20 else Goal.START
        make_project(world.rail, f"项目{n:02}", goal, [kaifeng])
    return world


CROWDED = [f"项目{n:02}" for n in range(1, 24)]


def test_a_citys_page_shows_20_of_its_23_projects_and_links_to_the_list_of_them_all(
    client, crowded
):
    page = squeezed(html(client, "/2021/cities/kaifeng/?as_of=2021Q1"))
    assert in_order(page) == CROWDED[20:] + CROWDED[:17]
    assert (
        '<p class="note">下表列出全部 23 个项目中的 20 个：先列年度目标未达成的（应开工或应建成，'
        "截至第1季度末尚未开工或建成），其余按工作要点顺序排列。</p>"
    ) in page
    link = '<p><a href="/2021/projects/?city=kaifeng&amp;as_of=2021Q1">全部 23 个项目 →</a></p>'
    assert link in page
    listed = html(client, "/2021/projects/?city=kaifeng&as_of=2021Q1")
    assert "23 个项目。" in listed
    assert in_order(squeezed(listed)) == CROWDED
    # The goals' counts link to the list of that goal's projects.
    assert '<a href="/2021/projects/?city=kaifeng&amp;goal=start&amp;as_of=2021Q1">3</a>' in page
    assert "3 个项目。" in html(client, "/2021/projects/?city=kaifeng&goal=start&as_of=2021Q1")


def test_a_tasks_page_shows_20_of_its_23_projects_and_links_to_the_list_of_them_all(
    client, crowded
):
    page = squeezed(html(client, "/2021/tasks/1.1/?approved=1"))
    assert in_order(page) == CROWDED[20:] + CROWDED[:17]
    assert "下表列出全部 23 个项目中的 20 个：" in page
    link = '<p><a href="/2021/projects/?task=1.1&amp;approved=1">全部 23 个项目 →</a></p>'
    assert link in page
    listed = squeezed(html(client, "/2021/projects/?task=1.1&approved=1"))
    assert "23 个项目。" in listed and in_order(listed) == CROWDED


def test_the_short_list_of_projects_reads_in_english_too(client, crowded):
    client.cookies["django_language"] = "en"
    page = squeezed(html(client, "/2021/cities/kaifeng/?as_of=2021Q1"))
    assert (
        "20 of the 23 projects below: first those behind their goal for the year (to start or "
        "to complete, and not yet done at the end of Q1), then the others in the plan's order."
    ) in page
    assert "All 23 projects →</a>" in page
    assert (
        '<p class="note" id="project-stages-caption">'
        "The key projects by the year's goal and their stage at the end of Q1</p>"
    ) in page
    headers = "".join(
        f'<th scope="col" class="num">{name}</th>'
        for name in ("Projects", "Not reported", "Preparation", "Under construction", "Completed")
    )
    assert f'<th scope="col">The year\'s goal</th>{headers}' in page


def test_the_pages_show_the_projects_share_of_the_reported_investment(client, yi_reported, world):
    zhengzhou = City.objects.get(slug="zhengzhou")
    make_report(world.rail, zhengzhou, 1, "10")
    make_report(world.policy, zhengzhou, 2, "10")  # No target: left out of the percentage.
    page = html(client, "/2021/?as_of=2021Q2")
    assert "重点项目投资占比" in page
    assert '<span class="kpi-value">17.5%</span>' in page  # 3.5 of 20
    assert '<span class="kpi-detail">3.50 / 20 亿元</span>' in page
    q1 = html(client, "/2021/?as_of=2021Q1")
    assert '<span class="kpi-value">15.0%</span>' in q1  # 1.5 of 10
    kaifeng = html(client, "/2021/cities/kaifeng/?as_of=2021Q2")
    assert '<span class="kpi-detail">1.50 / 0 亿元</span>' in kaifeng
    assert "40.0%" in html(client, "/2021/corridors/belt/?as_of=2021Q1")  # The start rate.


def test_without_an_amount_in_any_update_the_share_is_not_stated(client, world):
    page = html(client, "/2021/")
    assert '<span class="kpi-value"><span class="not-stated">未报投资额</span></span>' in page
    assert "尚无项目进展填报投资额。" in page


def test_the_city_page_title_is_the_city_and_the_plan_only(client, world):
    page = html(client, "/2021/cities/kaifeng/")
    title = page.split("<title>")[1].split("</title>")[0]
    assert title == "开封 · 2021年工作要点"
    assert page.count('id="projects-heading"') == 1
