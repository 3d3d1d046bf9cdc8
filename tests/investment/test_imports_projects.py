"""Project updates imported from the workbook's 重点项目 sheet: the entry template lists the
city's sections, the sheet is imported with the first one in one transaction, and every bad row
refuses the whole file with its row and column."""

import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from investment.models import ProgressReport, ProjectUpdate, QuarterClose
from people.models import Reporter
from people.roles import REPORTER
from tasks.models import Project
from tests.builders import make_area, make_plan, make_project, make_task, make_update
from tests.import_files import (
    project_row,
    refused,
    snapshot,
    workbook,
)

Status = ProgressReport.Status
Stage = Project.Stage
IMPORT = "/admin/investment/progressreport/import/"
CONFIRM = "/admin/investment/progressreport/process_import/"


@pytest.fixture
def world(django_user_model, zhengzhou, kaifeng):
    """Task 1.1 in Zhengzhou and Kaifeng; its projects 郑开城际延长线 (both cities), 开封港
    (Kaifeng) and 郑州南站 (Zhengzhou). Kaifeng's 郑开城际 reported Q1 在建 (submitted). The
    office closed Q3. Clerk kf for Kaifeng."""
    plan = make_plan()
    rail = make_task(make_area(plan), 1, "100", [zhengzhou, kaifeng], title="轨道")
    intercity = make_project(rail, "郑开城际延长线", "complete", [zhengzhou, kaifeng])
    port = make_project(rail, "开封港", "start", [kaifeng])
    south = make_project(rail, "郑州南站", "complete", [zhengzhou])
    make_update(intercity, kaifeng, 1, Stage.CONSTRUCTION, "桥梁施工")
    user = django_user_model.objects.create_user("kf", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=REPORTER))
    Reporter.objects.create(user=user, city=kaifeng)
    QuarterClose.objects.create(plan=plan, quarter=3, closed_by=user)
    return {"rail": rail, "intercity": intercity, "port": port, "south": south, "clerk": user}


