"""Attacks on the batch entry path (workflow.record_many) by an insider: through the quarter
sheet, the import, and record/record_many themselves. Each guarantee a row's single save gave
holds for a batch of rows: nothing written when one row fails, a batch's rows checked against
each other as if saved one after the other, nothing overwritten in silence."""

import re
import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction

from figures.cache import generation
from investment.models import ProgressReport, ProjectUpdate, QuarterClose
from investment.workflow import record, record_many
from people.roles import REPORTER, UNIT_CONTACT
from plan.models import Plan, Unit
from tasks.models import Project
from tests.builders import (
    make_area,
    make_member,
    make_plan,
    make_project,
    make_report,
    make_task,
    make_update,
    make_world,
)

pytestmark = pytest.mark.django_db
Status = ProgressReport.Status
Stage = Project.Stage
SHEET = "/admin/investment/progressreport/quarter/"
IMPORT = "/admin/investment/progressreport/import/"
CONFIRM = "/admin/investment/progressreport/process_import/"
HEADER = "任务编号,城市,年度,季度,完成投资(亿元),进展情况\n"

DUPLICATE = "该城市本季度已填报过这项任务，不能重复填报。"
OFFICE_ONLY = "只有都市圈办公室才能进行此操作。"


@pytest.fixture
def world(zhengzhou, kaifeng):
    """make_world: 1.1 轨道 (Kaifeng 40 of 100), 1.2 政策 (Zhengzhou), 2.1 产业 (both, 50)."""
    return make_world(zhengzhou, kaifeng)


@pytest.fixture
def kf(kaifeng):
    return make_member("kf", REPORTER, city=kaifeng)


def new_report(task, city, quarter: int, amount: str = "2", **fields) -> ProgressReport:
    return ProgressReport(
        task=task, city=city, year=2021, quarter=quarter, amount=Decimal(amount), **fields
    )


def refusals(refused: dict) -> dict:
    return {index: error.messages for index, error in refused.items()}


def reports() -> list[tuple]:
    return list(
        ProgressReport.objects.order_by("pk").values_list(
            "task__number", "city__slug", "quarter", "amount", "status", "version"
        )
    )


def history() -> list[tuple]:
    return list(
        ProgressReport.history.order_by("history_id").values_list(
            "id", "history_type", "amount", "status", "history_user__username"
        )
    )


# One subject, city and quarter is written once, whatever a batch holds.


def test_the_same_new_subject_twice_in_a_batch_is_refused_as_a_duplicate_and_none_is_written(
    world, kaifeng, kf
):
    rows = [new_report(world.rail, kaifeng, 1, amount) for amount in ("2", "3")]
    refused = record_many([(row, None) for row in rows], kf)
    assert refusals(refused) == {1: [DUPLICATE]}
    assert refused[1].code == "unique"
    assert reports() == [] and history() == []
    assert [row.pk for row in rows] == [None, None]


def test_one_saved_row_twice_in_a_batch_is_refused_and_never_overwrites_itself(world, kaifeng, kf):
    saved = make_report(world.rail, kaifeng, 1, "1", Status.DRAFT)
    first, second = ProgressReport.objects.get(), ProgressReport.objects.get()
    first.amount, second.amount = Decimal(2), Decimal(3)
    refused = record_many([(first, saved.version), (second, saved.version)], kf)
    assert refusals(refused) == {1: [DUPLICATE]}
    assert reports() == [(1, "kaifeng", 1, Decimal(1), Status.DRAFT, 1)]
    assert history() == [(saved.pk, "+", Decimal(1), Status.DRAFT, None)]


# Two quarters of one series in a batch: each checked against the other as it will be written.


