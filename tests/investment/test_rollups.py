from decimal import Decimal

import pytest

from investment import rollups
from tests.builders import make_area, make_city, make_plan, make_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    """Two areas: area 1 has targets 100 and 50.5 and one task without; area 2 none at all."""
    plan = make_plan(areas=3, tasks=5)
    city = make_city("zhengzhou", "郑州")
    first = make_area(plan, 1)
    make_task(first, 1, "100", [city])
    make_task(first, 2, "50.5", [city])
    make_task(first, 3, None, [city])
    second = make_area(plan, 2, "郑开同城化")
    make_task(second, 1, None, [city])
    return plan


def test_plan_targets_sum_stated_targets_and_count_the_rest(plan):
    assert rollups.plan_targets(plan) == rollups.Targets(
        stated=Decimal("150.5"), task_count=4, unstated_count=2
    )


def test_area_targets_per_area(plan):
    rows = rollups.area_targets(plan)
    assert [(row.area.number, row.targets) for row in rows] == [
        (1, rollups.Targets(stated=Decimal("150.5"), task_count=3, unstated_count=1)),
        (2, rollups.Targets(stated=Decimal("0"), task_count=1, unstated_count=1)),
    ]
    assert all(isinstance(row.targets.stated, Decimal) for row in rows)


def test_an_area_without_tasks_has_zero_tasks(plan):
    make_area(plan, 3, "绿色魅力")
    assert rollups.area_targets(plan)[-1].targets == rollups.Targets(Decimal(0), 0, 0)


def test_coverage_compares_listed_with_declared(plan):
    coverage = rollups.plan_coverage(plan)
    assert coverage == rollups.Coverage(
        listed_areas=2, declared_areas=3, listed_tasks=4, declared_tasks=5
    )
    assert not coverage.complete


def test_plan_2021_figures(plan_2021):
    assert rollups.plan_targets(plan_2021) == rollups.Targets(Decimal("1130"), 22, 5)
    assert rollups.plan_coverage(plan_2021) == rollups.Coverage(6, 7, 22, 23)
