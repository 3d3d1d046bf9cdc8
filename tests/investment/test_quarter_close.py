"""Closing a quarter (锁定) and reopening it, and every path that changes a closed quarter.

The world: task 1.1 (target 100) in Zhengzhou and Kaifeng, task 1.2 in Kaifeng only.
For Q1, Kaifeng has 1.1 submitted and 1.2 a draft; Zhengzhou has 1.1 returned.
"""

import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from investment.models import ProgressReport, QuarterClose
from people.models import Reporter
from people.roles import OFFICE, REPORTER
from tests.builders import make_area, make_plan, make_report, make_task

Status = ProgressReport.Status
REPORTS = "/admin/investment/progressreport/"
CLOSE = f"{REPORTS}close/"
REOPEN = f"{REPORTS}reopen/"
SHEET = f"{REPORTS}quarter/"
NEEDS_REASON = "修改原因：本季度已锁定，请说明修改的理由。"


@pytest.fixture
def world(zhengzhou, kaifeng):
    area = make_area(make_plan())
    rail = make_task(area, 1, "100", [zhengzhou, kaifeng], title="轨道")
    water = make_task(area, 2, "100", [kaifeng], title="水网")
    return {
        "submitted": make_report(rail, kaifeng, 1, "3", Status.SUBMITTED),
        "draft": make_report(water, kaifeng, 1, "2", Status.DRAFT),
        "returned": make_report(rail, zhengzhou, 1, "4", Status.RETURNED),
    }


@pytest.fixture
def office_client(client, django_user_model):
    user = django_user_model.objects.create_user("office", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=OFFICE))
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def kaifeng_client(django_user_model, kaifeng):
    user = django_user_model.objects.create_user("kf", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=REPORTER))
    Reporter.objects.create(user=user, city=kaifeng)
    client = Client()
    client.force_login(user)
    return client


def sheet_data(client, quarter: int) -> dict:
    """What the quarter sheet posts before anything is typed."""
    response = client.get(f"{SHEET}?year=2021&quarter={quarter}")
    return response.context["sheet"].posted()


def row_index(client, quarter: int, task) -> int:
    response = client.get(f"{SHEET}?year=2021&quarter={quarter}")
    forms = response.context["sheet"].reports.forms
    return next(i for i, form in enumerate(forms) if form.row.subject.pk == task.pk)


def reports_and_history() -> tuple[list, list]:
    return (
        list(ProgressReport.objects.order_by("pk").values()),
        list(ProgressReport.history.order_by("pk").values()),
    )


def closed(world, office_client) -> QuarterClose:
    return QuarterClose.close(world["submitted"].task.area.plan, 1, office_client.user)


def test_the_close_confirmation_lists_what_is_still_open(office_client, world):
    html = office_client.get(f"{CLOSE}?year=2021&quarter=1").content.decode()
    assert "<h1>锁定 2021 年第1季度</h1>" in html
    assert '<th scope="row">未填报</th>\n        <td class="num">0 格</td>' in html
    assert '<th scope="row">已报送，待审核</th>\n        <td class="num">1 格</td>' in html
    assert "<div><strong>开封</strong>: 1.1</div>" in html
    assert "<div><strong>开封</strong>: 1.2</div>" in html  # the draft
    assert "<div><strong>郑州</strong>: 1.1</div>" in html  # returned
    assert (
        "仍有 1 条进度填报和 0 条项目进展待审核，2 条为草稿或已退回。"
        "请先处理，或说明现在锁定的理由。" in html
    )
    assert "草稿和已退回的填报保持原状，不计入统计，也不妨碍各市报送下一季度。" in html
    assert not QuarterClose.objects.exists()


def test_the_admin_index_offers_to_close_and_then_to_reopen(office_client, world):
    html = office_client.get("/admin/?quarter=1").content.decode()
    assert (
        f'<a class="button" href="{CLOSE}?year=2021&amp;quarter=1">锁定本季度（已审核完毕）…</a>'
        in html
    )
    closed(world, office_client)
    html = office_client.get("/admin/?quarter=1").content.decode()
    assert f'<a class="button" href="{REOPEN}?year=2021&amp;quarter=1">重新开放本季度…</a>' in html
    assert 'href="/admin/investment/progressreport/close/' not in html


