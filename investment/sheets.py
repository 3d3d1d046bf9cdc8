"""How the project writes spreadsheets: the Sheet writer, the reports as rows and as CSV, and
the entry template a city fills in and imports.

The leadership workbook (workbook.py) is built from these pieces. Sheets are written in
openpyxl's write-only mode and reports are streamed from the database, so even a large export
holds about one row in memory.
"""

import csv
import io
import math
import tempfile
import unicodedata
from collections.abc import Iterator
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from plan.money import yi
from plan.spreadsheets import FORMULA_STARTS, cell_text, escape_text
from tasks.models import Task

from .figures import Pace, Progress, Scope
from .imports import HEADERS_WRITTEN, MAX_ROWS, PROJECT_LABELS
from .models import ProgressReport
from .quarter import project_sheet, quarter_sheet

YI = "0.00"
PERCENT = "0.0%"
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E8EDF3")
SUBTOTAL_FILL = PatternFill("solid", fgColor="F3F5F8")
WARNING_FILL = PatternFill("solid", fgColor="FFF4CE")
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
# Points: a line of the default 11-point text, Chinese included (LibreOffice's CJK fonts set
# 11 points 16 apart), and the space a bordered row keeps inside its borders.
LINE_HEIGHT = 16
PADDING = 3
TITLE_FONT = Font(bold=True, size=16)  # an official table's title, above its unit line
THIN = Side(style="thin", color="000000")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
# The pages' pace colours; the cell also says the status in words.
PACE_FILLS = {
    Pace.ON_TRACK: PatternFill("solid", fgColor="E6F4EA"),
    Pace.AT_RISK: PatternFill("solid", fgColor="FFF4CE"),
    Pace.BEHIND: PatternFill("solid", fgColor="FDECEA"),
    Pace.NO_TARGET: PatternFill("solid", fgColor="F0F0F0"),
}


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def sample_warning() -> str:
    return "{}: {}".format(
        _("Sample data"),
        _(
            "The city allocations, quarterly reports, project updates and problems shown here are "
            "made up for demonstration and are not real."
        ),
    )


def wan_cell(value: Decimal) -> tuple[Decimal, str]:
    """An amount for Sheet.append to format as 亿元."""
    return (value, YI)


