"""An insider's attack on the read API (/api/v1/) and its keys.

`test_finding_*`: a weakness the attack found, fixed; each keeps it fixed.
`test_holds_*`:   an attack that failed, and why.
"""

import time
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from investment.models import QuarterClose
from people.models import ApiKey
from people.roles import OFFICE, REPORTER, UNIT_CONTACT, VIEWER
from plan.models import Plan, Unit
from tests.api.conftest import bearer, key_for
from tests.builders import (
    make_area,
    make_member,
    make_plan,
    make_project,
    make_report,
    make_task,
    make_update,
    make_world,
    raise_problem,
)

JSON = "application/json; charset=utf-8"
KEYS = "/admin/people/apikey/"


def answer(client, url: str, headers: dict, status: int, method: str = "get"):
    started = time.monotonic()
    response = getattr(client, method)(url, headers=headers)
    assert time.monotonic() - started < 1, url
    assert response.status_code == status, (url, response.status_code, response.content[:300])
    assert response["Content-Type"] == JSON, (url, response["Content-Type"], response.content[:80])
    return response.json()


@pytest.fixture(autouse=True)
def generous_rate(settings):
    settings.API_RATE = "10000/m"
    cache.clear()


@pytest.fixture
def world(zhengzhou, kaifeng):
    """Q1 approved in Zhengzhou; Q2 and Q3 approved too (quarters not closed); a Kaifeng draft."""
    world = make_world(zhengzhou, kaifeng)
    make_report(world.rail, zhengzhou, 1, "12.5", status="approved")
    make_report(world.rail, zhengzhou, 2, "7", status="approved")
    make_report(world.rail, kaifeng, 3, "3", status="approved")
    make_report(world.rail, kaifeng, 1, "9", status="draft")
    return world


@pytest.fixture
def line(world, zhengzhou, kaifeng):
    project = make_project(world.rail, "郑开城际延长线", "start", [zhengzhou, kaifeng])
    make_update(project, zhengzhou, 1, "construction", "桥梁施工", status="approved", amount=2)
    make_update(project, kaifeng, 1, "preparation", "开封草稿", status="draft", amount=5)
    make_update(project, kaifeng, 2, "preparation", "开封退回", status="returned")
    return project


@pytest.fixture
def unit(db):
    return Unit.objects.create(name="省自然资源厅", kind="province")


@pytest.fixture
def problems(world, zhengzhou, kaifeng, unit):
    assigned = raise_problem(world.rail, zhengzhou, "已交办", status="assigned", unit=unit)
    unassigned = raise_problem(world.rail, kaifeng, "待交办")
    return assigned, unassigned


@pytest.fixture
def public(settings, world, office):
    settings.DASHBOARD_PUBLIC = True
    QuarterClose.objects.create(plan=world.plan, quarter=1, closed_by=office)


def every_endpoint(project_id: int = 1) -> list[str]:
    return [
        "/api/v1/plans/2021",
        "/api/v1/plans/2021/figures",
        "/api/v1/plans/2021/tasks",
        "/api/v1/plans/2021/tasks/1.1",
        "/api/v1/plans/2021/projects",
        f"/api/v1/plans/2021/projects/{project_id}",
        "/api/v1/plans/2021/problems",
        "/api/v1/plans/2021/bulletins",
    ]


# ---------------------------------------------------------------------------------------------
# FINDINGS (fail today)
# ---------------------------------------------------------------------------------------------


