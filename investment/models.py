from decimal import Decimal
from functools import cached_property
from pathlib import Path
from uuid import uuid4

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Max, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from investment.workflow import (
    REASON_LENGTH,
    DuplicateReport,
    Facts,
    QuarterClose,
    Reported,
    ReportedQuerySet,
)
from people.access import reach
from plan.models import City, Plan, YiField
from plan.money import exact
from tasks.models import CityAllocation, Project, Task

__all__ = [
    "REASON_LENGTH",
    "DuplicateReport",
    "QuarterClose",
]

# Long enough for a real progress note, short enough that a paste accident is caught.
NOTE_LENGTH = 2000
# At most this many photos per project update.
MAX_PHOTOS = 6


class ProgressReportQuerySet(ReportedQuerySet):
    def counted_before(self, year: int, quarter: int) -> "ProgressReportQuerySet":
        """The year to date before `quarter`: the year's earlier reports that count (submitted,
        approved), as the pages count them. One definition for every screen."""
        return self.filter(year=year, quarter__lt=quarter).counted()

    def of_plan(self, plan: Plan) -> "ProgressReportQuerySet":
        return self.filter(task__area__plan=plan, year=plan.year)


class ReportFacts(Facts):
    """What a progress report's rules read beyond the series: the cities taking part in each
    task, the cities' allocations, each plan's largest task target."""

    def tasks_and_cities(self) -> tuple[set, set]:
        return {row.task_id for row in self.rows}, {row.city_id for row in self.rows}

    @cached_property
    def involved(self) -> set[tuple[int, int]]:
        """The (task, city) pairs where the city takes part in the task (Task.involves)."""
        tasks, cities = self.tasks_and_cities()
        taking_part = Task.cities.through.objects.filter(task__in=tasks, city__in=cities)
        return set(taking_part.values_list("task", "city"))

    @cached_property
    def allocations(self) -> dict[tuple[int, int], Decimal]:
        tasks, cities = self.tasks_and_cities()
        found = CityAllocation.objects.filter(task__in=tasks, city__in=cities)
        return {(task, city): to for task, city, to in found.values_list("task", "city", "amount")}

    @cached_property
    def largest(self) -> dict[int, Decimal | None]:
        """Each plan's largest task target."""
        plans = {plan for plan, _year in self.plans.values()}
        found = Task.objects.filter(area__plan__in=plans).values("area__plan").order_by()
        return {row["area__plan"]: row["largest"] for row in found.annotate(largest=Max("target"))}

    def cumulative_before(self, report: "ProgressReport") -> Decimal:
        """The year to date before the report's quarter, as the pages count it (submitted and
        approved): the report's own quarter is not in it, so its write changes nothing here."""
        earlier = [row for row in self.series(report) if row.quarter < report.quarter]
        return sum((row.amount for row in earlier if row.status in row.COUNTED), Decimal(0))


