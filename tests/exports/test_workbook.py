"""The leadership workbook and the reports CSV: the pages' figures, cell for cell."""

import csv
import html
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext

from figures.rollups import Figures, scope
from investment.models import ProgressReport
from plan.models import Corridor, Unit
from tasks.models import Milestone, Project
from tests.builders import (
    make_allocation,
    make_area,
    make_project,
    make_report,
    make_task,
    make_update,
    make_world,
)

Status = ProgressReport.Status


@pytest.fixture(autouse=True)
def signed_in(client, leader):
    client.force_login(leader)


@pytest.fixture
def world(zhengzhou, kaifeng):
    """The shared small world (tests/builders.py), with 2.1 allocated to Zhengzhou (50) and a
    milestone on 1.1.

    Zhengzhou: 1.1 Q1 10 approved, Q2 20 submitted; 1.2 Q1 3; 2.1 Q2 7.5.
    Kaifeng: 1.1 Q1 12 approved, Q2 5 draft (never counts).
    """
    world = make_world(zhengzhou, kaifeng)
    rail, policy, industry = world.rail, world.policy, world.industry
    make_allocation(industry, zhengzhou, "50")
    make_report(rail, zhengzhou, 1, "10", Status.APPROVED)
    report = make_report(rail, zhengzhou, 2, "20")
    report.note = '=HYPERLINK("http://evil","点我")'
    report.save()
    make_report(rail, kaifeng, 1, "12", Status.APPROVED)
    make_report(rail, kaifeng, 2, "5", Status.DRAFT)
    make_report(policy, zhengzhou, 1, "3")
    make_report(industry, zhengzhou, 2, "7.5")
    Milestone.objects.create(task=rail, name="建成郑州南站", kind="complete", due_quarter=2)
    return world.plan