class TestFindingNoRoleKeyReadsFigures:
    """HIGH. The gate says an account in no role sees no figures (readers_only renders
    no_role.html, 403). The API never asks `reads_dashboard`/`has_role`: the key of an account
    in no role, or of a leader or reporter the office removed from her group, keeps reading
    plans, figures, tasks, projects and bulletins, even with DASHBOARD_PUBLIC off."""

    @pytest.mark.parametrize("url", ["/api/v1/plans", *every_endpoint()[:5], every_endpoint()[7]])
    def test_finding_a_key_of_an_account_in_no_role_is_refused(
        self, client, line, django_user_model, url
    ):
        nobody = django_user_model.objects.create_user("nobody", password="x")
        client.force_login(nobody)
        assert client.get("/2021/").status_code == 403  # the page refuses her
        response = client.get(url, headers=bearer(key_for(nobody)))
        assert response.status_code in (401, 403), (url, response.content[:200])

    def test_finding_a_leader_removed_from_her_group_is_refused(self, client, world, leader):
        headers = bearer(key_for(leader))
        leader.groups.clear()  # the office takes her role away; her key lives on
        response = client.get("/api/v1/plans/2021/figures?as_of=2021Q1", headers=headers)
        assert response.status_code in (401, 403), response.json()["total"]

    def test_finding_the_admin_issues_keys_to_accounts_in_no_role(self, world, django_user_model):
        officer = Client()
        officer.force_login(make_member("officer", OFFICE))
        nobody = django_user_model.objects.create_user("nobody", password="x")
        expires = (timezone.localdate() + timedelta(days=30)).isoformat()
        officer.post(f"{KEYS}add/", {"user": nobody.pk, "name": "x", "expires_on": expires})
        assert not ApiKey.objects.filter(user=nobody).exists()


def test_finding_anonymous_task_detail_shows_quarters_not_closed(client, public):
    """HIGH (open data). Only 2021Q1 is closed; the anonymous answer is "as of 2021Q1,
    approved only", yet each city's `quarters` carries Q2's and Q3's amounts (7 and 3): the
    figures of quarters not closed reach anonymous callers. (A key's answer as of Q1 shows them
    too, as the task page does; the schema's own convention elsewhere is null after as-of.)"""
    found = answer(client, "/api/v1/plans/2021/tasks/1.1", {}, 200)
    quarters = {row["city"]["slug"]: row["quarters"] for row in found["cities"]}
    assert quarters == {
        "zhengzhou": ["12.5000", None, None, None],
        "kaifeng": [None, None, None, None],
    }


def test_finding_anonymous_throttle_trusts_a_forged_x_forwarded_for(client, public, settings):
    """MEDIUM. PerKey falls back to ninja's get_ident, which (NINJA_NUM_PROXIES unset) uses the
    whole X-Forwarded-For the client sent. settings.py says that header is "never trusted from
    the client directly"; here a new made-up address per request lifts the anonymous limit
    (and fills the cache with one throttle entry per forged address)."""
    settings.API_RATE = "3/m"
    cache.clear()
    assert [client.get("/api/v1/plans").status_code for _ in range(4)] == [200, 200, 200, 429]
    forged = [
        client.get("/api/v1/plans", headers={"X-Forwarded-For": f"10.9.{n}.1"}).status_code
        for n in range(5)
    ]
    assert forged == [429] * 5


def test_finding_refused_keys_are_never_throttled(client, world, leader, settings):
    """LOW. Authentication runs before the throttle, so a wrong, revoked or expired key gets
    401 after 401 without limit (each a lookup query); guessing is infeasible, but the
    "rate limited" promise does not hold for them."""
    settings.API_RATE = "3/m"
    secret = key_for(leader)
    forged = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    statuses = [client.get("/api/v1/plans", headers=bearer(forged)).status_code for _ in range(8)]
    assert 429 in statuses


class TestFindingErrorsThatAreNotJson:
    """LOW-MEDIUM. "Every bad input gets a JSON error with a Chinese message": these get
    Django's or ninja's HTML/plain answers instead (English "Method not allowed", the site's
    HTML 404 and 400 pages). HEAD on a GET endpoint is a 405 too."""

    @pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options"])
    def test_finding_another_method(self, client, world, leader_key, method):
        response = getattr(client, method)("/api/v1/plans/2021/figures", headers=leader_key)
        assert response.status_code == 405
        assert response["Content-Type"] == JSON, response.content[:80]

    @pytest.mark.parametrize(
        "url",
        [
            "/api/v1/plan",  # a typo
            "/api/v1/plans/",  # a trailing slash
            "/api/v1/plans/2021/tasks/1.1%2F",  # an encoded slash in a task code
            "/api/v1/%00",
            "/api/v1/docs/",
        ],
    )
    def test_finding_an_unknown_address(self, client, world, leader_key, url):
        response = client.get(url, headers=leader_key)
        assert response.status_code == 404
        assert response["Content-Type"] == JSON, response.content[:80]

    def test_finding_too_many_parameters(self, client, world, leader_key):
        response = client.get("/api/v1/plans?" + "&".join(["a=1"] * 1001), headers=leader_key)
        assert response.status_code == 400
        assert response["Content-Type"] == JSON, response.content[:80]


