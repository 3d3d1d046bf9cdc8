"""Quarterly reporting through the admin's real URLs, with the cast of roles.

The cast: the office (都市圈办公室), the Kaifeng reporter and the Zhengzhou reporter
(市级填报员), and a leader (领导).
"""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from investment.models import ProgressReport
from people.models import Reporter
from people.roles import OFFICE, REPORTER, VIEWER
from tasks.models import Milestone
from tests.builders import make_allocation, make_area, make_plan, make_report, make_task

Status = ProgressReport.Status
REPORTS = "/admin/investment/progressreport/"


def member(django_user_model, username, group, city=None, staff=True):
    user = django_user_model.objects.create_user(username, password="x", is_staff=staff)
    user.groups.add(Group.objects.get(name=group))
    if city:
        Reporter.objects.create(user=user, city=city)
    return user


@pytest.fixture
def task(zhengzhou, kaifeng):
    task = make_task(make_area(make_plan()), target="100", cities=[zhengzhou, kaifeng])
    make_allocation(task, zhengzhou, "60")
    make_allocation(task, kaifeng, "40")
    return task


@pytest.fixture
def office_user(django_user_model):
    return member(django_user_model, "office", OFFICE)


@pytest.fixture
def kaifeng_reporter(django_user_model, kaifeng):
    return member(django_user_model, "kf", REPORTER, kaifeng)


@pytest.fixture
def zhengzhou_reporter(django_user_model, zhengzhou):
    return member(django_user_model, "zz", REPORTER, zhengzhou)


@pytest.fixture
def leader(django_user_model):
    return member(django_user_model, "leader", VIEWER, staff=False)


def as_user(client, user):
    client.force_login(user)
    return client


def report_data(report, **changes) -> dict:
    data = {
        "task": report.task_id,
        "city": report.city_id,
        "year": report.year,
        "quarter": report.quarter,
        "amount": str(report.amount),
        "note": report.note,
        "seen_version": report.version,
    }
    return {**data, **changes}


def test_city_reporter_sees_only_her_citys_reports(
    client, task, kaifeng_reporter, zhengzhou, kaifeng
):
    make_report(task, kaifeng, 1, "11.11")
    make_report(task, zhengzhou, 1, "22.22")
    html = as_user(client, kaifeng_reporter).get(REPORTS).content.decode()
    assert "11.1100" in html
    assert "22.2200" not in html


def test_city_reporter_cannot_open_other_citys_report(client, task, kaifeng_reporter, zhengzhou):
    other = make_report(task, zhengzhou, 1, "22.22", Status.DRAFT)
    client = as_user(client, kaifeng_reporter)
    for url in ["change/", "history/", "delete/"]:
        assert client.get(f"{REPORTS}{other.pk}/{url}").status_code == 404
    assert client.post(f"{REPORTS}{other.pk}/change/", report_data(other)).status_code == 404
    other.refresh_from_db()
    assert other.amount == Decimal("22.22")


def test_city_reporter_cannot_edit_other_city_through_a_crafted_form(
    client, task, kaifeng_reporter, zhengzhou
):
    response = as_user(client, kaifeng_reporter).post(
        f"{REPORTS}add/",
        {"task": task.pk, "city": zhengzhou.pk, "year": 2021, "quarter": 1, "amount": "5"},
    )
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert not ProgressReport.objects.exists()


def test_city_reporter_adds_a_draft_for_her_city(client, task, kaifeng_reporter, kaifeng):
    response = as_user(client, kaifeng_reporter).post(
        f"{REPORTS}add/",
        {"task": task.pk, "city": kaifeng.pk, "year": 2021, "quarter": 1, "amount": "１２．５ "},
    )
    assert response.status_code == 302
    report = ProgressReport.objects.get()
    assert (report.city, report.amount, report.status, report.created_by) == (
        kaifeng,
        Decimal("12.5"),
        Status.DRAFT,
        kaifeng_reporter,
    )


