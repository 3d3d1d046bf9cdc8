"""Every page and its workbook run as many queries for a small world as for one four times
its size: more areas, tasks, cities, corridor members, reports, key projects, their updates and
photos, the units that lead them, and the problems the cities raise."""

import pytest
from django.db import transaction

from investment.models import ProgressReport
from plan.models import Unit
from tasks.models import Project
from tests.worlds import grow, queries

PAGES = [
    "/2021/",
    "/2021/areas/1/",
    "/2021/cities/city-0/",
    "/2021/tasks/1.1/",
    "/2021/corridors/belt/",
]
# Pages without a workbook of their own; {unit} and {project} are the world's first ones.
PROJECT_PAGES = [
    "/2021/projects/",
    "/2021/projects/?task=1.1&unit={unit}&met=1&as_of=2021Q3",
    "/2021/projects/{project}/",
    "/2021/units/{unit}/",
    "/2021/rankings/",
    "/2021/rankings/?as_of=2021Q3&approved=1",
]


def counts(client) -> dict[str, int]:
    first = {"unit": Unit.objects.get().pk, "project": Project.objects.order_by("pk")[0].pk}
    return (
        {url: queries(client, url) for url in PAGES}
        | {f"{url}export.xlsx": queries(client, f"{url}export.xlsx") for url in PAGES}
        | {url: queries(client, url.format(**first)) for url in PROJECT_PAGES}
    )


def measured(client, size: int) -> dict[str, int]:
    """The query counts in a world of `size`, which is gone afterwards."""
    with transaction.atomic():
        grow(size)
        assert ProgressReport.objects.count() == size * size * (size + 1) * 4
        counts(client)  # The first request of a process reads what Django then keeps.
        found = counts(client)
        transaction.set_rollback(True)
    return found


@pytest.mark.django_db
def test_page_queries_do_not_grow_with_the_world(client, leader):
    client.force_login(leader)
    assert measured(client, 2) == measured(client, 4)
