"""A catalogue of bad input to a quarterly report: each gets a clear Chinese message and
changes nothing. What clerks routinely type (full-width digits, spaces) is not an error."""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth.models import Group

from investment.models import ProgressReport
from investment.workflow import Batch
from people.models import Reporter
from people.roles import REPORTER
from tests.builders import make_allocation, make_area, make_plan, make_report, make_task

ADD = "/admin/investment/progressreport/add/"
SHEET = "/admin/investment/progressreport/quarter/?quarter=2"


@pytest.fixture
def world(client, django_user_model, zhengzhou, kaifeng, xuchang):
    """Task 1.1 of 100 亿元 in Zhengzhou and Kaifeng (40 allocated), one Q1 report of 7.25."""
    task = make_task(make_area(make_plan()), 1, "100", [zhengzhou, kaifeng])
    make_allocation(task, kaifeng, "40")
    existing = make_report(task, kaifeng, 1, "7.25", ProgressReport.Status.APPROVED)
    user = django_user_model.objects.create_user("kf", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=REPORTER))
    Reporter.objects.create(user=user, city=kaifeng)
    client.force_login(user)
    return {"client": client, "task": task, "kaifeng": kaifeng, "existing": existing}


def snapshot():
    return list(ProgressReport.objects.order_by("pk").values())


AMOUNT = "本季度完成投资(亿元)"

ADMIN_CASES = [
    ({"amount": ""}, f"{AMOUNT}：请填写。"),
    ({"amount": "   "}, f"{AMOUNT}：请填写。"),
    ({"amount": "-1"}, f"{AMOUNT}不能为负数。"),
    ({"amount": "-0.0001"}, f"{AMOUNT}不能为负数。"),
    ({"amount": "abc"}, f"{AMOUNT}必须是数字。"),
    ({"amount": "12,5"}, f"{AMOUNT}：请用小数点，不要用逗号（“12,5”）。"),
    ({"amount": "1.75万"}, f"{AMOUNT}：金额以亿元填写，1.75 万元 = 0.000175 亿元。"),
    ({"amount": "NaN"}, f"{AMOUNT}必须是数字。"),
    ({"amount": "Infinity"}, f"{AMOUNT}必须是数字。"),
    ({"amount": "-Infinity"}, f"{AMOUNT}必须是数字。"),
    ({"amount": "1e309"}, f"{AMOUNT}数值过大。"),
    ({"amount": "123456789"}, f"{AMOUNT}数值过大。"),
    ({"amount": "1.00001"}, f"{AMOUNT}最多保留 4 位小数（精确到万元）。"),
    ({"amount": "12000"}, "是否把万元当成了亿元"),
    ({"amount": "1e4"}, "是否把万元当成了亿元"),
    ({"quarter": "0"}, "季度必须是 1 到 4。"),
    ({"quarter": "5"}, "季度必须是 1 到 4。"),
    ({"quarter": "一"}, "输入整数。"),
    ({"year": "2022"}, "年度必须是工作要点的年度 2021。"),
    ({"task": "99999"}, "选择一个有效的选项"),
    ({"city": "99999"}, "选择一个有效的选项"),
    ({"quarter": "1"}, "该城市本季度已填报过这项任务，不能重复填报。"),
    ({"note": "很" * 2001}, "进展情况最多 2000 字。"),
]


