"""账号管理: the office creates, changes and deactivates reporters and unit contacts on one
form, never an office's account or a superuser; one account holds one role; each person sets
her own notices."""

import pytest
from django.contrib.auth.models import User
from django.test import Client

from people.models import Profile, Reporter, UnitContact
from people.roles import OFFICE, REPORTER, UNIT_CONTACT, VIEWER
from plan.models import Unit
from tests.builders import make_member

ACCOUNTS = "/admin/people/account/"


@pytest.fixture
def unit(db):
    return Unit.objects.create(name="省交通运输厅", kind="province")


@pytest.fixture
def office(db) -> Client:
    client = Client()
    client.force_login(make_member("office", OFFICE))
    return client


def account_data(**changes) -> dict:
    data = {
        "username": "wangfang",
        "first_name": "王芳",
        "role": REPORTER,
        "city": "",
        "unit": "",
        "post": "发改委规划科科长",
        "phone": "0371-12345678",
        "email": "wangfang@example.cn",
        "notify": "on",
        "new_password": "Kaifeng-2021-report",
        "is_active": "on",
    }
    return {**data, **changes}


def test_the_office_creates_a_reporter_on_one_form_and_she_can_sign_in(office, kaifeng):
    response = office.post(f"{ACCOUNTS}add/", account_data(city=kaifeng.pk))
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="wangfang")
    assert (user.first_name, user.email, user.is_staff, user.is_superuser) == (
        "王芳",
        "wangfang@example.cn",
        True,
        False,
    )
    assert list(user.groups.values_list("name", flat=True)) == [REPORTER]
    assert Reporter.objects.get(user=user).city == kaifeng
    profile = Profile.objects.get(user=user)
    assert (profile.post, profile.phone, profile.notify) == (
        "发改委规划科科长",
        "0371-12345678",
        True,
    )
    assert user.check_password("Kaifeng-2021-report")


def test_changing_her_role_to_a_unit_contact_rebinds_her(office, kaifeng, unit):
    office.post(f"{ACCOUNTS}add/", account_data(city=kaifeng.pk))
    user = User.objects.get(username="wangfang")
    data = account_data(role=UNIT_CONTACT, unit=unit.pk, new_password="")
    assert office.post(f"{ACCOUNTS}{user.pk}/change/", data).status_code == 302
    assert list(user.groups.values_list("name", flat=True)) == [UNIT_CONTACT]
    assert not Reporter.objects.filter(user=user).exists()
    assert UnitContact.objects.get(user=user).unit == unit
    user.refresh_from_db()
    assert user.check_password("Kaifeng-2021-report")  # Unchanged.


def test_deactivating_ends_her_sign_in_and_nothing_is_deleted(office, kaifeng):
    office.post(f"{ACCOUNTS}add/", account_data(city=kaifeng.pk))
    user = User.objects.get(username="wangfang")
    data = account_data(city=kaifeng.pk, new_password="")
    del data["is_active"]
    office.post(f"{ACCOUNTS}{user.pk}/change/", data)
    user.refresh_from_db()
    assert not user.is_active
    page = office.get(f"{ACCOUNTS}{user.pk}/change/").content.decode()
    assert "/delete/" not in page
    assert office.post(f"{ACCOUNTS}{user.pk}/delete/", {"post": "yes"}).status_code == 403
    assert User.objects.filter(username="wangfang").exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({}, "城市：市级填报员负责一个城市的填报，请选择。"),
        ({"role": UNIT_CONTACT}, "单位：责任单位联络员负责答复一个单位的问题，请选择。"),
        ({"role": OFFICE}, "角色：请选择市级填报员或责任单位联络员。"),
        ({"first_name": ""}, "姓名：请填写。"),
        ({"username": ""}, "用户名：请填写。"),
        ({"username": "王 芳"}, "用户名：只能包含字母、数字和 @/./+/-/_。"),
        ({"post": "长" * 51}, "职务：最多 50 个字符。"),
        ({"email": "not-an-address"}, "电子邮箱：请输入有效的电子邮箱地址。"),
        ({"city": "999"}, "城市：请从列表中选择。"),
        ({"new_password": "123"}, "密码：至少 8 个字符"),
        ({"phone": "0371\x0b1234"}, "电话含有控制字符"),
    ],
)
def test_a_bad_account_is_refused_naming_the_field(office, changes, message):
    response = office.post(f"{ACCOUNTS}add/", account_data(**changes))
    assert message in response.content.decode()
    assert not User.objects.filter(username="wangfang").exists()


def test_the_office_never_reaches_an_offices_a_leaders_or_a_superusers_account(office):
    others = [
        make_member("colleague", OFFICE),
        make_member("leader", VIEWER),
        User.objects.create_superuser("root", password="x"),
    ]
    listed = office.get(ACCOUNTS).content.decode()
    for user in others:
        assert f"{ACCOUNTS}{user.pk}/change/" not in listed
        assert office.get(f"{ACCOUNTS}{user.pk}/change/").status_code == 302  # "not found"
        office.post(f"{ACCOUNTS}{user.pk}/change/", account_data(city=""))
        user.refresh_from_db()
        assert user.username != "wangfang"


