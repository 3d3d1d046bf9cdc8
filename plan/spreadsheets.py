"""What every spreadsheet of the project shares: formula escaping, the admin's export formats,
the Sheet writer the workbooks and the entry template are built with (openpyxl's write-only
mode, so even a large export holds about one row in memory), and the bounded reader of
uploaded .xlsx and CSV files (`read_sheets`, `read_workbook`) with the parsers of what clerks
type in them, and the keeping of an upload between its preview and its confirm.

Notes and titles are typed by people; a cell that starts like a formula must reach Excel as
text, or a note such as =HYPERLINK(...) would run when leadership opens the file.
"""

import csv
import functools
import io
import math
import re
import secrets
import unicodedata
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from xml.etree.ElementTree import ParseError

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.timezone import now
from django.utils.translation import gettext as _
from import_export.formats.base_formats import CSV, XLSX
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from plan.forms import CONTROL_CHARACTERS
from plan.money import yi

FORMULA_STARTS = ("=", "+", "-", "@")


def cell_text(value: str) -> str:
    """A stored text as a cell may hold it: without the control characters openpyxl refuses
    (entry refuses them too, but a writer must never fail on what is already stored)."""
    return CONTROL_CHARACTERS.sub("", value)


def escape_text(value: str) -> str:
    """A text a spreadsheet would read as a formula, made plain text (the OWASP way)."""
    value = cell_text(value)
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


class EscapedXLSX(XLSX):
    """xlsx export that escapes formula cells only, so amounts stay numbers Excel can sum.

    IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT would turn every cell into text instead.
    """

    def export_data(self, dataset, **kwargs):
        # Control characters already stored (from before entry refused them) never fail it.
        for index, row in enumerate(dataset):
            dataset[index] = [cell_text(v) if isinstance(v, str) else v for v in row]
        return super().export_data(dataset, escape=True, **kwargs)


class EscapedCSV(CSV):
    """CSV export with a BOM (Excel then reads it as UTF-8) and formula-like texts escaped."""

    def export_data(self, dataset, **kwargs):
        for index, row in enumerate(dataset):
            dataset[index] = [escape_text(v) if isinstance(v, str) else v for v in row]
        return "\ufeff" + super().export_data(dataset, **kwargs)


