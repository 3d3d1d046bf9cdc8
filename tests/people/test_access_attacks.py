"""An insider's attack on the move to apps by subject (people/access.py's gate, GatedAdmin, the
figures cache, the page downloads). Each failing test is a finding, reproducible as it stands;
the passing ones record what held."""

import re
from datetime import date, timedelta

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from investment.models import ProgressReport
from people.roles import OFFICE, REPORTER, UNIT_CONTACT, VIEWER
from plan.models import Unit
from problems.models import Problem
from tests.builders import make_member, make_report, make_world, raise_problem

pytestmark = pytest.mark.django_db
Status = ProgressReport.Status


def signed_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def leader_staff():
    """A leader with is_staff: the admin opens to her, with the leaders' view permissions."""
    user = make_member("leader-staff", VIEWER)
    return user


# Finding 1 ------------------------------------------------------------------------------------


def test_staff_leader_never_reads_a_returned_reports_amount_through_a_counted_one(
    zhengzhou, kaifeng
):
    """A leader (is_staff) reads counted reports only; a returned one is her city's and the
    office's. Yet the admin page of a counted report lists the city's earlier quarters of the
    task "whatever the status" (earlier_quarters, cumulative_display), and so shows the
    returned Q1's draft amount, as does the counted report's own history version.

    Flow: Q1 and Q2 submitted; the office returns Q1; the reporter types a new Q1 amount
    (7.7777, not submitted). GET /admin/investment/progressreport/<Q2>/change/ as the leader:
    expected no trace of 7.7777; actual "第1季度：7.7777（已退回）" and the cumulative 10.7777."""
    world = make_world(zhengzhou, kaifeng)
    q1 = make_report(world.rail, kaifeng, 1, "1.0000")
    q2 = make_report(world.rail, kaifeng, 2, "3.0000")
    q1.status, q1.return_reason = Status.RETURNED, "请核实"
    q1.save()
    q1.amount = "7.7777"  # The reporter's correction, still a returned draft.
    q1.save()
    client = signed_in(leader_staff())
    # She may not open the returned report itself, nor its versions.
    assert (
        client.get(reverse("admin:investment_progressreport_change", args=[q1.pk])).status_code
        == 404
    )

    leaks = []
    for url in (
        reverse("admin:investment_progressreport_change", args=[q2.pk]),
        reverse(
            "admin:investment_progressreport_simple_history",
            args=[q2.pk, q2.history.latest().history_id],
        ),
    ):
        response = client.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        leaks += [
            f"{url}: {m}" for m in re.findall(r"[^>]{0,20}(?:7\.7777|10\.7777)[^<]{0,20}", page)
        ]
    assert not leaks, "\n".join(leaks)


# Finding 2 ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["leader-staff", "contact"])
def test_a_problems_history_list_shows_no_version_from_before_it_was_assigned(
    role, zhengzhou, kaifeng
):
    """GatedAdmin.history_form_view refuses a leader and a unit's contact the versions of a
    problem from before it was assigned (people.access.problem_rows on the history records),
    but history_view checks only the row as it is now, and simple-history's list shows each
    version's changes: what the city wrote while the problem was still raised.

    GET /admin/problems/problem/<pk>/history/ as a staff leader or the unit's contact:
    expected no "SECRET-WHILE-RAISED" (the version itself is a 404); actual it is listed."""
    world = make_world(zhengzhou, kaifeng)
    unit = Unit.objects.create(name="开封市发展和改革委员会", short_name="开封发改委", kind="other")
    problem = raise_problem(world.rail, kaifeng, title="SECRET-WHILE-RAISED")
    problem.title = "站房用地未落实"  # Edited by the city while raised, then assigned.
    problem.save()
    problem.status, problem.unit = Problem.Status.ASSIGNED, unit
    problem.deadline = date.today() + timedelta(days=30)
    problem.save()
    users = {
        "leader-staff": leader_staff(),
        "contact": make_member("contact", UNIT_CONTACT, unit=unit),
    }
    client = signed_in(users[role])

    raised = problem.history.get(title="SECRET-WHILE-RAISED")
    version = reverse("admin:problems_problem_simple_history", args=[problem.pk, raised.history_id])
    assert client.get(version).status_code == 404  # The gate: not hers as it was then.

    response = client.get(reverse("admin:problems_problem_history", args=[problem.pk]))
    assert response.status_code == 200
    shown = re.findall(r"[^<>]{0,40}SECRET-WHILE-RAISED[^<>]{0,40}", response.content.decode())
    assert not shown, shown


# What held ------------------------------------------------------------------------------------


def test_history_versions_are_never_posted_back(zhengzhou, kaifeng):
    """POST to a history version is refused for everyone, the office included."""
    world = make_world(zhengzhou, kaifeng)
    report = make_report(world.rail, kaifeng, 1, "1.0000")
    version = report.history.latest().history_id
    url = reverse("admin:investment_progressreport_simple_history", args=[report.pk, version])
    office = make_member("office", OFFICE)
    reporter = make_member("reporter", REPORTER, city=kaifeng)
    for user in (office, reporter):
        response = signed_in(user).post(url, {"amount": "99", "_change_history": "1"})
        assert response.status_code == 403
    assert ProgressReport.objects.get().amount == 1


@pytest.mark.parametrize(
    "path",
    [
        "areas/999/",
        "areas/99999999999999999999/",
        "cities/nope/",
        "corridors/nope/",
        "tasks/9.9/",
        "tasks/abc/",
        "tasks/1.1.1/",
        "tasks/99999999999999999999.1/",
    ],
)
def test_unknown_subjects_are_a_404_never_a_500(path, zhengzhou, kaifeng, leader, client):
    make_world(zhengzhou, kaifeng)
    client.force_login(leader)
    for file in ("export.xlsx", "reports.csv"):
        for query in ("", "?as_of=2021Q5", "?as_of=%00", "?approved=1&as_of=2021Q2"):
            assert client.get(f"/2021/{path}{file}{query}").status_code == 404


def test_a_citys_files_for_its_reporter_leaders_and_the_office_only(zhengzhou, kaifeng, leader):
    make_world(zhengzhou, kaifeng)
    unit = Unit.objects.create(name="单位", short_name="单位", kind="other")
    expected = {
        make_member("reporter-a", REPORTER, city=kaifeng): 200,
        make_member("reporter-b", REPORTER, city=zhengzhou): 404,
        make_member("contact", UNIT_CONTACT, unit=unit): 404,
        make_member("office", OFFICE): 200,
        leader: 200,
    }
    for file in ("export.xlsx", "reports.csv"):
        url = f"/2021/cities/kaifeng/{file}?as_of=2021Q1"
        for user, status in expected.items():
            assert signed_in(user).get(url).status_code == status, (user, url)
        with override_settings(DASHBOARD_PUBLIC=True):
            assert Client().get(url).status_code == 302
