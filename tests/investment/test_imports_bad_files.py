"""A catalogue of bad import files: each is refused with a clear Chinese message naming the
column or the problem, and the database (reports and their history) stays as it was."""

import io
import time
import zipfile

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from investment.models import ProgressReport, QuarterClose
from people.models import Reporter
from people.roles import REPORTER
from tests.builders import make_allocation, make_area, make_city, make_plan, make_report, make_task

Status = ProgressReport.Status
HEADER = "任务编号,城市,年度,季度,完成投资(亿元),进展情况\n"


@pytest.fixture
def world(django_user_model, zhengzhou, kaifeng):
    """Tasks 1.1 (100; Kaifeng 40) and 1.3 (20) in Zhengzhou and Kaifeng; 1.2 in Zhengzhou only.
    Kaifeng: Q1 7.25 approved, Q2 5 submitted. The office closed Q3. Clerk kf for Kaifeng."""
    plan = make_plan()
    area = make_area(plan)
    rail = make_task(area, 1, "100", [zhengzhou, kaifeng], title="轨道")
    make_task(area, 2, "50", [zhengzhou], title="水网")
    make_task(area, 3, "20", [zhengzhou, kaifeng], title="电网")
    make_city("luoyang", "洛阳", 9)  # A city of the province, in no task of the plan.
    make_allocation(rail, kaifeng, "40")
    make_report(rail, kaifeng, 1, "7.25", Status.APPROVED)
    make_report(rail, kaifeng, 2, "5", Status.SUBMITTED)
    user = django_user_model.objects.create_user("kf", password="x", is_staff=True)
    QuarterClose.objects.create(plan=plan, quarter=3, closed_by=user)
    user.groups.add(Group.objects.get(name=REPORTER))
    Reporter.objects.create(user=user, city=kaifeng)
    return user


def snapshot() -> tuple:
    return (
        list(ProgressReport.objects.order_by("pk").values()),
        ProgressReport.history.count(),
    )


def refused(tmp_path, content: bytes, name: str = "figures.csv") -> str:
    """Imports as Kaifeng's clerk; returns the whole refusal, having checked nothing changed."""
    before = snapshot()
    path = tmp_path / name
    path.write_bytes(content)
    err = io.StringIO()
    with pytest.raises(CommandError) as refusal:
        call_command("import_reports", str(path), "--user", "kf", stdout=io.StringIO(), stderr=err)
    assert snapshot() == before
    return f"{refusal.value}\n{err.getvalue()}"


