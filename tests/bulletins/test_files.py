"""The bulletin's files as checkers read them: a tagged PDF (PDF/UA-1) with its language and
title, and a Word file whose title and section headings are Word's own styles, in the look of an
office's document, with its title, language and issuer in its properties."""

from dataclasses import replace
from io import BytesIO

import lxml.etree
import pikepdf
import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from docx.text.paragraph import Paragraph

from bulletins import files as bulletin_files
from bulletins.content import content
from figures.rollups import Figures
from people.roles import OFFICE
from tests.builders import make_member

TITLE = "《2021年郑州都市圈一体化发展工作要点》落实情况（2021年第3季度）"
ENGLISH_TITLE = "Progress on the Zhengzhou Metropolitan Area Integration Work Plan 2021 (Q3 2021)"
HEADINGS = [
    "一、总体情况",
    "二、分城市情况",
    "三、分要点情况",
    "四、重点项目",
    "五、存在问题",
    "六、下步工作",
]
CAPTIONS = ["第3季度末各市完成率排名", "各责任单位未办结问题（逾期最久的在前）"]


@pytest.fixture
def office_staff(db):
    return make_member("bulletin-office", OFFICE)


def bulletin_file(client, kind: str, language: str = "zh-hans") -> bytes:
    """The sample plan's Q3 bulletin (a preview) as the office downloads it in `language`."""
    client.cookies["django_language"] = language
    response = client.get(f"/2021/bulletin/bulletin.{kind}?as_of=2021Q3")
    return b"".join(response.streaming_content)


def structure(element):
    """The structure elements under `element` of a tagged PDF, depth first."""
    kids = element.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else []:
        if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/StructElem":
            yield kid
            yield from structure(kid)


def test_the_pdf_bulletin_is_tagged_pdf_ua_in_chinese_with_its_title(
    client, sample_world, office_staff
):
    client.force_login(office_staff)
    pdf = pikepdf.open(BytesIO(bulletin_file(client, "pdf")))
    assert "/StructTreeRoot" in pdf.Root
    assert pdf.Root.MarkInfo.Marked is True
    assert str(pdf.Root.Lang) == "zh-Hans"
    # The reader's title bar shows the title, not the file's name.
    assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
    assert str(pdf.docinfo.Title) == TITLE
    assert str(pdf.docinfo.Author) == "郑州都市圈办公室"
    metadata = pdf.open_metadata(set_pikepdf_as_editor=False)
    assert metadata["dc:title"] == TITLE
    assert metadata["pdfuaid:part"] == "1"
    # The section headings are headings to a screen reader.
    headings = [element.S for element in structure(pdf.Root.StructTreeRoot)]
    assert headings.count("/H1") == 1 and headings.count("/H2") == 6


def test_the_english_pdf_bulletin_says_it_is_in_english(client, sample_world, office_staff):
    client.force_login(office_staff)
    pdf = pikepdf.open(BytesIO(bulletin_file(client, "pdf", "en")))
    assert str(pdf.Root.Lang) == "en"
    assert str(pdf.docinfo.Title) == ENGLISH_TITLE


def test_each_table_of_the_pdf_bulletin_is_on_the_page_of_its_caption(
    client, sample_world, office_staff
):
    client.force_login(office_staff)
    pdf = pikepdf.open(BytesIO(bulletin_file(client, "pdf")))
    # The tags are built a page at a time: a caption left alone at a page's foot would be a
    # table of its own, with no header row.
    tables = [
        [str(kid.S) for kid in element.K if isinstance(kid, pikepdf.Dictionary)]
        for element in structure(pdf.Root.StructTreeRoot)
        if element.S == "/Table"
    ]
    assert tables == [["/Caption", "/THead", "/TBody"], ["/Caption", "/THead", "/TBody"]]


def test_a_table_longer_than_a_page_breaks_between_its_rows_under_its_caption(sample_world):
    found = content(Figures(sample_world, 3))
    # Sixty rows: more than a page holds, so the table cannot move to the next page whole.
    data = bulletin_files.pdf(None, replace(found, cities=found.cities * 12), None, False, False)
    pdf = pikepdf.open(BytesIO(data))
    # The tables' parts, a page each: whether it has the caption, and how many rows.
    parts = []
    for element in structure(pdf.Root.StructTreeRoot):
        if element.S == "/Table":
            kids = {str(kid.S): kid for kid in element.K if isinstance(kid, pikepdf.Dictionary)}
            parts.append(("/Caption" in kids, len(kids["/TBody"].K) if "/TBody" in kids else 0))
    ranking = parts[: next(at for at, (captioned, _) in enumerate(parts[1:], 1) if captioned)]
    # It starts under its caption, at least its first eight rows with it (never a caption alone
    # at a page's foot), goes on over the next page, and leaves no fewer than three rows there.
    assert ranking[0][0] is True and ranking[0][1] >= 8
    assert len(ranking) >= 2 and not any(captioned for captioned, _ in ranking[1:])
    assert ranking[-1][1] >= 3 and sum(rows for _, rows in ranking) == 60


