"""Open, overdue, closed and refused problems and 办结率 as of a quarter, for the plan, a city,
a task, a project and a unit, per city and per unit; and the problems among the warnings."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest

from figures.problems import ProblemCounts
from figures.rollups import Figures
from plan.models import Unit
from problems.models import Problem
from tasks.models import Project
from tests.builders import make_problem, make_project, make_world

Status = Problem.Status
END_OF_YEAR = date(2021, 12, 31)


@pytest.fixture
def world(zhengzhou, kaifeng):
    """On 1.1, raised by Zhengzhou unless said, to the 资规局 (A) or 发改委 (B):

    p1 closed on time (deadline 8-31, closed 8-20), A; p2 closed late (8-31, 9-15), A;
    p3 assigned, deadline 9-10, A; p4 answered, deadline 10-31, A; p5 closed late after the
    third quarter (9-20, 10-10), A, on the project; p6 refused 8-05, B; p7 raised 10-05,
    assigned, deadline 12-01, A; p8 raised 9-01, not yet assigned; p9 by Kaifeng, closed on
    its deadline 9-30, B. All raised 7-01 unless said.
    """
    world = make_world(zhengzhou, kaifeng)
    a = Unit.objects.create(name="郑州市自然资源和规划局", short_name="资规局", kind="other")
    b = Unit.objects.create(name="开封市发展和改革委员会", short_name="发改委", kind="other")
    project = make_project(world.rail, "郑开城际延长线", Project.Goal.START, [zhengzhou])
    july = date(2021, 7, 1)
    rail = world.rail

    def raise_(status, unit, deadline, closed_on=None, city=zhengzhou, on=july, **fields):
        return make_problem(rail, city, on, status, unit, deadline, closed_on, **fields)

    raise_(Status.CLOSED, a, date(2021, 8, 31), date(2021, 8, 20))
    raise_(Status.CLOSED, a, date(2021, 8, 31), date(2021, 9, 15))
    raise_(Status.ASSIGNED, a, date(2021, 9, 10))
    raise_(Status.ANSWERED, a, date(2021, 10, 31))
    raise_(Status.CLOSED, a, date(2021, 9, 20), date(2021, 10, 10), project=project)
    raise_(Status.REFUSED, b, None, date(2021, 8, 5), on=date(2021, 8, 1))
    raise_(Status.ASSIGNED, a, date(2021, 12, 1), on=date(2021, 10, 5))
    raise_(Status.RAISED, None, None, on=date(2021, 9, 1))
    raise_(Status.CLOSED, b, date(2021, 9, 30), date(2021, 9, 30), city=kaifeng)
    return SimpleNamespace(
        plan=world.plan, rail=rail, industry=world.industry, units=(a, b), project=project
    )


def counts(day, open_, overdue, closed, on_time, refused, red=0) -> ProblemCounts:
    return ProblemCounts(day, open_, overdue, closed, on_time, refused, red)


def test_the_plan_s_problems_as_of_the_third_quarter(world):
    found = Figures(world.plan, 3).problems(today=END_OF_YEAR)
    assert found == counts(date(2021, 9, 30), 4, 2, 3, 2, 1)
    assert (found.due, found.rate) == (5, Decimal("40.0"))


def test_a_problem_closed_after_the_quarter_was_open_and_overdue_at_its_end(world):
    q4 = Figures(world.plan, 4).problems(today=END_OF_YEAR)
    # p3 and p4 are over 30 days late by the year's end (red); p7 exactly 30.
    assert q4 == counts(END_OF_YEAR, 4, 3, 4, 2, 1, red=2)
    assert q4.rate == Decimal("28.6")


def test_the_as_of_day_is_today_when_the_quarter_has_not_ended(world):
    found = Figures(world.plan, 4).problems(today=date(2021, 10, 1))
    assert found == counts(date(2021, 10, 1), 4, 2, 3, 2, 1)


def test_the_rate_is_none_while_nothing_is_due(world):
    assert Figures(world.plan, 2).problems(today=END_OF_YEAR) == counts(
        date(2021, 6, 30), 0, 0, 0, 0, 0
    )
    assert Figures(world.plan, 2).problems(today=END_OF_YEAR).rate is None
    only_open = Figures(world.plan, 3).problems(world.units[0], today=date(2021, 7, 2))
    assert (only_open.open, only_open.due, only_open.rate) == (5, 0, None)


def test_a_city_counts_the_problems_it_raised(world, kaifeng, zhengzhou):
    figures = Figures(world.plan, 3)
    assert figures.problems(kaifeng, END_OF_YEAR) == counts(date(2021, 9, 30), 0, 0, 1, 1, 0)
    assert figures.problems(zhengzhou, END_OF_YEAR).rate == Decimal("25.0")


def test_a_task_a_project_and_a_unit_count_their_own(world):
    figures = Figures(world.plan, 3)
    day = date(2021, 9, 30)
    assert figures.problems(world.rail, END_OF_YEAR) == counts(day, 4, 2, 3, 2, 1)
    assert figures.problems(world.industry, END_OF_YEAR) == counts(day, 0, 0, 0, 0, 0)
    assert figures.problems(world.project, END_OF_YEAR) == counts(day, 1, 1, 0, 0, 0)
    a, b = world.units
    assert figures.problems(a, END_OF_YEAR) == counts(day, 3, 2, 2, 1, 0)
    assert figures.problems(b, END_OF_YEAR) == counts(day, 0, 0, 1, 1, 1)


def test_per_city_in_city_order(world, zhengzhou, kaifeng):
    rows = Figures(world.plan, 3).problem_cities(today=END_OF_YEAR)
    day = date(2021, 9, 30)
    assert [(row.subject, row.counts) for row in rows] == [
        (zhengzhou, counts(day, 4, 2, 2, 1, 1)),
        (kaifeng, counts(day, 0, 0, 1, 1, 0)),
    ]
    assert [row.counts.rate for row in rows] == [Decimal("25.0"), Decimal("100.0")]


def test_per_unit_by_name_with_those_not_yet_assigned_last(world):
    a, b = world.units
    rows = Figures(world.plan, 3).problem_units(today=END_OF_YEAR)
    day = date(2021, 9, 30)
    assert [(row.subject, row.counts) for row in rows] == [
        (b, counts(day, 0, 0, 1, 1, 1)),  # 开封… sorts before 郑州…
        (a, counts(day, 3, 2, 2, 1, 0)),
        (None, counts(day, 1, 0, 0, 0, 0)),
    ]
    assert [row.counts.rate for row in rows] == [Decimal("100.0"), Decimal("25.0"), None]


def test_a_breakdown_is_one_grouped_query_and_one_for_its_names(world, django_assert_num_queries):
    figures = Figures(world.plan, 3)
    with django_assert_num_queries(2):
        figures.problem_units(today=END_OF_YEAR)
    with django_assert_num_queries(1):
        figures.problems(today=END_OF_YEAR)


def test_the_warnings_list_red_then_orange_then_yellow_problems(world):
    a, _b = world.units
    soon = make_problem(world.industry, world.rail.cities.first(), date(2021, 9, 1))
    Problem.objects.filter(pk=soon.pk).update(
        status=Status.ASSIGNED, unit=a, deadline=date(2021, 10, 5)
    )
    red = make_problem(
        world.rail, world.rail.cities.first(), date(2021, 7, 1), Status.ASSIGNED, a,
        date(2021, 8, 1), title="征迁补偿未到位",
    )  # fmt: skip
    warnings = Figures(world.plan, 3).problem_warnings(Problem.objects.all(), END_OF_YEAR)
    assert [(w.problem.pk, w.colour, w.days_late) for w in warnings] == [
        (red.pk, "red", 60),
        (Problem.objects.get(deadline=date(2021, 9, 10)).pk, "orange", 20),
        (Problem.objects.get(deadline=date(2021, 9, 20)).pk, "orange", 10),
        (soon.pk, "yellow", 0),
    ]


def test_the_warnings_hold_only_the_problems_the_reader_may_see(world, kaifeng):
    visible = Problem.objects.filter(city=kaifeng)
    assert Figures(world.plan, 3).problem_warnings(visible, END_OF_YEAR) == []
