"""What the office is proposed to carry into next year's plan: the key projects not completed
by the year's end (by their last counted update, or their actual finish) and the tasks that
hold them, before the rest. tasks/editions.py does the carrying."""

from django import forms
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from investment.models import ProjectUpdate
from plan.models import Plan
from tasks.editions import year_error
from tasks.models import Project, Task


def unfinished(projects: QuerySet) -> QuerySet:
    """`projects` not completed: one of its sections' last counted update is not 建成 (or it
    has none), and no actual finish is recorded."""

    def last(project: str) -> Subquery:
        updates = ProjectUpdate.objects.counted().filter(
            project=OuterRef(project), city=OuterRef("city")
        )
        return Subquery(updates.order_by("-quarter").values("stage")[:1])

    sections = Project.cities.through.objects.filter(project=OuterRef("pk"))
    # A project carried over with no update this year stands where last year left it; exclude()
    # keeps a section with no update at all (NULL) as open.
    stage = Coalesce(last("project"), last("project__predecessor"))
    open_sections = sections.annotate(last=stage).exclude(last=Project.Stage.COMPLETED)
    return projects.filter(actual_finish__isnull=True).filter(
        Exists(open_sections) | ~Exists(sections)
    )


class NewEditionForm(forms.Form):
    """The year of the new plan and what carries over into it; the unfinished projects and
    their tasks come first and are ticked."""

    year = forms.IntegerField(
        label=_("Year of the new plan"),
        error_messages={"invalid": _("Year: give a year such as 2022.")},
    )
    tasks = forms.ModelMultipleChoiceField(
        label=_("Tasks to carry over"), queryset=Task.objects.none(), required=False
    )
    projects = forms.ModelMultipleChoiceField(
        label=_("Key projects to carry over"), queryset=Project.objects.none(), required=False
    )

    def __init__(self, source: Plan, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.source = source
        # What can still carry over: a project whose task went on alone stays behind.
        projects = Project.objects.of_plan(source).filter(
            successor__isnull=True, task__successor__isnull=True
        )
        open_ones = set(unfinished(projects).values_list("pk", flat=True))
        tasks = Task.objects.of_plan(source).filter(successor__isnull=True)
        open_tasks = set(Project.objects.filter(pk__in=open_ones).values_list("task", flat=True))
        taken = set(Plan.objects.values_list("year", flat=True))
        free = (year for year in range(source.year + 1, 2101) if year not in taken)
        self.fields["year"].initial = next(free, None)
        self.fields["projects"].queryset = projects
        self.fields["tasks"].queryset = tasks
        self.fields["projects"].initial = sorted(open_ones)
        self.fields["tasks"].initial = sorted(open_tasks)
        self.project_rows = sorted(
            projects.select_related("task__area"),
            key=lambda p: (p.pk not in open_ones, p.task.area.number, p.task.number, p.pk),
        )
        self.task_rows = sorted(
            tasks.select_related("area"),
            key=lambda t: (t.pk not in open_tasks, t.area.number, t.number),
        )
        self.open_projects, self.open_tasks = open_ones, open_tasks

    @property
    def ticked(self) -> dict[str, set[int]]:
        """The boxes ticked: as posted, else as proposed."""
        if not self.is_bound:
            return {"projects": self.open_projects, "tasks": self.open_tasks}
        return {
            name: {int(value) for value in self.data.getlist(name) if value.isdigit()}
            for name in ("projects", "tasks")
        }

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        if error := year_error(year):
            raise forms.ValidationError(error)
        if year <= self.source.year:
            raise forms.ValidationError(
                _("Year: the new plan must come after %(year)d.") % {"year": self.source.year}
            )
        return year
