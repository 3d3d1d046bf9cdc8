from django import forms
from django.utils.translation import gettext_lazy as _

from plan.models import City, reporter_city
from tasks.models import Task

from .models import ProgressReport


class ProgressReportForm(forms.ModelForm):
    """One report, as the admin edits it; carries the version it was read at."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ProgressReport
        fields = ["task", "city", "year", "quarter", "amount", "note"]

    user = None  # Set per request by the admin's get_form.

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["seen_version"].initial = self.instance.version
        self.fields["seen_version"].required = self.instance.pk is not None
        city = reporter_city(self.user) if self.user else None
        if city and "city" in self.fields:
            # A reporter can only ever name her own city, and tasks her city is in.
            self.fields["city"].queryset = City.objects.filter(pk=city.pk)
            self.fields["city"].initial = city.pk
            self.fields["task"].queryset = Task.objects.filter(cities=city).select_related("area")

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.instance.pk is not None and cleaned.get("seen_version") is not None:
            self.instance.check_version(cleaned["seen_version"])
        return cleaned


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for return"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("Reason for return: say why the report goes back.")},
    )
