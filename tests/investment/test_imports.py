"""Quarterly figures imported from files: the template round trip, encodings, headers,
permissions, all-or-nothing, and the history of who imported what."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from investment.models import ProgressReport
from people.models import Reporter
from people.roles import REPORTER
from tests.builders import make_allocation, make_area, make_plan, make_report, make_task

Status = ProgressReport.Status
IMPORT = "/admin/investment/progressreport/import/"
CONFIRM = "/admin/investment/progressreport/process_import/"
HEADER = "任务编号,城市,年度,季度,完成投资(亿元),进展情况\n"


@pytest.fixture
def world(zhengzhou, kaifeng):
    """Tasks 1.1 (100; Kaifeng 40) and 1.2 (50), both in Zhengzhou and Kaifeng;
    Kaifeng reported 7.25 for 1.1 in Q1 (approved)."""
    area = make_area(make_plan())
    rail = make_task(area, 1, "100", [zhengzhou, kaifeng], title="轨道")
    make_task(area, 2, "50", [zhengzhou, kaifeng], title="水网")
    make_allocation(rail, kaifeng, "40")
    make_report(rail, kaifeng, 1, "7.25", Status.APPROVED)
    return rail


@pytest.fixture
def clerk(client, django_user_model, kaifeng):
    """Kaifeng's city reporter, signed in to the admin."""
    user = django_user_model.objects.create_user("kf", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=REPORTER))
    Reporter.objects.create(user=user, city=kaifeng)
    client.force_login(user)
    return user


def upload(client, name: str, content: bytes):
    return client.post(IMPORT, {"format": 0, "import_file": SimpleUploadedFile(name, content)})


def state() -> list[dict]:
    return list(ProgressReport.objects.order_by("pk").values())


def test_the_upload_page_names_the_columns_a_file_needs(client, world, clerk):
    page = client.get(IMPORT).content.decode()
    assert "xlsx / csv" in page
    assert "任务编号, 城市, 年度, 季度, 完成投资(亿元), 进展情况" in page


def test_a_clerk_previews_and_confirms_a_gbk_csv(client, world, clerk):
    content = (HEADER + "1.1,开封,2021,2,12.5,轨道开工\n1.2,开封,2021,二季度,3,\n").encode("gbk")
    preview = upload(client, "开封.csv", content)
    page = preview.content.decode()
    assert preview.status_code == 200, page
    assert "confirm_form" in preview.context and preview.context["confirm_form"] is not None, page
    assert ProgressReport.objects.count() == 1  # The preview writes nothing.
    form = preview.context["confirm_form"]
    response = client.post(CONFIRM, {k: v for k, v in form.initial.items()})
    assert response.status_code == 302
    rows = ProgressReport.objects.filter(quarter=2).order_by("task__number")
    assert [(r.task.code, r.amount, r.status, r.note) for r in rows] == [
        ("1.1", Decimal("12.5"), Status.SUBMITTED, "轨道开工"),
        ("1.2", Decimal("3"), Status.SUBMITTED, ""),
    ]
    record = rows[0].history.first()
    assert record.history_user == clerk
    assert record.history_change_reason == "导入自 开封.csv"


def run_import(content: bytes, user: str, name: str = "figures.csv", tmp_path=None, dry_run=False):
    """import_reports on a file; returns what it printed, or raises CommandError."""
    path = tmp_path / name
    path.write_bytes(content)
    out, err = io.StringIO(), io.StringIO()
    args = [str(path), "--user", user] + (["--dry-run"] if dry_run else [])
    try:
        call_command("import_reports", *args, stdout=out, stderr=err)
    except CommandError as error:
        raise CommandError(f"{error}\n{err.getvalue()}") from error
    return out.getvalue()


@pytest.fixture
def office_user(office):
    return office.username


