"""The 季度填报 screen: a city's whole quarter, saved as one or not at all."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from investment.models import ProgressReport
from people.models import Reporter
from people.roles import OFFICE, REPORTER
from tests.builders import make_allocation, make_area, make_plan, make_report, make_task

Status = ProgressReport.Status
SHEET = "/admin/investment/progressreport/quarter/"


@pytest.fixture
def tasks(zhengzhou, kaifeng, xuchang):
    """Three tasks of 100 亿元; Kaifeng takes part in the first two, with 40 allocated to each."""
    area = make_area(make_plan())
    first = make_task(area, 1, "100", [zhengzhou, kaifeng], title="轨道")
    second = make_task(area, 2, "100", [kaifeng], title="水网")
    make_task(area, 3, "100", [zhengzhou, xuchang], title="高速")
    make_allocation(first, kaifeng, "40")
    make_allocation(second, kaifeng, "40")
    return first, second


@pytest.fixture
def kaifeng_client(client, django_user_model, kaifeng):
    user = django_user_model.objects.create_user("kf", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=REPORTER))
    Reporter.objects.create(user=user, city=kaifeng)
    client.force_login(user)
    return client


def initials(posted: dict) -> dict:
    """What the page shows beside each input: its value as the page was opened."""
    return {
        f"initial-{key}": value
        for key, value in posted.items()
        if key.rsplit("-", 1)[-1] in ("amount", "cumulative", "note")
    }


def sheet_data(tasks, rows: list[dict], **extra) -> dict:
    """The sheet as the browser posts it: one row per task, in the order drawn."""
    data = {"rows-TOTAL_FORMS": len(rows), "rows-INITIAL_FORMS": 0}
    for index, (task, row) in enumerate(zip(tasks, rows, strict=True)):
        data[f"rows-{index}-task"] = task.pk
        for key, value in row.items():
            data[f"rows-{index}-{key}"] = value
    return {**data, **extra}


def test_the_sheet_lists_every_task_of_the_city_with_allocation_and_cumulative(
    kaifeng_client, tasks, kaifeng
):
    first, _second = tasks
    make_report(first, kaifeng, 1, "7.25", Status.APPROVED)
    html = kaifeng_client.get(f"{SHEET}?quarter=2").content.decode()
    assert "季度填报：开封" in html
    assert "轨道" in html and "水网" in html
    assert "高速" not in html
    assert '<td class="num" data-label="分配金额(亿元)">40</td>' in html
    assert '<td class="num" data-label="此前各季度(亿元)">7.25</td>' in html


def test_the_sheet_offers_the_same_quarter_as_an_excel_template(kaifeng_client, tasks):
    html = kaifeng_client.get(f"{SHEET}?quarter=2").content.decode()
    assert '<a href="/2021/template.xlsx?city=kaifeng&amp;quarter=2">下载本季度填报模板</a>' in html
    assert '<a href="/admin/investment/progressreport/import/">导入</a>' in html


def test_a_whole_quarter_is_saved_from_amounts_or_year_to_date_totals(
    kaifeng_client, tasks, kaifeng
):
    first, second = tasks
    make_report(first, kaifeng, 1, "7.25", Status.APPROVED)
    response = kaifeng_client.post(
        f"{SHEET}?quarter=2",
        sheet_data(
            tasks,
            [
                {"amount": "", "cumulative": "10", "note": "1-6月累计"},
                {"amount": "２．５", "cumulative": "", "note": "开工"},
            ],
            _save="1",
        ),
    )
    assert response.status_code == 302
    saved = {
        r.task: (r.amount, r.note, r.status, r.created_by.username)
        for r in ProgressReport.objects.filter(quarter=2)
    }
    assert saved == {
        first: (Decimal("2.75"), "1-6月累计", Status.DRAFT, "kf"),
        second: (Decimal("2.5"), "开工", Status.DRAFT, "kf"),
    }
    html = kaifeng_client.get(f"{SHEET}?quarter=2").content.decode()
    assert 'value="2.7500"' in html and 'value="10.0000"' in html


def test_one_bad_row_saves_nothing_and_says_which(kaifeng_client, tasks, kaifeng):
    first, _second = tasks
    make_report(first, kaifeng, 1, "7.25", Status.APPROVED)
    response = kaifeng_client.post(
        f"{SHEET}?quarter=2",
        sheet_data(
            tasks,
            [
                {"amount": "", "cumulative": "5", "note": ""},
                {"amount": "3", "cumulative": "", "note": ""},
            ],
            _save="1",
        ),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "累计：5 亿元小于此前各季度已填报的 7.25 亿元。" in html
    assert not ProgressReport.objects.filter(quarter=2).exists()


def test_wan_yuan_typed_as_yi_yuan_is_caught(kaifeng_client, tasks):
    response = kaifeng_client.post(
        f"{SHEET}?quarter=1",
        sheet_data(tasks, [{"amount": "12000", "note": ""}, {"amount": "", "note": ""}], _save="1"),
    )
    assert "是否把万元当成了亿元" in response.content.decode()
    assert not ProgressReport.objects.exists()


def test_submitting_the_sheet_submits_every_draft_of_the_quarter(kaifeng_client, tasks, kaifeng):
    _first, second = tasks
    draft = make_report(second, kaifeng, 1, "1", Status.DRAFT)
    untouched = {"amount": "1", "cumulative": "1", "note": "", "seen_version": draft.version}
    kaifeng_client.post(
        f"{SHEET}?quarter=1",
        sheet_data(tasks, [{"amount": "2", "note": ""}, untouched], _submit="1"),
    )
    assert sorted(ProgressReport.objects.values_list("amount", "status")) == [
        (Decimal("1"), Status.SUBMITTED),
        (Decimal("2"), Status.SUBMITTED),
    ]


def test_submitted_rows_are_locked_for_the_reporter(kaifeng_client, tasks, kaifeng):
    first, _second = tasks
    submitted = make_report(first, kaifeng, 1, "2", Status.SUBMITTED)
    kaifeng_client.post(
        f"{SHEET}?quarter=1",
        sheet_data(tasks, [{"amount": "9", "note": "改"}, {"amount": "", "note": ""}], _save="1"),
    )
    submitted.refresh_from_db()
    assert (submitted.amount, submitted.note) == (Decimal("2"), "")


def test_a_sheet_saved_over_a_newer_save_is_refused(kaifeng_client, tasks, kaifeng):
    first, _second = tasks
    report = make_report(first, kaifeng, 1, "2", Status.DRAFT)
    seen = report.version
    report.amount = Decimal("3")
    report.save()  # Someone else saved meanwhile.
    response = kaifeng_client.post(
        f"{SHEET}?quarter=1",
        sheet_data(
            tasks,
            [{"amount": "4", "note": "", "seen_version": seen}, {"amount": "", "note": ""}],
            _save="1",
        ),
    )
    html = response.content.decode()
    assert "在您打开本页后修改了这条填报" in html and "现为3 亿元" in html
    assert 'name="rows-0-amount" value="4"' in html  # What was typed is kept.
    report.refresh_from_db()
    assert report.amount == Decimal("3")
    # Saved again from the page as it came back, what was typed is kept on purpose.
    again = response.context["sheet"].data
    kaifeng_client.post(f"{SHEET}?quarter=1", again)
    report.refresh_from_db()
    assert report.amount == Decimal("4")


def test_the_second_save_after_a_clash_keeps_what_was_typed_and_nothing_older(
    kaifeng_client, tasks, kaifeng
):
    first, _second = tasks
    report = make_report(first, kaifeng, 1, "2", Status.DRAFT)
    report.note = "旧说明"
    report.save()
    page = kaifeng_client.get(f"{SHEET}?quarter=1").context["sheet"].posted()
    page = {**page, **initials(page)}
    report.note = "新说明"
    report.save()  # The other tab changed the note.
    page["rows-0-amount"] = "5"  # This tab changes only the amount.
    clash = kaifeng_client.post(f"{SHEET}?quarter=1", {**page, "_save": "1"})
    assert "在您打开本页后修改了这条填报" in clash.content.decode()
    kaifeng_client.post(f"{SHEET}?quarter=1", clash.context["sheet"].data)
    report.refresh_from_db()
    assert (report.amount, report.note) == (Decimal(5), "新说明")


def test_a_clash_on_a_row_the_page_saw_empty_comes_back_as_it_is_now_and_saves_again(
    kaifeng_client, tasks, kaifeng
):
    first, _second = tasks
    page = kaifeng_client.get(f"{SHEET}?quarter=1").context["sheet"].posted()
    page = {**page, **initials(page)}
    make_report(first, kaifeng, 1, "2", Status.DRAFT)  # Saved meanwhile.
    page["rows-0-amount"] = "5"
    clash = kaifeng_client.post(f"{SHEET}?quarter=1", {**page, "_save": "1"})
    data = clash.context["sheet"].data
    assert (data["rows-0-amount"], data["initial-rows-0-amount"]) == ("5", "2.0000")
    assert (data["rows-0-cumulative"], data["initial-rows-0-cumulative"]) == ("2.0000", "2.0000")
    kaifeng_client.post(f"{SHEET}?quarter=1", data)
    assert ProgressReport.objects.get(task=first).amount == Decimal(5)


def test_a_row_changed_in_another_tab_is_not_overwritten_by_a_tab_that_left_it_alone(
    kaifeng_client, tasks, kaifeng
):
    first, second = tasks
    report = make_report(first, kaifeng, 1, "2", Status.DRAFT)
    page = kaifeng_client.get(f"{SHEET}?quarter=1").context["sheet"].posted()
    page = {**page, **initials(page)}
    report.amount = Decimal("3")
    report.save()  # The other tab saved 1.1 meanwhile.
    page["rows-1-amount"] = "6"  # This tab typed only 1.2.
    response = kaifeng_client.post(f"{SHEET}?quarter=1", {**page, "_save": "1"}, follow=True)
    assert "已保存 1 行。" in response.content.decode()
    report.refresh_from_db()
    assert report.amount == Decimal("3")
    assert ProgressReport.objects.get(task=second).amount == Decimal("6")


def test_city_reporter_cannot_open_other_citys_sheet(kaifeng_client, tasks):
    assert kaifeng_client.get(f"{SHEET}?city=zhengzhou").status_code == 404


@pytest.mark.parametrize("quarter", ["0", "5", "x"])
def test_a_quarter_outside_one_to_four_is_404(kaifeng_client, tasks, quarter):
    assert kaifeng_client.get(f"{SHEET}?quarter={quarter}").status_code == 404


def test_office_picks_the_city(client, django_user_model, tasks):
    user = django_user_model.objects.create_user("office", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=OFFICE))
    client.force_login(user)
    html = client.get(f"{SHEET}?city=xuchang").content.decode()
    assert "季度填报：许昌" in html
    assert "高速" in html


def test_sheet_queries_do_not_grow_with_tasks(kaifeng_client, tasks, kaifeng):
    kaifeng_client.get(SHEET)
    with CaptureQueriesContext(connection) as small:
        kaifeng_client.get(SHEET)
    area = tasks[0].area
    for number in range(4, 24):
        task = make_task(area, number, "10", [kaifeng])
        make_report(task, kaifeng, 1, "1", Status.DRAFT)
    with CaptureQueriesContext(connection) as large:
        kaifeng_client.get(SHEET)
    assert len(large) == len(small)


def test_a_cumulative_past_150_percent_of_the_allocation_is_saved_with_a_warning(
    kaifeng_client, tasks, kaifeng
):
    first, _second = tasks
    make_report(first, kaifeng, 1, "50", Status.APPROVED)
    response = kaifeng_client.post(
        f"{SHEET}?quarter=2",
        sheet_data(tasks, [{"amount": "11", "note": ""}, {"amount": "", "note": ""}], _save="1"),
        follow=True,
    )
    assert (
        "1.1 开封：累计 61 亿元，超过分配金额 40 亿元的 150%，请核实。" in response.content.decode()
    )
    assert ProgressReport.objects.get(quarter=2).amount == Decimal("11")


def test_changing_one_figure_of_a_saved_row_derives_the_other(kaifeng_client, tasks, kaifeng):
    first, _second = tasks
    make_report(first, kaifeng, 1, "7.25", Status.APPROVED)
    report = make_report(first, kaifeng, 2, "2", Status.DRAFT)
    posted = [
        {"amount": "3", "cumulative": "9.25", "note": "", "seen_version": report.version},
        {"amount": "", "cumulative": "", "note": ""},
    ]
    response = kaifeng_client.post(f"{SHEET}?quarter=2", sheet_data(tasks, posted, _save="1"))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.amount == Decimal("3")
    posted[0] = {"amount": "3", "cumulative": "12", "note": "", "seen_version": report.version}
    kaifeng_client.post(f"{SHEET}?quarter=2", sheet_data(tasks, posted, _save="1"))
    report.refresh_from_db()
    assert report.amount == Decimal("4.75")


def test_a_row_saved_by_someone_else_after_opening_an_empty_sheet_is_not_overwritten(
    kaifeng_client, tasks, kaifeng
):
    first, _second = tasks
    opened_empty = sheet_data(
        tasks, [{"amount": "3", "note": ""}, {"amount": "", "note": ""}], _save="1"
    )
    make_report(first, kaifeng, 1, "5", Status.DRAFT)  # The office saved 5 meanwhile.
    response = kaifeng_client.post(f"{SHEET}?quarter=1", opened_empty)
    assert "在您打开本页后修改了这条填报" in response.content.decode()
    assert ProgressReport.objects.get().amount == Decimal("5")


def test_rows_posted_for_other_tasks_than_drawn_save_nothing(kaifeng_client, tasks):
    first, second = tasks
    swapped = sheet_data(
        [second, first], [{"amount": "2", "note": ""}, {"amount": "", "note": ""}], _save="1"
    )
    response = kaifeng_client.post(f"{SHEET}?quarter=1", swapped)
    assert "本市的任务在打开本页后有变化，请重新打开。" in response.content.decode()
    assert not ProgressReport.objects.exists()


def test_a_closed_quarter_cannot_be_submitted_from_the_sheet(kaifeng_client, tasks, kaifeng):
    from django.contrib.auth import get_user_model

    from investment.models import QuarterClose

    first, _second = tasks
    draft = make_report(first, kaifeng, 1, "2", Status.DRAFT)
    office = get_user_model().objects.create_user("o")
    QuarterClose.objects.create(plan=first.area.plan, quarter=1, closed_by=office)
    kaifeng_client.post(
        f"{SHEET}?quarter=1",
        sheet_data(tasks, [{"amount": "", "note": ""}, {"amount": "", "note": ""}], _submit="1"),
    )
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_a_reporter_not_bound_to_a_city_gets_no_sheet(client, django_user_model, tasks):
    user = django_user_model.objects.create_user("unbound", is_staff=True)
    user.groups.add(Group.objects.get(name=REPORTER))
    client.force_login(user)
    assert client.get(f"{SHEET}?city=zhengzhou").status_code == 403
    assert client.get("/admin/investment/progressreport/").status_code == 200
    assert not ProgressReport.objects.exists()


@pytest.mark.parametrize("query", ["year=abc", "year=1999", "city=luoyang"])
def test_unknown_sheet_parameters_are_404(client, django_user_model, tasks, query):
    user = django_user_model.objects.create_user("office", is_staff=True)
    user.groups.add(Group.objects.get(name=OFFICE))
    client.force_login(user)
    assert client.get(f"{SHEET}?{query}").status_code == 404


def test_a_task_without_a_money_target_is_reported_with_a_note_alone(
    kaifeng_client, kaifeng, zhengzhou
):
    area = make_area(make_plan())
    policy = make_task(area, 1, None, [kaifeng], title="政策")
    html = kaifeng_client.get(f"{SHEET}?quarter=2").content.decode()
    assert "无资金目标：本任务每季度须填写进展情况。" in html
    data = sheet_data([policy], [{"note": "印发实施方案"}], _submit="1")
    assert kaifeng_client.post(f"{SHEET}?quarter=2", data).status_code == 302
    report = ProgressReport.objects.get()
    assert (report.amount, report.note, report.status) == (Decimal(0), "印发实施方案", "submitted")


def report_state() -> list:
    """The reports and their history, to show a refused save changed neither."""
    return [
        list(ProgressReport.objects.order_by("pk").values_list("amount", "status", "version")),
        ProgressReport.history.count(),
    ]


def test_earlier_quarters_count_submitted_and_approved_and_name_the_unsubmitted_ones(
    kaifeng_client, tasks, kaifeng
):
    first, _second = tasks
    make_report(first, kaifeng, 1, "4.5", Status.DRAFT)
    make_report(first, kaifeng, 2, "8.96", Status.SUBMITTED)
    html = kaifeng_client.get(f"{SHEET}?quarter=3").content.decode()
    assert 'data-before="8.9600"' in html
    assert (
        '<td class="num" data-label="此前各季度(亿元)">8.96<br><small class="unsubmitted">'
        "未计入未报送的第1季度（4.5 亿元）。</small></td>"
    ) in html


def test_the_sheets_earlier_quarters_agree_with_the_dashboard_on_the_sample_world(sample_world):
    from figures.rollups import Figures
    from investment.quarter import quarter_tasks
    from plan.models import City

    kaifeng = City.objects.get(slug="kaifeng")
    for quarter in (2, 3, 4):
        sheet = {
            row.task.code: row.cumulative_before
            for row in quarter_tasks(sample_world, kaifeng, quarter)
        }
        pages = Figures(sample_world, quarter - 1).tasks(city=kaifeng)
        assert sheet == {row.task.code: row.progress.completed for row in pages}, quarter


def test_submitting_a_quarter_while_an_earlier_one_is_a_draft_is_refused(
    kaifeng_client, tasks, kaifeng
):
    first, _second = tasks
    make_report(first, kaifeng, 1, "4.5", Status.DRAFT)
    before = report_state()
    response = kaifeng_client.post(
        f"{SHEET}?quarter=2",
        sheet_data(tasks, [{"amount": "2", "note": ""}, {"amount": "", "note": ""}], _submit="1"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "1.1：该任务第1季度仍处于“草稿”状态，请先报送第1季度，再报送第2季度"
        "（本市填报员可在第1季度的季度填报中报送）。"
    ) in html
    assert report_state() == before


def test_submitting_in_order_submits_the_later_quarter(kaifeng_client, tasks, kaifeng):
    first, _second = tasks
    make_report(first, kaifeng, 1, "4.5", Status.SUBMITTED)
    kaifeng_client.post(
        f"{SHEET}?quarter=2",
        sheet_data(tasks, [{"amount": "2", "note": ""}, {"amount": "", "note": ""}], _submit="1"),
    )
    assert ProgressReport.objects.get(quarter=2).status == Status.SUBMITTED


def test_every_rows_errors_show_at_once_with_a_summary_at_the_top(kaifeng_client, tasks):
    response = kaifeng_client.post(
        f"{SHEET}?quarter=1",
        sheet_data(
            tasks, [{"amount": "12000", "note": ""}, {"amount": "abc", "note": ""}], _save="1"
        ),
    )
    html = response.content.decode()
    summary = html[
        html.index('<div class="sheet-errors"') : html.index(
            "</div>", html.index('<div class="sheet-errors"')
        )
    ]
    assert "未保存任何内容：2 行需要更正。" in summary
    assert 'href="#row-1.1">1.1 轨道</a>' in summary and "是否把万元当成了亿元" in summary
    assert 'href="#row-1.2">1.2 水网</a>' in summary
    assert not ProgressReport.objects.exists()


def test_submitting_says_submitted_and_saving_says_saved(kaifeng_client, tasks):
    rows = [{"amount": "2", "note": ""}, {"amount": "", "note": ""}]
    response = kaifeng_client.post(
        f"{SHEET}?quarter=1", sheet_data(tasks, rows, _save="1"), follow=True
    )
    assert "已保存 1 行。" in response.content.decode()
    saved = ProgressReport.objects.get()
    rows[0]["seen_version"] = saved.version
    response = kaifeng_client.post(
        f"{SHEET}?quarter=1", sheet_data(tasks, rows, _submit="1"), follow=True
    )
    assert "已报送 1 行。" in response.content.decode()


def test_the_sheet_opens_at_the_open_quarter(kaifeng_client, tasks, office):
    from investment.models import QuarterClose

    plan = tasks[0].area.plan
    html = kaifeng_client.get(SHEET).content.decode()
    assert '<option value="4" selected>' in html  # 2021 has ended and nothing is closed.
    for quarter in (1, 4):
        QuarterClose.objects.create(plan=plan, quarter=quarter, closed_by=office)
    assert '<option value="2" selected>' in kaifeng_client.get(SHEET).content.decode()


def test_every_input_of_the_sheet_names_its_task_and_column(kaifeng_client, tasks):
    html = kaifeng_client.get(f"{SHEET}?quarter=1").content.decode()
    assert 'aria-label="1.1 轨道: 本季度完成(亿元)"' in html
    assert 'aria-label="1.2 水网: 进展情况"' in html


# Forty rows take the entry path at once (workflow.record_many): the queries of a save are
# those of its tables, not of its rows.


@pytest.fixture
def forty(kaifeng):
    """Forty tasks of 100 亿元 in Kaifeng, 40 allocated to each."""
    area = make_area(make_plan(areas=1, tasks=40))
    tasks = [make_task(area, number, "100", [kaifeng]) for number in range(1, 41)]
    for task in tasks:
        make_allocation(task, kaifeng, "40")
    return tasks


def typed(client, quarter: int, rows: int, amount: str = "2") -> dict:
    """The quarter's page as it was opened, with `amount` typed into its first `rows` rows."""
    page = client.get(f"{SHEET}?quarter={quarter}").context["sheet"].posted()
    page = {**page, **initials(page)}
    for index in range(rows):
        page[f"rows-{index}-amount"] = amount
        page[f"rows-{index}-note"] = "开工"
    return page