def test_only_the_office_manages_accounts(kaifeng):
    client = Client()
    client.force_login(make_member("kf", REPORTER, city=kaifeng))
    assert client.get(ACCOUNTS).status_code == 403
    assert client.post(f"{ACCOUNTS}add/", account_data(city=kaifeng.pk)).status_code == 403


def test_a_unit_contact_is_never_bound_to_an_account_with_another_role(office, kaifeng, unit):
    reporter = make_member("kf", REPORTER, city=kaifeng)
    response = office.post("/admin/people/unitcontact/add/", {"user": reporter.pk, "unit": unit.pk})
    assert "已担任其他角色（市级填报员）" in response.content.decode()
    assert not UnitContact.objects.exists()


def test_each_person_sets_her_own_email_and_notices(kaifeng):
    user = make_member("kf", REPORTER, city=kaifeng)
    client = Client()
    client.force_login(user)
    page = client.get("/admin/").content.decode()
    assert '<a href="/admin/people/account/me/">我的通知设置</a>' in page
    response = client.post(
        "/admin/people/account/me/", {"email": "kf@example.cn", "phone": "123"}, follow=True
    )
    assert "您的通知设置已保存。" in response.content.decode()
    user.refresh_from_db()
    assert (user.email, user.profile.phone, user.profile.notify) == ("kf@example.cn", "123", False)
    refused = client.post("/admin/people/account/me/", {"email": "not-an-address"})
    assert "电子邮箱" in refused.content.decode() and "有效的" in refused.content.decode()


def test_a_taken_username_is_refused_naming_the_field(office, kaifeng):
    make_member("wangfang", REPORTER, city=kaifeng)
    response = office.post(f"{ACCOUNTS}add/", account_data(city=kaifeng.pk))
    assert "用户名：已有账号使用这个名字。" in response.content.decode()


def test_the_list_cannot_be_filtered_by_the_password_hash(office, kaifeng):
    make_member("wangfang", REPORTER, city=kaifeng)
    response = office.get(f"{ACCOUNTS}?password__startswith=pbkdf2")
    assert response.status_code == 400
    listed = office.get(f"{ACCOUNTS}?is_active__exact=1").content.decode()
    assert "wangfang" in listed


def test_an_account_with_permissions_or_groups_of_its_own_is_never_the_offices(office, kaifeng):
    from django.contrib.auth.models import Group, Permission

    auditor = User.objects.create_user("auditor", password="x", is_staff=True)
    auditor.user_permissions.add(Permission.objects.get(codename="change_user"))
    upkeep = User.objects.create_user("upkeep", password="x", is_staff=True)
    upkeep.groups.add(Group.objects.create(name="系统维护"))
    for user in (auditor, upkeep):
        assert office.get(f"{ACCOUNTS}{user.pk}/change/").status_code == 302  # "not found"
        office.post(
            f"{ACCOUNTS}{user.pk}/change/",
            account_data(username=user.username, city=kaifeng.pk, new_password="Taken-over-2024!"),
        )
        user.refresh_from_db()
        assert not user.check_password("Taken-over-2024!")


def test_saving_a_role_leaves_the_account_nothing_else(office, kaifeng, unit):
    office.post(f"{ACCOUNTS}add/", account_data(city=kaifeng.pk))
    user = User.objects.get(username="wangfang")
    office.post(
        f"{ACCOUNTS}{user.pk}/change/",
        account_data(role=UNIT_CONTACT, unit=unit.pk, new_password=""),
    )
    assert list(user.groups.values_list("name", flat=True)) == [UNIT_CONTACT]
    assert not user.user_permissions.exists()


def test_a_notice_address_longer_than_an_address_may_be_is_refused(kaifeng):
    user = make_member("kf", REPORTER, city=kaifeng)
    client = Client()
    client.force_login(user)
    response = client.post("/admin/people/account/me/", {"email": "a" * 300 + "@example.cn"})
    assert "电子邮箱：最多 254 个字符。" in response.content.decode()
    user.refresh_from_db()
    assert user.email == ""


def test_a_password_like_the_new_login_name_is_refused(office, kaifeng):
    data = account_data(city=kaifeng.pk, username="wangfang2021", new_password="wangfang2021")
    response = office.post(f"{ACCOUNTS}add/", data)
    assert "密码：" in response.content.decode()
    assert not User.objects.filter(username="wangfang2021").exists()


def test_a_nul_byte_is_refused_naming_its_field(office, kaifeng):
    response = office.post(f"{ACCOUNTS}add/", account_data(city=kaifeng.pk, post="科\x00长"))
    assert "职务：不允许控制字符。" in response.content.decode()


def test_an_account_in_no_role_is_not_the_offices_to_take_over(office):
    former = User.objects.create_user("former", password="x", is_staff=True)
    assert office.get(f"{ACCOUNTS}{former.pk}/change/").status_code == 302
