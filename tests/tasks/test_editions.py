"""新建下一年度工作要点: next year's draft from this year's, with what the office carries over."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from plan.models import City, Corridor, Member, Plan
from tasks.editions import carry_over
from tasks.models import Project, Task
from tests.builders import make_city, make_member, make_project, make_update, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(zhengzhou, kaifeng):
    world = make_world(zhengzhou, kaifeng)
    rail = make_project(world.rail, "郑开城际延长线", "complete", [zhengzhou, kaifeng])
    make_update(rail, zhengzhou, 4, "completed")
    make_update(rail, kaifeng, 4, "construction")  # one section still being built
    done = make_project(world.industry, "郑州南站", "complete", [zhengzhou])
    make_update(done, zhengzhou, 4, "completed")
    return world


def test_next_years_draft_takes_the_members_corridors_pace_and_chosen_rows(world, zhengzhou):
    source = world.plan
    source.pace_q2, source.report_deadline_days = 40, 15
    source.save()
    rail = Project.objects.get(name="郑开城际延长线")
    plan = carry_over(source, 2022, [world.policy], [rail])
    assert (plan.year, plan.status, plan.title) == (2022, "draft", "2022年工作要点")
    assert (plan.pace_q2, plan.report_deadline_days, plan.issued_on) == (40, 15, None)
    assert [city.slug for city in City.objects.of_plan(plan)] == ["zhengzhou", "kaifeng"]
    belt = Corridor.objects.get(plan=plan)
    assert (belt.slug, [c.slug for c in belt.cities.all()]) == ("belt", ["zhengzhou", "kaifeng"])
    tasks = Task.objects.of_plan(plan).order_by("area__number", "number")
    # The project's task comes with it; what the new plan states is left empty.
    assert [(t.code, t.title, t.target, t.description, t.predecessor) for t in tasks] == [
        ("1.1", "轨道", None, "", world.rail),
        ("1.2", "政策", None, "", world.policy),
    ]
    assert tasks[0].corridor == belt
    carried = Project.objects.get(task__area__plan=plan)
    assert (carried.name, carried.goal, carried.annual_investment) == (
        "郑开城际延长线",
        "not_stated",
        None,
    )
    assert (carried.predecessor, list(carried.cities.all())) == (rail, list(rail.cities.all()))
    # Nothing of the year it came from moved.
    assert Task.objects.of_plan(source).count() == 3
    assert Corridor.objects.get(plan=source).slug == "belt"


def test_a_retired_place_is_left_out_of_next_year(world, kaifeng):
    kaifeng.retired_from = 2022
    kaifeng.save()
    plan = carry_over(world.plan, 2022, [world.rail], [])
    assert [city.slug for city in City.objects.of_plan(plan)] == ["zhengzhou"]
    assert [city.slug for city in Task.objects.get(area__plan=plan).cities.all()] == ["zhengzhou"]


def test_a_row_carries_over_once(world):
    carry_over(world.plan, 2022, [world.rail], [])
    with pytest.raises(Exception) as error:
        carry_over(world.plan, 2023, [world.rail], [])
    assert "已结转到以后年度的工作要点" in str(error.value)
    assert not Plan.objects.filter(year=2023).exists()


def test_the_command_proposes_the_unfinished_projects_and_their_tasks(world):
    out = StringIO()
    call_command("new_edition", "2022", "--from", "2021", stdout=out)
    assert out.getvalue().strip() == (
        "已由 2021 年工作要点新建 2022 年工作要点草稿：成员 2 个，结转任务 1 项、重点项目 1 个。"
        "草稿印发前只有都市圈办公室可见。"
    )
    assert [p.name for p in Project.objects.filter(task__area__plan__year=2022)] == [
        "郑开城际延长线"
    ]


def test_the_command_refuses_a_taken_or_unknown_year(world):
    with pytest.raises(CommandError, match="年度：2021 年的工作要点已存在。"):
        call_command("new_edition", "2021", "--from", "2021")
    with pytest.raises(CommandError, match="没有 2019 年的工作要点。"):
        call_command("new_edition", "2022", "--from", "2019")
    with pytest.raises(CommandError, match=r"--tasks：9\.9 不是该工作要点中可结转的任务。"):
        call_command("new_edition", "2022", "--from", "2021", "--tasks", "9.9")
    assert Plan.objects.count() == 1


def test_the_office_makes_the_draft_from_the_admin(client, office, world):
    client.force_login(office)
    url = f"/admin/plan/plan/{world.plan.pk}/new-edition/"
    page = client.get(url).content.decode()
    rail = Project.objects.get(name="郑开城际延长线")
    done = Project.objects.get(name="郑州南站")
    assert (
        f'value="{rail.pk}" checked> 1.1 郑开城际延长线 <span class="quiet">（未建成）</span>'
        in page
    )
    assert f'value="{done.pk}"> 2.1 郑州南站</label>' in page
    response = client.post(url, {"year": "2022", "projects": [rail.pk], "tasks": []})
    plan = Plan.objects.get(year=2022)
    assert response["Location"] == f"/admin/plan/plan/{plan.pk}/change/"
    assert Project.objects.get(task__area__plan=plan).predecessor == rail


def test_the_admin_page_refuses_a_bad_year_and_anyone_but_the_office(client, office, world):
    client.force_login(office)
    url = f"/admin/plan/plan/{world.plan.pk}/new-edition/"
    page = client.post(url, {"year": "1999"}).content.decode()
    assert "年度：请填写 2000 至 2100 之间的年份。" in page
    assert Plan.objects.count() == 1
    client.force_login(make_member("kf", "市级填报员", City.objects.get(slug="kaifeng")))
    assert client.get(url).status_code == 403


def test_a_carried_projects_stage_goes_on_from_last_year(world, zhengzhou, kaifeng):
    from figures.rollups import Figures

    rail = Project.objects.get(name="郑开城际延长线")
    plan = carry_over(world.plan, 2022, [], [rail])
    plan.status = Plan.Status.ISSUED
    plan.save()
    carried = Project.objects.get(task__area__plan=plan)
    sections = Figures(plan, 1).project_sections(carried)
    assert [(row.city.slug, row.stage) for row in sections] == [
        ("zhengzhou", "completed"),
        ("kaifeng", "construction"),
    ]
    # A reporter cannot take the section back across the years; the office can.
    update = make_update(carried, zhengzhou, 1, "construction", status="draft")
    reporter = make_member("zz", "市级填报员", zhengzhou)
    assert update.stage_error(reporter) == (
        "季度末阶段：该项目由 2021 年结转，当年第4季度报为“建成”，阶段不能退回“在建”。"
        "如有误，请联系都市圈办公室。"
    )
    office = make_member("of", "都市圈办公室")
    assert update.stage_error(office) is None


def test_a_reporter_of_a_city_reports_for_its_county_when_the_plan_holds_it_alone(client):
    luoyang = make_city("luoyang", "洛阳", 3, code="410300")
    yanshi = make_city("yanshi", "偃师区", 31, code="410381", parent=luoyang)
    from tests.builders import make_area, make_plan, make_task

    plan = make_plan(2024)
    Member.objects.filter(plan=plan, place=luoyang).delete()
    Member.objects.create(plan=plan, place=yanshi)
    make_task(make_area(plan), 1, "10", [yanshi])
    reporter = make_member("ly", "市级填报员", luoyang)
    client.force_login(reporter)
    page = client.get("/admin/investment/progressreport/quarter/?year=2024&quarter=1")
    assert page.status_code == 200
    assert "偃师区" in page.content.decode()
