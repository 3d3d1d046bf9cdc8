"""The workbook's 问题清单 sheet: the page's problems in the official table layout."""

import io
from datetime import date, datetime, time

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.timezone import make_aware

from people.roles import REPORTER
from plan.models import Unit
from problems.models import Problem, ProblemEntry
from tests.builders import make_member, make_project, make_world

Status, Kind = Problem.Status, ProblemEntry.Kind
TODAY = date(2021, 6, 15)


@pytest.fixture(autouse=True)
def signed_in(client, office, monkeypatch):
    # The office sees every problem; what others see is tested below.
    client.force_login(office)
    monkeypatch.setattr("plan.models.localdate", lambda: TODAY)


def raise_problem(task, city, title, status=Status.RAISED, unit=None, **fields) -> Problem:
    """A problem raised before TODAY (the workbook lists those raised by its day)."""
    problem = Problem.objects.create(
        task=task,
        city=city,
        title=title,
        description=f"{title}的情况",
        kind=Problem.Kind.LAND,
        status=status,
        unit=unit,
        **fields,
    )
    raised_at = make_aware(datetime.combine(date(2021, 3, 1), time(10)))
    Problem.objects.filter(pk=problem.pk).update(created_at=raised_at)
    return problem


def add_entry(problem: Problem, kind: str, on: date, text: str = "") -> None:
    entry = ProblemEntry.objects.create(problem=problem, kind=kind, text=text)
    at = make_aware(datetime.combine(on, time(10)))
    ProblemEntry.objects.filter(pk=entry.pk).update(created_at=at)


@pytest.fixture
def world(zhengzhou, kaifeng):
    """Five problems, one of each state, on 15 June 2021:

    用地 (1.1, Zhengzhou): assigned, due 10 May: red, 36 days late.
    拆迁 (1.1, Kaifeng, on a project): answered, due 20 June: yellow.
    政策 (1.2, Zhengzhou): raised, not yet assigned.
    资金 (2.1, Kaifeng): closed on 5 May, due 1 May: orange, 4 days late.
    环评 (2.1, Zhengzhou): not accepted on 1 June.
    """
    world = make_world(zhengzhou, kaifeng)
    land = Unit.objects.create(name="郑州市自然资源和规划局", short_name="郑州资规局", kind="other")
    reform = Unit.objects.create(name="开封市发展和改革委员会", kind="other")
    first = raise_problem(
        world.rail,
        zhengzhou,
        "用地",
        Status.ASSIGNED,
        land,
        assigned_on=date(2021, 5, 1),
        deadline=date(2021, 5, 10),
    )
    first.supporting_units.set([reform])
    add_entry(first, Kind.RAISED, date(2021, 4, 28), "站房用地未落实")
    add_entry(first, Kind.ASSIGNED, date(2021, 5, 1), "请于5月10日前办理")
    second = raise_problem(
        world.rail,
        kaifeng,
        "拆迁",
        Status.ANSWERED,
        reform,
        project=make_project(world.rail, "郑开城际", "complete", [kaifeng]),
        assigned_on=date(2021, 6, 1),
        deadline=date(2021, 6, 20),
    )
    add_entry(second, Kind.ASSIGNED, date(2021, 6, 1), "请办理")
    add_entry(second, Kind.ANSWERED, date(2021, 6, 10), "已完成征迁")
    raise_problem(world.policy, zhengzhou, "政策")
    fourth = raise_problem(
        world.industry,
        kaifeng,
        "资金",
        Status.CLOSED,
        reform,
        assigned_on=date(2021, 4, 20),
        deadline=date(2021, 5, 1),
        closed_on=date(2021, 5, 5),
    )
    add_entry(fourth, Kind.ANSWERED, date(2021, 5, 4), "已落实资金")
    add_entry(fourth, Kind.CLOSED, date(2021, 5, 5))  # Closed without a note.
    fifth = raise_problem(
        world.industry, zhengzhou, "环评", Status.REFUSED, closed_on=date(2021, 6, 1)
    )
    add_entry(fifth, Kind.REFUSED, date(2021, 6, 1), "不属于都市圈事项")
    return world


def problem_rows(client, url: str) -> list[tuple]:
    # As of Q2, which runs on TODAY: the problems as they stand that day.
    response = client.get(url, {"as_of": "2021Q2"})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return list(book["问题清单"].iter_rows(values_only=True))


def titles(rows: list[tuple]) -> list[str]:
    return [row[1].split("\n")[0] for row in rows[2:]]


def test_the_plan_workbook_lists_every_problem_the_most_urgent_first(client, world):
    rows = problem_rows(client, "/2021/export.xlsx")
    assert rows[0][0] == "2021年工作要点问题清单（截至2021-06-15）"
    assert rows[1] == (
        "序号",
        "问题",
        "所属任务/项目",
        "提出城市",
        "责任单位",
        "交办时间",
        "办理时限",
        "状态",
        "办理情况",
        "预警",
    )
    # Those open that day first, the most urgent first; then those closed or refused.
    assert titles(rows) == ["用地", "拆迁", "政策", "资金", "环评"]
    assert rows[2] == (
        1,
        "用地\n用地的情况",
        "1.1 轨道",
        "郑州",
        "郑州市自然资源和规划局（牵头）、开封市发展和改革委员会",
        datetime(2021, 5, 1),
        datetime(2021, 5, 10),
        "已交办",
        "2021-05-01 已交办：请于5月10日前办理",
        "红色：严重逾期 · 逾期36天",
    )


