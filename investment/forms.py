from django import forms
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from plan.models import City
from plan.roles import is_office, reporter_city
from tasks.models import Task

from .models import REASON_LENGTH, ProgressReport, QuarterClose


class ProgressReportForm(forms.ModelForm):
    """One report, as the admin edits it; carries the version it was read at."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    correction_reason = forms.CharField(
        label=_("Reason for the correction"),
        required=False,
        help_text=_("Required when changing a report of a closed quarter."),
    )

    class Meta:
        model = ProgressReport
        fields = ["task", "city", "year", "quarter", "amount", "note"]

    user = None  # Set per request by the admin's get_form.

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["seen_version"].initial = self.instance.version
        self.fields["seen_version"].required = self.instance.pk is not None
        if "city" in self.fields and not is_office(self.user):
            # A reporter can only ever name her own city, and tasks her city is in; one not
            # yet bound to a city can name none.
            city = reporter_city(self.user)
            self.fields["city"].queryset = City.objects.filter(pk=city.pk if city else None)
            self.fields["city"].initial = city.pk if city else None
            self.fields["task"].queryset = Task.objects.filter(cities=city).select_related("area")

    def clean(self) -> dict:
        cleaned = super().clean()
        task, quarter = cleaned.get("task"), cleaned.get("quarter")
        closed_new = (
            self.instance.pk is None
            and task
            and quarter
            and QuarterClose.objects.filter(plan=task.area.plan_id, quarter=quarter).exists()
        )
        if closed_new and not is_office(self.user):
            self.add_error("quarter", _("The office has closed this quarter."))
        elif closed_new:
            # The office adds to a closed quarter as it corrects one: with a reason.
            self.instance.task, self.instance.quarter = task, quarter
            try:
                self.instance.note_change_reason(cleaned.get("correction_reason"))
            except ValidationError as error:
                self.add_error("correction_reason", error)
        if self.instance.pk is not None:
            self.instance.check_version(cleaned.get("seen_version"))
        if "_submit" in self.data and self.instance.status in ProgressReport.EDITABLE:
            city = cleaned.get("city")
            probe = ProgressReport(
                task_id=task.pk if task else self.instance.task_id,
                city_id=city.pk if city else self.instance.city_id,
                year=cleaned.get("year") or self.instance.year,
                quarter=quarter or self.instance.quarter,
            )
            if None not in (probe.task_id, probe.city_id, probe.year, probe.quarter):
                if error := probe.earlier_quarter_error():
                    self.add_error(None, error)
        if self.instance.pk is not None and self.instance.closed_at():
            # Kept with the history record, beside the values before and after.
            try:
                self.instance.note_change_reason(cleaned.get("correction_reason"))
            except ValidationError as error:
                self.add_error("correction_reason", error)
        return cleaned


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
