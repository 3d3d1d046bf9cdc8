"""The bulletin as files: a Word document (python-docx) laid out as Chinese official documents
are, and a PDF that WeasyPrint prints from the page's own document template."""

import copy
import unicodedata
from datetime import UTC
from io import BytesIO

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.http import FileResponse, HttpRequest
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.translation import get_language, pgettext, to_locale
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from openpyxl import Workbook

from bulletins.models import Bulletin
from bulletins.text import Content, names, percent, points, rank, rank_change
from people.models import display_name
from plan.forms import CONTROL_CHARACTERS
from plan.money import yi
from plan.spreadsheets import TITLE_FONT, Sheet, centred

DAY = 24 * 60 * 60


def city_note() -> str:
    """What each rate of the city table is, in the reader's language."""
    return _(
        "Note: completion rate = investment completed ÷ the city's allocation; against the pace "
        "= completion rate − the share expected by the quarter's end, in points; start rate = "
        "key-project sections started ÷ those to start this year; finish rate = sections "
        "completed ÷ those to complete; closure rate = problems closed on time ÷ problems due "
        "(closed, or open past their deadline) by the quarter's end; problems still open = "
        "raised by then and not yet closed. — where there is nothing to measure."
    )


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# 仿宋 for the body and 黑体 for headings, as GB/T 9704 sets official documents; where Word or
# LibreOffice lacks them it substitutes its own Chinese serif and sans.
BODY_FONT, HEADING_FONT = "仿宋", "黑体"
RED = RGBColor(0xB3, 0x26, 0x1E)


def response(
    request: HttpRequest, found: Content, bulletin: Bulletin | None, revised: bool, kind: str
) -> FileResponse:
    issued = bulletin is not None and bulletin.is_issued
    if kind == "docx":
        data = docx(found, bulletin if issued else None, revised)
    elif issued:
        # An issued bulletin never changes: WeasyPrint's third of a second is spent once a day
        # per language (and revised note), however many readers ask for it.
        # (-ua: the tagged PDF, never one cached untagged before it.)
        key = f"bulletin-pdf-ua:{bulletin.pk}:{bulletin.version}:{get_language()}:{int(revised)}"
        data = cache.get_or_set(key, lambda: pdf(request, found, bulletin, True, revised), DAY)
    else:
        data = pdf(request, found, bulletin, False, revised)
    name = f"zzmetro-{found.year}Q{found.quarter}-bulletin"
    if issued:
        name += f"-{bulletin.number}"
    return FileResponse(
        BytesIO(data),
        as_attachment=True,
        filename=f"{name}.{kind}",
        content_type=DOCX if kind == "docx" else "application/pdf",
    )


def title_lines(found: Content) -> tuple[str, str]:
    """The bulletin's title as it is printed, in two lines: the plan's name, then the quarter."""
    return (
        _("Progress on the %(plan)s") % {"plan": found.plan_name},
        _("(Q%(quarter)s %(year)s)") % {"quarter": found.quarter, "year": found.year},
    )


def title(found: Content) -> str:
    """The title on one line, as the files' properties give it: a space before the quarter's
    bracket, none before a full-width one (（2021年第3季度）), which carries its own."""
    plan, quarter = title_lines(found)
    space = "" if unicodedata.east_asian_width(quarter[:1] or " ") in "FW" else " "
    return CONTROL_CHARACTERS.sub("", f"{plan}{space}{quarter}")


def pdf(request, found: Content, bulletin, issued: bool, revised: bool) -> bytes:
    from weasyprint import CSS, HTML  # Loads Pango: only when a PDF is asked for.

    context = {
        "content": found,
        "bulletin": bulletin,
        "issued": issued,
        "revised": revised,
        "title": title(found),
        "author": CONTROL_CHARACTERS.sub("", found.issuer),  # XMP metadata is XML 1.0
        # The tag PDF readers announce: zh-Hans, en.
        "lang": to_locale(get_language()).replace("_", "-"),
    }
    html = render_to_string("bulletins/bulletin_print.html", context, request=request)
    # Links (the cities' pages) resolve against the site's configured address, so they work
    # from the file too; never the request's Host, which the cached PDF would keep for a day.
    page = HTML(string=html, base_url=f"{settings.SITE_URL}/")
    # PDF/UA-1: tagged (headings, paragraphs, the tables with their captions and header
    # cells), with the document's language and its title shown in the reader's title bar.
    return page.write_pdf(
        stylesheets=[CSS(filename=finders.find("css/bulletin.css"))], pdf_variant="pdf/ua-1"
    )


def _run(paragraph, text: str):
    # Word's XML holds no control characters, and python-docx refuses them: a name pasted with
    # one (a vertical tab from Word) would break the file, an issued bulletin's for good.
    return paragraph.add_run(CONTROL_CHARACTERS.sub("", text))


