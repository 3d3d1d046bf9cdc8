from decimal import Decimal
from typing import TYPE_CHECKING

from django import forms
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from investment.models import NOTE_LENGTH, REASON_LENGTH, ProgressReport
from investment.workflow_forms import ReportedForm
from plan.forms import CONTROL_CHARACTERS, YiFormField, control_character_error
from plan.models import City
from plan.money import exact
from tasks.models import Project, Task

if TYPE_CHECKING:
    from investment.quarter import QuarterRow, SectionRow


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


class SheetRowForm(forms.Form):
    """What every row of the sheet has: the version its record was read at, the subject it was
    drawn for, inputs named for screen readers, and all fields locked when it is not editable.

    A subclass gives a row's initial values from its record (`initial_values(row)`)."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    subject_field = ""  # The hidden field naming the row's task or project.
    plan_changed = ""

    def __init__(self, *args, row, editable: bool, **kwargs) -> None:
        self.row = row
        self.editable = editable
        kwargs["initial"] = {self.subject_field: row.subject.pk, **self.initial_values(row)}
        if row.record is not None:
            kwargs["initial"]["seen_version"] = row.record.version
        super().__init__(*args, **kwargs)
        # Each input names its row and column, for screen readers (the table's headers are
        # far from the field).
        for field in self.fields.values():
            if not field.widget.is_hidden:
                field.widget.attrs["aria-label"] = f"{row.label}: {field.label}"
        if not editable:
            for field in self.fields.values():
                field.disabled = True

    def clean(self) -> dict:
        cleaned = super().clean()
        # The plan may change between opening the page and saving it.
        if cleaned.get(self.subject_field) != self.row.subject.pk:
            raise ValidationError(self.plan_changed)
        return cleaned


class QuarterRowForm(SheetRowForm):
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
    task = forms.IntegerField(widget=forms.HiddenInput)
    subject_field = "task"
    plan_changed = _("The tasks of this city changed since the page was opened; open it again.")

    def initial_values(self, row: "QuarterRow") -> dict:
        if row.report is None:
            return {}
        return {"amount": row.report.amount, "cumulative": row.cumulative, "note": row.report.note}

    def clean_note(self) -> str:
        note = self.cleaned_data["note"]
        if CONTROL_CHARACTERS.search(note):
            raise control_character_error(self.fields["note"].label)
        return note

    def clean(self) -> dict:
        cleaned = super().clean()
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
                        "Year to date: %(cumulative)s is less than the %(before)s (100 million "
                        "yuan) reported for the earlier quarters."
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


class SectionRowForm(SheetRowForm):
    """One project section on a city's quarterly sheet: its 形象进度, its stage at the quarter's
    end and, if known, the investment completed in the quarter."""

    progress = forms.CharField(
        label=_("physical progress (形象进度)"),
        required=False,
        max_length=NOTE_LENGTH,
        error_messages={
            "max_length": _("The physical progress has at most %(limit_value)d characters.")
        },
        widget=forms.Textarea(attrs={"rows": 2, "cols": 40}),
    )
    stage = forms.ChoiceField(
        label=_("stage at the quarter's end"),
        required=False,
        choices=[("", "—"), *Project.Stage.choices],
        error_messages={
            "invalid_choice": _("Stage at the quarter's end: choose 前期, 在建 or 建成.")
        },
    )
    amount = YiFormField(
        label=_("This quarter (亿元)"), required=False, max_digits=12, decimal_places=4
    )
    project = forms.IntegerField(widget=forms.HiddenInput)
    subject_field = "project"
    plan_changed = _(
        "The key projects of this city changed since the page was opened; open it again."
    )

    def initial_values(self, row: "SectionRow") -> dict:
        update = row.update
        if update is None:
            # A section's stage rarely changes: the earlier quarter's is offered, and an
            # untouched row is still empty.
            return {"stage": row.earlier.stage if row.earlier else ""}
        return {"progress": update.progress, "stage": update.stage, "amount": update.amount}

    def clean_progress(self) -> str:
        progress = self.cleaned_data["progress"]
        if CONTROL_CHARACTERS.search(progress):
            raise control_character_error(self.fields["progress"].label)
        return progress

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.row.update is None and not self.has_changed():
            return cleaned  # Nothing typed: the row is not saved.
        if "progress" in cleaned and not cleaned["progress"].strip():
            self.add_error("progress", _("Physical progress (形象进度): say what stands now."))
        if "stage" in cleaned and not cleaned["stage"]:
            self.add_error("stage", _("Stage at the quarter's end: choose 前期, 在建 or 建成."))
        return cleaned

    def wants_saving(self) -> bool:
        return self.editable and self.has_changed()