class ProgressReport(Reported):
    UNIQUE = "report_unique_quarter"
    Facts = ReportFacts
    EARLIER_UNSUBMITTED = _(
        "%(task)s: Q%(earlier)s of this task is still %(status)s; submit Q%(earlier)s "
        "before Q%(quarter)s (the city's reporter can, on Q%(earlier)s's quarterly sheet)."
    )

    task = models.ForeignKey(
        Task, on_delete=models.PROTECT, related_name="reports", verbose_name=_("task")
    )
    city = models.ForeignKey(
        City, on_delete=models.PROTECT, related_name="reports", verbose_name=_("city")
    )
    amount = YiField(
        _("investment completed in the quarter (亿元)"),
        help_text=_("This quarter's amount, not the year-to-date total."),
    )
    note = models.TextField(
        _("progress note"),
        blank=True,
        validators=[
            MaxLengthValidator(
                NOTE_LENGTH, message=_("The progress note has at most %(limit_value)d characters.")
            )
        ],
    )
    objects = ProgressReportQuerySet.as_manager()
    # A change reason can be a whole return reason (up to 2000 characters), not just 100.
    history = HistoricalRecords(
        excluded_fields=["updated_at", "version"],
        history_change_reason_field=models.TextField(null=True),
    )

    class Meta:
        ordering = ["year", "quarter", "task", "city"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        constraints = [
            models.UniqueConstraint(
                fields=["task", "city", "year", "quarter"],
                name="report_unique_quarter",
                violation_error_message=_(
                    "This city has already reported this task for this quarter."
                ),
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="report_amount_not_negative",
                violation_error_message=_(
                    "The investment completed in the quarter (亿元) cannot be negative."
                ),
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4),
                name="report_quarter_range",
                violation_error_message=_("The quarter must be between 1 and 4."),
            ),
        ]
        indexes = [
            models.Index(fields=["year", "quarter", "status"], name="report_year_quarter_status"),
            # The sample banner asks on every page whether any sample row is left; among a
            # million real reports, this finds the answer without reading them.
            models.Index(fields=["is_sample"], condition=Q(is_sample=True), name="report_sample"),
        ]

    def __str__(self) -> str:
        return f"{self.task.code} · {self.city} · {self.year}Q{self.quarter}"

    def clean(self) -> None:
        errors = {}
        facts = self.facts()
        if self.task_id and self.city_id and (self.task_id, self.city_id) not in facts.involved:
            errors["city"] = _("This city does not take part in the task.")
        year = facts.year_of(self)  # None for a task that is gone: its field says so.
        if year is not None and self.year and self.year != year:
            errors["year"] = _("The year must be the plan's year, %(year)d.") % {"year": year}
        finite = isinstance(self.amount, Decimal) and self.amount.is_finite()
        if not errors and finite and None not in (self.task_id, self.city_id):
            errors.update(self.unit_errors())
        if errors:
            raise ValidationError(errors)

    def allocation(self) -> Decimal | None:
        """The city's share of the task's target, where one is allocated."""
        return self.facts().allocations.get((self.task_id, self.city_id))

    def unit_errors(self) -> dict[str, str]:
        """Catch 万元 typed as 亿元: ten times the task's target or the city's allocation, or, for a
        task with neither, more than the plan's largest task target."""
        allocation = self.allocation()
        named = (
            (self.task.target, _("the task's target")),
            (allocation, _("the city's allocation")),
        )
        for limit, which in named:
            if limit and self.amount > 10 * limit:
                return {
                    "amount": _(
                        "%(amount)s (100 million yuan) is more than ten times %(which)s "
                        "(%(limit)s, so at most %(bound)s). Was it entered in ten thousands of "
                        "yuan (万元)? 1 亿元 = 10000 万元."
                    )
                    % {
                        "amount": exact(self.amount),
                        "which": which,
                        "limit": exact(limit),
                        "bound": exact(10 * limit),
                    }
                }
        if self.task.target is None and allocation is None:
            # Nothing of its own to compare with: the plan's largest stated target bounds it.
            facts = self.facts()
            largest = facts.largest.get(facts.plan_of(self))
            if largest and self.amount > largest:
                return {
                    "amount": _(
                        "%(amount)s 亿元 is more than the largest target of any task in the plan "
                        "(%(limit)s 亿元), and this task has neither a target nor an allocation "
                        "to compare with. Was it entered in 万元? 1 亿元 = 10000 万元."
                    )
                    % {"amount": exact(self.amount), "limit": exact(largest)}
                }
        return {}

    def earlier_reports(self, counted_only: bool = False) -> list[tuple[int, Decimal, str]]:
        """The city's reports for this task in the year's earlier quarters (those that count
        only, for a reader who is not the city's): quarter, amount, status label."""
        rows = ProgressReport.objects.filter(
            task=self.task_id, city=self.city_id, year=self.year, quarter__lt=self.quarter
        ).order_by("quarter")
        if counted_only:
            rows = rows.counted()
        return [
            (quarter, amount, self.Status(status).label)
            for quarter, amount, status in rows.values_list("quarter", "amount", "status")
        ]

    def cumulative_before(self) -> Decimal:
        """The city's year to date for this task before this quarter, as the quarter sheet and
        the pages count it (`counted_before`)."""
        return self.facts().cumulative_before(self)

    def warnings(self) -> list[str]:
        """Saved but worth a second look: the cumulative passes 150% of the allocation."""
        allocation = self.allocation()
        cumulative = self.cumulative_before() + self.amount
        if allocation and cumulative > allocation * Decimal("1.5"):
            return [
                _(
                    "%(task)s, %(city)s: the cumulative %(cumulative)s (100 million yuan) is "
                    "more than 150%% of the allocation of %(allocation)s. Please check the figure."
                )
                % {
                    "task": self.task.code,
                    "city": self.city.name,
                    "cumulative": exact(cumulative),
                    "allocation": exact(allocation),
                }
            ]
        return []

    def series(self) -> dict:
        return {"task": self.task_id, "city": self.city_id, "year": self.year}

    def closing(self) -> dict:
        return {"plan__areas__tasks": self.task_id}

    def subject_label(self) -> str:
        return self.task.code

    def amount_at_close(self) -> Decimal | None:
        """The amount as it stood when the quarter was closed, before any correction."""
        return self.at_close("amount")

    STALE_FIELDS = ("amount", "note")
    STALE_SUBJECT = pgettext_lazy("changed", "this report")

    def stale_summary(self, current: dict) -> str:
        return _("%(amount)s (100 million yuan), status “%(status)s”, note “%(note)s”") % {
            "amount": exact(current["amount"]),
            "status": self.Status(current["status"]).label,
            "note": current["note"] or "—",
        }


