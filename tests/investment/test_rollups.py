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


@pytest.fixture
def grid(zhengzhou, kaifeng, xuchang):
    """Task 1 in Zhengzhou and Kaifeng, task 2 in Kaifeng and Xuchang, reports for Q2."""
    from investment.models import ProgressReport
    from tests.builders import make_report

    Status = ProgressReport.Status
    area = make_area(make_plan())
    first = make_task(area, 1, "100", [zhengzhou, kaifeng])
    second = make_task(area, 2, "100", [kaifeng, xuchang])
    make_report(first, zhengzhou, 2, "3", Status.APPROVED)
    make_report(first, kaifeng, 2, "0", Status.SUBMITTED)
    make_report(second, kaifeng, 2, "1", Status.DRAFT)
    make_report(second, xuchang, 1, "1", Status.SUBMITTED)
    return first.area.plan


def states(coverage):
    return [[(cell.state.value, cell.late) for cell in row.cells] for row in coverage.rows]


def test_coverage_tells_apart_every_state(grid, zhengzhou, kaifeng, xuchang):
    from datetime import date

    coverage = rollups.reporting_coverage(grid, 2, [zhengzhou, kaifeng, xuchang], date(2021, 7, 10))
    assert coverage.deadline == date(2021, 7, 10)
    assert states(coverage) == [
        [("approved", False), ("zero", False), ("n/a", False)],
        [("n/a", False), ("draft", False), ("missing", False)],
    ]
    assert coverage.count(rollups.Cell.MISSING) == 1


def test_coverage_marks_pending_cells_late_after_the_deadline(grid, zhengzhou, kaifeng, xuchang):
    from datetime import date

    coverage = rollups.reporting_coverage(grid, 2, [zhengzhou, kaifeng, xuchang], date(2021, 7, 11))
    assert states(coverage)[1] == [("n/a", False), ("draft", True), ("missing", True)]
    assert [task.number for task in coverage.pending(kaifeng)] == [2]


def test_deadline_is_configurable_per_plan(grid):
    from datetime import date

    grid.report_deadline_days = 20
    assert grid.deadline(4) == date(2022, 1, 20)


def test_task_history_lists_changes_with_before_and_after(zhengzhou, django_user_model):
    from investment.models import ProgressReport
    from tests.builders import make_allocation, make_report

    task = make_task(make_area(make_plan()), 1, "100", [zhengzhou])
    allocation = make_allocation(task, zhengzhou, "60")
    allocation.amount = Decimal("55")
    allocation.save()
    report = make_report(task, zhengzhou, 1, "3", ProgressReport.Status.DRAFT)
    report.amount = Decimal("3.5")
    report._change_reason = "台账更正"
    report.save()
    changes = rollups.task_history(task)
    assert [(c.kind, c.what.split(" ")[0]) for c in changes] == [
        ("~", "季度填报"),
        ("+", "季度填报"),
        ("~", "城市分配"),
        ("+", "城市分配"),
        ("+", "任务"),
    ]
    assert changes[0].fields == [("本季度完成投资(亿元)", Decimal("3.0000"), Decimal("3.5"))]
    assert changes[0].reason == "台账更正"
    assert changes[2].fields == [("分配金额(亿元)", Decimal("60.0000"), Decimal("55"))]


def test_task_history_queries_do_not_grow_with_changes(zhengzhou):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from investment.models import ProgressReport
    from tests.builders import make_report

    task = make_task(make_area(make_plan()), 1, "100", [zhengzhou])
    report = make_report(task, zhengzhou, 1, "1", ProgressReport.Status.DRAFT)
    with CaptureQueriesContext(connection) as few:
        rollups.task_history(task)
    for amount in range(2, 30):
        report.amount = Decimal(amount)
        report.save()
    with CaptureQueriesContext(connection) as many:
        assert len(rollups.task_history(task)) == 30
    assert len(many) == len(few) == 4
