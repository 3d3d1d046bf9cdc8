"""The rules every imported row obeys, a report's (resources.py) and a project update's
(project_resources.py) alike, as the quarter entry applies them: the city is the importer's,
the quarter open (or corrected by the office with a reason), the record unchanged since the
preview and still the importer's to change; an import submits, so an earlier quarter must be
submitted first; the history names the file and the user.
"""

from decimal import Decimal, InvalidOperation
from functools import cached_property

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import resources, widgets
from import_export.results import Result, RowResult

from investment.imports import header_key, text_of
from investment.models import QuarterClose
from investment.workflow import Reported, record
from people.access import reach
from plan.forms import CONTROL_CHARACTERS, control_character_error
from plan.models import City, Plan
from plan.money import exact
from plan.spreadsheets import FORMULA_STARTS
from tasks.models import SAMPLE_IS_READ_ONLY


class Passthrough(widgets.Widget):
    """Rows are parsed in before_import_row; the fields take the parsed values as they are."""

    def clean(self, value, row=None, **kwargs):
        return value

    def render(self, value, obj=None, **kwargs):
        # 7.2500 as stored and 7.25 as typed are the same amount, in the preview too; and
        # still a number, so an exported amount sums in Excel.
        return Decimal(exact(value)) if isinstance(value, Decimal) else value


