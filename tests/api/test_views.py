"""The read API answers with the figures the pages show, for whoever its key acts for."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils.timezone import localdate

from figures.rollups import Figures
from investment.models import QuarterClose
from people.roles import REPORTER
from plan.models import Plan
from tests.api.conftest import bearer, key_for
from tests.builders import make_member, make_project, make_report, make_update, make_world


def get(client, url: str, headers: dict, status: int = 200):
    response = client.get(url, headers=headers)
    assert response.status_code == status, response.content.decode()
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return response.json()


@pytest.fixture
def world(zhengzhou, kaifeng):
    world = make_world(zhengzhou, kaifeng)
    make_report(world.rail, zhengzhou, 1, "12.5", status="approved")
    make_report(world.rail, kaifeng, 1, "4", status="submitted")
    make_report(world.rail, zhengzhou, 2, "10", status="draft")
    return world


def test_the_plans_list_says_each_plans_year_status_and_closed_quarters(
    client, world, leader_key, office
):
    QuarterClose.objects.create(plan=world.plan, quarter=1, closed_by=office)
    found = get(client, "/api/v1/plans", leader_key)
    assert found == [
        {
            "year": 2021,
            "title": world.plan.title,
            "title_en": world.plan.title_en,
            "status": "issued",
            "issued_on": None,
            "is_current": world.plan.is_current,
            "closed_quarters": [1],
            "url": "http://testserver/2021/",
        }
    ]


def test_a_draft_plan_is_not_in_a_leaders_answers_but_is_in_the_offices(
    client, world, leader_key, office_key
):
    Plan.objects.create(year=2022, title="2022年工作要点", status=Plan.Status.DRAFT)
    assert [plan["year"] for plan in get(client, "/api/v1/plans", leader_key)] == [2021]
    assert [plan["year"] for plan in get(client, "/api/v1/plans", office_key)] == [2022, 2021]
    missing = get(client, "/api/v1/plans/2022/figures", leader_key, 404)
    assert missing == {"detail": "没有可读的2022年工作要点。"}


def test_the_plan_figures_are_the_overviews_own(client, world, leader, leader_key):
    client.force_login(leader)
    page = client.get("/2021/?as_of=2021Q1").context
    found = get(client, "/api/v1/plans/2021/figures?as_of=2021Q1", leader_key)
    assert found["as_of"] == "2021Q1" and found["approved_only"] is False
    assert found["total"] == {
        "target": "150.0000",
        "completed": "16.5000",
        "percent": "11.0",
        "expected": "37.5000",
        "gap": "-14.0",
        "pace": "behind",
    }
    assert Decimal(found["total"]["completed"]) == page["scope"].total.completed
    assert [row["city"]["slug"] for row in found["cities"]] == [
        row.city.slug for row in page["cities"]
    ]
    assert [Decimal(row["progress"]["completed"]) for row in found["cities"]] == [
        Decimal("12.5"),
        Decimal("4"),
    ]
    assert [row["code"] for row in found["tasks"]] == ["1.1", "1.2", "2.1"]
    assert found["tasks"][1]["progress"]["target"] is None  # not stated, never 0
    assert found["quarters"][0] == {"quarter": 1, "completed": "16.5000", "expected": "37.5000"}
    assert found["quarters"][1]["completed"] is None  # after the as-of quarter: not yet known


def test_approved_counts_only_the_approved_reports(client, world, leader_key):
    found = get(client, "/api/v1/plans/2021/figures?as_of=2021Q1&approved=true", leader_key)
    assert found["approved_only"] is True
    assert found["total"]["completed"] == "12.5000"


def test_a_draft_counts_nowhere_not_even_in_the_offices_figures(client, world, office_key):
    found = get(client, "/api/v1/plans/2021/figures?as_of=2021Q2", office_key)
    assert found["total"]["completed"] == "16.5000"


def test_a_task_gives_each_citys_quarters_against_its_allocation(client, world, leader_key):
    found = get(client, "/api/v1/plans/2021/tasks/1.1?as_of=2021Q2", leader_key)
    assert found["title"] == "轨道" and found["area"] == 1 and found["corridor"] == "belt"
    assert [(row["city"]["slug"], row["quarters"]) for row in found["cities"]] == [
        ("zhengzhou", ["12.5000", None, None, None]),
        ("kaifeng", ["4.0000", None, None, None]),
    ]
    assert found["cities"][0]["progress"]["target"] == "60.0000"


def test_an_unknown_task_is_a_404_in_chinese(client, world, leader_key):
    assert get(client, "/api/v1/plans/2021/tasks/9.9", leader_key, 404) == {"detail": "未找到。"}


def test_the_task_list_pages_in_a_stable_order(client, world, leader_key):
    first = get(client, "/api/v1/plans/2021/tasks?page_size=2", leader_key)
    second = get(client, "/api/v1/plans/2021/tasks?page_size=2&page=2", leader_key)
    assert (first["count"], first["pages"], first["page"]) == (3, 2, 1)
    assert [task["code"] for task in first["items"] + second["items"]] == ["1.1", "1.2", "2.1"]


@pytest.fixture
def line(world, zhengzhou, kaifeng):
    project = make_project(world.rail, "郑开城际延长线", "start", [zhengzhou, kaifeng])
    make_update(
        project, zhengzhou, 1, "construction", "桥梁施工", status="approved", amount=Decimal("2")
    )
    make_update(project, kaifeng, 1, "preparation", "征地中", status="draft")
    return project


def test_a_project_shows_its_sections_and_the_updates_a_leader_may_read(client, line, leader_key):
    found = get(client, f"/api/v1/plans/2021/projects/{line.pk}?as_of=2021Q1", leader_key)
    assert (found["name"], found["stage"], found["goal_met"]) == (
        "郑开城际延长线",
        "construction",
        True,
    )
    assert found["cumulative"] == "2.0000"
    assert [(row["city"]["slug"], row["stage"]) for row in found["sections"]] == [
        ("zhengzhou", "construction"),
        ("kaifeng", ""),
    ]
    # Kaifeng's draft is Kaifeng's and the office's alone.
    assert [(row["city"], row["status"]) for row in found["updates"]] == [("zhengzhou", "approved")]


def test_a_reporters_key_reads_her_citys_draft(client, line, kaifeng):
    reporter = make_member("kaifeng-reporter", REPORTER, kaifeng)
    found = get(
        client, f"/api/v1/plans/2021/projects/{line.pk}?as_of=2021Q1", bearer(key_for(reporter))
    )
    assert [(row["city"], row["status"]) for row in found["updates"]] == [
        ("zhengzhou", "approved"),
        ("kaifeng", "draft"),
    ]


def test_the_projects_list_takes_the_pages_filters(client, line, leader_key):
    found = get(client, "/api/v1/plans/2021/projects?city=kaifeng&goal=start&met=1", leader_key)
    assert [row["name"] for row in found["items"]] == ["郑开城际延长线"]
    assert found["items"][0]["cities"] == ["zhengzhou", "kaifeng"]
    none = get(client, "/api/v1/plans/2021/projects?goal=complete", leader_key)
    assert (none["count"], none["items"]) == (0, [])
    unknown = get(client, "/api/v1/plans/2021/projects?city=atlantis", leader_key, 404)
    assert unknown == {"detail": "筛选条件“city”：没有“atlantis”。"}


class TestAnonymousCallers:
    def test_are_refused_while_the_dashboard_is_not_public(self, client, world):
        found = get(client, "/api/v1/plans", {}, 401)
        assert found == {"detail": "本接口需要密钥：请发送 Authorization: Bearer <密钥>。"}

    def test_read_only_closed_quarters_and_approved_reports(self, client, world, settings, office):
        settings.DASHBOARD_PUBLIC = True
        QuarterClose.objects.create(plan=world.plan, quarter=1, closed_by=office)
        found = get(client, "/api/v1/plans/2021/figures", {})
        assert (found["as_of"], found["approved_only"]) == ("2021Q1", True)
        assert found["total"]["completed"] == "12.5000"
        # Even when asked for more.
        found = get(client, "/api/v1/plans/2021/figures?as_of=2021Q1&approved=false", {})
        assert found["total"]["completed"] == "12.5000"

    def test_get_no_open_quarter(self, client, world, settings):
        settings.DASHBOARD_PUBLIC = True
        found = get(client, "/api/v1/plans/2021/figures?as_of=2021Q2", {}, 404)
        assert found == {"detail": "开放数据只含已锁定的季度；2021年工作要点已锁定：无。"}

    def test_never_read_a_project_update(self, client, line, settings, office):
        settings.DASHBOARD_PUBLIC = True
        QuarterClose.objects.create(plan=line.task.area.plan, quarter=1, closed_by=office)
        found = get(client, f"/api/v1/plans/2021/projects/{line.pk}", {})
        assert found["updates"] == []


def test_a_session_does_not_stand_in_for_a_key(client, world, leader):
    client.force_login(leader)
    assert get(client, "/api/v1/plans", {}, 401)["detail"].startswith("本接口需要密钥")


def test_the_key_acts_as_its_owner_not_as_the_signed_in_user(client, world, leader, office):
    Plan.objects.create(year=2022, title="2022年工作要点", status=Plan.Status.DRAFT)
    client.force_login(office)
    found = get(client, "/api/v1/plans", bearer(key_for(leader)))
    assert [plan["year"] for plan in found] == [2021]


def test_english_with_accept_language_en(client, world, leader_key):
    found = get(client, "/api/v1/plans/2030", leader_key | {"Accept-Language": "en"}, 404)
    assert found == {"detail": "There is no 2030 plan to read."}


def test_an_unknown_year_is_a_404_in_chinese(client, world, leader_key):
    assert get(client, "/api/v1/plans/2030", leader_key, 404) == {
        "detail": "没有可读的2030年工作要点。"
    }


def test_the_figures_equal_the_figures_objects_in_the_sample_world(
    client, sample_world, leader_key
):
    found = get(client, "/api/v1/plans/2021/figures?as_of=2021Q3", leader_key)
    figures = Figures(sample_world, 3)
    page = figures.page(sample_world)
    assert Decimal(found["total"]["completed"]) == page.total.completed.quantize(Decimal("0.0001"))
    assert [row["progress"]["percent"] for row in found["cities"]] == [
        None if row.progress.percent is None else str(row.progress.percent) for row in page.cities
    ]
    ranked = figures.rankings(localdate()).rows
    assert len(found["rankings"]) == len(ranked)
    assert get_user_model().objects.count() >= 1


class TestProblems:
    @pytest.fixture
    def raised(self, world, zhengzhou, kaifeng):
        from plan.models import Unit
        from tests.builders import raise_problem

        unit = Unit.objects.create(name="省自然资源厅", kind="province")
        raise_problem(world.rail, zhengzhou, "用地指标不足", status="assigned", unit=unit)
        raise_problem(world.rail, kaifeng, "资金未到位")  # not yet assigned
        return unit

    def test_a_leaders_key_reads_the_assigned_ones_only(self, client, raised, leader_key):
        found = get(client, "/api/v1/plans/2021/problems", leader_key)
        assert [(row["title"], row["unit"], row["city"]) for row in found["items"]] == [
            ("用地指标不足", "省自然资源厅", "zhengzhou")
        ]

    def test_a_reporters_key_reads_her_citys_even_unassigned(self, client, raised, kaifeng):
        reporter = make_member("kaifeng-reporter", REPORTER, kaifeng)
        found = get(client, "/api/v1/plans/2021/problems", bearer(key_for(reporter)))
        assert [(row["title"], row["status"]) for row in found["items"]] == [
            ("资金未到位", "raised")
        ]

    def test_the_office_reads_every_one(self, client, raised, office_key):
        found = get(client, "/api/v1/plans/2021/problems", office_key)
        assert found["count"] == 2

    def test_an_anonymous_caller_gets_counts_only(self, client, raised, settings):
        settings.DASHBOARD_PUBLIC = True
        found = get(client, "/api/v1/plans/2021/problems", {}, 401)
        assert found == {"detail": "问题清单需要密钥；开放数据只提供问题数量。"}


def test_issued_bulletins_come_frozen_with_their_files(client, world, office, settings):
    from bulletins.content import content, frozen
    from bulletins.models import Bulletin

    settings.DASHBOARD_PUBLIC = True
    QuarterClose.objects.create(plan=world.plan, quarter=1, closed_by=office)
    bulletin = Bulletin.objects.create(plan=world.plan, quarter=1, next_steps="加快推进。")
    bulletin.issue(office, frozen(content(Figures(world.plan, 1), "加快推进。")))
    Bulletin.objects.create(plan=world.plan, quarter=2, next_steps="草稿")  # not issued
    found = get(client, "/api/v1/plans/2021/bulletins", {})
    assert [(row["number"], row["quarter"]) for row in found] == [(1, 1)]
    assert found[0]["pdf"] == "http://testserver/2021/bulletin/bulletin.pdf?as_of=2021Q1"
    assert found[0]["content"]["next_steps"] == "加快推进。"
    assert client.get(found[0]["pdf"]).status_code == 200
