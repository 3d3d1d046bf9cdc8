"""开工率 and 竣工率: key projects counted by the year's goal, for the plan and its scopes."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from investment.figures import Figures, ProjectCounts, scope
from tasks.models import Project
from tests.builders import make_project, make_world

Goal, Stage = Project.Goal, Project.Stage


@pytest.fixture
def world(zhengzhou, kaifeng):
    """On 1.1 (the corridor, area 1): five to start, two started (one by date, one by stage),
    and two to complete, one completed by stage. On 2.1 (area 2): one to start, under
    construction, in Kaifeng only, and one to advance."""
    world = make_world(zhengzhou, kaifeng)
    both = [zhengzhou, kaifeng]
    make_project(world.rail, "甲", Goal.START, both, actual_start=date(2021, 3, 1))
    make_project(world.rail, "乙", Goal.START, both, stage=Stage.COMPLETED)
    make_project(world.rail, "丙", Goal.START, [zhengzhou], stage=Stage.PREPARATION)
    make_project(world.rail, "丁", Goal.START, [zhengzhou])
    make_project(world.rail, "戊", Goal.START, [zhengzhou])
    make_project(world.rail, "己", Goal.COMPLETE, both, stage=Stage.COMPLETED)
    make_project(world.rail, "庚", Goal.COMPLETE, [zhengzhou], stage=Stage.CONSTRUCTION)
    make_project(world.industry, "辛", Goal.START, [kaifeng], stage=Stage.CONSTRUCTION)
    make_project(world.industry, "壬", Goal.ADVANCE, [kaifeng], stage=Stage.CONSTRUCTION)
    return world


def test_the_plan_counts_projects_by_goal_and_progress(world):
    counts = Figures(world.plan, 2).projects()
    assert counts == ProjectCounts(to_start=6, started=3, to_complete=2, completed=1)
    assert counts.start_rate == Decimal("50.0")
    assert counts.complete_rate == Decimal("50.0")


def test_an_area_counts_only_its_tasks_projects(world):
    counts = Figures(world.plan, 2).projects(Q(area=world.rail.area))
    assert counts == ProjectCounts(to_start=5, started=2, to_complete=2, completed=1)
    assert counts.start_rate == Decimal("40.0")


def test_a_city_counts_the_projects_running_through_it(world, kaifeng):
    counts = Figures(world.plan, 2).projects(city=kaifeng)
    assert counts == ProjectCounts(to_start=3, started=3, to_complete=1, completed=1)
    assert counts.start_rate == Decimal("100.0")


def test_a_rate_is_none_when_no_project_has_that_goal(world, zhengzhou):
    counts = Figures(world.plan, 2).projects(Q(area=world.industry.area), city=zhengzhou)
    assert counts == ProjectCounts(0, 0, 0, 0)
    assert counts.start_rate is None and counts.complete_rate is None


def test_rates_round_to_one_place():
    assert ProjectCounts(3, 1, 3, 2).start_rate == Decimal("33.3")
    assert ProjectCounts(3, 1, 3, 2).complete_rate == Decimal("66.7")


def test_the_counts_take_one_query(world):
    with CaptureQueriesContext(connection) as captured:
        Figures(world.plan, 2).projects(Q(corridor=world.corridor))
    assert len(captured) == 1


def test_the_plan_area_city_and_corridor_scopes_carry_their_counts(world, kaifeng):
    figures = Figures(world.plan, 2)
    assert scope(figures, world.plan).projects.to_start == 6
    assert scope(figures, world.rail.area).projects.to_start == 5
    assert scope(figures, kaifeng).projects.to_start == 3
    assert scope(figures, world.corridor).projects == ProjectCounts(5, 2, 2, 1)
    assert scope(figures, world.rail).projects is None
