"""create_demo_accounts: one account per role, and a unit's contact only once a unit exists."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from people.models import UnitContact
from people.roles import UNIT_CONTACT
from plan.models import Unit

pytestmark = pytest.mark.django_db


def demo_accounts() -> str:
    out = StringIO()
    call_command("create_demo_accounts", stdout=out)
    return out.getvalue()


def test_without_units_no_contact_is_made_and_the_command_says_why(zhengzhou):
    output = demo_accounts()
    assert (
        "暂未创建责任单位联络员账号：联络员须对应一个责任单位，而目前尚无责任单位。"
        "请都市圈办公室先在管理后台“责任单位”中添加单位，再运行本命令。"
    ) in output
    assert not get_user_model().objects.filter(username="unit-contact").exists()
    assert sorted(get_user_model().objects.values_list("username", flat=True)) == [
        "admin",
        "leader",
        "office",
        "reporter-zhengzhou",
    ]


def test_with_a_unit_its_contact_is_made_and_bound_to_it(zhengzhou):
    Unit.objects.create(name="撤销的单位", kind="other", is_active=False)
    unit = Unit.objects.create(name="郑州市自然资源和规划局", short_name="郑州资规局", kind="other")
    output = demo_accounts()
    contact = UnitContact.objects.get()
    assert (contact.user.username, contact.unit, contact.user.is_staff) == (
        "unit-contact",
        unit,
        True,
    )
    assert list(contact.user.groups.values_list("name", flat=True)) == [UNIT_CONTACT]
    assert "演示账号 unit-contact（责任单位联络员 · 郑州资规局），密码 " in output
    assert "暂未创建责任单位联络员账号" not in output
    # Run again: the same contact, her password unchanged.
    assert "unit-contact（责任单位联络员）已存在" in demo_accounts()
    assert UnitContact.objects.count() == 1
