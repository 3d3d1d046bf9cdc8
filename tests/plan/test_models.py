import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from plan.models import FocusArea, Plan
from tasks.forms import PlanForm
from tasks.models import with_coverage
from tests.builders import make_area, make_city, make_plan

pytestmark = pytest.mark.django_db


def messages(error: ValidationError) -> dict[str, list[str]]:
    return error.message_dict


def test_focus_area_number_beyond_the_declared_count_is_refused():
    plan = make_plan(areas=7)
    area = FocusArea(plan=plan, number=8, name="多余要点")
    with pytest.raises(ValidationError) as error:
        area.full_clean()
    assert messages(error.value) == {"number": ["序号：工作要点只公布了 7 个要点。"]}


def test_focus_area_number_zero_is_refused():
    area = FocusArea(plan=make_plan(), number=0, name="零")
    with pytest.raises(ValidationError) as error:
        area.full_clean()
    assert messages(error.value)["number"] == ["序号：从 1 开始。"]


def test_two_areas_with_one_number_are_refused():
    plan = make_plan()
    make_area(plan, number=1)
    with pytest.raises(ValidationError) as error:
        FocusArea(plan=plan, number=1, name="重复").full_clean()
    assert messages(error.value) == {"__all__": ["序号：该工作要点已有这个序号的要点。"]}
    assert FocusArea.objects.count() == 1


def test_a_second_plan_for_one_year_is_refused():
    make_plan(year=2021)
    with pytest.raises(ValidationError) as error:
        Plan(
            year=2021, title="x", source="x", declared_area_count=1, declared_task_count=1
        ).full_clean()
    assert messages(error.value) == {"year": ["该年度的工作要点已存在。"]}


def test_names_are_chinese_first_and_english_on_request():
    city = make_city("kaifeng", "开封")
    assert city.display_name == "开封"
    with translation.override("en"):
        assert city.display_name == "Kaifeng"


def test_english_falls_back_to_chinese_where_no_english_name_is_recorded():
    plan = make_plan()
    area = FocusArea.objects.create(plan=plan, number=1, name="绿色魅力")
    with translation.override("en"):
        assert area.display_name == "绿色魅力"


def test_plan_coverage_counts_areas_and_tasks_listed():
    from tests.builders import make_task

    plan = make_plan(areas=7, tasks=23)
    area = make_area(plan, 1)
    make_task(area, 1)
    make_task(area, 2)
    counted = with_coverage(Plan.objects.all()).get()
    assert (counted.listed_area_count, counted.listed_task_count) == (1, 2)


def test_a_plan_with_areas_cannot_change_its_year():
    plan = make_plan(year=2021)
    make_area(plan, 1)
    plan.year = 2022
    with pytest.raises(ValidationError) as error:
        plan.full_clean()
    assert messages(error.value) == {"year": ["已有要点的工作要点不能修改年度。"]}


def test_declared_counts_cannot_fall_below_what_is_listed():
    from tests.builders import make_task

    plan = make_plan(areas=2, tasks=2)
    area = make_area(plan, 1)
    make_area(plan, 2, "产业协同")
    make_task(area, 1)
    make_task(area, 2)
    plan.declared_area_count = 1
    plan.declared_task_count = 1
    with pytest.raises(ValidationError) as error:
        plan.full_clean()
    assert messages(error.value) == {
        "declared_area_count": ["已列出 2 个要点，公布的要点数不能更少。"]
    }
    # The tasks are the tasks app's to count: the plan's form says so.
    data = {"year": 2021, "title": plan.title, "source": plan.source, "declared_area_count": 2}
    data |= {"status": "issued", "pace_q1": 25, "pace_q2": 50, "pace_q3": 75, "pace_q4": 100}
    data |= {"report_deadline_days": 10}
    form = PlanForm({**data, "declared_task_count": 1}, instance=plan)
    assert form.errors == {"declared_task_count": ["已列出 2 项任务，公布的任务数不能更少。"]}


def test_a_focus_area_cannot_move_to_another_year():
    area = make_area(make_plan(year=2021), 1)
    area.plan = make_plan(year=2022)
    with pytest.raises(ValidationError) as error:
        area.full_clean()
    assert messages(error.value) == {"plan": ["要点不能移到另一年度的工作要点。"]}
