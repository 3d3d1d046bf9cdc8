"""开工率 and 竣工率: key projects counted by the year's goal, for the plan and its scopes."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from figures.projects import ProjectFigures, SectionProgress
from figures.rollups import Figures, ProjectCounts, scope
from investment.models import ProjectUpdate
from tasks.models import Project
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


@pytest.fixture
def world(zhengzhou, kaifeng):
    """On 1.1 (the corridor, area 1): five to start: 甲 started on 2021-03-01, 乙 reported 建成
    in Zhengzhou in Q2, 丙 still 前期, 丁 and 戊 nothing; two to complete: 己 建成 in both its
    cities in Q2, 庚 在建. On 2.1 (area 2): 辛 to start, 在建 in Kaifeng in Q1, and 壬 to advance.
    The updates report 3 + 2 + 1 + 0.5 亿元."""
    world = make_world(zhengzhou, kaifeng)
    both = [zhengzhou, kaifeng]
    make_project(world.rail, "甲", Goal.START, both, actual_start=date(2021, 3, 1))
    yi = make_project(world.rail, "乙", Goal.START, both)
    make_update(yi, zhengzhou, 2, Stage.COMPLETED, amount=Decimal(3))
    bing = make_project(world.rail, "丙", Goal.START, [zhengzhou])
    make_update(bing, zhengzhou, 1, Stage.PREPARATION)
    make_project(world.rail, "丁", Goal.START, [zhengzhou])
    make_project(world.rail, "戊", Goal.START, [zhengzhou])
    ji = make_project(world.rail, "己", Goal.COMPLETE, both)
    make_update(ji, zhengzhou, 2, Stage.COMPLETED, amount=Decimal(2))
    make_update(ji, kaifeng, 2, Stage.COMPLETED, amount=Decimal(1))
    geng = make_project(world.rail, "庚", Goal.COMPLETE, [zhengzhou])
    make_update(geng, zhengzhou, 2, Stage.CONSTRUCTION)
    xin = make_project(world.industry, "辛", Goal.START, [kaifeng])
    make_update(xin, kaifeng, 1, Stage.CONSTRUCTION, amount=Decimal("0.5"))
    ren = make_project(world.industry, "壬", Goal.ADVANCE, [kaifeng])
    make_update(ren, kaifeng, 1, Stage.CONSTRUCTION)
    return world


def test_the_plan_counts_projects_by_goal_and_progress(world):
    counts = Figures(world.plan, 2).projects()
    assert counts == ProjectCounts(
        to_start=6, started=3, to_complete=2, completed=1, investment=Decimal("6.5")
    )
    assert counts.start_rate == Decimal("50.0")
    assert counts.complete_rate == Decimal("50.0")


def test_an_area_counts_only_its_tasks_projects(world):
    counts = Figures(world.plan, 2).projects(Q(area=world.rail.area))
    assert counts == ProjectCounts(5, 2, 2, 1, investment=Decimal(6))
    assert counts.start_rate == Decimal("40.0")


def test_a_city_counts_its_own_sections_of_the_projects_running_through_it(world, kaifeng):
    counts = Figures(world.plan, 2).projects(city=kaifeng)
    # 乙 is 建成 in Zhengzhou only: its Kaifeng section has not started.
    assert counts == ProjectCounts(3, 2, 1, 1, investment=Decimal("1.5"))
    assert counts.start_rate == Decimal("66.7")


def test_a_rate_is_none_when_no_project_has_that_goal(world, zhengzhou):
    counts = Figures(world.plan, 2).projects(Q(area=world.industry.area), city=zhengzhou)
    assert counts == ProjectCounts(0, 0, 0, 0)
    assert counts.start_rate is None and counts.complete_rate is None
    assert counts.share_of(Decimal(10)) is None


def test_rates_round_to_one_place():
    assert ProjectCounts(3, 1, 3, 2).start_rate == Decimal("33.3")
    assert ProjectCounts(3, 1, 3, 2).complete_rate == Decimal("66.7")


def test_the_counts_are_as_of_the_quarter(world):
    assert Figures(world.plan, 1).projects() == ProjectCounts(6, 2, 2, 0, Decimal("0.5"))


def test_a_project_is_completed_only_when_every_section_says_so(world, kaifeng):
    ProjectUpdate.objects.filter(project__name="己", city=kaifeng).update(status="draft")
    counts = Figures(world.plan, 2).projects()
    assert (counts.completed, counts.investment) == (0, Decimal("5.5"))


def test_a_sections_latest_update_decides_its_stage(world, zhengzhou):
    geng = Project.objects.get(name="庚")
    make_update(geng, zhengzhou, 3, Stage.COMPLETED)
    assert Figures(world.plan, 3).projects().completed == 2
    assert Figures(world.plan, 2).projects().completed == 1


def test_an_actual_finish_completes_a_project_from_its_quarter_on(world):
    Project.objects.filter(name="庚").update(actual_finish=date(2021, 7, 1))
    assert Figures(world.plan, 2).projects().completed == 1
    assert Figures(world.plan, 3).projects().completed == 2


def test_approved_only_counts_only_approved_updates(world):
    ProjectUpdate.objects.filter(project__name="辛").update(status="approved")
    counts = Figures(world.plan, 2, approved_only=True).projects()
    assert counts == ProjectCounts(6, 2, 2, 0, Decimal("0.5"))


def test_the_named_projects_share_of_the_reported_investment(world, zhengzhou):
    make_report(world.rail, zhengzhou, 1, "10")
    make_report(world.industry, zhengzhou, 2, "3")
    assert scope(Figures(world.plan, 2), world.plan).project_share == Decimal("50.0")
    assert scope(Figures(world.plan, 2), world.rail.area).project_share == Decimal("60.0")


def test_the_share_is_of_all_that_is_reported_without_a_target_too(world, zhengzhou):
    make_report(world.rail, zhengzhou, 1, "10")
    make_report(world.policy, zhengzhou, 2, "2")  # 1.2 states no target
    page = scope(Figures(world.plan, 2), world.rail.area)
    assert (page.total.completed, page.reported) == (Decimal(10), Decimal(12))
    assert page.project_share == Decimal("50.0")  # 6 of 12


def test_the_counts_take_one_query(world):
    with CaptureQueriesContext(connection) as captured:
        Figures(world.plan, 2).projects(Q(corridor=world.corridor))
    assert len(captured) == 1


def test_the_plan_area_city_and_corridor_scopes_carry_their_counts(world, kaifeng):
    figures = Figures(world.plan, 2)
    assert scope(figures, world.plan).projects.to_start == 6
    assert scope(figures, world.rail.area).projects.to_start == 5
    assert scope(figures, kaifeng).projects.to_start == 3
    assert scope(figures, world.corridor).projects == ProjectCounts(5, 2, 2, 1, Decimal(6))
    assert scope(figures, world.rail).projects is None


def test_a_project_with_neither_a_date_nor_an_update_has_not_met_its_goal(world):
    projects = Figures(world.plan, 2).annotated_projects(Project.objects.all())
    # 壬 is to advance: never met, so never "not yet" on the list either (it filters by goal).
    assert set(projects.filter(goal_met=False).values_list("name", flat=True)) == {
        "丙",
        "丁",
        "戊",
        "庚",
        "壬",
    }
    assert set(projects.filter(goal_met=True).values_list("name", flat=True)) == {
        "甲",
        "乙",
        "己",
        "辛",
    }


def test_each_section_reports_its_latest_counted_stage_and_its_amounts(world, zhengzhou, kaifeng):
    ji = Project.objects.get(name="己")
    make_update(ji, zhengzhou, 1, Stage.CONSTRUCTION, "主体施工", amount=Decimal("0.5"))
    make_update(ji, kaifeng, 3, Stage.COMPLETED, "开封草稿", status="draft", amount=Decimal(9))
    with CaptureQueriesContext(connection) as captured:
        sections = Figures(world.plan, 3).project_sections(ji)
    assert len(captured) == 1
    assert sections == [
        SectionProgress(zhengzhou, 2, Stage.COMPLETED, "路基施工中", Decimal("2.5")),
        SectionProgress(kaifeng, 2, Stage.COMPLETED, "路基施工中", Decimal(1)),
    ]
    assert Figures(world.plan, 1).project_sections(ji) == [
        SectionProgress(zhengzhou, 1, Stage.CONSTRUCTION, "主体施工", Decimal("0.5")),
        SectionProgress(kaifeng, None, "", "", None),
    ]


def test_each_city_counts_only_approved_updates_with_the_switch(world, zhengzhou, kaifeng):
    ProjectUpdate.objects.filter(project__name__in=["乙", "辛"]).update(status="approved")
    figures = Figures(world.plan, 2, approved_only=True)
    # 甲 started by its date; 乙 (Zhengzhou) and 辛 (Kaifeng) by their approved updates; 己's
    # 建成 is only submitted.
    assert ProjectFigures(figures).city_counts(figures.project_set()) == {
        zhengzhou.pk: ProjectCounts(5, 2, 2, 0, investment=Decimal(3)),
        kaifeng.pk: ProjectCounts(3, 2, 1, 0, investment=Decimal("0.5")),
    }


def test_a_carried_project_stands_where_last_year_left_it_until_this_year_reports(
    world, zhengzhou, kaifeng
):
    # 己 (建成 in both its cities in 2021) and 庚 (在建 in Zhengzhou) go on in 2022.
    later = make_plan(2022)
    task = make_task(make_area(later), 1, "100", [zhengzhou, kaifeng])
    earlier = {project.name: project for project in Project.objects.filter(name__in="己庚")}
    ji = make_project(task, "己", Goal.COMPLETE, [zhengzhou, kaifeng], predecessor=earlier["己"])
    make_project(task, "庚", Goal.START, [zhengzhou], predecessor=earlier["庚"])
    figures = Figures(later, 1)
    assert figures.projects() == ProjectCounts(1, 1, 1, 1)
    assert ProjectFigures(figures).city_counts(figures.project_set()) == {
        zhengzhou.pk: ProjectCounts(1, 1, 1, 1),
        kaifeng.pk: ProjectCounts(0, 0, 1, 1),
    }
    # The office takes 己's Kaifeng section back to 在建 in 2022 Q1: this year's update counts.
    make_update(ji, kaifeng, 1, Stage.CONSTRUCTION, amount=Decimal(2))
    figures = Figures(later, 1)
    assert figures.projects() == ProjectCounts(1, 1, 1, 0, investment=Decimal(2))
    assert ProjectFigures(figures).city_counts(figures.project_set())[kaifeng.pk] == (
        ProjectCounts(0, 0, 1, 0, investment=Decimal(2))
    )
    rows = figures.project_rows(Project.objects.filter(task=task).order_by("name"))
    assert [(row.project.name, row.stage, row.goal_met) for row in rows] == [
        ("己", Stage.CONSTRUCTION, False),
        ("庚", Stage.CONSTRUCTION, True),
    ]


def test_a_page_of_rows_is_those_projects_rows_in_the_whole_list(world):
    figures = Figures(world.plan, 2)
    projects = Project.objects.order_by("pk")
    whole = figures.project_rows(projects)
    assert [(row.project.name, row.stage) for row in whole[2:5]] == [
        ("丙", Stage.PREPARATION),
        ("丁", ""),
        ("戊", ""),
    ]
    assert figures.project_rows(projects[2:5]) == whole[2:5]
