"""The office issues personal keys to the read API, sees each once, and revokes them; only a
digest is kept, and no one else reaches the keys in the admin."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from people.models import ApiKey, key_digest
from people.roles import OFFICE, REPORTER, VIEWER
from tests.builders import make_member

KEYS = "/admin/people/apikey/"


@pytest.fixture
def office_member(db):
    return make_member("office", OFFICE)


@pytest.fixture
def office(office_member) -> Client:
    client = Client()
    client.force_login(office_member)
    return client


@pytest.fixture
def leader(db):
    return make_member("leader", VIEWER)


def issue(office: Client, leader, **changes):
    data = {
        "user": leader.pk,
        "name": "省项目平台对接",
        "expires_on": (timezone.localdate() + timedelta(days=90)).isoformat(),
    } | changes
    return office.post(f"{KEYS}add/", data)


def test_the_office_issues_a_key_and_sees_it_once(office, leader):
    response = issue(office, leader)
    page = response.content.decode()
    key = ApiKey.objects.get()
    secret = response.context["secret"]
    assert secret.startswith(f"zzm_{key.lookup}_") and len(secret) == 60
    assert secret in page and "请立即复制：密钥只显示这一次" in page
    assert "no-store" in response["Cache-Control"]
    # Only its digest is kept, and the key's page never shows it again.
    assert key.digest == key_digest(secret) and secret not in key.digest
    assert (key.user, key.name, key.issued_by.username) == (leader, "省项目平台对接", "office")
    assert secret not in office.get(f"{KEYS}{key.pk}/change/").content.decode()
    assert secret not in office.get(KEYS).content.decode()


def test_the_key_reads_the_api_as_its_owner(office, leader, client):
    secret = issue(office, leader).context["secret"]
    response = client.get("/api/v1/plans", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200 and response.json() == []


@pytest.mark.parametrize(
    ("days", "error"),
    [
        (-1, "到期日：请选择今天至1095天以内的日期。"),
        (1096, "到期日：请选择今天至1095天以内的日期。"),
    ],
)
def test_an_expiry_in_the_past_or_too_far_is_refused(office, leader, days, error):
    day = (timezone.localdate() + timedelta(days=days)).isoformat()
    response = issue(office, leader, expires_on=day)
    assert error in response.content.decode()
    assert not ApiKey.objects.exists()


def test_revoking_ends_the_key_for_good_and_names_who(office, office_member, leader, client):
    secret = issue(office, leader).context["secret"]
    key = ApiKey.objects.get()
    response = office.post(KEYS, {"action": "revoke", "_selected_action": [key.pk]}, follow=True)
    assert "已吊销1个密钥。" in response.content.decode()
    key.refresh_from_db()
    assert key.revoked_at is not None and key.revoked_by == office_member
    answer = client.get("/api/v1/plans", headers={"Authorization": f"Bearer {secret}"})
    assert (answer.status_code, answer.json()) == (401, {"detail": "API 密钥已被吊销。"})


def test_a_key_is_never_deleted(office, leader):
    issue(office, leader)
    key = ApiKey.objects.get()
    assert office.get(f"{KEYS}{key.pk}/delete/").status_code == 403


def test_an_issued_keys_owner_and_expiry_cannot_change(office, leader):
    issue(office, leader)
    key = ApiKey.objects.get()
    other = make_member("other-leader", VIEWER)
    office.post(
        f"{KEYS}{key.pk}/change/",
        {"name": "改名", "user": other.pk, "expires_on": "2099-01-01"},
    )
    key.refresh_from_db()
    assert (key.name, key.user, key.expires_on) == ("改名", leader, key.expires_on)
    assert key.expires_on != timezone.datetime(2099, 1, 1).date()


@pytest.mark.parametrize("role", [REPORTER, VIEWER])
def test_no_one_but_the_office_reaches_the_keys(role, leader, office):
    issue(office, leader)
    member = Client()
    member.force_login(make_member("someone", role))
    assert member.get(KEYS).status_code == 403
    assert member.get(f"{KEYS}add/").status_code == 403
