"""The plan workbook: the 2021 plan exported and imported again changes nothing, and the 2022
plan is made from its workbook; each bad input is refused with its Chinese message and nothing
saved; the admin's download, upload, preview and confirm are the office's alone; the commands."""

import io
import zipfile
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from people.roles import REPORTER, VIEWER
from plan.models import City, Member, Plan
from plan.spreadsheets import FileRefused
from tasks.models import Milestone, Project, Task
from tasks.workbook import PlanWorkbook, export_plan
from tests.builders import (
    make_area,
    make_city,
    make_member,
    make_plan,
    make_project,
    make_report,
    make_task,
)

IMPORT = "/admin/plan/plan/workbook/"
CONFIRM = "/admin/plan/plan/workbook/confirm/"
TASKS_SHEET = "xl/worksheets/sheet5.xml"  # The fifth sheet, 任务.


@pytest.fixture
def world(db) -> Plan:
    """The 2021 plan holding 郑州, 开封 and 新乡 whole: 1.1 轨道 (100, the three cities) with
    the key project 郑开城际 (郑州, 开封) and the milestone 开工; 1.2 水网 (50, 郑州)."""
    zhengzhou = make_city("zhengzhou", "郑州", 1, code="410100")
    kaifeng = make_city("kaifeng", "开封", 2, code="410200")
    xinxiang = make_city("xinxiang", "新乡", 3, code="410700")
    plan = make_plan(2021)
    area = make_area(plan)
    rail = make_task(area, 1, "100", [zhengzhou, kaifeng, xinxiang], title="轨道")
    make_task(area, 2, "50", [zhengzhou], title="水网")
    make_project(rail, "郑开城际", "advance", [zhengzhou, kaifeng])
    Milestone.objects.create(task=rail, name="开工", kind="start")
    return plan