def test_the_command_imports_a_utf8_bom_csv_with_english_headers(world, office_user, tmp_path):
    content = "\ufefftask,city,year,quarter,amount_yi,note\n1.1,zhengzhou,2021,Q2,20,ok\n"
    printed = run_import(content.encode("utf-8"), office_user, tmp_path=tmp_path)
    assert printed == "已导入：新建 1 条，更改 0 条，未变或空行 0 条。\n"
    report = ProgressReport.objects.get(city__slug="zhengzhou")
    assert (report.amount, report.quarter, report.status) == (Decimal(20), 2, Status.SUBMITTED)


def test_a_dry_run_checks_and_writes_nothing(world, office_user, tmp_path):
    content = (HEADER + "1.1,郑州,2021,2,20,\n").encode("utf-8")
    before = state()
    printed = run_import(content, office_user, tmp_path=tmp_path, dry_run=True)
    assert printed.startswith("试运行，未写入：新建 1 条")
    assert state() == before


def test_the_template_carries_the_quarters_drafts_and_a_reimport_keeps_their_notes(
    client, world, clerk, kaifeng
):
    draft = make_report(world, kaifeng, 2, "3.5", Status.DRAFT)
    draft.note = "=完成征迁"  # A note that looks like a formula stays text.
    draft.save()
    response = client.get("/2021/template.xlsx?city=kaifeng&quarter=2")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[1] == ("1.1", "轨道", "开封", 2021, 2, 40, 7.25, 3.5, "=完成征迁")
    notes = [row[0] for row in book["填写说明"].iter_rows(values_only=True)]
    assert any("空白单元格保留已存储的内容" in note for note in notes)


def test_a_filled_in_template_imports_and_shows_on_the_pages(client, world, clerk, kaifeng):
    response = client.get("/2021/template.xlsx?city=kaifeng&quarter=2")
    assert response["Content-Disposition"] == (
        'attachment; filename="zzmetro-2021Q2-kaifeng-entry.xlsx"'
    )
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "任务编号",
        "任务",
        "城市",
        "年度",
        "季度",
        "分配金额(亿元)",
        "本季度之前已填报(亿元)",
        "完成投资(亿元)",
        "进展情况",
    )
    assert rows[1] == ("1.1", "轨道", "开封", 2021, 2, 40, 7.25, None, None)
    assert rows[2] == ("1.2", "水网", "开封", 2021, 2, None, 0, None, None)
    sheet["H2"] = 12.5  # The clerk fills in one task and leaves the other empty.
    sheet["I2"] = "主体完工"
    filled = io.BytesIO()
    book.save(filled)
    preview = upload(client, "开封二季度.xlsx", filled.getvalue())
    client.post(CONFIRM, dict(preview.context["confirm_form"].initial))
    report = ProgressReport.objects.get(city=kaifeng, quarter=2)
    assert (report.task.code, report.amount, report.note) == ("1.1", Decimal("12.5"), "主体完工")
    page = client.get("/2021/tasks/1.1/?as_of=2021Q2").content.decode()
    assert (
        '<td class="num" data-label="Q1">7.25</td><td class="num" data-label="Q2">12.50</td>'
        in page
    )


def test_exported_reports_import_into_an_empty_database_with_identical_figures(
    client, world, office, zhengzhou, kaifeng, tmp_path
):
    from figures.rollups import Figures, scope

    make_report(world, zhengzhou, 1, "123.4567", Status.SUBMITTED)
    make_report(world, zhengzhou, 2, "0.0001", Status.APPROVED)
    make_report(world, kaifeng, 2, "3", Status.DRAFT)  # Never counts, so never imported.
    draft_free = ProgressReport.objects.get(city=zhengzhou, quarter=1)
    draft_free.note = "+5% 同比; =前期"
    draft_free.save()
    plan = world.area.plan
    before = scope(Figures(plan, 4), plan)
    client.force_login(office)
    csv_file = b"".join(client.get("/2021/reports.csv?as_of=2021Q4").streaming_content)
    ProgressReport.history.all().delete()
    ProgressReport.objects.all().delete()
    run_import(csv_file, office.username, tmp_path=tmp_path)
    after = scope(Figures(plan, 4), plan)
    assert after.total == before.total
    assert [r.progress for r in after.tasks] == [r.progress for r in before.tasks]
    assert [r.progress for r in after.cities] == [r.progress for r in before.cities]
    assert ProgressReport.objects.get(city=zhengzhou, quarter=1).note == "+5% 同比; =前期"
    assert not ProgressReport.objects.filter(status=Status.DRAFT).exists()


