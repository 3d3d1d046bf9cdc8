"""Signing in and out: Django's database sessions and ModelBackend, so every change to an
account counts on the account's next request, in every process."""

import pytest
from django.test import Client

from tests.builders import LEADER_PASSWORD, make_area, make_plan, make_task

PAGE = "/2021/?as_of=2021Q1"


@pytest.fixture
def signed_in(client, leader, zhengzhou):
    make_task(make_area(make_plan()), 1, "100", [zhengzhou])
    form = {"username": "leader", "password": LEADER_PASSWORD}
    assert client.post("/accounts/login/", form)["Location"] == "/"
    assert client.get(PAGE).status_code == 200
    return client


def test_a_deactivated_leader_is_turned_away_on_her_next_request(signed_in, leader):
    leader.is_active = False
    leader.save()
    response = signed_in.get(PAGE)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/2021/%3Fas_of%3D2021Q1"


def test_an_account_deactivated_by_a_bulk_update_is_turned_away(signed_in, django_user_model):
    django_user_model.objects.filter(username="leader").update(is_active=False)
    assert signed_in.get(PAGE).status_code == 302


def test_a_password_set_elsewhere_signs_her_out(signed_in, leader):
    leader.set_password("a-new-pass-2022")
    leader.save()
    assert signed_in.get(PAGE).status_code == 302


def test_a_deleted_account_is_signed_out(signed_in, leader):
    leader.delete()
    assert signed_in.get(PAGE).status_code == 302


def test_signing_out_ends_the_session_for_a_copied_cookie_too(signed_in):
    copy = Client()
    copy.cookies = signed_in.cookies.__class__(signed_in.cookies)
    assert copy.get(PAGE).status_code == 200
    signed_in.post("/accounts/logout/")
    assert copy.get(PAGE).status_code == 302


def test_changing_her_own_password_keeps_this_session_and_ends_her_others(signed_in):
    other = Client()
    other.post("/accounts/login/", {"username": "leader", "password": LEADER_PASSWORD})
    assert other.get(PAGE).status_code == 200
    form = {
        "old_password": LEADER_PASSWORD,
        "new_password1": "another-long-passphrase",
        "new_password2": "another-long-passphrase",
    }
    assert signed_in.post("/accounts/password_change/", form).status_code == 302
    assert signed_in.get(PAGE).status_code == 200
    assert other.get(PAGE).status_code == 302


def test_the_header_names_who_is_signed_in_and_signs_her_out(signed_in, leader):
    leader.first_name = "李明"
    leader.save()
    html = signed_in.get(PAGE).content.decode()
    assert "当前用户：李明" in html
    assert 'action="/accounts/logout/"' in html
    assert 'href="/admin/"' not in html  # A leader has no admin.
    response = signed_in.post("/accounts/logout/")
    assert response["Location"] == "/accounts/login/"
    assert signed_in.get(PAGE).status_code == 302