def test_closing_while_a_report_awaits_review_is_refused_without_a_reason(office_client, world):
    before = reports_and_history()
    response = office_client.post(CLOSE, {"year": 2021, "quarter": 1, "reason": " "})
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "原因：仍有 1 条进度填报和 0 条项目进展待审核，2 条为草稿或已退回；"
        "请先处理，或说明现在锁定的理由。" in html
    )
    assert not QuarterClose.objects.exists()
    assert not QuarterClose.history.exists()
    assert reports_and_history() == before


def test_closing_with_only_drafts_or_returned_reports_left_needs_a_reason(office_client, world):
    world["submitted"].status = Status.APPROVED
    world["submitted"].save()
    response = office_client.post(CLOSE, {"year": 2021, "quarter": 1, "reason": ""})
    assert (
        "原因：仍有 0 条进度填报和 0 条项目进展待审核，2 条为草稿或已退回；"
        "请先处理，或说明现在锁定的理由。" in response.content.decode()
    )
    assert not QuarterClose.objects.exists()


def test_closing_with_nothing_left_but_missing_reports_needs_no_reason(office_client, world):
    ProgressReport.objects.update(status=Status.APPROVED)
    response = office_client.post(CLOSE, {"year": 2021, "quarter": 1, "reason": ""}, follow=True)
    assert "2021 年第1季度已锁定。" in response.content.decode()
    assert QuarterClose.history.get().history_change_reason == ""


def test_a_closed_quarters_leftover_draft_never_blocks_the_next_quarter(
    office_client, kaifeng_client, world
):
    water = world["draft"].task
    office_client.post(CLOSE, {"year": 2021, "quarter": 1, "reason": "按时锁定"})
    response = kaifeng_client.post(
        f"{SHEET}?year=2021&quarter=2",
        {
            **sheet_data(kaifeng_client, 2),
            f"rows-{row_index(kaifeng_client, 2, water)}-amount": "5",
        }
        | {"_submit": "1"},
        follow=True,
    )
    html = response.content.decode()
    assert "已报送 1 行。" in html, html[html.find("errornote") : html.find("errornote") + 600]
    q2 = ProgressReport.objects.get(task=water, quarter=2)
    assert (q2.status, q2.amount) == (Status.SUBMITTED, Decimal(5))
    # The leftover stays a draft, uncounted: the close settled nothing in silence.
    world["draft"].refresh_from_db()
    assert world["draft"].status == Status.DRAFT


def test_an_open_earlier_quarter_still_blocks_and_says_who_can_submit_it(kaifeng_client, world):
    water = world["draft"].task
    response = kaifeng_client.post(
        f"{SHEET}?year=2021&quarter=2",
        {
            **sheet_data(kaifeng_client, 2),
            f"rows-{row_index(kaifeng_client, 2, water)}-amount": "5",
            "_submit": "1",
        },
    )
    assert (
        "1.2：该任务第1季度仍处于“草稿”状态，请先报送第1季度，再报送第2季度"
        "（本市填报员可在第1季度的季度填报中报送）。"
    ) in response.content.decode()
    assert not ProgressReport.objects.filter(quarter=2).exists()


def test_the_office_closes_with_a_reason_and_the_close_is_in_the_history(office_client, world):
    response = office_client.post(
        CLOSE, {"year": 2021, "quarter": 1, "reason": "省里要数，先锁定"}, follow=True
    )
    assert "2021 年第1季度已锁定。" in response.content.decode()
    closing = QuarterClose.objects.get()
    assert (closing.quarter, closing.closed_by) == (1, office_client.user)
    record = QuarterClose.history.get()
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "+",
        office_client.user,
        "省里要数，先锁定",
    )


def test_reopening_needs_a_reason(office_client, world):
    closed(world, office_client)
    response = office_client.post(REOPEN, {"year": 2021, "quarter": 1, "reason": ""})
    assert "原因：请说明重新开放本季度的理由。" in response.content.decode()
    assert QuarterClose.objects.count() == 1
    assert QuarterClose.history.count() == 1


