"""An insider's attacks on the one entry path (investment.workflow.record) through
every writer, on raising a problem, and on history lists and version pages."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils.timezone import localdate

from investment.models import ProgressReport, ProjectUpdate, QuarterClose
from people.roles import OFFICE, REPORTER, UNIT_CONTACT, VIEWER
from plan.models import Unit
from problems.models import Problem, ProblemEntry
from tests.builders import make_member, make_project, make_report, make_update, make_world
from tests.import_files import workbook

pytestmark = pytest.mark.django_db
Status = ProgressReport.Status
REPORTS = "/admin/investment/progressreport/"
UPDATES = "/admin/investment/projectupdate/"
PROBLEMS = "/admin/problems/problem/"
SHEET = f"{REPORTS}quarter/"
IMPORT = f"{REPORTS}import/"
CONFIRM = f"{REPORTS}process_import/"
NO_PHOTOS = {"photos-TOTAL_FORMS": "0", "photos-INITIAL_FORMS": "0"}


def client_of(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    client.user = user
    return client


class Cast:
    pass


@pytest.fixture
def cast(zhengzhou, kaifeng, django_user_model):
    c = Cast()
    c.world = make_world(zhengzhou, kaifeng)
    c.rail, c.industry, c.plan = c.world.rail, c.world.industry, c.world.plan
    c.a, c.b = kaifeng, zhengzhou
    c.port = make_project(c.rail, "开封港", "complete", [kaifeng])
    c.unit = Unit.objects.create(name="省发改委", kind="provincial_department")
    c.rep_a = make_member("kf", REPORTER, city=kaifeng)
    c.rep_b = make_member("zz", REPORTER, city=zhengzhou)
    c.contact = make_member("contact", UNIT_CONTACT, unit=c.unit)
    c.leader = make_member("leader-staff", VIEWER)
    c.office = make_member("clerk", OFFICE)
    c.root = django_user_model.objects.create_superuser("root", password="x")
    for name in ("rep_a", "rep_b", "contact", "leader", "office", "root"):
        setattr(c, f"{name}_c", client_of(getattr(c, name)))
    return c


def snapshot() -> tuple:
    return (
        list(ProgressReport.objects.order_by("pk").values()),
        list(ProjectUpdate.objects.order_by("pk").values()),
        ProgressReport.history.count(),
        ProjectUpdate.history.count(),
        list(Problem.objects.order_by("pk").values()),
        ProblemEntry.objects.count(),
        Problem.history.count(),
    )


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def page_text(response) -> str:
    return response.content.decode()


def change_data(report, **changes) -> dict:
    return {
        "amount": str(report.amount),
        "note": report.note,
        "seen_version": report.version,
        **changes,
    }


def act(client, url, action, pks, **extra):
    """A list action as the admin's action bar posts it, followed to the page it lands on."""
    return client.post(url, {"action": action, "_selected_action": pks, **extra}, follow=True)


def sheet_post(c, rows, **extra) -> dict:
    """Kaifeng's sheet as posted: rows for 1.1 and 2.1 (its tasks, in the order drawn), and
    the 开封港 section left empty."""
    data = {"projects-0-project": c.port.pk}
    for index, (task, row) in enumerate(zip((c.rail, c.industry), rows, strict=True)):
        data[f"rows-{index}-task"] = task.pk
        data.update({f"rows-{index}-{key}": value for key, value in row.items()})
    return {**data, **extra}


def upload(client, rows):
    content = workbook(rows)
    return client.post(IMPORT, {"format": 0, "import_file": SimpleUploadedFile("f.xlsx", content)})


def update_data(update, **changes) -> dict:
    return {
        "stage": update.stage,
        "amount": "" if update.amount is None else str(update.amount),
        "progress": update.progress,
        "seen_version": update.version,
        **NO_PHOTOS,
        **changes,
    }


# 1. A 500 where a clean refusal is due ------------------------------------------------------


