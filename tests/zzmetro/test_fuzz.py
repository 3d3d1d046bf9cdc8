"""Numbers no database holds, and digits int() does not read, in every admin address and the
public pages' ids and parameters: a 404, a redirect or a message, never a 500 (issue 21)."""

import pytest
from django.contrib import admin
from django.db import models

from tests.builders import make_member, make_world

HUGE, SUPERSCRIPT = str(2**64), "²"
pytestmark = pytest.mark.django_db


@pytest.fixture
def office(client, zhengzhou, kaifeng):
    from people.roles import OFFICE

    make_world(zhengzhou, kaifeng)
    client.raise_request_exception = False
    client.force_login(make_member("fuzz-office", OFFICE))
    return client


def admin_addresses() -> list[str]:
    addresses = []
    for model in admin.site._registry:
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        related = next(
            (f.name for f in model._meta.fields if isinstance(f, models.ForeignKey)), "id"
        )
        for junk in (HUGE, SUPERSCRIPT):
            addresses += [
                f"{base}{junk}/change/",
                f"{base}1/history/{junk}/",
                f"{base}?id__in=1,{junk}",
                f"{base}?{related}={junk}",
            ]
    return addresses


PUBLIC = [
    f"/{HUGE}/",
    f"/2021/projects/{HUGE}/",
    f"/2021/units/{HUGE}/",
    f"/photos/{HUGE}/",
    f"/problem-attachments/{HUGE}/",
    f"/2021/problems/{HUGE}/",
    f"/2021/areas/{HUGE}/",
    f"/2021/?as_of={HUGE}",
    f"/2021/tasks/?area={HUGE}",
    f"/2021/projects/?city={SUPERSCRIPT}",
]


def test_no_address_of_the_admin_or_the_pages_answers_a_huge_or_odd_number_with_a_500(office):
    failed = [
        (address, status)
        for address in admin_addresses() + PUBLIC
        if (status := office.get(address).status_code) >= 500
    ]
    assert failed == []