class ProjectUpdateQuerySet(ReportedQuerySet):
    def of_plan(self, plan: Plan) -> "ProjectUpdateQuerySet":
        return self.filter(project__task__area__plan=plan, year=plan.year)

    def timeline(self, project: Project, year: int, as_of: int) -> "ProjectUpdateQuerySet":
        """`project`'s updates of `year` up to quarter `as_of`, latest quarter first, with their
        cities and photos: a page as of Q3 never shows Q4's. Filter them by who reads."""
        return (
            self.filter(project=project, year=year, quarter__lte=as_of)
            .select_related("city")
            .prefetch_related("photos")
            .order_by("-quarter", "city__order", "city__slug")
        )


# 前期 < 在建 < 建成: a stage only a city's reporter cannot move backwards.
STAGE_ORDER = {stage: rank for rank, stage in enumerate(Project.Stage.values)}


class UpdateFacts(Facts):
    """What a project update's rules read beyond the series: the cities each project has a
    section in, the stages as saved, the last counted update before a carried-over project."""

    @cached_property
    def sections(self) -> set[tuple[int, int]]:
        """The (project, city) pairs where the project has a section."""
        projects, cities = {row.project_id for row in self.rows}, {row.city_id for row in self.rows}
        found = Project.cities.through.objects.filter(project__in=projects, city__in=cities)
        return set(found.values_list("project", "city"))

    @cached_property
    def stages(self) -> dict[int, str]:
        """Each saved row's stage as it is saved."""
        saved = [row.pk for row in self.rows if row.pk is not None]
        return dict(ProjectUpdate.objects.filter(pk__in=saved).values_list("pk", "stage"))

    @cached_property
    def carried(self) -> dict[tuple[int, int], "ProjectUpdate"]:
        """The last counted update of each project a row's project was carried over from, by
        that project and city."""
        before = {row.project.predecessor_id for row in self.rows if row.project_id} - {None}
        cities = {row.city_id for row in self.rows}
        found = ProjectUpdate.objects.counted().filter(project__in=before, city__in=cities)
        return {(u.project_id, u.city_id): u for u in found.order_by("quarter")}