def run(tmp_path, content: bytes, user: str = "kf", reason: str = "") -> str:
    path = tmp_path / "开封.xlsx"
    path.write_bytes(content)
    out = io.StringIO()
    args = [str(path), "--user", user] + (["--reason", reason] if reason else [])
    call_command("import_reports", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def updates() -> list[tuple]:
    return list(
        ProjectUpdate.objects.filter(quarter=2)
        .order_by("project__name")
        .values_list("project__name", "city__name", "progress", "stage", "amount", "status")
    )


def test_the_entry_template_lists_the_citys_project_sections_on_a_second_sheet(
    client, world, kaifeng
):
    client.force_login(world["clerk"])
    response = client.get("/2021/template.xlsx?city=kaifeng&quarter=2")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["填报", "重点项目", "填写说明"]
    rows = list(book["重点项目"].iter_rows(values_only=True))
    assert rows == [
        (
            "项目编号",
            "项目名称",
            "任务",
            "城市",
            "年度",
            "季度",
            "此前季度",
            "形象进度",
            "当前阶段",
            "本季度完成投资(亿元)",
        ),
        (
            world["intercity"].pk,
            "郑开城际延长线",
            "1.1",
            "开封",
            2021,
            2,
            "第1季度：在建 · 桥梁施工",
            None,
            None,
            None,
        ),
        (world["port"].pk, "开封港", "1.1", "开封", 2021, 2, None, None, None, None),
    ]
    stages = book["重点项目"].data_validations.dataValidation[0]
    assert (stages.formula1, str(stages.sqref)) == ('"前期,在建,建成"', "I2:I5001")


def test_a_filled_in_template_imports_both_sheets_in_one_confirm(client, world, kaifeng):
    client.force_login(world["clerk"])
    response = client.get("/2021/template.xlsx?city=kaifeng&quarter=2")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    book["填报"]["H2"] = 12.5
    projects = book["重点项目"]
    projects["H2"], projects["I2"], projects["J2"] = "架梁完成", "在建", 2.5
    projects["H3"], projects["I3"] = "完成可研批复", "前期"
    filled = io.BytesIO()
    book.save(filled)
    upload = SimpleUploadedFile("开封二季度.xlsx", filled.getvalue())
    preview = client.post(IMPORT, {"format": 0, "import_file": upload})
    page = preview.content.decode()
    assert '<h3 id="project-sheet">重点项目表</h3>' in page
    assert page.count('<tr class="new">') == 3
    assert (
        '<td class="import-now" headers="preview-projects-1 preview-projects-1-now">—</td>'
        '<td headers="preview-projects-1 preview-projects-1-after" class="import-changed">'
        "架梁完成</td>"
        '<td class="import-now" headers="preview-projects-2 preview-projects-2-now">—</td>'
        '<td headers="preview-projects-2 preview-projects-2-after" class="import-changed">'
        "在建</td>"
        '<td class="import-now" headers="preview-projects-3 preview-projects-3-now">—</td>'
        '<td headers="preview-projects-3 preview-projects-3-after" class="import-changed">'
        "2.5</td>"
    ) in page
    assert not ProjectUpdate.objects.filter(quarter=2).exists()  # The preview writes nothing.
    response = client.post(CONFIRM, dict(preview.context["confirm_form"].initial), follow=True)
    assert "已导入：新建 3 条，更改 0 条，未变或空行 0 条。" in response.content.decode()
    assert updates() == [
        ("开封港", "开封", "完成可研批复", Stage.PREPARATION, None, Status.SUBMITTED),
        ("郑开城际延长线", "开封", "架梁完成", Stage.CONSTRUCTION, Decimal("2.5"), "submitted"),
    ]
    record = ProjectUpdate.objects.get(quarter=2, project=world["intercity"]).history.first()
    assert (record.history_user, record.history_change_reason) == (
        world["clerk"],
        "导入自 开封二季度.xlsx",
    )
    assert ProgressReport.objects.get(quarter=2).amount == Decimal("12.5")


def test_the_command_finds_a_project_by_its_name_and_reads_english_stages(tmp_path, world):
    content = workbook(
        projects=[(None, " 开封港 ", "开封", 2021, "Q2", "场地平整", "under construction", "0.8")],
        title="Key projects",
    )
    assert run(tmp_path, content) == "已导入：新建 2 条，更改 0 条，未变或空行 0 条。\n"
    assert updates() == [
        ("开封港", "开封", "场地平整", "construction", Decimal("0.8"), "submitted")
    ]


def test_a_workbook_with_only_the_first_sheet_imports_as_before(tmp_path, world):
    assert run(tmp_path, workbook()) == "已导入：新建 1 条，更改 0 条，未变或空行 0 条。\n"
    assert ProgressReport.objects.get(quarter=2).note == "铺轨"
    assert not ProjectUpdate.objects.filter(quarter=2).exists()


def test_untouched_template_rows_of_the_second_sheet_are_skipped(tmp_path, world):
    content = workbook(
        projects=[
            (world["intercity"].pk, "郑开城际延长线", "开封", 2021, 2, None, None, None),
            (world["port"].pk, "开封港", "开封", 2021, 2, "场平", "前期", None),
        ]
    )
    assert run(tmp_path, content) == "已导入：新建 2 条，更改 0 条，未变或空行 1 条。\n"


BAD_PROJECT_ROWS = [
    ({"id": 999}, "项目编号：2021年工作要点中没有编号为 999 的重点项目。"),
    ({"name": "开封机场"}, "项目名称：2021年工作要点中没有重点项目“开封机场”。"),
    ({"id": None, "name": None}, "项目编号或项目名称：请至少填写一项。"),
    ({"name": "郑州南站"}, "城市：重点项目“郑州南站”不涉及开封。"),
    ({"city": "郑州"}, "城市：只能导入本市（开封）的数据，不能导入郑州的数据。"),
    ({"stage": "开工"}, "当前阶段：“开工”不是阶段，请填写前期、在建或建成。"),
    ({"stage": None}, "当前阶段：请填写。"),
    ({"progress": None}, "形象进度：请填写。"),
    # openpyxl writes no C0 control character; a C1 one (\x7f-\x9f) passes through xlsx.
    ({"progress": "第一行\x85第二行"}, "形象进度含有控制字符"),
    ({"progress": "@张三 现场"}, "形象进度：不能以 = 或 @ 开头"),
    ({"amount": -1}, "本季度完成(亿元)不能为负数。"),
    ({"amount": "abc"}, "本季度完成投资(亿元)：无法识别“abc”。"),
    ({"amount": "NaN"}, "本季度完成投资(亿元)：无法识别“NaN”。"),
    ({"amount": "1e309"}, "本季度完成投资(亿元)：无法识别“1e309”。"),
    ({"quarter": 3}, "季度：都市圈办公室已锁定2021年第3季度。"),
    ({"year": 2020}, "年度：没有2020年的工作要点。"),
]


@pytest.mark.parametrize(("changes", "message"), BAD_PROJECT_ROWS)
def test_a_bad_row_of_the_second_sheet_refuses_the_whole_file_with_its_row_and_column(
    tmp_path, world, changes, message
):
    good = project_row(name="郑开城际延长线", progress="好的一行")
    refusal = refused(tmp_path, workbook(projects=[good, project_row(**changes)]))
    assert f"重点项目表第 3 行：{message}" in refusal, refusal


def test_an_infinite_amount_cell_is_refused(tmp_path, world):
    # openpyxl writes infinity as an empty cell; a file written by hand can hold 1e309.
    plain = workbook(projects=[project_row(amount=123.25)])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plain)) as source, zipfile.ZipFile(out, "w") as dest:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet2.xml":
                data = data.replace(b"<v>123.25</v>", b"<v>1e309</v>")
            dest.writestr(item, data)
    assert "重点项目表第 2 行：本季度完成投资(亿元)：无法识别“inf”。" in refused(
        tmp_path, out.getvalue()
    )