def test_a_reporter_cannot_move_a_stage_back_across_two_quarters_of_one_batch(world, kaifeng, kf):
    project = make_project(world.rail, "郑开城际", Project.Goal.COMPLETE, [kaifeng])
    rows = [
        ProjectUpdate(
            project=project, city=kaifeng, year=2021, quarter=quarter, stage=stage, progress="施工"
        )
        for quarter, stage in ((2, Stage.PREPARATION), (1, Stage.COMPLETED))
    ]
    refused = record_many([(row, None) for row in rows], kf)
    assert {index: error.message_dict for index, error in refused.items()} == {
        0: {
            "stage": [
                "季度末阶段：第1季度报送为“建成”，阶段不能退回“前期”。"
                "如第1季度有误，请联系都市圈办公室。"
            ]
        },
        1: {
            "stage": [
                "季度末阶段：第2季度报送为“前期”，阶段不能倒退，此前的季度不能为“建成”。"
                "如第2季度有误，请联系都市圈办公室。"
            ]
        },
    }
    assert not ProjectUpdate.objects.exists() and not ProjectUpdate.history.exists()


def test_a_later_quarter_cannot_come_to_count_in_the_batch_that_returns_its_earlier_one(
    world, kaifeng, office
):
    q1 = make_report(world.rail, kaifeng, 1, "1", Status.SUBMITTED)
    q2 = make_report(world.rail, kaifeng, 2, "1", Status.DRAFT)
    q2.submit(office)  # Q1 counts as saved: the step alone allows it.
    q1.send_back(office, "请核实")
    refused = record_many([(q1, q1.version), (q2, q2.version)], office)
    assert refusals(refused) == {
        1: [
            "1.1：该任务第1季度仍处于“已退回”状态，请先报送第1季度，再报送第2季度"
            "（本市填报员可在第1季度的季度填报中报送）。"
        ]
    }
    assert reports() == [
        (1, "kaifeng", 1, Decimal(1), Status.SUBMITTED, 1),
        (1, "kaifeng", 2, Decimal(1), Status.DRAFT, 1),
    ]


def test_two_quarters_of_one_series_are_submitted_together_earlier_first(world, kaifeng, kf):
    q1 = make_report(world.rail, kaifeng, 1, "1", Status.DRAFT)
    q2 = new_report(world.rail, kaifeng, 2, "3")
    assert record_many([(q2, None), (q1, q1.version)], kf, submit=True) == {}
    assert reports() == [
        (1, "kaifeng", 1, Decimal(1), Status.SUBMITTED, 2),
        (1, "kaifeng", 2, Decimal(3), Status.SUBMITTED, 1),
    ]
    assert list(ProgressReport.objects.values_list("ever_submitted", flat=True)) == [True, True]


# A row's save checks the row it is: never another's, never one that is gone.


def test_a_row_deleted_meanwhile_is_refused_by_its_place_and_the_others_are_not_written(
    world, kaifeng, kf
):
    gone = make_report(world.rail, kaifeng, 1, "1", Status.DRAFT)
    ProgressReport.objects.filter(pk=gone.pk).delete()
    refused = record_many(
        [(gone, gone.version), (new_report(world.industry, kaifeng, 1), None)], kf
    )
    assert refusals(refused) == {0: ["本行在您打开本页后已被删除，请重新打开本页。"]}
    assert refused[0].code == "stale"
    assert reports() == []


def test_what_a_saved_row_is_of_is_fixed_so_a_reporter_never_moves_hers_into_another_city(
    world, kaifeng, zhengzhou, kf
):
    draft = make_report(world.rail, kaifeng, 1, "1", Status.DRAFT)
    draft.city, draft.quarter = zhengzhou, 2
    with pytest.raises(ValidationError) as refused:
        record(draft, kf, seen_version=draft.version)
    assert refused.value.message_dict == {
        "city": ["这一行现在不能修改。"],
        "quarter": ["这一行现在不能修改。"],
    }
    assert reports() == [(1, "kaifeng", 1, Decimal(1), Status.DRAFT, 1)]


def test_a_row_read_before_someone_elses_save_is_refused_even_when_it_names_the_newer_version(
    world, kaifeng, kf
):
    read = make_report(world.rail, kaifeng, 1, "1", Status.DRAFT)
    theirs = ProgressReport.objects.get()
    theirs.note = "完成征迁"
    theirs.save()  # Version 2, which `read` never saw.
    read.amount = Decimal(5)
    with pytest.raises(ValidationError) as refused:
        record(read, kf, seen_version=2)
    assert refused.value.code == "stale"
    assert ProgressReport.objects.values_list("amount", "note", "version").get() == (
        Decimal(1),
        "完成征迁",
        2,
    )