class ProjectUpdate(Reported):
    """A project section's quarter (one city's part of a key project): its 形象进度, the stage at
    the quarter's end, the investment completed in the quarter and photos as evidence."""

    UNIQUE = "project_update_unique_quarter"
    Facts = UpdateFacts
    EARLIER_UNSUBMITTED = _(
        "%(task)s: Q%(earlier)s of this city's section is still %(status)s; submit "
        "Q%(earlier)s before Q%(quarter)s (the city's reporter can, on Q%(earlier)s's "
        "quarterly sheet)."
    )
    STALE_FIELDS = ("progress", "stage", "amount")
    STALE_SUBJECT = pgettext_lazy("changed", "this project update")

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="updates", verbose_name=_("key project")
    )
    city = models.ForeignKey(
        City, on_delete=models.PROTECT, related_name="project_updates", verbose_name=_("city")
    )
    progress = models.TextField(
        _("physical progress (形象进度)"),
        help_text=_("What physically stands at the end of the quarter."),
        validators=[
            MaxLengthValidator(
                NOTE_LENGTH,
                message=_("The physical progress has at most %(limit_value)d characters."),
            )
        ],
    )
    stage = models.CharField(
        _("stage at the quarter's end"), max_length=20, choices=Project.Stage.choices
    )
    amount = YiField(
        _("investment completed in the quarter (亿元)"),
        null=True,
        blank=True,
        help_text=_("This quarter's amount, not the year-to-date total. Empty if not known."),
    )

    objects = ProjectUpdateQuerySet.as_manager()
    history = HistoricalRecords(
        excluded_fields=["updated_at", "version"],
        history_change_reason_field=models.TextField(null=True),
    )

    class Meta:
        ordering = ["year", "quarter", "project", "city"]
        verbose_name = _("project update")
        verbose_name_plural = _("project updates")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "city", "year", "quarter"],
                name="project_update_unique_quarter",
                violation_error_message=_(
                    "This city has already reported this project for this quarter."
                ),
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="project_update_amount_not_negative",
                violation_error_message=_(
                    "The investment completed in the quarter (亿元) cannot be negative."
                ),
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4),
                name="project_update_quarter_range",
                violation_error_message=_("The quarter must be between 1 and 4."),
            ),
        ]
        indexes = [
            models.Index(fields=["year", "quarter", "status"], name="update_year_quarter_status"),
            models.Index(fields=["is_sample"], condition=Q(is_sample=True), name="update_sample"),
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.city} · {self.year}Q{self.quarter}"

    def clean(self) -> None:
        errors = {}
        facts = self.facts()
        section = (self.project_id, self.city_id)
        if None not in section and section not in facts.sections:
            errors["city"] = _("City: the project has no section in this city.")
        year = facts.year_of(self)  # None for a project that is gone: its field says so.
        if year is not None and self.year and self.year != year:
            errors["year"] = _("The year must be the plan's year, %(year)d.") % {"year": year}
        if not (self.progress or "").strip():
            errors["progress"] = _("Physical progress (形象进度): say what stands now.")
        if errors:
            raise ValidationError(errors)

    def series(self) -> dict:
        return {"project": self.project_id, "city": self.city_id, "year": self.year}

    def closing(self) -> dict:
        return {"plan__areas__tasks__projects": self.project_id}

    def subject_label(self) -> str:
        return self.project.name

    def earlier(self) -> "ProjectUpdate | None":
        """This section's update of the latest earlier quarter; for a project carried over,
        before its first this year, the last counted one of the year before (its stage goes
        on from there)."""
        facts = self.facts()
        found = [update for update in facts.series(self) if update.quarter < self.quarter]
        if found or not self.project_id or not self.project.predecessor_id:
            return found[-1] if found else None
        return facts.carried.get((self.project.predecessor_id, self.city_id))

    def later(self) -> "ProjectUpdate | None":
        """This section's update of the earliest later quarter."""
        later = (update for update in self.facts().series(self) if update.quarter > self.quarter)
        return next(later, None)

    def user_errors(self, user) -> dict[str, str]:
        """A reporter cannot move a section's stage back (a stage the row already had stands)."""
        if self.pk and self.facts().stages.get(self.pk) == self.stage:
            return {}
        error = self.stage_error(user)
        return {"stage": error} if error else {}

    def stage_error(self, user) -> str | None:
        """Why `user` may not report this stage: a reporter cannot move a section back, from
        the quarter before nor (correcting a returned quarter) to the quarter after."""
        if reach(user).office or not self.stage:
            return None
        earlier = self.earlier()
        going_back = earlier is not None and STAGE_ORDER[self.stage] < STAGE_ORDER[earlier.stage]
        if going_back and earlier.year != self.year:
            return _(
                "Stage at the quarter's end: the project was carried over from %(year)d, where "
                "Q%(earlier)s reported %(was)s; a stage does not go back to %(now)s. Ask the "
                "office if it was wrong."
            ) % {
                "year": earlier.year,
                "earlier": earlier.quarter,
                "was": earlier.get_stage_display(),
                "now": self.get_stage_display(),
            }
        if going_back:
            return _(
                "Stage at the quarter's end: Q%(earlier)s reported %(was)s; a stage does not go "
                "back to %(now)s. Ask the office if Q%(earlier)s was wrong."
            ) % {
                "earlier": earlier.quarter,
                "was": earlier.get_stage_display(),
                "now": self.get_stage_display(),
            }
        later = self.later()
        if later is not None and STAGE_ORDER[self.stage] > STAGE_ORDER[later.stage]:
            return _(
                "Stage at the quarter's end: Q%(later)s reported %(was)s; a stage does not go "
                "back, so an earlier quarter cannot be %(now)s. Ask the office if Q%(later)s was "
                "wrong."
            ) % {
                "later": later.quarter,
                "was": later.get_stage_display(),
                "now": self.get_stage_display(),
            }
        return None

    def stale_summary(self, current: dict) -> str:
        amount = current["amount"]
        return _(
            "stage “%(stage)s”, %(amount)s (100 million yuan), status “%(status)s”, physical "
            "progress “%(progress)s”"
        ) % {
            "stage": Project.Stage(current["stage"]).label,
            "amount": "—" if amount is None else exact(amount),
            "status": self.Status(current["status"]).label,
            "progress": current["progress"],
        }


