"""What depends on who is signed in is never kept by a shared cache or a browser's disk."""

import pytest

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


def test_a_public_page_read_anonymously_leaves_caching_to_the_page(client, sample_world, settings):
    settings.DASHBOARD_PUBLIC = True
    response = client.get("/2021/")
    assert response.status_code == 200 and not private(response)