def state() -> dict:
    """Every row of the project's apps, history and many-to-many rows included."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values())
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in settings.PROJECT_APPS
    }


def column(book, sheet: str, header: str) -> int:
    return [cell.value for cell in book[sheet][1]].index(header) + 1


def put(book, sheet: str, row: int, header: str, value) -> None:
    book[sheet].cell(row, column(book, sheet, header)).value = value


def edited(plan: Plan, *edits) -> bytes:
    """The plan's workbook with each edit made to it, as the office would in Excel."""
    book = openpyxl.load_workbook(io.BytesIO(export_plan(plan)))
    for edit in edits:
        edit(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run(data: bytes, user=None, dry_run=False) -> PlanWorkbook:
    workbook = PlanWorkbook(data, file_name="plan.xlsx")
    workbook.run(user=user, dry_run=dry_run)
    return workbook


def retitle(book) -> None:
    """A change to a good row (1.2): saved with the others, or not at all."""
    put(book, "任务", 3, "标题", "改过的标题")


def next_year(book, carried: set[str]) -> None:
    """Next year's plan from this year's workbook: its year and title, and the key projects
    named in `carried` carried over (项目编号 moved to 上年项目), the others left out."""
    put(book, "工作要点", 2, "年度", 2022)
    put(book, "工作要点", 2, "标题", "2022年郑州都市圈一体化发展工作要点")
    sheet = book["重点项目"]
    for number in range(sheet.max_row, 1, -1):
        if sheet.cell(number, column(book, "重点项目", "名称")).value in carried:
            put(book, "重点项目", number, "上年项目", sheet.cell(number, 1).value)
            put(book, "重点项目", number, "项目编号", None)
        else:
            sheet.delete_rows(number)


# The 2021 plan.


def test_a_round_trip_of_the_2021_plan_changes_nothing(plan_2021):
    before = state()
    workbook = run(export_plan(plan_2021))
    assert workbook.errors == []
    assert workbook.counts() == {
        "plan": [0, 0, 1, 0],
        "members": [0, 0, 5, 0],
        "corridors": [0, 0, 5, 0],
        "areas": [0, 0, 6, 0],
        "tasks": [0, 0, 22, 0],
        "projects": [0, 0, 20, 0],
        "milestones": [0, 0, 37, 0],
    }
    assert state() == before  # Not one history row either.


def test_the_2022_plan_is_made_from_the_2021_workbook(plan_2021, office):
    def next_plan(book):
        next_year(book, {"郑济高铁郑州至濮阳段", "郑州枢纽小李庄车站及外绕线工程"})
        for place in [
            ("410300", "洛阳", "Luoyang"),
            ("410400", "平顶山", "Pingdingshan"),
            ("411100", "漯河", "Luohe"),
            ("419001", "济源", "Jiyuan"),
        ]:
            book["成员"].append([*place, None, "整市"])

    before = state()
    workbook = run(edited(plan_2021, next_plan), user=office)
    assert workbook.errors == []
    after = state()
    for label, rows in before.items():  # Every 2021 row stays exactly as it was.
        ids = {row["id"] for row in rows}
        assert [row for row in after[label] if row["id"] in ids] == rows, label
    plan = Plan.objects.get(year=2022)
    assert (plan.title, plan.status, plan.is_current) == (
        "2022年郑州都市圈一体化发展工作要点",
        Plan.Status.DRAFT,
        False,
    )
    members = ["郑州", "开封", "新乡", "焦作", "许昌", "洛阳", "平顶山", "漯河", "济源"]
    assert [member.place.name for member in plan.members.all()] == members
    assert City.objects.get(name="济源").code == "419001"
    carried = Project.objects.of_plan(plan).select_related("predecessor__task__area__plan")
    assert sorted((p.name, p.predecessor.task.area.plan.year, p.task.code) for p in carried) == [
        ("郑州枢纽小李庄车站及外绕线工程", 2021, "2.2"),
        ("郑济高铁郑州至濮阳段", 2021, "2.2"),
    ]
    assert Task.objects.of_plan(plan).count() == 22
    assert Milestone.objects.filter(task__area__plan=plan).count() == 37
    # The new plan's own workbook goes round too.
    assert run(export_plan(plan)).counts()["projects"] == [0, 0, 2, 0]


# Edits.


def test_the_workbook_has_the_sheets_and_chinese_headers(world):
    book = openpyxl.load_workbook(io.BytesIO(export_plan(world)))
    assert book.sheetnames == ["工作要点", "成员", "走廊", "要点", "任务", "重点项目", "工作节点"]
    assert [[cell.value for cell in row] for row in book["成员"]] == [
        ["地区代码", "名称", "英文名称", "所属城市代码", "范围", "成员县区代码"],
        ["410100", "郑州", "Zhengzhou", None, "整市", None],
        ["410200", "开封", "Kaifeng", None, "整市", None],
        ["410700", "新乡", "Xinxiang", None, "整市", None],
    ]
    assert [cell.value for cell in book["任务"][2]] == [
        "1.1",
        "轨道",
        "Task 1.1",
        None,
        100,
        None,
        None,
        "郑州、开封、新乡",
        None,
        None,
        None,
        None,
    ]


def test_a_city_held_in_part_and_a_county_held_alone_go_round(world):
    zhengzhou = City.objects.get(name="郑州")
    zhongmu = make_city("zhongmu", "中牟县", code="410122", parent=zhengzhou)
    zhengzhou.memberships.get(plan=world).counties.set([zhongmu])
    xuchang = City.objects.create(slug="xuchang", name="许昌", name_en="Xuchang", code="411000")
    changge = make_city("changge", "长葛市", 4, code="411082", parent=xuchang)
    Member.objects.create(plan=world, place=changge)
    book = openpyxl.load_workbook(io.BytesIO(export_plan(world)))
    assert [[cell.value for cell in row] for row in book["成员"]][1:] == [
        ["410100", "郑州", "Zhengzhou", None, "部分", "410122"],
        ["410200", "开封", "Kaifeng", None, "整市", None],
        ["410700", "新乡", "Xinxiang", None, "整市", None],
        ["411082", "长葛市", "Changge", "411000", "县区", None],
    ]
    before = state()
    assert run(export_plan(world)).counts()["members"] == [0, 0, 4, 0]
    assert state() == before


def test_an_edit_is_saved_with_its_history_and_the_rest_is_left_alone(world, office):
    histories = Task.history.count()
    workbook = run(
        edited(world, lambda book: put(book, "任务", 3, "年度投资目标(亿元)", "12.5")), office
    )
    assert workbook.errors == []
    task = Task.objects.of_plan(world).by_code("1.2").get()
    assert task.target == Decimal("12.5")
    assert workbook.outcomes["tasks"].changed == [("1.2 水网", "年度投资目标(亿元)")]
    record = task.history.first()
    assert (record.history_user, record.history_change_reason) == (office, "导入自 plan.xlsx")
    assert Task.history.count() == histories + 1


def test_rows_the_file_leaves_out_are_kept_and_the_preview_says_so(world):
    def drop(book):
        book["工作节点"].delete_rows(2)
        book["成员"].delete_rows(4)  # 新乡

    before = state()
    workbook = run(edited(world, drop))
    assert workbook.errors == []
    assert (workbook.outcomes["members"].kept, workbook.outcomes["milestones"].kept) == (
        ["新乡"],
        ["1.1 开工"],
    )
    assert state() == before


def test_a_city_that_reported_in_a_task_cannot_leave_it(world):
    make_report(Task.objects.get(title="轨道"), City.objects.get(name="开封"), 1, "5")
    data = edited(world, lambda book: put(book, "任务", 2, "城市", "郑州、新乡"))
    before = state()
    assert run(data).errors == ["任务表第 2 行 城市：开封 在本任务中仍有季度填报，不能移出本任务。"]
    assert state() == before


# Bad inputs: every one refused with its message, and nothing saved (not even the good row 1.2).


def refused(plan: Plan, *edits) -> list[str]:
    data = edited(plan, retitle, *edits)
    before = state()
    errors = run(data).errors
    assert state() == before
    return errors


def test_a_plan_year_outside_2000_to_2100_is_refused(world):
    assert refused(world, lambda book: put(book, "工作要点", 2, "年度", 1999)) == [
        "工作要点表第 2 行 年度：1999 不是 2000 至 2100 年之间的年份。"
    ]


def test_an_issue_date_outside_the_plans_year_is_refused(world):
    assert refused(
        world, lambda book: put(book, "工作要点", 2, "印发日期", date(2020, 12, 30))
    ) == ["工作要点表第 2 行 印发日期：2020-12-30 不在2021年内；工作要点须在本年度内印发。"]


def test_each_bad_member_row_is_named(world):
    def members(book):
        for row in [
            ("41030", "洛阳", "Luoyang", None, "整市"),
            ("410923", "南乐县", "Nanle", "410900", "县区"),
            ("410122", "中牟县", "Zhongmu", None, "整市"),
            ("410122", "中牟县", "Zhongmu", "410200", "县区"),
            ("410100", "郑州", "Zhengzhou", None, "部分", "410122"),
        ]:
            book["成员"].append(list(row))

    assert refused(world, members) == [
        "成员表第 5 行 地区代码：“41030”不是 GB/T 2260 的六位行政区划代码（如 410100）。",
        "成员表第 6 行 所属城市代码：没有代码为 410900 的城市；请在本表中同时列入该城市，"
        "或先在管理后台添加。",
        "成员表第 7 行 地区代码：410122 不是城市的代码（城市代码以 00 结尾，如 410300）；"
        "县区请填写所属城市代码。",
        "成员表第 8 行 所属城市代码：中牟县（410122）不是开封（410200）的县区。",
        "成员表第 9 行 地区代码：郑州已在第 2 行列出；一个地区只能列入一次：整市、部分或县区。",
    ]


def test_a_county_of_a_member_city_is_not_a_member_on_its_own(world):
    make_city("zhongmu", "中牟县", code="410122", parent=City.objects.get(name="郑州"))
    county = ("410122", "中牟县", "Zhongmu", "410100", "县区")
    assert refused(world, lambda book: book["成员"].append(list(county))) == [
        "成员表第 5 行 地区代码：郑州本身已是成员（整市或部分），中牟县不能再单独列入；"
        "请将其列为郑州的成员县区（部分）。"
    ]


def test_each_bad_task_row_is_named(world):
    City.objects.create(slug="luoyang", name="洛阳", code="410300")  # A place, no member.

    def tasks(book):
        put(book, "任务", 2, "年度投资目标(亿元)", -5)
        for code, target, cities, lead in [
            ("9.1", None, "郑州", None),
            ("1.1", None, "郑州", None),
            ("1.3", "七十亿", "郑州", None),
            ("1.4", None, "郑州、洛阳", None),
            ("1.5", None, "郑州", "省发展改革委"),
        ]:
            book["任务"].append(
                [code, "新任务", None, None, target, None, None, cities, None, lead]
            )

    assert refused(world, tasks) == [
        "任务表第 2 行 年度投资目标(亿元)：金额不能为负数。",
        "任务表第 4 行 编号：工作要点中没有要点 9，请先在要点表中列出。",
        "任务表第 5 行 编号：任务 1.1 已在第 2 行列出。",
        "任务表第 6 行 年度投资目标(亿元)：“七十亿”不是数字。",
        "任务表第 7 行 城市：洛阳不是2021年工作要点的成员（见成员表）。",
        "任务表第 8 行 牵头单位：没有名为“省发展改革委”的责任单位，请先在管理后台添加。",
    ]


def test_a_project_carried_over_stays_where_it_was(world):
    def elsewhere(book):
        next_year(book, {"郑开城际"})
        put(book, "重点项目", 2, "城市", "新乡")

    assert refused(world, elsewhere) == [
        "重点项目表第 2 行 上年项目：郑开城际（2021年）位于郑州、开封，不在本项目的任何城市"
        "（新乡）；项目只能在原地接续。"
    ]


# The national project code (项目代码).

CODE = "2020-410100-48-01-012345"


def test_a_projects_national_code_goes_round_and_typed_full_width_is_no_change(world):
    Project.objects.filter(name="郑开城际").update(national_code=CODE)
    book = openpyxl.load_workbook(io.BytesIO(export_plan(world)))
    assert book["重点项目"].cell(2, column(book, "重点项目", "项目代码")).value == CODE
    before = state()
    typed = "２０２０－４１０１００－４８－０１－０１２３４５ "
    workbook = run(edited(world, lambda book: put(book, "重点项目", 2, "项目代码", typed)))
    assert (workbook.errors, workbook.counts()["projects"]) == ([], [0, 0, 1, 0])
    assert state() == before


def test_a_code_entered_in_the_workbook_is_saved_in_its_one_form(world, office):
    typed = "2020-410100-48-01-01234x"
    workbook = run(edited(world, lambda book: put(book, "重点项目", 2, "项目代码", typed)), office)
    assert workbook.errors == []
    assert workbook.outcomes["projects"].changed == [("1.1 郑开城际", "项目代码")]
    assert Project.objects.get(name="郑开城际").national_code == "2020-410100-48-01-01234X"


def test_a_malformed_or_taken_code_in_a_row_is_refused_and_nothing_saved(world):
    Project.objects.filter(name="郑开城际").update(national_code=CODE)

    def codes(book):
        put(book, "重点项目", 2, "项目代码", "20204101004801012345")
        book["重点项目"].append([None, "1.2", "水网一期", None, None, "郑州"])
        put(book, "重点项目", 3, "项目代码", CODE)

    assert refused(world, codes) == [
        "重点项目表第 2 行 项目代码：格式不正确，应为24位，分5段以“-”连接，如 "
        "XXXX-XXXXXX-XX-XX-XXXXXX（4位时间代码、6位地区代码、2位中央业务指导部门代码、"
        "2位项目类型代码、5位随机码和1位校验码，均为数字或大写字母）。",
        "重点项目表第 3 行 项目代码：2020-410100-48-01-012345 已是2021年工作要点中“郑开城际”的"
        "项目代码。一个代码只属于一个项目，仅该项目结转到其他年度的工作要点时沿用。",
    ]


def test_a_project_carried_over_by_the_workbook_keeps_its_code(world):
    Project.objects.filter(name="郑开城际").update(national_code=CODE)
    assert run(edited(world, lambda book: next_year(book, {"郑开城际"}))).errors == []
    carried = Project.objects.get(task__area__plan__year=2022)
    assert (carried.predecessor.name, carried.national_code) == ("郑开城际", CODE)


def test_a_workbook_without_the_code_column_carries_the_code_over_too(world):
    Project.objects.filter(name="郑开城际").update(national_code=CODE)

    def without_codes(book):
        next_year(book, {"郑开城际"})
        book["重点项目"].delete_cols(column(book, "重点项目", "项目代码"))

    assert run(edited(world, without_codes)).errors == []
    assert Project.objects.get(task__area__plan__year=2022).national_code == CODE


def patched(data: bytes, part: str, old: bytes, new: bytes) -> bytes:
    """The workbook with `old` replaced in one of its parts, as no spreadsheet program lets
    anyone write it."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            content = source.read(item)
            target.writestr(item, content.replace(old, new) if item.filename == part else content)
    return out.getvalue()


def test_a_target_of_1e309_is_no_number(world):
    data = edited(world, retitle, lambda book: put(book, "任务", 2, "年度投资目标(亿元)", 123.789))
    data = patched(data, TASKS_SHEET, b"123.789", b"1e309")  # Read as infinity.
    before = state()
    assert run(data).errors == ["任务表第 2 行 年度投资目标(亿元)：“inf”不是数字。"]
    assert state() == before


def test_a_missing_sheet_refuses_the_file(world):
    with pytest.raises(FileRefused) as refused:
        PlanWorkbook(edited(world, lambda book: book.remove(book["走廊"])))
    assert (
        str(refused.value) == "工作簿缺少走廊表；请从管理后台下载工作要点工作簿，查看各表及其列。"
    )


def test_fifty_thousand_rows_are_refused_early(world, monkeypatch):
    rows = b"".join(
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>1.1</t></is></c></row>' % (n, n)
        for n in range(4, 50_004)
    )
    data = patched(export_plan(world), TASKS_SHEET, b"</sheetData>", rows + b"</sheetData>")

    def parsed(*args, **kwargs):
        raise AssertionError("the workbook was parsed before it was refused")

    # Early: refused from the rows counted in the zip, before openpyxl reads a cell (a time
    # limit here would fail on a busy machine).
    monkeypatch.setattr("plan.spreadsheets.load_workbook", parsed)
    with pytest.raises(FileRefused) as refused:
        PlanWorkbook(data)
    assert str(refused.value) == (
        "文件超过 5000 行或 50 列，或文字多于一个季度的数据所需：请拆分文件，"
        "或删除其中的空行和空列。"
    )


# The admin's screens.


@pytest.fixture
def office_client(client, office):
    client.force_login(office)
    return client


def upload(client, data: bytes):
    return client.post(IMPORT, {"workbook": SimpleUploadedFile("2021.xlsx", data)})


def test_the_office_downloads_a_plans_workbook_from_its_page(office_client, world):
    assert "导入工作要点工作簿" in office_client.get("/admin/plan/plan/").content.decode()
    page = office_client.get(f"/admin/plan/plan/{world.pk}/change/").content.decode()
    assert "下载工作要点工作簿" in page
    response = office_client.get(f"/admin/plan/plan/{world.pk}/workbook.xlsx")
    assert response.status_code == 200
    assert 'filename="zzmetro-2021-plan.xlsx"' in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book["工作要点"]["B2"].value == "2021年工作要点"


def test_the_office_previews_then_confirms_a_workbook(office_client, office, world):
    before = state()
    preview = upload(office_client, edited(world, retitle))
    page = preview.content.decode()
    assert preview.status_code == 200
    assert state() == before  # The preview writes nothing.
    counts = '<th scope="row">任务</th><td class="num">0</td><td class="num">1</td>'
    assert counts + '<td class="num">1</td><td class="num">0</td>' in page
    assert '<tr class="update"><td>更改</td><td>1.2 改过的标题</td><td>标题</td></tr>' in page
    token = preview.context["confirm_form"].initial["preview"]
    response = office_client.post(CONFIRM, {"preview": token})
    assert response["Location"] == f"/admin/plan/plan/{world.pk}/change/"
    task = Task.objects.of_plan(world).by_code("1.2").get()
    assert (task.title, task.history.first().history_user) == ("改过的标题", office)
    # Confirmed once: the same token again imports nothing.
    again = office_client.post(CONFIRM, {"preview": token}, follow=True)
    assert "此次导入已确认或已过期：请重新上传文件。" in again.content.decode()


def test_a_workbook_with_bad_rows_shows_why_and_offers_no_confirm(office_client, world):
    page = upload(
        office_client, edited(world, lambda book: put(book, "任务", 2, "年度投资目标(亿元)", -5))
    )
    assert page.context["confirm_form"] is None
    assert "任务表第 2 行 年度投资目标(亿元)：金额不能为负数。" in page.content.decode()


def test_a_plan_changed_after_the_preview_refuses_the_confirm(office_client, world):
    preview = upload(office_client, edited(world, retitle))
    Task.objects.filter(title="轨道").update(title="别人改的")
    before = state()
    token = preview.context["confirm_form"].initial["preview"]
    page = office_client.post(CONFIRM, {"preview": token}, follow=True).content.decode()
    assert "预览之后工作要点已有改动，该文件现在的导入结果会与预览不同。" in page
    assert state() == before


def test_a_forged_preview_imports_nothing(office_client, world):
    before = state()
    response = office_client.post(CONFIRM, {"preview": "forged:preview"}, follow=True)
    assert "此次导入已确认或已过期：请重新上传文件。" in response.content.decode()
    assert state() == before


@pytest.mark.parametrize("role", [VIEWER, REPORTER])
def test_only_the_office_reaches_the_workbook(client, world, role):
    city = City.objects.get(name="开封") if role == REPORTER else None
    client.force_login(make_member("someone", role, city=city))
    assert client.get(f"/admin/plan/plan/{world.pk}/workbook.xlsx").status_code == 403
    assert client.get(IMPORT).status_code == 403
    assert client.post(CONFIRM, {"preview": "x"}).status_code == 403


# The commands.


def test_the_commands_export_and_dry_run_import_a_plan(world, tmp_path):
    path = tmp_path / "2021.xlsx"
    out = io.StringIO()
    call_command("export_plan", "2021", str(path), stdout=out)
    assert out.getvalue() == f"2021年工作要点已写入 {path}。\n"
    before = state()
    out = io.StringIO()
    call_command("import_plan", str(path), "--dry-run", stdout=out)
    assert out.getvalue().splitlines() == [
        "试运行，未写入：2021年工作要点。",
        "工作要点表：新增 0 条，更改 0 条，未变 1 条，文件未列而保留 0 条。",
        "成员表：新增 0 条，更改 0 条，未变 3 条，文件未列而保留 0 条。",
        "走廊表：新增 0 条，更改 0 条，未变 0 条，文件未列而保留 0 条。",
        "要点表：新增 0 条，更改 0 条，未变 1 条，文件未列而保留 0 条。",
        "任务表：新增 0 条，更改 0 条，未变 2 条，文件未列而保留 0 条。",
        "重点项目表：新增 0 条，更改 0 条，未变 1 条，文件未列而保留 0 条。",
        "工作节点表：新增 0 条，更改 0 条，未变 1 条，文件未列而保留 0 条。",
    ]
    assert state() == before


def test_the_import_command_says_every_problem_and_saves_nothing(world, tmp_path, office):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(
        edited(world, retitle, lambda book: put(book, "任务", 2, "年度投资目标(亿元)", -5))
    )
    err = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("import_plan", str(path), "--user", "office", stdout=io.StringIO(), stderr=err)
    assert str(refused.value) == "工作簿中有 1 处问题，未导入任何数据。"
    assert err.getvalue() == "任务表第 2 行 年度投资目标(亿元)：金额不能为负数。\n"
    assert Task.objects.of_plan(world).by_code("1.2").get().title == "水网"


def test_the_export_command_refuses_a_year_without_a_plan(db, tmp_path):
    with pytest.raises(CommandError) as refused:
        call_command("export_plan", "1999", str(tmp_path / "x.xlsx"))
    assert str(refused.value) == "没有1999年的工作要点。"