class Sheet:
    """One write-only sheet: a bold, frozen header row and typed, formatted cells, printed on
    A4 landscape one page wide.

    A bordered sheet (an official table) draws a thin grid around every cell of its table;
    the others print the gridlines instead, so no printed table runs its columns together.
    """

    def __init__(
        self,
        book: Workbook,
        title: str,
        headers: list[str],
        widths: list[int],
        header_row=1,
        bordered=False,
    ):
        self.ws = book.create_sheet(title)
        self.rows = 0
        self.widths = widths
        self.bordered = bordered
        self.in_table = False
        a4(self.ws, gridlines=not bordered)
        # A write-only sheet writes its layout before its first row: set it all now.
        for index, width in enumerate(widths, 1):
            self.ws.column_dimensions[get_column_letter(index)].width = width
        self.headers = headers
        self.header_row = header_row
        if headers:
            # The header row stays in view when scrolling and on every printed page.
            self.ws.freeze_panes = f"A{header_row + 1}"
            self.ws.print_title_rows = f"1:{header_row}"

    def start_table(self) -> None:
        assert self.rows + 1 == self.header_row, "the header row is where __init__ was told"
        self.table(self.headers)

    def table(self, headers: list[str]) -> None:
        """A table's header row; a sheet of several short tables starts each with one."""
        cells = [self.cell(text, bold=True, fill=HEADER_FILL) for text in headers]
        for cell in cells:
            cell.alignment = CENTRE  # A header longer than its column takes two lines.
        self.in_table = True
        self.append(cells)

    def banner(self, parts: list[tuple], font: Font | None = None) -> None:
        """A row above the table of (cell, columns it spans) merged across those columns: the
        title, centred over the whole table, or the unit line."""
        row, column, lines = [], 1, 1
        for value, span in parts:
            cell = self._cell(value)
            if not isinstance(cell, Cell):
                cell = WriteOnlyCell(self.ws, value=cell)
            if font is not None:
                cell.font = font
            row += [cell] + [None] * (span - 1)
            last = column + span - 1
            if span > 1:
                self.ws.merged_cells.add(
                    f"{get_column_letter(column)}{self.rows + 1}:"
                    f"{get_column_letter(last)}{self.rows + 1}"
                )
            if isinstance(cell.value, str) and cell.alignment.wrap_text:
                size = (font.sz if font is not None else None) or 11
                # A larger font takes more of the column per character.
                width = sum(self.widths[column - 1 : last]) * 11 // size
                lines = max(lines, text_lines(cell.value, width))
            column = last + 1
        size = (font.sz if font is not None else None) or 11
        self.ws.row_dimensions[self.rows + 1].height = lines * math.ceil(LINE_HEIGHT * size / 11)
        self.ws.append(row)
        self.rows += 1

    def cell(self, value, number_format: str | None = None, bold=False, fill=None) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.ws, value=cell_text(value) if isinstance(value, str) else value)
        if isinstance(value, str) and value.startswith(FORMULA_STARTS):
            # A note like "=HYPERLINK(...)" stays text: Excel never evaluates it.
            cell.data_type = "s"
        if number_format:
            cell.number_format = number_format
            if isinstance(value, str):
                # "—" or "未公布" where a number goes: in the middle of its own cell, so it
                # never reads as part of the amount beside it ("0.00—").
                cell.alignment = Alignment(horizontal="center")
        if bold:
            cell.font = BOLD
        if fill is not None:
            cell.fill = fill
        return cell

    def wrapped(self, text: str) -> WriteOnlyCell:
        """A text that takes as many lines as it needs in its column; its row grows to fit."""
        cell = self.cell(text)
        cell.alignment = WRAP
        return cell

    def append(self, cells: list) -> None:
        # Every text goes through cell(), so no value anywhere can become a formula.
        row = [self._cell(c) for c in cells]
        if self.bordered and self.in_table and row:
            # A short row (a subtotal, "没有项目。") is framed across the whole table.
            row += [None] * (len(self.headers) - len(row))
            row = [self.framed(c) for c in row]
        lines = max(map(self.lines, row, self.widths), default=1)
        if lines > 1 or self.bordered:
            # LibreOffice keeps a row of an xlsx one line high unless the file says otherwise,
            # and prints a wrapped text cut off; beside it, every cell starts at the top.
            padding = PADDING if self.bordered else 0
            self.ws.row_dimensions[self.rows + 1].height = lines * LINE_HEIGHT + padding
            row = [self.at_top(c) for c in row]
        self.ws.append(row)
        self.rows += 1

    @staticmethod
    def lines(cell, width: int) -> int:
        """The lines a wrapped text takes in its column; 1 for anything else."""
        if not (isinstance(cell, Cell) and cell.has_style and isinstance(cell.value, str)):
            return 1
        return text_lines(cell.value, width) if cell.alignment.wrap_text else 1

    def at_top(self, value) -> Cell:
        cell = value if isinstance(value, Cell) else WriteOnlyCell(self.ws, value=value)
        alignment = cell.alignment
        if alignment.vertical != "top":
            cell.alignment = Alignment(
                horizontal=alignment.horizontal, vertical="top", wrap_text=alignment.wrap_text
            )
        return cell

    def framed(self, value) -> Cell:
        cell = value if isinstance(value, Cell) else WriteOnlyCell(self.ws, value=value)
        cell.border = GRID
        return cell

    def _cell(self, value):
        if isinstance(value, str):
            return self.cell(value)
        if isinstance(value, tuple):  # (value, number format), as wan_cell gives
            return self.cell(*value)
        return value

    def progress_cells(self, progress: Progress, bold=False) -> list[WriteOnlyCell]:
        """Target, completed, % and pace, as the pages show them."""
        percent = None if progress.percent is None else progress.percent / 100
        return [
            self.amount(progress.target, bold),
            self.cell(progress.completed, YI, bold),
            self.cell(percent if percent is not None else "—", PERCENT, bold),
            self.pace(progress.pace),
        ]

    def amount(self, value: Decimal | None, bold=False) -> WriteOnlyCell:
        # "未公布" where the source states none: never a 0 that would read as a target.
        return self.cell(yi(None) if value is None else value, YI, bold)

    def pace(self, pace: Pace) -> WriteOnlyCell:
        return self.cell(str(pace.label), fill=PACE_FILLS[pace])


def centred(sheet: Sheet, text: str) -> Cell:
    """A table's title: bold, centred over the columns it is merged across."""
    cell = sheet.cell(text, bold=True)
    cell.alignment = CENTRE
    return cell


def serial(sheet: Sheet, number: int) -> Cell:
    """序号, in the middle of its narrow column."""
    cell = sheet.cell(number)
    cell.alignment = Alignment(horizontal="center")
    return cell


def text_lines(text: str, width: int) -> int:
    """The lines `text` takes wrapped in a column `width` characters wide."""
    usable = max(width - 1, 1)
    return sum(max(1, math.ceil(text_width(line) / usable)) for line in text.split("\n"))


def text_width(line: str) -> int:
    # A Chinese character is about as wide as two digits.
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)


def a4(ws, gridlines: bool) -> None:
    """Print on A4 landscape, as wide as the page and as many pages long as it takes, each page
    numbered; the gridlines printed where the table draws no borders of its own."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = gridlines
    ws.print_options.horizontalCentered = True
    # Narrower than Excel's default margins (inches): more rows on each page.
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.6, header=0.2, footer=0.25)
    ws.oddFooter.center.text = _("&A, page &P of &N")


def report_rows(reports) -> Iterator[list]:
    """Each report as a row: the import's six columns first, so the file can be read back."""
    status = dict(ProgressReport.Status.choices)
    for report in (
        reports.select_related("task__area", "city", "updated_by")
        .order_by("year", "quarter", "task__area__number", "task__number", "city__order")
        .iterator(chunk_size=2000)
    ):
        yield [
            report.task.code,
            report.city.name,
            report.year,
            report.quarter,
            report.amount,
            report.note,
            str(status[report.status]),
            report.updated_by.get_username() if report.updated_by else "",
            timezone.localtime(report.updated_at).strftime("%Y-%m-%d %H:%M"),
            _("yes") if report.is_sample else "",
        ]