def test_city_reporter_saves_and_submits_in_one_step(client, task, kaifeng_reporter, kaifeng):
    report = make_report(task, kaifeng, 1, "3", Status.DRAFT)
    response = as_user(client, kaifeng_reporter).post(
        f"{REPORTS}{report.pk}/change/", report_data(report, amount="4", _submit="1")
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.amount, report.status, report.ever_submitted) == (
        Decimal("4"),
        Status.SUBMITTED,
        True,
    )


def test_city_reporter_cannot_change_a_submitted_report(client, task, kaifeng_reporter, kaifeng):
    report = make_report(task, kaifeng, 1, "3", Status.SUBMITTED)
    client = as_user(client, kaifeng_reporter)
    assert 'name="amount"' not in client.get(f"{REPORTS}{report.pk}/change/").content.decode()
    response = client.post(
        f"{REPORTS}{report.pk}/change/", report_data(report, amount="9"), follow=True
    )
    # Told why (a stale tab), shown the report as it is: never a bare 403.
    assert (
        "1.1 · 开封 · 2021Q1 为“已报送”，现在只有都市圈办公室可以修改。"
        in response.content.decode()
    )
    report.refresh_from_db()
    assert report.amount == Decimal("3")


def test_city_reporter_cannot_approve(client, task, kaifeng_reporter, kaifeng):
    report = make_report(task, kaifeng, 1, "3", Status.SUBMITTED)
    as_user(client, kaifeng_reporter).post(
        REPORTS, {"action": "approve_reports", "_selected_action": [report.pk]}
    )
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED


def test_city_reporter_submits_drafts_with_the_action(client, task, kaifeng_reporter, kaifeng):
    report = make_report(task, kaifeng, 1, "3", Status.DRAFT)
    as_user(client, kaifeng_reporter).post(
        REPORTS, {"action": "submit_reports", "_selected_action": [report.pk]}
    )
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED


