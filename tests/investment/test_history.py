"""A task's change history, as its page lists it."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from investment.history import task_history
from tests.builders import make_area, make_plan, make_task

pytestmark = pytest.mark.django_db


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
    changes = task_history(task)
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

    from investment.models import ProgressReport
    from tests.builders import make_report

    task = make_task(make_area(make_plan()), 1, "100", [zhengzhou])
    report = make_report(task, zhengzhou, 1, "1", ProgressReport.Status.DRAFT)
    with CaptureQueriesContext(connection) as few:
        task_history(task)
    for amount in range(2, 30):
        report.amount = Decimal(amount)
        report.save()
    with CaptureQueriesContext(connection) as many:
        assert len(task_history(task)) == 30
    assert len(many) == len(few) == 4
