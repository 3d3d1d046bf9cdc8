from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from plan.forms import CONTROL_CHARACTERS, YiFormField, control_character_error
from plan.models import City, Plan
from plan.money import exact
from tasks.models import Task

from .models import NOTE_LENGTH, REASON_LENGTH, DuplicateReport, ProgressReport, QuarterClose
from .workflow_forms import ReportedForm


@dataclass(frozen=True)
class QuarterRow:
    """One task on a city's quarterly sheet: what was allocated, reported before, and now."""

    task: Task
    allocation: Decimal | None
    cumulative_before: Decimal  # the earlier quarters submitted or approved, as the pages count
    report: ProgressReport | None
    # The city's own earlier quarters not yet submitted (drafts, returned): (quarter, amount).
    unsubmitted_before: tuple[tuple[int, Decimal], ...] = ()

    @property
    def cumulative(self) -> Decimal | None:
        return None if self.report is None else self.cumulative_before + self.report.amount

    @property
    def unsubmitted_note(self) -> str:
        """What the earlier-quarter figure leaves out, said on the row; empty when nothing."""
        if not self.unsubmitted_before:
            return ""
        return _("Not included: the unsubmitted %(quarters)s.") % {
            "quarters": _(", ").join(
                _("Q%(quarter)s (%(amount)s 亿元)") % {"quarter": quarter, "amount": exact(amount)}
                for quarter, amount in self.unsubmitted_before
            )
        }


def quarter_sheet(plan: Plan, city: City, quarter: int) -> list[QuarterRow]:
    """Every task the city takes part in, with its figures before and in `quarter`.

    Earlier quarters count as the pages count them, submitted and approved; the city's own
    drafts and returned reports of earlier quarters are listed apart on the row.
    """
    tasks = (
        Task.objects.of_plan(plan)
        .filter(cities=city)
        .order_by("area__number", "number")
        .select_related("area")
        .annotate(allocated=Sum("allocations__amount", filter=Q(allocations__city=city)))
    )
    earlier = ProgressReport.objects.filter(city=city, year=plan.year, quarter__lt=quarter)
    before = dict(
        earlier.counted().values("task").annotate(total=Sum("amount")).values_list("task", "total")
    )
    unsubmitted = defaultdict(list)
    for task, number, amount in (
        earlier.exclude(status__in=ProgressReport.COUNTED)
        .order_by("quarter")
        .values_list("task", "quarter", "amount")
    ):
        unsubmitted[task].append((number, amount))
    reports = {
        report.task_id: report
        for report in ProgressReport.objects.filter(city=city, year=plan.year, quarter=quarter)
    }
    return [
        QuarterRow(
            task=task,
            allocation=task.allocated,
            cumulative_before=(before.get(task.pk) or Decimal(0)).quantize(Decimal("0.0001")),
            report=reports.get(task.pk),
            unsubmitted_before=tuple(unsubmitted[task.pk]),
        )
        for task in tasks
    ]


class ProgressReportForm(ReportedForm):
    """One report, as the admin edits it; carries the version it was read at."""

    subject = "task"

    class Meta:
        model = ProgressReport
        fields = ["task", "city", "year", "quarter", "amount", "note"]

    def subjects_of(self, city: City | None) -> models.QuerySet:
        return Task.objects.filter(cities=city).select_related("area")


class ReportActionForm(ActionForm):
    """The report list's action bar, with the reason a closed quarter's reports change for."""

    # No max_length: an invalid action form would say only "no action selected"; the length
    # is checked with the reason (ProgressReport.note_change_reason).
    reason = forms.CharField(label=_("Reason for the correction (closed quarters)"), required=False)


