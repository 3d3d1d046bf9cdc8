from django import forms
from django.utils.translation import gettext as _

from .models import Task


class TaskForm(forms.ModelForm):
    class Meta:
        model = Task
        fields = [
            "area",
            "number",
            "title",
            "title_en",
            "target",
            "description",
            "source_note",
            "cities",
            "corridor",
        ]

    def clean_cities(self):
        cities = self.cleaned_data["cities"]
        if self.instance.pk is None:
            return cities
        # Taking a city off a task would orphan what is recorded for it there.
        for city in set(self.instance.cities.all()) - set(cities):
            rows = self.instance.rows_naming(city)
            if rows:
                raise forms.ValidationError(
                    _("%(city)s still has %(rows)s in this task, so it cannot leave the task.")
                    % {"city": city.name, "rows": _(", ").join(rows)}
                )
        return cities