YI = "0.00"
PERCENT = "0.0%"
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="E8EDF3")
SUBTOTAL_FILL = PatternFill("solid", fgColor="F3F5F8")
WARNING_FILL = PatternFill("solid", fgColor="FFF4CE")
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
MIDDLE = Alignment(horizontal="center")  # a short text or a number in the middle of its column
RIGHT = Alignment(horizontal="right")
# Points: a line of the default 11-point text, Chinese included (LibreOffice's CJK fonts set
# 11 points 16 apart), and the space a bordered row keeps inside its borders.
LINE_HEIGHT = 16
PADDING = 3
TITLE_FONT = Font(bold=True, size=16)  # an official table's title, above its unit line
THIN = Side(style="thin", color="000000")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
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

    A cell's style is made once per sheet and copied to every cell that has it (`style`):
    openpyxl hashes the font, fill, border and alignment each time one is set on a cell, which
    was most of the time a sheet of thousands of rows took.
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
        # The styles made so far: by what they are made of (see style), and by the style they
        # frame or move to the top of the cell (see placed).
        self.styles: dict[tuple, tuple[StyleArray, tuple]] = {}
        self.placed_styles: dict[tuple, StyleArray] = {}
        self.wraps: dict[int, bool] = {}  # Whether each alignment (by its index) wraps.
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
        # A header longer than its column takes two lines.
        cells = [self.cell(text, bold=True, fill=HEADER_FILL, alignment=CENTRE) for text in headers]
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

    def cell(
        self,
        value,
        number_format: str | None = None,
        bold=False,
        fill: PatternFill | None = None,
        alignment: Alignment | None = None,
    ) -> WriteOnlyCell:
        if isinstance(value, str):
            value = cell_text(value)  # Cleaned first: "\x0b=1+1" is a formula once cleaned.
        cell = WriteOnlyCell(self.ws, value=value)
        if isinstance(value, str) and value.startswith(FORMULA_STARTS):
            # A note like "=HYPERLINK(...)" stays text: Excel never evaluates it.
            cell.data_type = "s"
        if number_format and isinstance(value, str) and alignment is None:
            # "—" or "未公布" where a number goes: in the middle of its own cell, so it never
            # reads as part of the amount beside it ("0.00—").
            alignment = MIDDLE
        if number_format or bold or fill is not None or alignment is not None:
            style = self.style(BOLD if bold else None, fill, alignment, number_format)
            cell._style = StyleArray(style)  # A copy: what is set on the cell later is its own.
        return cell

    def style(self, font, fill, alignment, number_format) -> StyleArray:
        """The style of this font, fill, alignment and number format (None: the default), made
        once. The objects are known by their identity, which costs nothing to hash, and kept
        with the style so that no other object takes their identity while the sheet lives:
        pass shared ones (BOLD, WRAP, a module's fills), or each new one makes a new style."""
        key = (id(font), id(fill), id(alignment), number_format)
        if key not in self.styles:
            model = WriteOnlyCell(self.ws)
            model._style = StyleArray()
            if font is not None:
                model.font = font
            if fill is not None:
                model.fill = fill
            if alignment is not None:
                model.alignment = alignment
            if number_format:
                model.number_format = number_format
            self.styles[key] = (model._style, (font, fill, alignment))
        return self.styles[key][0]

    def wrapped(self, text: str) -> WriteOnlyCell:
        """A text that takes as many lines as it needs in its column; its row grows to fit."""
        return self.cell(text, alignment=WRAP)

    def append(self, cells: list) -> None:
        # Every text goes through cell(), so no value anywhere can become a formula.
        row = [self._cell(c) for c in cells]
        framed = self.bordered and self.in_table and bool(row)
        if framed:
            # A short row (a subtotal, "没有项目。") is framed across the whole table.
            row += [None] * (len(self.headers) - len(row))
        lines = max(map(self.lines, row, self.widths), default=1)
        top = lines > 1 or self.bordered
        if top:
            # LibreOffice keeps a row of an xlsx one line high unless the file says otherwise,
            # and prints a wrapped text cut off; beside it, every cell starts at the top.
            padding = PADDING if self.bordered else 0
            self.ws.row_dimensions[self.rows + 1].height = lines * LINE_HEIGHT + padding
        if framed or top:
            row = [self.placed(c, framed, top) for c in row]
        self.ws.append(row)
        self.rows += 1

    def lines(self, cell, width: int) -> int:
        """The lines a wrapped text takes in its column; 1 for anything else."""
        if not (isinstance(cell, Cell) and cell.has_style and isinstance(cell.value, str)):
            return 1
        alignment = cell._style.alignmentId
        if alignment not in self.wraps:
            self.wraps[alignment] = bool(cell.alignment.wrap_text)
        return text_lines(cell.value, width) if self.wraps[alignment] else 1

    def placed(self, value, framed: bool, top: bool) -> Cell:
        """The cell (made of `value` if it is none), framed in the thin grid and starting at
        the top of its row as told; each such style made once from the cell's own."""
        cell = value if isinstance(value, Cell) else WriteOnlyCell(self.ws, value=value)
        style = cell._style if cell._style is not None else StyleArray()
        key = (tuple(style), framed, top)
        made = self.placed_styles.get(key)
        if made is None:
            model = WriteOnlyCell(self.ws)
            model._style = StyleArray(style)
            alignment = model.alignment
            if top and alignment.vertical != "top":
                model.alignment = Alignment(
                    horizontal=alignment.horizontal, vertical="top", wrap_text=alignment.wrap_text
                )
            if framed:
                model.border = GRID
            made = self.placed_styles[key] = model._style
        cell._style = StyleArray(made)
        return cell

    def _cell(self, value):
        if isinstance(value, str):
            return self.cell(value)
        if isinstance(value, tuple):  # (value, number format), as wan_cell gives
            return self.cell(*value)
        return value

    def amount(self, value: Decimal | None, bold=False) -> WriteOnlyCell:
        # "未公布" where the source states none: never a 0 that would read as a target.
        return self.cell(yi(None) if value is None else value, YI, bold)


