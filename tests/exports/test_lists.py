"""The list pages' tables as workbooks: the key projects, the problem list and the rankings,
each with the page's own rows, quarter and filters, printed on A4 landscape."""

import io
from datetime import date

import openpyxl
import pytest
from django.test import Client

from investment.models import ProgressReport
from people.roles import REPORTER
from problems.models import Problem
from tests.builders import (
    make_member,
    make_problem,
    make_project,
    make_report,
    make_update,
    make_world,
)

Status = ProgressReport.Status


@pytest.fixture(autouse=True)
def signed_in(client, leader):
    client.force_login(leader)


@pytest.fixture
def world(zhengzhou, kaifeng):
    """The small world (1.1 轨道: Zhengzhou 60, Kaifeng 40); Q1 reported 30 and 10."""
    world = make_world(zhengzhou, kaifeng)
    make_report(world.rail, zhengzhou, 1, "30", Status.APPROVED)
    make_report(world.rail, kaifeng, 1, "10", Status.APPROVED)
    intercity = make_project(world.rail, "郑开城际", "complete", [zhengzhou, kaifeng])
    make_project(world.industry, "郑州南站", "start", [zhengzhou])
    make_update(intercity, kaifeng, 1, "construction", "架梁完成", amount="2")
    return world


def download(client, url: str, **query) -> openpyxl.Workbook:
    response = client.get(url, query)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def values(sheet) -> list[tuple]:
    return list(sheet.iter_rows(values_only=True))


def test_the_projects_list_exports_its_filtered_rows(client, world):
    page = client.get("/2021/projects/?as_of=2021Q1&task=1.1").content.decode()
    assert 'href="export.xlsx?as_of=2021Q1&amp;task=1.1" download>导出 Excel</a>' in page
    response = client.get("/2021/projects/export.xlsx?as_of=2021Q1&task=1.1")
    assert response["Content-Disposition"] == (
        'attachment; filename="zzmetro-2021Q1-projects.xlsx"'
    )
    sheet = download(client, "/2021/projects/export.xlsx", as_of="2021Q1", task="1.1").active
    rows = values(sheet)
    assert rows[0][0] == "2021年工作要点重点项目推进情况表（截至第1季度末）"
    assert [row[1] for row in rows[2:]] == ["郑开城际"]
    assert rows[2][7] == 2  # This quarter (亿元), from the counted update.
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.print_title_rows == "$1:$2"


def test_the_problem_list_exports_what_the_reader_may_see_on_its_day(client, world, kaifeng):
    july = date(2021, 7, 1)
    make_problem(world.rail, kaifeng, july, Problem.Status.RAISED, title="用地")
    make_problem(world.rail, kaifeng, date(2021, 11, 1), title="后来的问题")
    reporter = Client()
    reporter.force_login(make_member("kf", REPORTER, city=kaifeng))
    book = download(reporter, "/2021/problems/export.xlsx", as_of="2021Q3")
    rows = values(book["问题清单"])
    assert rows[0][0] == "2021年工作要点问题清单（截至2021-09-30）"
    assert [row[1].split("\n")[0] for row in rows[2:]] == ["用地"]  # Raised by that day.
    # A leader sees no problem not yet assigned.
    rows = values(download(client, "/2021/problems/export.xlsx", as_of="2021Q3")["问题清单"])
    assert rows[2][:2] == (None, "没有问题。")


def test_the_problem_export_follows_the_lists_filters(client, world, kaifeng, zhengzhou, office):
    client.force_login(office)
    make_problem(world.rail, kaifeng, date(2021, 7, 1), title="开封的")
    make_problem(world.rail, zhengzhou, date(2021, 7, 1), title="郑州的")
    page = client.get("/2021/problems/?as_of=2021Q3&city=kaifeng").content.decode()
    assert 'href="export.xlsx?as_of=2021Q3&amp;city=kaifeng" download>' in page
    rows = values(
        download(client, "/2021/problems/export.xlsx", as_of="2021Q3", city="kaifeng")["问题清单"]
    )
    assert [row[1].split("\n")[0] for row in rows[2:]] == ["开封的"]


def test_the_rankings_export_has_every_measure_and_says_what_each_is(client, world):
    book = download(client, "/2021/rankings/export.xlsx", as_of="2021Q1")
    rows = values(book["城市排名"])
    assert rows[0][0] == "2021年工作要点城市排名（截至第1季度末）"
    assert rows[1][:4] == ("城市", "完成率\n数值", "排名", "升降")
    assert rows[2][:3] == ("郑州", 50, 1)
    assert rows[3][:3] == ("开封", 25, 2)
    text = " ".join(str(row[0]) for row in rows[4:] if row[0])
    assert "办结率：本市提出的问题中截至 2021-03-31 到期应办结的" in text
    page = client.get("/2021/rankings/?as_of=2021Q1").content.decode()
    assert 'href="export.xlsx?as_of=2021Q1" download>导出 Excel</a>' in page


def test_an_anonymous_visitor_gets_no_problem_export(world, settings):
    settings.DASHBOARD_PUBLIC = True
    response = Client().get("/2021/problems/export.xlsx")
    assert response.status_code == 302


def test_a_stored_text_that_is_a_formula_once_cleaned_stays_text(client, world):
    from tasks.models import Project

    Project.objects.filter(name="郑开城际").update(name='\x0b=HYPERLINK("http://x")')
    sheet = download(client, "/2021/projects/export.xlsx", as_of="2021Q1", task="1.1").active
    cell = sheet["B3"]
    assert (cell.value, cell.data_type) == ('=HYPERLINK("http://x")', "s")


def test_a_units_page_exports_its_projects_and_the_problems_the_reader_may_see(
    client, world, kaifeng, office
):
    from plan.models import Unit
    from tasks.models import Project

    unit = Unit.objects.create(name="省交通运输厅", kind="province")
    Project.objects.filter(name="郑开城际").update(lead_unit=unit)
    make_problem(world.rail, kaifeng, date(2021, 2, 1), Problem.Status.ASSIGNED, unit=unit,
                 deadline=date(2021, 4, 1), title="征迁")  # fmt: skip
    make_problem(world.rail, kaifeng, date(2021, 2, 1), title="未交办")
    page = client.get(f"/2021/units/{unit.pk}/?as_of=2021Q1").content.decode()
    assert 'href="export.xlsx?as_of=2021Q1" download>导出 Excel</a>' in page
    book = download(client, f"/2021/units/{unit.pk}/export.xlsx", as_of="2021Q1")
    assert [row[1] for row in values(book["重点项目"])[2:]] == ["郑开城际"]
    assert [row[1].split("\n")[0] for row in values(book["问题清单"])[2:]] == ["征迁"]
    assert client.get(f"/2021/units/{2**64}/export.xlsx").status_code == 404


def test_the_bulletins_list_exports_what_the_reader_may_see(client, world, office):
    from bulletins.models import Bulletin

    Bulletin.objects.create(plan=world.plan, quarter=1, next_steps="推进。")
    rows = values(download(client, "/2021/bulletins/export.xlsx")["调度通报"])
    assert rows[2][1] == "尚未印发调度通报。"  # A leader sees no draft.
    client.force_login(office)
    rows = values(download(client, "/2021/bulletins/export.xlsx")["调度通报"])
    assert rows[1][:3] == ("季度", "期号", "印发日期")
    assert rows[2][:3] == ("2021年第1季度", "未印发", "—")