def rows(*lines: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    # A valid row first: every catalogue file would otherwise have applied it.
    return (
        header + "1.3,开封,2021,4,1,好的一行\n" + "".join(f"{line}\n" for line in lines)
    ).encode(encoding)


def xlsx(*table: tuple) -> bytes:
    book = openpyxl.Workbook()
    for line in table:
        book.active.append(list(line))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


PLAIN = xlsx(HEADER.strip().split(","), ["1.3", "开封", 2021, 4, 1, "好的一行"])


def crafted(sheet: bytes | None = None, strings: bytes | None = None) -> bytes:
    """A small valid workbook (header and one row) with its sheet or shared strings replaced:
    what an attacker writes by hand, a few KB that would unpack to far more."""
    # openpyxl writes its texts inline; `strings` is added as the shared-strings part.
    plain = io.BytesIO(PLAIN)
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dest:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml" and sheet is not None:
                data = sheet
            if item.filename == "[Content_Types].xml" and strings is not None:
                data = data.replace(b"</Types>", STRINGS_TYPE + b"</Types>")
            dest.writestr(item.filename, data)
        if strings is not None:
            dest.writestr("xl/sharedStrings.xml", strings)
    return out.getvalue()


STRINGS_TYPE = (
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)


MAIN = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
HEADER_ROW = (
    b'<row r="1">'
    + b"".join(
        b'<c r="%s1" t="inlineStr"><is><t>%s</t></is></c>' % (column.encode(), name.encode())
        for column, name in zip("ABCDEF", HEADER.strip().split(","), strict=True)
    )
    + b"</row>"
)


ROW_START = (
    b"".join(
        b'<c r="%s2" t="inlineStr"><is><t>%s</t></is></c>' % (column.encode(), text.encode())
        for column, text in zip("AB", ["1.1", "开封"], strict=True)
    )
    + b'<c r="C2"><v>2021</v></c><c r="D2"><v>4</v></c>'
)


def sheet_xml(dimension: bytes, rows: bytes) -> bytes:
    body = b"<sheetData>" + HEADER_ROW + rows + b"</sheetData>"
    return b"<worksheet " + MAIN + b">" + dimension + body + b"</worksheet>"


def strings_xml(items: bytes) -> bytes:
    return b"<sst " + MAIN + b">" + items + b"</sst>"


HEADER_STRINGS = b"".join(
    b"<si><t>%s</t></si>" % name.encode() for name in HEADER.strip().split(",")
)
TOO_LARGE = "文件超过 5000 行或 50 列"
# Files that cost a worker far more than their size; each is refused before it is read.
CRAFTED = [
    (
        "an xlsx declaring a million rows",
        crafted(sheet_xml(b'<dimension ref="A1:F1000000"/>', b"")),
    ),
    (
        "an xlsx whose row numbers jump to a million",
        crafted(sheet_xml(b"", b'<row r="1000000"><c r="A1000000"><v>1</v></c></row>')),
    ),
    (
        "an xlsx declaring sixteen thousand columns",
        crafted(sheet_xml(b'<dimension ref="A1:XFD2"/>', b"")),
    ),
    ("a CSV of tens of thousands of empty lines", HEADER.encode() + b"\n" * 50_000),
    ("a CSV of tens of thousands of commas", HEADER.encode() + b"," * 100_000 + b"\n"),
    (
        "an xlsx with one huge shared string",
        crafted(
            strings=strings_xml(HEADER_STRINGS + b"<si><t>" + b"x" * 10_500_000 + b"</t></si>")
        ),
    ),
    (
        "an xlsx with millions of tiny shared strings",
        crafted(strings=strings_xml(HEADER_STRINGS + b"<si/>" * 1_000_000)),
    ),
    (
        "an xlsx with many shared strings under the size bound",
        crafted(strings=strings_xml(HEADER_STRINGS + b"<si/>" * 150_000)),
    ),
]

CATALOGUE = [
    ("empty file", b"", "文件是空的。"),
    ("binary junk", bytes(range(256)) * 8, "文件既不是 .xlsx 工作簿，也不是 CSV 文件。"),
    (
        "renamed PDF",
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj",
        "文件既不是 .xlsx 工作簿，也不是 CSV 文件。",
    ),
    ("damaged xlsx", b"PK\x03\x04" + b"\x00junk" * 50, "文件不是可读取的 .xlsx 工作簿"),
    (
        "neither UTF-8 nor GBK",
        HEADER.encode() + b"1.1,\xff\xfe\xff,2021,4,1,\n",
        "既不是 UTF-8 也不是 GBK",
    ),
    (
        "wrong headers",
        "名称,金额\n轨道,1\n".encode(),
        "缺少列：任务编号、城市、年度、季度、完成投资(亿元)",
    ),
    ("a workbook with no matching header", xlsx(("序号", "项目"), (1, "轨道")), "缺少列：任务编号"),
    ("headers only", HEADER.encode(), "文件只有列名，没有数据行。"),
    (
        "a column twice",
        "任务编号,城市,city,年度,季度,完成投资(亿元)\n".encode(),
        "列“city”出现了两次。",
    ),
    (
        "oversized file",
        HEADER.encode() + b"1.1,\xe5\xbc\x80\xe5\xb0\x81,2021,4,1,x\n" * 250_000,
        "只能导入不超过 5 MB 的文件",
    ),
    ("the same row twice", rows("1.3,开封,2021,4,2,"), "第 3 行：该行与第 2 行重复"),
    (
        "another city's row",
        rows("1.1,郑州,2021,4,3,"),
        "城市：只能导入本市（开封）的数据，不能导入郑州的数据。",
    ),
    (
        "an approved report changed",
        rows("1.1,开封,2021,1,8,"),
        "1.1 · 开封 · 2021Q1 为“已审核”，现在只有都市圈办公室可以修改。",
    ),
    (
        "a submitted report changed by the city",
        rows("1.1,开封,2021,2,6,"),
        "1.1 · 开封 · 2021Q2 为“已报送”，现在只有都市圈办公室可以修改。",
    ),
    ("a closed quarter", rows("1.1,开封,2021,3,1,"), "季度：都市圈办公室已锁定2021年第3季度。"),
    ("a negative amount", rows("1.1,开封,2021,4,-3,"), "不能为负"),
    ("a non-numeric amount", rows("1.1,开封,2021,4,十二,"), "完成投资(亿元)：无法识别“十二”。"),
    ("an ambiguous comma", rows('1.1,开封,2021,4,"1,5",'), "完成投资(亿元)：无法识别“1,5”。"),
    ("an amount with its unit", rows("1.1,开封,2021,4,12亿,"), "完成投资(亿元)：无法识别“12亿”。"),
    (
        "five decimal places",
        rows("1.1,开封,2021,4,1.23456,"),
        "本季度完成(亿元)最多保留 4 位小数（精确到万元）。",
    ),
    ("万元 typed as 亿元", rows("1.1,开封,2021,4,500,"), "是否把万元当成了亿元"),
    (
        "formula injection",
        rows('1.1,开封,2021,4,1,"=HYPERLINK(""http://x"")"'),
        "进展情况：不能以 = 或 @ 开头",
    ),
    ("an unknown task", rows("9.9,开封,2021,4,1,"), "任务编号：2021年工作要点中没有任务 9.9。"),
    ("an unknown city", rows("1.1,开府,2021,4,1,"), "城市：不认识的城市“开府”。"),
    ("a city outside the task", rows("1.2,开封,2021,4,1,"), "城市：开封不参与任务 1.2。"),
    ("a year without a plan", rows("1.1,开封,2020,4,1,"), "年度：没有2020年的工作要点。"),
    ("a fifth quarter", rows("1.1,开封,2021,5,1,"), "季度：无法识别“5”。"),
    (
        "a note without an amount",
        rows("1.1,开封,2021,4,,已开工"),
        "本季度完成：请填写与进展情况对应的金额。",
    ),
    ("a note too long", rows("1.1,开封,2021,4,1," + "长" * 2001), "进展情况最多 2000 字。"),
    ("GBK with a bad row", rows("1.1,开封,2021,4,abc,", encoding="gbk"), "无法识别“abc”"),
    *[(name, content, TOO_LARGE) for name, content in CRAFTED],
    (
        "a note with a vertical tab",
        rows("1.1,开封,2021,4,1,第一行\x0b第二行"),
        "进展情况含有控制字符（例如 Word 中 Shift+Enter 粘贴的换行符），请删除后重新保存。",
    ),
    (
        "a note with U+FFFF, which XML cannot hold",
        rows("1.1,开封,2021,4,1,第一行\uffff第二行"),
        "进展情况含有控制字符（例如 Word 中 Shift+Enter 粘贴的换行符），请删除后重新保存。",
    ),
    (
        "a note with a NUL byte",
        rows("1.1,开封,2021,4,1,空\x00字符"),
        "文件既不是 .xlsx 工作簿，也不是 CSV 文件。",  # Read as a binary file, as it most often is.
    ),
    ("nan typed as the amount", rows("1.1,开封,2021,4,nan,"), "完成投资(亿元)：无法识别“nan”。"),
    (
        "twenty decimal places",
        rows("1.1,开封,2021,4,1." + "0" * 19 + "1,"),
        "本季度完成(亿元)最多保留 4 位小数（精确到万元）。",
    ),
    (
        "an amount beyond the field",
        rows("1.1,开封,2021,4,123456789,"),
        "本季度完成(亿元)数值过大。",
    ),
    (
        "an xlsx numeric cell of 1e309",
        crafted(sheet_xml(b"", b'<row r="2">' + ROW_START + b'<c r="E2"><v>1e309</v></c></row>')),
        "完成投资(亿元)：无法识别“inf”。",
    ),
    (
        "an xlsx numeric cell of nan",
        crafted(sheet_xml(b"", b'<row r="2">' + ROW_START + b'<c r="E2"><v>nan</v></c></row>')),
        "文件不是可读取的 .xlsx 工作簿",
    ),
    (
        "an xlsx numeric cell beyond the field",
        crafted(sheet_xml(b"", b'<row r="2">' + ROW_START + b'<c r="E2"><v>1e20</v></c></row>')),
        "本季度完成(亿元)数值过大。",
    ),
]


@pytest.mark.parametrize(
    "content, message", [c[1:] for c in CATALOGUE], ids=[c[0] for c in CATALOGUE]
)
def test_a_bad_file_is_refused_with_a_clear_message_and_changes_nothing(
    world, tmp_path, content, message
):
    assert message in refused(tmp_path, content)


@pytest.mark.parametrize("content", [c[1] for c in CRAFTED], ids=[c[0] for c in CRAFTED])
def test_a_crafted_file_is_refused_within_two_seconds(content):
    from investment.tables import read_table
    from plan.spreadsheets import FileRefused

    started = time.perf_counter()
    with pytest.raises(FileRefused, match=TOO_LARGE):
        read_table(content)
    assert time.perf_counter() - started < 2


def test_a_quarter_of_five_thousand_rows_is_still_read():
    from investment.tables import read_table

    assert (
        len(
            read_table(HEADER.encode() + b"1.3,\xe5\xbc\x80\xe5\xb0\x81,2021,4,1,\n" * 5000).reports
        )
        == 5000
    )


def test_crafted_files_are_small():
    assert all(len(content) < 200_000 for _name, content in CRAFTED)


def test_the_catalogue_has_at_least_twenty_kinds_of_bad_file():
    assert len(CATALOGUE) >= 20


def test_one_bad_row_keeps_every_good_row_out(world, tmp_path):
    content = rows("1.1,开封,2021,4,abc,")  # The row before it, on 1.3, is fine.
    refusal = refused(tmp_path, content)
    assert "1 行未通过检查，未导入任何数据。" in refusal
    assert not ProgressReport.objects.filter(quarter=4).exists()


def test_the_admin_refuses_an_oversized_upload_before_reading_it(client, world):
    client.force_login(world)
    before = snapshot()
    big = SimpleUploadedFile("big.csv", b"x" * (5 * 1024 * 1024 + 1))
    response = client.post(
        "/admin/investment/progressreport/import/", {"format": 0, "import_file": big}
    )
    assert "文件大小为 5.0 MB，只能导入不超过 5 MB 的文件。" in response.content.decode()
    assert snapshot() == before


def test_the_admin_shows_why_a_renamed_pdf_cannot_be_read(client, world):
    client.force_login(world)
    pdf = SimpleUploadedFile("figures.xlsx", b"%PDF-1.4 not a workbook")
    response = client.post(
        "/admin/investment/progressreport/import/", {"format": 0, "import_file": pdf}
    )
    assert "文件既不是 .xlsx 工作簿，也不是 CSV 文件。" in response.content.decode()
    assert response.context.get("confirm_form") is None


def test_the_admin_preview_of_a_bad_file_offers_no_confirm(client, world):
    client.force_login(world)
    bad = SimpleUploadedFile("f.csv", rows("1.1,郑州,2021,4,3,"))
    response = client.post(
        "/admin/investment/progressreport/import/", {"format": 0, "import_file": bad}
    )
    page = response.content.decode()
    assert "<td>3</td>" in page  # The file's own row number: the header is row 1.
    assert "<li>城市：只能导入本市（开封）的数据，不能导入郑州的数据。</li>" in page
    assert "共 2 行，其中 1 行有错误。文件只能整体导入或整体不导入" in page
    assert response.context.get("confirm_form") is None


def test_a_leader_cannot_import(client, world, django_user_model, tmp_path):
    from people.roles import VIEWER

    leader = django_user_model.objects.create_user("leader", is_staff=True)
    leader.groups.add(Group.objects.get(name=VIEWER))
    client.force_login(leader)
    assert client.get("/admin/investment/progressreport/import/").status_code == 403
    path = tmp_path / "f.csv"
    path.write_bytes(rows())
    with pytest.raises(CommandError, match="leader 没有导入填报的权限。"):
        call_command("import_reports", str(path), "--user", "leader", stdout=io.StringIO())


def test_a_report_saved_by_someone_else_during_an_import_gives_the_duplicate_message(
    world, tmp_path, monkeypatch, kaifeng
):
    from investment.workflow import Batch

    rail = kaifeng.tasks.get(number=1)
    write = Batch.write

    def the_other_save_then_the_write(self):
        if not ProgressReport.objects.filter(quarter=4).exists():
            make_report(rail, kaifeng, 4, "9", Status.DRAFT)
        return write(self)

    monkeypatch.setattr(Batch, "write", the_other_save_then_the_write)
    refusal = refused(tmp_path, (HEADER + "1.1,开封,2021,4,1,\n").encode())
    assert "该城市本季度已填报过这项任务，不能重复填报。" in refusal


def test_a_quoted_note_is_read_whole_whatever_quotes_other_notes_hold():
    from investment.tables import read_table

    content = (
        HEADER + '1.1,开封,2021,2,1,"土建,安装"\n'
        "1.2,开封,2021,2,1,\"'一标段','二标段',均已开工\"\n1.3,开封,2021,2,1,'一期'\n"
    ).encode()
    notes = [cells["note"] for _number, cells in read_table(content).reports]
    assert notes == ["土建,安装", "'一标段','二标段',均已开工", "'一期'"]


@pytest.mark.parametrize(
    "content",
    [
        (HEADER + "1.1,开封,2021,2,1,甲\n").replace("\n", "\r").encode(),
        ("sep=;\n" + HEADER.replace(",", ";") + "1.1;开封;2021;2;1;甲\n").encode(),
        ("sep=,\r\n" + HEADER + "1.1,开封,2021,2,1,甲\r\n").encode("gbk"),
    ],
    ids=["lone CR line ends", "Excel's sep=; line", "sep=, with CRLF in GBK"],
)
def test_csv_files_as_old_and_european_excel_save_them_are_read(content):
    from investment.tables import read_table

    assert [cells for _n, cells in read_table(content).reports] == [
        {"task": "1.1", "city": "开封", "year": "2021", "quarter": "2", "amount": "1", "note": "甲"}
    ]


def test_an_xlsx_cell_xml_cannot_hold_is_refused_in_words(world, tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["任务编号", "城市", "年度", "季度", "完成投资(亿元)", "进展情况"])
    book.active.append(["1.1", "开封", 2021, 4, 1, "XXNOTEXX"])
    plain = io.BytesIO()
    book.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plain.getvalue())) as source, zipfile.ZipFile(out, "w") as to:
        for item in source.infolist():
            data = source.read(item).replace(b"XXNOTEXX", "a\uffffb".encode())
            to.writestr(item, data)
    assert "文件不是可读取的 .xlsx 工作簿" in refused(tmp_path, out.getvalue())