# The steps a status reaches are the steps' own, whoever sets it.


def test_a_reporter_cannot_approve_her_own_draft_by_setting_its_status(world, kaifeng, kf):
    draft = make_report(world.rail, kaifeng, 1, "1", Status.DRAFT)
    draft.status = Status.APPROVED
    with pytest.raises(ValidationError) as refused:
        record(draft, kf, seen_version=draft.version)
    assert refused.value.messages == [OFFICE_ONLY]
    assert reports() == [(1, "kaifeng", 1, Decimal(1), Status.DRAFT, 1)]


def test_a_reporters_new_row_is_a_draft_of_a_plan_she_may_open(kaifeng, kf):
    draft_plan = make_plan(2023, status=Plan.Status.DRAFT)
    task = make_task(make_area(draft_plan), 1, "10", [kaifeng])
    in_draft_plan = ProgressReport(task=task, city=kaifeng, year=2023, quarter=1, amount=1)
    with pytest.raises(ValidationError) as refused:
        record(in_draft_plan, kf)
    assert refused.value.messages == [OFFICE_ONLY]
    issued = make_task(make_area(make_plan(2024)), 1, "10", [kaifeng])
    approved = ProgressReport(
        task=issued, city=kaifeng, year=2024, quarter=1, amount=1, status=Status.APPROVED
    )
    with pytest.raises(ValidationError) as refused:
        record(approved, kf)
    assert refused.value.messages == [OFFICE_ONLY]
    assert reports() == []


def test_a_row_set_to_count_without_its_step_still_waits_for_its_earlier_quarter(
    world, kaifeng, kf
):
    make_report(world.rail, kaifeng, 1, "1", Status.DRAFT)
    q2 = make_report(world.rail, kaifeng, 2, "1", Status.DRAFT)
    q2.status = Status.SUBMITTED
    with pytest.raises(ValidationError) as refused:
        record(q2, kf, seen_version=q2.version)
    assert refused.value.messages == [
        "1.1：该任务第1季度仍处于“草稿”状态，请先报送第1季度，再报送第2季度"
        "（本市填报员可在第1季度的季度填报中报送）。"
    ]
    assert reports()[1] == (1, "kaifeng", 2, Decimal(1), Status.DRAFT, 1)


def test_a_row_once_submitted_stays_so_and_its_reporter_cannot_then_delete_it(
    world, kaifeng, kf, client
):
    returned = make_report(world.rail, kaifeng, 1, "1", Status.RETURNED)
    ProgressReport.objects.filter(pk=returned.pk).update(ever_submitted=True)
    returned.refresh_from_db()
    returned.amount, returned.ever_submitted = Decimal(2), False
    record(returned, kf, seen_version=returned.version)
    assert ProgressReport.objects.values_list("status", "ever_submitted").get() == (
        Status.DRAFT,
        True,
    )
    client.force_login(kf)
    url = f"/admin/investment/progressreport/{returned.pk}/delete/"
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert ProgressReport.objects.exists()


# Guards: what held a row at a time holds for a batch.


def test_a_reporters_batch_naming_another_citys_row_writes_none_of_hers(
    world, kaifeng, zhengzhou, kf
):
    rows = [new_report(world.rail, kaifeng, 1), new_report(world.rail, zhengzhou, 1)]
    refused = record_many([(row, None) for row in rows], kf)
    assert refusals(refused) == {1: ["您不能为这个城市填报。"]}
    assert reports() == [] and history() == []


def test_a_batch_naming_a_task_the_city_takes_no_part_in_writes_none_of_its_rows(
    world, kaifeng, office
):
    rows = [new_report(world.rail, kaifeng, 1), new_report(world.policy, kaifeng, 1)]
    refused = record_many([(row, None) for row in rows], office)
    assert {index: error.message_dict for index, error in refused.items()} == {
        1: {"city": ["城市：该城市不参与这项任务。"]}
    }
    assert reports() == [] and history() == []


