"""Uploaded .xlsx and .csv files read into rows with known columns, within bounds.

`read_table` gives the first sheet's rows (the reports: 任务编号, 城市, ...) and, when a
workbook has a sheet named 重点项目, that sheet's rows (the project updates) beside them. A file
is refused whole (`FileRefused`) when it is too large, not a spreadsheet, or lacks a column; the
rows' values are checked later, by the import (imports.py).
"""

import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import load_workbook

MAX_BYTES = 5 * 1024 * 1024
# A quarter's import is at most a few thousand rows; anything far beyond is refused before it
# is read, since a small file can declare a million rows or gigabytes of text (see _sheet_rows).
MAX_ROWS = 5000
MAX_COLUMNS = 50
MAX_UNCOMPRESSED = 10 * 1024 * 1024
MAX_SHARED_STRINGS = 100_000
SHARED_STRING = re.compile(rb"<(?:\w+:)?si[\s/>]")

# Column -> the headers it may have, compared after normalising (see header_key).
COLUMNS = {
    "task": ["任务编号", "任务代码", "编号", "task", "taskcode", "code"],
    "city": ["城市", "city"],
    "year": ["年度", "年份", "year"],
    "quarter": ["季度", "quarter"],
    "amount": ["完成投资(亿元)", "本季度完成投资(亿元)", "完成投资", "amount_yi", "amount"],
    "note": ["进展情况", "备注", "note"],
    "status": ["状态", "status"],
}
REQUIRED = ["task", "city", "year", "quarter", "amount"]
# Each column's headers as exports write them, Chinese and English; the Chinese one is also
# what messages call the column.
HEADERS_WRITTEN = {
    "task": ("任务编号", "task"),
    "city": ("城市", "city"),
    "year": ("年度", "year"),
    "quarter": ("季度", "quarter"),
    "amount": ("完成投资(亿元)", "amount_yi"),
    "note": ("进展情况", "note"),
}
LABELS = {column: chinese for column, (chinese, _english) in HEADERS_WRITTEN.items()}


# The 重点项目 sheet: a project by its 项目编号 (as the entry template writes it) or its name.
PROJECT_COLUMNS = {
    "project_id": ["项目编号", "项目id", "projectid", "project_id"],
    "project": ["项目名称", "项目", "project", "projectname"],
    "city": ["城市", "city"],
    "year": ["年度", "年份", "year"],
    "quarter": ["季度", "quarter"],
    "progress": ["形象进度", "progress"],
    "stage": ["当前阶段", "季末阶段", "阶段", "stage"],
    "amount": ["本季度完成投资(亿元)", "完成投资(亿元)", "本季度完成(亿元)", "amount_yi", "amount"],
}
PROJECT_REQUIRED = ["city", "year", "quarter", "progress", "stage"]
# The first header of each column is the one written, and what messages call the column.
PROJECT_LABELS = {column: headers[0] for column, headers in PROJECT_COLUMNS.items()}
# The sheet's name, as the entry template writes it in Chinese and in English.
PROJECT_SHEET_TITLES = ("重点项目", "Key projects")

QUARTER_WORDS = {"一": 1, "二": 2, "三": 3, "四": 4}
THOUSANDS = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?")


class FileRefused(ValueError):
    """The file as a whole cannot be read; the message says why, in the user's words."""


def header_key(text) -> str:
    text = unicodedata.normalize("NFKC", str(text or "")).strip().lower()
    return re.sub(r"\s+", "", text)


HEADERS = {header_key(alias): column for column, aliases in COLUMNS.items() for alias in aliases}
PROJECT_HEADERS = {
    header_key(alias): column for column, aliases in PROJECT_COLUMNS.items() for alias in aliases
}


@dataclass
class Table:
    """A file's rows, each with its row number in the file (the header is row 1) and its cells
    by column: the first sheet's (the reports), and the 重点项目 sheet's or None when the file
    has no such sheet. Blank rows are left out; the others keep their numbers."""

    reports: list[tuple[int, dict]]
    projects: list[tuple[int, dict]] | None = None