def download(client, url: str) -> openpyxl.Workbook:
    response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def rows(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def percent(progress) -> Decimal | str:
    return "—" if progress.percent is None else float(progress.percent / 100)


def test_the_plan_workbook_holds_every_sheet_named_in_chinese(client, world):
    book = download(client, "/2021/export.xlsx?as_of=2021Q2")
    with translation.override("zh-hans"):
        breakdowns = gettext("Breakdowns")  # 分类汇总, once the catalogue has it.
    assert book.sheetnames == [
        "汇总",
        "表式",
        breakdowns,
        "任务明细",
        "重点项目",
        "填报记录",
        "工作节点",
        "问题清单",
    ]


def test_the_file_name_carries_the_year_the_quarter_and_the_scope(client, world):
    response = client.get("/2021/cities/zhengzhou/export.xlsx?as_of=2021Q2")
    assert response["Content-Disposition"] == (
        'attachment; filename="zzmetro-2021Q2-zhengzhou.xlsx"'
    )
    response = client.get("/2021/tasks/1.1/reports.csv?as_of=2021Q1")
    assert response["Content-Disposition"] == 'attachment; filename="zzmetro-2021Q1-1.1.csv"'


def test_summary_figures_are_the_pages_figures(client, world):
    summary = rows(download(client, "/2021/export.xlsx?as_of=2021Q2")["汇总"])
    total = scope(Figures(world, 2), world).total
    figures = {row[0]: row[1] for row in summary if row[0]}
    # Stated 150; counted 10 + 20 + 12 on 1.1 and 7.5 on 2.1; 1.2's 3 has no target.
    assert total.target == 150 and total.completed == Decimal("49.5")
    assert figures["已公布目标(亿元)"] == 150
    assert figures["已完成(亿元)"] == 49.5
    assert figures["完成率"] == 0.33
    assert figures["进度"] == "滞后"  # 33% against the 50% expected by Q2.
    assert figures["不计入完成率的完成额(亿元)"] == 3
    assert figures["任务数：未公布目标"] == 1
    assert ("1. 互联互通", 100, 42) in summary  # The chart's rows: target and completed.


def test_the_summary_carries_a_native_bar_chart(client, world):
    sheet = download(client, "/2021/export.xlsx")["汇总"]
    assert [type(chart).__name__ for chart in sheet._charts] == ["BarChart"]


@pytest.mark.parametrize(
    "url, subject",
    [
        ("/2021/export.xlsx", lambda plan: plan),
        ("/2021/areas/1/export.xlsx", lambda plan: plan.areas.get(number=1)),
        (
            "/2021/cities/zhengzhou/export.xlsx",
            lambda plan: plan_city(plan, "zhengzhou"),
        ),
        (
            "/2021/corridors/belt/export.xlsx",
            lambda plan: Corridor.objects.get(),
        ),
        (
            "/2021/tasks/1.1/export.xlsx",
            lambda plan: plan.areas.get(number=1).tasks.get(number=1),
        ),
    ],
)
def test_every_scopes_task_rows_match_the_figures(client, world, url, subject):
    page = scope(Figures(world, 2), subject(world))
    sheet = rows(download(client, f"{url}?as_of=2021Q2")["任务明细"])
    assert len(sheet) == len(page.tasks) + 1
    for row, line in zip(page.tasks, sheet[1:], strict=True):
        target = "未公布" if row.progress.target is None else row.progress.target
        assert line[0] == row.task.code
        assert line[4] == target
        assert line[9] == row.progress.completed
        assert line[10] == percent(row.progress)
        assert line[11] == row.progress.pace.label


def plan_city(plan, slug):
    from plan.models import City

    return City.objects.get(slug=slug)


def test_task_rows_split_the_year_by_quarter_through_as_of(client, world):
    sheet = rows(download(client, "/2021/export.xlsx?as_of=2021Q2")["任务明细"])
    assert sheet[0] == (
        "编号",
        "任务",
        "要点",
        "城市",
        "已公布目标(亿元)",
        "Q1",
        "Q2",
        "Q3",
        "Q4",
        "累计完成(亿元)",
        "%",
        "进度",
    )
    assert sheet[1] == (
        "1.1",
        "轨道",
        "互联互通",
        "郑州、开封",
        100,
        22,
        20,
        None,
        None,
        42,
        0.42,
        "有风险",
    )
    q1 = rows(download(client, "/2021/export.xlsx?as_of=2021Q1")["任务明细"])
    assert q1[1][5:10] == (22, None, None, None, 22)


def test_the_city_workbook_counts_only_that_citys_reports_against_its_allocations(client, world):
    book = download(client, "/2021/cities/kaifeng/export.xlsx?as_of=2021Q2")
    tasks = rows(book["任务明细"])
    assert tasks[0][4] == "分配金额(亿元)"
    assert tasks[1][:5] == ("1.1", "轨道", "互联互通", "郑州、开封", 40)
    assert tasks[1][9:] == (12, 0.3, "滞后")  # Kaifeng's draft of 5 does not count.
    reports = rows(book["填报记录"])
    assert {line[1] for line in reports[1:]} == {"开封"}


def test_the_official_table_has_area_subtotals_a_total_and_prints_on_a4_landscape(client, world):
    sheet = download(client, "/2021/export.xlsx?as_of=2021Q2")["表式"]
    table = rows(sheet)
    assert table[0][0] == "2021年工作要点推进情况表（截至第2季度末）"
    assert table[2] == (
        "序号",
        "任务",
        "责任城市",
        "已公布目标(亿元)",
        "累计完成(亿元)",
        "完成率",
        "进展情况",
    )
    assert table[3][:6] == (None, "一、互联互通（小计）", None, 100, 42, 0.42)
    assert table[3][6] == "未公布目标任务的完成额 3 亿元未计入完成率。"
    assert table[4][:6] == (1, "1.1 轨道", "郑州、开封", 100, 42, 0.42)
    assert table[4][6] == '郑州：=HYPERLINK("http://evil","点我")'
    assert table[5][:6] == (2, "1.2 政策", "郑州", "未公布", 3, "—")
    assert table[6][:6] == (None, "二、产业协同（小计）", None, 50, 7.5, 0.15)
    assert table[-1][1:6] == ("合计", None, 150, 49.5, 0.33)
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize == 9  # A4
    assert sheet.page_setup.fitToWidth == 1
    assert sheet.print_title_rows == "$1:$3"  # The title, the unit line and the header.
    assert sheet.freeze_panes == "A4"


def test_headers_are_bold_and_frozen_and_amounts_and_percentages_formatted(client, world):
    book = download(client, "/2021/export.xlsx?as_of=2021Q2")
    tasks = book["任务明细"]
    assert tasks.freeze_panes == "A2"
    assert all(cell.font.b for cell in tasks[1])
    # The breakdowns: 按要点 (caption, header, two areas), a blank row, then 按城市.
    sheet = book.worksheets[2]
    assert [sheet[f"A{row}"].value for row in (1, 6, 8)] == ["按要点", "按城市", "郑州"]
    assert all(cell.font.b for cell in sheet[7])
    assert sheet["B8"].number_format == "0.00"
    assert sheet["D8"].number_format == "0.0%"
    assert sheet["E8"].value == "滞后"  # Zhengzhou: 37.5 of 110 allocated, 34%.
    assert sheet["E8"].fill.fgColor.rgb == "00FDECEA"


def test_a_note_that_looks_like_a_formula_stays_text_and_amounts_stay_numbers(client, world):
    content = b"".join(client.get("/2021/export.xlsx?as_of=2021Q2").streaming_content)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheets = [archive.read(name) for name in archive.namelist() if "worksheets/sheet" in name]
    # Written as a string cell: Excel shows the text and never evaluates it. (lxml writes
    # the Chinese as character references, hence the unescaping.)
    assert not any(b"<f>" in sheet for sheet in sheets)
    # lxml, when installed, writes the Chinese as character references.
    texts = [html.unescape(sheet.decode()) for sheet in sheets]
    assert any('<t>=HYPERLINK("http://evil","点我")</t>' in text for text in texts)
    reports = openpyxl.load_workbook(io.BytesIO(content))["填报记录"]
    assert all(row[4].data_type == "n" for row in reports.iter_rows(min_row=2))


def test_the_sample_warning_heads_the_first_sheet_only_while_sample_data_exists(client, world):
    assert "示例数据" not in str(rows(download(client, "/2021/export.xlsx")["汇总"])[:3])
    ProgressReport.objects.filter(quarter=1).update(is_sample=True)
    assert rows(download(client, "/2021/export.xlsx")["汇总"])[2][0].startswith("示例数据")


def test_the_reports_csv_has_a_bom_the_import_headers_and_escapes_formulae(client, world):
    response = client.get("/2021/reports.csv?as_of=2021Q2")
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff任务编号,城市,年度,季度,完成投资(亿元),进展情况,状态")
    lines = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert len(lines) == 1 + ProgressReport.objects.counted().count()
    assert ["1.1", "郑州", "2021", "2", "20.0000", '\'=HYPERLINK("http://evil","点我")'] == (
        lines[[line[:4] for line in lines].index(["1.1", "郑州", "2021", "2"])][:6]
    )


@pytest.mark.parametrize(
    "url",
    [
        "/2021/export.xlsx?as_of=2021Q5",
        "/2020/export.xlsx",
        "/2021/areas/9/export.xlsx",
        "/2021/cities/nowhere/export.xlsx",
        "/2021/tasks/9.9/reports.csv",
    ],
)
def test_an_export_of_something_that_does_not_exist_is_404(client, world, url):
    assert client.get(url).status_code == 404


def test_anonymous_visitors_are_asked_to_sign_in_before_exporting(world):
    from django.test import Client

    response = Client().get("/2021/export.xlsx")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_every_page_links_to_its_own_exports(client, world):
    page = client.get("/2021/areas/1/?as_of=2021Q1").content.decode()
    assert '<a class="button" href="export.xlsx?as_of=2021Q1" download>导出 Excel</a>' in page
    assert '<a href="reports.csv?as_of=2021Q1" download>填报记录 CSV</a>' in page


def test_workbook_queries_do_not_grow_with_reports(client, world, zhengzhou):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            download(client, "/2021/export.xlsx?as_of=2021Q4")
        return len(captured)

    download(client, "/2021/export.xlsx")  # The first request also renews the session.
    small = queries()
    area = make_area(world, 3, "绿色")
    for number in range(1, 21):
        task = make_task(area, number, "10", [zhengzhou])
        for quarter in range(1, 5):
            make_report(task, zhengzhou, quarter, "1")
    assert queries() == small


@pytest.fixture
def projects(world, zhengzhou, kaifeng):
    """Two key projects beside the world's reports.

    郑济高铁 (1.1, complete, Zhengzhou and Kaifeng): national code 2020-410100-48-01-012345,
    total 120.5, annual 30, a lead and a supporting unit; Zhengzhou Q1 在建 2, Q2 在建 3.5
    "桥梁架设过半"; Kaifeng Q1 在建 1, Q2 a draft 建成 9 (never counts). 政策园区 (1.2, no stated
    goal): nothing stated, nothing reported, no national code.
    """
    rail = world.areas.get(number=1).tasks.get(number=1)
    policy = world.areas.get(number=1).tasks.get(number=2)
    province = Unit.objects.create(
        name="河南省发展和改革委员会", short_name="省发改委", kind="other"
    )
    city = Unit.objects.create(name="郑州市人民政府", kind="city_government")
    railway = make_project(
        rail,
        "郑济高铁",
        "complete",
        [zhengzhou, kaifeng],
        national_code="2020-410100-48-01-012345",
        description="建成郑济高铁郑州至濮阳段",
        total_investment=Decimal("120.5"),
        annual_investment=Decimal("30"),
        lead_unit=province,
    )
    railway.supporting_units.set([city])
    make_update(railway, zhengzhou, 1, "construction", "路基施工", amount=Decimal("2"))
    make_update(railway, zhengzhou, 2, "construction", "桥梁架设过半", amount=Decimal("3.5"))
    make_update(railway, kaifeng, 1, "construction", "开封段开工", amount=Decimal("1"))
    make_update(railway, kaifeng, 2, "completed", "开封段建成", "draft", amount=Decimal("9"))
    make_project(policy, "政策园区", "not_stated", [zhengzhou])
    return world


def project_table(client, url: str) -> list[tuple]:
    return rows(download(client, url)["重点项目"])


def test_the_project_sheet_has_the_official_layout_and_prints_on_a4_landscape(client, projects):
    sheet = download(client, "/2021/export.xlsx?as_of=2021Q2")["重点项目"]
    table = rows(sheet)
    assert table[0][0] == "2021年工作要点重点项目推进情况表（截至第2季度末）"
    assert table[1] == (
        "序号",
        "项目名称",
        "建设内容",
        "责任单位",
        "年度目标",
        "总投资(亿元)",
        "年度计划投资(亿元)",
        "本季度完成(亿元)",
        "累计完成(亿元)",
        "形象进度",
        "当前阶段",
        "项目代码",
    )
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize == 9  # A4
    assert sheet.page_setup.fitToWidth == 1
    assert sheet.print_title_rows == "$1:$2"
    assert sheet.freeze_panes == "A3"
    assert all(cell.font.b for cell in sheet[2])


def test_a_project_row_carries_its_facts_and_the_counted_updates(client, projects):
    sheet = download(client, "/2021/export.xlsx?as_of=2021Q2")["重点项目"]
    assert rows(sheet)[2] == (
        1,
        "郑济高铁",
        "建成郑济高铁郑州至濮阳段",
        "河南省发展和改革委员会（牵头）、郑州市人民政府",
        "建成",
        120.5,
        30,
        3.5,  # Kaifeng's Q2 is a draft and does not count.
        6.5,
        "郑州：桥梁架设过半",
        "在建",
        "2020-410100-48-01-012345",
    )
    assert [cell.number_format for cell in sheet[3][5:9]] == ["0.00"] * 4


def test_the_project_sheet_ends_with_each_projects_national_code_or_says_none(client, projects):
    for url in ("/2021/export.xlsx?as_of=2021Q2", "/2021/projects/export.xlsx?as_of=2021Q2"):
        sheet = download(client, url)["重点项目"]
        assert sheet.column_dimensions["L"].width == 26  # The 24 characters, unwrapped.
        assert [(line[1], line[11]) for line in rows(sheet)[1:]] == [
            ("项目名称", "项目代码"),
            ("郑济高铁", "2020-410100-48-01-012345"),
            ("政策园区", "未填报"),
        ]


def test_a_long_text_wraps_and_its_row_is_tall_enough_to_print_it_whole(client, projects):
    Project.objects.filter(name="政策园区").update(description="加快推进" * 10)
    sheet = download(client, "/2021/export.xlsx?as_of=2021Q2")["重点项目"]
    # 40 characters, as wide as 80 digits, in a column of 36: three lines of 16 points and
    # 3 inside the borders.
    assert sheet["C4"].alignment.wrap_text
    assert sheet.row_dimensions[4].height == 51
    assert sheet["F4"].alignment.vertical == "top"  # Beside it, every cell starts at the top.


def test_what_nobody_stated_or_reported_says_so_and_is_never_zero(client, projects):
    assert project_table(client, "/2021/export.xlsx?as_of=2021Q2")[3] == (
        2,
        "政策园区",
        "—",
        "未明确",
        "未公布",
        "未公布",
        "未公布",
        "未填报",
        "未填报",
        "未填报",
        "未报告",
        "未填报",
    )


def test_a_quarter_without_an_amount_is_not_reported_but_the_cumulative_counts(client, projects):
    assert project_table(client, "/2021/export.xlsx?as_of=2021Q3")[2][7:11] == (
        "未填报",
        6.5,
        "郑州：桥梁架设过半",
        "在建",
    )
    assert project_table(client, "/2021/export.xlsx?as_of=2021Q1")[2][7:9] == (3, 3)


def test_the_project_sheet_has_the_projects_pages_figures(client, projects):
    page = client.get("/2021/projects/?as_of=2021Q2").context["rows"]
    table = project_table(client, "/2021/export.xlsx?as_of=2021Q2")[2:]
    assert [line[1] for line in table] == [row.project.name for row in page]
    for row, line in zip(page, table, strict=True):
        assert line[7] == ("未填报" if row.quarter_amount is None else row.quarter_amount)
        assert line[8] == ("未填报" if row.cumulative is None else row.cumulative)
        assert line[9].endswith(row.progress or "未填报")
        assert line[10] == (row.stage_label or "未报告")


def test_a_citys_project_sheet_has_only_its_own_sections(client, projects):
    table = project_table(client, "/2021/cities/kaifeng/export.xlsx?as_of=2021Q2")
    figures = Figures(projects, 2)
    kaifeng = figures.project_rows(
        Project.objects.filter(name="郑济高铁"), plan_city(projects, "kaifeng")
    )[0]
    assert (kaifeng.quarter_amount, kaifeng.cumulative, kaifeng.progress) == (None, 1, "开封段开工")
    assert [line[1] for line in table[2:]] == ["郑济高铁"]
    assert table[2][7:] == ("未填报", 1, "开封段开工", "在建", "2020-410100-48-01-012345")


def test_a_task_workbook_lists_the_tasks_projects(client, projects):
    table = project_table(client, "/2021/tasks/1.2/export.xlsx?as_of=2021Q2")
    assert [line[1] for line in table[2:]] == ["政策园区"]


def test_a_plan_without_projects_says_so(client, world):
    assert project_table(client, "/2021/export.xlsx")[2] == (None, "没有项目。") + (None,) * 10


def test_the_project_sheet_warns_of_sample_data_above_its_header(client, projects):
    ProgressReport.objects.filter(quarter=1).update(is_sample=True)
    sheet = download(client, "/2021/export.xlsx?as_of=2021Q2")["重点项目"]
    assert rows(sheet)[1][0].startswith("示例数据: 本站显示的城市分配、季度填报、项目进展和问题")
    assert rows(sheet)[2][:2] == ("序号", "项目名称")
    assert sheet.print_title_rows == "$1:$3"
    assert sheet.freeze_panes == "A4"


def test_the_project_sheet_speaks_english_to_an_english_visitor(client, projects):
    client.cookies["django_language"] = "en"
    table = rows(download(client, "/2021/export.xlsx?as_of=2021Q2")["Key projects"])
    assert table[1][:5] == (
        "No.",
        "Project name",
        "Scope of works",
        "Responsible units",
        "The year's goal",
    )
    assert table[1][9:] == ("Physical progress", "Current stage", "National project code")
    assert table[3][3:5] == ("not specified", "not stated")
    assert table[3][7:] == (
        "not reported",
        "not reported",
        "not reported",
        "no stage reported",
        "not reported",
    )


@pytest.mark.parametrize(
    "url",
    [
        "/2021/export.xlsx?as_of=2021Q4",
        "/2021/cities/kaifeng/export.xlsx?as_of=2021Q4",
        "/2021/projects/export.xlsx?as_of=2021Q4",
    ],
)
def test_workbook_queries_do_not_grow_with_projects(client, projects, zhengzhou, kaifeng, url):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            download(client, url)
        return len(captured)

    download(client, url)  # The first request also renews the session.
    small = queries()
    rail = projects.areas.get(number=1).tasks.get(number=1)
    unit = Unit.objects.create(name="开封市人民政府", kind="city_government")
    for number in range(20):
        project = make_project(rail, f"项目{number}", "start", [zhengzhou, kaifeng], lead_unit=unit)
        project.supporting_units.set([unit])
        for quarter in range(1, 5):
            make_update(project, kaifeng, quarter, "construction", amount=Decimal("1"))
    assert queries() == small


def test_the_summary_carries_the_project_rates_and_the_problem_figures(client, projects):
    summary = rows(download(client, "/2021/export.xlsx?as_of=2021Q2")["汇总"])
    figures = {row[0]: row[1] for row in summary if row[0]}
    # 郑济高铁 is to be completed and only Zhengzhou's section reports, 在建: not completed.
    assert figures["开工率"] == "—"
    assert figures["竣工率"] == "0.0% (0/1)"
    # Its counted updates state 2 + 3.5 + 1 of the 49.5 + 3 reported.
    assert figures["重点项目投资占比"] == f"{scope(Figures(projects, 2), projects).project_share}%"
    assert (figures["未办结问题"], figures["逾期问题"], figures["已销号问题"]) == (0, 0, 0)
    assert figures["办结率"] == "—"


def look(cell) -> tuple:
    """A cell's style as leadership sees it: bold, fill, alignment, number format and border."""
    border, alignment = cell.border, cell.alignment
    sides = {side.style for side in (border.left, border.right, border.top, border.bottom)}
    colours = {side.color.rgb for side in (border.left, border.top) if side.color}
    return (
        bool(cell.font.b),
        cell.fill.fgColor.rgb if cell.fill.fill_type else None,
        alignment.horizontal,
        alignment.vertical,
        bool(alignment.wrap_text),
        cell.number_format,
        "thin black" if sides == {"thin"} and colours == {"00000000"} else sides,
    )


def test_the_project_cells_keep_their_fonts_borders_fills_alignments_and_number_formats(
    client, projects
):
    sheet = download(client, "/2021/export.xlsx?as_of=2021Q2")["重点项目"]
    # The title: 16-point bold, centred over the table, unframed.
    assert sheet["A1"].font.sz == 16
    assert look(sheet["A1"]) == (True, None, "center", "center", True, "General", {None})
    # The header row: bold on its fill, centred, framed, at the top like every table row.
    assert look(sheet["F2"]) == (True, "00E8EDF3", "center", "top", True, "General", "thin black")
    # 序号 in the middle of its column, a name wrapped, a plain text, amounts in 亿元.
    assert look(sheet["A3"]) == (False, None, "center", "top", False, "General", "thin black")
    assert look(sheet["B3"]) == (False, None, None, "top", True, "General", "thin black")
    assert look(sheet["E3"]) == (False, None, None, "top", False, "General", "thin black")
    assert sheet["F3"].value == 120.5 and sheet["I3"].value == 6.5
    assert look(sheet["F3"]) == (False, None, None, "top", False, "0.00", "thin black")
    assert look(sheet["I3"]) == (False, None, None, "top", False, "0.00", "thin black")
    # 未公布 and 未填报 where an amount goes stand in the middle of their cells.
    assert (sheet["F4"].value, sheet["H4"].value) == ("未公布", "未填报")
    assert look(sheet["F4"]) == (False, None, "center", "top", False, "0.00", "thin black")
    assert look(sheet["H4"]) == (False, None, "center", "top", False, "0.00", "thin black")


def test_the_official_tables_subtotals_and_the_task_paces_keep_their_fills(client, world):
    book = download(client, "/2021/export.xlsx?as_of=2021Q2")
    official = book["表式"]
    assert official["B4"].value == "一、互联互通（小计）"
    assert look(official["B4"]) == (True, "00F3F5F8", None, "top", False, "General", "thin black")
    assert look(official["D4"]) == (True, None, None, "top", False, "0.00", "thin black")
    assert look(official["B5"]) == (False, None, None, "top", True, "General", "thin black")
    # The task sheet is not framed (its gridlines are printed instead), and its rows of one
    # line keep their cells where Excel puts them.
    paces = book["任务明细"]["L"]
    assert [(cell.value, look(cell)) for cell in paces[1:4]] == [
        ("有风险", (False, "00FFF4CE", None, None, False, "General", {None})),
        ("未公布目标", (False, "00F0F0F0", None, None, False, "General", {None})),
        ("滞后", (False, "00FDECEA", None, None, False, "General", {None})),
    ]