def test_a_unit_contact_writes_no_row(world, kaifeng):
    unit = Unit.objects.create(name="省发展改革委")
    contact = make_member("unit", UNIT_CONTACT, unit=unit)
    refused = record_many([(new_report(world.rail, kaifeng, 1), None)], contact)
    assert refusals(refused) == {0: ["您不能为这个城市填报。"]}
    assert reports() == []


def test_a_batch_over_two_plans_asks_each_plans_own_closing(world, kaifeng, kf, office):
    task_2022 = make_task(make_area(make_plan(2022)), 1, "100", [kaifeng])
    QuarterClose.close(world.plan, 1, office, "关账")
    rows = [
        new_report(world.rail, kaifeng, 1),
        ProgressReport(task=task_2022, city=kaifeng, year=2022, quarter=1, amount=2),
    ]
    refused = record_many([(row, None) for row in rows], kf)
    assert {index: error.message_dict for index, error in refused.items()} == {
        0: {"quarter": ["季度：都市圈办公室已锁定本季度。"]}
    }
    refused = record_many([(row, None) for row in rows], office)
    assert refusals(refused) == {0: ["修改原因：本季度已锁定，请说明修改的理由。"]}
    assert reports() == []
    assert record_many([(row, None) for row in rows], office, reason="补报") == {}
    records = ProgressReport.history.order_by("year").values_list("year", "history_change_reason")
    assert list(records) == [(2021, "补报"), (2022, "补报")]


# Through the quarter sheet.


def opened(client, quarter: int, city: str = "kaifeng") -> dict:
    """The sheet as the browser posts it untouched, each input's shown value beside it."""
    posted = client.get(f"{SHEET}?city={city}&quarter={quarter}").context["sheet"].posted()
    shown = ("amount", "cumulative", "note", "progress", "stage")
    initial = {f"initial-{k}": v for k, v in posted.items() if k.rsplit("-", 1)[-1] in shown}
    return {**posted, **initial}


def statuses(html: str) -> list[str]:
    return re.findall(r'<td data-label="状态">(.*?)</td>', html, re.S)


def test_a_refused_sheet_submit_shows_every_row_as_it_is_still_saved(
    world, kaifeng, kf, office, client
):
    returned = make_report(world.rail, kaifeng, 1, "1", Status.SUBMITTED)
    returned.send_back(office, "请核实金额")
    record(returned, office, seen_version=returned.version)
    client.force_login(kf)
    page = opened(client, 1)
    page["rows-0-amount"] = "2"
    page["rows-1-amount"] = "99999"  # 2.1: a slip of 万元 for 亿元, refused.
    before = (reports(), history())
    response = client.post(f"{SHEET}?quarter=1", {**page, "_submit": "1"})
    assert response.status_code == 200
    assert statuses(response.content.decode())[:2] == [
        "已退回<br><small>退回原因: 请核实金额</small>",
        "未填报",
    ]
    assert (reports(), history()) == before


def test_the_office_changes_a_submitted_row_and_adds_a_new_one_in_one_sheet_submit(
    world, kaifeng, office, client
):
    submitted = make_report(world.rail, kaifeng, 1, "1", Status.SUBMITTED)
    client.force_login(office)
    page = opened(client, 1)
    assert page["rows-0-seen_version"] == 1
    page["rows-0-amount"], page["rows-1-amount"] = "1.5", "4"
    response = client.post(f"{SHEET}?city=kaifeng&quarter=1", {**page, "_submit": "1"})
    assert response.status_code == 302
    rows = ProgressReport.objects.order_by("pk")
    assert list(rows.values_list("amount", "status", "version", "ever_submitted")) == [
        (Decimal("1.5"), Status.SUBMITTED, 2, False),
        (Decimal(4), Status.SUBMITTED, 1, True),
    ]
    assert {row.updated_by for row in rows} == {office}
    assert history() == [
        (submitted.pk, "+", Decimal(1), Status.SUBMITTED, None),
        (submitted.pk, "~", Decimal("1.5"), Status.SUBMITTED, "office"),
        (rows[1].pk, "+", Decimal(4), Status.SUBMITTED, "office"),
    ]


