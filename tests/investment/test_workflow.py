"""investment.workflow.record: the one path every writer of a report or a project update takes
(the admin's form and actions, the quarter sheet and the import all make it)."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from investment.models import ProgressReport, QuarterClose
from investment.workflow import record
from people.roles import REPORTER
from tests.builders import make_member, make_report, make_world

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