def centred(sheet: Sheet, text: str) -> Cell:
    """A table's title: bold, centred over the columns it is merged across."""
    return sheet.cell(text, bold=True, alignment=CENTRE)


def serial(sheet: Sheet, number: int) -> Cell:
    """序号, in the middle of its narrow column."""
    return sheet.cell(number, alignment=MIDDLE)


def text_lines(text: str, width: int) -> int:
    """The lines `text` takes wrapped in a column `width` characters wide."""
    usable = max(width - 1, 1)
    return sum(max(1, math.ceil(text_width(line) / usable)) for line in text.split("\n"))


def text_width(line: str) -> int:
    return sum(map(char_width, line))


@functools.cache
def char_width(character: str) -> int:
    # A Chinese character is about as wide as two digits.
    return 2 if unicodedata.east_asian_width(character) in "WF" else 1


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


# Reading uploaded spreadsheets: bounded before and while they are read, since a small file
# can declare a million rows or gigabytes of text.

MAX_BYTES = 5 * 1024 * 1024
# An upload is at most a few thousand rows (a quarter's import); anything far beyond is refused
# before it is read (see _sheet_rows).
MAX_ROWS = 5000
MAX_COLUMNS = 50
MAX_UNCOMPRESSED = 10 * 1024 * 1024
MAX_SHARED_STRINGS = 100_000
SHARED_STRING = re.compile(rb"<(?:\w+:)?si[\s/>]")
SHEET_ROW = re.compile(rb"<(?:\w+:)?row[\s/>]")
SHEET_PART = re.compile(r"xl/worksheets/[^/]+\.xml", re.IGNORECASE)

QUARTER_WORDS = {"一": 1, "二": 2, "三": 3, "四": 4}
THOUSANDS = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?")


class FileRefused(ValueError):
    """The file as a whole cannot be read; the message says why, in the user's words."""


def header_key(text) -> str:
    text = unicodedata.normalize("NFKC", str(text or "")).strip().lower()
    return re.sub(r"\s+", "", text)


