import re
from collections.abc import Callable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models
from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from plan.models import City, Corridor, FocusArea, Plan, Unit, YiField, bilingual
from plan.money import exact
from tasks.national_code import NationalCodeField, is_national_code

QUARTER_VALIDATORS = [
    MinValueValidator(1, message=_("The quarter must be between 1 and 4.")),
    MaxValueValidator(4, message=_("The quarter must be between 1 and 4.")),
]

CODE_RE = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\s*$")


SAMPLE_IS_READ_ONLY = _(
    "Sample rows cannot be changed: remove them with purge_sample_data and enter real figures."
)


def over_target_message(total: Decimal, target: Decimal) -> str:
    return _(
        "Allocations would total %(total)s (100 million yuan), more than the task's target "
        "of %(target)s."
    ) % {"total": exact(total), "target": exact(target)}


# What the apps above this one record of a task or a key project in a city: each registers, in
# its AppConfig.ready(), a function (task or project, city) -> the names of its rows that do,
# so that a city is never taken off a task or a project from under them.
CITY_RECORDS: list[Callable[[models.Model, City], list[str]]] = []


def with_coverage(plans: models.QuerySet) -> models.QuerySet:
    """`plans` with how much of what each declares its source lists: `listed_area_count`
    and `listed_task_count`, the latest plan first."""
    return (
        plans.with_area_count()
        .annotate(listed_task_count=models.Count("areas__tasks", distinct=True))
        .order_by("-year")
    )


def earlier_error(earlier: Plan, later: Plan) -> None:
    if earlier.year >= later.year:
        raise ValidationError(
            {
                "predecessor": _(
                    "Carried over from: it must be of an earlier year's plan than %(year)d."
                )
                % {"year": later.year}
            }
        )


def city_records(subject: models.Model, city: City) -> list[str]:
    return [name for found in CITY_RECORDS for name in found(subject, city)]


class TaskQuerySet(models.QuerySet):
    def of_plan(self, plan: Plan) -> "TaskQuerySet":
        return self.filter(area__plan=plan)

    def by_code(self, code: str) -> "TaskQuerySet":
        """Tasks whose code is "A.N"; none for anything that is not such a code."""
        match = CODE_RE.match(code)
        if not match:
            return self.none()
        return self.filter(area__number=int(match[1]), number=int(match[2]))

    def with_target(self) -> "TaskQuerySet":
        return self.filter(target__isnull=False)


class Task(models.Model):
    area = models.ForeignKey(
        FocusArea, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("focus area")
    )
    number = models.PositiveSmallIntegerField(
        _("number within the area"),
        validators=[MinValueValidator(1, message=_("The number starts at 1."))],
    )
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=300, blank=True)
    description = models.TextField(
        _("source text"), blank=True, help_text=_("The source's own sentences, verbatim.")
    )
    target = YiField(
        _("annual investment target (亿元)"),
        null=True,
        blank=True,
        help_text=_("Leave empty when the source states no target; never estimate one."),
    )
    source_note = models.TextField(
        _("source note"),
        blank=True,
        help_text=_("Where the source text is damaged or incomplete, and what is missing."),
    )
    source_note_en = models.TextField(_("English source note"), blank=True)
    cities = models.ManyToManyField(City, related_name="tasks", verbose_name=_("cities"))
    corridor = models.ForeignKey(
        Corridor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("corridor"),
    )
    lead_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_tasks",
        verbose_name=_("lead unit"),
        help_text=_("The source names no units; staff record them."),
    )
    supporting_units = models.ManyToManyField(
        Unit, blank=True, related_name="supported_tasks", verbose_name=_("supporting units")
    )
    predecessor = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="successor",
        verbose_name=_("carried over from"),
        help_text=_("The task of an earlier year's plan this one continues."),
    )

    objects = TaskQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["area__plan", "area__number", "number"]
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        constraints = [
            models.UniqueConstraint(
                fields=["area", "number"],
                name="task_unique_number",
                violation_error_message=_("This focus area already has a task with this number."),
            ),
            models.CheckConstraint(
                condition=Q(target__isnull=True) | Q(target__gte=0),
                name="task_target_not_negative",
                violation_error_message=_("The annual target (亿元) cannot be negative."),
            ),
        ]

    CHOICE_RELATED = "area__plan"  # what `choice_label` reads, selected with the menu's rows

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def choice_label(self) -> str:
        return f"{self.area.plan.year} · {self}"

    def clean(self) -> None:
        if self.predecessor_id and self.area_id:
            earlier_error(self.predecessor.area.plan, self.area.plan)
        if self.pk is None:
            return
        saved = Task.objects.filter(pk=self.pk).values("area__plan_id").first()
        if self.area_id and saved and self.area.plan_id != saved["area__plan_id"]:
            raise ValidationError(
                {"area": _("A task cannot move to another year's plan; add a new task there.")}
            )
        allocated = self.allocations.aggregate(total=Sum("amount"))["total"]
        if allocated is None:
            return
        if self.target is None or self.target < allocated:
            raise ValidationError(
                {
                    "target": _(
                        "The cities are already allocated %(allocated)s (100 million yuan); "
                        "the annual target cannot be less. Lower the allocations first."
                    )
                    % {"allocated": exact(allocated)}
                }
            )

    def projects_over_target(self) -> str | None:
        """A warning when the projects' annual planned investment exceeds the task's target."""
        planned = self.projects.aggregate(total=Sum("annual_investment"))["total"]
        if planned is None or self.target is None or planned <= self.target:
            return None
        return _(
            "The projects of task %(code)s plan %(planned)s 亿元 this year, more than the "
            "task's target of %(target)s 亿元."
        ) % {"code": self.code, "planned": exact(planned), "target": exact(self.target)}

    def involves(self, city_id: int) -> bool:
        return self.cities.filter(pk=city_id).exists()

    def rows_naming(self, city: City) -> list[str]:
        """What still records this task in this city: allocations, milestones, and what the
        apps above this one record (their reports, problems: `CITY_RECORDS`)."""
        own = [self.allocations.filter(city=city), self.milestones.filter(city=city)]
        names = [str(rows.model._meta.verbose_name_plural) for rows in own if rows.exists()]
        return names + city_records(self, city)

    @property
    def code(self) -> str:
        return f"{self.area.number}.{self.number}"

    @property
    def display_title(self) -> str:
        return bilingual(self.title, self.title_en)

    @property
    def display_source_note(self) -> str:
        return bilingual(self.source_note, self.source_note_en)


