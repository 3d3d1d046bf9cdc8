"""The 重点项目 section of the 季度填报 screen: a city's project sections, entered and submitted
with its task rows as one, or not at all."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from investment.models import ProgressReport, ProjectUpdate, QuarterClose
from people.models import Reporter
from people.roles import REPORTER
from tasks.models import Project
from tests.builders import make_area, make_plan, make_project, make_task, make_update

Status = ProgressReport.Status
Stage = Project.Stage
Goal = Project.Goal
SHEET = "/admin/investment/progressreport/quarter/"


@pytest.fixture
def world(zhengzhou, kaifeng):
    """Task 1.1 轨道 in Zhengzhou and Kaifeng, with three projects: 郑开城际 through both cities,
    开封港 in Kaifeng, 郑州南站 in Zhengzhou only."""
    rail = make_task(make_area(make_plan()), 1, "100", [zhengzhou, kaifeng], title="轨道")
    intercity = make_project(rail, "郑开城际延长线", Goal.COMPLETE, [zhengzhou, kaifeng])
    port = make_project(rail, "开封港", Goal.START, [kaifeng])
    make_project(rail, "郑州南站", Goal.COMPLETE, [zhengzhou])
    return rail, intercity, port


@pytest.fixture
def kaifeng_client(client, django_user_model, kaifeng):
    user = django_user_model.objects.create_user("kf", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=REPORTER))
    Reporter.objects.create(user=user, city=kaifeng)
    client.force_login(user)
    return client


EMPTY = {"progress": "", "stage": "", "amount": ""}


def sheet_data(world, sections: list[dict], report: dict | None = None, **extra) -> dict:
    """Kaifeng's sheet as the browser posts it: the task row (empty unless given), then the
    rows of 郑开城际延长线 and 开封港, in page order."""
    rail, *projects = world
    data = {"rows-0-task": rail.pk}
    data.update({f"rows-0-{key}": value for key, value in (report or {}).items()})
    for index, (project, row) in enumerate(zip(projects, sections, strict=True)):
        data[f"projects-{index}-project"] = project.pk
        data.update({f"projects-{index}-{key}": value for key, value in row.items()})
    return {**data, **extra}


def updates() -> list[tuple]:
    return list(
        ProjectUpdate.objects.order_by("project__name").values_list(
            "project__name", "quarter", "progress", "stage", "amount", "status"
        )
    )


def state() -> tuple:
    """Reports and updates with their history, to show a refused save changed nothing."""
    return (
        list(ProgressReport.objects.order_by("pk").values_list("amount", "status", "version")),
        list(ProjectUpdate.objects.order_by("pk").values_list("progress", "stage", "version")),
        ProgressReport.history.count(),
        ProjectUpdate.history.count(),
    )


def test_a_reporter_fills_two_project_rows_and_a_report_row_and_submits_them_in_one_go(
    kaifeng_client, world, kaifeng
):
    _rail, intercity, _port = world
    response = kaifeng_client.post(
        f"{SHEET}?quarter=1",
        sheet_data(
            world,
            [
                {"progress": "桥梁主体完成 60%", "stage": Stage.CONSTRUCTION, "amount": "２．５"},
                {"progress": "完成可研批复", "stage": Stage.PREPARATION, "amount": ""},
            ],
            {"amount": "3", "note": "铺轨"},
            _submit="1",
        ),
        follow=True,
    )
    assert "已报送 3 行。" in response.content.decode()
    assert updates() == [
        ("开封港", 1, "完成可研批复", Stage.PREPARATION, None, Status.SUBMITTED),
        ("郑开城际延长线", 1, "桥梁主体完成 60%", Stage.CONSTRUCTION, Decimal("2.5"), "submitted"),
    ]
    update = ProjectUpdate.objects.get(project=intercity)
    assert (update.city, update.year, update.created_by.username) == (kaifeng, 2021, "kf")
    assert update.history.first().history_user.username == "kf"
    report = ProgressReport.objects.get()
    assert (report.amount, report.status) == (Decimal(3), Status.SUBMITTED)


def test_saving_keeps_the_project_rows_as_drafts_and_shows_them_again(
    kaifeng_client, world, kaifeng
):
    _rail, _intercity, _port = world
    kaifeng_client.post(
        f"{SHEET}?quarter=1",
        sheet_data(
            world,
            [
                {"progress": "桥梁施工", "stage": Stage.CONSTRUCTION, "amount": "1"},
                EMPTY,
            ],
            _save="1",
        ),
    )
    assert updates() == [("郑开城际延长线", 1, "桥梁施工", Stage.CONSTRUCTION, Decimal(1), "draft")]
    html = kaifeng_client.get(f"{SHEET}?quarter=1").content.decode()
    assert "桥梁施工</textarea>" in html
    assert 'value="1.0000"' in html


def bad_rows(message_row: dict) -> dict:
    """A good report row, a good project row and a bad one (开封港), saved together."""
    return {
        "report": {"amount": "3", "note": ""},
        "sections": [
            {"progress": "桥梁施工", "stage": Stage.CONSTRUCTION, "amount": "1"},
            {"progress": "场平", "stage": Stage.CONSTRUCTION, "amount": "1", **message_row},
        ],
    }


BAD_PROJECT_ROWS = [
    ({"progress": ""}, "形象进度：请填写目前的工程形象。"),
    ({"progress": "   "}, "形象进度：请填写目前的工程形象。"),
    ({"stage": ""}, "当前阶段：请选择前期、在建或建成。"),
    ({"stage": "started"}, "当前阶段：请选择前期、在建或建成。"),
    ({"amount": "-1"}, "本季度完成(亿元)不能为负数。"),
    ({"amount": "abc"}, "本季度完成(亿元)必须是数字。"),
    ({"amount": "NaN"}, "本季度完成(亿元)必须是数字。"),
    ({"amount": "1e309"}, "本季度完成(亿元)数值过大。"),
    ({"progress": "第一行\x0b第二行"}, "形象进度含有控制字符"),
    ({"progress": "很" * 2001}, "形象进度最多 2000 字。"),
]


@pytest.mark.parametrize(("row", "message"), BAD_PROJECT_ROWS)
def test_one_bad_project_row_saves_nothing_and_names_the_project_and_the_field(
    kaifeng_client, world, row, message
):
    _rail, _intercity, port = world
    before = state()
    rows = bad_rows(row)
    response = kaifeng_client.post(
        f"{SHEET}?quarter=1",
        sheet_data(world, rows["sections"], rows["report"], _submit="1"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    summary = html[html.index('<div class="sheet-errors"') :]
    summary = summary[: summary.index("</div>")]
    assert "未保存任何内容：1 行需要更正。" in summary
    assert f'<a href="#project-{port.pk}">开封港</a>: {message}' in summary
    assert state() == before


def test_an_untouched_project_row_is_not_saved(kaifeng_client, world, kaifeng):
    _rail, _intercity, port = world
    make_update(port, kaifeng, 1, Stage.CONSTRUCTION, "场平完成")
    html = kaifeng_client.get(f"{SHEET}?quarter=2").content.decode()
    # The earlier quarter's stage is offered; left as it is, the row stays empty.
    assert '<option value="construction" selected>在建</option>' in html
    response = kaifeng_client.post(
        f"{SHEET}?quarter=2",
        sheet_data(
            world,
            [EMPTY, {"progress": "", "stage": Stage.CONSTRUCTION, "amount": ""}],
            {"amount": "2", "note": ""},
            _save="1",
        ),
    )
    assert response.status_code == 302
    assert ProjectUpdate.objects.filter(quarter=2).count() == 0
    assert ProgressReport.objects.get().amount == Decimal(2)


def test_a_reporter_sees_only_her_citys_project_sections(kaifeng_client, world):
    html = kaifeng_client.get(f"{SHEET}?quarter=1").content.decode()
    assert "<h2" in html and "重点项目</h2>" in html
    assert "郑开城际延长线" in html and "开封港" in html
    assert "郑州南站" not in html
    assert kaifeng_client.get(f"{SHEET}?city=zhengzhou").status_code == 404


def test_the_office_sees_each_citys_own_sections(client, office, world):
    client.force_login(office)
    html = client.get(f"{SHEET}?city=zhengzhou&quarter=1").content.decode()
    assert "郑开城际延长线" in html and "郑州南站" in html
    assert "开封港" not in html


def test_a_project_row_posted_for_another_citys_project_saves_nothing(
    kaifeng_client, world, zhengzhou
):
    rail, intercity, _port = world
    south = Project.objects.get(name="郑州南站")
    swapped = sheet_data(
        (rail, intercity, south),
        [EMPTY, {"progress": "主体完工", "stage": Stage.COMPLETED, "amount": ""}],
        _save="1",
    )
    response = kaifeng_client.post(f"{SHEET}?quarter=1", swapped)
    assert "本市的重点项目在打开本页后有变化，请重新打开。" in response.content.decode()
    assert not ProjectUpdate.objects.exists()


def test_each_row_shows_the_earlier_quarters_stage_and_progress(kaifeng_client, world, kaifeng):
    _rail, intercity, port = world
    make_update(intercity, kaifeng, 1, Stage.PREPARATION, "征迁完成")
    make_update(intercity, kaifeng, 2, Stage.CONSTRUCTION, "桩基施工", status="draft")
    html = kaifeng_client.get(f"{SHEET}?quarter=3").content.decode()
    row = html[html.index(f'<tr id="project-{intercity.pk}"') :]
    row = row[: row.index("</tr>")]
    assert (
        '<td class="earlier" data-label="此前季度">'
        "第2季度：在建 (草稿)<br><small>桩基施工</small></td>" in row
    )
    other = html[html.index(f'<tr id="project-{port.pk}"') :]
    assert '<td class="earlier" data-label="此前季度">—</td>' in other[: other.index("</tr>")]


def test_a_stage_going_back_is_refused_for_a_reporter(kaifeng_client, world, kaifeng):
    _rail, intercity, _port = world
    make_update(intercity, kaifeng, 1, Stage.COMPLETED, "主体完工")
    before = state()
    response = kaifeng_client.post(
        f"{SHEET}?quarter=2",
        sheet_data(
            world,
            [
                {"progress": "返工", "stage": Stage.PREPARATION, "amount": ""},
                EMPTY,
            ],
            _save="1",
        ),
    )
    assert (
        "季度末阶段：第1季度报送为“建成”，阶段不能退回“前期”。如第1季度有误，请联系都市圈办公室。"
        in response.content.decode()
    )
    assert state() == before


def test_the_office_may_move_a_stage_back(client, office, world, kaifeng):
    _rail, intercity, _port = world
    make_update(intercity, kaifeng, 1, Stage.COMPLETED, "主体完工")
    client.force_login(office)
    response = client.post(
        f"{SHEET}?city=kaifeng&quarter=2",
        sheet_data(
            world,
            [
                {"progress": "复核后尚未完工", "stage": Stage.CONSTRUCTION, "amount": ""},
                EMPTY,
            ],
            _save="1",
        ),
    )
    assert response.status_code == 302
    assert ProjectUpdate.objects.get(quarter=2).stage == Stage.CONSTRUCTION


def test_a_closed_quarter_is_refused_for_a_reporter(kaifeng_client, world, office):
    rail, _intercity, _port = world
    QuarterClose.objects.create(plan=rail.area.plan, quarter=1, closed_by=office)
    html = kaifeng_client.get(f"{SHEET}?quarter=1").content.decode()
    # The project rows are drawn as text, folded, and there is no button to save.
    assert 'name="projects-0-progress"' not in html
    folded = html[html.index('<details class="locked-sections">') :]
    assert "2 个项目在此不能修改（已报送、已审核、示例数据或季度已锁定）" in folded
    assert "郑开城际延长线" in folded and "开封港" in folded
    assert 'name="_submit"' not in html
    response = kaifeng_client.post(
        f"{SHEET}?quarter=1",
        sheet_data(
            world,
            [
                {"progress": "桥梁施工", "stage": Stage.CONSTRUCTION, "amount": ""},
                EMPTY,
            ],
            _submit="1",
        ),
        follow=True,
    )
    assert "本季度已锁定：未保存任何内容。" in response.content.decode()
    assert not ProjectUpdate.objects.exists()


def test_a_submitted_update_is_locked_for_the_reporter(kaifeng_client, world, kaifeng):
    _rail, intercity, _port = world
    submitted = make_update(intercity, kaifeng, 1, Stage.CONSTRUCTION, "桥梁施工")
    kaifeng_client.post(
        f"{SHEET}?quarter=1",
        sheet_data(
            world,
            [
                {"progress": "改", "stage": Stage.COMPLETED, "seen_version": submitted.version},
                EMPTY,
            ],
            _save="1",
        ),
    )
    submitted.refresh_from_db()
    assert (submitted.progress, submitted.stage) == ("桥梁施工", Stage.CONSTRUCTION)


def test_a_returned_update_edited_by_its_reporter_is_a_draft_again(kaifeng_client, world, kaifeng):
    _rail, intercity, _port = world
    returned = make_update(intercity, kaifeng, 1, Stage.CONSTRUCTION, "桥梁施工", status="returned")
    response = kaifeng_client.post(
        f"{SHEET}?quarter=1",
        sheet_data(
            world,
            [
                {
                    "progress": "桥梁主体完成 60%",
                    "stage": Stage.CONSTRUCTION,
                    "amount": "",
                    "seen_version": returned.version,
                },
                EMPTY,
            ],
            _save="1",
        ),
    )
    assert response.status_code == 302
    returned.refresh_from_db()
    assert (returned.progress, returned.status) == ("桥梁主体完成 60%", Status.DRAFT)


def test_an_update_saved_by_someone_else_meanwhile_is_not_overwritten(
    kaifeng_client, world, kaifeng, office
):
    _rail, intercity, _port = world
    opened_empty = sheet_data(
        world,
        [
            {"progress": "桥梁施工", "stage": Stage.CONSTRUCTION, "amount": ""},
            {"progress": "", "stage": "", "amount": ""},
        ],
        _save="1",
    )
    make_update(intercity, kaifeng, 1, Stage.PREPARATION, "征迁", status="draft", updated_by=office)
    before = state()
    response = kaifeng_client.post(f"{SHEET}?quarter=1", opened_empty)
    assert "office 在您打开本页后修改了这条项目进展" in response.content.decode()
    assert state() == before


def test_submitting_while_an_earlier_quarter_of_a_section_is_a_draft_saves_nothing(
    kaifeng_client, world, kaifeng
):
    _rail, intercity, _port = world
    make_update(intercity, kaifeng, 1, Stage.PREPARATION, "征迁", status="draft")
    before = state()
    response = kaifeng_client.post(
        f"{SHEET}?quarter=2",
        sheet_data(
            world,
            [{"progress": "桩基施工", "stage": Stage.CONSTRUCTION, "amount": ""}, EMPTY],
            {"amount": "2", "note": ""},
            _submit="1",
        ),
    )
    assert response.status_code == 200
    assert "郑开城际延长线：本市该项目第1季度进展仍处于“草稿”状态" in response.content.decode()
    assert state() == before


def test_the_sheets_queries_do_not_grow_with_projects(kaifeng_client, world, kaifeng):
    rail, intercity, _port = world
    make_update(intercity, kaifeng, 1, Stage.PREPARATION, "征迁")
    make_update(intercity, kaifeng, 2, Stage.CONSTRUCTION, "桩基", status="draft")
    kaifeng_client.get(f"{SHEET}?quarter=2")
    with CaptureQueriesContext(connection) as small:
        kaifeng_client.get(f"{SHEET}?quarter=2")
    for number in range(20):
        project = make_project(rail, f"项目{number}", Goal.START, [kaifeng])
        make_update(project, kaifeng, 1, Stage.PREPARATION, "前期工作")
        make_update(project, kaifeng, 2, Stage.CONSTRUCTION, "开工", status="returned")
    with CaptureQueriesContext(connection) as large:
        html = kaifeng_client.get(f"{SHEET}?quarter=2").content.decode()
    assert html.count('<tr id="project-') == 22
    assert len(large) == len(small)