def test_finding_the_language_cookie_overrides_accept_language(client, world, leader_key):
    """LOW. The /api/ rule uses get_language_from_request, which reads the site's language
    cookie before Accept-Language: a caller carrying django_language=en (a browser, the docs
    page) gets English with no Accept-Language, while the answer says Vary: Accept-Language only
    (a cache keyed on it mixes languages)."""
    client.cookies["django_language"] = "en"
    response = client.get("/api/v1/plans/2030", headers=leader_key)
    assert response.json() == {"detail": "没有可读的2030年工作要点。"}


def test_finding_under_a_script_name_the_api_loses_its_language_rule(client, world, leader_key):
    """LOW. The middleware tests request.path (SCRIPT_NAME + path) for "/api/": served under a
    prefix, the API ignores Accept-Language and varies on Cookie. request.path_info is meant."""
    response = client.get(
        "/api/v1/plans/2030", headers=leader_key | {"Accept-Language": "en"}, SCRIPT_NAME="/zz"
    )
    assert response.json() == {"detail": "There is no 2030 plan to read."}
    assert "Accept-Language" in response["Vary"]


def test_finding_the_keys_changelist_filters_on_the_digest(world, leader):
    """INFO. AccountAdmin refuses ?password__startswith= (a hash read letter by letter);
    ApiKeyAdmin's default lookup_allowed lets the office filter on ?digest__startswith=.
    A SHA-256 of 256 random bits gives nothing away, but the guard is missing."""
    key_for(leader)
    officer = Client()
    officer.force_login(make_member("officer", OFFICE))
    digest = ApiKey.objects.get().digest
    assert officer.get(f"{KEYS}?digest__startswith={digest[:2]}").status_code == 400


# ---------------------------------------------------------------------------------------------
# ATTACKS THAT FAILED (pass today)
# ---------------------------------------------------------------------------------------------


class TestHoldsDrafts:
    def test_holds_a_reporters_key_never_reads_another_citys_draft(
        self, client, line, zhengzhou, problems
    ):
        headers = bearer(key_for(make_member("zz-reporter", REPORTER, zhengzhou)))
        found = answer(client, f"/api/v1/plans/2021/projects/{line.pk}?as_of=2021Q2", headers, 200)
        assert [(row["city"], row["status"]) for row in found["updates"]] == [
            ("zhengzhou", "approved")
        ]
        assert "开封草稿" not in str(found) and "开封退回" not in str(found)
        rows = answer(client, "/api/v1/plans/2021/problems", headers, 200)["items"]
        assert [row["title"] for row in rows] == ["已交办"]  # Kaifeng's unassigned one: not hers

    def test_holds_drafts_never_count_in_anyones_figures(self, client, line, kaifeng, leader):
        reporter = bearer(key_for(make_member("kf-reporter", REPORTER, kaifeng)))
        for headers in (reporter, bearer(key_for(leader))):
            found = answer(client, "/api/v1/plans/2021/figures?as_of=2021Q1", headers, 200)
            assert found["total"]["completed"] == "12.5000"  # not Kaifeng's draft 9
            assert found["projects"]["investment"] == "2.0000"  # not Kaifeng's draft 5
            row = answer(
                client, f"/api/v1/plans/2021/projects/{line.pk}?as_of=2021Q1", headers, 200
            )
            assert [s["stage"] for s in row["sections"]] == ["construction", ""]

    def test_holds_a_reporter_removed_from_her_group_loses_her_drafts(self, client, line, kaifeng):
        reporter = make_member("kf-reporter", REPORTER, kaifeng)
        headers = bearer(key_for(reporter))
        reporter.groups.clear()
        found = client.get(f"/api/v1/plans/2021/projects/{line.pk}?as_of=2021Q1", headers=headers)
        assert "开封草稿" not in found.content.decode()

    def test_holds_a_draft_plan_is_the_offices_alone_on_every_endpoint(
        self, client, world, leader, office_key
    ):
        draft = Plan.objects.create(year=2022, title="2022年工作要点", status=Plan.Status.DRAFT)
        task = make_task(make_area(draft, 1), 1)
        project = make_project(task, "草案项目", "start")
        headers = bearer(key_for(leader))
        for url in every_endpoint(project.pk):
            url = url.replace("2021", "2022")
            assert answer(client, url, headers, 404)["detail"] == "没有可读的2022年工作要点。"
        assert answer(client, "/api/v1/plans/2022", office_key, 200)["status"] == "draft"

    def test_holds_another_years_project_under_this_years_address(self, client, world, leader):
        other = make_plan(2022)
        project = make_project(make_task(make_area(other, 1), 1), "2022项目", "start")
        headers = bearer(key_for(leader))
        found = answer(client, f"/api/v1/plans/2021/projects/{project.pk}", headers, 404)
        assert found == {"detail": "2021年工作要点中没有该重点项目。"}