def test_the_office_reopens_a_quarter_and_both_events_are_listed(office_client, world):
    closed(world, office_client)
    response = office_client.post(
        REOPEN, {"year": 2021, "quarter": 1, "reason": "开封补报"}, follow=True
    )
    assert "2021 年第1季度已重新开放：各市可以再修改。" in response.content.decode()
    assert not QuarterClose.objects.exists()
    reopened = QuarterClose.history.first()
    assert (reopened.history_type, reopened.history_change_reason) == ("-", "开封补报")
    html = office_client.get(f"{CLOSE}?year=2021&quarter=1").content.decode()
    assert "<td>office</td><td>重新开放</td><td>开封补报</td>" in html
    assert "<td>office</td><td>锁定</td><td>—</td>" in html


def test_a_reporter_can_neither_close_nor_reopen(kaifeng_client, office_client, world):
    assert kaifeng_client.get(f"{CLOSE}?year=2021&quarter=1").status_code == 403
    closed(world, office_client)
    response = kaifeng_client.post(REOPEN, {"year": 2021, "quarter": 1, "reason": "想改"})
    assert response.status_code == 403
    assert QuarterClose.objects.count() == 1


def test_a_closed_quarters_sheet_says_so_and_offers_no_save(kaifeng_client, office_client, world):
    closed(world, office_client)
    html = kaifeng_client.get(f"{SHEET}?quarter=1").content.decode()
    assert "本季度已于" in html and "由 office 锁定：本表不能再填报或修改。" in html
    assert 'name="_save"' not in html and 'name="_submit"' not in html
    assert 'name="rows-1-amount"' in html and "disabled" in html


def test_posting_a_closed_quarters_sheet_changes_nothing(kaifeng_client, office_client, world):
    closed(world, office_client)
    before = reports_and_history()
    data = {
        "rows-TOTAL_FORMS": 2,
        "rows-INITIAL_FORMS": 0,
        "rows-0-task": world["submitted"].task_id,
        "rows-0-amount": "9",
        "rows-1-task": world["draft"].task_id,
        "rows-1-amount": "9",
        "_submit": "1",
    }
    response = kaifeng_client.post(f"{SHEET}?quarter=1", data, follow=True)
    assert "本季度已锁定：未保存任何内容。" in response.content.decode()
    assert reports_and_history() == before


@pytest.mark.parametrize("action", ["approve_reports", "submit_reports"])
def test_a_bulk_action_on_a_closed_quarter_needs_a_reason(office_client, world, action):
    closed(world, office_client)
    report = world["submitted"] if action == "approve_reports" else world["draft"]
    before = reports_and_history()
    response = office_client.post(
        REPORTS, {"action": action, "_selected_action": [report.pk], "reason": ""}, follow=True
    )
    assert f"{report}: {NEEDS_REASON}" in response.content.decode()
    assert reports_and_history() == before


def test_a_bulk_action_on_a_closed_quarter_keeps_its_reason(office_client, world):
    closed(world, office_client)
    report = world["submitted"]
    office_client.post(
        REPORTS,
        {"action": "approve_reports", "_selected_action": [report.pk], "reason": "补审"},
    )
    report.refresh_from_db()
    assert report.status == Status.APPROVED
    assert report.history.first().history_change_reason == "补审"


def test_returning_a_closed_quarters_report_keeps_the_whole_return_reason(office_client, world):
    closed(world, office_client)
    report = world["submitted"]
    reason = "与台账不符。" * 50  # 300 characters: more than django-simple-history's default 100.
    office_client.post(
        REPORTS,
        {
            "action": "return_reports",
            "_selected_action": [report.pk],
            "apply": "1",
            "reason": reason,
        },
    )
    report.refresh_from_db()
    assert (report.status, report.history.first().history_change_reason) == (
        Status.RETURNED,
        reason,
    )


def test_a_reason_longer_than_2000_characters_is_refused(office_client, world):
    closed(world, office_client)
    before = reports_and_history()
    data = {"action": "approve_reports", "_selected_action": [world["submitted"].pk]}
    response = office_client.post(REPORTS, {**data, "reason": "补" * 2001}, follow=True)
    assert "修改原因：最多 2000 个字符。" in response.content.decode()
    assert reports_and_history() == before