def test_a_sheet_save_retires_the_figures_once_it_commits_and_a_refused_one_does_not(
    world, kf, client, django_capture_on_commit_callbacks
):
    client.force_login(kf)
    page = opened(client, 1)
    page["rows-0-amount"] = "99999"
    before = generation()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"{SHEET}?quarter=1", {**page, "_save": "1"}).status_code == 200
    assert generation() == before
    page["rows-0-amount"] = "2"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"{SHEET}?quarter=1", {**page, "_save": "1"}).status_code == 302
    assert generation() != before


@pytest.fixture
def carried(world, kaifeng):
    """Two key projects of 1.1 carried over from 2020 into Kaifeng's 2021 sheet: 郑开城际 was
    在建 in 2020 Q4 (submitted), 开封港 前期 (submitted)."""
    task_2020 = make_task(make_area(make_plan(2020)), 1, "100", [kaifeng])
    carried = []
    for name, stage in (("郑开城际", Stage.CONSTRUCTION), ("开封港", Stage.PREPARATION)):
        before = make_project(task_2020, name, Project.Goal.COMPLETE, [kaifeng])
        make_update(before, kaifeng, 4, stage)
        carried.append(
            make_project(world.rail, name, Project.Goal.COMPLETE, [kaifeng], predecessor=before)
        )
    return carried


def test_each_carried_over_section_goes_on_from_its_own_last_years_stage(
    carried, kaifeng, kf, client
):
    client.force_login(kf)
    page = opened(client, 1)
    for index in (0, 1):
        page[f"projects-{index}-progress"] = "场地平整"
        page[f"projects-{index}-stage"] = Stage.PREPARATION
    response = client.post(f"{SHEET}?quarter=1", {**page, "_save": "1"})
    assert response.status_code == 200
    assert [
        (label, messages) for _anchor, label, messages in response.context["sheet"].rows_with_errors
    ] == [
        (
            "郑开城际",
            [
                "季度末阶段：该项目由 2020 年结转，当年第4季度报为“在建”，阶段不能退回“前期”。"
                "如有误，请联系都市圈办公室。"
            ],
        )
    ]
    page["projects-0-stage"] = Stage.CONSTRUCTION
    assert client.post(f"{SHEET}?quarter=1", {**page, "_save": "1"}).status_code == 302
    saved = ProjectUpdate.objects.filter(year=2021).order_by("project__name")
    assert list(saved.values_list("project__name", "stage", "status")) == [
        ("开封港", Stage.PREPARATION, Status.DRAFT),
        ("郑开城际", Stage.CONSTRUCTION, Status.DRAFT),
    ]


# Through the import.


def upload(client, content: str):
    upload = SimpleUploadedFile("开封.csv", (HEADER + content).encode())
    return client.post(IMPORT, {"format": 0, "import_file": upload})