class CloseQuarterForm(forms.Form):
    """锁定: closing a quarter; while reports await review, only with a reason."""

    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        error_messages={"max_length": _("Reason: at most %(limit_value)d characters.")},
    )

    def __init__(self, *args, awaiting: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.awaiting = awaiting

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"]
        if self.awaiting and not reason:
            raise ValidationError(
                _(
                    "Reason: %(count)d reports still await review; review them first, or say "
                    "why the quarter closes before they are reviewed."
                )
                % {"count": self.awaiting}
            )
        return reason


class ReopenQuarterForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        error_messages={
            "required": _("Reason: say why the quarter is reopened."),
            "max_length": _("Reason: at most %(limit_value)d characters."),
        },
    )


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for return"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("Reason for return: say why the report goes back.")},
    )


class QuarterRowForm(forms.Form):
    """One task on a city's quarterly sheet: this quarter's amount or the year-to-date total."""

    amount = YiFormField(
        label=_("This quarter (亿元)"), required=False, max_digits=12, decimal_places=4
    )
    cumulative = YiFormField(
        label=_("Year to date (亿元)"), required=False, max_digits=12, decimal_places=4
    )
    note = forms.CharField(
        label=_("progress note"),
        required=False,
        max_length=NOTE_LENGTH,
        error_messages={
            "max_length": _("The progress note has at most %(limit_value)d characters.")
        },
        widget=forms.Textarea(attrs={"rows": 2, "cols": 40}),
    )
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # The task the row was drawn for: the plan may change between opening and saving.
    task = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, row: QuarterRow, editable: bool, **kwargs) -> None:
        self.row = row
        self.editable = editable
        report = row.report
        kwargs["initial"] = {"task": row.task.pk}
        if report is not None:
            kwargs["initial"].update(
                amount=report.amount,
                cumulative=row.cumulative,
                note=report.note,
                seen_version=report.version,
            )
        super().__init__(*args, **kwargs)
        # Each input names its task and column, for screen readers (the table's headers are
        # far from the field).
        for name in ("amount", "cumulative", "note"):
            field = self.fields[name]
            field.widget.attrs["aria-label"] = f"{row.task.code} {row.task.title}: {field.label}"
        if not editable:
            for field in self.fields.values():
                field.disabled = True

    def clean_note(self) -> str:
        note = self.cleaned_data["note"]
        if CONTROL_CHARACTERS.search(note):
            raise control_character_error(self.fields["note"].label)
        return note

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("task") != self.row.task.pk:
            raise ValidationError(
                _("The tasks of this city changed since the page was opened; open it again.")
            )
        amount, cumulative = cleaned.get("amount"), cleaned.get("cumulative")
        # A saved row shows both figures; whichever the clerk changed decides the other.
        if "amount" in self.changed_data and "cumulative" not in self.changed_data:
            cumulative = None
        elif "cumulative" in self.changed_data and "amount" not in self.changed_data:
            amount = None if cumulative is not None else amount
        before = self.row.cumulative_before
        if self.row.report is not None and amount is None and cumulative is None:
            self.add_error(
                "amount",
                _("This quarter: a saved figure cannot be emptied; delete the draft instead."),
            )
        elif amount is None and cumulative is not None:
            if cumulative < before:
                self.add_error(
                    "cumulative",
                    _(
                        "Year to date: %(cumulative)s 亿元 is less than the %(before)s 亿元 "
                        "reported for the earlier quarters."
                    )
                    % {"cumulative": exact(cumulative), "before": exact(before)},
                )
            else:
                amount = cumulative - before
        elif amount is not None and cumulative is not None and amount + before != cumulative:
            self.add_error(
                "cumulative",
                _(
                    "Year to date: %(amount)s this quarter plus %(before)s before is not "
                    "%(cumulative)s 亿元. Enter one of the two."
                )
                % {
                    "amount": exact(amount),
                    "before": exact(before),
                    "cumulative": exact(cumulative),
                },
            )
        if amount is None and cleaned.get("note") and self.row.report is None:
            if self.owes_note:
                amount = Decimal(0)  # Nobody owes an amount here; the note is the report.
            else:
                self.add_error("amount", _("This quarter: enter the amount the note goes with."))
        cleaned["amount"] = amount
        return cleaned

    @property
    def owes_note(self) -> bool:
        """A task without a money target is owed a progress note each quarter, not an amount."""
        return self.row.task.target is None

    def wants_saving(self) -> bool:
        return self.editable and self.has_changed() and self.cleaned_data.get("amount") is not None


