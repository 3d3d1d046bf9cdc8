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
