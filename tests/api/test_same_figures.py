"""Every figure the API gives for the sample world is the one its page shows: the test walks
the overview at each quarter and switch, every task's page and the projects list."""

from decimal import Decimal

import pytest

from tests.api.conftest import bearer, key_for

WAN = Decimal("0.0001")


def amount(value) -> str | None:
    return None if value is None else str(value.quantize(WAN))


def progress(value) -> dict:
    return {
        "target": amount(value.target),
        "completed": amount(value.completed),
        "percent": None if value.percent is None else str(value.percent),
        "expected": amount(value.expected),
        "gap": None if value.gap is None else str(value.gap),
        "pace": value.pace.value,
    }


@pytest.fixture
def reader(client, sample_world, leader):
    client.force_login(leader)
    headers = bearer(key_for(leader))

    def both(page: str, api: str):
        shown = client.get(page)
        assert shown.status_code == 200, page
        answer = client.get(api, headers=headers)
        assert answer.status_code == 200, api
        return shown.context, answer.json()

    return both


@pytest.mark.parametrize(("quarter", "approved"), [(1, ""), (3, "&approved=1")])
def test_the_overview(reader, quarter, approved):
    query = f"?as_of=2021Q{quarter}{approved}"
    page, api = reader(
        f"/2021/{query}", f"/api/v1/plans/2021/figures{query.replace('=1', '=true')}"
    )
    assert api["total"] == progress(page["scope"].total)
    assert [row["progress"] for row in api["areas"]] == [
        progress(r.progress) for r in page["areas"]
    ]
    assert [(row["city"]["slug"], row["progress"]) for row in api["cities"]] == [
        (r.city.slug, progress(r.progress)) for r in page["cities"]
    ]
    assert [row["progress"] for row in api["corridors"]] == [
        progress(r.progress) for r in page["corridors"]
    ]
    assert [(row["code"], row["progress"]) for row in api["tasks"]] == [
        (r.task.code, progress(r.progress)) for r in page["tasks"]
    ]
    assert [row["completed"] for row in api["quarters"]] == [
        amount(point.completed) for point in page["quarters"]
    ]
    counts = page["scope"].projects
    assert (api["projects"]["started"], api["projects"]["completed"]) == (
        counts.started,
        counts.completed,
    )
    assert api["problems"]["open"] == page["problems"].open
    assert [(row["city"]["slug"], row["completion"]["rank"]) for row in api["rankings"]] == [
        (row.city.slug, row.completion.rank) for row in page["rankings"]
    ]


def test_every_task(reader, sample_world):
    from tasks.models import Task

    for task in Task.objects.of_plan(sample_world).select_related("area"):
        page, api = reader(
            f"/2021/tasks/{task.code}/?as_of=2021Q3",
            f"/api/v1/plans/2021/tasks/{task.code}?as_of=2021Q3",
        )
        assert api["progress"] == progress(page["total"].progress), task.code
        assert [
            (row["city"]["slug"], row["quarters"], row["progress"]) for row in api["cities"]
        ] == [
            (r.city.slug, [amount(q) for q in r.quarters], progress(r.progress))
            for r in page["cities"]
        ], task.code


def test_the_projects_list(reader):
    page, api = reader(
        "/2021/projects/?as_of=2021Q2", "/api/v1/plans/2021/projects?as_of=2021Q2&page_size=200"
    )
    assert [
        (row["id"], row["stage"], row["goal_met"], row["cumulative"], row["progress"])
        for row in api["items"]
    ] == [
        (r.project.pk, r.stage, r.goal_met, amount(r.cumulative), r.progress) for r in page["rows"]
    ]