def read_sheets(data: bytes, titles: tuple[str, ...] = ()):
    """The rows of an uploaded .xlsx workbook's first sheet or of a CSV file (UTF-8, with or
    without BOM, or GBK), and of the workbook's first other sheet titled one of `titles` (None
    when it has none), each read lazily and refused (`FileRefused`) as soon as it passes
    MAX_ROWS or MAX_COLUMNS, the header row included."""
    if not data:
        raise FileRefused(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise too_big(len(data))
    if data[:4] == b"PK\x03\x04":
        first, other = _xlsx_sheets(data, titles)
    else:
        first, other = _csv_rows(data), None
    return _bounded(first), None if other is None else _bounded(other)


def too_big(size: int) -> FileRefused:
    return FileRefused(
        _("The file is %(size)s MB; files up to %(limit)s MB can be imported.")
        % {"size": f"{size / 1024 / 1024:.1f}", "limit": MAX_BYTES // 1024 // 1024}
    )


def too_large() -> FileRefused:
    return FileRefused(
        _(
            "The file has more than %(rows)s rows or %(columns)s columns, or more text than a "
            "quarter's figures need; split it, or remove the empty rows and columns."
        )
        % {"rows": MAX_ROWS, "columns": MAX_COLUMNS}
    )


def _bounded(rows):
    """The rows, header included, refusing the file as soon as it passes MAX_ROWS or MAX_COLUMNS."""
    for count, row in enumerate(rows):
        if count > MAX_ROWS or len(row) > MAX_COLUMNS:
            raise too_large()
        yield row


def _check_zip(data: bytes) -> None:
    """Refuse an xlsx whose parts unpack to more than MAX_UNCOMPRESSED, whose shared-strings
    table holds more than MAX_SHARED_STRINGS, or a sheet of which holds more than MAX_ROWS rows
    (a header and MAX_ROWS rows: a row is counted as cheaply as a string), before openpyxl
    reads any of it.

    zipfile never unpacks a member past its declared size, so the declared sizes bound the work.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > 200 or sum(m.file_size for m in members) > MAX_UNCOMPRESSED:
                raise too_large()
            for member in members:
                if member.filename.lower().endswith("sharedstrings.xml"):
                    strings = archive.read(member)
                    if sum(1 for _match in SHARED_STRING.finditer(strings)) > MAX_SHARED_STRINGS:
                        raise too_large()
                elif SHEET_PART.fullmatch(member.filename):
                    rows = archive.read(member)
                    if sum(1 for _match in SHEET_ROW.finditer(rows)) > MAX_ROWS + 1:
                        raise too_large()
    # zipfile raises NotImplementedError for a compression method it cannot read.
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError) as error:
        raise FileRefused(_("This is not a readable .xlsx workbook.")) from error


def _xlsx_sheets(data: bytes, titles: tuple[str, ...]):
    """The rows of the workbook's first sheet, and of its first other sheet titled one of
    `titles`, or None."""
    _check_zip(data)
    try:
        # Each cell's value as Excel last computed it, and beside it each formula: a formula
        # no program ever computed (a file written by a script) has no value, and is read as
        # its formula, so that the clerk is told what the cell holds, not "please fill it in".
        values = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        formulas = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        # The sheet read is the first; a workbook saved by WPS may have others after it.
        first = _computed(values.worksheets[0], formulas.worksheets[0])
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError, ParseError) as error:
        raise FileRefused(_("This is not a readable .xlsx workbook.")) from error
    keys = {header_key(title) for title in titles}
    other = next(
        (i for i, sheet in enumerate(values.worksheets) if i and header_key(sheet.title) in keys),
        None,
    )
    if other is None:
        return first, None
    return first, _computed(values.worksheets[other], formulas.worksheets[other])


def read_workbook(data: bytes) -> dict[str, Iterator[list]]:
    """Every sheet of an uploaded .xlsx workbook by its title, each sheet's rows read lazily
    and refused (`FileRefused`) as `read_sheets` refuses them: past MAX_ROWS or MAX_COLUMNS,
    or a workbook that unpacks to more than MAX_UNCOMPRESSED in all."""
    if not data:
        raise FileRefused(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise too_big(len(data))
    if data[:4] != b"PK\x03\x04":
        raise FileRefused(_("This is not a readable .xlsx workbook."))
    _check_zip(data)
    try:
        values = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        formulas = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError, ParseError) as error:
        raise FileRefused(_("This is not a readable .xlsx workbook.")) from error
    return {
        sheet.title: _bounded(_computed(sheet, written))
        for sheet, written in zip(values.worksheets, formulas.worksheets, strict=False)
    }


def _computed(values, formulas):
    """The rows of a sheet, a cell without a computed value read as its formula."""
    for row, written in zip(_sheet_rows(values), _sheet_rows(formulas), strict=False):
        yield [
            formula if value is None and isinstance(formula, str) else value
            for value, formula in zip(row, written, strict=False)
        ]


def _sheet_rows(sheet):
    # The declared size (<dimension>), when there is one; the rows are counted anyway.
    if (sheet.max_row or 0) > MAX_ROWS + 1 or (sheet.max_column or 0) > MAX_COLUMNS:
        raise too_large()
    # Beyond the declared or the largest allowed width, cells are not even looked at.
    width = min(sheet.max_column or MAX_COLUMNS, MAX_COLUMNS)
    rows = sheet.iter_rows(max_row=MAX_ROWS + 2, max_col=width, values_only=True)
    try:
        yield from rows
    # A cell XML cannot hold (U+FFFF) is a ParseError, in English: said in the reader's words.
    except (KeyError, IndexError, ValueError, TypeError, zipfile.BadZipFile, ParseError) as error:
        # A cell openpyxl cannot read (a numeric cell of "nan", a broken part, a shared
        # string past the table).
        raise FileRefused(_("This is not a readable .xlsx workbook.")) from error


def _csv_rows(data: bytes):
    if b"\x00" in data[:4096] or data[:5] == b"%PDF-":
        raise FileRefused(_("This is neither an .xlsx workbook nor a CSV file."))
    # Chinese Excel and WPS save CSV in GBK; GB18030 reads GBK and more.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise FileRefused(_("The CSV file is neither UTF-8 nor GBK text."))
    # Excel's own hint of the delimiter, as its first line: sep=;
    hint = re.match(r"sep=([,;\t])\r?\n", text)
    if hint:
        text = text[hint.end() :]
    try:
        # Only the delimiter is guessed: a quote character guessed from a note's own quotes
        # (''一期'') would cut other notes short.
        delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",\t;").delimiter
    except csv.Error:
        delimiter = ","
    # newline="": a line may end in \r\n, \n or a lone \r (old Mac Excel).
    rows = io.StringIO(text, newline="")
    try:
        yield from csv.reader(rows, delimiter=hint[1] if hint else delimiter)
    except csv.Error as error:
        raise FileRefused(_("This is neither an .xlsx workbook nor a CSV file.")) from error


# An upload waiting for its confirm: kept in the default storage (so every host of several finds
# it), under a random name, until the confirm takes it; a user keeps her latest few, none for
# more than a day.
UPLOADS = "import-uploads"
TOKEN = re.compile(r"[0-9a-f]{32}")
KEPT_SECONDS = 24 * 3600
KEPT_PER_USER = 3


def keep_upload(data: bytes, user) -> str:
    """Keep an upload for its confirm; the token that names it. The user's older uploads
    beyond the latest few, and anyone's older than a day, are removed."""
    token = secrets.token_hex(16)
    default_storage.save(f"{UPLOADS}/{user.pk}-{token}", ContentFile(data))
    kept = {}
    for name in default_storage.listdir(UPLOADS)[1]:
        try:
            kept[name] = default_storage.get_modified_time(f"{UPLOADS}/{name}")
        except FileNotFoundError:  # Confirmed meanwhile.
            continue
    mine = sorted((name for name in kept if name.startswith(f"{user.pk}-")), key=kept.get)
    old = {name for name, saved in kept.items() if (now() - saved).total_seconds() > KEPT_SECONDS}
    for name in old.union(mine[:-KEPT_PER_USER]):
        default_storage.delete(f"{UPLOADS}/{name}")
    return token


def take_upload(token: str, user) -> bytes | None:
    """The upload `user` kept under `token`, removed so that it is confirmed once; None when
    there is none (confirmed already, expired, or not hers)."""
    if not TOKEN.fullmatch(token or ""):
        return None
    kept = f"{UPLOADS}/{user.pk}-{token}"
    try:
        with default_storage.open(kept) as file:
            data = file.read()
    except OSError:
        return None
    default_storage.delete(kept)
    return data


def parse_amount(value) -> Decimal:
    """An amount as clerks write it: 12.5, １２．５, 1,234.5; never a guess."""
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int | float | Decimal):
        # A float from a workbook is its shortest decimal form: 12.3, not 12.2999...
        amount = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if not amount.is_finite():  # A numeric cell of 1e309 is read as infinity.
            raise ValueError
        return amount
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))
    if "," in text:
        if not THOUSANDS.fullmatch(text):
            raise ValueError
        text = text.replace(",", "")
    if not re.fullmatch(r"-?\d+(\.\d+)?", text):
        raise ValueError
    return Decimal(text)


def parse_quarter(value) -> int:
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value))).upper()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    match = re.fullmatch(r"(?:\d{4})?Q?([1-4])|第?([一二三四1-4])季度?", text)
    if not match:
        raise ValueError
    digit = match[1] or match[2]
    return QUARTER_WORDS.get(digit) or int(digit)


def text_of(value) -> str:
    """A cell as text: NFKC-folded and stripped; a whole number read as 3.0 is "3"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()