class TestHoldsProblems:
    def test_holds_unassigned_problems_never_reach_a_leaders_or_a_contacts_key(
        self, client, problems, leader, unit
    ):
        contact = make_member("contact", UNIT_CONTACT, unit=unit)
        for headers in (bearer(key_for(leader)), bearer(key_for(contact))):
            rows = answer(client, "/api/v1/plans/2021/problems?page_size=200", headers, 200)
            assert [row["status"] for row in rows["items"]] == ["assigned"]


class TestHoldsAnonymous:
    def test_holds_nothing_without_a_key_while_not_public(self, client, line):
        for url in ["/api/v1/plans", *every_endpoint(line.pk)]:
            assert answer(client, url, {}, 401)["detail"].startswith("本接口需要密钥")

    @pytest.mark.parametrize(
        "url",
        [
            "/api/v1/plans/2021/figures?as_of=2021Q2",
            "/api/v1/plans/2021/tasks?as_of=2021Q3",
            "/api/v1/plans/2021/tasks/1.1?as_of=2021Q2",
            "/api/v1/plans/2021/projects?as_of=2021Q2",
            "/api/v1/plans/2021/projects/1?as_of=2021Q4",
        ],
    )
    def test_holds_a_quarter_not_closed_is_refused(self, client, line, public, url):
        assert answer(client, url, {}, 404)["detail"].startswith("开放数据只含已锁定的季度")

    def test_holds_approved_only_and_no_rows(self, client, line, public):
        found = answer(client, "/api/v1/plans/2021/figures?approved=false", {}, 200)
        assert (found["approved_only"], found["total"]["completed"]) == (True, "12.5000")
        project = answer(client, f"/api/v1/plans/2021/projects/{line.pk}?approved=0", {}, 200)
        assert project["updates"] == []
        assert answer(client, "/api/v1/plans/2021/problems", {}, 401)

    def test_holds_a_session_is_not_a_key(self, client, world, leader):
        client.force_login(leader)
        assert answer(client, "/api/v1/plans/2021/figures", {}, 401)