def test_a_name_that_disagrees_with_the_project_number_is_refused(tmp_path, world):
    content = workbook(projects=[project_row(id=world["intercity"].pk, name="开封港")])
    assert (
        "重点项目表第 2 行：项目名称：“开封港”不是编号 "
        f"{world['intercity'].pk} 的重点项目的名称（应为“郑开城际延长线”）。"
    ) in refused(tmp_path, content)


def test_a_name_two_projects_share_asks_for_the_project_number(tmp_path, world, kaifeng):
    other = make_task(world["rail"].area, 2, "10", [kaifeng], title="港口")
    make_project(other, "开封港", "start", [kaifeng])
    assert (
        "项目名称：2021年工作要点中有 2 个重点项目名为“开封港”，请填写该行的项目编号。"
        in refused(tmp_path, workbook(projects=[project_row()]))
    )


def test_a_repeated_row_is_refused(tmp_path, world):
    content = workbook(projects=[project_row(), project_row(progress="再写一次")])
    assert "重点项目表第 3 行：该行与第 2 行重复：重点项目、城市、年度和季度都相同。" in (
        refused(tmp_path, content)
    )


def test_a_stage_going_back_is_refused_for_a_reporter_but_not_for_the_office(
    tmp_path, world, office
):
    content = workbook(projects=[project_row(name="郑开城际延长线", stage="前期")])
    assert (
        "重点项目表第 2 行：季度末阶段：第1季度报送为“在建”，阶段不能退回“前期”。"
        "如第1季度有误，请联系都市圈办公室。"
    ) in refused(tmp_path, content)
    assert run(tmp_path, content, user=office.username).startswith("已导入：新建 2 条")
    assert updates() == [
        ("郑开城际延长线", "开封", "场地平整", "preparation", Decimal(1), "submitted")
    ]