def test_unchanged_rows_are_skipped_and_changed_ones_updated(world, office, zhengzhou, tmp_path):
    make_report(world, zhengzhou, 2, "5", Status.SUBMITTED)
    content = (
        HEADER + "1.1,开封,2021,1,7.25,\n1.1,郑州,2021,2,6,改\n1.2,郑州,2021,2,1,\n"
    ).encode()
    printed = run_import(content, office.username, tmp_path=tmp_path)
    assert printed == "已导入：新建 1 条，更改 1 条，未变或空行 1 条。\n"
    changed = ProgressReport.objects.get(city=zhengzhou, task=world, quarter=2)
    assert changed.amount == 6 and changed.history.first().history_user == office


def test_the_preview_lists_each_row_as_new_changed_or_unchanged(client, world, office):
    client.force_login(office)
    content = (HEADER + "1.1,开封,2021,1,7.25,\n1.1,郑州,2021,2,6,\n").encode()
    page = upload(client, "f.csv", content).content.decode()
    assert page.count('<tr class="skip">') == 1 and page.count('<tr class="new">') == 1
    assert '<th scope="colgroup" colspan="2" id="preview-reports-1">完成投资(亿元)</th>' in page
    # 7.25 typed is 7.2500 stored: unchanged, not a change.
    assert '<td class="import-type">未改变</td>' in page
    assert page.count("import-changed") == 1  # The new row's amount.


def test_the_admin_export_is_scoped_to_the_clerks_city_and_escapes_formulae(
    client, world, clerk, zhengzhou, kaifeng
):
    make_report(world, zhengzhou, 2, "9")
    mine = make_report(world, kaifeng, 2, "3", Status.DRAFT)
    mine.note = "=cmd|' /C calc'!A0"
    mine.save()
    response = client.post(
        "/admin/investment/progressreport/export/",
        {
            "format": "1",
            **{
                f"reportexport_{name}": "on"
                for name in ["task", "city", "year", "quarter", "amount", "note"]
            },
        },
    )
    body = response.content.decode("utf-8-sig")
    assert body.splitlines()[0] == "任务编号,城市,年度,季度,完成投资(亿元),进展情况"
    assert "郑州" not in body
    assert "'=cmd|' /C calc'!A0" in body


def test_the_admins_xlsx_export_keeps_amounts_numbers_and_notes_text(client, world, office):
    report = ProgressReport.objects.get()
    report.note = "=1+1"
    report.save()
    client.force_login(office)
    response = client.post(
        "/admin/investment/progressreport/export/",
        {
            "format": "0",
            **{
                f"reportexport_{name}": "on"
                for name in ["task", "city", "year", "quarter", "amount", "note"]
            },
        },
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[2]] == ["1.1", "开封", 2021, 1, 7.25, "1+1"]
    assert sheet["E2"].data_type == "n"


def test_an_import_cannot_submit_a_quarter_while_an_earlier_one_is_a_draft(
    world, office_user, tmp_path, kaifeng
):
    make_report(world, kaifeng, 2, "3", Status.DRAFT)
    content = (HEADER + "1.1,开封,2021,3,20,\n").encode("utf-8")
    before = state(), ProgressReport.history.count()
    with pytest.raises(CommandError) as refused:
        run_import(content, office_user, tmp_path=tmp_path)
    assert (
        "1.1：该任务第2季度仍处于“草稿”状态，请先报送第2季度，再报送第3季度"
        "（本市填报员可在第2季度的季度填报中报送）。"
    ) in str(refused.value)
    assert (state(), ProgressReport.history.count()) == before