def queries_to_post(client, quarter: int, data: dict) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.post(f"{SHEET}?quarter={quarter}", data)
    assert response.status_code == 302, response.content.decode()
    return len(captured)


# PostgreSQL's takes one more: the plan's lock against a close (SQLite's BEGIN holds it).
SAVE_QUERIES = {"sqlite": 31, "postgresql": 32}
SUBMIT_QUERIES = {"sqlite": 33, "postgresql": 34}


def test_saving_ten_new_rows_or_forty_takes_the_same_queries(kaifeng_client, forty):
    ten = queries_to_post(kaifeng_client, 1, {**typed(kaifeng_client, 1, 10), "_save": "1"})
    all_forty = queries_to_post(kaifeng_client, 2, {**typed(kaifeng_client, 2, 40), "_save": "1"})
    assert ten == all_forty == SAVE_QUERIES[connection.vendor]
    assert ProgressReport.objects.filter(status=Status.DRAFT).count() == 50
    assert ProgressReport.history.filter(history_type="+").count() == 50


def test_changing_and_submitting_ten_drafts_or_forty_takes_the_same_queries(
    kaifeng_client, forty, kaifeng
):
    for task in forty[:10]:
        make_report(task, kaifeng, 1, "1", Status.DRAFT)
    for task in forty:
        make_report(task, kaifeng, 2, "1", Status.DRAFT)
    ten = queries_to_post(kaifeng_client, 1, {**typed(kaifeng_client, 1, 10, "3"), "_submit": "1"})
    all_forty = queries_to_post(
        kaifeng_client, 2, {**typed(kaifeng_client, 2, 40, "3"), "_submit": "1"}
    )
    assert ten == all_forty == SUBMIT_QUERIES[connection.vendor]
    submitted = ProgressReport.objects.filter(status=Status.SUBMITTED, amount=3, version=2)
    assert submitted.count() == 50
    changes = ProgressReport.history.filter(history_type="~", status=Status.SUBMITTED)
    assert changes.count() == 50


def test_a_row_changed_meanwhile_among_forty_keeps_what_was_typed_and_nothing_is_saved(
    kaifeng_client, forty, kaifeng
):
    drafts = [make_report(task, kaifeng, 1, "1", Status.DRAFT) for task in forty]
    page = typed(kaifeng_client, 1, 40, "3")
    drafts[7].amount = Decimal("5")
    drafts[7].save()  # Saved in another tab meanwhile.
    before = list(ProgressReport.objects.values_list("pk", "amount", "version"))
    history = ProgressReport.history.count()
    response = kaifeng_client.post(f"{SHEET}?quarter=1", {**page, "_save": "1"})
    assert response.status_code == 200
    sheet = response.context["sheet"]
    [(anchor, _label, messages)] = sheet.rows_with_errors
    assert anchor == "row-1.8"
    assert "在您打开本页后修改了这条填报" in messages[0] and "现为5 亿元" in messages[0]
    assert sheet.data["rows-7-amount"] == "3"  # What was typed is kept.
    assert list(ProgressReport.objects.values_list("pk", "amount", "version")) == before
    assert ProgressReport.history.count() == history
