"""Signed-in users are kept under the figures' version, and any change to an account shows."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from investment.models import FiguresVersion
from plan.models import OFFICE
from tests.builders import LEADER_PASSWORD

PAGE = "/2021/?as_of=2021Q1"


pytestmark = pytest.mark.usefixtures("kept_pages")


def sign_in(client) -> None:
    form = {"username": "leader", "password": LEADER_PASSWORD}
    assert client.post("/accounts/login/", form)["Location"] == "/"


@pytest.fixture
def signed_in(client, leader):
    sign_in(client)
    assert client.get(PAGE).status_code == 200  # Keeps her, and the page.
    return client


def test_a_kept_leader_is_not_read_from_the_database_again(signed_in):
    signed_in.get(PAGE)
    with CaptureQueriesContext(connection) as captured:
        response = signed_in.get("/2021/areas/1/?as_of=2021Q1")
    assert response.status_code == 200
    assert not [q for q in captured if 'FROM "auth_user"' in q["sql"]]


def test_a_deactivated_leader_is_turned_away_on_her_next_request(signed_in, leader):
    leader.is_active = False
    leader.save()
    response = signed_in.get(PAGE)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/2021/%3Fas_of%3D2021Q1"


def test_a_changed_password_signs_the_leader_out(signed_in, leader):
    leader.set_password("a-new-pass-2022")
    leader.save()
    assert signed_in.get(PAGE).status_code == 302


def test_a_deleted_account_is_signed_out(signed_in, leader):
    leader.delete()
    assert signed_in.get(PAGE).status_code == 302


def test_signing_in_leaves_the_cached_figures_in_place(client, leader):
    before = FiguresVersion.current()
    sign_in(client)
    leader.refresh_from_db()
    assert leader.last_login is not None
    assert FiguresVersion.current() == before


def test_with_the_cache_off_the_user_is_read_every_time(signed_in, settings):
    settings.ROLLUP_CACHE_SECONDS = 0
    with CaptureQueriesContext(connection) as captured:
        assert signed_in.get(PAGE).status_code == 200
    assert [q for q in captured if 'FROM "auth_user"' in q["sql"]]


def test_an_account_deactivated_by_a_bulk_update_is_turned_away(signed_in, django_user_model):
    # No signal fires here; the database's own trigger changes the version (migration 0009).
    django_user_model.objects.filter(username="leader").update(is_active=False)
    assert signed_in.get(PAGE).status_code == 302


def test_a_password_set_by_a_bulk_update_signs_her_out(signed_in, django_user_model):
    django_user_model.objects.filter(username="leader").update(password="!unusable")
    assert signed_in.get(PAGE).status_code == 302


def test_changing_her_own_password_keeps_this_session_and_ends_her_others(client, signed_in):
    other = Client()
    sign_in(other)
    assert other.get(PAGE).status_code == 200
    form = {
        "old_password": LEADER_PASSWORD,
        "new_password1": "another-long-passphrase",
        "new_password2": "another-long-passphrase",
    }
    assert signed_in.post("/accounts/password_change/", form).status_code == 302
    assert signed_in.get(PAGE).status_code == 200
    assert other.get(PAGE).status_code == 302


def test_taking_an_officer_out_of_the_office_group_takes_effect_while_she_is_kept(
    client, django_user_model
):
    officer = django_user_model.objects.create_user("officer", password="x", is_staff=True)
    officer.groups.add(Group.objects.get(name=OFFICE))
    client.force_login(officer)
    reports = reverse("admin:investment_progressreport_changelist")
    assert client.get(reports).status_code == 200
    assert client.get(reports).status_code == 200  # Kept now.
    officer.groups.clear()  # Permissions are read afresh; only the account row is kept.
    assert client.get(reports).status_code == 403