def report_headers() -> list[str]:
    english = get_language() == "en"
    return [en if english else zh for zh, en in HEADERS_WRITTEN.values()] + [
        _("status"),
        _("last changed by"),
        _("last changed at"),
        _("sample data"),
    ]


def scope_reports(scope: Scope):
    """The scope's reports that count, as its figures count them: never a draft or a returned
    report, and approved ones only when the figures are."""
    reports = scope.figures.reports().filter(
        task__in=Task.objects.filter(scope.tasks_filter).values("pk")
    )
    return reports.filter(city=scope.city) if scope.city else reports


def reports_csv(scope: Scope) -> Iterator[str]:
    """The scope's raw reports as CSV lines, UTF-8 with a BOM so Excel opens it in Chinese."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(report_headers())
    yield "\ufeff" + buffer.getvalue()
    for values in report_rows(scope_reports(scope)):
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([escape_text(v) if isinstance(v, str) else v for v in values])
        yield buffer.getvalue()


def entry_template(plan, city, quarter: int) -> tempfile.SpooledTemporaryFile:
    """A city's entry workbook for one quarter: its tasks' amounts and notes on the first sheet,
    its key projects' sections on the 重点项目 sheet; fill them in, then import the file.

    The columns the import reads carry its headers; the others (title, allocation, total so
    far, the earlier quarter) are for the clerk's reference and ignored on import.
    """
    book = Workbook(write_only=True)
    report_entry(book, plan, city, quarter)
    project_entry(book, plan, city, quarter)
    notes = Sheet(book, _("How to fill it in"), [], [100])
    for line in (
        _(
            "Enter this quarter's completed investment in 亿元 "
            "(not the year-to-date total, not 万元)."
        ),
        _("Leave a task's row empty if there is nothing to report for it this quarter."),
        _(
            "Do not change the code, city, year or quarter columns; "
            "the other columns are for reference."
        ),
        _(
            "On the 重点项目 sheet, each key project's section in the city: write its 形象进度 "
            "at the end of the quarter and its 当前阶段 (前期, 在建 or 建成); the amount is "
            "optional. Leave a row empty if there is nothing to report."
        ),
        _("Save as .xlsx, or as CSV (UTF-8 or GBK), and import it under 季度填报 → 导入."),
        _("A CSV file holds the first sheet only: import the 重点项目 sheet as .xlsx."),
    ):
        notes.append([line])
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    book.save(out)
    out.seek(0)
    return out


def report_entry(book: Workbook, plan, city, quarter: int) -> None:
    headers = [
        "任务编号",
        _("Task"),
        "城市",
        "年度",
        "季度",
        _("Allocation (亿元)"),
        _("Reported before this quarter (亿元)"),
        "完成投资(亿元)",
        "进展情况",
    ]
    sheet = Sheet(book, _("Entry"), headers, [10, 40, 10, 8, 8, 14, 18, 16, 50])
    sheet.start_table()
    for row in quarter_sheet(plan, city, quarter):
        task = row.task
        sheet.append(
            [
                task.code,
                task.display_title,
                city.name,
                plan.year,
                quarter,
                sheet.amount(row.allocation) if row.allocation is not None else None,
                sheet.cell(row.cumulative_before, YI),
                sheet.cell(None, "0.00##"),
                None,
            ]
        )


def project_entry(book: Workbook, plan, city, quarter: int) -> None:
    """The 重点项目 sheet: one row per key project with a section in the city."""
    labels = PROJECT_LABELS
    headers = [
        labels["project_id"],
        labels["project"],
        _("Task"),
        labels["city"],
        labels["year"],
        labels["quarter"],
        _("Earlier quarter"),
        labels["progress"],
        labels["stage"],
        labels["amount"],
    ]
    sheet = Sheet(book, _("Key projects"), headers, [10, 40, 8, 10, 8, 8, 40, 50, 12, 20])
    rows = project_sheet(plan, city, quarter)
    # 当前阶段 offers the three stages (the import reads them in Chinese or English).
    stages = DataValidation(type="list", formula1='"前期,在建,建成"', allow_blank=True)
    stages.add(f"I2:I{MAX_ROWS + 1}")
    sheet.ws.data_validations.append(stages)
    sheet.start_table()
    for row in rows:
        sheet.append(
            [
                row.project.pk,
                row.project.name,
                row.project.task.code,
                city.name,
                plan.year,
                quarter,
                earlier_text(row.earlier),
                None,
                None,
                sheet.cell(None, "0.00##"),
            ]
        )


def earlier_text(update) -> str:
    """The section's latest earlier update, for reference: its quarter, stage and progress."""
    if update is None:
        return ""
    stage = _("Q%(quarter)s: %(stage)s") % {
        "quarter": update.quarter,
        "stage": update.get_stage_display(),
    }
    return f"{stage} · {update.progress}"