def told(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_a_file_listing_a_later_quarter_before_its_earlier_one_submits_both(
    world, kaifeng, kf, client
):
    make_report(world.rail, kaifeng, 1, "1", Status.DRAFT)
    client.force_login(kf)
    preview = upload(client, "1.1,开封,2021,2,4,\n1.1,开封,2021,1,1.5,\n")
    assert [line.errors for line in preview.context["rows"].lines] == [[], []]
    assert client.post(CONFIRM, dict(preview.context["confirm_form"].initial)).status_code == 302
    assert reports() == [
        (1, "kaifeng", 1, Decimal("1.5"), Status.SUBMITTED, 2),
        (1, "kaifeng", 2, Decimal(4), Status.SUBMITTED, 1),
    ]


def test_a_task_the_city_left_between_preview_and_confirm_refuses_the_whole_file(
    world, kaifeng, kf, client
):
    client.force_login(kf)
    preview = upload(client, "1.1,开封,2021,1,2,\n2.1,开封,2021,1,3,\n")
    world.industry.cities.remove(kaifeng)
    response = client.post(CONFIRM, dict(preview.context["confirm_form"].initial), follow=True)
    assert told(response) == [
        "未导入任何数据：文件已不能通过检查（预览之后数据有变化），请重新上传。",
        "城市：开封不参与任务 2.1。",
    ]
    assert reports() == [] and history() == []


def test_a_quarter_closed_between_preview_and_confirm_refuses_the_reporters_whole_file(
    world, kaifeng, kf, office, client
):
    client.force_login(kf)
    preview = upload(client, "1.1,开封,2021,1,2,\n")
    QuarterClose.close(world.plan, 1, office, "关账")
    response = client.post(CONFIRM, dict(preview.context["confirm_form"].initial), follow=True)
    assert told(response) == [
        "未导入任何数据：文件已不能通过检查（预览之后数据有变化），请重新上传。",
        "季度：都市圈办公室已锁定2021年第1季度。",
    ]
    assert reports() == [] and history() == []


def test_a_second_citys_bad_row_keeps_the_first_citys_rows_and_history_out(world, office, client):
    client.force_login(office)
    preview = upload(client, "1.1,开封,2021,1,4,\n1.1,郑州,2021,1,99999,\n")
    assert [line.errors for line in preview.context["rows"].lines] == [
        [],
        [
            "99999 亿元超过任务目标（100 亿元）的十倍（上限 1000 亿元）。"
            "是否把万元当成了亿元？1 亿元 = 10000 万元。"
        ],
    ]
    assert preview.context["confirm_form"] is None
    assert reports() == [] and history() == []


# On PostgreSQL, two batches at once: the row locks and the unique index hold them apart.

postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL race")


@pytest.fixture
def race():
    from tests.investment.test_close_race import committed_world, in_thread, remove

    made = in_thread(committed_world)
    made.join()
    assert made.error is None
    yield made.result
    cleaning = in_thread(remove, made.result)
    cleaning.join()
    assert cleaning.error is None


def write_and_hold(race, pairs, written: threading.Event, release: threading.Event) -> dict:
    with transaction.atomic():
        refused = record_many(pairs(), race["reporter"])
        written.set()
        release.wait(10)
    return refused


def raced(race, first, second) -> tuple:
    """`first` written and held uncommitted while `second` starts; what each was refused."""
    from tests.investment.test_close_race import in_thread

    written, release = threading.Event(), threading.Event()
    holding = in_thread(write_and_hold, race, first, written, release)
    assert written.wait(10)
    waiting = in_thread(lambda: record_many(second(), race["reporter"]))
    time.sleep(0.5)
    assert waiting.is_alive()  # Waiting on the first batch's locks.
    release.set()
    holding.join(10), waiting.join(10)
    assert (holding.error, waiting.error) == (None, None)
    return refusals(holding.result), refusals(waiting.result)


@postgresql
def test_two_batches_adding_one_row_at_once_write_it_once_and_tell_the_second(race):
    def rows(*quarters):
        return lambda: [
            (
                ProgressReport(
                    task=race["task"], city=race["city"], year=2091, quarter=q, amount=1
                ),
                None,
            )
            for q in quarters
        ]

    assert raced(race, rows(1, 2), rows(3, 1)) == ({}, {1: [DUPLICATE]})
    found = ProgressReport.objects.filter(city=race["city"]).order_by("quarter")
    assert list(found.values_list("quarter", flat=True)) == [1, 2]
    assert ProgressReport.history.filter(city_id=race["city"].pk).count() == 2


@postgresql
def test_a_batch_over_a_row_another_batch_holds_waits_and_is_refused_as_stale(race):
    from tests.investment.test_close_race import in_thread

    made = in_thread(
        lambda: record(
            ProgressReport(task=race["task"], city=race["city"], year=2091, quarter=1, amount=1),
            race["reporter"],
        )
    )
    made.join()

    def changed(amount):
        def pairs():
            row = ProgressReport.objects.get(city=race["city"])
            row.amount = Decimal(amount)
            return [(row, 1)]

        return pairs

    held, waited = raced(race, changed(2), changed(3))
    assert held == {}
    assert list(waited) == [0] and "在您编辑期间修改了这条填报" in waited[0][0]
    assert ProgressReport.objects.values_list("amount", "version").get(city=race["city"]) == (
        Decimal(2),
        2,
    )