def history_state() -> tuple:
    return state(), ProgressReport.history.count()


def test_a_confirm_after_the_office_changed_a_previewed_report_is_refused_whole(
    client, world, clerk, kaifeng
):
    draft = make_report(world, kaifeng, 2, "3", Status.DRAFT)
    content = (HEADER + "1.2,开封,2021,2,1,\n1.1,开封,2021,2,4,\n").encode()
    preview = upload(client, "开封.csv", content)
    draft.amount = Decimal(5)  # The office corrects the draft meanwhile.
    draft.save()
    before = history_state()
    response = client.post(CONFIRM, dict(preview.context["confirm_form"].initial), follow=True)
    page = response.content.decode()
    assert (
        "任务 1.1（开封，2021年第2季度）在预览之后已有改动（现为 5 亿元，最后修改人 —）。"
        "未导入任何数据：请重新上传文件，按最新数据核对后再确认。" in page
    )
    assert history_state() == before


def test_a_confirm_after_someone_created_a_previewed_report_is_refused_whole(
    client, world, clerk, kaifeng, office
):
    preview = upload(client, "开封.csv", (HEADER + "1.1,开封,2021,2,4,\n").encode())
    made = make_report(world, kaifeng, 2, "6", Status.DRAFT)
    made.updated_by = office
    made.save()
    before = history_state()
    response = client.post(CONFIRM, dict(preview.context["confirm_form"].initial), follow=True)
    assert (
        "任务 1.1（开封，2021年第2季度）在预览之后已有改动（现为 6 亿元，最后修改人 office）"
        in (response.content.decode())
    )
    assert history_state() == before


def test_a_confirm_without_the_previewed_versions_is_refused(world, clerk):
    from investment.imports import FileImport
    from investment.tables import read_table

    table = read_table((HEADER + "1.1,开封,2021,2,4,\n").encode())
    before = history_state()
    rows = FileImport(table, user=clerk, previewed={})
    assert not rows.run(dry_run=False)
    assert "在预览之后已有改动" in rows.failed[0].errors[0]
    assert history_state() == before


def test_blank_rows_are_neither_shown_nor_counted(client, world, clerk):
    content = (HEADER + "\n,,,,,\n1.1,开封,2021,2,4,\n , ,,,,\n\n").encode()
    preview = upload(client, "开封.csv", content)
    page = preview.content.decode()
    assert "None" not in page
    assert page.count('<tr class="new">') == 1
    assert preview.context["rows"].counts() == {"new": 1, "update": 0, "skip": 0}


def test_a_confirmed_import_lands_on_the_quarter_sheet_with_a_summary(client, world, clerk):
    content = (HEADER + "1.1,开封,2021,2,4,\n1.2,开封,2021,2,1,\n").encode()
    preview = upload(client, "开封.csv", content)
    response = client.post(CONFIRM, dict(preview.context["confirm_form"].initial))
    assert response.status_code == 302
    assert response["Location"] == (
        "/admin/investment/progressreport/quarter/?year=2021&city=kaifeng&quarter=2"
    )
    page = client.get(response["Location"]).content.decode()
    assert "已导入：新建 2 条，更改 0 条，未变或空行 0 条。" in page


def test_a_confirm_of_unchanged_rows_lands_on_their_sheet(client, world, clerk):
    content = (HEADER + "1.1,开封,2021,1,7.25,\n").encode()
    preview = upload(client, "开封.csv", content)
    response = client.post(CONFIRM, dict(preview.context["confirm_form"].initial))
    assert response["Location"].endswith("?year=2021&city=kaifeng&quarter=1")


