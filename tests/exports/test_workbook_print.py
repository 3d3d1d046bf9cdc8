"""The leadership workbook on paper: every sheet A4 landscape one page wide, the official tables
framed under a centred title and their unit line, and the sample world's workbook in at most
12 pages when LibreOffice prints it."""

import io
import re

import openpyxl
import pytest
from django.utils.timezone import localdate

from investment.models import ProgressReport
from plan.spreadsheets import LINE_HEIGHT, text_lines
from tasks.models import Task
from tests.builders import make_city, make_report, make_world

URLS = [
    "/2021/export.xlsx",
    "/2021/areas/1/export.xlsx",
    "/2021/cities/zhengzhou/export.xlsx",
    "/2021/corridors/belt/export.xlsx",
    "/2021/tasks/1.1/export.xlsx",
]
FIVE = "郑州、开封、新乡、焦作、许昌"
# A number and a dash run together: "0.00—", "—3".
NUMBER_AND_DASH = re.compile(r"\d\s*—|—\s*\d")


@pytest.fixture(autouse=True)
def signed_in(client, leader):
    client.force_login(leader)


@pytest.fixture
def world(zhengzhou, kaifeng, xuchang):
    """The shared small world, its 2.1 shared by all five cities, which have each reported.

    1.1: Zhengzhou Q1 10 and Kaifeng Q1 12, approved; 1.2 (no target): Zhengzhou Q1 3;
    2.1: 1 from each of the five cities in Q1.
    """
    world = make_world(zhengzhou, kaifeng)
    cities = [
        zhengzhou,
        kaifeng,
        make_city("xinxiang", "新乡", 3),
        make_city("jiaozuo", "焦作", 4),
        xuchang,
    ]
    world.industry.cities.set(cities)
    make_report(world.rail, zhengzhou, 1, "10", ProgressReport.Status.APPROVED)
    make_report(world.rail, kaifeng, 1, "12", ProgressReport.Status.APPROVED)
    make_report(world.policy, zhengzhou, 1, "3")
    for city in cities:
        make_report(world.industry, city, 1, "1")
    return world.plan


def download(client, url: str) -> openpyxl.Workbook:
    response = client.get(url)
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def framed(cell) -> bool:
    border = cell.border
    return all(
        side.style == "thin" for side in (border.left, border.right, border.top, border.bottom)
    )


@pytest.mark.parametrize("url", URLS)
def test_every_sheet_prints_on_a4_landscape_one_page_wide_with_numbered_pages(client, world, url):
    for sheet in download(client, f"{url}?as_of=2021Q1"):
        setup = sheet.page_setup
        assert (setup.orientation, setup.paperSize) == ("landscape", 9), sheet.title
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0), sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        footer = sheet.oddFooter.center.text
        assert "&A" in footer and "&P" in footer and "&N" in footer, sheet.title
        # Gridlines print exactly where the table draws no borders of its own.
        has_borders = any(framed(cell) for row in sheet.iter_rows() for cell in row)
        assert sheet.print_options.gridLines is not has_borders, sheet.title


def test_every_table_repeats_its_header_rows_on_each_page(client, world):
    book = download(client, "/2021/export.xlsx?as_of=2021Q1")
    assert [sheet.print_title_rows for sheet in book] == [
        None,  # 汇总: figures, a short table and the chart, on one page
        "$1:$3",  # 表式: the title, the unit line and the header
        None,  # the breakdowns: three short tables, each with its header, on one page
        "$1:$1",
        "$1:$2",  # 重点项目 and 问题清单: the title and the header
        "$1:$1",
        "$1:$1",
        "$1:$2",
    ]
    framed_sheets = [sheet.title for sheet in book if not sheet.print_options.gridLines]
    assert framed_sheets == ["汇总", "表式", "重点项目", "问题清单"]