def read_table(data: bytes) -> Table:
    """The rows of an uploaded .xlsx or .csv (UTF-8, with or without BOM, or GBK) file.

    The first row of a sheet must hold the column names; columns the import does not know are
    ignored (the entry template carries titles and totals for the clerk's reference).
    """
    if not data:
        raise FileRefused(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise FileRefused(
            _("The file is %(size)s MB; files up to %(limit)s MB can be imported.")
            % {"size": f"{len(data) / 1024 / 1024:.1f}", "limit": MAX_BYTES // 1024 // 1024}
        )
    if data[:4] == b"PK\x03\x04":
        first, projects = _xlsx_sheets(data)
    else:
        first, projects = _csv_rows(data), None
    table = Table(_rows(_bounded(first), HEADERS, _missing_reports))
    if projects is not None:
        table.projects = _rows(_bounded(projects), PROJECT_HEADERS, _missing)
    if not table.reports and not table.projects:
        raise FileRefused(_("The file has column names but no rows."))
    return table


def _rows(rows, headers: dict, missing) -> list[tuple[int, dict]]:
    """The rows after the header row, each as (its number in the file, its cells by column)."""
    header = next(rows, None) or []
    found = {}
    for index, name in enumerate(header):
        column = headers.get(header_key(name))
        if column in found:
            raise FileRefused(_("The column %(name)s appears twice.") % {"name": name})
        if column:
            found[column] = index
    missing(found)
    table = []
    for number, row in enumerate(rows, start=2):
        row = list(row)
        cells = {column: row[index] for column, index in found.items() if index < len(row)}
        if any(text_of(value) for value in cells.values()):
            table.append((number, cells))
    return table


def _missing_reports(found: dict) -> None:
    missing = [LABELS[column] for column in REQUIRED if column not in found]
    if missing:
        raise FileRefused(
            _(
                "Missing columns: %(missing)s. The first row must name the columns: "
                "任务编号, 城市, 年度, 季度, 完成投资(亿元), 进展情况."
            )
            % {"missing": "、".join(missing)}
        )


def _missing(found: dict) -> None:
    missing = [PROJECT_LABELS[column] for column in PROJECT_REQUIRED if column not in found]
    if "project_id" not in found and "project" not in found:
        missing.insert(0, PROJECT_LABELS["project"])
    if missing:
        raise FileRefused(
            _(
                "The sheet 重点项目 lacks the columns %(missing)s. Its first row must name the "
                "columns: 项目编号 or 项目名称, 城市, 年度, 季度, 形象进度, 当前阶段, "
                "本季度完成投资(亿元)."
            )
            % {"missing": "、".join(missing)}
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
    """Refuse an xlsx whose parts unpack to more than MAX_UNCOMPRESSED, or whose shared-strings
    table holds more than MAX_SHARED_STRINGS, before openpyxl reads any of it.

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
    # zipfile raises NotImplementedError for a compression method it cannot read.
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError) as error:
        raise FileRefused(_("This is not a readable .xlsx workbook.")) from error


def _xlsx_sheets(data: bytes):
    """The rows of the workbook's first sheet, and of its 重点项目 sheet or None."""
    _check_zip(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        # The entry sheet is the first; a workbook saved by WPS may have others after it.
        first = book.worksheets[0]
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError) as error:
        raise FileRefused(_("This is not a readable .xlsx workbook.")) from error
    titles = {header_key(title) for title in PROJECT_SHEET_TITLES}
    projects = next(
        (sheet for sheet in book.worksheets[1:] if header_key(sheet.title) in titles), None
    )
    return _sheet_rows(first), None if projects is None else _sheet_rows(projects)


def _sheet_rows(sheet):
    # The declared size (<dimension>), when there is one; the rows are counted anyway.
    if (sheet.max_row or 0) > MAX_ROWS + 1 or (sheet.max_column or 0) > MAX_COLUMNS:
        raise too_large()
    # Beyond the declared or the largest allowed width, cells are not even looked at.
    width = min(sheet.max_column or MAX_COLUMNS, MAX_COLUMNS)
    rows = sheet.iter_rows(max_row=MAX_ROWS + 2, max_col=width, values_only=True)
    try:
        yield from rows
    except (KeyError, ValueError, TypeError, zipfile.BadZipFile) as error:
        # A cell openpyxl cannot read (a numeric cell of "nan", a broken part).
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
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    try:
        yield from csv.reader(io.StringIO(text), dialect)
    except csv.Error as error:
        raise FileRefused(_("This is neither an .xlsx workbook nor a CSV file.")) from error


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
