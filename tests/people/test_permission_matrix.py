"""Who may do what, through the admin's real URLs: each role × action × own or other city.

The cast: the office, the Kaifeng reporter, a leader, and the contact of Kaifeng's unit (责任单位
联络员). "own" rows are Kaifeng's, "other" rows Zhengzhou's; each side's problem is assigned to
a unit of its own city, and a "raised" one awaits assignment. Outcomes: a status code, or for the
workflow actions and the problem steps whether it took effect.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.utils.timezone import localdate

from investment.models import ProgressReport
from people.models import Reporter, UnitContact
from people.roles import OFFICE, REPORTER, UNIT_CONTACT, VIEWER
from plan.models import Unit
from tasks.models import CityAllocation, Milestone, Project
from tests.builders import (
    make_allocation,
    make_area,
    make_plan,
    make_report,
    make_task,
    raise_problem,
)

pytestmark = pytest.mark.django_db
Status = ProgressReport.Status


@pytest.fixture
def world(django_user_model, zhengzhou, kaifeng):
    task = make_task(make_area(make_plan()), 1, "100", [zhengzhou, kaifeng])
    users = {}
    for role, group, city, staff in [
        ("office", OFFICE, None, True),
        ("reporter", REPORTER, kaifeng, True),
        ("leader", VIEWER, None, False),
    ]:
        user = django_user_model.objects.create_user(role, password="x", is_staff=staff)
        user.groups.add(Group.objects.get(name=group))
        if city:
            Reporter.objects.create(user=user, city=city)
        users[role] = user
    rows = {}
    for side, city in (("own", kaifeng), ("other", zhengzhou)):
        rows[side] = {
            "report": make_report(task, city, 1, "3", Status.DRAFT),
            "submitted": make_report(task, city, 2, "3", Status.SUBMITTED),
            "allocation": make_allocation(task, city, "40"),
            "milestone": Milestone.objects.create(
                task=task, city=city, name=f"{city.name}项目", kind=Milestone.Kind.START
            ),
            "project": Project.objects.create(task=task, name=f"{city.name}工程", goal="start"),
            "unit": Unit.objects.create(name=f"{city.name}市人民政府", kind="city_government"),
        }
        rows[side]["project"].cities.set([city])
        unit = Unit.objects.create(name=f"{city.name}市自然资源和规划局", kind="other")
        rows[side]["problem_unit"] = unit
        rows[side]["problem"] = raise_problem(
            task, city, f"{city.name}用地", "assigned", unit, localdate() + timedelta(days=9)
        )
        rows[side]["raised"] = raise_problem(task, city, f"{city.name}资金")
    contact = django_user_model.objects.create_user("contact", password="x", is_staff=True)
    contact.groups.add(Group.objects.get(name=UNIT_CONTACT))
    UnitContact.objects.create(user=contact, unit=rows["own"]["problem_unit"])
    users["contact"] = contact
    return {"task": task, "users": users, "rows": rows}


URLS = {
    "report": "/admin/investment/progressreport/",
    "allocation": "/admin/tasks/cityallocation/",
    "milestone": "/admin/tasks/milestone/",
    "project": "/admin/tasks/project/",
    "unit": "/admin/plan/unit/",
    "problem": "/admin/problems/problem/",
    "raised": "/admin/problems/problem/",
}


def form_data(kind: str, obj) -> dict:
    if kind == "report":
        return {
            "task": obj.task_id,
            "city": obj.city_id,
            "year": obj.year,
            "quarter": obj.quarter,
            "amount": "4",
            "note": "",
            "seen_version": obj.version,
        }
    if kind == "allocation":
        return {"task": obj.task_id, "city": obj.city_id, "amount": "39"}
    if kind == "project":
        cities = list(obj.cities.values_list("pk", flat=True))
        return {"task": obj.task_id, "name": obj.name, "goal": "complete", "cities": cities}
    if kind == "unit":
        return {"name": obj.name, "short_name": "改", "kind": obj.kind, "is_active": "on"}
    if kind in ("problem", "raised"):
        return {
            "task": obj.task_id,
            "city": obj.city_id,
            "title": "改",
            "description": obj.description,
            "kind": obj.kind,
            "unit": obj.unit_id or "",
            "deadline": obj.deadline.isoformat() if obj.deadline else "",
            "seen_version": obj.version,
            "change_reason": "更正",
        }
    return {
        "task": obj.task_id,
        "city": obj.city_id,
        "name": obj.name,
        "kind": obj.kind,
        "status": "in_progress",
        "done_on": "",
    }


VIEW = [
    # role, kind, side, status of GET change page
    ("office", "report", "own", 200),
    ("office", "report", "other", 200),
    ("reporter", "report", "own", 200),
    ("reporter", "report", "other", 404),
    ("leader", "report", "own", 302),
    ("office", "allocation", "other", 200),
    ("reporter", "allocation", "own", 200),
    ("reporter", "allocation", "other", 404),
    ("leader", "allocation", "own", 302),
    ("office", "milestone", "other", 200),
    ("reporter", "milestone", "own", 200),
    ("reporter", "milestone", "other", 404),
    ("leader", "milestone", "own", 302),
    ("office", "project", "other", 200),
    ("reporter", "project", "own", 200),
    ("reporter", "project", "other", 404),
    ("leader", "project", "own", 302),
    ("office", "unit", "other", 200),
    ("reporter", "unit", "own", 200),
    ("leader", "unit", "own", 302),
    ("office", "problem", "other", 200),
    ("reporter", "problem", "own", 200),
    ("reporter", "problem", "other", 404),
    ("leader", "problem", "own", 302),
    ("contact", "problem", "own", 200),
    ("contact", "problem", "other", 404),
    ("contact", "raised", "own", 404),
    # A unit's contact sees nothing else in the admin (the city-scoped rows are not there).
    ("contact", "report", "own", 404),
    ("contact", "allocation", "own", 404),
    ("contact", "milestone", "own", 404),
    ("contact", "project", "own", 404),
    ("contact", "unit", "own", 403),
]


@pytest.mark.parametrize(("role", "kind", "side", "expected"), VIEW)
def test_view(client, world, role, kind, side, expected):
    client.force_login(world["users"][role])
    obj = world["rows"][side][kind]
    assert client.get(f"{URLS[kind]}{obj.pk}/change/").status_code == expected


CHANGE = [
    # role, kind, side, status of POST to the change page (302: saved)
    ("office", "report", "other", 302),
    ("reporter", "report", "own", 302),
    ("reporter", "report", "other", 404),
    ("leader", "report", "own", 302),
    ("office", "allocation", "other", 302),
    ("reporter", "allocation", "own", 403),
    ("reporter", "allocation", "other", 404),
    ("office", "milestone", "other", 302),
    ("reporter", "milestone", "own", 302),
    ("reporter", "milestone", "other", 404),
    ("office", "project", "other", 302),
    ("reporter", "project", "own", 403),
    ("reporter", "project", "other", 404),
    ("leader", "project", "own", 302),
    ("office", "unit", "other", 302),
    ("reporter", "unit", "own", 403),
    ("leader", "unit", "own", 302),
    ("office", "problem", "other", 302),
    ("reporter", "raised", "own", 302),
    ("reporter", "raised", "other", 404),
    ("reporter", "problem", "own", 403),
    ("contact", "problem", "own", 403),
    ("contact", "problem", "other", 404),
    ("leader", "problem", "own", 302),
    ("contact", "unit", "own", 403),
]


@pytest.mark.parametrize(("role", "kind", "side", "expected"), CHANGE)
def test_change(client, world, role, kind, side, expected):
    client.force_login(world["users"][role])
    obj = world["rows"][side][kind]
    response = client.post(f"{URLS[kind]}{obj.pk}/change/", form_data(kind, obj))
    assert response.status_code == expected
    obj.refresh_from_db()
    assert was_changed(kind, obj) == (expected == 302 and role != "leader")


def was_changed(kind: str, obj) -> bool:
    if kind == "report":
        return obj.amount == Decimal("4")
    if kind == "allocation":
        return obj.amount == Decimal("39")
    if kind == "project":
        return obj.goal == "complete"
    if kind == "unit":
        return obj.short_name == "改"
    if kind in ("problem", "raised"):
        return obj.title == "改"
    return obj.status == Milestone.Status.IN_PROGRESS


ADD = [
    ("office", "report", 200),
    ("reporter", "report", 200),
    ("leader", "report", 302),
    ("office", "allocation", 200),
    ("reporter", "allocation", 403),
    ("office", "milestone", 200),
    ("reporter", "milestone", 403),
    ("office", "project", 200),
    ("reporter", "project", 403),
    ("leader", "project", 302),
    ("office", "unit", 200),
    ("reporter", "unit", 403),
    ("leader", "unit", 302),
    ("office", "problem", 200),
    ("reporter", "problem", 200),
    ("contact", "problem", 403),
    ("leader", "problem", 302),
    ("contact", "report", 403),
]


@pytest.mark.parametrize(("role", "kind", "expected"), ADD)
def test_add(client, world, role, kind, expected):
    client.force_login(world["users"][role])
    assert client.get(f"{URLS[kind]}add/").status_code == expected


DELETE = [
    ("office", "report", "other", 302),
    ("reporter", "report", "own", 302),
    ("reporter", "report", "other", 404),
    ("reporter", "submitted", "own", 403),
    ("office", "allocation", "other", 302),
    ("reporter", "allocation", "own", 403),
    ("office", "milestone", "other", 302),
    ("reporter", "milestone", "own", 403),
    ("office", "project", "other", 302),
    ("reporter", "project", "own", 403),
    ("reporter", "project", "other", 404),
    ("office", "unit", "other", 302),
    ("reporter", "unit", "own", 403),
    # A problem is never deleted (its thread and history stay): the office refuses it.
    ("office", "problem", "other", 403),
    ("reporter", "raised", "own", 403),
    ("contact", "problem", "own", 403),
]


@pytest.mark.parametrize(("role", "kind", "side", "expected"), DELETE)
def test_delete(client, world, role, kind, side, expected):
    client.force_login(world["users"][role])
    obj = world["rows"][side][kind]
    url = URLS["report" if kind == "submitted" else kind]
    assert client.post(f"{url}{obj.pk}/delete/", {"post": "yes"}).status_code == expected
    exists = type(obj).objects.filter(pk=obj.pk).exists()
    assert exists == (expected != 302)


WORKFLOW = [
    # role, action, side, row, status afterwards
    ("office", "submit_reports", "other", "report", Status.SUBMITTED),
    ("reporter", "submit_reports", "own", "report", Status.SUBMITTED),
    ("reporter", "submit_reports", "other", "report", Status.DRAFT),
    ("office", "approve_reports", "other", "submitted", Status.APPROVED),
    ("reporter", "approve_reports", "own", "submitted", Status.SUBMITTED),
    ("leader", "approve_reports", "own", "submitted", Status.SUBMITTED),
]


@pytest.mark.parametrize(("role", "action", "side", "row", "after"), WORKFLOW)
def test_workflow(client, world, role, action, side, row, after):
    client.force_login(world["users"][role])
    report = world["rows"][side][row]
    client.post(URLS["report"], {"action": action, "_selected_action": [report.pk]})
    report.refresh_from_db()
    assert report.status == after


STEPS = [
    # role, step, side, row, status of the POST (302: taken), status afterwards
    ("office", "assign", "other", "raised", 302, "assigned"),
    ("reporter", "assign", "own", "raised", 403, "raised"),
    ("contact", "assign", "own", "problem", 403, "assigned"),
    ("leader", "assign", "own", "raised", 302, "raised"),
    ("contact", "answer", "own", "problem", 302, "answered"),
    ("contact", "answer", "other", "problem", 404, "assigned"),
    ("reporter", "answer", "own", "problem", 403, "assigned"),
    ("office", "answer", "other", "problem", 302, "answered"),
    ("office", "refuse", "other", "problem", 302, "refused"),
    ("reporter", "refuse", "own", "raised", 403, "raised"),
    ("contact", "refuse", "own", "problem", 403, "assigned"),
    ("reporter", "close", "own", "problem", 403, "assigned"),
    ("contact", "close", "own", "problem", 403, "assigned"),
    ("contact", "return", "own", "problem", 403, "assigned"),
]


@pytest.mark.parametrize(("role", "step", "side", "row", "expected", "after"), STEPS)
def test_problem_steps(client, world, role, step, side, row, expected, after):
    client.force_login(world["users"][role])
    problem = world["rows"][side][row]
    data = {
        "unit": world["rows"][side]["problem_unit"].pk,
        "deadline": (localdate() + timedelta(days=5)).isoformat(),
        "text": "已办理",
        "seen_version": problem.version,
    }
    url = f"{URLS['problem']}{problem.pk}/{step}/"
    assert client.post(url, data).status_code == expected
    problem.refresh_from_db()
    assert problem.status == after


CLOSING = [
    # role, page, status of GET for 2021 Q3 (open: nothing to reopen)
    ("office", "close/", 200),
    ("reporter", "close/", 403),
    ("leader", "close/", 302),
    ("office", "reopen/", 404),
    ("reporter", "reopen/", 403),
    ("leader", "reopen/", 302),
]


@pytest.mark.parametrize(("role", "page", "expected"), CLOSING)
def test_closing_pages(client, world, role, page, expected):
    client.force_login(world["users"][role])
    response = client.get(f"{URLS['report']}{page}?year=2021&quarter=3")
    assert response.status_code == expected


PLAN = [
    # role, method, path suffix, status
    ("office", "get", "change/", 200),
    ("reporter", "get", "change/", 200),
    ("reporter", "post", "change/", 403),
    ("reporter", "post", "delete/", 403),
    ("leader", "get", "change/", 302),
]


@pytest.mark.parametrize(("role", "method", "suffix", "expected"), PLAN)
def test_plan_objects(client, world, role, method, suffix, expected):
    client.force_login(world["users"][role])
    url = f"/admin/tasks/task/{world['task'].pk}/{suffix}"
    response = getattr(client, method)(url, {"post": "yes"} if method == "post" else None)
    assert response.status_code == expected


def test_a_task_with_reports_cannot_be_deleted(client, world):
    client.force_login(world["users"]["office"])
    task = world["task"]
    response = client.post(f"/admin/tasks/task/{task.pk}/delete/", {"post": "yes"})
    assert "无法删除" in response.content.decode() or response.status_code == 403
    assert CityAllocation.objects.filter(task=task).exists()
    assert type(task).objects.filter(pk=task.pk).exists()
