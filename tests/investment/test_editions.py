"""What a plan's life and members mean for reporting: quarters ended before the issue date owe
nothing, a draft plan takes no report from a city, a closed year reminds no one, and a reporter
reports for the place the plan holds."""

from datetime import date
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from investment.coverage import Cell, owed_reports, reporting_coverage
from investment.models import ProgressReport
from plan.models import Member, Plan
from tests.builders import make_area, make_city, make_member, make_plan, make_report, make_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan_2020(zhengzhou, kaifeng):
    """The 2020 plan: issued on 3 September, no target, 2 tasks."""
    plan = make_plan(2020, areas=None, tasks=None, issued_on=date(2020, 9, 3))
    area = make_area(plan)
    make_task(area, 1, None, [zhengzhou, kaifeng], title="同城化")
    make_task(area, 2, None, [kaifeng], title="水网")
    return plan


def test_quarters_before_the_issue_date_owe_nothing_in_the_grid(plan_2020):
    cells = {
        row.task.code: [c.state for c in row.cells]
        for row in reporting_coverage(plan_2020, 2, today=date(2026, 1, 1)).rows
    }
    assert cells == {
        "1.1": [Cell.BEFORE_ISSUE, Cell.BEFORE_ISSUE],
        "1.2": [Cell.NOT_APPLICABLE, Cell.BEFORE_ISSUE],
    }
    coverage = reporting_coverage(plan_2020, 3, today=date(2026, 1, 1))
    assert (coverage.pending_count, coverage.late_count) == (3, 3)
    assert str(Cell.BEFORE_ISSUE.label) == "印发前"


def test_a_city_owes_only_the_quarters_from_the_issue_on(plan_2020, kaifeng):
    owed = owed_reports(plan_2020, kaifeng, 4)
    assert [(row.task.code, [q for q, _state in row.quarters]) for row in owed] == [
        ("1.1", [3, 4]),
        ("1.2", [3, 4]),
    ]


def test_the_close_confirmation_counts_owed_progress_notes(plan_2020):
    rows = reporting_coverage(plan_2020, 3, today=date(2026, 1, 1)).before_close
    assert [(str(state.label), count) for state, count, _cities in rows] == [
        ("未填报", 0),
        ("待填进展情况", 3),
        ("已报送", 0),
        ("草稿", 0),
        ("已退回", 0),
    ]


def test_reminders_go_out_only_for_issued_plans_whose_year_is_open(plan_2020, kaifeng, office):
    make_member("kf", "市级填报员", kaifeng).__class__.objects.filter(username="kf").update(
        email="kf@example.org"
    )
    out = StringIO()
    call_command("send_reminders", "--year", "2020", "--quarter", "3", stdout=out)
    assert [message.subject for message in mail.outbox] == ["季度填报提醒：开封，2020 年第3季度"]
    plan_2020.status = Plan.Status.CLOSED
    plan_2020.save()
    with pytest.raises(Exception, match="没有该年度已印发且未结束的工作要点。"):
        call_command("send_reminders", "--year", "2020", stdout=StringIO())


def test_a_reporter_cannot_report_into_a_draft_plan(client, zhengzhou):
    plan = make_plan(2023, status=Plan.Status.DRAFT)
    task = make_task(make_area(plan), 1, "10", [zhengzhou])
    reporter = make_member("zz", "市级填报员", zhengzhou)
    draft = ProgressReport(task=task, city=zhengzhou, year=2023, quarter=1, amount=1)
    assert not draft.workflow_allows(reporter)
    client.force_login(reporter)
    assert client.get("/admin/investment/progressreport/quarter/?year=2023").status_code == 404
    page = client.get("/admin/investment/progressreport/add/").content.decode()
    assert f'<option value="{task.pk}">' not in page


def test_a_reporter_sees_no_row_of_a_draft_plan_in_the_admin(client, zhengzhou):
    plan = make_plan(2023, status=Plan.Status.DRAFT)
    task = make_task(make_area(plan), 1, "10", [zhengzhou])
    make_report(task, zhengzhou, 1, "3", ProgressReport.Status.SUBMITTED)
    client.force_login(make_member("zz", "市级填报员", zhengzhou))
    assert client.get("/admin/investment/progressreport/").context["cl"].result_count == 0
    assert client.get(f"/admin/tasks/task/{task.pk}/change/").status_code == 404


