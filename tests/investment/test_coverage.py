"""The coverage grid: who has reported what for a quarter, and what is late."""

from datetime import date

import pytest

from investment.coverage import Cell, reporting_coverage
from investment.models import ProgressReport
from tests.builders import make_area, make_plan, make_report, make_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def grid(zhengzhou, kaifeng, xuchang):
    """Task 1 in Zhengzhou and Kaifeng, task 2 in Kaifeng and Xuchang, reports for Q2."""

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

    coverage = reporting_coverage(grid, 2, [zhengzhou, kaifeng, xuchang], date(2021, 7, 10))
    assert coverage.deadline == date(2021, 7, 10)
    assert states(coverage) == [
        [("approved", False), ("zero", False), ("n/a", False)],
        [("n/a", False), ("draft", False), ("missing", False)],
    ]
    cells = [cell.state for row in coverage.rows for cell in row.cells]
    assert cells.count(Cell.MISSING) == 1


def test_coverage_marks_pending_cells_late_after_the_deadline(grid, zhengzhou, kaifeng, xuchang):

    coverage = reporting_coverage(grid, 2, [zhengzhou, kaifeng, xuchang], date(2021, 7, 11))
    assert states(coverage)[1] == [("n/a", False), ("draft", True), ("missing", True)]
    assert [task.number for task in coverage.pending(kaifeng)] == [2]


def test_deadline_is_configurable_per_plan(grid):

    grid.report_deadline_days = 20
    assert grid.deadline(4) == date(2022, 1, 20)


def test_a_task_without_a_money_target_owes_a_note_not_an_amount(zhengzhou, kaifeng):
    Status = ProgressReport.Status
    area = make_area(make_plan())
    policy = make_task(area, 1, None, [zhengzhou, kaifeng])
    noted = make_report(policy, zhengzhou, 2, "0", Status.SUBMITTED)
    noted.note = "印发方案"
    noted.save()
    make_report(policy, kaifeng, 2, "0", Status.SUBMITTED)  # Submitted, but with no note.
    coverage = reporting_coverage(area.plan, 2, [zhengzhou, kaifeng], date(2021, 7, 11))
    assert [(cell.state, cell.late) for cell in coverage.rows[0].cells] == [
        (Cell.SUBMITTED, False),
        (Cell.NOTE_OWED, True),
    ]
    assert Cell.NOTE_OWED.label == "待填进展情况"