def test_an_earlier_quarter_still_a_draft_is_refused(tmp_path, world, kaifeng):
    make_update(world["port"], kaifeng, 1, Stage.PREPARATION, "可研", status="draft")
    assert "重点项目表第 2 行：开封港：本市该项目第1季度进展仍处于“草稿”状态" in refused(
        tmp_path, workbook(projects=[project_row()])
    )


def test_the_office_imports_into_a_closed_quarter_only_with_a_reason(tmp_path, world, office):
    content = workbook(reports=(), projects=[project_row(quarter=3)])
    assert "季度：2021年第3季度已锁定；导入到已锁定的季度须填写修改原因。" in refused(
        tmp_path, content, user=office.username
    )
    run(tmp_path, content, user=office.username, reason="补报三季度")
    update = ProjectUpdate.objects.get(quarter=3)
    assert update.history.first().history_change_reason == "导入自 开封.xlsx：补报三季度"


def test_a_submitted_update_awaiting_review_is_not_changed_by_an_import(tmp_path, world, kaifeng):
    make_update(world["port"], kaifeng, 2, Stage.PREPARATION, "可研")
    assert "开封港 · 开封 · 2021Q2 为“已报送”，现在只有都市圈办公室可以修改。" in refused(
        tmp_path, workbook(projects=[project_row()])
    )


def test_a_bad_second_sheet_keeps_the_first_sheets_good_rows_out(tmp_path, world):
    refused(tmp_path, workbook(projects=[project_row(stage="开工")]))
    assert not ProgressReport.objects.filter(quarter=2).exists()


def test_a_bad_first_sheet_keeps_the_second_sheets_good_rows_out(tmp_path, world):
    content = workbook(reports=[("9.9", "开封", 2021, 2, 1, "")], projects=[project_row()])
    assert "第 2 行：任务编号：2021年工作要点中没有任务 9.9。" in refused(tmp_path, content)
    assert not ProjectUpdate.objects.filter(quarter=2).exists()


def test_a_second_sheet_without_its_columns_is_refused_naming_them(tmp_path, world):
    content = workbook(projects=[("开封港", "开封")], header=["项目", "城市"])
    assert (
        "重点项目表缺少列：年度、季度、形象进度、当前阶段。第一行应为列名：项目编号或项目名称、"
        "城市、年度、季度、形象进度、当前阶段、本季度完成投资(亿元)。"
    ) in refused(tmp_path, content)


def test_a_second_sheet_past_the_row_limit_is_refused(tmp_path, world):
    content = workbook(projects=[project_row()] * 5001)
    assert "文件超过 5000 行" in refused(tmp_path, content)


def test_a_confirm_after_an_update_changed_since_the_preview_is_refused_whole(
    client, world, kaifeng, office
):
    client.force_login(world["clerk"])
    draft = make_update(world["port"], kaifeng, 2, Stage.PREPARATION, "可研", status="draft")
    upload = SimpleUploadedFile("开封.xlsx", workbook(projects=[project_row()]))
    preview = client.post(IMPORT, {"format": 0, "import_file": upload})
    draft.progress, draft.updated_by = "可研批复", office  # The office corrects it meanwhile.
    draft.save()
    before = snapshot()
    response = client.post(CONFIRM, dict(preview.context["confirm_form"].initial), follow=True)
    assert (
        "重点项目“开封港”（开封，2021年第2季度）在预览之后已有改动（现为“前期”，最后修改人 "
        "office）。未导入任何数据" in response.content.decode()
    )
    assert snapshot() == before


def test_the_admin_preview_lists_the_second_sheets_bad_rows_with_their_reasons(client, world):
    client.force_login(world["clerk"])
    upload = SimpleUploadedFile("开封.xlsx", workbook(projects=[project_row(stage="开工")]))
    page = client.post(IMPORT, {"format": 0, "import_file": upload}).content.decode()
    assert "重点项目表共 1 行，其中 1 行有错误。" in page
    assert "<li>当前阶段：“开工”不是阶段，请填写前期、在建或建成。</li>" in page
    assert "confirm_form" not in page and 'name="confirm"' not in page