def test_the_2024_scope_a_city_in_part_and_a_single_county(client):
    xinxiang = make_city("xinxiang", "新乡", 4, code="410700")
    yuanyang = make_city("yuanyang", "原阳县", 41, code="410725", parent=xinxiang)
    pingdingshan = make_city("pingdingshan", "平顶山", 6, code="410400")
    jiaxian = make_city("jiaxian", "郏县", 61, code="410425", parent=pingdingshan)
    plan = make_plan(2024)
    Member.objects.get(plan=plan, place=xinxiang).counties.set([yuanyang])
    Member.objects.filter(plan=plan, place=pingdingshan).delete()
    Member.objects.create(plan=plan, place=jiaxian)
    task = make_task(make_area(plan), 1, "10", [xinxiang, jiaxian])
    coverage = reporting_coverage(plan, 1, today=date(2024, 3, 1))
    assert [city.display_name for city in coverage.cities] == ["新乡（部分）", "郏县"]
    # 郏县 has a reporter of its own; 新乡's reports for the city it holds in part.
    jx = make_member("jx", "市级填报员", jiaxian)
    client.force_login(jx)
    assert (
        "郏县" in client.get("/admin/investment/progressreport/quarter/?year=2024").content.decode()
    )
    report = ProgressReport(task=task, city=xinxiang, year=2024, quarter=1, amount=1)
    assert not report.workflow_allows(jx)


def test_a_reporter_whose_places_a_plan_does_not_hold_is_told_so(client, zhengzhou):
    plan = make_plan(2021)
    luoyang = make_city("luoyang", "洛阳", 3, code="410300")
    Member.objects.filter(plan=plan, place=luoyang).delete()
    yanshi = make_city("yanshi", "偃师区", 31, code="410381", parent=luoyang)
    client.force_login(make_member("ly", "市级填报员", luoyang))
    html = client.get("/admin/investment/progressreport/quarter/?year=2021").content.decode()
    assert '<p class="errornote">2021 年工作要点不包含洛阳及其县区，无需填报。</p>' in html
    client.force_login(make_member("ys", "市级填报员", yanshi))
    html = client.get("/admin/investment/progressreport/quarter/").content.decode()
    assert '<p class="errornote">2021 年工作要点不包含偃师区，无需填报。</p>' in html
    assert plan.members.count() == 1


def test_a_reporter_reports_for_each_of_her_counties_a_plan_holds_alone(client):
    luoyang = make_city("luoyang", "洛阳", 3, code="410300")
    yanshi = make_city("yanshi", "偃师区", 31, code="410381", parent=luoyang)
    yichuan = make_city("yichuan", "伊川县", 32, code="410329", parent=luoyang)
    plan = make_plan(2024)
    Member.objects.filter(plan=plan, place=luoyang).delete()
    Member.objects.bulk_create([Member(plan=plan, place=yanshi), Member(plan=plan, place=yichuan)])
    make_task(make_area(plan), 1, "10", [yanshi, yichuan])
    client.force_login(make_member("ly", "市级填报员", luoyang))
    sheet = "/admin/investment/progressreport/quarter/?year=2024"
    assert client.get(sheet).context["cities"] == [yanshi, yichuan]
    assert client.get(f"{sheet}&city=yichuan").context["city"] == yichuan
    home = client.get("/admin/?year=2024").context["coverage"]
    assert home.cities == [yanshi, yichuan]


def test_a_city_held_in_part_says_so_on_a_tasks_page_and_in_the_bulletin(client, leader):
    from bulletins.content import content
    from figures.rollups import Figures

    xinxiang = make_city("xinxiang", "新乡", 4, code="410700")
    yuanyang = make_city("yuanyang", "原阳县", 41, code="410725", parent=xinxiang)
    plan = make_plan(2024)
    Member.objects.get(plan=plan, place=xinxiang).counties.set([yuanyang])
    make_task(make_area(plan), 1, "10", [xinxiang])
    client.force_login(leader)
    assert ">新乡（部分）</a>" in client.get("/2024/tasks/1.1/").content.decode()
    line = content(Figures(plan, 1)).cities[0]
    assert (line.name, line.name_en) == ("新乡（部分）", "Xinxiang (in part)")