class ReportedResource(resources.ModelResource):
    """A resource for a `Reported` model. A subclass parses its row (`parse_row`, raising a
    ValidationError keyed by column), names what makes two records the same (`same_values`)
    and what a confirm is told when a record changed after the preview (`changed_message`)."""

    class Meta:
        # What every reported model's import does; a subclass's Meta adds its model and fields.
        clean_model_instances = True
        report_skipped = True
        skip_html_diff = False
        use_transactions = True
        # Bulk mode would skip save() and so the change history: never on these models.
        use_bulk = False

    # What messages call each column (its header), set by the subclass.
    LABELS: dict[str, str] = {}
    # The headers of the rows read_table gives, by column.
    HEADER_OF: dict[str, str] = {}
    # The row's subject field (task, project), and what get_queryset joins.
    subject = ""
    related: tuple[str, ...] = ()

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
        # The version of each row's record (0: none yet) as this import found it, and, when
        # confirming a preview, as the preview found it: a record changed in between refuses
        # the whole confirm.
        self.versions: dict[tuple, int] = {} if versions is None else versions
        self.previewed = previewed
        self.blank_rows = 0

    # Read once per file, on its first row: a file of 10,000 rows costs these queries once.
    @cached_property
    def plans(self) -> dict[int, Plan]:
        return {plan.year: plan for plan in Plan.objects.all()}

    @cached_property
    def cities(self) -> dict[str, City]:
        cities = {}
        for city in City.objects.all():
            for key in (city.name, city.slug, city.name_en):
                if key:
                    cities[header_key(key)] = city
        return cities

    @cached_property
    def closed(self) -> set[tuple[int, int]]:
        return set(QuarterClose.objects.values_list("plan__year", "quarter"))

    def get_queryset(self):
        rows = super().get_queryset().select_related(*self.related)
        return rows.filter(reach(self.user).city_rows())

    def import_row(self, row, instance_loader, **kwargs) -> RowResult:
        # A blank row is neither shown nor counted; the others keep the file's row numbers.
        if all(text_of(value) == "" for value in row.values()):
            self.blank_rows += 1
            return RowResult()
        return super().import_row(row, instance_loader, **kwargs)

    def after_import(self, dataset, result, **kwargs) -> None:
        result.total_rows -= self.blank_rows
        super().after_import(dataset, result, **kwargs)

    def before_import_row(self, row, row_number=None, **kwargs) -> None:
        values = {column: row.get(header) for column, header in self.HEADER_OF.items()}
        try:
            self.parse_row(values, row_number)
        finally:
            # The fields read the parsed values under their own column names.
            row.update({header: values.get(column) for column, header in self.LABELS.items()})
            row["_skip"] = values.get("_skip", False)

    def field(self, row: dict, column: str, errors: dict, parse):
        """The column's value parsed, or None with the error noted when empty or not read."""
        value = row.get(column)
        if value in (None, ""):
            errors[column] = _("%(label)s: please fill it in.") % {"label": self.LABELS[column]}
            return None
        try:
            return parse(value)
        except (ValueError, InvalidOperation):
            errors[column] = _("%(label)s: “%(value)s” is not understood.") % {
                "label": self.LABELS[column],
                "value": text_of(value),
            }
            return None

    def year_and_plan(self, row: dict, errors: dict) -> Plan | None:
        year = self.field(row, "year", errors, lambda v: int(text_of(v)))
        plan = self.plans.get(year)
        if year is not None and plan is None:
            errors["year"] = _("%(label)s: there is no plan for %(year)s.") % {
                "label": self.LABELS["year"],
                "year": year,
            }
        row["year"] = year
        return plan

    def city(self, row: dict, errors: dict) -> City | None:
        """The row's city, refused when unknown or not the reporter's own."""
        city = self.cities.get(header_key(row.get("city")))
        if city is None:
            errors["city"] = _("%(label)s: unknown city “%(value)s”.") % {
                "label": self.LABELS["city"],
                "value": text_of(row.get("city")),
            }
        elif not reach(self.user).office and city != reach(self.user).city:
            own = reach(self.user).city
            errors["city"] = _(
                "%(label)s: you can import only %(own)s's figures, not %(city)s's."
            ) % {
                "label": self.LABELS["city"],
                "own": own.name if own else "—",
                "city": city.name,
            }
        return city

    def text(self, row: dict, column: str, errors: dict) -> str:
        """A text cell: never a formula, never a control character."""
        text = text_of(row.get(column))
        label = self.LABELS[column]
        if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
            text = text[1:]  # Escaped by our own export; the text itself is what follows.
        elif text.startswith(("=", "@")):
            errors[column] = _(
                "%(label)s: a note cannot start with = or @, which Excel reads as a formula."
            ) % {"label": label}
        if CONTROL_CHARACTERS.search(text):
            errors[column] = control_character_error(label).messages[0]
        return text

    def check_once_and_open(self, row: dict, row_number, errors: dict, repeated: str) -> None:
        """A row's subject, city, year and quarter appear once in the file, and the quarter
        is open, or the office gives a reason to correct it."""
        key = (row[self.subject], row["city"], row["year"], row["quarter"])
        if None in key or errors:
            return
        if key in self.seen:
            errors[self.subject] = repeated % {"row": self.seen[key] + 1}
        self.seen.setdefault(key, row_number)
        closed = (row["year"], row["quarter"]) in self.closed
        words = {"label": self.LABELS["quarter"], "year": row["year"], "q": row["quarter"]}
        if closed and not reach(self.user).office:
            errors["quarter"] = _("%(label)s: the office has closed %(year)s Q%(q)s.") % words
        elif closed and not self.reason:
            errors["quarter"] = (
                _(
                    "%(label)s: %(year)s Q%(q)s is closed; give the reason for the "
                    "correction to import into it."
                )
                % words
            )

    def skip_row(self, instance, original, row, import_validation_errors=None) -> bool:
        """Empty rows, drafts of an export, and figures already there as submitted."""
        if row.get("_skip"):
            return True
        return not import_validation_errors and (
            original is not None
            and original.pk is not None
            and original.status in Reported.COUNTED
            and self.same_values(original, instance)
        )

    def import_instance(self, instance, row, **kwargs) -> None:
        if row.get("_skip"):
            return
        super().import_instance(instance, row, **kwargs)
        # An import submits: not while an earlier quarter of the series is a draft or returned.
        if None not in instance.series().values() and instance.quarter:
            if error := instance.earlier_quarter_error():
                raise ValidationError(error)
        model = type(instance)
        current = model.objects.select_for_update().get(pk=instance.pk) if instance.pk else None
        self.check_unchanged_since_preview(instance, current)
        # The admin's rules for changing a record that exists, applied to imports too.
        if current is None:
            return
        unchanged = self.same_values(current, instance)
        if current.is_sample:
            raise ValidationError(SAMPLE_IS_READ_ONLY)
        if current.status == model.Status.APPROVED and not unchanged:
            raise ValidationError(
                _(
                    "%(report)s is approved and cannot be changed by an import; the office "
                    "can return it first."
                )
                % {"report": current}
            )
        if not unchanged and not current.workflow_allows(self.user):
            if current.status != model.Status.SUBMITTED:
                raise ValidationError(
                    _("%(report)s cannot be changed by you.") % {"report": current}
                )
            raise ValidationError(
                _("%(report)s is submitted and awaits review; it cannot be changed by an import.")
                % {"report": current}
            )

    def version_key(self, instance) -> tuple:
        return (instance.series()[self.subject], instance.city_id, instance.year, instance.quarter)

    def check_unchanged_since_preview(self, instance, current) -> None:
        key = self.version_key(instance)
        version = current.version if current else 0
        self.versions[key] = version
        if self.previewed is None or self.previewed.get(key) == version:
            return
        raise ValidationError(self.changed_message(instance, current))

    @staticmethod
    def changed_by(current) -> str:
        return current.updated_by.get_username() if current and current.updated_by else "—"

    def do_instance_save(self, instance, is_create) -> None:
        # The entry path every writer takes: an import submits, and the history names the file.
        record(
            instance,
            self.user,
            seen_version=instance.version,
            reason=self.reason,
            submit=True,
            source=self.file_name or "—",
        )


class EntryResult(Result):
    """A whole file's result: the first sheet's rows, and the 重点项目 sheet's in `projects`
    (None when the file has none). Either failing fails the file."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.projects: Result | None = None

    def has_errors(self) -> bool:
        return super().has_errors() or bool(self.projects and self.projects.has_errors())

    def has_validation_errors(self) -> bool:
        return super().has_validation_errors() or bool(
            self.projects and self.projects.has_validation_errors()
        )

    def all_invalid_rows(self) -> list:
        """The first sheet's rows that failed, then the 重点项目 sheet's."""
        return [*self.invalid_rows, *(self.projects.invalid_rows if self.projects else ())]

    def all_valid_rows(self) -> list:
        return [*self.valid_rows(), *(self.projects.valid_rows() if self.projects else ())]

    def counts(self) -> dict[str, int]:
        """New, changed and skipped rows of both sheets, as one summary says them."""
        totals = dict(self.totals)
        for kind, count in (self.projects.totals if self.projects else {}).items():
            totals[kind] += count
        return totals