def test_the_upload_page_describes_the_second_sheet(client, world):
    client.force_login(world["clerk"])
    assert "工作簿还可以包含“重点项目”表" in client.get(IMPORT).content.decode()


def test_the_reporters_update_edited_by_import_after_a_return_is_submitted_again(
    tmp_path, world, kaifeng
):
    returned = make_update(world["port"], kaifeng, 2, Stage.PREPARATION, "可研", status="returned")
    run(tmp_path, workbook(projects=[project_row()]))
    returned.refresh_from_db()
    assert (returned.progress, returned.stage, returned.status) == (
        "场地平整",
        "construction",
        "submitted",
    )


def test_blank_progress_and_stage_keep_what_the_sections_draft_says(tmp_path, world, kaifeng):
    draft = make_update(world["port"], kaifeng, 2, Stage.CONSTRUCTION, "桩基完成", status="draft")
    run(tmp_path, workbook(reports=(), projects=[project_row(progress=None, stage=None, amount=3)]))
    draft.refresh_from_db()
    assert (draft.progress, draft.stage, draft.amount, draft.status) == (
        "桩基完成",
        "construction",
        Decimal(3),
        "submitted",
    )


def test_an_unchanged_submitted_update_is_skipped(tmp_path, world, kaifeng):
    make_update(world["port"], kaifeng, 2, Stage.CONSTRUCTION, "场地平整", amount=Decimal(1))
    printed = run(tmp_path, workbook(reports=(), projects=[project_row()]))
    assert printed == "已导入：新建 0 条，更改 0 条，未变或空行 1 条。\n"


def test_the_templates_queries_do_not_grow_with_projects(client, world, kaifeng):
    client.force_login(world["clerk"])
    address = "/2021/template.xlsx?city=kaifeng&quarter=2"
    b"".join(client.get(address).streaming_content)
    with CaptureQueriesContext(connection) as small:
        b"".join(client.get(address).streaming_content)
    for number in range(20):
        project = make_project(world["rail"], f"项目{number}", "start", [kaifeng])
        make_update(project, kaifeng, 1, Stage.PREPARATION, "前期工作")
    with CaptureQueriesContext(connection) as large:
        content = b"".join(client.get(address).streaming_content)
    assert openpyxl.load_workbook(io.BytesIO(content))["重点项目"].max_row == 23
    assert len(large) == len(small)


def test_a_second_sheet_named_with_a_trailing_space_is_read_as_the_projects(tmp_path, world):
    content = workbook(projects=[project_row()], title="重点项目 ")
    assert run(tmp_path, content) == "已导入：新建 2 条，更改 0 条，未变或空行 0 条。\n"


def test_a_formula_no_program_computed_is_named_not_called_empty(tmp_path, world):
    # openpyxl writes a formula without its value, as a script would.
    content = workbook(projects=[project_row(progress="=A1&B1", stage='=IF(1,"在建")')])
    refusal = refused(tmp_path, content)
    assert "重点项目表第 2 行：形象进度：不能以 = 或 @ 开头" in refusal
    assert '当前阶段：“=IF(1,"在建")”不是阶段，请填写前期、在建或建成。' in refusal


def test_a_project_number_too_long_for_a_key_is_refused_as_not_found(tmp_path, world):
    """The import reads only the projects its rows name by number: a number no key can hold
    names none, and the row says so, with no database error."""
    number = "99999999999999999999999"
    content = workbook(projects=[project_row(id=number, name="开封港")])
    assert f"重点项目表第 2 行：项目编号：2021年工作要点中没有编号为 {number} 的重点项目。" in (
        refused(tmp_path, content)
    )
