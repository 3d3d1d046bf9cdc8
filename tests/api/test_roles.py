"""Roles × endpoints, through the gate: a draft's words and figures, and a problem not yet
assigned, reach only those the gate lets read them, in every answer of the API and in no open
data file at all."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser

from investment.models import QuarterClose
from opendata.datasets import DATASETS
from opendata.files import FORMATS
from people.roles import OFFICE, REPORTER, UNIT_CONTACT, VIEWER
from plan.models import Unit
from tests.api.conftest import bearer, key_for
from tests.builders import (
    make_member,
    make_project,
    make_report,
    make_update,
    make_world,
    raise_problem,
)

DRAFT = "草稿里的进度"  # a draft update's 形象进度
RETURNED = "退回的进度"
UNASSIGNED = "尚未交办的问题"
ENDPOINTS = [
    "/api/v1/plans",
    "/api/v1/plans/2021",
    "/api/v1/plans/2021/figures?as_of=2021Q1",
    "/api/v1/plans/2021/tasks?as_of=2021Q1",
    "/api/v1/plans/2021/tasks/1.1?as_of=2021Q1",
    "/api/v1/plans/2021/projects?as_of=2021Q1",
    "/api/v1/plans/2021/projects/{project}?as_of=2021Q1",
    "/api/v1/plans/2021/projects/{project}?as_of=2021Q2",
    "/api/v1/plans/2021/problems",
    "/api/v1/plans/2021/bulletins",
]


@pytest.fixture
def world(zhengzhou, kaifeng, office, settings):
    settings.DASHBOARD_PUBLIC = True
    world = make_world(zhengzhou, kaifeng)
    # 7777 亿元 only in Kaifeng's draft: a figure that counts it gives it away.
    make_report(world.rail, zhengzhou, 1, "12.5", status="approved")
    make_report(world.industry, kaifeng, 1, "7777", status="draft")
    line = make_project(world.rail, "郑开城际延长线", "start", [zhengzhou, kaifeng])
    make_update(
        line, zhengzhou, 1, "construction", "桥梁施工", status="approved", amount=Decimal("2")
    )
    make_update(line, kaifeng, 1, "construction", DRAFT, status="draft", amount=Decimal("5555"))
    make_update(line, zhengzhou, 2, "construction", RETURNED, status="returned")
    unit = Unit.objects.create(name="省自然资源厅", kind="provincial_department")
    raise_problem(world.rail, kaifeng, UNASSIGNED)
    raise_problem(
        world.rail,
        zhengzhou,
        "已交办的问题",
        status="assigned",
        unit=unit,
        deadline=date(2021, 6, 30),
    )
    QuarterClose.objects.create(plan=world.plan, quarter=1, closed_by=office)
    return world, line, unit


def answers(client, headers: dict, project: int) -> str:
    found = []
    for url in ENDPOINTS:
        response = client.get(url.format(project=project), headers=headers)
        # 401: problems need a key; 404: an anonymous caller's quarter not closed.
        assert response.status_code in (200, 401, 404), (url, response.status_code)
        found.append(response.content.decode())
    return "\n".join(found)


def reader(role: str, kaifeng, zhengzhou, unit):
    if role == "anonymous":
        return AnonymousUser()
    groups = {"the-office": OFFICE, "leader": VIEWER, "contact": UNIT_CONTACT}
    if role.startswith("reporter"):
        city = kaifeng if role == "reporter of kaifeng" else zhengzhou
        return make_member(role.replace(" ", "-"), REPORTER, city)
    return make_member(role, groups[role], unit=unit if role == "contact" else None)


@pytest.mark.parametrize(
    ("role", "draft", "returned", "unassigned"),
    [
        ("the-office", True, True, True),
        ("reporter of kaifeng", True, False, True),
        ("reporter of zhengzhou", False, True, False),
        ("leader", False, False, False),
        ("contact", False, False, False),
        ("anonymous", False, False, False),
    ],
)
def test_who_reads_a_draft_and_a_problem_not_yet_assigned(
    client, world, kaifeng, zhengzhou, role, draft, returned, unassigned
):
    _world, line, unit = world
    user = reader(role, kaifeng, zhengzhou, unit)
    headers = {} if role == "anonymous" else bearer(key_for(user))
    found = answers(client, headers, line.pk)
    assert (DRAFT in found, RETURNED in found, UNASSIGNED in found) == (draft, returned, unassigned)
    # No figure ever counts a draft, not even the office's; a draft update's own amount is
    # read with it, by those who may.
    assert "7777" not in found
    assert ("5555" in found) == draft


def test_no_open_data_file_holds_a_draft_or_a_problem_not_yet_assigned(client, world, office):
    client.force_login(office)  # the office reads drafts everywhere else
    for dataset in DATASETS:
        for kind in FORMATS:
            response = client.get(f"/opendata/2021/{dataset.slug}.{kind}")
            body = b"".join(response.streaming_content) if response.streaming else response.content
            if kind != "xlsx":
                text = body.decode("utf-8")
                for marker in (DRAFT, RETURNED, UNASSIGNED, "7777", "5555"):
                    assert marker not in text, (dataset.slug, kind, marker)
    response = client.get("/opendata/2021/oc4ids.json")
    text = b"".join(response.streaming_content).decode()
    for marker in (DRAFT, RETURNED, UNASSIGNED, "7777", "5555", "555500000"):
        assert marker not in text, marker
