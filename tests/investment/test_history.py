"""A task's change history, as its page lists it."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from investment.history import task_history
from tests.builders import make_area, make_plan, make_task

# The office, as the steps ask who takes them (a superuser reads no groups).
OFFICE = User(is_superuser=True)

pytestmark = pytest.mark.django_db


def test_task_history_lists_changes_with_before_and_after(zhengzhou, django_user_model):
    from tests.builders import make_allocation, make_report

    task = make_task(make_area(make_plan()), 1, "100", [zhengzhou])
    allocation = make_allocation(task, zhengzhou, "60")
    allocation.amount = Decimal("55")
    allocation.save()
    report = make_report(task, zhengzhou, 1, "3")
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
    report = make_report(task, zhengzhou, 1, "1", ProgressReport.Status.SUBMITTED)
    with CaptureQueriesContext(connection) as few:
        task_history(task)
    for amount in range(2, 30):
        report.amount = Decimal(amount)
        report.save()
    with CaptureQueriesContext(connection) as many:
        assert len(task_history(task)) == 30
    assert len(many) == len(few) == 4


def test_task_history_shows_no_draft_or_returned_record(zhengzhou, kaifeng, django_user_model):
    from investment.models import ProgressReport
    from tests.builders import make_report

    task = make_task(make_area(make_plan()), 1, "100", [zhengzhou, kaifeng])
    draft = make_report(task, kaifeng, 1, "4.5", ProgressReport.Status.DRAFT)
    draft.note = "开封的草稿说明"
    draft.save()
    counted = make_report(task, zhengzhou, 1, "2")
    counted.send_back(OFFICE, "数字不对")
    counted.save()
    whats = [change.what for change in task_history(task)]
    assert whats == ["季度填报 郑州 2021Q1", "任务 1.1"]
    assert "开封的草稿说明" not in str(task_history(task))


def test_a_submitted_report_is_diffed_against_its_last_counted_record_not_its_draft(zhengzhou):
    from investment.models import ProgressReport
    from tests.builders import make_report

    task = make_task(make_area(make_plan()), 1, "100", [zhengzhou])
    report = make_report(task, zhengzhou, 1, "3", ProgressReport.Status.DRAFT)
    report.amount = Decimal("7")
    report.save()
    report.submit(OFFICE)
    report.save()
    submitted = task_history(task)[0]
    assert submitted.what == "季度填报 郑州 2021Q1"
    assert submitted.fields == [
        ("本季度完成投资(亿元)", None, Decimal("7.0000")),
        ("状态", None, "已报送"),
    ]
    report.approve(OFFICE)
    report.save()
    assert task_history(task)[0].fields == [("状态", "已报送", "已审核")]


def test_task_history_names_people_not_user_ids(zhengzhou, django_user_model):
    from tests.builders import make_report

    clerk = django_user_model.objects.create_user("kf-clerk", first_name="王丽")
    office = django_user_model.objects.create_user("office-li")
    task = make_task(make_area(make_plan()), 1, "100", [zhengzhou])
    report = make_report(task, zhengzhou, 1, "3")
    report.updated_by = clerk
    report._history_user = clerk
    report.save()
    report.updated_by = office
    report._history_user = office
    report.save()
    latest, earlier = task_history(task)[:2]
    assert (latest.who, earlier.who) == ("office-li", "王丽")
    assert latest.fields == []  # Who last touched it is said once, not as a changed field.


def test_loading_the_sample_is_not_listed_as_anyones_change(sample_world):
    from tasks.models import Task

    task = Task.objects.of_plan(sample_world).by_code("2.2").get()
    kinds = {change.what.split(" ")[0] for change in task_history(task)}
    assert kinds == {"任务", "工作节点"}  # The plan as loaded; no sample allocation or report.


def test_task_history_names_a_lead_unit_never_its_database_id(zhengzhou):
    from plan.models import Unit

    task = make_task(make_area(make_plan()), 1, "100", [zhengzhou])
    unit = Unit.objects.create(name="省发展改革委", kind="province")
    task.lead_unit = unit
    task.save()
    change = task_history(task)[0]
    assert change.fields == [("牵头单位", None, "省发展改革委")]
