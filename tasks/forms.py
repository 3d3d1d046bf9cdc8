from django import forms
from django.utils.translation import gettext as _

from plan.models import Plan
from tasks.models import Project, Task, city_records, with_coverage


class PlanForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = ["year", "title", "title_en", "source", "status", "issued_on", "is_current"]
        fields += ["declared_area_count", "declared_task_count", "pace_q1", "pace_q2", "pace_q3"]
        fields += ["pace_q4", "report_deadline_days"]

    def clean_declared_task_count(self):
        declared = self.cleaned_data["declared_task_count"]
        if self.instance.pk is None or declared is None:
            return declared
        listed = with_coverage(Plan.objects.filter(pk=self.instance.pk)).get().listed_task_count
        if declared < listed:
            raise forms.ValidationError(
                _("The plan already lists %(count)d tasks; the declared number cannot be less.")
                % {"count": listed}
            )
        return declared


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
            "lead_unit",
            "supporting_units",
        ]

    def clean(self):
        cleaned = super().clean()
        area, cities = cleaned.get("area"), cleaned.get("cities")
        if area and cities and (message := area.plan.not_held(cities)):
            self.add_error("cities", message)
        corridor = cleaned.get("corridor")
        if area and corridor and corridor.plan_id != area.plan_id:
            self.add_error("corridor", _("Corridor: choose a corridor of the task's plan."))
        return cleaned

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


class ProjectForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = [
            "task",
            "name",
            "national_code",
            "description",
            "goal",
            "cities",
            "lead_unit",
            "supporting_units",
            "total_investment",
            "annual_investment",
            "planned_start",
            "planned_finish",
            "actual_start",
            "actual_finish",
            "latitude",
            "longitude",
        ]

    def clean(self):
        cleaned = super().clean()
        task, cities = cleaned.get("task"), cleaned.get("cities")
        if task and cities:
            outside = set(cities) - set(task.cities.all())
            if outside:
                self.add_error(
                    "cities",
                    _("%(cities)s does not take part in the project's task.")
                    % {"cities": _(", ").join(city.name for city in outside)},
                )
        if self.instance.pk and cities is not None:
            # A city's updates would stay without their section: counted, but of no section.
            removed = self.instance.cities.exclude(pk__in=[city.pk for city in cities])
            reported = [city for city in removed if city_records(self.instance, city)]
            if reported:
                self.add_error(
                    "cities",
                    _("Cities: %(cities)s already reported on this project and cannot be removed.")
                    % {"cities": _(", ").join(city.name for city in reported)},
                )
        return cleaned
