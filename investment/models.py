from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Max, Q, Sum
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from plan.forms import CONTROL_CHARACTERS, control_character_error
from plan.models import City, Plan, YiField
from plan.money import exact
from plan.roles import is_office, reporter_city
from tasks.models import QUARTER_VALIDATORS, CityAllocation, Task

# Long enough for a real progress note, short enough that a paste accident is caught.
NOTE_LENGTH = 2000
# A reason kept with a history record: for a correction, a return, a close or a reopening.
REASON_LENGTH = 2000


class DuplicateReport(ValidationError):
    """A report for the same task, city and quarter was saved first, after this one was checked."""


class ProgressReportQuerySet(models.QuerySet):
    def counted(self, approved_only: bool = False) -> "ProgressReportQuerySet":
        """Reports that count towards progress (only approved ones if asked): drafts and
        returned reports never do."""
        if approved_only:
            return self.approved()
        return self.filter(status__in=ProgressReport.COUNTED)

    def approved(self) -> "ProgressReportQuerySet":
        return self.filter(status=ProgressReport.Status.APPROVED)

    def through(self, quarter: int) -> "ProgressReportQuerySet":
        return self.filter(quarter__lte=quarter)

    def of_plan(self, plan: Plan) -> "ProgressReportQuerySet":
        return self.filter(task__area__plan=plan, year=plan.year)

    def sample(self) -> "ProgressReportQuerySet":
        return self.filter(is_sample=True)


