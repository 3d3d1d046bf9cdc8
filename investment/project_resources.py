"""Project updates read from a workbook's 重点项目 sheet, one row per project section and quarter:
项目编号 or 项目名称, 城市, 年度, 季度, 形象进度, 当前阶段 and 本季度完成投资(亿元).

Checked as the quarter entry checks them and saved with the first sheet's reports, or not at
all (resources.py runs both).
"""

from collections import defaultdict
from functools import cached_property

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields

from investment.import_rules import Passthrough, ReportedResource
from investment.imports import PROJECT_LABELS, header_key, parse_amount, parse_quarter, text_of
from investment.models import ProjectUpdate
from tasks.models import Project

Stage = Project.Stage
# The stage as the sheet writes it, in Chinese or English, or as stored.
STAGES = {
    header_key(word): stage
    for words, stage in [
        (("前期", "preparation"), Stage.PREPARATION),
        (("在建", "under construction", "construction"), Stage.CONSTRUCTION),
        (("建成", "completed"), Stage.COMPLETED),
    ]
    for word in words
}


def parse_stage(value) -> str:
    stage = STAGES.get(header_key(value))
    if stage is None:
        raise ValueError
    return stage


class StageWidget(Passthrough):
    """A stage as the preview shows it: 在建, not its stored value."""

    def render(self, value, obj=None, **kwargs):
        return Stage(value).label if value in Stage.values else value


def _field(name: str, widget=None) -> fields.Field:
    return fields.Field(
        attribute=name, column_name=PROJECT_LABELS[name], widget=widget or Passthrough()
    )


class ProjectUpdateResource(ReportedResource):
    LABELS = PROJECT_LABELS
    HEADER_OF = PROJECT_LABELS
    subject = "project"
    related = ("project__task__area__plan", "city")

    project = _field("project")
    city = _field("city")
    year = _field("year")
    quarter = _field("quarter")
    progress = _field("progress")
    stage = _field("stage", StageWidget())
    amount = _field("amount")

    class Meta:
        model = ProjectUpdate
        fields = ["project", "city", "year", "quarter", "progress", "stage", "amount"]
        import_id_fields = ["project", "city", "year", "quarter"]

    @cached_property
    def catalogue(self) -> tuple[dict, dict]:
        """The key projects by (year, 项目编号) and by (year, name): a name may be a project's
        of more than one task."""
        by_id, by_name = {}, defaultdict(list)
        for project in Project.objects.select_related("task__area__plan").prefetch_related(
            "cities"
        ):
            year = project.task.area.plan.year
            by_id[(year, str(project.pk))] = project
            by_name[(year, header_key(project.name))].append(project)
        return by_id, by_name

    def parse_row(self, row: dict, row_number: int | None) -> None:
        """Parse and check the row; every problem is reported with the column it is in."""
        row["_skip"] = False
        if all(row.get(c) in (None, "") for c in PROJECT_LABELS):
            row["_skip"] = True
            return
        errors = {}
        plan = self.year_and_plan(row, errors)
        project = row["project"] = self.find_project(row, plan, errors)
        city = row["city"] = self.city(row, errors)
        if "city" not in errors and project is not None and city not in project.cities.all():
            errors["city"] = _(
                "%(label)s: the key project %(project)s has no section in %(city)s."
            ) % {
                "label": PROJECT_LABELS["city"],
                "project": project.name,
                "city": city.name,
            }
        row["quarter"] = self.field(row, "quarter", errors, parse_quarter)
        row["progress"] = self.text(row, "progress", errors)
        if (
            not row["progress"]
            and row.get("stage") in (None, "")
            and row.get("amount") in (None, "")
        ):
            # A template row the clerk left empty: nothing to report for this section.
            row["_skip"] = True
            return
        if not row["progress"]:
            errors.setdefault(
                "progress",
                _("%(label)s: please fill it in.") % {"label": PROJECT_LABELS["progress"]},
            )
        stage = row.get("stage")
        row["stage"] = self.field(row, "stage", errors, parse_stage)
        if row["stage"] is None and stage not in (None, ""):
            errors["stage"] = _(
                "%(label)s: “%(value)s” is not a stage; write 前期, 在建 or 建成."
            ) % {
                "label": PROJECT_LABELS["stage"],
                "value": text_of(stage),
            }
        amount = row.get("amount")
        row["amount"] = (
            None if amount in (None, "") else self.field(row, "amount", errors, parse_amount)
        )
        self.check_once_and_open(
            row,
            row_number,
            errors,
            _("This row repeats row %(row)s: the same key project, city, year and quarter."),
        )
        if errors:
            raise ValidationError(errors)

    def find_project(self, row: dict, plan, errors: dict) -> Project | None:
        """The row's project by its 项目编号, or else by its name (which must then be the plan's
        only project of that name)."""
        number, name = text_of(row.get("project_id")), text_of(row.get("project"))
        words = {
            "id_label": PROJECT_LABELS["project_id"],
            "label": PROJECT_LABELS["project"],
            "number": number,
            "name": name,
            "year": plan.year if plan else "",
        }
        if not number and not name:
            errors["project"] = _("%(id_label)s or %(label)s: please fill one in.") % words
            return None
        if plan is None:
            return None
        by_id, by_name = self.catalogue
        if number:
            project = by_id.get((plan.year, number))
            if project is None:
                errors["project_id"] = (
                    _("%(id_label)s: the %(year)s plan has no key project %(number)s.") % words
                )
            elif name and header_key(name) != header_key(project.name):
                errors["project"] = _(
                    "%(label)s: “%(name)s” is not the name of key project %(number)s (%(project)s)."
                ) % {**words, "project": project.name}
            return project
        matches = by_name.get((plan.year, header_key(name)), [])
        if len(matches) == 1:
            return matches[0]
        if matches:
            errors["project"] = _(
                "%(label)s: %(count)d key projects of the %(year)s plan are named “%(name)s”; "
                "give the row's %(id_label)s."
            ) % {**words, "count": len(matches)}
        else:
            errors["project"] = (
                _("%(label)s: the %(year)s plan has no key project “%(name)s”.") % words
            )
        return None

    def import_instance(self, instance, row, **kwargs) -> None:
        super().import_instance(instance, row, **kwargs)
        # A reporter cannot move a section's stage back, as on the quarter entry.
        if not row.get("_skip") and (errors := instance.user_errors(self.user)):
            raise ValidationError(errors)

    def same_values(self, original: ProjectUpdate, instance: ProjectUpdate) -> bool:
        return (original.progress, original.stage, original.amount) == (
            instance.progress,
            instance.stage,
            instance.amount,
        )

    def version_key(self, instance: ProjectUpdate) -> tuple:
        # Apart from the reports' keys, which the same confirm form carries.
        return ("project", *super().version_key(instance))

    def changed_message(self, instance: ProjectUpdate, current) -> str:
        return _(
            "Key project %(project)s, %(city)s, %(year)s Q%(quarter)s changed after the preview "
            "(now %(stage)s, last changed by %(user)s). Nothing was imported: upload the file "
            "again to check it against the updates as they are now."
        ) % {
            "project": instance.project.name,
            "city": instance.city.name,
            "year": instance.year,
            "quarter": instance.quarter,
            "stage": current.get_stage_display() if current else "—",
            "user": self.changed_by(current),
        }