def test_editing_a_report_whose_city_left_its_task_is_refused_not_a_500(cast):
    """The office takes 开封 off task 2.1 (tasks › cities) while 开封 has a draft of it. Then
    reporter A, or the office, saves that draft's change form (POST .../change/): the model's
    clean() says "城市：该城市不参与这项任务" keyed by `city`, a field fixed (read-only) on a
    saved row, so the ModelForm raises ValueError: a 500 for both."""
    c = cast
    draft = make_report(c.industry, c.a, 1, "5", Status.DRAFT)
    c.industry.cities.remove(c.a)
    before = snapshot()
    for client in (c.rep_a_c, c.office_c):
        response = client.post(f"{REPORTS}{draft.pk}/change/", change_data(draft, note="改"))
        assert response.status_code == 200, response.status_code  # 500 today
        assert "该城市不参与这项任务" in page_text(response)
    assert snapshot() == before


def test_editing_an_update_whose_section_was_removed_is_refused_not_a_500(cast):
    """The same with a project update: 开封港 loses its 开封 section (tasks › projects ›
    cities); saving the section's draft update is a 500 for the reporter and the office."""
    c = cast
    update = make_update(c.port, c.a, 1, "construction", status=Status.DRAFT)
    c.port.cities.remove(c.a)
    before = snapshot()
    for client in (c.rep_a_c, c.office_c):
        response = client.post(f"{UPDATES}{update.pk}/change/", update_data(update, progress="改"))
        assert response.status_code == 200, response.status_code  # 500 today
        assert "该项目在本市没有建设内容" in page_text(response)
    assert snapshot() == before


@pytest.mark.parametrize(
    "who,path",
    [
        ("rep_a", "{reports}{report}/history/abc/"),
        ("leader", "{reports}{report}/history/abc/"),
        ("office", "{reports}{report}/history/abc/"),
        ("rep_a", "{problems}{problem}/history/abc/"),
        ("office", "{problems}{problem}/history/abc/"),
        ("office", "{reports}abc/history/"),
        ("office", "{problems}abc/history/"),
        ("office", "{reports}abc/history/1/"),
    ],
)
def test_a_non_numeric_history_address_is_a_404_not_a_500(cast, who, path):
    """GET .../history/<version>/ with a version id that is not a number: GatedAdmin's
    history_form_view filters history by pk="abc" (ValueError); the office's history list
    and version page of object "abc" skip get_object and meet the same. A 500 today."""
    c = cast
    report = make_report(c.rail, c.a, 1, "5", Status.SUBMITTED)
    problem = Problem.objects.create(task=c.rail, city=c.a, title="t", description="d", kind="land")
    url = path.format(reports=REPORTS, problems=PROBLEMS, report=report.pk, problem=problem.pk)
    assert getattr(c, f"{who}_c").get(url).status_code == 404


# 2. Draft, returned and raised-era content shown to readers who may not see it ---------------


def test_a_leader_never_sees_a_drafts_amount_as_the_amount_at_close(cast):
    """开封 has a draft 7.77 for Q1 when the office closes Q1; the office then corrects it
    with a reason and submits it at 3 (the report now counts). A staff leader opening the
    report's admin page (GET .../change/) or its counted version reads 锁定时的金额 7.77: the
    amount of the draft, which only 开封 and the office may read."""
    c = cast
    draft = make_report(c.rail, c.a, 1, "7.77", Status.DRAFT)
    QuarterClose.close(c.plan, 1, c.office, "逾期未报")
    draft.refresh_from_db()
    data = change_data(draft, amount="3", correction_reason="代为补报", _submit="1")
    assert c.office_c.post(f"{REPORTS}{draft.pk}/change/", data).status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.SUBMITTED
    counted = draft.history.filter(status=Status.SUBMITTED).get()
    for url in (
        f"{REPORTS}{draft.pk}/change/",
        f"{REPORTS}{draft.pk}/history/{counted.history_id}/",
    ):
        response = c.leader_c.get(url)
        assert response.status_code == 200
        assert "7.77" not in page_text(response), url


