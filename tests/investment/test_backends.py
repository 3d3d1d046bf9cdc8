"""Signed-in users are kept under the figures' version, and any change to an account shows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from investment.models import FiguresVersion
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