class CityAllocationQuerySet(models.QuerySet):
    def of_plan(self, plan: Plan) -> "CityAllocationQuerySet":
        return self.filter(task__area__plan=plan)

    def sample(self) -> "CityAllocationQuerySet":
        return self.filter(is_sample=True)


class CityAllocation(models.Model):
    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="allocations", verbose_name=_("task")
    )
    city = models.ForeignKey(
        City, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("city")
    )
    amount = YiField(_("allocated amount (亿元)"))
    is_sample = models.BooleanField(
        _("sample data"), default=False, help_text=_("Made up for demonstration; never real.")
    )

    objects = CityAllocationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["task", "city"]
        verbose_name = _("city allocation")
        verbose_name_plural = _("city allocations")
        constraints = [
            models.UniqueConstraint(
                fields=["task", "city"],
                name="allocation_unique_city",
                violation_error_message=_("This task already has an allocation for this city."),
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="allocation_amount_not_negative",
                violation_error_message=_("The allocated amount (亿元) cannot be negative."),
            ),
        ]
        indexes = [
            # For the sample banner on every page (see ProgressReport's index of the same name).
            models.Index(
                fields=["is_sample"], condition=Q(is_sample=True), name="allocation_sample"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task} · {self.city}"

    def clean(self) -> None:
        if not (self.task_id and self.city_id):
            return
        if not self.task.involves(self.city_id):
            raise ValidationError({"city": _("This city does not take part in the task.")})
        if self.amount is None:
            return
        if self.task.target is None:
            raise ValidationError(
                {"amount": _("The task has no stated target, so there is nothing to allocate.")}
            )
        others = self.task.allocations.exclude(pk=self.pk).aggregate(total=Sum("amount"))["total"]
        total = (others or Decimal(0)) + self.amount
        if total > self.task.target:
            raise ValidationError({"amount": over_target_message(total, self.task.target)})


class Milestone(models.Model):
    class Kind(models.TextChoices):
        START = "start", _("start construction")
        COMPLETE = "complete", _("complete")
        DRAFT = "draft", _("draft a plan")
        POLICY = "policy", _("issue a policy")
        ADVANCE = "advance", _("advance")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("task")
    )
    city = models.ForeignKey(
        City,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="milestones",
        verbose_name=_("city"),
        help_text=_("Only where the source names the city."),
    )
    project = models.ForeignKey(
        "Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="milestones",
        verbose_name=_("project"),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    due_quarter = models.PositiveSmallIntegerField(
        _("due quarter"),
        null=True,
        blank=True,
        validators=QUARTER_VALIDATORS,
        help_text=_("Empty when the source states no date."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["task", "pk"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.CheckConstraint(
                condition=Q(due_quarter__isnull=True) | Q(due_quarter__gte=1, due_quarter__lte=4),
                name="milestone_due_quarter_range",
                violation_error_message=_("The quarter must be between 1 and 4."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.task_id and self.city_id and not self.task.involves(self.city_id):
            errors["city"] = _("This city does not take part in the task.")
        if self.project_id and self.task_id and self.project.task_id != self.task_id:
            errors["project"] = _("The project belongs to another task.")
        if self.status == self.Status.DONE and not self.done_on:
            errors["done_on"] = _("A milestone marked done needs the date it was done.")
        if self.done_on and self.status != self.Status.DONE:
            errors["done_on"] = _("Only a milestone marked done has a done date.")
        if errors:
            raise ValidationError(errors)


class ProjectQuerySet(models.QuerySet):
    def of_plan(self, plan: Plan) -> "ProjectQuerySet":
        return self.filter(task__area__plan=plan)

    def of_unit(self, unit: Unit) -> "ProjectQuerySet":
        """The projects `unit` leads or supports (each once)."""
        return self.filter(Q(lead_unit=unit) | Q(pk__in=unit.supported_projects.values("pk")))

    def matching(
        self,
        city: City | None = None,
        area: FocusArea | None = None,
        task: Task | None = None,
        unit: Unit | None = None,
        goal: str | None = None,
    ) -> "ProjectQuerySet":
        """The projects through `city`, of `area` and `task`, led or supported by `unit`, with
        `goal`: each filter applies only when given."""
        projects = self if city is None else self.filter(cities=city)
        if area is not None:
            projects = projects.filter(task__area=area)
        if task is not None:
            projects = projects.filter(task=task)
        if unit is not None:
            projects = projects.of_unit(unit)
        return projects if goal is None else projects.filter(goal=goal)

    def listed(self) -> "ProjectQuerySet":
        """In task order, with what a list of projects shows: task, lead unit and cities."""
        return (
            self.select_related("task__area", "lead_unit")
            .prefetch_related("cities")
            .order_by("task__area__number", "task__number", "pk")
        )


class Project(models.Model):
    """A key project (重点项目) the plan names. Its stage is what its sections' updates report
    (investment.ProjectUpdate), and its actual start and finish dates."""

    class Goal(models.TextChoices):
        START = "start", _("start construction")
        COMPLETE = "complete", _("complete")
        ADVANCE = "advance", _("advance")
        NOT_STATED = "not_stated", _("not stated")

    class Stage(models.TextChoices):
        PREPARATION = "preparation", _("preparation")
        CONSTRUCTION = "construction", _("under construction")
        COMPLETED = "completed", _("completed")

    task = models.ForeignKey(
        Task, on_delete=models.PROTECT, related_name="projects", verbose_name=_("task")
    )
    name = models.CharField(_("name"), max_length=200, help_text=_("The source's own words."))
    national_code = NationalCodeField(
        _("national project code"),
        blank=True,
        # Rows written by code that knows no such column (an older migration's) get none.
        default="",
        db_default="",
        help_text=_(
            "The code the national investment project online approval platform "
            "(全国投资项目在线审批监管平台) gave the project, of GB/T 40058-2021: 24 characters "
            "in five parts joined by hyphens, as XXXX-XXXXXX-XX-XX-XXXXXX. Full-width characters "
            "and small letters are converted. The project keeps it in every year's plan it is "
            "carried into; no other project may have it. Empty when not known."
        ),
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("What the source says of it, verbatim.")
    )
    cities = models.ManyToManyField(
        City,
        related_name="projects",
        verbose_name=_("cities"),
        help_text=_("Every city the project has a section in."),
    )
    lead_unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_projects",
        verbose_name=_("lead unit"),
    )
    supporting_units = models.ManyToManyField(
        Unit, blank=True, related_name="supported_projects", verbose_name=_("supporting units")
    )
    goal = models.CharField(
        _("the year's goal"),
        max_length=20,
        choices=Goal.choices,
        default=Goal.NOT_STATED,
        help_text=_("As the source states it."),
    )
    total_investment = YiField(
        _("total investment (亿元)"),
        null=True,
        blank=True,
        help_text=_("Leave empty when the source states none; never estimate one."),
    )
    annual_investment = YiField(
        _("annual planned investment (亿元)"),
        null=True,
        blank=True,
        help_text=_("Leave empty when the source states none; never estimate one."),
    )
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_finish = models.DateField(_("planned finish"), null=True, blank=True)
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_finish = models.DateField(_("actual finish"), null=True, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(-90, message=_("The latitude must be between -90 and 90.")),
            MaxValueValidator(90, message=_("The latitude must be between -90 and 90.")),
        ],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[
            MinValueValidator(-180, message=_("The longitude must be between -180 and 180.")),
            MaxValueValidator(180, message=_("The longitude must be between -180 and 180.")),
        ],
    )

    predecessor = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="successor",
        verbose_name=_("carried over from"),
        help_text=_("The same project in an earlier year's plan: its stage goes on from there."),
    )

    objects = ProjectQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["task", "pk"]
        verbose_name = _("key project")
        verbose_name_plural = _("key projects")
        constraints = [
            models.UniqueConstraint(
                fields=["task", "name"],
                name="project_unique_name",
                violation_error_message=_("This task already has a project with this name."),
            ),
            models.CheckConstraint(
                condition=Q(total_investment__isnull=True) | Q(total_investment__gte=0),
                name="project_total_investment_not_negative",
                violation_error_message=_("The total investment (亿元) cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(annual_investment__isnull=True) | Q(annual_investment__gte=0),
                name="project_annual_investment_not_negative",
                violation_error_message=_(
                    "The annual planned investment (亿元) cannot be negative."
                ),
            ),
        ]

    CHOICE_RELATED = "task__area__plan"  # what `choice_label` reads

    def __str__(self) -> str:
        return self.name

    @property
    def choice_label(self) -> str:
        return f"{self.task.area.plan.year} · {self.name}"

    def clean(self) -> None:
        errors = {}
        if self.planned_start and self.planned_finish and self.planned_finish < self.planned_start:
            errors["planned_finish"] = _("The planned finish cannot be before the planned start.")
        if self.actual_start and self.actual_finish and self.actual_finish < self.actual_start:
            errors["actual_finish"] = _("The actual finish cannot be before the actual start.")
        if self.national_code and is_national_code(self.national_code):
            holder = self.other_holder()
            if holder is not None:
                errors["national_code"] = _(
                    "National project code: %(code)s is already the code of “%(project)s” in the "
                    "%(year)s plan. A code is one project's; only that project, carried into "
                    "another year's plan, keeps it."
                ) % {
                    "code": self.national_code,
                    "project": holder.name,
                    "year": holder.task.area.plan.year,
                }
        if errors:
            raise ValidationError(errors)
        if self.predecessor_id and self.task_id:
            earlier_error(self.predecessor.task.area.plan, self.task.area.plan)

    def other_holder(self) -> "Project | None":
        """A project other than this one, in any year, with this one's national code: none
        where only this project's own editions (its predecessors and successors) have it.
        So a code is in a plan once, and a project carried over keeps its code. Checked here,
        not by a database constraint (a project's plan is three joins away): two saves of one
        code at the same moment could both pass."""
        holders = set(
            Project.objects.filter(national_code=self.national_code)
            .exclude(pk=self.pk)
            .values_list("pk", flat=True)
        )
        if not holders:
            return None
        # The predecessor as it is set here (not yet saved, perhaps), the successors as saved.
        others = holders - chain_ids(self.predecessor_id, self.pk)
        return (
            Project.objects.filter(pk__in=others)
            .select_related("task__area__plan")
            .order_by("pk")
            .first()
        )

    def lineage(self) -> list["Project"]:
        """The project in every year, the earliest first: its predecessors, itself, its
        successors, each with its plan. Two queries however many years it spans."""
        ids = chain_ids(self.pk, self.pk)
        rows = Project.objects.filter(pk__in=ids).select_related("task__area__plan")
        return sorted(rows, key=lambda row: row.task.area.plan.year)


def chain_ids(up_from: int | None, down_from: int | None) -> set[int]:
    """The ids of the project `up_from` and its predecessors, and of the project `down_from`
    and its successors (none for None). One recursive query however many years the chain
    spans (SQLite and PostgreSQL both have WITH RECURSIVE; UNION stops even on a looped
    chain)."""
    table = connection.ops.quote_name(Project._meta.db_table)
    chain = f"""
        WITH RECURSIVE up(id, predecessor_id) AS (
            SELECT id, predecessor_id FROM {table} WHERE id = %s
            UNION SELECT p.id, p.predecessor_id FROM {table} p
            JOIN up ON p.id = up.predecessor_id
        ), down(id) AS (
            SELECT id FROM {table} WHERE id = %s
            UNION SELECT p.id FROM {table} p JOIN down ON p.predecessor_id = down.id
        )
        SELECT id FROM up UNION SELECT id FROM down
    """
    with connection.cursor() as cursor:
        cursor.execute(chain, [up_from, down_from])
        return {row[0] for row in cursor.fetchall()}