def test_a_leader_never_sees_the_offices_return_reason_in_the_admin(cast):
    """The office returns 开封's Q1 report with an internal remark; 开封 corrects it and submits
    it again. `return_reason` stays on the row, so a staff leader reads the remark on the
    report's admin page and on its counted version page (the task page keeps it off:
    tests/investment/test_insider_cases.py)."""
    c = cast
    report = make_report(c.rail, c.a, 1, "5", Status.SUBMITTED)
    act(c.office_c, REPORTS, "return_reports", [report.pk], apply="1", reason="数据存疑-内部")
    report.refresh_from_db()
    data = change_data(report, amount="6", _submit="1")
    assert c.rep_a_c.post(f"{REPORTS}{report.pk}/change/", data).status_code == 302
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED
    latest = report.history.first()
    for url in (
        f"{REPORTS}{report.pk}/change/",
        f"{REPORTS}{report.pk}/history/{latest.history_id}/",
    ):
        response = c.leader_c.get(url)
        assert response.status_code == 200
        assert "数据存疑-内部" not in page_text(response), url


def test_a_description_corrected_before_assigning_is_not_shown_as_raised(cast):
    """Reporter A raises a problem (POST /admin/problems/problem/add/), then corrects its
    description while it awaits assigning; the office assigns it. The history hides the
    raised versions from the leader and the unit's contact, but the thread's 提出 entry still
    carries the first description, on the admin page and on /2021/problems/<id>/."""
    c = cast
    raised = {"task": c.rail.pk, "project": "", "city": c.a.pk, "kind": "land"}
    first = {**raised, "title": "用地", "description": "初稿-点名某局推诿"}
    assert c.rep_a_c.post(f"{PROBLEMS}add/", first).status_code == 302
    problem = Problem.objects.get()
    entry = problem.entries.get()
    assert (entry.author, problem.created_by) == (c.rep_a, c.rep_a)
    corrected = {**raised, "title": "用地", "description": "站房用地未落实"}
    corrected["seen_version"] = problem.version
    assert c.rep_a_c.post(f"{PROBLEMS}{problem.pk}/change/", corrected).status_code == 302
    problem.refresh_from_db()
    deadline = (localdate() + timedelta(days=30)).isoformat()
    step = {"seen_version": problem.version, "unit": c.unit.pk, "deadline": deadline}
    assert c.office_c.post(f"{PROBLEMS}{problem.pk}/assign/", step).status_code == 302
    for client in (c.leader_c, c.contact_c):
        for url in (f"{PROBLEMS}{problem.pk}/change/", f"/2021/problems/{problem.pk}/"):
            response = client.get(url)
            assert response.status_code == 200
            assert "初稿-点名某局推诿" not in page_text(response), (client.user, url)


# 3. The entry path refuses what the writers did before --------------------------------------


def test_the_office_can_still_return_a_report_the_plan_no_longer_validates(cast):
    """开封 submitted 50 for task 1.1; the office then cuts 开封's allocation to 4 (tasks ›
    allocations). Returning the report so that 开封 corrects it (list action, with a reason)
    now runs full_clean in record() and is refused with the 万元/亿元 message; approving too.
    Before the entry path (c3bb5b5) both steps worked."""
    from tasks.models import CityAllocation

    c = cast
    report = make_report(c.rail, c.a, 1, "50", Status.SUBMITTED)
    CityAllocation.objects.filter(task=c.rail, city=c.a).update(amount=Decimal("4"))
    response = act(c.office_c, REPORTS, "return_reports", [report.pk], apply="1", reason="请核实")
    assert messages_of(response) == ["已退回 1 条填报。"], messages_of(response)
    report.refresh_from_db()
    assert report.status == Status.RETURNED


def test_submitting_the_sheet_is_not_blocked_by_a_draft_the_sheet_does_not_show(cast):
    """开封 has a Q1 draft of task 2.1; the office then takes 开封 off 2.1, so the sheet no
    longer shows that row. Submitting the sheet (POST ...quarter/?quarter=1 with _submit)
    submits every draft of the quarter through record(), whose full_clean refuses the hidden
    row: nothing is submitted and the message ("城市：该城市不参与这项任务。") names no task.
    The reporter cannot fix it either (its change form is the 500 above). Before, submit_all
    did not validate."""
    c = cast
    make_report(c.industry, c.a, 1, "5", Status.DRAFT)
    c.industry.cities.remove(c.a)
    data = {"rows-0-task": c.rail.pk, "rows-0-amount": "1", "projects-0-project": c.port.pk}
    response = c.rep_a_c.post(f"{SHEET}?quarter=1", {**data, "_submit": "1"}, follow=True)
    assert response.status_code == 200
    submitted = ProgressReport.objects.filter(task=c.rail, status=Status.SUBMITTED)
    assert submitted.exists(), [str(m) for m in response.context["sheet"].non_form_errors()]