@pytest.mark.parametrize(("changes", "message"), ADMIN_CASES)
def test_bad_report_in_the_admin_is_refused_and_changes_nothing(world, changes, message):
    before = snapshot()
    data = {
        "task": world["task"].pk,
        "city": world["kaifeng"].pk,
        "year": "2021",
        "quarter": "2",
        "amount": "3",
        "note": "",
        **changes,
    }
    response = world["client"].post(ADD, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert snapshot() == before


def test_a_city_outside_the_task_is_refused(world, xuchang):
    before = snapshot()
    task = world["task"]
    response = world["client"].post(
        ADD, {"task": task.pk, "city": xuchang.pk, "year": 2021, "quarter": 2, "amount": "1"}
    )
    assert "选择一个有效的选项" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(
    "amount", ["１２．５", " 12.5 ", "\u300012.5\u3000", "12.50", "+12.5"], ids=repr
)
def test_full_width_digits_and_spaces_are_not_errors(world, amount):
    response = world["client"].post(
        ADD,
        {
            "task": world["task"].pk,
            "city": world["kaifeng"].pk,
            "year": 2021,
            "quarter": 2,
            "amount": amount,
        },
    )
    assert response.status_code == 302
    assert ProgressReport.objects.get(quarter=2).amount == Decimal("12.5")


def test_html_in_a_note_is_kept_as_text_and_shown_escaped(world):
    world["client"].post(
        ADD,
        {
            "task": world["task"].pk,
            "city": world["kaifeng"].pk,
            "year": 2021,
            "quarter": 2,
            "amount": "1",
            "note": "<script>alert(1)</script>",
        },
    )
    report = ProgressReport.objects.get(quarter=2)
    assert report.note == "<script>alert(1)</script>"
    html = world["client"].get("/admin/investment/progressreport/quarter/?quarter=2").content
    assert b"<script>alert(1)</script>" not in html
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in html


SHEET_CASES = [
    ({"cumulative": "5"}, "累计：5 亿元小于此前各季度已填报的 7.25 亿元。"),
    (
        {"amount": "1", "cumulative": "9"},
        "累计：本季度 1 加此前 7.25 不等于 9 亿元。请只填其中一项。",
    ),
    ({"amount": "-2"}, "本季度完成(亿元)不能为负数。"),
    ({"cumulative": "-2"}, "累计(亿元)不能为负数。"),
    ({"amount": "abc"}, "本季度完成(亿元)必须是数字。"),
    ({"note": "只写了说明"}, "本季度完成：请填写与进展情况对应的金额。"),
    ({"cumulative": "1000"}, "是否把万元当成了亿元"),
    ({"amount": "1", "note": "很" * 2001}, "进展情况最多 2000 字。"),
]


@pytest.mark.parametrize(("row", "message"), SHEET_CASES)
def test_bad_row_on_the_quarter_sheet_is_refused_and_changes_nothing(world, row, message):
    before = snapshot()
    data = {
        "rows-TOTAL_FORMS": 1,
        "rows-INITIAL_FORMS": 0,
        "rows-0-task": world["task"].pk,
        "_save": "1",
    }
    data.update({f"rows-0-{key}": value for key, value in row.items()})
    response = world["client"].post(SHEET, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert snapshot() == before


CONTROL = "进展情况含有控制字符（例如 Word 中 Shift+Enter 粘贴的换行符），请删除后重新保存。"
TWENTY_PLACES = "1." + "0" * 19 + "1"

MORE_ADMIN_CASES = [
    ({"note": "第一行\x0b第二行"}, CONTROL),
    ({"note": "响铃\x07"}, CONTROL),
    ({"amount": TWENTY_PLACES}, f"{AMOUNT}最多保留 4 位小数（精确到万元）。"),
    ({"amount": "1e-5"}, f"{AMOUNT}最多保留 4 位小数（精确到万元）。"),
]


@pytest.mark.parametrize(("changes", "message"), MORE_ADMIN_CASES)
def test_more_bad_reports_in_the_admin_are_refused_and_change_nothing(world, changes, message):
    test_bad_report_in_the_admin_is_refused_and_changes_nothing(world, changes, message)


def test_tabs_and_line_breaks_in_a_note_are_kept(world):
    response = world["client"].post(
        ADD,
        {
            "task": world["task"].pk,
            "city": world["kaifeng"].pk,
            "year": 2021,
            "quarter": 2,
            "amount": "1",
            "note": "一\t二\r\n三",
        },
    )
    assert response.status_code == 302
    assert ProgressReport.objects.get(quarter=2).note == "一\t二\r\n三"


MORE_SHEET_CASES = [
    ({"amount": "1", "note": "第一行\x0b第二行"}, CONTROL),
    ({"amount": "NaN"}, "本季度完成(亿元)必须是数字。"),
    ({"amount": "Infinity"}, "本季度完成(亿元)必须是数字。"),
    ({"cumulative": "-Infinity"}, "累计(亿元)必须是数字。"),
    ({"amount": "1e309"}, "本季度完成(亿元)数值过大。"),
    ({"cumulative": "123456789"}, "累计(亿元)数值过大。"),
    ({"amount": TWENTY_PLACES}, "本季度完成(亿元)最多保留 4 位小数（精确到万元）。"),
]


@pytest.mark.parametrize(("row", "message"), MORE_SHEET_CASES)
def test_more_bad_rows_on_the_quarter_sheet_are_refused_and_change_nothing(world, row, message):
    test_bad_row_on_the_quarter_sheet_is_refused_and_changes_nothing(world, row, message)


def history() -> tuple:
    return snapshot(), ProgressReport.history.count()


def test_an_amount_above_the_plans_largest_target_is_refused_where_a_task_has_none(
    world, zhengzhou, office, client
):
    # Task 1.2 has neither target nor allocation; the plan's largest target is 1.1's 100.
    bare = make_task(world["task"].area, 2, None, [zhengzhou], title="政策")
    client.force_login(office)
    before = history()
    data = {"task": bare.pk, "city": zhengzhou.pk, "year": 2021, "quarter": 2}
    page = client.post(ADD, {**data, "amount": "100.0001"}).content.decode()
    assert (
        "本季度完成投资(亿元)：100.0001 亿元超过了工作要点中最大的任务目标（100 亿元），"
        "而该任务既无目标也无分配金额可供比较。是否把万元当成了亿元？1 亿元 = 10000 万元。"
    ) in page
    assert history() == before
    assert client.post(ADD, {**data, "amount": "100"}).status_code == 302


@pytest.mark.parametrize("stored", ["第一行\x0b第二行\x07", "第一行\ufffe第二行\uffff"])
def test_a_stored_note_with_a_control_character_never_breaks_an_export(
    world, office, client, stored
):
    # Stored before entry refused it (PostgreSQL cannot store a NUL at all).
    ProgressReport.objects.filter(pk=world["existing"].pk).update(note=stored)
    client.force_login(office)
    for url in ["/2021/export.xlsx", "/2021/tasks/1.1/export.xlsx", "/2021/reports.csv"]:
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content)
        assert "第一行第二行".encode() in body or url.endswith(".xlsx"), url
    book = openpyxl.load_workbook(io.BytesIO(b"".join(client.get("/2021/export.xlsx"))))
    notes = [cell for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row]
    assert "第一行第二行" in notes


@pytest.mark.parametrize(
    "url",
    [
        "/2021/?as_of=%00",
        "/2021/?as_of=2021Q%00",
        "/2021/template.xlsx?city=%00&quarter=2",
        "/2021/template.xlsx?city=kaifeng&quarter=%00",
        "/2021/template.xlsx?city=kaifeng%00&quarter=2",
        "/admin/investment/progressreport/quarter/?city=%00",
        "/admin/investment/progressreport/quarter/?quarter=%00",
        "/admin/investment/progressreport/quarter/?year=%00",
        "/admin/investment/progressreport/quarter/?year=%C2%B2",
        "/admin/investment/progressreport/quarter/?year=20210",
    ],
)
def test_a_bad_or_nul_query_parameter_is_404(world, office, client, url):
    client.force_login(office)
    assert client.get(url).status_code == 404


@pytest.fixture
def racing(monkeypatch, world):
    """Another save of the same Q2 report lands between the checks and the insert: the checks
    see no duplicate, the insert meets the unique constraint. (The other save happens inside
    this request's transaction here, so the rollback takes it too.)"""
    write = Batch.write

    def the_other_save_then_the_write(self):
        if not ProgressReport.objects.filter(quarter=2).exists():
            make_report(world["task"], world["kaifeng"], 2, "9", ProgressReport.Status.DRAFT)
        return write(self)

    monkeypatch.setattr(Batch, "write", the_other_save_then_the_write)


DUPLICATE = "该城市本季度已填报过这项任务，不能重复填报。"


def test_two_saves_at_once_in_the_admin_give_the_duplicate_message(world, racing):
    before = history()
    data = {"task": world["task"].pk, "city": world["kaifeng"].pk, "year": 2021, "quarter": 2}
    response = world["client"].post(ADD, {**data, "amount": "3"}, follow=True)
    assert response.status_code == 200
    assert DUPLICATE in response.content.decode()
    assert history() == before


def test_two_saves_at_once_on_the_sheet_give_the_duplicate_message(world, racing):
    before = history()
    data = {"rows-TOTAL_FORMS": 1, "rows-INITIAL_FORMS": 0, "rows-0-task": world["task"].pk}
    response = world["client"].post(SHEET, {**data, "rows-0-amount": "3", "_save": "1"})
    assert response.status_code == 200
    assert DUPLICATE in response.content.decode()
    assert history() == before


@pytest.mark.parametrize(
    ("typed", "read"), [("12.5亿", "12.5"), ("1,234.5", "1234.5"), ("３亿元", "3")]
)
def test_an_amount_typed_with_its_unit_or_thousands_separated_is_read(typed, read):
    from plan.forms import YiFormField

    field = YiFormField(label="金额", max_digits=12, decimal_places=4)
    assert field.clean(typed) == Decimal(read)
