from django import forms
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from investment.coverage import Cell
from investment.models import REASON_LENGTH, ProgressReport
from investment.workflow_forms import ReportedForm
from plan.forms import CONTROL_CHARACTERS, control_character_error
from tasks.models import Task


class ProgressReportForm(ReportedForm):
    """One report, as the admin edits it; carries the version it was read at."""

    subject = "task"

    class Meta:
        model = ProgressReport
        fields = ["task", "city", "year", "quarter", "amount", "note"]

    def subjects_of(self, places, plans) -> models.QuerySet:
        tasks = Task.objects.filter(cities__in=places, area__plan__in=plans)
        return tasks.distinct().select_related("area")


class ReportActionForm(ActionForm):
    """The report list's action bar, with the reason a closed quarter's reports change for."""

    # No max_length: an invalid action form would say only "no action selected"; the length
    # is checked with the reason (ProgressReport.note_change_reason).
    reason = forms.CharField(label=_("Reason for the correction (closed quarters)"), required=False)


class CloseQuarterForm(forms.Form):
    """锁定: closing a quarter; while rows await review or are still drafts or returned, only
    with a reason."""

    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        error_messages={"max_length": _("Reason: at most %(limit_value)d characters.")},
    )

    def __init__(self, *args, coverage, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.reports_awaiting = coverage.count(Cell.SUBMITTED)
        self.updates_awaiting = coverage.updates_awaiting_count
        self.unsubmitted = coverage.unsubmitted
        self.awaiting = self.reports_awaiting + self.updates_awaiting

    @property
    def needs_reason(self) -> bool:
        return bool(self.awaiting or self.unsubmitted)

    def clean_reason(self) -> str:
        reason = plain_reason(self.cleaned_data["reason"])
        if self.needs_reason and not reason:
            raise ValidationError(
                _(
                    "Reason: %(reports)d reports and %(updates)d project updates still await "
                    "review, and %(unsubmitted)d are drafts or returned; deal with them first, or "
                    "say why the quarter closes now."
                )
                % {
                    "reports": self.reports_awaiting,
                    "updates": self.updates_awaiting,
                    "unsubmitted": self.unsubmitted,
                }
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

    def clean_reason(self) -> str:
        return plain_reason(self.cleaned_data["reason"])


def plain_reason(reason: str) -> str:
    """A reason kept in the history: never a control character (plan.forms.CONTROL_CHARACTERS)."""
    if CONTROL_CHARACTERS.search(reason):
        raise control_character_error(_("Reason"))
    return reason


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for return"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("Reason for return: say why the report goes back.")},
    )
