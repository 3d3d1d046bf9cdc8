"""Tasks, allocations and milestones export from the admin, scoped as their lists are."""

import pytest
from django.contrib.auth.models import Group

from people.models import Reporter
from people.roles import REPORTER
from tasks.models import Milestone
from tests.builders import make_allocation, make_area, make_plan, make_task


@pytest.fixture
def world(zhengzhou, kaifeng):
    task = make_task(make_area(make_plan()), 1, "100", [zhengzhou, kaifeng], title="=轨道")
    make_allocation(task, zhengzhou, "60")
    make_allocation(task, kaifeng, "40")
    Milestone.objects.create(task=task, city=kaifeng, name="开工", kind="start", due_quarter=2)
    Milestone.objects.create(task=task, city=zhengzhou, name="建成", kind="complete")
    return task


@pytest.fixture
def kaifeng_clerk(client, django_user_model, kaifeng):
    user = django_user_model.objects.create_user("kf", is_staff=True)
    user.groups.add(Group.objects.get(name=REPORTER))
    Reporter.objects.create(user=user, city=kaifeng)
    client.force_login(user)
    return user


def export_csv(client, model: str, resource: str, fields: list[str]) -> list[str]:
    response = client.post(
        f"/admin/tasks/{model}/export/",
        {"format": "1", **{f"{resource}_{name}": "on" for name in fields}},
    )
    assert response.status_code == 200, response.content[:300]
    return response.content.decode("utf-8-sig").splitlines()


def test_a_clerk_exports_only_her_citys_allocations(client, world, kaifeng_clerk):
    lines = export_csv(
        client,
        "cityallocation",
        "cityallocationresource",
        ["code", "task", "city", "amount", "is_sample"],
    )
    assert lines == ["编号,任务,城市,分配金额(亿元),示例数据", "1.1,'=轨道,开封,40.0000,"]


def test_a_clerk_exports_only_her_citys_milestones(client, world, kaifeng_clerk):
    lines = export_csv(
        client,
        "milestone",
        "milestoneresource",
        ["code", "name", "kind", "city", "due_quarter", "status", "done_on"],
    )
    assert lines[1:] == ["1.1,开工,开工,开封,2,计划中,"]


def test_the_office_exports_every_task_with_a_formula_like_title_escaped(client, world, office):
    client.force_login(office)
    lines = export_csv(
        client,
        "task",
        "taskresource",
        ["code", "area", "title", "target", "cities", "corridor", "source_note"],
    )
    assert lines[1] == "1.1,互联互通,'=轨道,100.0000,郑州、开封,,"