def _font(run_or_style, name: str, size: float | None = None, bold: bool = False) -> None:
    font = run_or_style.font
    font.name, font.bold = name, bold
    if size:
        font.size = Pt(size)
    # Word picks the East Asian font from its own attribute, not from w:ascii.
    properties = run_or_style.element.get_or_add_rPr()
    fonts = properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        properties.append(fonts)
    fonts.set(qn("w:eastAsia"), name)


def _page_number(section) -> None:
    """A centred "— N —" footer: Word and LibreOffice fill in the PAGE field."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("— ")
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
    paragraph.add_run(" —")


def _keep_with_next(paragraph) -> None:
    paragraph.paragraph_format.keep_with_next = True


def _restyle(style, size: float, bold: bool) -> None:
    """Word's built-in `style` (Title, Heading 1) in the document's own look: black `size`
    point 黑体, upright, without the template's theme fonts and colours, its rule under the
    title or its space above the heading; spaced as the body is. The style keeps its outline
    level, so Word's navigation pane and a PDF's bookmarks list the headings."""
    element = style.element
    if element.rPr is not None:
        element.remove(element.rPr)
    _font(style, HEADING_FONT, size, bold)
    style.font.italic = False
    style.font.color.rgb = RGBColor(0, 0, 0)
    if element.pPr is not None:
        for name in ("w:pBdr", "w:spacing", "w:contextualSpacing"):
            for child in element.pPr.findall(qn(name)):
                element.pPr.remove(child)


def _properties(document, found: Content, bulletin: Bulletin | None) -> None:
    """The file's title, language, author (the issuing office) and date, as a reader's
    file list and a checker read them; the template's own (python-docx, 2013) never show."""
    properties = document.core_properties
    properties.title = title(found)[:255]  # Word's limit for a property
    properties.subject = _("Quarterly progress bulletin")
    properties.author = properties.last_modified_by = CONTROL_CHARACTERS.sub("", found.issuer)[:255]
    properties.comments = ""
    # The language the bulletin is written in: the reader's (the names stay Chinese).
    properties.language = "zh-CN" if get_language().startswith("zh") else "en"
    # Word reads the dates as UTC.
    made = bulletin.issued_at if bulletin is not None else timezone.now()
    properties.created = properties.modified = made.astimezone(UTC)


def _table(
    document,
    caption: str,
    header: list[str],
    rows: list[list[str]],
    numbers: set[int] = frozenset(),
    widths: list[int] | None = None,
) -> None:
    """A captioned table: its caption kept with it, its columns `numbers` right-aligned, and
    the whole of it on one page (a short table is never split with one row alone)."""
    above = document.add_paragraph()
    above.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(_run(above, caption), HEADING_FONT, 12)
    _keep_with_next(above)
    table = document.add_table(rows=1, cols=len(header), style="Table Grid")
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    if widths:
        # Millimetres a column: a figure never breaks inside its cell.
        table.autofit = False
        for column, width in zip(table.columns, widths, strict=True):
            column.width = Mm(width)  # The grid LibreOffice reads; Word reads the cells'.
    # The header row repeats on each page a long table runs to; no row splits across pages,
    # and each row but the last keeps with the next, so the table moves to the next page whole.
    centred = [WD_ALIGN_PARAGRAPH.CENTER] * len(header)
    top = _shaped(table.rows[0], HEADING_FONT, centred, widths, keep=bool(rows))
    _fill(top, header)
    properties = top.get_or_add_trPr()
    properties.append(OxmlElement("w:tblHeader"))
    properties.append(OxmlElement("w:cantSplit"))
    if not rows:
        return
    # Each row of figures is a copy of a model row with its texts put in: python-docx finds a
    # row's cells by walking the whole table, so a table filled cell by cell through it takes
    # a time growing with the square of its rows.
    right = WD_ALIGN_PARAGRAPH.RIGHT
    aligned = [right if column in numbers else None for column in range(len(header))]
    middle = _shaped(table.add_row(), BODY_FONT, aligned, widths, keep=True)
    end = _shaped(table.add_row(), BODY_FONT, aligned, widths, keep=False)
    for model in (middle, end):
        model.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
        table._tbl.remove(model)
    for index, values in enumerate(rows):
        row = copy.deepcopy(end if index == len(rows) - 1 else middle)
        _fill(row, values)
        table._tbl.append(row)


