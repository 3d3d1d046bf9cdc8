from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from investment.models import ProgressReport
from tests.builders import make_area, make_plan, make_report, make_task

pytestmark = pytest.mark.django_db

Status = ProgressReport.Status


@pytest.fixture
def task(zhengzhou):
    return make_task(make_area(make_plan(year=2021)), target="100", cities=[zhengzhou])


def report(task, city, **changes) -> ProgressReport:
    values = {"year": 2021, "quarter": 1, "amount": Decimal("12.5"), **changes}
    return ProgressReport(task=task, city=city, **values)


def refused(obj) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as error:
        obj.full_clean()
    return error.value.message_dict


def test_a_valid_report_is_accepted_as_a_draft(task, zhengzhou):
    valid = report(task, zhengzhou)
    valid.full_clean()
    valid.save()
    assert valid.status == Status.DRAFT
    assert ProgressReport.objects.get().amount == Decimal("12.5000")


def test_negative_amount_is_refused(task, zhengzhou):
    assert refused(report(task, zhengzhou, amount=Decimal("-0.0001"))) == {
        "amount": ["本季度完成投资(亿元)不能为负数。"]
    }


@pytest.mark.parametrize("quarter", [0, 5])
def test_quarter_outside_one_to_four_is_refused(task, zhengzhou, quarter):
    assert refused(report(task, zhengzhou, quarter=quarter)) == {"quarter": ["季度必须是 1 到 4。"]}


def test_city_outside_the_task_is_refused(task, xuchang):
    assert refused(report(task, xuchang)) == {"city": ["城市：该城市不参与这项任务。"]}


def test_year_other_than_the_plans_is_refused(task, zhengzhou):
    assert refused(report(task, zhengzhou, year=2022)) == {
        "year": ["年度必须是工作要点的年度 2021。"]
    }


def test_second_report_for_one_quarter_is_refused(task, zhengzhou):
    make_report(task, zhengzhou, 1, "10")
    assert refused(report(task, zhengzhou)) == {
        "__all__": ["该城市本季度已填报过这项任务，不能重复填报。"]
    }
    assert ProgressReport.objects.get().amount == Decimal("10")


def test_drafts_and_returned_reports_do_not_count(task, zhengzhou):
    make_report(task, zhengzhou, 1, "1", Status.DRAFT)
    make_report(task, zhengzhou, 2, "2", Status.SUBMITTED)
    make_report(task, zhengzhou, 3, "3", Status.APPROVED)
    make_report(task, zhengzhou, 4, "4", Status.RETURNED)
    assert sorted(ProgressReport.objects.counted().values_list("quarter", flat=True)) == [2, 3]
    assert list(ProgressReport.objects.counted().through(2).values_list("quarter", flat=True)) == [
        2
    ]
    assert list(ProgressReport.objects.approved().values_list("quarter", flat=True)) == [3]
