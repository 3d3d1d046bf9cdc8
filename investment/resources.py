"""Quarterly figures read from Excel and CSV files, and reports written back out.

One path for the admin's import (upload, preview, confirm) and `manage.py import_reports`:
`read_table` turns the file into rows with known columns, and `ProgressReportResource`
(django-import-export) checks each row with the model's own validation and the same rules
as the quarterly sheet, then saves all rows in one transaction or none.
"""

import csv
import io
import re
import unicodedata
import zipfile
from decimal import Decimal, InvalidOperation
from functools import cached_property

import tablib
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from import_export.formats.base_formats import Format
from import_export.results import RowResult
from openpyxl import load_workbook

from plan.forms import CONTROL_CHARACTERS, control_character_error
from plan.models import City, Plan
from plan.money import exact
from plan.roles import is_office, reporter_city, scope_to_city
from plan.spreadsheets import FORMULA_STARTS
from tasks.models import SAMPLE_IS_READ_ONLY, Task

from .models import ProgressReport, QuarterClose

MAX_BYTES = 5 * 1024 * 1024
# A quarter's import is at most a few thousand rows; anything far beyond is refused before it
# is read, since a small file can declare a million rows or gigabytes of text (see _xlsx_rows).
MAX_ROWS = 5000
MAX_COLUMNS = 50
MAX_UNCOMPRESSED = 10 * 1024 * 1024
MAX_SHARED_STRINGS = 100_000
SHARED_STRING = re.compile(rb"<(?:\w+:)?si[\s/>]")

# Column -> the headers it may have, compared after normalising (see _header_key).
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
# The headers of the rows read_table returns (the import's own column names).
HEADER_OF = {**LABELS, "status": "状态"}
QUARTER_WORDS = {"一": 1, "二": 2, "三": 3, "四": 4}
# A status column (as the reports export writes it) marks rows that must not count.
NOT_COUNTED = {"草稿", "已退回", "draft", "returned"}
THOUSANDS = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?")


class FileRefused(ValueError):
    """The file as a whole cannot be read; the message says why, in the user's words."""


def _header_key(text) -> str:
    text = unicodedata.normalize("NFKC", str(text or "")).strip().lower()
    return re.sub(r"\s+", "", text)


HEADERS = {_header_key(alias): column for column, aliases in COLUMNS.items() for alias in aliases}