# 4. Refusals that do not say what is wrong ---------------------------------------------------


def test_a_stale_tab_after_submitting_is_told_in_chinese_why_nothing_was_saved(cast):
    """Reporter A has her Q2 draft open in two tabs; she submits it from the list in one,
    then saves a changed amount in the other (POST .../change/ with the old seen_version).
    Nothing changes (right), but the answer is a bare English "403 Forbidden": no word that
    the report was submitted meanwhile, as a stale save of a draft is told."""
    c = cast
    draft = make_report(c.rail, c.a, 2, "5", Status.DRAFT)
    stale = change_data(draft, amount="9")
    act(c.rep_a_c, REPORTS, "submit_reports", [draft.pk])
    before = snapshot()
    response = c.rep_a_c.post(f"{REPORTS}{draft.pk}/change/", stale, follow=True)
    assert snapshot() == before
    assert response.status_code != 500
    text = page_text(response)
    assert "403 Forbidden" not in text and "已报送" in text, text[:200]


def test_the_sheet_does_not_say_saved_when_it_drops_a_changed_row(cast):
    """The same two tabs on the quarter sheet: the second tab posts a changed amount for the
    row submitted meanwhile. The row is disabled now, so the post is dropped, and the sheet
    says "已保存 0 行。" as a success: the reporter believes her figure was saved. The same
    for the office changing a sample row's amount on the sheet."""
    c = cast
    draft = make_report(c.rail, c.a, 2, "5", Status.DRAFT)
    stale = sheet_post(c, [{"amount": "9", "seen_version": draft.version}, {}], _save="1")
    act(c.rep_a_c, REPORTS, "submit_reports", [draft.pk])
    before = snapshot()
    response = c.rep_a_c.post(f"{SHEET}?quarter=2", stale, follow=True)
    assert snapshot() == before
    assert "已保存 0 行。" not in messages_of(response), messages_of(response)


def test_a_reporter_submitting_a_closed_quarters_draft_is_told_the_quarter_is_closed(cast):
    """Reporter A selects her Q1 draft after the office closed Q1 and applies 报送 (list
    action): refused, but only "…：您无权修改。", not that the quarter is closed."""
    c = cast
    draft = make_report(c.rail, c.a, 1, "5", Status.DRAFT)
    QuarterClose.close(c.plan, 1, c.office)
    before = snapshot()
    response = act(c.rep_a_c, REPORTS, "submit_reports", [draft.pk])
    assert snapshot() == before
    assert any("锁定" in message for message in messages_of(response)), messages_of(response)


def test_a_read_only_closed_quarters_report_has_no_english_label(cast):
    """A closed quarter's report read without the right to change it (a staff leader, or
    its reporter once submitted) shows "Correction reason: None", in English, beside the
    amount at close."""
    c = cast
    report = make_report(c.rail, c.a, 1, "5", Status.SUBMITTED)
    QuarterClose.close(c.plan, 1, c.office)
    for client in (c.leader_c, c.rep_a_c):
        text = page_text(client.get(f"{REPORTS}{report.pk}/change/"))
        assert "Correction reason" not in text


# 5. A reason only the office gives -----------------------------------------------------------


def test_a_reporter_cannot_put_a_correction_reason_into_the_history_on_confirm(cast):
    """Reporter A's upload form has no reason field (only the office corrects a closed
    quarter), but the confirm form carries a hidden `reason`: she posts the confirm with
    reason=伪造的原因 and the history of her report reads "导入自 f.xlsx：伪造的原因", as if the
    office had given a reason for a correction."""
    c = cast
    preview = upload(c.rep_a_c, [("1.1", "开封", 2021, 2, 6, "铺轨")])
    confirm = {**preview.context["confirm_form"].initial, "reason": "伪造的原因"}
    c.rep_a_c.post(CONFIRM, confirm)
    reasons = ProgressReport.history.values_list("history_change_reason", flat=True)
    assert not any("伪造的原因" in (reason or "") for reason in reasons), list(reasons)
