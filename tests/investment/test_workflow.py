"""investment.workflow.record: the one path every writer of a report or a project update takes
(the admin's form and actions, the quarter sheet and the import all make it)."""

import re
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import models

from investment.models import ProgressReport, ProjectUpdate, QuarterClose
from investment.workflow import SET_BY_RECORD, record, record_many, recorded
from people.roles import REPORTER
from tests.builders import make_member, make_project, make_report, make_world

pytestmark = pytest.mark.django_db
Status = ProgressReport.Status


@pytest.fixture
def world(zhengzhou, kaifeng):
    return make_world(zhengzhou, kaifeng)


@pytest.fixture
def kf(kaifeng):
    return make_member("kf", REPORTER, city=kaifeng)


def messages(error: ValidationError) -> list[str]:
    return error.messages


def test_a_reporter_records_and_submits_her_citys_new_report(world, kaifeng, kf):
    report = ProgressReport(task=world.rail, city=kaifeng, year=2021, quarter=1, amount=3)
    record(report, kf, submit=True)
    report.refresh_from_db()
    assert (report.status, report.created_by, report.updated_by) == (Status.SUBMITTED, kf, kf)
    assert report.history.first().history_user == kf


def test_a_reporter_cannot_record_for_another_city(world, zhengzhou, kf):
    report = ProgressReport(task=world.rail, city=zhengzhou, year=2021, quarter=1, amount=3)
    with pytest.raises(ValidationError) as error:
        record(report, kf)
    assert messages(error.value) == ["您不能为这个城市填报。"]
    assert not ProgressReport.objects.exists()


def test_a_save_based_on_an_older_version_is_refused_and_changes_nothing(world, kaifeng, kf):
    report = make_report(world.rail, kaifeng, 1, "3", Status.DRAFT)
    seen = report.version
    ProgressReport.objects.get(pk=report.pk).save()  # Someone saves in between.
    report.amount = Decimal(9)
    with pytest.raises(ValidationError) as error:
        record(report, kf, seen_version=seen)
    assert "在您编辑期间修改了这条填报" in messages(error.value)[0]
    assert ProgressReport.objects.get().amount == Decimal(3)


def test_a_closed_quarter_is_the_offices_and_only_with_a_reason(world, kaifeng, kf, office):
    report = make_report(world.rail, kaifeng, 1, "3", Status.DRAFT)
    QuarterClose.close(world.plan, 1, office)
    report.amount = Decimal(4)
    with pytest.raises(ValidationError) as error:
        record(report, kf, seen_version=report.version)
    assert messages(error.value) == [f"{report}：本季度已锁定，只有都市圈办公室可以修改。"]
    with pytest.raises(ValidationError) as error:
        record(report, office, seen_version=report.version)
    assert messages(error.value) == ["修改原因：本季度已锁定，请说明修改的理由。"]
    record(report, office, seen_version=report.version, reason="核实后更正")
    assert report.history.first().history_change_reason == "核实后更正"


def test_what_a_sample_row_says_is_read_only_but_its_review_moves_it(world, kaifeng, office):
    report = make_report(world.rail, kaifeng, 1, "3", Status.SUBMITTED, is_sample=True)
    report.amount = Decimal(5)
    with pytest.raises(ValidationError) as error:
        record(report, office, seen_version=report.version)
    assert "示例数据" in messages(error.value)[0]
    report.refresh_from_db()
    report.approve(office)
    record(report, office, seen_version=report.version)
    assert ProgressReport.objects.get().status == Status.APPROVED


def test_submitting_waits_for_the_earlier_quarter(world, kaifeng, kf):
    make_report(world.rail, kaifeng, 1, "3", Status.DRAFT)
    later = ProgressReport(task=world.rail, city=kaifeng, year=2021, quarter=2, amount=1)
    with pytest.raises(ValidationError) as error:
        record(later, kf, submit=True)
    assert "请先报送第1季度" in messages(error.value)[0]
    assert ProgressReport.objects.count() == 1


def test_an_import_names_its_file_in_the_history(world, kaifeng, kf):
    report = ProgressReport(task=world.rail, city=kaifeng, year=2021, quarter=1, amount=3)
    record(report, kf, submit=True, source="开封一季度.xlsx")
    assert report.history.first().history_change_reason == "导入自 开封一季度.xlsx"


