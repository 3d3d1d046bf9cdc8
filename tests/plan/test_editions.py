"""A plan's members and life: places with their codes, cities whole or in part, single
counties, retired places; draft, issued on a date, current."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from plan.models import City, Member, Plan
from tests.builders import make_city, make_plan

pytestmark = pytest.mark.django_db


def refused(row) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    return error.value.message_dict


@pytest.fixture
def luoyang(db) -> City:
    return make_city("luoyang", "洛阳", 3, code="410300")


@pytest.fixture
def yanshi(luoyang) -> City:
    return make_city("yanshi", "偃师区", 31, code="410381", parent=luoyang)


def test_a_place_code_is_six_digits_of_gb_t_2260():
    assert refused(City(slug="x", name="某地", code="4103"))["code"] == [
        "行政区划代码：应为 GB/T 2260 的六位数字，如 410100。"
    ]
    assert refused(City(slug="x", name="某地", code="41030A"))["code"] == [
        "行政区划代码：应为 GB/T 2260 的六位数字，如 410100。"
    ]


def test_a_county_under_the_wrong_city_is_refused(luoyang):
    county = City(slug="jiaxian", name="郏县", code="410425", parent=luoyang)
    assert refused(county)["parent"] == ["所属城市：代码 410425 不是洛阳（410300）下辖的县区。"]


def test_a_county_lies_in_a_city_not_in_another_county(yanshi):
    assert refused(City(slug="x", name="某镇", code="410381", parent=yanshi))["parent"] == [
        "所属城市：县区只能属于城市，不能属于另一个县区。"
    ]


def test_a_plan_holds_a_city_once(luoyang):
    plan = make_plan(2024)
    assert refused(Member(plan=plan, place=luoyang)) == {"__all__": ["该工作要点已包含这个地区。"]}


def test_a_city_cannot_be_held_whole_and_through_a_county_of_its_own(luoyang, yanshi):
    plan = make_plan(2024)  # holds 洛阳 whole
    assert refused(Member(plan=plan, place=yanshi))["place"] == [
        "地区：该工作要点已包含洛阳；请把偃师区列为它的成员县区。"
    ]
    Member.objects.filter(plan=plan, place=luoyang).delete()
    Member.objects.create(plan=plan, place=yanshi)
    assert refused(Member(plan=plan, place=luoyang))["place"] == [
        "地区：该工作要点已单独包含洛阳的县区；请改为部分包含该市。"
    ]


def test_member_counties_lie_in_their_city(luoyang, yanshi, zhengzhou):
    plan = make_plan(2024)
    member = Member.objects.get(plan=plan, place=zhengzhou)
    with pytest.raises(ValidationError) as error:
        member.clean_counties([yanshi])
    assert error.value.message_dict == {"counties": ["成员县区：偃师区不在郑州境内。"]}


def test_a_city_in_part_is_named_so_on_its_plans_pages(luoyang, yanshi):
    plan = make_plan(2024)
    Member.objects.get(plan=plan, place=luoyang).counties.set([yanshi])
    assert [city.display_name for city in City.objects.of_plan(plan)] == ["洛阳（部分）"]
    earlier = make_plan(2023)
    assert [city.display_name for city in City.objects.of_plan(earlier)] == ["洛阳"]


def test_a_retired_place_stays_in_earlier_plans_and_leaves_later_ones(luoyang):
    make_plan(2022)
    luoyang.retired_from = 2024
    luoyang.save()
    assert refused(Member(plan=make_plan(2024, status=Plan.Status.DRAFT), place=luoyang)) == {
        "place": ["地区：洛阳自 2024 年起已停用。"]
    }
    assert list(City.objects.of_plan(Plan.objects.get(year=2022))) == [luoyang]


def test_an_issue_date_falls_within_the_plans_year():
    plan = make_plan(2020, issued_on=date(2021, 1, 5))
    assert refused(plan)["issued_on"] == ["印发日期：应在工作要点所属年度（2020 年）之内。"]


def test_quarters_ended_before_the_issue_date_owe_nothing():
    plan = make_plan(2020, issued_on=date(2020, 9, 3))
    assert [plan.owes(quarter) for quarter in (1, 2, 3, 4)] == [False, False, True, True]
    assert make_plan(2021).owes(1)  # its date not stated: every quarter is owed


def test_a_draft_never_takes_over_and_the_office_may_mark_a_plan_current():
    first = make_plan(2021)
    make_plan(2022)
    make_plan(2023, status=Plan.Status.DRAFT)
    assert Plan.objects.current().year == 2022
    first.is_current = True
    first.save()
    assert Plan.objects.current() == first
    later = Plan.objects.get(year=2022)
    later.is_current = True
    later.save()
    assert list(Plan.objects.filter(is_current=True)) == [later]


def test_a_draft_cannot_be_current():
    plan = make_plan(2023, status=Plan.Status.DRAFT, is_current=True)
    assert refused(plan)["is_current"] == ["当前工作要点：草稿不能设为当前，请先印发。"]


def test_declared_counts_may_be_not_stated():
    plan = make_plan(2020, areas=None, tasks=None)
    plan.full_clean()
    assert (plan.declared_area_count, plan.declared_task_count) == (None, None)
