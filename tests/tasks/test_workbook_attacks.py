"""The plan workbook against an insider: files that are not what they say, rows pasted twice,
places retired, a colleague's edit between the preview and the confirm."""

import pytest
from django.core.exceptions import ValidationError

from plan.models import City, Member, Plan
from plan.spreadsheets import FileRefused
from tasks.editions import carry_over
from tasks.models import Milestone, Project, Task
from tasks.workbook import PlanWorkbook, export_plan
from tests.builders import make_area, make_city, make_plan, make_project, make_report, make_task
from tests.tasks.test_workbook import edited, patched, put, run, state

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db) -> Plan:
    zhengzhou = make_city("zhengzhou", "郑州", 1, code="410100")
    kaifeng = make_city("kaifeng", "开封", 2, code="410200")
    xinxiang = make_city("xinxiang", "新乡", 3, code="410700")
    plan = make_plan(2021)
    area = make_area(plan)
    rail = make_task(area, 1, "100", [zhengzhou, kaifeng, xinxiang], title="轨道")
    make_task(area, 2, "50", [zhengzhou], title="水网")
    make_task(area, 3, "10", [xinxiang], title="新乡专项")
    make_project(rail, "郑开城际", "advance", [zhengzhou, kaifeng])
    Milestone.objects.create(task=rail, name="开工", kind="start")
    return plan


def test_a_round_trip_of_the_sample_world_changes_nothing(sample_world):
    before = state()
    workbook = run(export_plan(sample_world))
    assert workbook.errors == []
    assert all(counts[:2] == [0, 0] for counts in workbook.counts().values()), workbook.counts()
    assert state() == before


def test_a_round_trip_of_a_carried_draft_changes_nothing(plan_2021):
    tasks = list(Task.objects.of_plan(plan_2021))
    projects = list(Project.objects.of_plan(plan_2021))
    draft = carry_over(plan_2021, 2022, tasks, projects)
    before = state()
    workbook = run(export_plan(draft))
    assert workbook.errors == []
    assert state() == before


def test_a_task_whose_cities_are_all_retired_does_not_carry_over(world):
    City.objects.filter(name="新乡").update(retired_from=2022)
    with pytest.raises(ValidationError) as error:
        carry_over(world, 2022, list(Task.objects.of_plan(world)), [])
    assert error.value.messages == ["1.3 新乡专项：其城市均不是新工作要点的成员，不能结转。"]
    assert not Plan.objects.filter(year=2022).exists()


def test_a_preview_whose_counts_still_match_does_not_revert_a_colleague_s_edit(world):
    """Preview: 1.2's title changes. Meanwhile a colleague gives 1.2 that very title and edits
    1.1's. The confirm counts the same (1 changed) and goes through, undoing 1.1's edit, which
    the preview never showed."""
    data = edited(world, lambda book: put(book, "任务", 3, "标题", "改过的标题"))
    preview = PlanWorkbook(data, file_name="plan.xlsx")
    assert preview.run(dry_run=True)
    expected = preview.counts()
    assert preview.outcomes["tasks"].changed == [("1.2 改过的标题", "标题")]
    Task.objects.filter(title="水网").update(title="改过的标题")
    Task.objects.filter(title="轨道").update(title="同事改的轨道")
    confirm = PlanWorkbook(data, file_name="plan.xlsx")
    passed = confirm.run(dry_run=False, expected=expected)
    assert not passed or Task.objects.filter(title="同事改的轨道").exists(), confirm.outcomes[
        "tasks"
    ].changed


def test_an_issued_plan_with_reports_is_not_sent_back_to_draft(world):
    make_report(Task.objects.get(title="轨道"), City.objects.get(name="开封"), 1, "5")
    workbook = run(edited(world, lambda book: put(book, "工作要点", 2, "状态", "草稿")))
    world.refresh_from_db()
    assert workbook.errors != [] or world.status != Plan.Status.DRAFT


def test_a_shared_string_index_past_the_table_is_refused_not_a_500(client, office, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = edited(world, lambda book: put(book, "任务", 3, "标题", "MARKER"))
    data = patched(
        data,
        "xl/worksheets/sheet5.xml",
        b't="inlineStr"><is><t>MARKER</t></is>',
        b't="s"><v>99999</v>',
    )
    client.force_login(office)
    response = client.post(
        "/admin/plan/plan/workbook/", {"workbook": SimpleUploadedFile("plan.xlsx", data)}
    )
    assert "不是可读取的 .xlsx 工作簿" in response.content.decode()
    assert Task.objects.filter(title="MARKER").count() == 0


def test_the_quarter_import_refuses_the_same_file_not_a_500(client, world, office):
    from tests.import_files import workbook as entry_workbook

    data = entry_workbook([("1.1", "开封", 2021, 1, 3, "MARKER")])
    data = patched(
        data,
        "xl/worksheets/sheet1.xml",
        b't="inlineStr"><is><t>MARKER</t></is>',
        b't="s"><v>99999</v>',
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(office)
    client.raise_request_exception = False
    response = client.post(
        "/admin/investment/progressreport/import/",
        {"format": 0, "import_file": SimpleUploadedFile("x.xlsx", data)},
    )
    assert response.status_code == 200, response.status_code


def test_a_second_tasks_sheet_is_not_silently_ignored(world):
    def second(book):
        sheet = book.copy_worksheet(book["任务"])
        sheet.title = "Tasks"
        sheet.cell(3, 2).value = "只在第二张表里改的标题"

    with pytest.raises(FileRefused, match="工作簿中有两张任务表。"):
        PlanWorkbook(edited(world, second))


def test_a_retired_county_is_not_a_member_county(world):
    zhengzhou = City.objects.get(name="郑州")
    zhongmu = make_city("zhongmu", "中牟县", code="410122", parent=zhengzhou, retired_from=2015)
    workbook = run(
        edited(
            world,
            lambda book: (
                put(book, "成员", 2, "范围", "部分"),
                put(book, "成员", 2, "成员县区代码", "410122"),
            ),
        )
    )
    member = Member.objects.get(plan=world, place=zhengzhou)
    assert workbook.errors or zhongmu not in member.counties.all()


def test_a_workbook_past_four_hundred_rows_is_refused_before_any_is_checked(world):
    def many(book):
        sheet = book["工作节点"]
        for n in range(400):
            sheet.append(["1.1", f"节点{n}", "开工", None, 2, None])

    with pytest.raises(FileRefused) as error:
        PlanWorkbook(edited(world, many))
    assert str(error.value) == (
        "工作簿共有 410 行，工作要点工作簿最多 400 行。较大的工作要点请分几个工作簿导入："
        "工作簿中没有的行会保留。"
    )


def test_a_milestone_row_pasted_twice_is_not_a_second_milestone(world):
    def twice(book):
        sheet = book["工作节点"]
        sheet.append([cell.value for cell in sheet[2]])

    workbook = run(edited(world, twice))
    assert workbook.errors or Milestone.objects.filter(name="开工").count() == 1


def test_a_control_character_in_a_text_cell_is_refused_naming_its_column():
    # An .xlsx cannot hold one (Excel's _x000B_ stays text); a row met another way is refused.
    from tasks.workbook import TASKS, Row

    row = Row(TASKS, 3, {"title": "水网\x0b二期"})
    assert row.text("title") == "水网二期"
    assert row.said == [
        "标题含有控制字符（例如 Word 中 Shift+Enter 粘贴的换行符），请删除后重新保存。"
    ]
