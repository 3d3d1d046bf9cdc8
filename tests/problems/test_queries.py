"""The problem pages, and the pages showing problem figures, run as many queries for a small
world as for one four times its size: more tasks, cities, units and problems, longer threads
with more attachments."""

from datetime import date, datetime

import pytest
from django.db import transaction
from django.utils.timezone import make_aware

from plan.models import City, Unit
from problems.models import Problem, ProblemAttachment, ProblemEntry
from tasks.models import Project, Task
from tests.worlds import grow, queries

PAGES = [
    "/2021/?as_of=2021Q3",
    "/2021/cities/city-0/?as_of=2021Q3",
    "/2021/tasks/1.1/?as_of=2021Q3",
    "/2021/projects/{project}/?as_of=2021Q3",
    "/2021/units/{unit}/?as_of=2021Q3",
    "/2021/problems/",
    "/2021/problems/?task=1.1&city=city-0&state=open&page=1",
    "/2021/problems/{problem}/",
]
STATUSES = ["raised", "assigned", "answered", "closed", "refused"]


def grow_problems(size: int) -> None:
    """`size` more units; a problem of each task's project in every city, in every status by
    turns, each with `size` supporting units and a thread of `size` entries with a photo each."""
    units = Unit.objects.bulk_create(Unit(name=f"单位{n}", kind="other") for n in range(size))
    cities = list(City.objects.all())
    problems = Problem.objects.bulk_create(
        Problem(
            task=project.task,
            project=project,
            city=city,
            title="问题",
            description="说明",
            kind="land",
            status=STATUSES[n % 5],
            unit=None if n % 5 == 0 else units[n % size],
            deadline=date(2021, 8 + n % 3, 15),
            closed_on=date(2021, 9, 1) if STATUSES[n % 5] in ("closed", "refused") else None,
        )
        for n, (project, city) in enumerate(
            (project, city) for project in Project.objects.all() for city in cities
        )
    )
    Problem.objects.update(created_at=make_aware(datetime(2021, 7, 1, 12)))
    Problem.supporting_units.through.objects.bulk_create(
        Problem.supporting_units.through(problem=problem, unit=unit)
        for problem in problems
        for unit in units
    )
    entries = ProblemEntry.objects.bulk_create(
        ProblemEntry(problem=problem, kind="comment", text="进展") for problem in problems
        for _ in range(size)
    )  # fmt: skip
    ProblemAttachment.objects.bulk_create(
        ProblemAttachment(entry=entry, image="a.jpg", width=400, height=300) for entry in entries
    )


def counts(client) -> dict[str, int]:
    first = {
        "project": Project.objects.filter(task=Task.objects.order_by("pk")[0]).first().pk,
        "unit": Unit.objects.order_by("pk")[1].pk,
        "problem": Problem.objects.filter(status="answered").order_by("pk")[0].pk,
    }
    return {url: queries(client, url.format(**first)) for url in PAGES}


def measured(client, size: int) -> dict[str, int]:
    with transaction.atomic():
        grow(size)
        grow_problems(size)
        counts(client)  # The first request of a process reads what Django then keeps.
        found = counts(client)
        transaction.set_rollback(True)
    return found


@pytest.mark.django_db
def test_problem_page_queries_do_not_grow_with_the_world(client, leader, monkeypatch):
    monkeypatch.setattr("plan.models.localdate", lambda: date(2021, 9, 30))
    monkeypatch.setattr("dashboard.views.localdate", lambda: date(2021, 9, 30))
    client.force_login(leader)

    assert measured(client, 2) == measured(client, 4)
