"""A dataset's rows as a file: CSV (UTF-8 with a BOM, so Excel opens it in Chinese), XLSX
(the Chinese names as headers, the field dictionary on a second sheet) or JSON; and the field
dictionary itself. The keys are the CSV's and the JSON's names."""

import csv
import io
import json
from collections.abc import Iterator

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _
from openpyxl import Workbook

from opendata.datasets import Dataset, OpenYear
from plan.spreadsheets import cell_text, escape_text

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json; charset=utf-8",
}


def dictionary_rows(dataset: Dataset) -> list[list[str]]:
    """数据项说明: field, Chinese name, type, unit, definition (口径)."""
    return [
        [field.key, field.chinese, str(field.kind.label), str(field.unit), str(field.definition)]
        for field in dataset.fields
    ]


def dictionary_headers() -> list[str]:
    return [_("field"), _("Chinese name"), _("type"), _("unit of measure"), _("definition")]


def csv_lines(headers: list[str], rows: Iterator[list]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    yield "\ufeff" + buffer.getvalue()
    for values in rows:
        buffer.seek(0)
        buffer.truncate()
        # A text a spreadsheet would read as a formula is made plain text.
        writer.writerow([escape_text(v) if isinstance(v, str) else v for v in values])
        yield buffer.getvalue()


def values(dataset: Dataset, year: OpenYear) -> Iterator[list]:
    for row in dataset.rows(year):
        yield [row[field.key] for field in dataset.fields]


def as_csv(dataset: Dataset, year: OpenYear) -> Iterator[str]:
    return csv_lines([field.key for field in dataset.fields], values(dataset, year))


def as_json(dataset: Dataset, year: OpenYear) -> Iterator[str]:
    """A JSON array of objects, written a row at a time."""
    yield "["
    for index, row in enumerate(dataset.rows(year)):
        text = json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False)
        yield ("," if index else "") + "\n" + text
    yield "\n]\n"


def as_xlsx(dataset: Dataset, year: OpenYear) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(str(dataset.title)[:31])
    sheet.append([field.chinese for field in dataset.fields])
    for row in values(dataset, year):
        sheet.append([escape_text(v) if isinstance(v, str) else v for v in row])
    fields = book.create_sheet("数据项说明")
    fields.append(dictionary_headers())
    for row in dictionary_rows(dataset):
        fields.append([cell_text(value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def dictionary_csv(dataset: Dataset) -> Iterator[str]:
    return csv_lines(dictionary_headers(), iter(dictionary_rows(dataset)))