def test_the_report_page_and_the_sheet_count_the_year_to_date_alike(world, kaifeng, kf, client):
    # Q1 submitted (3), Q2 a draft (5): before Q3, the year to date is what counts, 3.
    make_report(world.rail, kaifeng, 1, "3", Status.SUBMITTED)
    make_report(world.rail, kaifeng, 2, "5", Status.DRAFT)
    q3 = make_report(world.rail, kaifeng, 3, "1", Status.DRAFT)
    assert q3.cumulative_before() == Decimal(3)
    client.force_login(kf)
    page = client.get(f"/admin/investment/progressreport/{q3.pk}/change/").content.decode()
    # 3 before and 1 this quarter: the draft of Q2 is listed, not counted.
    assert "第2季度：5（草稿）" in page
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "累计（含本季度）(亿元): 4 " in text
    sheet = client.get("/admin/investment/progressreport/quarter/?quarter=3").content.decode()
    assert "未计入未报送的第2季度（5 亿元）。" in sheet


# record_many: the same rules for many rows at once, all of them written or none.


def new_reports(world, city, quarter: int) -> list[ProgressReport]:
    """New reports of 1.1 and 2.1, both Kaifeng's tasks, for `quarter`."""
    return [
        ProgressReport(task=task, city=city, year=2021, quarter=quarter, amount=Decimal(2))
        for task in (world.rail, world.industry)
    ]


def refusals(refused: dict) -> dict:
    return {index: error.messages for index, error in refused.items()}


def test_a_batch_keeps_a_history_record_of_each_row_with_its_user_and_file(world, kaifeng, kf):
    rows = new_reports(world, kaifeng, 1)
    assert record_many([(row, None) for row in rows], kf, submit=True, source="开封.xlsx") == {}
    records = ProgressReport.history.order_by("task__number", "task__area__number")
    assert list(records.values_list("task", "history_type", "status", "history_user")) == [
        (world.rail.pk, "+", Status.SUBMITTED, kf.pk),
        (world.industry.pk, "+", Status.SUBMITTED, kf.pk),
    ]
    assert {record.history_change_reason for record in records} == {"导入自 开封.xlsx"}
    assert [(row.version, row.created_by, row.updated_by) for row in rows] == [(1, kf, kf)] * 2


def test_the_office_corrects_a_closed_quarters_rows_together_only_with_a_reason(
    world, kaifeng, kf, office
):
    rows = [
        make_report(task, kaifeng, 1, "3", Status.SUBMITTED)
        for task in (world.rail, world.industry)
    ]
    QuarterClose.close(world.plan, 1, office)
    for row in rows:
        row.amount = Decimal(4)
    pairs = [(row, row.version) for row in rows]
    assert refusals(record_many(pairs, office)) == {
        0: ["修改原因：本季度已锁定，请说明修改的理由。"],
        1: ["修改原因：本季度已锁定，请说明修改的理由。"],
    }
    assert set(ProgressReport.objects.values_list("amount", "version")) == {(Decimal(3), 1)}
    assert record_many(pairs, office, reason="核实后更正", source="开封.xlsx") == {}
    changes = ProgressReport.history.filter(history_type="~")
    assert (
        sorted(changes.values_list("amount", "history_user", "history_change_reason"))
        == [(Decimal(4), office.pk, "导入自 开封.xlsx：核实后更正")] * 2
    )
    assert set(ProgressReport.objects.values_list("amount", "version")) == {(Decimal(4), 2)}


def test_a_closed_quarter_refuses_each_of_a_reporters_new_rows_and_takes_none(
    world, kaifeng, kf, office
):
    QuarterClose.close(world.plan, 1, office)
    refused = record_many([(row, None) for row in new_reports(world, kaifeng, 1)], kf)
    assert {index: error.message_dict for index, error in refused.items()} == {
        0: {"quarter": ["季度：都市圈办公室已锁定本季度。"]},
        1: {"quarter": ["季度：都市圈办公室已锁定本季度。"]},
    }
    assert not ProgressReport.objects.exists() and not ProgressReport.history.exists()


def test_an_earlier_draft_holds_back_its_tasks_row_and_so_the_whole_batch(world, kaifeng, kf):
    make_report(world.rail, kaifeng, 1, "1", Status.DRAFT)
    refused = record_many([(row, None) for row in new_reports(world, kaifeng, 2)], kf, submit=True)
    assert refusals(refused) == {
        0: [
            "1.1：该任务第1季度仍处于“草稿”状态，请先报送第1季度，再报送第2季度"
            "（本市填报员可在第1季度的季度填报中报送）。"
        ]
    }
    assert not ProgressReport.objects.filter(quarter=2).exists()