class BaseQuarterSheet(forms.BaseFormSet):
    """A city's whole quarter on one screen: every row is saved, or none is."""

    def __init__(self, data=None, *, rows: list[QuarterRow], user, city, plan, quarter) -> None:
        self.rows, self.user, self.city, self.plan, self.quarter = rows, user, city, plan, quarter
        self.closing = (
            QuarterClose.objects.filter(plan=plan, quarter=quarter)
            .select_related("closed_by")
            .first()
        )
        self.closed = self.closing is not None
        super().__init__(data, prefix="rows")

    def total_form_count(self) -> int:
        return len(self.rows)  # The rows come from the plan, never from the posted data.

    def get_form_kwargs(self, index: int) -> dict:
        # A closed quarter is corrected report by report, each with a reason, never here.
        row = self.rows[index]
        editable = not self.closed and (row.report is None or row.report.workflow_allows(self.user))
        return {"row": row, "editable": editable}

    def save(self, submit: bool) -> list[ProgressReport] | None:
        """Save (and submit) the sheet in one transaction; None, with row errors, on failure."""
        with transaction.atomic():
            valid = [form for form in self.forms if form.is_valid()]
            reports = [(form, self.report_for(form)) for form in valid if form.wants_saving()]
            for form, report in reports:
                try:
                    if report.pk:
                        # No version seen means the row was empty when opened: stale too.
                        report.check_version(form.cleaned_data["seen_version"])
                    report.full_clean()
                except ValidationError as error:
                    messages = error.message_dict if hasattr(error, "error_dict") else {None: error}
                    for field, message in messages.items():
                        form.add_error(field if field in form.fields else None, message)
            if any(form.errors for form in self.forms):
                transaction.set_rollback(True)
                return None
            for form, report in reports:
                try:
                    report.save()
                except DuplicateReport as error:
                    form.add_error(None, error)
                    transaction.set_rollback(True)
                    return None
            saved = [report for _form, report in reports]
            if submit and not self.closed:
                try:
                    saved = self.submit_all()
                except ValidationError as error:
                    # An earlier quarter is still a draft or returned: nothing is saved.
                    self._non_form_errors = self.error_class(error.messages)
                    transaction.set_rollback(True)
                    return None
        return saved

    @property
    def rows_with_errors(self) -> list[tuple[Task, list[str]]]:
        """Each row that failed, with every one of its messages, for the summary at the top."""
        return [
            (form.row.task, [message for errors in form.errors.values() for message in errors])
            for form in self.forms
            if form.errors
        ]

    def report_for(self, form: QuarterRowForm) -> ProgressReport:
        report = form.row.report or ProgressReport(
            task=form.row.task,
            city=self.city,
            year=self.plan.year,
            quarter=self.quarter,
            created_by=self.user,
        )
        report.amount = form.cleaned_data["amount"]
        report.note = form.cleaned_data["note"]
        report.edited_by(self.user)
        return report

    def submit_all(self) -> list[ProgressReport]:
        drafts = ProgressReport.objects.filter(
            city=self.city,
            year=self.plan.year,
            quarter=self.quarter,
            status__in=[ProgressReport.Status.DRAFT, ProgressReport.Status.RETURNED],
        )
        submitted = []
        for report in drafts.select_for_update().select_related("task__area"):
            report.submit()
            report.edited_by(self.user)
            report.save()
            submitted.append(report)
        return submitted


QuarterSheetFormSet = forms.formset_factory(QuarterRowForm, formset=BaseQuarterSheet, extra=0)