def test_an_import_submits_the_rows_it_names_and_leaves_the_citys_other_drafts(
    world, office_user, tmp_path, kaifeng
):
    other = make_report(world.area.tasks.get(number=2), kaifeng, 2, "1", Status.DRAFT)
    run_import((HEADER + "1.1,开封,2021,2,4,\n").encode(), office_user, tmp_path=tmp_path)
    imported = ProgressReport.objects.get(task=world, city=kaifeng, quarter=2)
    other.refresh_from_db()
    assert (imported.status, other.status) == (Status.SUBMITTED, Status.DRAFT)
    assert imported.history.count() == 1  # Saved and submitted in one step.


def test_the_preview_shows_what_a_changed_row_said_and_says_now(client, world, office, zhengzhou):
    make_report(world, zhengzhou, 2, "5", Status.SUBMITTED)
    client.force_login(office)
    page = upload(client, "f.csv", (HEADER + "1.1,郑州,2021,2,6,改\n").encode()).content.decode()
    assert '<tr class="update">' in page
    assert (
        '<td class="import-now" headers="preview-reports-1 preview-reports-1-now">5</td>'
        '<td headers="preview-reports-1 preview-reports-1-after" class="import-changed">6</td>'
        '<td class="import-now" headers="preview-reports-2 preview-reports-2-now">—</td>'
        '<td headers="preview-reports-2 preview-reports-2-after" class="import-changed">改</td>'
    ) in page


def test_a_note_alone_reports_a_task_without_a_money_target_as_the_sheet_does(
    world, office_user, tmp_path, kaifeng
):
    make_task(world.area, 3, None, [kaifeng], title="机制")
    run_import(
        (HEADER + "1.3,开封,2021,2,,签订合作协议\n").encode(), office_user, tmp_path=tmp_path
    )
    report = ProgressReport.objects.get(task__number=3)
    assert (report.amount, report.note, report.status) == (0, "签订合作协议", Status.SUBMITTED)


def test_the_office_corrects_a_closed_quarter_by_import_with_a_reason(
    world, office, tmp_path, kaifeng
):
    from investment.models import QuarterClose

    QuarterClose.close(world.area.plan, 1, office)
    content = (HEADER + "1.1,开封,2021,1,8,\n").encode()
    path = tmp_path / "更正.csv"
    path.write_bytes(content)
    call_command("import_reports", str(path), "--user", office.username, "--reason", "核减")
    report = ProgressReport.objects.get(city=kaifeng, quarter=1)
    assert (report.amount, report.status) == (Decimal(8), Status.APPROVED)
    assert report.history.first().history_change_reason == "导入自 更正.csv：核减"


def test_the_preview_shows_a_skipped_template_row_as_the_file_has_it(client, world, clerk):
    page = upload(client, "开封.csv", (HEADER + "1.1,开封,2021,2,4,\n1.2,开封,2021,2,,\n").encode())
    assert (
        '<td class="num">3</td>\n      <td class="import-type">空行：无需导入</td>\n      \n'
        '        <td colspan="8">1.2 · 开封 · 2021 · 2</td>'
    ) in page.content.decode()


def test_a_quarter_closed_while_an_import_runs_takes_none_of_its_rows(
    client, world, clerk, office, monkeypatch
):
    from investment import quarter
    from investment.models import QuarterClose

    data = dict(
        upload(client, "开封.csv", (HEADER + "1.1,开封,2021,2,1,\n").encode())
        .context["confirm_form"]
        .initial
    )
    real = quarter.workflow.record_many

    def closed_first(pairs, user, **words):
        if not QuarterClose.objects.exists():
            QuarterClose.close(world.area.plan, 2, office, "关账")
        return real(pairs, user, **words)

    monkeypatch.setattr(quarter.workflow, "record_many", closed_first)
    page = client.post(CONFIRM, data, follow=True).content.decode()
    assert "未导入任何数据" in page and "都市圈办公室已锁定本季度" in page
    assert not ProgressReport.objects.filter(quarter=2).exists()


