"""Uploaded .xlsx and .csv files read into rows with known columns, within bounds.

`read_table` gives the first sheet's rows (the reports: 任务编号, 城市, ...) and, when a
workbook has a sheet named 重点项目, that sheet's rows (the project updates) beside them. A file
is refused whole (`FileRefused`) when it is too large, not a spreadsheet, or lacks a column; the
rows' values are checked later, by the import (imports.py).
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from plan.spreadsheets import FileRefused, header_key, read_sheets, text_of

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
    first, projects = read_sheets(data, PROJECT_SHEET_TITLES)
    table = Table(_rows(first, HEADERS, _missing_reports))
    if projects is not None:
        table.projects = _rows(projects, PROJECT_HEADERS, _missing)
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
