import pytest
from django.core.exceptions import ValidationError

from plan.models import Unit

pytestmark = pytest.mark.django_db


def test_the_source_names_no_units_so_none_are_loaded(plan_2021):
    assert not Unit.objects.exists()


def test_a_unit_shows_its_short_name_when_it_has_one(zhengzhou):
    unit = Unit.objects.create(
        name="郑州市发展和改革委员会",
        short_name="郑州市发改委",
        kind="city_government",
        city=zhengzhou,
    )
    assert str(unit) == "郑州市发改委"
    assert unit.get_kind_display() == "市政府"
    assert list(Unit.objects.active()) == [unit]


def test_a_second_unit_of_one_name_is_refused():
    Unit.objects.create(name="河南省交通运输厅", kind=Unit.Kind.PROVINCIAL_DEPARTMENT)
    twin = Unit(name="河南省交通运输厅", kind=Unit.Kind.PROVINCIAL_DEPARTMENT)
    with pytest.raises(ValidationError) as error:
        twin.full_clean()
    assert error.value.message_dict == {"name": ["名称：已有同名的责任单位。"]}


def test_the_office_adds_a_unit_in_the_admin(admin_client):
    response = admin_client.post(
        "/admin/plan/unit/add/",
        {"name": "中原豫资投资控股集团", "kind": "enterprise", "is_active": "on"},
    )
    assert response.status_code == 302
    assert Unit.objects.get().kind == Unit.Kind.ENTERPRISE


def test_a_task_records_its_lead_and_supporting_units(plan_2021):
    from tasks.models import Task

    task = Task.objects.of_plan(plan_2021).by_code("2.2").get()
    lead = Unit.objects.create(name="河南省发展和改革委员会", kind="provincial_department")
    support = Unit.objects.create(name="郑州市人民政府", kind="city_government")
    task.lead_unit = lead
    task.save()
    task.supporting_units.set([support])
    assert list(lead.led_tasks.all()) == [task]
    assert list(support.supported_tasks.all()) == [task]
