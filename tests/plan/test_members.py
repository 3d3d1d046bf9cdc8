"""Places and members through the admin's forms: rows checked against each other and against
what the plan names."""

import pytest
from django.core.exceptions import ValidationError

from people.access import reach
from plan.models import Member, Plan
from tests.builders import make_city, make_member, make_plan

pytestmark = pytest.mark.django_db


def plan_post(year: int, members: list[dict]) -> dict:
    data = {
        "year": year,
        "title": f"{year}年工作要点",
        "title_en": "",
        "source": "测试",
        "status": "draft",
        "issued_on": "",
        "declared_area_count": "",
        "declared_task_count": "",
        "pace_q1": 25,
        "pace_q2": 50,
        "pace_q3": 75,
        "pace_q4": 100,
        "report_deadline_days": 10,
        "members-TOTAL_FORMS": len(members),
        "members-INITIAL_FORMS": 0,
        "members-MIN_NUM_FORMS": 0,
        "members-MAX_NUM_FORMS": 1000,
        "areas-TOTAL_FORMS": 0,
        "areas-INITIAL_FORMS": 0,
        "areas-MIN_NUM_FORMS": 0,
        "areas-MAX_NUM_FORMS": 1000,
    }
    for index, member in enumerate(members):
        data[f"members-{index}-place"] = member["place"]
        if member.get("counties"):
            data[f"members-{index}-counties"] = member["counties"]
    return data


@pytest.fixture
def places(db):
    zhengzhou = make_city("zhengzhou", "郑州", 1, code="410100")
    kaifeng = make_city("kaifeng", "开封", 2, code="410200")
    zhongmu = make_city("zhongmu", "中牟县", 11, code="410122", parent=zhengzhou)
    lankao = make_city("lankao", "兰考县", 21, code="410225", parent=kaifeng)
    return zhengzhou, kaifeng, zhongmu, lankao


def test_a_city_and_its_own_county_added_together_are_refused(client, office, places):
    zhengzhou, _kaifeng, zhongmu, _lankao = places
    client.force_login(office)
    response = client.post(
        "/admin/plan/plan/add/",
        plan_post(2030, [{"place": zhengzhou.pk}, {"place": zhongmu.pk}]),
    )
    plan = Plan.objects.filter(year=2030).first()
    held = sorted(plan.members.values_list("place__name", flat=True)) if plan else []
    assert response.status_code == 200 and plan is None, held


def test_a_city_in_part_and_its_named_county_alone_together_are_refused(client, office, places):
    zhengzhou, _kaifeng, zhongmu, _lankao = places
    client.force_login(office)
    response = client.post(
        "/admin/plan/plan/add/",
        plan_post(2031, [{"place": zhengzhou.pk, "counties": [zhongmu.pk]}, {"place": zhongmu.pk}]),
    )
    assert response.status_code == 200 and not Plan.objects.filter(year=2031).exists()


def test_a_county_of_another_city_is_refused_as_a_member_county(client, office, places):
    zhengzhou, _kaifeng, _zhongmu, lankao = places
    client.force_login(office)
    response = client.post(
        "/admin/plan/plan/add/",
        plan_post(2032, [{"place": zhengzhou.pk, "counties": [lankao.pk]}]),
    )
    assert response.status_code == 200 and not Plan.objects.filter(year=2032).exists()


def test_a_place_plans_hold_cannot_change_its_city(places, django_user_model):
    """巩义 (410181) was entered as a place of its own and the 2021 plan holds it whole beside
    郑州; putting it under 郑州 later passes City.clean (the codes agree), and then 2021 holds
    郑州 whole and one of its counties alone, and 郑州's reporter reaches 巩义's rows."""
    zhengzhou, *_ = places
    gongyi = make_city("gongyi", "巩义", 5, code="410181")
    make_plan(2021)  # holds 郑州, 开封 and 巩义 whole
    reporter = make_member("zz", "市级填报员", city=zhengzhou)
    gongyi.parent = zhengzhou
    try:
        gongyi.full_clean()
    except ValidationError:
        return
    gongyi.save()
    assert gongyi.pk not in reach(reporter).places