class ProgressReport(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        APPROVED = "approved", _("approved")
        RETURNED = "returned", _("returned")

    # The statuses whose amounts count in the figures.
    COUNTED = (Status.SUBMITTED, Status.APPROVED)
    # The statuses a reporter still edits and submits.
    EDITABLE = (Status.DRAFT, Status.RETURNED)

    task = models.ForeignKey(
        Task, on_delete=models.PROTECT, related_name="reports", verbose_name=_("task")
    )
    city = models.ForeignKey(
        City, on_delete=models.PROTECT, related_name="reports", verbose_name=_("city")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), validators=QUARTER_VALIDATORS)
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
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    is_sample = models.BooleanField(
        _("sample data"), default=False, help_text=_("Made up for demonstration; never real.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("last changed by"),
    )
    updated_at = models.DateTimeField(_("last changed at"), auto_now=True)
    return_reason = models.TextField(_("reason for return"), blank=True)
    ever_submitted = models.BooleanField(_("ever submitted"), default=False, editable=False)
    # Optimistic locking: a save must name the version it was based on (see check_version).
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

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

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            self.version += 1
            super().save(*args, **kwargs)
            return
        # Two saves of the same new report at once both pass validation; the second insert
        # then meets the unique constraint, and says so as validation would have.
        try:
            with transaction.atomic():
                super().save(*args, **kwargs)
        except IntegrityError:
            unique = next(c for c in self._meta.constraints if c.name == "report_unique_quarter")
            key = {"task": self.task_id, "city": self.city_id, "year": self.year}
            if not ProgressReport.objects.filter(**key, quarter=self.quarter).exists():
                raise
            self.pk = None
            raise DuplicateReport(unique.violation_error_message, code="unique") from None

    def clean(self) -> None:
        errors = {}
        if self.task_id and self.city_id and not self.task.involves(self.city_id):
            errors["city"] = _("This city does not take part in the task.")
        if self.task_id and self.year and self.year != self.task.area.plan.year:
            errors["year"] = _("The year must be the plan's year, %(year)d.") % {
                "year": self.task.area.plan.year
            }
        if CONTROL_CHARACTERS.search(self.note or ""):
            errors["note"] = control_character_error(self._meta.get_field("note").verbose_name)
        finite = isinstance(self.amount, Decimal) and self.amount.is_finite()
        if not errors and finite and None not in (self.task_id, self.city_id):
            errors.update(self.unit_errors())
        if errors:
            raise ValidationError(errors)

    def allocation(self) -> Decimal | None:
        """The city's share of the task's target, where one is allocated."""
        return (
            CityAllocation.objects.filter(task=self.task_id, city=self.city_id)
            .values_list("amount", flat=True)
            .first()
        )

    def unit_errors(self) -> dict[str, str]:
        """Catch 万元 typed as 亿元: ten times the task's target or the city's allocation, or, for a
        task with neither, more than the plan's largest task target."""
        allocation = self.allocation()
        for limit in (self.task.target, allocation):
            if limit and self.amount > 10 * limit:
                return {
                    "amount": _(
                        "%(amount)s 亿元 is more than ten times the task's target or the city's "
                        "allocation (%(limit)s 亿元). Was it entered in 万元? "
                        "1 亿元 = 10000 万元."
                    )
                    % {"amount": exact(self.amount), "limit": exact(limit)}
                }
        if self.task.target is None and allocation is None:
            # Nothing of its own to compare with: the plan's largest stated target bounds it.
            largest = Task.objects.filter(area__plan=self.task.area.plan_id).aggregate(
                largest=Max("target")
            )["largest"]
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

    def earlier_reports(self) -> list[tuple[int, Decimal, str]]:
        """The city's reports for this task in the year's earlier quarters: quarter, amount,
        status label."""
        rows = ProgressReport.objects.filter(
            task=self.task_id, city=self.city_id, year=self.year, quarter__lt=self.quarter
        ).order_by("quarter")
        return [
            (quarter, amount, self.Status(status).label)
            for quarter, amount, status in rows.values_list("quarter", "amount", "status")
        ]

    def cumulative_before(self) -> Decimal:
        """The city's total for this task in the quarters before this one, whatever the status."""
        total = ProgressReport.objects.filter(
            task=self.task_id, city=self.city_id, year=self.year, quarter__lt=self.quarter
        ).aggregate(total=Sum("amount"))["total"]
        return total or Decimal(0)

    def warnings(self) -> list[str]:
        """Saved but worth a second look: the cumulative passes 150% of the allocation."""
        allocation = self.allocation()
        cumulative = self.cumulative_before() + self.amount
        if allocation and cumulative > allocation * Decimal("1.5"):
            return [
                _(
                    "%(task)s, %(city)s: the cumulative %(cumulative)s 亿元 is more than 150%% of "
                    "the allocation of %(allocation)s 亿元. Please check the figure."
                )
                % {
                    "task": self.task.code,
                    "city": self.city.name,
                    "cumulative": exact(cumulative),
                    "allocation": exact(allocation),
                }
            ]
        return []

    def editable_by(self, user) -> bool:
        """Whether `user` may change this report now, the quarter's closing included."""
        return self.workflow_allows(user) and (is_office(user) or not self.closed_at())

    def workflow_allows(self, user) -> bool:
        """The office edits any report; a reporter her city's drafts and returned reports."""
        if is_office(user):
            return True
        city = reporter_city(user)
        return (
            city is not None
            and self.city_id == city.pk
            and self.status in (self.Status.DRAFT, self.Status.RETURNED)
        )

    def closed_at(self):
        """When the office closed this report's quarter; None while it is open."""
        if self.task_id is None:
            return None
        if not hasattr(self, "_closed_at"):
            self._closed_at = (
                QuarterClose.objects.filter(plan__areas__tasks=self.task_id, quarter=self.quarter)
                .values_list("closed_at", flat=True)
                .first()
            )
        return self._closed_at

    def amount_at_close(self) -> Decimal | None:
        """The amount as it stood when the quarter was closed, before any correction."""
        closed = self.closed_at()
        if closed is None:
            return None
        record = self.history.filter(history_date__lte=closed).first()
        return record.amount if record else None

    def note_change_reason(self, reason: str | None) -> None:
        """A report of a closed quarter changes only with a reason, kept as its history's reason.

        Every path that changes or deletes a report calls this first: the change form, the
        bulk actions, delete and the import.
        """
        reason = (reason or "").strip()
        if CONTROL_CHARACTERS.search(reason):
            raise control_character_error(_("Reason for the correction"))
        if len(reason) > REASON_LENGTH:
            raise ValidationError(
                _("Reason for the correction: at most %(limit)d characters.")
                % {"limit": REASON_LENGTH},
                code="reason",
            )
        if self.closed_at() and not reason:
            raise ValidationError(
                _("Reason for the correction: the quarter is closed, so say why it changes."),
                code="reason",
            )
        if reason:
            self._change_reason = reason

    def check_version(self, seen: int | None) -> None:
        """Refuse a save based on version `seen` when someone has saved since.

        Call inside the saving transaction: the row is locked (on PostgreSQL) until it commits.
        """
        locked = ProgressReport.objects.select_for_update().filter(pk=self.pk)
        if locked.values_list("version", flat=True).first() in (None, seen):
            return
        # Read apart from the lock: PostgreSQL cannot lock the outer join to the user.
        current = (
            ProgressReport.objects.filter(pk=self.pk)
            .values("amount", "note", "status", "updated_by__username", "updated_at")
            .first()
        )
        if current:
            raise ValidationError(
                _(
                    "%(user)s changed this report at %(time)s while you were editing it: it now "
                    "reads %(amount)s 亿元, status %(status)s, note “%(note)s”. Your changes "
                    "were not saved; reload the report and enter them again."
                )
                % {
                    "user": current["updated_by__username"] or "—",
                    "time": localtime(current["updated_at"]).strftime("%Y-%m-%d %H:%M"),
                    "amount": exact(current["amount"]),
                    "status": self.Status(current["status"]).label,
                    "note": current["note"],
                },
                code="stale",
            )

    def edited_by(self, user) -> None:
        """Record who changed the report; a returned report its reporter edits is a draft again."""
        self.updated_by = user
        if self.status == self.Status.RETURNED and not is_office(user):
            self.status = self.Status.DRAFT

    def unsubmitted_earlier(self) -> "ProgressReportQuerySet":
        """The city's reports of this task in earlier quarters still a draft or returned."""
        return ProgressReport.objects.filter(
            task=self.task_id,
            city=self.city_id,
            year=self.year,
            quarter__lt=self.quarter,
            status__in=self.EDITABLE,
        ).order_by("quarter")

    def earlier_quarter_error(self) -> str | None:
        """Why this report cannot be submitted yet: an earlier quarter is not submitted."""
        earlier = self.unsubmitted_earlier().first()
        if earlier is None:
            return None
        return _(
            "%(task)s: Q%(earlier)s of this task is still %(status)s; submit Q%(earlier)s "
            "before Q%(quarter)s."
        ) % {
            "task": self.task.code,
            "earlier": earlier.quarter,
            "status": earlier.get_status_display(),
            "quarter": self.quarter,
        }

    def submit(self) -> None:
        if self.status not in (self.Status.DRAFT, self.Status.RETURNED):
            raise ValidationError(_("Only a draft or returned report can be submitted."))
        if error := self.earlier_quarter_error():
            raise ValidationError(error)
        self.status = self.Status.SUBMITTED
        self.ever_submitted = True

    def approve(self) -> None:
        if self.status != self.Status.SUBMITTED:
            raise ValidationError(_("Only a submitted report can be approved."))
        self.status = self.Status.APPROVED

    def send_back(self, reason: str) -> None:
        if self.status not in (self.Status.SUBMITTED, self.Status.APPROVED):
            raise ValidationError(_("Only a submitted or approved report can be returned."))
        if not reason.strip():
            raise ValidationError(_("Reason for return: say why the report goes back."))
        self.status = self.Status.RETURNED
        self.return_reason = reason.strip()


class QuarterClose(models.Model):
    """The office has reviewed a quarter and closed it (锁定): reporters can no longer change it."""

    plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, related_name="closed_quarters", verbose_name=_("work plan")
    )
    quarter = models.PositiveSmallIntegerField(_("quarter"), validators=QUARTER_VALIDATORS)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closed_at = models.DateTimeField(_("closed at"), auto_now_add=True)

    # Closing is a "+" record and reopening a "-" one, each with who, when and why.
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    class Meta:
        ordering = ["plan", "quarter"]
        verbose_name = _("closed quarter")
        verbose_name_plural = _("closed quarters")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "quarter"],
                name="quarter_closed_once",
                violation_error_message=_("This quarter is already closed."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan.year}Q{self.quarter}"

    @classmethod
    def close(cls, plan: Plan, quarter: int, user, reason: str = "") -> "QuarterClose":
        closing = cls(plan=plan, quarter=quarter, closed_by=user)
        closing._history_user = user
        closing._change_reason = reason.strip()
        closing.save()
        return closing

    def reopen(self, user, reason: str) -> None:
        self._history_user = user
        self._change_reason = reason.strip()
        self.delete()