def _shaped(row, font: str, alignments: list, widths: list[int] | None, keep: bool):
    """`row`'s element, each of its cells holding a paragraph aligned as `alignments` says
    (None: as the style has it) and kept with the next row with `keep`, and in it an empty run
    in 10.5 point `font` for the cell's text (after the empty one python-docx puts first)."""
    for column, cell in enumerate(row.cells):
        cell.text = ""
        paragraph = cell.paragraphs[0]
        if alignments[column] is not None:
            paragraph.alignment = alignments[column]
        _font(_run(paragraph, ""), font, 10.5)
        if widths:
            cell.width = Mm(widths[column])
        if keep:
            _keep_with_next(paragraph)
    return row._tr


def _fill(row, texts: list[str]) -> None:
    """The texts of a row `_shaped` made, a cell each, as python-docx writes a run's text."""
    for cell, text in zip(row.tc_lst, texts, strict=True):
        cell.p_lst[0].r_lst[-1].text = CONTROL_CHARACTERS.sub("", text)


def _rule(paragraph, edges: dict[str, int]) -> None:
    """Black rules along the paragraph's `edges` (the 版记's lines), each its size in eighths
    of a point."""
    properties = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    for edge in ("top", "bottom"):  # Word reads them in this order.
        if edge not in edges:
            continue
        line = OxmlElement(f"w:{edge}")
        line.set(qn("w:val"), "single")
        line.set(qn("w:sz"), str(edges[edge]))
        line.set(qn("w:space"), "1")
        line.set(qn("w:color"), "000000")
        borders.append(line)
    properties.append(borders)


def docx(found: Content, bulletin: Bulletin | None, revised: bool) -> bytes:
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    _font(document.styles["Normal"], BODY_FONT, 16)
    # The title (18 point bold 黑体, centred) and the section headings (一、总体情况: 16 point
    # 黑体, indented as a paragraph) in Word's own styles, so a reader's navigation pane, a
    # screen reader and a PDF printed from the file find them.
    _restyle(document.styles["Title"], 18, bold=True)
    document.styles["Title"].paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _restyle(document.styles["Heading 1"], 16, bold=False)
    document.styles["Heading 1"].paragraph_format.first_line_indent = Pt(32)
    _properties(document, found, bulletin)
    _page_number(section)

    def paragraph(text: str, font=BODY_FONT, size=16, bold=False, centre=False, indent=True):
        added = document.add_paragraph()
        if centre:
            added.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif indent:
            added.paragraph_format.first_line_indent = Pt(size * 2)
        _font(_run(added, text), font, size, bold)
        return added

    masthead = _("Zhengzhou Metropolitan Area integration") + " " + _("Quarterly progress bulletin")
    # The red masthead (红头) of an official bulletin.
    paragraph(masthead, HEADING_FONT, 22, bold=True, centre=True).runs[0].font.color.rgb = RED
    if bulletin is not None:
        number = _("No. %(number)s") % {"number": bulletin.number}
        issued = formats.date_format(bulletin.issued_at, "DATE_FORMAT")
        paragraph(f"{number}    {issued}", centre=True)
    else:
        paragraph(_("Preview: not yet issued"), centre=True)
    # Two lines, broken where the title breaks naturally: the plan's name, then the quarter.
    plan, quarter = title_lines(found)
    top = document.add_paragraph(style="Title")
    _run(top, plan).add_break()
    _run(top, quarter)
    if found.sample:
        paragraph(
            _(
                "Sample data: the figures in this bulletin come from made-up demonstration data "
                "and are not real."
            ),
            size=12,
        )
    if found.approved_only:
        paragraph(_("Approved reports only."), size=12)
    if revised:
        paragraph(
            _(
                "The figures have been revised since this bulletin was issued; it keeps the "
                "figures as they stood. The pages show the current figures."
            ),
            size=12,
        )

    def heading(text: str) -> None:
        # Heading 1 keeps with the next paragraph and sets its indent: the style, not the run.
        _run(document.add_paragraph(style="Heading 1"), text)

    heading(_("1. Overall"))
    for sentence in found.overall.sentences():
        paragraph(sentence)
    if found.overall.behind_tasks:
        behind = [
            f"{task.code} {task.display_name}{pgettext('bulletin', ': ')}"
            f"{percent(task.amounts.percent)}%"
            for task in found.overall.behind_tasks
        ]
        paragraph(_("Tasks behind:") + " " + names(behind))

    heading(_("2. By city"))
    _table(
        document,
        _("The cities ranked by completion rate at the end of Q%(quarter)s")
        % {"quarter": found.quarter},
        [
            _("Rank"),
            _("City"),
            pgettext("bulletin", "Completed (100 million yuan)"),
            _("Completion (%)"),
            _("Against the pace (points)"),
            _("Change of rank"),
            _("Start rate (%)"),
            _("Finish rate (%)"),
            _("Closure rate (%)"),
            _("Problems still open"),
        ],
        [
            [
                rank(city.completion.rank),
                city.display_name,
                yi(city.amounts.completed),
                percent(city.amounts.percent),
                points(city.amounts.gap),
                rank_change(city.completion.change, found.quarter),
                percent(city.start.value),
                percent(city.finish.value),
                percent(city.closure.value),
                str(city.open),
            ]
            for city in found.cities
        ],
        numbers={2, 3, 4, 6, 7, 8, 9},
        widths=[10, 14, 19, 15, 17, 13, 15, 15, 15, 15],
    )
    paragraph(city_note(), size=10.5, indent=False)
    for city in found.cities:
        paragraph(city.sentence(found.quarter))

    heading(_("3. By focus area"))
    for area in found.areas:
        paragraph(area.sentence())

    heading(_("4. Key projects"))
    paragraph(found.projects.sentence())
    if found.projects.not_started:
        paragraph(_("Not yet started:") + " " + names(found.projects.not_started))
    if found.projects.not_completed:
        paragraph(_("Not yet completed:") + " " + names(found.projects.not_completed))

    heading(_("5. Problems"))
    paragraph(found.problems.sentence())
    if found.problems.units:
        over = _("Over %(days)s days overdue") % {"days": found.problems.red_days}
        _table(
            document,
            _("Open problems by responsible unit, the longest overdue first"),
            [_("Responsible unit"), pgettext("problems", "Open"), _("Overdue"), over],
            [
                [unit.display_name, str(unit.open), str(unit.overdue), str(unit.red)]
                for unit in found.problems.units
            ],
            numbers={1, 2, 3},
            widths=[70, 26, 26, 34],
        )
        document.add_paragraph()

    heading(_("6. Next steps"))
    for text in found.next_steps_paragraphs or [
        _("The office has not written the next steps yet.")
    ]:
        paragraph(text)

    # 发文机关署名 and 成文日期 at the right, then the 版记 between rules (GB/T 9704).
    day = (
        formats.date_format(bulletin.issued_at, "DATE_FORMAT")
        if bulletin is not None
        else _("(dated when issued)")
    )
    document.add_paragraph()
    for text in (found.issuer, day):
        signed = paragraph(text, indent=False)
        signed.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        signed.paragraph_format.right_indent = Pt(32)
        _keep_with_next(signed)
    document.add_paragraph()
    lines = []
    if found.send_to:
        lines.append(_("To:") + found.send_to)
    if found.copy_to:
        lines.append(_("Copy to:") + found.copy_to)
    printed = (
        _("printed and issued on %(day)s") % {"day": day}
        if bulletin is not None
        else _("not yet issued")
    )
    lines.append(f"{found.issuer}\t{printed}")
    # The first and last rules are heavier than those between the lines.
    for index, text in enumerate(lines):
        line = paragraph(text, size=14, indent=False)
        line.paragraph_format.tab_stops.add_tab_stop(Mm(154), WD_TAB_ALIGNMENT.RIGHT)
        edges = {"bottom": 12 if index == len(lines) - 1 else 4}
        if index == 0:
            edges["top"] = 12
        _rule(line, edges)
        _keep_with_next(line)

    output = BytesIO()
    document.save(output)
    return output.getvalue()