def test_the_word_bulletin_s_title_and_sections_are_word_s_title_and_heading_1(
    client, sample_world, office_staff
):
    client.force_login(office_staff)
    document = Document(BytesIO(bulletin_file(client, "docx")))
    styled = [(p.style.name, p.text) for p in document.paragraphs if p.style.name != "Normal"]
    assert styled == [
        ("Title", "《2021年郑州都市圈一体化发展工作要点》落实情况\n（2021年第3季度）"),
        *[("Heading 1", text) for text in HEADINGS],
    ]


def test_the_word_bulletin_s_heading_styles_keep_the_office_s_look(
    client, sample_world, office_staff
):
    client.force_login(office_staff)
    document = Document(BytesIO(bulletin_file(client, "docx")))
    for name, size, bold in (("Title", 18, True), ("Heading 1", 16, False)):
        style = document.styles[name]
        fonts = style.element.rPr.rFonts
        # 黑体 for the Chinese text too, never the template's theme fonts.
        heiti = {qn(f"w:{kind}"): "黑体" for kind in ("ascii", "hAnsi", "eastAsia")}
        assert dict(fonts.attrib) == heiti
        assert (style.font.size, style.font.bold, style.font.italic) == (Pt(size), bold, False)
        assert style.font.color.rgb == RGBColor(0, 0, 0) and style.font.color.theme_color is None
        # Spaced as the body, without the template's rule under the title.
        assert style.paragraph_format.space_before is None
        assert style.paragraph_format.space_after is None
        assert style.element.pPr.find(qn("w:pBdr")) is None
    assert document.styles["Title"].paragraph_format.alignment == 1  # centred
    heading = document.styles["Heading 1"].paragraph_format
    assert (heading.first_line_indent, heading.keep_with_next) == (Pt(32), True)


def test_the_word_bulletin_s_properties_give_its_title_language_and_issuer(
    client, sample_world, office_staff
):
    client.force_login(office_staff)
    properties = Document(BytesIO(bulletin_file(client, "docx"))).core_properties
    assert properties.title == TITLE
    assert properties.language == "zh-CN"
    assert properties.author == properties.last_modified_by == "郑州都市圈办公室"
    assert properties.subject == "调度通报"
    assert properties.comments == ""
    english = Document(BytesIO(bulletin_file(client, "docx", "en"))).core_properties
    assert (english.title, english.language) == (ENGLISH_TITLE, "en")
    assert english.subject == "Quarterly progress bulletin"


def test_each_table_caption_of_the_word_bulletin_keeps_with_its_table(
    client, sample_world, office_staff
):
    client.force_login(office_staff)
    document = Document(BytesIO(bulletin_file(client, "docx")))
    # The paragraph before each table is its caption.
    captions = [Paragraph(table._tbl.getprevious(), document._body) for table in document.tables]
    assert [caption.text for caption in captions] == CAPTIONS
    assert [caption.paragraph_format.keep_with_next for caption in captions] == [True, True]


def test_the_pdfs_xmp_stays_xml_whatever_the_issuer_holds(sample_world):
    # The issuer (BULLETIN_ISSUER) goes into the XMP packet, which is XML 1.0.
    found = replace(content(Figures(sample_world, 3)), issuer="甲\x0b乙\ufffe丙&")
    pdf = pikepdf.open(BytesIO(bulletin_files.pdf(None, found, None, False, False)))
    lxml.etree.fromstring(pdf.Root.Metadata.read_bytes())
    assert str(pdf.docinfo["/Author"]) == "甲乙丙&"


RANKING = [
    [
        "位次",
        "城市",
        "完成投资（亿元）",
        "完成率（%）",
        "较时间进度（百分点）",
        "位次变化",
        "开工率（%）",
        "竣工率（%）",
        "办结率（%）",
        "未办结问题（个）",
    ],
    ["1", "郑州", "291.34", "58.9", "−16.1", "↑1", "100.0", "100.0", "0.0", "2"],
    ["2", "新乡", "64.91", "56.7", "−18.3", "↑2", "100.0", "100.0", "0.0", "2"],
    ["3", "开封", "104.70", "52.5", "−22.5", "↓2", "75.0", "0.0", "0.0", "2"],
    ["4", "许昌", "65.83", "51.5", "−23.5", "↑1", "75.0", "0.0", "0.0", "1"],
    ["5", "焦作", "67.29", "49.1", "−25.9", "↓2", "80.0", "0.0", "100.0", "1"],
]
UNITS = [
    ["责任单位", "未办结", "逾期", "逾期超过30天"],
    ["示例：自然资源部门", "2", "2", "2"],
    ["示例：交通运输部门", "1", "1", "0"],
    ["示例：发展改革部门", "1", "0", "0"],
    ["示例：生态环境部门", "1", "0", "0"],
    ["示例：财政部门", "1", "0", "0"],
    ["示例：跨市协调工作专班", "1", "0", "0"],
    ["待交办", "1", "0", "0"],
]