def test_each_state_says_where_the_problem_stands_and_what_was_last_done(client, world):
    rows = {row[1].split("\n")[0]: row for row in problem_rows(client, "/2021/export.xlsx")[2:]}
    closed = str(Problem.Status.CLOSED.label)
    # Closed without a note: the unit's answer is what tells how it was handled.
    assert rows["资金"][4:] == (
        "开封市发展和改革委员会",
        datetime(2021, 4, 20),
        datetime(2021, 5, 1),
        f"{closed}（2021-05-05）",
        "2021-05-04 已答复：已落实资金",
        "橙色：已逾期 · 逾期4天",
    )
    assert rows["拆迁"][2] == "1.1 轨道\n郑开城际"
    assert rows["拆迁"][7:] == ("已答复", "2021-06-10 已答复：已完成征迁", "黄色：临近时限")
    # Raised, not yet assigned: no unit, no dates, and its status says so.
    assert rows["政策"][2:] == ("1.2 政策", "郑州", None, None, None, "待交办", None, "正常")
    assert rows["环评"][7:] == (
        "不予受理（2021-06-01）",
        "2021-06-01 不予受理：不属于都市圈事项",
        "正常",
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("/2021/cities/zhengzhou/export.xlsx", ["用地", "政策", "环评"]),  # raised by Zhengzhou
        ("/2021/cities/kaifeng/export.xlsx", ["拆迁", "资金"]),
        ("/2021/tasks/1.1/export.xlsx", ["用地", "拆迁"]),
        ("/2021/areas/2/export.xlsx", ["资金", "环评"]),
        ("/2021/corridors/belt/export.xlsx", ["用地", "拆迁"]),  # 1.1 is on the corridor
    ],
)
def test_each_page_lists_its_own_problems(client, world, url, expected):
    assert titles(problem_rows(client, url)) == expected


@pytest.mark.parametrize(
    "url", ["/2021/export.xlsx", "/2021/tasks/1.2/export.xlsx", "/2021/areas/1/export.xlsx"]
)
def test_a_leaders_workbook_leaves_out_the_problems_the_office_has_not_assigned(
    client, world, leader, url
):
    # The problem list hides a raised problem from leaders; so does every workbook.
    client.force_login(leader)
    assert "政策" not in titles(problem_rows(client, url))


def test_a_reporters_workbook_lists_only_her_citys_problems(client, world, kaifeng):
    client.force_login(make_member("reporter-kaifeng", REPORTER, city=kaifeng))
    assert titles(problem_rows(client, "/2021/export.xlsx")) == ["拆迁", "资金"]


def test_an_anonymous_visitor_of_a_public_dashboard_downloads_no_problem(client, world, settings):
    settings.DASHBOARD_PUBLIC = True
    client.logout()
    rows = problem_rows(client, "/2021/export.xlsx")
    assert rows[2][:2] == (None, "没有问题。")
    assert "用地" not in str(rows)


def test_a_page_without_problems_says_so(client, world):
    rows = problem_rows(client, "/2021/tasks/1.2/export.xlsx")
    assert titles(rows) == ["政策"]
    Problem.objects.filter(title="政策").delete()
    assert problem_rows(client, "/2021/tasks/1.2/export.xlsx")[2][:2] == (None, "没有问题。")


def test_the_sheet_prints_on_a4_landscape_with_its_header_on_every_page(client, world):
    response = client.get("/2021/export.xlsx", {"as_of": "2021Q2"})
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book["问题清单"]
    assert book.sheetnames[-1] == "问题清单"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize == 9  # A4
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$1:$2"
    assert sheet.freeze_panes == "A3"
    assert all(cell.font.b for cell in sheet[2])
    assert sheet["F3"].number_format == "yyyy-mm-dd"
    assert sheet["J3"].fill.fgColor.rgb == "00FDECEA"  # red
    assert sheet["B3"].alignment.wrap_text


def test_with_sample_data_the_warning_heads_the_sheet(client, world):
    Problem.objects.filter(title="政策").update(is_sample=True)
    response = client.get("/2021/export.xlsx", {"as_of": "2021Q2"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))["问题清单"]
    assert sheet["A2"].value.startswith("示例数据")
    assert sheet["A3"].value == "序号"
    assert sheet.print_title_rows == "$1:$3"


def test_a_title_that_looks_like_a_formula_stays_text(client, world):
    Problem.objects.filter(title="政策").update(title='=HYPERLINK("http://evil","点我")')
    response = client.get("/2021/export.xlsx", {"as_of": "2021Q2"})
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))["问题清单"]
    cell = next(row[1] for row in sheet.iter_rows(min_row=3) if "HYPERLINK" in row[1].value)
    assert cell.data_type == "s"


def test_workbook_queries_do_not_grow_with_problems(client, world, zhengzhou):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            problem_rows(client, "/2021/export.xlsx")
        return len(captured)

    problem_rows(client, "/2021/export.xlsx")  # The first request also renews the session.
    small = queries()
    units = [Unit.objects.create(name=f"单位{n}", kind="other") for n in range(3)]
    for number in range(20):
        problem = raise_problem(
            world.rail,
            zhengzhou,
            f"问题{number}",
            Status.ANSWERED,
            units[0],
            project=make_project(world.rail, f"项目{number}", "complete", [zhengzhou]),
            assigned_on=date(2021, 6, 1),
            deadline=date(2021, 6, 30),
        )
        problem.supporting_units.set(units[1:])
        add_entry(problem, Kind.ASSIGNED, date(2021, 6, 1), "请办理")
        add_entry(problem, Kind.ANSWERED, date(2021, 6, 2), "已办理")
    assert queries() == small