class TestHoldsKeys:
    def test_holds_revoked_expired_and_inactive_keys_are_refused(self, client, world, leader):
        today = timezone.localdate()
        assert answer(client, "/api/v1/plans", bearer(key_for(leader, "今", today)), 200)
        yesterday = key_for(leader, "昨", today - timedelta(days=1))
        assert "过期" in answer(client, "/api/v1/plans", bearer(yesterday), 401)["detail"]
        secret = key_for(leader, "吊")
        ApiKey.objects.get(name="吊").revoke(leader, timezone.now())
        assert answer(client, "/api/v1/plans", bearer(secret), 401) == {
            "detail": "API 密钥已被吊销。"
        }
        kept = key_for(leader, "停")
        leader.is_active = False
        leader.save()
        assert answer(client, "/api/v1/plans", bearer(kept), 401)["detail"].endswith("已停用。")

    @pytest.mark.parametrize(
        "query", ["KEY=x", "Access_Token=x", "api_key=x", "Authorization=x", "token=x"]
    )
    def test_holds_a_key_in_the_address_is_refused(self, client, world, leader_key, query):
        found = answer(client, f"/api/v1/plans?{query}", leader_key, 400)
        assert "Authorization" in found["detail"]

    def test_holds_the_digest_is_compared_in_constant_time(
        self, client, world, leader, monkeypatch
    ):
        import hmac

        calls = []
        real = hmac.compare_digest
        monkeypatch.setattr(hmac, "compare_digest", lambda a, b: calls.append(1) or real(a, b))
        answer(client, "/api/v1/plans", bearer(key_for(leader)), 200)
        assert calls == [1]

    def test_holds_use_is_written_at_most_once_a_minute(self, client, world, leader):
        headers = bearer(key_for(leader))
        writes = []
        for _ in range(3):
            with CaptureQueriesContext(connection) as queries:
                client.get("/api/v1/plans", headers=headers)
            writes.append(sum("UPDATE" in q["sql"] for q in queries.captured_queries))
        assert writes == [1, 0, 0]

    def test_holds_the_per_key_history_stays_bounded(self, client, world, leader, settings):
        settings.API_RATE = "5/m"
        cache.clear()
        headers = bearer(key_for(leader))
        statuses = [client.get("/api/v1/plans", headers=headers).status_code for _ in range(20)]
        assert statuses.count(200) == 5 and statuses.count(429) == 15
        assert len(cache.get(f"throttle_api_key{ApiKey.objects.get().pk}")) == 5

    @pytest.mark.parametrize(
        "header",
        [
            "Bearer " + "a" * 1_000_000,
            "Bearer zzm_\x00",
            "Bearer zzm_é",
            "Basic abc, Bearer zzm_",
            "Bearer\tzzm_x",
            "",
            "Bearer",
        ],
    )
    def test_holds_odd_authorization_headers_get_a_quick_json_401(self, client, world, header):
        answer(client, "/api/v1/plans", {"Authorization": header}, 401)

    def test_holds_two_schemes_around_a_good_key_are_refused(self, client, world, leader):
        secret = key_for(leader)
        for header in (f"Bearer {secret}, Basic abc", f"Bearer {secret} {secret}"):
            answer(client, "/api/v1/plans", {"Authorization": header}, 401)


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/v1/plans/2021/tasks?page=" + "9" * 31, 400),
        ("/api/v1/plans/2021/tasks?page=-1", 400),
        ("/api/v1/plans/2021/tasks?page=１", 400),
        ("/api/v1/plans/2021/figures?as_of=2021q1", 400),
        ("/api/v1/plans/2021/figures?as_of=%FF", 400),
        ("/api/v1/plans/2021/tasks/1.1.1", 404),
        ("/api/v1/plans/2021%00", 400),
        ("/api/v1/plans/%FF", 400),
        ("/api/v1/plans/-1", 404),
        ("/api/v1/plans/2021/projects/-5", 404),
        ("/api/v1/plans/2021/projects?unit=１", 400),
        ("/api/v1/plans/2021/bulletins?page=1", 400),
    ],
)
def test_holds_odd_inputs_get_json_in_chinese_quickly(client, world, leader_key, url, status):
    detail = answer(client, url, leader_key, status)["detail"]
    assert any("\u4e00" <= char <= "\u9fff" for char in detail), detail


@pytest.mark.parametrize("language", ["fr", "*", "x" * 3000, "en;q=abc", "zh-TW", "en\x01"])
def test_holds_odd_accept_languages_fall_back_to_chinese(client, world, leader_key, language):
    response = client.get("/api/v1/plans/2030", headers=leader_key | {"Accept-Language": language})
    assert response.status_code == 404 and response["Content-Type"] == JSON
    assert "Accept-Language" in response["Vary"]