def change_post(plan: Plan, delete_place=None, replace=None) -> dict:
    members = list(plan.members.order_by("pk"))
    data = plan_post(plan.year, [])
    data |= {
        "title": plan.title,
        "status": plan.status,
        "declared_area_count": plan.declared_area_count or "",
        "declared_task_count": plan.declared_task_count or "",
        "members-TOTAL_FORMS": len(members),
        "members-INITIAL_FORMS": len(members),
        "areas-TOTAL_FORMS": plan.areas.count(),
        "areas-INITIAL_FORMS": plan.areas.count(),
    }
    for index, area in enumerate(plan.areas.order_by("number")):
        data |= {
            f"areas-{index}-id": area.pk,
            f"areas-{index}-plan": plan.pk,
            f"areas-{index}-number": area.number,
            f"areas-{index}-name": area.name,
            f"areas-{index}-name_en": area.name_en,
        }
    for index, member in enumerate(members):
        data[f"members-{index}-id"] = member.pk
        data[f"members-{index}-plan"] = plan.pk
        place = member.place
        if replace and place == replace[0]:
            place = replace[1]
        data[f"members-{index}-place"] = place.pk
        if delete_place is not None and member.place == delete_place:
            data[f"members-{index}-DELETE"] = "on"
    return data


@pytest.fixture
def reported(zhengzhou, kaifeng, xuchang):
    from tests.builders import make_report, make_world

    world = make_world(zhengzhou, kaifeng)
    make_report(world.rail, kaifeng, 1, "10")
    return world


def test_a_member_that_reported_cannot_be_taken_off_the_plan(client, office, reported, kaifeng):
    client.force_login(office)
    response = client.post(
        f"/admin/plan/plan/{reported.plan.pk}/change/", change_post(reported.plan, kaifeng)
    )
    assert Member.objects.filter(plan=reported.plan, place=kaifeng).exists(), response.status_code


def test_a_member_that_reported_cannot_be_swapped_for_another_place(
    client, office, reported, kaifeng, xuchang
):
    Member.objects.filter(plan=reported.plan, place=xuchang).delete()
    client.force_login(office)
    response = client.post(
        f"/admin/plan/plan/{reported.plan.pk}/change/",
        change_post(reported.plan, replace=(kaifeng, xuchang)),
    )
    assert Member.objects.filter(plan=reported.plan, place=kaifeng).exists(), response.status_code


def test_a_corridor_cannot_move_to_another_year_s_plan(reported, zhengzhou, kaifeng):
    from plan.models import Corridor
    from tasks.admin import CorridorForm
    from tests.builders import make_plan as plan_of

    later = plan_of(2022)
    corridor = reported.corridor
    form_class = __import__("django.forms", fromlist=["modelform_factory"]).modelform_factory(
        Corridor,
        form=CorridorForm,
        fields=["plan", "name", "name_en", "slug", "kind", "cities", "order"],
    )
    form = form_class(
        {
            "plan": later.pk,
            "name": corridor.name,
            "slug": corridor.slug,
            "kind": corridor.kind,
            "cities": [zhengzhou.pk, kaifeng.pk],
            "order": 0,
        },
        instance=corridor,
    )
    assert not form.is_valid(), "2021's task 1.1 would name a corridor of the 2022 plan"


def test_a_city_is_swapped_for_one_of_its_counties_in_one_save(client, office):
    from plan.models import City, Member
    from tests.builders import make_city, make_plan

    luoyang = make_city("luoyang", "洛阳", 3, code="410300")
    yanshi = make_city("yanshi", "偃师区", 31, code="410381", parent=luoyang)
    plan = make_plan(2024)
    member = Member.objects.get(plan=plan, place=luoyang)
    client.force_login(office)
    url = f"/admin/plan/plan/{plan.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data |= {
        "year": 2024,
        "declared_area_count": "",
        "declared_task_count": "",
        "issued_on": "",
        "members-TOTAL_FORMS": 2,
        "members-INITIAL_FORMS": 1,
        "members-0-id": member.pk,
        "members-0-plan": plan.pk,
        "members-0-place": luoyang.pk,
        "members-0-DELETE": "on",
        "members-1-plan": plan.pk,
        "members-1-place": yanshi.pk,
        "areas-TOTAL_FORMS": 0,
        "areas-INITIAL_FORMS": 0,
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    assert list(City.objects.of_plan(plan)) == [yanshi]
