"""What depends on who is signed in is never kept by a shared cache or a browser's disk."""

import pytest
from django.utils.cache import cc_delim_re

from investment.models import QuarterClose
from tests.api.conftest import bearer, key_for


def private(response) -> bool:
    words = {word.strip() for word in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= words


@pytest.mark.parametrize(
    "url",
    [
        "/2021/",
        "/2021/export.xlsx",
        "/2021/reports.csv",
        "/2021/projects/",
        "/2021/problems/",
        "/opendata/2021/projects.csv",
        "/admin/",
    ],
)
def test_a_signed_in_users_answers_are_private_and_never_stored(client, sample_world, office, url):
    client.force_login(office)
    response = client.get(url)
    assert response.status_code == 200, url
    assert private(response), response.get("Cache-Control")


def test_an_api_keys_answers_are_private_and_never_stored(client, sample_world, leader):
    response = client.get("/api/v1/plans/2021/figures", headers=bearer(key_for(leader)))
    assert response.status_code == 200 and private(response)


def test_a_refused_keys_answer_is_not_stored_either(client, sample_world):
    response = client.get("/api/v1/plans", headers={"Authorization": "Bearer nothing"})
    assert response.status_code == 401 and private(response)


def cache_control(response) -> set[str]:
    return {word.strip() for word in response.get("Cache-Control", "").split(",")}


def test_a_public_page_read_anonymously_is_kept_by_the_browser_alone_and_revalidated(
    client, sample_world, settings
):
    # Each page carries the visitor's own CSRF token: never shared, whatever it shows.
    settings.DASHBOARD_PUBLIC = True
    response = client.get("/2021/")
    assert response.status_code == 200
    assert cache_control(response) == {"private", "no-cache"}


@pytest.mark.parametrize(
    "url", ["/opendata/2021/projects.csv", "/api/v1/plans", "/api/v1/openapi.json"]
)
def test_public_data_read_anonymously_may_be_kept_by_anyone_for_five_minutes(
    client, sample_world, settings, url
):
    settings.DASHBOARD_PUBLIC = True
    response = client.get(url)
    assert response.status_code == 200, url
    assert cache_control(response) == {"public", "max-age=300"}


def test_the_public_time_is_a_setting(client, sample_world, settings):
    settings.DASHBOARD_PUBLIC = True
    settings.PUBLIC_CACHE_SECONDS = 60
    assert cache_control(client.get("/api/v1/plans")) == {"public", "max-age=60"}


def test_a_refusal_or_a_sign_in_is_never_made_public(client, sample_world, settings):
    settings.DASHBOARD_PUBLIC = False
    assert client.get("/2021/").status_code == 302
    assert "public" not in cache_control(client.get("/2021/"))
    assert private(client.get("/accounts/login/"))


def test_the_health_check_is_never_kept(client, db):
    response = client.get("/healthz")
    assert response.content == b"ok" and private(response)


def words(response, header) -> set[str]:
    return {w.strip().lower() for w in cc_delim_re.split(response.get(header, "")) if w.strip()}


def test_a_public_api_answer_varies_on_authorization(
    client, sample_world, settings, leader, office
):
    # The same address answers a key otherwise than the public: a cache keyed on the address
    # alone (nginx's proxy_cache by default) would hand the public answer to a key.
    settings.DASHBOARD_PUBLIC = True
    QuarterClose.objects.create(plan=sample_world, quarter=1, closed_by=office)
    url = "/api/v1/plans/2021/figures?as_of=2021Q1"
    public = client.get(url)
    keyed = client.get(url, headers=bearer(key_for(leader)))
    assert public.status_code == keyed.status_code == 200
    assert "public" in words(public, "Cache-Control")
    assert public.content != keyed.content  # the key reads more than the public
    assert "authorization" in words(public, "Vary")


def test_a_public_answer_never_carries_a_cookie(client, sample_world, settings):
    # Set-Cookie on an answer anyone may keep: a cache that stores it hands the cookie to every
    # later visitor (here a CSRF secret the first requester knows).
    settings.DASHBOARD_PUBLIC = True
    client.cookies["csrftoken"] = "bad"
    response = client.get("/api/v1/plans")
    assert response.status_code == 200
    assert response.cookies and words(response, "Cache-Control") == {"private", "no-cache"}


def test_an_expired_sessions_public_answer_never_carries_a_cookie(
    client, sample_world, settings, office
):
    # A browser whose session ran out downloads open data: the answer deletes its session
    # cookie, so it is the browser's alone.
    settings.DASHBOARD_PUBLIC = True
    client.force_login(office)
    sid = client.cookies["sessionid"].value
    client.logout()
    client.cookies["sessionid"] = sid
    response = client.get("/opendata/2021/projects.csv")
    assert response.status_code == 200
    assert response.cookies and words(response, "Cache-Control") == {"private", "no-cache"}
