"""Quarterly figures read from Excel and CSV files, and reports written back out.

One path for the admin's import (upload, preview, confirm) and `manage.py import_reports`:
`read_table` (imports.py) turns the file into rows with known columns, and
`ProgressReportResource` (django-import-export) checks each row with the model's own validation
and the same rules as the quarterly sheet (import_rules.py). A workbook's 重点项目 sheet goes
through `ProjectUpdateResource` in the same transaction: every row of both sheets is saved, or
none.
"""

from functools import cached_property

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields

from investment.import_rules import EntryResult, Passthrough, ReportedResource
from investment.imports import HEADER_OF, LABELS, parse_amount, parse_quarter, text_of
from investment.models import ProgressReport
from investment.project_resources import ProjectUpdateResource
from plan.money import exact
from tasks.models import Task

# A status column (as the reports export writes it) marks rows that must not count.
NOT_COUNTED = {"草稿", "已退回", "draft", "returned"}


class ProgressReportResource(ReportedResource):
    LABELS = LABELS
    HEADER_OF = HEADER_OF
    subject = "task"
    related = ("task__area__plan", "city")

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

    @cached_property
    def tasks(self) -> dict[tuple[int, str], Task]:
        tasks = Task.objects.select_related("area__plan").prefetch_related("cities")
        return {(task.area.plan.year, task.code): task for task in tasks}

    def get_result_class(self):
        return EntryResult

    def import_data_inner(
        self, dataset, dry_run, raise_errors, using_transactions, collect_failed_rows, **kwargs
    ) -> EntryResult:
        result = super().import_data_inner(
            dataset, dry_run, raise_errors, using_transactions, collect_failed_rows, **kwargs
        )
        projects = getattr(dataset, "projects", None)
        if projects is not None:
            # Inside the same transaction as the reports: import_data rolls both back when
            # either sheet fails (EntryResult says so for both).
            updates = ProjectUpdateResource(
                user=self.user,
                file_name=self.file_name,
                versions=self.versions,
                previewed=self.previewed,
                reason=self.reason,
            )
            result.projects = updates.import_data_inner(
                projects, dry_run, raise_errors, using_transactions, collect_failed_rows, **kwargs
            )
        return result

    def parse_row(self, row: dict, row_number: int | None) -> None:
        """Parse and check the row; every problem is reported with the column it is in."""
        row["_skip"] = False
        if all(row.get(c) in (None, "") for c in HEADER_OF):
            row["_skip"] = True
            return
        errors = {}
        plan = self.year_and_plan(row, errors)
        year = row["year"]
        code = text_of(row.get("task"))
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
        city = self.city(row, errors)
        if "city" not in errors and task is not None and city not in task.cities.all():
            errors["city"] = _("%(label)s: %(city)s does not take part in task %(code)s.") % {
                "label": LABELS["city"],
                "city": city.name,
                "code": code,
            }
        row["city"] = city
        row["quarter"] = self.field(row, "quarter", errors, parse_quarter)
        row["note"] = self.text(row, "note", errors)
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
            row["amount"] = self.field(row, "amount", errors, parse_amount)
        if text_of(row.get("status")).lower() in NOT_COUNTED and not errors:
            row["_skip"] = True  # A draft or returned report of an export: it never counted.
            return
        self.check_once_and_open(
            row,
            row_number,
            errors,
            _("This row repeats row %(row)s: the same task, city, year and quarter."),
        )
        if errors:
            raise ValidationError(errors)

    def same_values(self, original: ProgressReport, instance: ProgressReport) -> bool:
        return original.amount == instance.amount and original.note == instance.note

    def changed_message(self, instance: ProgressReport, current) -> str:
        return _(
            "Task %(task)s, %(city)s, %(year)s Q%(quarter)s changed after the preview "
            "(now %(amount)s 亿元, last changed by %(user)s). Nothing was imported: upload "
            "the file again to check it against the figures as they are now."
        ) % {
            "task": instance.task.code,
            "city": instance.city.name,
            "year": instance.year,
            "quarter": instance.quarter,
            "amount": exact(current.amount) if current else "—",
            "user": self.changed_by(current),
        }

    # The export side: the same six columns the import reads back.
    def dehydrate_task(self, report) -> str:
        return report.task.code

    def dehydrate_city(self, report) -> str:
        return report.city.name