def test_city_reporter_deletes_a_draft_that_never_counted(client, task, kaifeng_reporter, kaifeng):
    report = make_report(task, kaifeng, 1, "3", Status.DRAFT)
    client = as_user(client, kaifeng_reporter)
    assert client.post(f"{REPORTS}{report.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not ProgressReport.objects.exists()


def test_city_reporter_cannot_delete_a_report_once_submitted(
    client, task, kaifeng_reporter, kaifeng
):
    report = make_report(task, kaifeng, 1, "3", Status.RETURNED)
    report.ever_submitted = True
    report.save()
    client = as_user(client, kaifeng_reporter)
    assert client.post(f"{REPORTS}{report.pk}/delete/", {"post": "yes"}).status_code == 403
    assert ProgressReport.objects.count() == 1


def test_office_approves_submitted_reports(client, task, office_user, kaifeng, zhengzhou):
    reports = [make_report(task, city, 1, "3", Status.SUBMITTED) for city in (kaifeng, zhengzhou)]
    response = as_user(client, office_user).post(
        REPORTS, {"action": "approve_reports", "_selected_action": [r.pk for r in reports]}
    )
    assert response.status_code == 302
    assert list(ProgressReport.objects.values_list("status", flat=True)) == [Status.APPROVED] * 2


def test_approving_a_draft_approves_nothing(client, task, office_user, kaifeng, zhengzhou):
    submitted = make_report(task, kaifeng, 1, "3", Status.SUBMITTED)
    draft = make_report(task, zhengzhou, 1, "3", Status.DRAFT)
    response = as_user(client, office_user).post(
        REPORTS,
        {"action": "approve_reports", "_selected_action": [submitted.pk, draft.pk]},
        follow=True,
    )
    assert "只有已报送的填报才能审核" in response.content.decode()
    assert set(ProgressReport.objects.values_list("status", flat=True)) == {
        Status.SUBMITTED,
        Status.DRAFT,
    }


def test_office_returns_reports_with_a_reason(client, task, office_user, kaifeng):
    report = make_report(task, kaifeng, 1, "3", Status.SUBMITTED)
    client = as_user(client, office_user)
    ask = client.post(REPORTS, {"action": "return_reports", "_selected_action": [report.pk]})
    assert "退回原因" in ask.content.decode()
    client.post(
        REPORTS,
        {
            "action": "return_reports",
            "_selected_action": [report.pk],
            "apply": "1",
            "reason": "数字与项目台账不符",
        },
    )
    report.refresh_from_db()
    assert (report.status, report.return_reason) == (Status.RETURNED, "数字与项目台账不符")


def test_returning_without_a_reason_changes_nothing(client, task, office_user, kaifeng):
    report = make_report(task, kaifeng, 1, "3", Status.SUBMITTED)
    response = as_user(client, office_user).post(
        REPORTS,
        {"action": "return_reports", "_selected_action": [report.pk], "apply": "1", "reason": " "},
    )
    assert "退回原因：请说明退回的理由。" in response.content.decode()
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED


def test_a_returned_report_edited_by_its_reporter_is_a_draft_again(
    client, task, kaifeng_reporter, kaifeng
):
    report = make_report(task, kaifeng, 1, "3", Status.RETURNED)
    as_user(client, kaifeng_reporter).post(
        f"{REPORTS}{report.pk}/change/", report_data(report, amount="2.5")
    )
    report.refresh_from_db()
    assert (report.status, report.amount) == (Status.DRAFT, Decimal("2.5"))


def test_leader_has_no_admin(client, leader):
    response = as_user(client, leader).get(REPORTS)
    assert response.status_code == 302
    assert "/admin/login/" in response.url


def test_city_reporter_sees_only_her_citys_allocations(client, task, kaifeng_reporter, zhengzhou):
    client = as_user(client, kaifeng_reporter)
    html = client.get("/admin/tasks/cityallocation/").content.decode()
    assert "40.0000" in html
    assert "60.0000" not in html
    other = task.allocations.get(city=zhengzhou)
    assert client.get(f"/admin/tasks/cityallocation/{other.pk}/change/").status_code == 404


def test_city_reporter_cannot_change_the_plan(client, task, kaifeng_reporter):
    client = as_user(client, kaifeng_reporter)
    assert client.get(f"/admin/tasks/task/{task.pk}/change/").status_code == 200
    response = client.post(f"/admin/tasks/task/{task.pk}/change/", {"title": "改过"})
    assert response.status_code == 403
    task.refresh_from_db()
    assert task.title == "测试任务"
    assert client.get("/admin/tasks/task/add/").status_code == 403


def test_city_reporter_updates_her_citys_milestone_status(client, task, kaifeng_reporter, kaifeng):
    milestone = Milestone.objects.create(
        task=task, city=kaifeng, name="开封段", kind=Milestone.Kind.START
    )
    response = as_user(client, kaifeng_reporter).post(
        f"/admin/tasks/milestone/{milestone.pk}/change/",
        {"status": "in_progress", "done_on": "", "name": "改名"},
    )
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert (milestone.status, milestone.name) == (Milestone.Status.IN_PROGRESS, "开封段")


def test_city_reporter_cannot_open_other_citys_milestone(client, task, kaifeng_reporter, zhengzhou):
    milestone = Milestone.objects.create(
        task=task, city=zhengzhou, name="郑州段", kind=Milestone.Kind.START
    )
    client = as_user(client, kaifeng_reporter)
    assert client.get(f"/admin/tasks/milestone/{milestone.pk}/change/").status_code == 404


def test_two_people_saving_one_report_never_overwrite_each_other(
    client, django_user_model, task, office_user, kaifeng_reporter, kaifeng
):
    from django.test import Client

    report = make_report(task, kaifeng, 1, "3", Status.DRAFT)
    seen_by_both = report_data(report)
    first = as_user(client, kaifeng_reporter)
    second = Client()
    second.force_login(office_user)
    assert (
        first.post(f"{REPORTS}{report.pk}/change/", {**seen_by_both, "amount": "4"}).status_code
        == 302
    )
    response = second.post(f"{REPORTS}{report.pk}/change/", {**seen_by_both, "amount": "5"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "kf 在您编辑期间修改了这条填报" in html
    assert "现为4 亿元" in html
    report.refresh_from_db()
    assert report.amount == Decimal("4")


def test_every_change_is_in_the_history_with_before_and_after(
    client, task, kaifeng_reporter, kaifeng
):
    report = make_report(task, kaifeng, 1, "3", Status.DRAFT)
    client = as_user(client, kaifeng_reporter)
    client.post(f"{REPORTS}{report.pk}/change/", report_data(report, amount="4.5"))
    newest, previous = report.history.all()[:2]
    changes = {c.field: (c.old, c.new) for c in newest.diff_against(previous).changes}
    assert changes["amount"] == (Decimal("3"), Decimal("4.5"))
    assert newest.history_user == kaifeng_reporter
    html = client.get(f"{REPORTS}{report.pk}/history/").content.decode()
    assert "kf" in html


def test_office_sees_the_coverage_grid_on_the_admin_index(client, task, office_user, kaifeng):
    report = make_report(task, kaifeng, 2, "3", Status.SUBMITTED)
    html = as_user(client, office_user).get("/admin/").content.decode()
    assert "2021 年第2季度填报情况" in html
    assert "截止日期：2021-07-10。" in html
    assert (
        f'<td class="cell-submitted"><a href="{REPORTS}{report.pk}/change/">已报送</a></td>' in html
    )
    assert (
        '<td class="cell-missing late"><a href="/admin/investment/progressreport/quarter/'
        '?year=2021&amp;city=zhengzhou&amp;quarter=2">未填报 · 逾期</a></td>' in html
    )


def test_reporter_sees_only_her_city_in_the_grid(client, task, kaifeng_reporter, kaifeng):
    html = as_user(client, kaifeng_reporter).get("/admin/?quarter=1").content.decode()
    assert '<th scope="col">开封</th>' in html
    assert '<th scope="col">郑州</th>' not in html


def close(client, quarter: int = 1, reason: str = ""):
    return client.post(
        "/admin/investment/progressreport/close/",
        {"year": 2021, "quarter": quarter, "reason": reason},
    )


def test_office_closes_a_quarter(client, task, office_user):
    from investment.models import QuarterClose

    response = close(as_user(client, office_user))
    assert response.status_code == 302
    closed = QuarterClose.objects.get()
    assert (closed.quarter, closed.closed_by) == (1, office_user)
    html = client.get("/admin/?quarter=1").content.decode()
    assert "锁定后各市不能再修改本季度" in html


def test_city_reporter_cannot_close_a_quarter(client, task, kaifeng_reporter):
    from investment.models import QuarterClose

    assert close(as_user(client, kaifeng_reporter)).status_code == 403
    assert not QuarterClose.objects.exists()


def test_a_closed_quarter_is_read_only_for_reporters(
    client, task, office_user, kaifeng_reporter, kaifeng
):
    from django.test import Client

    draft = make_report(task, kaifeng, 1, "3", Status.DRAFT)
    office = Client()
    office.force_login(office_user)
    close(office, reason="按时锁定")
    client = as_user(client, kaifeng_reporter)
    response = client.post(
        f"{REPORTS}{draft.pk}/change/", report_data(draft, amount="9"), follow=True
    )
    assert "本季度已锁定，只有都市圈办公室可以修改。" in response.content.decode()
    sheet = client.get("/admin/investment/progressreport/quarter/?quarter=1").content.decode()
    assert 'name="rows-0-amount"' in sheet and "disabled" in sheet
    draft.refresh_from_db()
    assert draft.amount == Decimal("3")


def test_office_corrects_a_closed_quarter_only_with_a_reason(client, task, office_user, kaifeng):
    report = make_report(task, kaifeng, 1, "3", Status.APPROVED)
    client = as_user(client, office_user)
    close(client)
    url = f"{REPORTS}{report.pk}/change/"
    refused = client.post(url, report_data(report, amount="3.5"))
    assert "修改原因：本季度已锁定，请说明修改的理由。" in refused.content.decode()
    report.refresh_from_db()
    assert report.amount == Decimal("3")
    accepted = client.post(url, report_data(report, amount="3.5", correction_reason="台账更正"))
    assert accepted.status_code == 302
    report.refresh_from_db()
    assert report.amount == Decimal("3.5")
    assert report.amount_at_close() == Decimal("3")
    assert report.history.first().history_change_reason == "台账更正"
    assert "3" in client.get(url).content.decode()


def test_a_reporter_cannot_add_a_report_to_a_closed_quarter(
    client, task, office_user, kaifeng_reporter, kaifeng
):
    from django.test import Client

    office = Client()
    office.force_login(office_user)
    close(office)
    response = as_user(client, kaifeng_reporter).post(
        f"{REPORTS}add/",
        {"task": task.pk, "city": kaifeng.pk, "year": 2021, "quarter": 1, "amount": "5"},
    )
    assert "季度：都市圈办公室已锁定本季度。" in response.content.decode()
    assert not ProgressReport.objects.exists()


@pytest.mark.parametrize("kind", ["report", "allocation", "task"])
def test_history_pages_never_save(client, task, kaifeng_reporter, office_user, kaifeng, kind):
    report = make_report(task, kaifeng, 1, "3", Status.DRAFT)
    obj, url = {
        "report": (report, REPORTS),
        "allocation": (task.allocations.get(city=kaifeng), "/admin/tasks/cityallocation/"),
        "task": (task, "/admin/tasks/task/"),
    }[kind]
    record = obj.history.first()
    for user in (kaifeng_reporter, office_user):
        response = as_user(client, user).post(
            f"{url}{obj.pk}/history/{record.history_id}/",
            {"title": "改", "amount": "0.0001", "target": "99999"},
        )
        assert response.status_code == 403
    obj.refresh_from_db()
    assert obj.history.count() == 1


def test_a_reports_task_city_and_quarter_are_fixed_once_it_exists(
    client, task, kaifeng_reporter, kaifeng
):
    report = make_report(task, kaifeng, 2, "3", Status.DRAFT)
    response = as_user(client, kaifeng_reporter).post(
        f"{REPORTS}{report.pk}/change/", report_data(report, quarter="1", amount="4")
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.quarter, report.amount) == (2, Decimal("4"))


def report_state() -> list:
    return [
        list(ProgressReport.objects.order_by("pk").values_list("amount", "status", "version")),
        ProgressReport.history.count(),
    ]


def test_submitting_with_the_action_while_an_earlier_quarter_is_returned_is_refused(
    client, task, kaifeng_reporter, kaifeng
):
    make_report(task, kaifeng, 1, "3", Status.RETURNED)
    later = make_report(task, kaifeng, 2, "2", Status.DRAFT)
    before = report_state()
    response = as_user(client, kaifeng_reporter).post(
        REPORTS, {"action": "submit_reports", "_selected_action": [later.pk]}, follow=True
    )
    assert (
        "该任务第1季度仍处于“已退回”状态，请先报送第1季度，再报送第2季度"
        "（本市填报员可在第1季度的季度填报中报送）。"
    ) in (response.content.decode())
    assert report_state() == before


def test_a_list_action_names_every_row_it_refuses_and_changes_none(
    client, task, kaifeng_reporter, kaifeng
):
    other = make_task(task.area, 2, "50", [kaifeng], title="水网")
    make_report(task, kaifeng, 1, "3", Status.DRAFT)
    make_report(other, kaifeng, 1, "3", Status.RETURNED)
    later = [make_report(t, kaifeng, 2, "2", Status.DRAFT) for t in (task, other)]
    ready = make_report(make_task(task.area, 3, "50", [kaifeng]), kaifeng, 2, "1", Status.DRAFT)
    before = report_state()
    response = as_user(client, kaifeng_reporter).post(
        REPORTS,
        {"action": "submit_reports", "_selected_action": [r.pk for r in [*later, ready]]},
        follow=True,
    )
    html = response.content.decode()
    assert "未作任何修改。2 条填报未通过：" in html
    assert "1.1 · 开封 · 2021Q2: 1.1：该任务第1季度仍处于“草稿”状态" in html
    assert "1.2 · 开封 · 2021Q2: 1.2：该任务第1季度仍处于“已退回”状态" in html
    assert report_state() == before


def test_submitting_both_quarters_with_the_action_submits_them_in_order(
    client, task, kaifeng_reporter, kaifeng
):
    earlier = make_report(task, kaifeng, 1, "3", Status.DRAFT)
    later = make_report(task, kaifeng, 2, "2", Status.DRAFT)
    as_user(client, kaifeng_reporter).post(
        REPORTS, {"action": "submit_reports", "_selected_action": [later.pk, earlier.pk]}
    )
    assert set(ProgressReport.objects.values_list("status", flat=True)) == {Status.SUBMITTED}


def test_saving_and_submitting_while_an_earlier_quarter_is_a_draft_is_refused(
    client, task, kaifeng_reporter, kaifeng
):
    make_report(task, kaifeng, 1, "3", Status.DRAFT)
    later = make_report(task, kaifeng, 2, "2", Status.DRAFT)
    before = report_state()
    response = as_user(client, kaifeng_reporter).post(
        f"{REPORTS}{later.pk}/change/", report_data(later, amount="4", _submit="1")
    )
    assert response.status_code == 200
    assert (
        "该任务第1季度仍处于“草稿”状态，请先报送第1季度，再报送第2季度"
        "（本市填报员可在第1季度的季度填报中报送）。"
    ) in (response.content.decode())
    assert report_state() == before


def test_a_reporter_withdraws_a_submitted_report_before_review(
    client, task, kaifeng_reporter, kaifeng
):
    report = make_report(task, kaifeng, 1, "3", Status.SUBMITTED)
    client = as_user(client, kaifeng_reporter)
    page = client.get(f"{REPORTS}{report.pk}/change/").content.decode()
    assert '<input type="submit" value="撤回">' in page
    response = client.post(
        REPORTS,
        {"action": "withdraw_reports", "_selected_action": [report.pk], "_back": report.pk},
        follow=True,
    )
    assert "已撤回 1 条填报，恢复为草稿。" in response.content.decode()
    report.refresh_from_db()
    assert (report.status, report.version) == (Status.DRAFT, 2)
    assert report.history.first().history_user == kaifeng_reporter
    # A draft again: hers to correct and submit.
    again = client.post(
        f"{REPORTS}{report.pk}/change/", report_data(report, amount="3.5", _submit="1")
    )
    assert again.status_code == 302
    report.refresh_from_db()
    assert (report.amount, report.status) == (Decimal("3.5"), Status.SUBMITTED)


def test_a_reviewed_report_cannot_be_withdrawn(client, task, kaifeng_reporter, kaifeng):
    report = make_report(task, kaifeng, 1, "3", Status.APPROVED)
    client = as_user(client, kaifeng_reporter)
    assert "撤回" not in client.get(f"{REPORTS}{report.pk}/change/").content.decode()
    response = client.post(
        REPORTS, {"action": "withdraw_reports", "_selected_action": [report.pk]}, follow=True
    )
    assert "只有待审核的填报可以撤回。" in response.content.decode()
    report.refresh_from_db()
    assert report.status == Status.APPROVED


def test_a_closed_quarters_report_cannot_be_withdrawn(
    client, task, kaifeng_reporter, kaifeng, office_user
):
    from investment.models import QuarterClose

    report = make_report(task, kaifeng, 1, "3", Status.SUBMITTED)
    QuarterClose.close(task.area.plan, 1, office_user, "按时锁定")
    response = as_user(client, kaifeng_reporter).post(
        REPORTS, {"action": "withdraw_reports", "_selected_action": [report.pk]}, follow=True
    )
    assert "本季度已锁定，只有都市圈办公室可以修改。" in response.content.decode()
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED


def test_another_citys_reporter_and_the_office_have_no_withdraw(
    client, task, kaifeng, zhengzhou, office_user, django_user_model
):
    report = make_report(task, kaifeng, 1, "3", Status.SUBMITTED)
    page = as_user(client, office_user).get(REPORTS).content.decode()
    assert "withdraw_reports" not in page
    other = member(django_user_model, "zz", REPORTER)
    Reporter.objects.create(user=other, city=zhengzhou)
    client = as_user(client, other)
    client.post(REPORTS, {"action": "withdraw_reports", "_selected_action": [report.pk]})
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED


def test_returning_a_report_tells_the_citys_reporters_why(
    client,
    task,
    office_user,
    kaifeng_reporter,
    kaifeng,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    report = make_report(task, kaifeng, 1, "3", Status.SUBMITTED)
    kaifeng_reporter.email, office_user.email = "kf@example.cn", "office@example.cn"
    kaifeng_reporter.save()
    office_user.save()
    with django_capture_on_commit_callbacks(execute=True):
        as_user(client, office_user).post(
            REPORTS,
            {
                "action": "return_reports",
                "_selected_action": [report.pk],
                "apply": "1",
                "reason": "金额与台账不符",
            },
        )
    assert [mail.to for mail in mailoutbox] == [["kf@example.cn"]]
    mail = mailoutbox[0]
    assert mail.subject == "填报被退回：1.1 · 开封 · 2021Q1"
    assert "退回原因：金额与台账不符" in mail.body
    assert "/admin/investment/progressreport/quarter/?year=2021&city=kaifeng&quarter=1" in mail.body


def test_an_earlier_quarter_cannot_be_withdrawn_under_a_later_one_that_counts(
    client, task, kaifeng_reporter, kaifeng
):
    first = make_report(task, kaifeng, 1, "3", Status.SUBMITTED)
    make_report(task, kaifeng, 2, "2", Status.SUBMITTED)
    response = as_user(client, kaifeng_reporter).post(
        REPORTS, {"action": "withdraw_reports", "_selected_action": [first.pk]}, follow=True
    )
    assert "第2季度已为“已报送”，其累计建立在本季度之上；请先撤回第2季度。" in (
        response.content.decode()
    )
    first.refresh_from_db()
    assert first.status == Status.SUBMITTED


def test_returning_a_sample_row_tells_nobody(
    client,
    task,
    office_user,
    kaifeng_reporter,
    kaifeng,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    report = make_report(task, kaifeng, 1, "3", Status.SUBMITTED, is_sample=True)
    kaifeng_reporter.email = "kf@example.cn"
    kaifeng_reporter.save()
    with django_capture_on_commit_callbacks(execute=True):
        as_user(client, office_user).post(
            REPORTS,
            {
                "action": "return_reports",
                "_selected_action": [report.pk],
                "apply": "1",
                "reason": "示例",
            },
        )
    report.refresh_from_db()
    assert report.status == Status.RETURNED
    assert mailoutbox == []


def test_a_5000_digit_row_number_is_told_to_choose_again_not_a_500(client, office_user):
    huge = "9" * 5000
    client = as_user(client, office_user)
    response = client.post(
        REPORTS, {"action": "approve_reports", "_selected_action": [huge], "_back": huge}
    )
    assert response.status_code == 302
    assert client.get(f"/admin/?quarter={huge}").status_code == 302


def test_a_real_report_is_not_marked_as_sample_and_a_sample_one_says_so_in_words(
    client, task, office_user, kaifeng
):
    real = make_report(task, kaifeng, 1, "3", Status.SUBMITTED)
    sample = make_report(task, kaifeng, 2, "1", Status.DRAFT, is_sample=True)
    client = as_user(client, office_user)
    page = client.get(f"{REPORTS}{real.pk}/change/").content.decode()
    assert "icon-no.svg" not in page and "示例数据（非真实）" not in page
    page = client.get(f"{REPORTS}{sample.pk}/change/").content.decode()
    assert "示例数据（非真实）" in page


def test_a_reports_history_names_people_by_their_real_names(client, task, office_user, kaifeng):
    office_user.first_name = "李主任"
    office_user.save()
    report = make_report(task, kaifeng, 1, "3", Status.SUBMITTED)
    report.approve(office_user)
    report._history_user = office_user
    report.save()
    page = as_user(client, office_user).get(f"{REPORTS}{report.pk}/history/").content.decode()
    assert "李主任" in page
