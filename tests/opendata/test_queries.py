"""Every open data file runs as many queries for a small world as for one four times its size."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from investment.models import QuarterClose
from opendata.datasets import DATASETS
from plan.models import Plan
from tests.worlds import grow

# One format per dataset: the three read the same rows (tests/opendata/test_views.py).
URLS = [f"/opendata/2021/{d.slug}.json" for d in DATASETS]
URLS += ["/opendata/2021/oc4ids.json", "/opendata/", "/opendata/catalog.jsonld"]


def counts(client) -> dict[str, int]:
    found = {}
    for url in URLS:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
        assert response.status_code == 200, url
        found[url] = len(captured)
    return found


def measured(client, office, size: int) -> dict[str, int]:
    with transaction.atomic():
        grow(size)
        for quarter in (1, 2, 3):
            QuarterClose.objects.create(plan=Plan.objects.get(), quarter=quarter, closed_by=office)
        counts(client)
        found = counts(client)
        transaction.set_rollback(True)
    return found


@pytest.mark.django_db
def test_open_data_queries_do_not_grow_with_the_world(client, office, settings):
    settings.DASHBOARD_PUBLIC = True
    assert measured(client, office, 2) == measured(client, office, 4)
