"""The change form of a reported row (investment.workflow.Reported), as the admin edits it."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from investment.workflow import Reported
from people.access import reach
from plan.models import City


class ReportedForm(forms.ModelForm):
    """Carries the version the row was read at and the reason a closed quarter's row changes.

    A subclass names the field of its subject (`subject`, "task" or "project") and the
    subjects a city's reporter may name (`subjects_of`: in her places, of the plans she may
    open).
    """

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    correction_reason = forms.CharField(
        label=_("Reason for the correction"),
        required=False,
        help_text=_(
            "Required when changing a report of a closed quarter. If the quarter's bulletin "
            "is issued, it keeps its figures and will say they have since been revised."
        ),
    )

    subject = ""
    user = None  # Set per request by the admin's get_form.

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["seen_version"].initial = self.instance.version
        self.fields["seen_version"].required = self.instance.pk is not None
        if "city" in self.fields and not reach(self.user).office:
            # A reporter can only ever name her own city, and subjects her city is in; one not
            # yet bound to a city can name none.
            places = reach(self.user).places
            self.fields["city"].queryset = City.objects.filter(pk__in=places)
            self.fields["city"].initial = next(iter(places)) if len(places) == 1 else None
            self.fields[self.subject].queryset = self.subjects_of(places, reach(self.user).plans())

    def probe(self, cleaned: dict) -> Reported:
        """An unsaved row of the subject, city, year and quarter the form names (or the saved
        row's where a field is fixed or invalid), to ask the workflow's questions of."""
        subject, city = cleaned.get(self.subject), cleaned.get("city")
        key = f"{self.subject}_id"
        return self._meta.model(
            **{key: subject.pk if subject else getattr(self.instance, key)},
            city_id=city.pk if city else self.instance.city_id,
            year=cleaned.get("year") or self.instance.year,
            quarter=cleaned.get("quarter") or self.instance.quarter,
        )

    def clean(self) -> dict:
        cleaned = super().clean()
        subject, quarter = cleaned.get(self.subject), cleaned.get("quarter")
        probe = self.probe(cleaned)
        closed_new = self.instance.pk is None and subject and quarter and probe.closed_at()
        if closed_new and not reach(self.user).office:
            self.add_error("quarter", _("The office has closed this quarter."))
        elif closed_new:
            # The office adds to a closed quarter as it corrects one: with a reason.
            setattr(self.instance, self.subject, subject)
            self.instance.quarter = quarter
            self.add_reason(cleaned)
        if self.instance.pk is not None:
            self.instance.check_version(cleaned.get("seen_version"))
        if "_submit" in self.data and self.instance.status in Reported.EDITABLE:
            if None not in (*probe.series().values(), probe.quarter):
                if error := probe.earlier_quarter_error():
                    self.add_error(None, error)
        if self.instance.pk is not None and self.instance.closed_at():
            # Kept with the history record, beside the values before and after.
            self.add_reason(cleaned)
        return cleaned

    def add_error(self, field, error) -> None:
        # A field fixed once the row exists (its city, its subject) is not on the form: what
        # the model says of it (a city that has left the task) is said of the whole form.
        if field is None and isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            mapped: dict[str, list] = {}
            for name, errors in error.error_dict.items():
                key = name if name in self.fields else NON_FIELD_ERRORS
                mapped.setdefault(key, []).extend(errors)
            error = ValidationError(mapped)
        elif field is not None and field not in self.fields:
            field = None
        super().add_error(field, error)

    def add_reason(self, cleaned: dict) -> None:
        try:
            self.instance.note_change_reason(cleaned.get("correction_reason"))
        except ValidationError as error:
            self.add_error("correction_reason", error)
