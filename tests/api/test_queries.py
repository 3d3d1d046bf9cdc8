"""Every endpoint runs as many queries for a small world as for one four times its size."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from investment.models import ProgressReport
from tasks.models import Project
from tests.api.conftest import bearer, key_for
from tests.worlds import grow

ENDPOINTS = [
    "/api/v1/plans",
    "/api/v1/plans/2021",
    "/api/v1/plans/2021/figures",
    "/api/v1/plans/2021/figures?as_of=2021Q3&approved=true",
    "/api/v1/plans/2021/tasks?page_size=200",
    "/api/v1/plans/2021/tasks/1.1",
    "/api/v1/plans/2021/projects?page_size=200",
    "/api/v1/plans/2021/projects?task=1.1&met=1&as_of=2021Q3",
    "/api/v1/plans/2021/projects/{project}",
    "/api/v1/plans/2021/problems?page_size=200",
    "/api/v1/plans/2021/bulletins",
]


def counts(client, headers: dict) -> dict[str, int]:
    first = Project.objects.order_by("pk")[0].pk
    found = {}
    for url in ENDPOINTS:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url.format(project=first), headers=headers)
        assert response.status_code == 200, (url, response.content)
        found[url] = len(captured)
    return found


def measured(client, headers: dict, size: int) -> dict[str, int]:
    with transaction.atomic():
        grow(size)
        assert ProgressReport.objects.count() == size * size * (size + 1) * 4
        counts(client, headers)  # The first request of a process reads what Django then keeps.
        found = counts(client, headers)
        transaction.set_rollback(True)
    return found


@pytest.mark.django_db
def test_endpoint_queries_do_not_grow_with_the_world(client, leader, settings):
    settings.API_RATE = "10000/m"
    headers = bearer(key_for(leader))
    assert measured(client, headers, 2) == measured(client, headers, 4)