def list_workbook(plan, bulletins) -> BytesIO:
    """The bulletins list as a workbook: each bulletin's quarter, number, date, who issued
    and who countersigned it, and its page's address."""
    book = Workbook(write_only=True)
    headers = [
        _("Quarter"),
        _("Issue"),
        _("Issued"),
        _("Issued by"),
        _("Countersigned by"),
        _("Page"),
    ]
    widths = [14, 10, 16, 18, 18, 60]
    sheet = Sheet(book, _("Bulletins"), headers, widths, header_row=2, bordered=True)
    heading = _("%(plan)s: bulletins") % {"plan": plan.display_title}
    sheet.banner([(centred(sheet, heading), len(widths))], font=TITLE_FONT)
    sheet.start_table()
    for bulletin in bulletins.select_related("countersigned_by"):
        issued = bulletin.is_issued
        sheet.append(
            [
                _("Q%(quarter)s %(year)s") % {"quarter": bulletin.quarter, "year": plan.year},
                _("No. %(number)s") % {"number": bulletin.number}
                if issued
                else str(bulletin.get_status_display()),
                formats.date_format(bulletin.issued_at, "DATE_FORMAT") if issued else "—",
                display_name(bulletin.issued_by) if issued else "—",
                display_name(bulletin.countersigned_by) if bulletin.countersigned_by_id else "—",
                f"{settings.SITE_URL}{bulletin.get_absolute_url()}",
            ]
        )
    if not bulletins:
        sheet.append(["", _("No bulletin has been issued yet.")])
    out = BytesIO()
    book.save(out)
    out.seek(0)
    return out
