"""The key projects list and a project's page; 开工率 and 竣工率 on the overview, area, city and
corridor pages."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from plan.models import City, Unit
from tasks.models import Milestone, Project, Task
from tests.builders import make_area, make_plan, make_project, make_update, make_world

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


def html(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


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
    assert "<td>郑州、开封</td>" in page
    assert '<span lang="zh-Hans">开封市发改委</span>' in page
    assert page.count('<span class="not-stated">未明确</span>') == 7
    # 甲 started by its date, 乙 reported 在建, 己 建成; the other five report nothing.
    assert page.count('<span class="not-stated">未报告</span>') == 5
    assert page.count("<td>在建</td>") == 2
    assert "<td>建成</td>" in page


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
    assert "<dd>建成</dd>" in page
    assert '<th scope="row" lang="zh-Hans">主体完工</th>' in page and "Q3" in page


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


def test_a_projects_page_runs_as_many_queries_with_more_cities_units_and_milestones(client, world):
    project = Project.objects.get(name="甲工程")

    def counted() -> int:
        client.get(f"/2021/projects/{project.pk}/")
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/2021/projects/{project.pk}/").status_code == 200
        return len(captured)

    few = counted()
    units = Unit.objects.bulk_create(Unit(name=f"单位{n}", kind="other") for n in range(5))
    project.supporting_units.set(units)
    project.cities.add(
        *City.objects.bulk_create(City(slug=f"c{n}", name=f"城{n}") for n in range(5))
    )
    Milestone.objects.bulk_create(
        Milestone(task=world.rail, project=project, name=f"节点{n}", kind="other") for n in range(5)
    )
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
