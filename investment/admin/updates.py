"""Project updates in the admin: a city's reporter enters her city's project sections quarter by
quarter (形象进度, stage, amount, photos) and submits them; the office reviews them as it reviews
progress reports (ReportedAdmin)."""

from django.contrib import admin
from django.db import models
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from investment.admin.workflow import ReportedAdmin
from investment.models import ProjectUpdate
from investment.photos import ProjectPhotoInline
from investment.workflow_forms import ReportedForm
from people.access import reach
from tasks.models import Project


class ProjectUpdateForm(ReportedForm):
    """One project section's quarter; a reporter cannot move its stage back."""

    subject = "project"

    class Meta:
        model = ProjectUpdate
        fields = ["project", "city", "year", "quarter", "stage", "amount", "progress"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # A reporter's menus hold only her city and its projects; anything else was crafted.
        messages = {
            "project": _("Key project: choose a project with a section in your city."),
            "city": _("City: you report for your own city only."),
        }
        for name, message in messages.items():
            if name in self.fields and not reach(self.user).office:
                self.fields[name].error_messages["invalid_choice"] = message

    def subjects_of(self, places, plans) -> models.QuerySet:
        return Project.objects.filter(cities__in=places, task__area__plan__in=plans).distinct()

    def clean(self) -> dict:
        cleaned = super().clean()
        update = self.probe(cleaned)
        update.stage = cleaned.get("stage")
        if None not in (*update.series().values(), update.quarter):
            update.pk = self.instance.pk
            for field, error in update.user_errors(self.user).items():
                self.add_error(field, error)
        return cleaned


@admin.register(ProjectUpdate)
class ProjectUpdateAdmin(ReportedAdmin):
    plan_field = "project__task__area__plan"
    form = ProjectUpdateForm
    inlines = [ProjectPhotoInline]

    @admin.display(description=_("key project"), ordering="project__name")
    def project_label(self, obj: ProjectUpdate) -> str:
        # The name's start: the review list's figures and status stay in view at 1366 px.
        name = obj.project.name
        short = name if len(name) <= 16 else f"{name[:15]}…"
        return format_html('<span title="{}">{}</span>', name, short)

    list_display = [
        "project_label",
        "city",
        "quarter",
        "stage",
        "amount",
        "status",
        "sample_tag",
        "updated_at",
    ]
    list_filter = ["year", "quarter", "status", "stage", "city", "is_sample"]
    list_filter += [("project__task__area", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["project__name", "progress"]
    list_select_related = ["project", "city"]
    autocomplete_fields = ["project"]
    readonly_fields = [
        "amount_at_close",
        "status",
        "return_reason",
        "sample_mark",
        "created_by",
        "created_at",
        "updated_by",
        "updated_at",
    ]
    fields = [
        "project",
        "city",
        ("year", "quarter"),
        "stage",
        "amount",
        "progress",
        "seen_version",
        ("status", "return_reason"),
        "sample_mark",
        ("created_by", "created_at"),
        ("updated_by", "updated_at"),
    ]
    fixed_fields = ["project", "city", "year", "quarter"]
    reason_after = "progress"