# The formats a photo is kept in (investment/photos.py re-encodes every upload to one).
PHOTO_TYPES = {".jpg": "image/jpeg", ".png": "image/png"}


def photo_path(photo: "StoredPhoto", filename: str) -> str:
    """A random name in the photo's folder, with the extension of the re-encoded format.

    Never the uploaded name: it can say anything, and a guessable name would say how many
    photos there are. `filename` is the one photos.py gives, `photo.jpg` or `photo.png`.
    """
    extension = Path(filename).suffix.lower()
    if extension not in PHOTO_TYPES:
        raise ValueError(f"not a re-encoded photo: {filename!r}")
    return f"{photo.folder()}/{uuid4().hex}{extension}"


class StoredPhoto(models.Model):
    """A photo checked and re-encoded on upload (photos.py), kept through the default storage
    and served only to who may see what it belongs to (never from a public media address).

    A subclass names its storage folder after what the photo belongs to (`folder()`).
    """

    image = models.FileField(_("photo"), upload_to=photo_path, max_length=200)
    width = models.PositiveIntegerField(_("width"), editable=False)
    height = models.PositiveIntegerField(_("height"), editable=False)
    taken_at = models.DateTimeField(
        _("taken at"), null=True, blank=True, help_text=_("From the photo's EXIF, if it says.")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        abstract = True

    def content_type(self) -> str:
        return PHOTO_TYPES.get(Path(self.image.name).suffix.lower(), "application/octet-stream")


class ProjectPhoto(StoredPhoto):
    """A photo of a project update, served only to who may see the update."""

    update = models.ForeignKey(
        ProjectUpdate,
        on_delete=models.PROTECT,
        related_name="photos",
        verbose_name=_("project update"),
    )
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )

    # Deleting a photo removes its row only: the file stays in storage, as its history record
    # (who deleted it, when) still names it.
    history = HistoricalRecords()

    class Meta:
        ordering = ["update", "pk"]
        verbose_name = _("project photo")
        verbose_name_plural = _("project photos")

    def __str__(self) -> str:
        return f"{self.update} · {self.pk}"

    def get_absolute_url(self) -> str:
        # The only address of a photo: the view checks who may see the update.
        return reverse("project-photo", args=[self.pk])

    def folder(self) -> str:
        return f"project-photos/{self.update.year}/{self.update_id}"


def city_records(subject: Task | Project, city: City) -> list[str]:
    """What this app records of a task (reports) or a key project (updates) in `city`; the
    tasks app asks before a city leaves either (tasks.models.CITY_RECORDS)."""
    if isinstance(subject, Task):
        rows = ProgressReport.objects.filter(task=subject, city=city)
    else:
        rows = ProjectUpdate.objects.filter(project=subject, city=city)
    return [str(rows.model._meta.verbose_name_plural)] if rows.exists() else []