def test_the_official_table_is_framed_under_a_centred_title_and_its_unit_line(client, world):
    book = download(client, "/2021/export.xlsx?as_of=2021Q1")
    sheet = book["表式"]
    assert {str(merged) for merged in sheet.merged_cells.ranges} == {"A1:G1", "A2:E2", "F2:G2"}
    title = sheet["A1"]
    assert title.value == "2021年工作要点推进情况表（截至第1季度末）"
    assert (title.font.b, title.font.sz, title.alignment.horizontal) == (True, 16, "center")
    assert sheet["F2"].alignment.horizontal == "right"
    table = list(sheet.iter_rows(min_row=3, max_col=7))
    assert len(table) == 1 + 2 + 3 + 1  # The header, two subtotals, three tasks, the total.
    assert all(framed(cell) for row in table for cell in row)
    assert not any(framed(cell) for row in sheet.iter_rows(max_row=2) for cell in row)
    for name, columns in [("重点项目", "A1:L1"), ("问题清单", "A1:J1")]:
        other = book[name]
        assert columns in {str(merged) for merged in other.merged_cells.ranges}
        assert other["A1"].alignment.horizontal == "center"
        assert all(framed(cell) for cell in other[2])


def test_the_unit_line_names_the_unit_and_the_dates_of_the_figures(client, world):
    client.cookies["django_language"] = "en"
    sheet = download(client, "/2021/export.xlsx?as_of=2021Q1")["Official table"]
    today = localdate().isoformat()
    assert sheet["A2"].value == f"Figures to the end of 2021 Q1; prepared on {today}"
    assert sheet["F2"].value == "Unit: 100 million yuan"


def test_amounts_have_two_decimals_and_no_cell_holds_a_number_and_a_dash(client, world):
    book = download(client, "/2021/export.xlsx?as_of=2021Q1")
    table = list(book["表式"].iter_rows(min_row=4, min_col=4, max_col=6))
    for target, completed, percent in table:
        assert target.number_format == completed.number_format == "0.00"
        assert percent.number_format == "0.0%"
    # 1.2 states no target: "未公布" and "—", each alone in its cell, centred apart from the
    # amount beside it, where "0.00—" once ran together.
    target, completed, percent = table[2]
    assert (target.value, completed.value, percent.value) == ("未公布", 3, "—")
    assert target.alignment.horizontal == percent.alignment.horizontal == "center"
    for sheet in book:
        for row in sheet.iter_rows(values_only=True):
            texts = [value for value in row if isinstance(value, str)]
            assert not [text for text in texts if NUMBER_AND_DASH.search(text)], sheet.title


def test_every_city_of_a_task_is_listed_in_a_row_tall_enough_to_print_them(client, world):
    book = download(client, "/2021/export.xlsx?as_of=2021Q1")
    official, tasks = book["表式"], book["任务明细"]
    row = next(r for r in official.iter_rows(min_row=4) if r[1].value == "2.1 产业")
    assert row[2].value == FIVE
    tasks_row = next(r for r in tasks.iter_rows(min_row=2) if r[0].value == "2.1")
    assert tasks_row[3].value == FIVE
    for sheet, cell in [(official, row[2]), (tasks, tasks_row[3])]:
        width = sheet.column_dimensions[cell.column_letter].width
        height = sheet.row_dimensions[cell.row].height or LINE_HEIGHT
        assert cell.alignment.wrap_text
        assert text_lines(FIVE, width) * LINE_HEIGHT <= height


def test_the_sample_worlds_official_table_names_every_city_of_every_task(client, sample_world):
    sheet = download(client, "/2021/export.xlsx")["表式"]
    listed = {
        row[1].split(" ")[0]: row[2]
        for row in sheet.iter_rows(min_row=4, values_only=True)
        if isinstance(row[0], int)
    }
    tasks = Task.objects.of_plan(sample_world).prefetch_related("cities")
    expected = {
        task.code: "、".join(city.name for city in sorted(task.cities.all(), key=city_order))
        for task in tasks
    }
    assert listed == expected
    assert sum("许昌" in cities for cities in listed.values()) > 1


def city_order(city):
    return (city.order, city.slug)