def test_holds_answers_match_the_pages_and_keep_decimals_as_strings(
    client, world, line, leader, leader_key
):
    client.force_login(leader)
    page = client.get("/2021/?as_of=2021Q2&approved=1").context
    found = answer(client, "/api/v1/plans/2021/figures?as_of=2021Q2&approved=true", leader_key, 200)
    assert Decimal(found["total"]["completed"]) == page["scope"].total.completed
    assert found == answer(
        client, "/api/v1/plans/2021/figures?as_of=2021Q2&approved=1", leader_key, 200
    )

    def leaves(value):
        if isinstance(value, dict):
            for item in value.values():
                yield from leaves(item)
        elif isinstance(value, list):
            for item in value:
                yield from leaves(item)
        else:
            yield value

    assert not [value for value in leaves(found) if isinstance(value, float)]
    assert found["total"]["completed"] == "19.5000"


def test_holds_list_orders_are_stable_across_pages(client, world, zhengzhou, kaifeng, leader_key):
    for n in range(7):
        make_project(world.rail if n % 2 else world.industry, f"项目{n}", "start", [zhengzhou])
        raise_problem(world.rail, kaifeng, f"问题{n}", status="assigned", unit=None)
    for url in ("/api/v1/plans/2021/projects", "/api/v1/plans/2021/problems"):
        whole = answer(client, f"{url}?page_size=200", leader_key, 200)["items"]
        paged = [
            row
            for page in range(1, 8)
            for row in answer(client, f"{url}?page_size=1&page={page}", leader_key, 200)["items"]
        ]
        assert [row["id"] for row in paged] == [row["id"] for row in whole]


class TestHoldsAdmin:
    @pytest.fixture
    def officer(self, db):
        client = Client()
        client.force_login(make_member("officer", OFFICE))
        return client

    def issue(self, officer, user, **more):
        expires = (timezone.localdate() + timedelta(days=30)).isoformat()
        data = {"user": user.pk, "name": "省项目平台对接", "expires_on": expires} | more
        return officer.post(f"{KEYS}add/", data)

    def test_holds_no_key_for_an_inactive_user(self, officer, leader):
        leader.is_active = False
        leader.save()
        assert self.issue(officer, leader).status_code == 200
        assert not ApiKey.objects.exists()

    def test_holds_a_second_key_of_the_same_name_is_a_separate_key(self, officer, leader):
        self.issue(officer, leader)
        self.issue(officer, leader)
        first, second = ApiKey.objects.all()
        assert first.name == second.name and first.lookup != second.lookup

    def test_holds_the_change_form_changes_the_name_only(self, officer, leader):
        self.issue(officer, leader)
        key = ApiKey.objects.get()
        before = (key.user_id, key.expires_on, key.lookup, key.digest, key.issued_by_id)
        officer.post(
            f"{KEYS}{key.pk}/change/",
            {
                "name": "改名",
                "user": make_member("other", VIEWER).pk,
                "expires_on": "2099-01-01",
                "lookup": "000000000000",
                "digest": "0" * 64,
                "issued_by": leader.pk,
                "revoked_at": "",
            },
        )
        key.refresh_from_db()
        assert key.name == "改名"
        assert (key.user_id, key.expires_on, key.lookup, key.digest, key.issued_by_id) == before

    def test_holds_non_office_staff_cannot_revoke(self, leader):
        key = ApiKey.objects.issue(leader, "x", date(2099, 1, 1), leader)[0]
        for role in (VIEWER, REPORTER, UNIT_CONTACT):
            member = Client()
            member.force_login(make_member(f"staff-{role}", role))
            response = member.post(KEYS, {"action": "revoke", "_selected_action": [key.pk]})
            assert response.status_code == 403
        key.refresh_from_db()
        assert key.revoked_at is None

    def test_holds_the_secret_is_shown_once_uncached_and_logged_nowhere(self, officer, leader):
        response = self.issue(officer, leader, _continue="1")
        secret = response.context["secret"]
        assert "no-store" in response["Cache-Control"]
        key = ApiKey.objects.get()
        logged = " ".join(f"{e.object_repr} {e.change_message}" for e in LogEntry.objects.all())
        assert LogEntry.objects.exists() and secret not in logged
        for url in (KEYS, f"{KEYS}{key.pk}/change/", f"{KEYS}{key.pk}/history/"):
            assert secret not in officer.get(url).content.decode()
        assert secret not in str(dict(officer.session))
