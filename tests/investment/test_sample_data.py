from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum

from investment.models import ProgressReport
from tasks.models import CityAllocation, Task
from tests.builders import make_allocation, make_report


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def sample_2021(sample_world):
    return sample_world


def test_every_sample_row_is_flagged(sample_2021):
    assert ProgressReport.objects.count() == ProgressReport.objects.sample().count() > 0
    assert CityAllocation.objects.count() == CityAllocation.objects.sample().count() > 0


def test_sample_allocations_never_exceed_a_task_target(sample_2021):
    for task in Task.objects.of_plan(sample_2021).with_target():
        allocated = task.allocations.aggregate(total=Sum("amount"))["total"]
        assert allocated <= task.target, task.code


def test_tasks_without_a_target_get_sample_notes_but_no_amounts(sample_2021):
    assert not CityAllocation.objects.filter(task__target__isnull=True).exists()
    notes = ProgressReport.objects.filter(task__target__isnull=True)
    assert notes.exists()
    assert set(notes.values_list("amount", "note")) == {(0, "示例进展，不是真实填报。")}


def test_sample_is_the_same_every_time(sample_2021):
    first = list(ProgressReport.objects.values_list("task__pk", "city__slug", "quarter", "amount"))
    run("purge_sample_data")
    run("load_sample_data", "2021")
    again = list(ProgressReport.objects.values_list("task__pk", "city__slug", "quarter", "amount"))
    assert again == first


def test_loading_the_sample_twice_adds_nothing(sample_2021):
    reports = ProgressReport.objects.count()
    assert "新增 0 条城市分配、0 条季度填报" in run("load_sample_data", "2021")
    assert ProgressReport.objects.count() == reports


def test_sample_leaves_tasks_with_real_allocations_alone(plan_2021):
    task = Task.objects.of_plan(plan_2021).by_code("2.2").get()
    zhengzhou = task.cities.get(slug="zhengzhou")
    make_allocation(task, zhengzhou, "80")
    run("load_sample_data", "2021")
    assert list(task.allocations.values_list("amount", "is_sample")) == [(Decimal("80"), False)]
    assert not task.reports.exists()


def test_purge_removes_sample_rows_and_nothing_else(sample_2021):
    task = Task.objects.of_plan(sample_2021).by_code("2.2").get()
    task.allocations.all().delete()
    task.reports.all().delete()
    zhengzhou = task.cities.get(slug="zhengzhou")
    real_allocation = make_allocation(task, zhengzhou, "80")
    real_report = make_report(task, zhengzhou, 1, "20")
    output = run("purge_sample_data")
    assert list(CityAllocation.objects.all()) == [real_allocation]
    assert list(ProgressReport.objects.all()) == [real_report]
    assert "已删除" in output


@pytest.mark.django_db
def test_sample_for_a_year_without_a_plan_fails_clearly():
    with pytest.raises(CommandError, match="请先运行 load_plan 2030"):
        run("load_sample_data", "2030")


def test_the_admin_shows_the_sample_banner_too(sample_2021, admin_client):
    html = admin_client.get("/admin/").content.decode()
    assert "本站显示的城市分配和季度填报是演示用的虚构数字" in html