def test_deleting_a_closed_quarters_report_needs_a_reason(office_client, world):
    closed(world, office_client)
    url = f"{REPORTS}{world['draft'].pk}/delete/"
    assert 'name="reason"' in office_client.get(url).content.decode()
    before = reports_and_history()
    refused = office_client.post(url, {"post": "yes", "reason": " "}, follow=True)
    assert NEEDS_REASON in refused.content.decode()
    assert reports_and_history() == before
    assert office_client.post(url, {"post": "yes", "reason": "重复填报"}).status_code == 302
    assert not ProgressReport.objects.filter(pk=world["draft"].pk).exists()
    record = ProgressReport.history.filter(id=world["draft"].pk).first()
    assert (record.history_type, record.history_change_reason) == ("-", "重复填报")


def test_bulk_deleting_a_closed_quarters_reports_needs_a_reason(office_client, world):
    closed(world, office_client)
    pks = [world["draft"].pk, world["returned"].pk]
    ask = office_client.post(REPORTS, {"action": "delete_selected", "_selected_action": pks})
    assert 'name="reason"' in ask.content.decode()
    before = reports_and_history()
    data = {"action": "delete_selected", "_selected_action": pks, "post": "yes"}
    refused = office_client.post(REPORTS, data, follow=True)
    assert NEEDS_REASON in refused.content.decode()
    assert reports_and_history() == before
    office_client.post(REPORTS, {**data, "reason": "重复填报"})
    assert list(ProgressReport.objects.values_list("pk", flat=True)) == [world["submitted"].pk]
    reasons = ProgressReport.history.filter(history_type="-").values_list(
        "history_change_reason", flat=True
    )
    assert list(reasons) == ["重复填报", "重复填报"]


def import_file(client, reason: str):
    content = "任务编号,城市,年度,季度,完成投资(亿元),进展情况\n1.1,开封,2021,1,3.5,\n"
    return client.post(
        f"{REPORTS}import/",
        {
            "format": 0,
            "import_file": SimpleUploadedFile("开封.csv", content.encode()),
            "reason": reason,
        },
    )


def test_the_office_imports_into_a_closed_quarter_only_with_a_reason(office_client, world):
    closed(world, office_client)
    before = reports_and_history()
    refused = import_file(office_client, "")
    assert (
        "季度：2021年第1季度已锁定；导入到已锁定的季度须填写修改原因。" in refused.content.decode()
    )
    assert reports_and_history() == before
    preview = import_file(office_client, "台账更正")
    form = preview.context["confirm_form"]
    assert office_client.post(f"{REPORTS}process_import/", form.initial).status_code == 302
    report = ProgressReport.objects.get(pk=world["submitted"].pk)
    assert report.amount == Decimal("3.5")
    assert report.history.first().history_change_reason == "导入自 开封.csv：台账更正"


def test_a_reporter_is_not_asked_for_a_reason_to_import(kaifeng_client, world):
    page = kaifeng_client.get(f"{REPORTS}import/").content.decode()
    assert "修改原因（已锁定的季度）" not in page


def test_import_reports_needs_a_reason_for_a_closed_quarter(office_client, world, tmp_path):
    closed(world, office_client)
    path = tmp_path / "开封.csv"
    path.write_text("任务编号,城市,年度,季度,完成投资(亿元),进展情况\n1.1,开封,2021,1,3.5,\n")
    before = reports_and_history()
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 行未通过检查，未导入任何数据。"):
        call_command("import_reports", str(path), "--user", "office", stderr=err)
    assert "季度：2021年第1季度已锁定；导入到已锁定的季度须填写修改原因。" in err.getvalue()
    assert reports_and_history() == before
    call_command(
        "import_reports",
        str(path),
        "--user",
        "office",
        "--reason",
        "台账更正",
        stdout=io.StringIO(),
    )
    report = ProgressReport.objects.get(pk=world["submitted"].pk)
    assert report.history.first().history_change_reason == "导入自 开封.csv：台账更正"