def read_table(data: bytes) -> tablib.Dataset:
    """The rows of an uploaded .xlsx or .csv (UTF-8, with or without BOM, or GBK) file.

    The first row must hold the column names; columns the import does not know are ignored
    (the entry template carries titles and totals for the clerk's reference).
    """
    if not data:
        raise FileRefused(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise FileRefused(
            _("The file is %(size)s MB; files up to %(limit)s MB can be imported.")
            % {"size": f"{len(data) / 1024 / 1024:.1f}", "limit": MAX_BYTES // 1024 // 1024}
        )
    rows = _bounded(_xlsx_rows(data) if data[:4] == b"PK\x03\x04" else _csv_rows(data))
    header = next(rows, None) or []
    columns = {}
    for index, name in enumerate(header):
        column = HEADERS.get(_header_key(name))
        if column in columns:
            raise FileRefused(_("The column %(name)s appears twice.") % {"name": name})
        if column:
            columns[column] = index
    missing = [LABELS[column] for column in REQUIRED if column not in columns]
    if missing:
        raise FileRefused(
            _(
                "Missing columns: %(missing)s. The first row must name the columns: "
                "任务编号, 城市, 年度, 季度, 完成投资(亿元), 进展情况."
            )
            % {"missing": "、".join(missing)}
        )
    dataset = tablib.Dataset(headers=[HEADER_OF[column] for column in COLUMNS])
    for row in rows:
        row = list(row)
        dataset.append(
            [row[columns[c]] if c in columns and columns[c] < len(row) else None for c in COLUMNS]
        )
    if not dataset:
        raise FileRefused(_("The file has column names but no rows."))
    return dataset


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


def _xlsx_rows(data: bytes):
    _check_zip(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        # The entry sheet is the first; a workbook saved by WPS may have others after it.
        sheet = book.worksheets[0]
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError) as error:
        raise FileRefused(_("This is not a readable .xlsx workbook.")) from error
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


class SpreadsheetFile(Format):
    """The admin's import format: xlsx or CSV, told apart by content, not by the name."""

    def __init__(self, encoding=None) -> None:
        # The encoding is found from the content (see read_table), never taken as given.
        self.encoding = None

    def get_title(self) -> str:
        return "xlsx / csv"

    def create_dataset(self, in_stream):
        return read_table(in_stream)

    def is_binary(self) -> bool:
        return True

    def get_read_mode(self) -> str:
        return "rb"

    def get_extension(self) -> str:
        return "xlsx"

    def can_import(self) -> bool:
        return True

    def can_export(self) -> bool:
        return False


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


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


class Passthrough(widgets.Widget):
    """Rows are parsed in before_import_row; the fields take the parsed values as they are."""

    def clean(self, value, row=None, **kwargs):
        return value

    def render(self, value, obj=None, **kwargs):
        # 7.2500 as stored and 7.25 as typed are the same amount, in the preview too; and
        # still a number, so an exported amount sums in Excel.
        return Decimal(exact(value)) if isinstance(value, Decimal) else value


class ProgressReportResource(resources.ModelResource):
    task = fields.Field(attribute="task", column_name=LABELS["task"], widget=Passthrough())
    city = fields.Field(attribute="city", column_name=LABELS["city"], widget=Passthrough())
    year = fields.Field(attribute="year", column_name=LABELS["year"], widget=Passthrough())
    quarter = fields.Field(attribute="quarter", column_name=LABELS["quarter"], widget=Passthrough())
    amount = fields.Field(attribute="amount", column_name=LABELS["amount"], widget=Passthrough())
    note = fields.Field(attribute="note", column_name=LABELS["note"], widget=Passthrough())

    class Meta:
        model = ProgressReport
        fields = ["task", "city", "year", "quarter", "amount", "note"]
        import_id_fields = ["task", "city", "year", "quarter"]
        clean_model_instances = True
        report_skipped = True
        skip_html_diff = False
        use_transactions = True
        # Bulk mode would skip save() and so the change history: never on this model.
        use_bulk = False

    def __init__(
        self,
        user=None,
        file_name: str = "",
        versions: dict | None = None,
        previewed: dict | None = None,
        reason: str = "",
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.user = user
        self.file_name = file_name
        # The office's reason for correcting a closed quarter; nobody else imports into one.
        self.reason = reason.strip()
        self.seen: dict[tuple, int] = {}
        # The version of each row's report (0: none yet) as this import found it, and, when
        # confirming a preview, as the preview found it: a report changed in between refuses
        # the whole confirm.
        self.versions: dict[tuple, int] = {} if versions is None else versions
        self.previewed = previewed
        self.blank_rows = 0

    # Read once per file, on its first row: a file of 10,000 rows costs these queries once.
    @cached_property
    def plans(self) -> dict[int, Plan]:
        return {plan.year: plan for plan in Plan.objects.all()}

    @cached_property
    def tasks(self) -> dict[tuple[int, str], Task]:
        tasks = Task.objects.select_related("area__plan").prefetch_related("cities")
        return {(task.area.plan.year, task.code): task for task in tasks}

    @cached_property
    def cities(self) -> dict[str, City]:
        cities = {}
        for city in City.objects.all():
            for key in (city.name, city.slug, city.name_en):
                if key:
                    cities[_header_key(key)] = city
        return cities

    @cached_property
    def closed(self) -> set[tuple[int, int]]:
        return set(QuarterClose.objects.values_list("plan__year", "quarter"))

    def get_queryset(self):
        queryset = super().get_queryset().select_related("task__area__plan", "city")
        return scope_to_city(queryset, self.user)

    def import_row(self, row, instance_loader, **kwargs) -> RowResult:
        # A blank row is neither shown nor counted; the others keep the file's row numbers.
        if all(_text(value) == "" for value in row.values()):
            self.blank_rows += 1
            return RowResult()
        return super().import_row(row, instance_loader, **kwargs)

    def after_import(self, dataset, result, **kwargs) -> None:
        result.total_rows -= self.blank_rows
        super().after_import(dataset, result, **kwargs)

    def before_import_row(self, row, row_number=None, **kwargs) -> None:
        values = {column: row.get(header) for column, header in HEADER_OF.items()}
        try:
            self.parse_row(values, row_number)
        finally:
            # The fields read the parsed values under their own column names.
            row.update({header: values[column] for column, header in LABELS.items()})
            row["_skip"] = values["_skip"]

    def parse_row(self, row: dict, row_number: int | None) -> None:
        """Parse and check the row; every problem is reported with the column it is in."""
        row["_skip"] = False
        if all(row.get(c) in (None, "") for c in COLUMNS):
            row["_skip"] = True
            return
        errors = {}
        year = self._field(row, "year", errors, lambda v: int(_text(v)))
        plan = self.plans.get(year)
        if year is not None and plan is None:
            errors["year"] = _("%(label)s: there is no plan for %(year)s.") % {
                "label": LABELS["year"],
                "year": year,
            }
        row["year"] = year
        code = _text(row.get("task"))
        task = self.tasks.get((year, code))
        if not code:
            errors["task"] = _("%(label)s: please fill it in.") % {"label": LABELS["task"]}
        elif plan and task is None:
            errors["task"] = _("%(label)s: the %(year)s plan has no task %(code)s.") % {
                "label": LABELS["task"],
                "year": year,
                "code": code,
            }
        row["task"] = task
        city = self.cities.get(_header_key(row.get("city")))
        if city is None:
            errors["city"] = _("%(label)s: unknown city “%(value)s”.") % {
                "label": LABELS["city"],
                "value": _text(row.get("city")),
            }
        elif not is_office(self.user) and city != reporter_city(self.user):
            own = reporter_city(self.user)
            errors["city"] = _(
                "%(label)s: you can import only %(own)s's figures, not %(city)s's."
            ) % {
                "label": LABELS["city"],
                "own": own.name if own else "—",
                "city": city.name,
            }
        elif task is not None and city not in task.cities.all():
            errors["city"] = _("%(label)s: %(city)s does not take part in task %(code)s.") % {
                "label": LABELS["city"],
                "city": city.name,
                "code": code,
            }
        row["city"] = city
        row["quarter"] = self._field(row, "quarter", errors, parse_quarter)
        row["note"] = self._note(row, errors)
        if row.get("amount") in (None, ""):
            if row["note"]:
                errors["amount"] = _("%(label)s: the row has a note but no amount.") % {
                    "label": LABELS["amount"]
                }
            else:
                # A template row the clerk left empty: this task has nothing this quarter.
                row["_skip"] = True
                return
        else:
            row["amount"] = self._field(row, "amount", errors, parse_amount)
        if _text(row.get("status")).lower() in NOT_COUNTED and not errors:
            row["_skip"] = True  # A draft or returned report of an export: it never counted.
            return
        key = (task, city, year, row["quarter"])
        if None not in key and not errors:
            if key in self.seen:
                errors["task"] = _(
                    "This row repeats row %(row)s: the same task, city, year and quarter."
                ) % {"row": self.seen[key] + 1}
            self.seen.setdefault(key, row_number)
            closed = (year, row["quarter"]) in self.closed
            words = {"label": LABELS["quarter"], "year": year, "q": row["quarter"]}
            if closed and not is_office(self.user):
                errors["quarter"] = _("%(label)s: the office has closed %(year)s Q%(q)s.") % words
            elif closed and not self.reason:
                errors["quarter"] = (
                    _(
                        "%(label)s: %(year)s Q%(q)s is closed; give the reason for the "
                        "correction to import into it."
                    )
                    % words
                )
        if errors:
            raise ValidationError(errors)

    def _field(self, row, column: str, errors: dict, parse):
        value = row.get(column)
        if value in (None, ""):
            errors[column] = _("%(label)s: please fill it in.") % {"label": LABELS[column]}
            return None
        try:
            return parse(value)
        except (ValueError, InvalidOperation):
            errors[column] = _("%(label)s: “%(value)s” is not understood.") % {
                "label": LABELS[column],
                "value": _text(value),
            }
            return None

    def _note(self, row, errors: dict) -> str:
        note = _text(row.get("note"))
        if note.startswith("'") and note[1:].startswith(FORMULA_STARTS):
            note = note[1:]  # Escaped by our own export; the note itself is what follows.
        elif note.startswith(("=", "@")):
            errors["note"] = _(
                "%(label)s: a note cannot start with = or @, which Excel reads as a formula."
            ) % {"label": LABELS["note"]}
        if CONTROL_CHARACTERS.search(note):
            errors["note"] = control_character_error(LABELS["note"]).messages[0]
        return note

    def skip_row(self, instance, original, row, import_validation_errors=None) -> bool:
        """Empty rows, drafts of an export, and figures already there as submitted."""
        if row.get("_skip"):
            return True
        return not import_validation_errors and (
            original is not None
            and original.pk is not None
            and original.status in ProgressReport.COUNTED
            and original.amount == instance.amount
            and original.note == instance.note
        )

    def import_instance(self, instance, row, **kwargs) -> None:
        if row.get("_skip"):
            return
        super().import_instance(instance, row, **kwargs)
        # An import submits: not while an earlier quarter of the task is a draft or returned.
        if instance.task_id and instance.city_id and instance.year and instance.quarter:
            if error := instance.earlier_quarter_error():
                raise ValidationError(error)

        current = (
            ProgressReport.objects.select_for_update().get(pk=instance.pk) if instance.pk else None
        )
        self.check_unchanged_since_preview(instance, current)
        # The admin's rules for changing a report that exists, applied to imports too.
        if current is None:
            return
        unchanged = current.amount == instance.amount and current.note == instance.note
        if current.is_sample:
            raise ValidationError(SAMPLE_IS_READ_ONLY)
        if current.status == ProgressReport.Status.APPROVED and not unchanged:
            raise ValidationError(
                _(
                    "%(report)s is approved and cannot be changed by an import; the office "
                    "can return it first."
                )
                % {"report": current}
            )
        if not unchanged and not current.workflow_allows(self.user):
            if current.status != ProgressReport.Status.SUBMITTED:
                raise ValidationError(
                    _("%(report)s cannot be changed by you.") % {"report": current}
                )
            raise ValidationError(
                _("%(report)s is submitted and awaits review; it cannot be changed by an import.")
                % {"report": current}
            )

    def check_unchanged_since_preview(self, instance, current) -> None:
        key = (instance.task_id, instance.city_id, instance.year, instance.quarter)
        version = current.version if current else 0
        self.versions[key] = version
        if self.previewed is None or self.previewed.get(key) == version:
            return
        raise ValidationError(
            _(
                "Task %(task)s, %(city)s, %(year)s Q%(quarter)s changed after the preview "
                "(now %(amount)s 亿元, last changed by %(user)s). Nothing was imported: upload "
                "the file again to check it against the figures as they are now."
            )
            % {
                "task": instance.task.code,
                "city": instance.city.name,
                "year": instance.year,
                "quarter": instance.quarter,
                "amount": exact(current.amount) if current else "—",
                "user": current.updated_by.get_username()
                if current and current.updated_by
                else "—",
            }
        )

    def before_save_instance(self, instance, row, **kwargs) -> None:
        is_new = instance.pk is None
        instance.status = ProgressReport.Status.SUBMITTED
        instance.ever_submitted = True
        instance.updated_by = self.user
        if is_new:
            instance.created_by = self.user
        # Kept with the history record: which file, and (through the record) who.
        words = {"file": self.file_name or "—", "reason": self.reason}
        instance._change_reason = (
            _("Imported from %(file)s: %(reason)s") if self.reason else _("Imported from %(file)s")
        ) % words
        instance._history_user = self.user

    # The export side: the same six columns the import reads back.
    def dehydrate_task(self, report) -> str:
        return report.task.code

    def dehydrate_city(self, report) -> str:
        return report.city.name
