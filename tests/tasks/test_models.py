from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from tasks.models import CityAllocation, Milestone, Task
from tests.builders import make_allocation, make_area, make_plan, make_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(zhengzhou, kaifeng):
    """A task of 100 亿元 in Zhengzhou and Kaifeng only."""
    return make_task(make_area(make_plan()), target="100", cities=[zhengzhou, kaifeng])


def refused(obj) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as error:
        obj.full_clean()
    return error.value.message_dict


def test_task_code_is_area_and_number(task):
    assert task.code == "1.1"
    assert Task.objects.by_code("1.1").get() == task
    assert not Task.objects.by_code("1.2").exists()


@pytest.mark.parametrize("code", ["", "1", "1.", "a.b", "1.1.1", "../1"])
def test_a_malformed_code_finds_nothing(task, code):
    assert not Task.objects.by_code(code).exists()


def test_negative_task_target_is_refused(task):
    task.target = Decimal("-1")
    assert refused(task) == {"target": ["年度投资目标(亿元)不能为负数。"]}


def test_a_task_may_have_no_stated_target(task):
    task.target = None
    task.full_clean()


def test_allocation_within_the_target_is_accepted(task, zhengzhou, kaifeng):
    make_allocation(task, zhengzhou, "60")
    allocation = CityAllocation(task=task, city=kaifeng, amount=Decimal("40"))
    allocation.full_clean()


def test_allocations_over_the_target_are_refused(task, zhengzhou, kaifeng):
    make_allocation(task, zhengzhou, "60")
    allocation = CityAllocation(task=task, city=kaifeng, amount=Decimal("40.0001"))
    assert refused(allocation) == {
        "amount": ["分配金额：各城市分配合计将达 100.0001 亿元，超过任务年度目标 100 亿元。"]
    }
    assert CityAllocation.objects.count() == 1


def test_changing_an_allocation_counts_the_others_only(task, zhengzhou):
    allocation = make_allocation(task, zhengzhou, "60")
    allocation.amount = Decimal("100")
    allocation.full_clean()


def test_negative_allocation_is_refused(task, zhengzhou):
    allocation = CityAllocation(task=task, city=zhengzhou, amount=Decimal("-5"))
    assert refused(allocation) == {"amount": ["分配金额(亿元)不能为负数。"]}


def test_allocation_to_a_city_outside_the_task_is_refused(task, xuchang):
    allocation = CityAllocation(task=task, city=xuchang, amount=Decimal("5"))
    assert refused(allocation) == {"city": ["城市：该城市不参与这项任务。"]}


def test_second_allocation_for_one_city_is_refused(task, zhengzhou):
    make_allocation(task, zhengzhou, "10")
    allocation = CityAllocation(task=task, city=zhengzhou, amount=Decimal("5"))
    assert refused(allocation) == {"__all__": ["城市：该任务已有这个城市的分配。"]}


def test_allocation_of_a_task_without_target_is_refused(task, zhengzhou):
    task.target = None
    task.save()
    allocation = CityAllocation(task=task, city=zhengzhou, amount=Decimal("5"))
    assert refused(allocation) == {"amount": ["分配金额：该任务未公布年度目标，无从分配。"]}


def test_allocation_with_more_than_four_decimals_is_refused(task, zhengzhou):
    allocation = CityAllocation(task=task, city=zhengzhou, amount=Decimal("1.00001"))
    assert refused(allocation) == {"amount": ["分配金额(亿元)最多保留 4 位小数（精确到万元）。"]}


def test_allocation_beyond_the_fields_digits_is_refused(task, zhengzhou):
    allocation = CityAllocation(task=task, city=zhengzhou, amount=Decimal("123456789"))
    assert refused(allocation)["amount"][0] == "分配金额(亿元)数值过大。"


def test_milestone_in_a_city_outside_the_task_is_refused(task, xuchang):
    milestone = Milestone(task=task, city=xuchang, name="项目", kind=Milestone.Kind.START)
    assert refused(milestone) == {"city": ["城市：该城市不参与这项任务。"]}


def test_milestone_done_without_a_date_is_refused(task):
    milestone = Milestone(
        task=task, name="项目", kind=Milestone.Kind.COMPLETE, status=Milestone.Status.DONE
    )
    assert refused(milestone) == {"done_on": ["完成日期：标为已完成的工作节点须填写完成日期。"]}


@pytest.mark.parametrize("quarter", [0, 5])
def test_milestone_due_quarter_outside_one_to_four_is_refused(task, quarter):
    milestone = Milestone(task=task, name="项目", kind=Milestone.Kind.START, due_quarter=quarter)
    assert refused(milestone)["due_quarter"] == ["季度必须是 1 到 4。"]


def test_target_below_the_allocations_is_refused(task, zhengzhou, kaifeng):
    make_allocation(task, zhengzhou, "60")
    make_allocation(task, kaifeng, "30")
    task.target = Decimal("89.99")
    assert refused(task) == {
        "target": ["年度投资目标(亿元)：各城市已分配 90 亿元，年度目标不能更少。请先调低分配。"]
    }
    task.refresh_from_db()
    assert task.target == Decimal("100")


def test_target_cannot_be_cleared_while_allocated(task, zhengzhou):
    make_allocation(task, zhengzhou, "60")
    task.target = None
    assert refused(task) == {
        "target": ["年度投资目标(亿元)：各城市已分配 60 亿元，年度目标不能更少。请先调低分配。"]
    }


def test_a_task_cannot_move_to_another_years_plan(task):
    task.area = make_area(make_plan(year=2022), 1)
    assert refused(task) == {"area": ["任务不能移到另一年度的工作要点；请在那里新增任务。"]}


def test_rows_naming_a_city_include_reports_of_the_investment_app(task, zhengzhou, kaifeng):
    from tests.builders import make_report

    make_allocation(task, zhengzhou, "10")
    make_report(task, zhengzhou, 1, "2")
    assert task.rows_naming(zhengzhou) == ["城市分配", "季度填报"]
    assert task.rows_naming(kaifeng) == []