def test_a_row_saved_by_someone_else_meanwhile_is_refused_as_stale_and_none_is_written(
    world, kaifeng, kf
):
    rows = [
        make_report(task, kaifeng, 1, "1", Status.DRAFT) for task in (world.rail, world.industry)
    ]
    seen = [row.version for row in rows]
    ProgressReport.objects.get(pk=rows[1].pk).save()  # Someone saves in between.
    for row in rows:
        row.amount = Decimal(3)
    refused = record_many(list(zip(rows, seen, strict=True)), kf)
    assert [(index, error.code) for index, error in refused.items()] == [(1, "stale")]
    assert "在您编辑期间修改了这条填报" in refused[1].messages[0]
    assert set(ProgressReport.objects.values_list("amount", flat=True)) == {Decimal(1)}
    assert ProgressReport.history.filter(history_type="~").count() == 1  # The other save's.


def test_a_new_row_for_a_quarter_already_reported_is_told_so(world, kaifeng, kf):
    make_report(world.rail, kaifeng, 1, "1", Status.DRAFT)
    with pytest.raises(ValidationError) as error:
        record(ProgressReport(task=world.rail, city=kaifeng, year=2021, quarter=1, amount=2), kf)
    assert messages(error.value) == ["该城市本季度已填报过这项任务，不能重复填报。"]


def test_rows_the_office_returns_together_are_each_told_to_the_city(
    world, kaifeng, kf, office, django_capture_on_commit_callbacks
):
    kf.email = "kf@example.cn"
    kf.save()
    rows = [
        make_report(task, kaifeng, 1, "3", Status.SUBMITTED)
        for task in (world.rail, world.industry)
    ]
    for row in rows:
        row.send_back(office, "请核实")
    with django_capture_on_commit_callbacks(execute=True):
        assert record_many([(row, row.version) for row in rows], office) == {}
    assert sorted(message.subject for message in mail.outbox) == [
        "填报被退回：1.1 · 开封 · 2021Q1",
        "填报被退回：2.1 · 开封 · 2021Q1",
    ]


def test_a_batch_is_announced_once_with_all_its_rows(world, kaifeng, kf):
    heard = []

    def listen(sender, rows, **kwargs):
        heard.append(sorted(row.task.code for row in rows))

    recorded.connect(listen)
    try:
        record_many([(row, None) for row in new_reports(world, kaifeng, 1)], kf)
    finally:
        recorded.disconnect(listen)
    assert heard == [["1.1", "2.1"]]


# What each check constraint says, broken: the batch does not ask the database of them (one
# query a row), since the fields' own validators say the same.
BROKEN = {
    "report_amount_not_negative": {"amount": Decimal(-1)},
    "report_quarter_range": {"quarter": 5},
    "project_update_amount_not_negative": {"amount": Decimal(-1)},
    "project_update_quarter_range": {"quarter": 0},
}


def test_every_check_constraint_of_a_reported_row_is_tried_broken():
    constraints = [*ProgressReport._meta.constraints, *ProjectUpdate._meta.constraints]
    checks = {c.name for c in constraints if isinstance(c, models.CheckConstraint)}
    assert checks == set(BROKEN)


@pytest.mark.parametrize("constraint", sorted(BROKEN))
def test_a_row_breaking_a_check_constraint_is_refused_as_its_own_validation_says(
    world, kaifeng, office, constraint
):
    if constraint.startswith("report"):
        row = ProgressReport(task=world.rail, city=kaifeng, year=2021, quarter=1, amount=2)
    else:
        project = make_project(world.rail, "郑开城际", "start", [kaifeng])
        row = ProjectUpdate(
            project=project,
            city=kaifeng,
            year=2021,
            quarter=1,
            progress="施工",
            stage="construction",
        )
    for name, value in BROKEN[constraint].items():
        setattr(row, name, value)
    with pytest.raises(ValidationError) as alone:
        row.full_clean(exclude=SET_BY_RECORD)
    refused = record_many([(row, None)], office)
    assert refused[0].message_dict == alone.value.message_dict
    assert not type(row).objects.exists()