def test_a_user_keeps_only_her_latest_three_uploads(client, world, clerk):
    from django.core.files.storage import default_storage

    for number in range(5):
        upload(client, f"{number}.csv", (HEADER + f"1.1,开封,2021,2,{number + 1},\n").encode())
    kept = [n for n in default_storage.listdir("import-uploads")[1] if n.startswith(f"{clerk.pk}-")]
    assert len(kept) == 3


def test_a_row_as_a_sample_draft_says_it_is_skipped_as_it_is(world, office, tmp_path, kaifeng):
    make_report(world, kaifeng, 2, "3", Status.DRAFT, is_sample=True)
    printed = run_import(
        (HEADER + "1.1,开封,2021,2,3,\n").encode(), office.username, tmp_path=tmp_path
    )
    assert printed == "已导入：新建 0 条，更改 0 条，未变或空行 1 条。\n"


def test_a_quarter_written_with_another_year_is_refused(world, office_user, tmp_path):
    with pytest.raises(CommandError) as refused:
        run_import((HEADER + "1.1,开封,2021,2020Q3,1,\n").encode(), office_user, tmp_path=tmp_path)
    assert "第 2 行：季度：“2020Q3”不是2021年（该行年度）的季度。" in str(refused.value)


def test_a_blank_note_in_the_file_keeps_the_note_the_draft_has(
    world, office_user, tmp_path, kaifeng
):
    draft = make_report(world, kaifeng, 2, "3", Status.DRAFT)
    draft.note = "完成征迁"
    draft.save()
    run_import((HEADER + "1.1,开封,2021,2,4,\n").encode(), office_user, tmp_path=tmp_path)
    draft.refresh_from_db()
    assert (draft.amount, draft.note, draft.status) == (Decimal(4), "完成征迁", Status.SUBMITTED)


def test_a_blank_amount_in_the_file_keeps_the_amount_the_draft_has(
    world, office_user, tmp_path, kaifeng
):
    draft = make_report(world, kaifeng, 2, "3", Status.DRAFT)
    run_import((HEADER + "1.1,开封,2021,2,,补充说明\n").encode(), office_user, tmp_path=tmp_path)
    draft.refresh_from_db()
    assert (draft.amount, draft.note) == (Decimal(3), "补充说明")


# A confirmed import writes its rows at once (workflow.record_many): its queries are those of
# its tables, not of its rows.

# PostgreSQL's take one more each: the plan's lock against a close (SQLite's BEGIN holds it).
PREVIEW_QUERIES = {"sqlite": 39, "postgresql": 40}
CONFIRM_QUERIES = {"sqlite": 37, "postgresql": 38}


def test_previewing_and_confirming_ten_rows_or_forty_take_the_same_queries(
    client, world, clerk, kaifeng
):
    for number in range(3, 41):
        make_task(world.area, number, "100", [kaifeng])

    def imported(quarter: int, rows: int) -> tuple[int, int]:
        lines = "".join(f"1.{n},开封,2021,{quarter},2,开工\n" for n in range(1, rows + 1))
        with CaptureQueriesContext(connection) as preview:
            response = upload(client, "开封.csv", (HEADER + lines).encode())
        with CaptureQueriesContext(connection) as confirm:
            done = client.post(CONFIRM, dict(response.context["confirm_form"].initial))
        assert done.status_code == 302
        return len(preview), len(confirm)

    upload(client, "开封.csv", (HEADER + "1.1,开封,2021,2,2,\n").encode())  # Starts the session.
    counts = (PREVIEW_QUERIES[connection.vendor], CONFIRM_QUERIES[connection.vendor])
    assert imported(2, 10) == imported(3, 40) == counts
    reports = ProgressReport.objects.filter(quarter__in=(2, 3), status=Status.SUBMITTED)
    assert reports.count() == 50
    records = ProgressReport.history.filter(quarter__in=(2, 3)).values_list(
        "history_type", "history_user__username", "history_change_reason"
    )
    assert len(records) == 50
    assert set(records) == {("+", "kf", "导入自 开封.csv")}