def word_tables(found) -> list:
    return Document(BytesIO(bulletin_files.docx(found, None, False))).tables


def cell_look(cell) -> tuple:
    """A cell's one paragraph as Word sets it: its alignment, whether it keeps with the next,
    and its run's text, East Asian font and size (after the empty run python-docx puts first)."""
    (paragraph,) = cell.paragraphs
    first, run = paragraph.runs
    assert first.text == "" and first._r.rPr is None
    fonts = run._r.rPr.rFonts
    assert fonts.get(qn("w:ascii")) == fonts.get(qn("w:hAnsi")) == fonts.get(qn("w:eastAsia"))
    alignment = paragraph.alignment
    return (
        None if alignment is None else alignment.name,
        paragraph.paragraph_format.keep_with_next,
        run.text,
        fonts.get(qn("w:eastAsia")),
        run.font.size.pt,
        run.font.bold,
    )


def test_the_word_bulletins_tables_hold_the_ranking_and_the_units_cell_by_cell(sample_world):
    ranking, units = word_tables(content(Figures(sample_world, 3)))
    assert [[cell.text for cell in row.cells] for row in ranking.rows] == RANKING
    assert [[cell.text for cell in row.cells] for row in units.rows] == UNITS


def test_each_cell_of_the_word_bulletins_ranking_is_set_as_its_row_and_column_say(sample_world):
    ranking, units = word_tables(content(Figures(sample_world, 3)))
    rows = ranking.rows
    # The header: centred 黑体; the figures: 仿宋, the numbers' columns at the right. Every
    # row but the last keeps with the next, so the table moves to the next page whole.
    assert [cell_look(cell) for cell in rows[0].cells] == [
        ("CENTER", True, text, "黑体", 10.5, False) for text in RANKING[0]
    ]
    numbers = {2, 3, 4, 6, 7, 8, 9}
    for index, row in enumerate(rows[1:], 1):
        assert [cell_look(cell) for cell in row.cells] == [
            ("RIGHT" if column in numbers else None, index < 5 or None, text, "仿宋", 10.5, False)
            for column, text in enumerate(RANKING[index])
        ]
    # The header row repeats on each page; no row splits across pages.
    assert [row._tr.trPr.xml.count("<w:tblHeader/>") for row in rows] == [1, 0, 0, 0, 0, 0]
    assert all(row._tr.trPr.xml.count("<w:cantSplit/>") == 1 for row in rows)
    # Millimetres a column, in the grid (LibreOffice) and in every cell (Word), fixed.
    widths = [10, 14, 19, 15, 17, 13, 15, 15, 15, 15]
    assert [round(column.width.mm) for column in ranking.columns] == widths
    assert all([round(cell.width.mm) for cell in row.cells] == widths for row in rows)
    assert ranking._tbl.tblPr.xml.count('<w:tblLayout w:type="fixed"/>') == 1
    assert ranking.alignment.name == "CENTER" and ranking.style.name == "Table Grid"
    assert [round(column.width.mm) for column in units.columns] == [70, 26, 26, 34]
    assert [cell_look(cell)[0] for cell in units.rows[1].cells] == [None, "RIGHT", "RIGHT", "RIGHT"]


def test_a_word_table_of_sixty_rows_keeps_them_in_order_the_last_alone_not_kept(sample_world):
    found = content(Figures(sample_world, 3))
    ranking = word_tables(replace(found, cities=found.cities * 12))[0]
    assert [row.cells[1].text for row in ranking.rows[1:]] == [row[1] for row in RANKING[1:]] * 12
    kept = [row.cells[0].paragraphs[0].paragraph_format.keep_with_next for row in ranking.rows]
    assert kept == [True] * 60 + [None]


def test_a_cell_of_the_word_bulletin_drops_control_characters_and_keeps_tabs_and_lines(
    sample_world,
):
    found = content(Figures(sample_world, 3))
    city = replace(found.cities[0], name="甲\x0b乙\ufffe\t丙\n丁 ")
    ranking = word_tables(replace(found, cities=[city]))[0]
    cell = ranking.rows[1].cells[1]
    assert cell.text == "甲乙\t丙\n丁 "
    assert cell_look(cell)[1:] == (None, "甲乙\t丙\n丁 ", "仿宋", 10.5, False)
