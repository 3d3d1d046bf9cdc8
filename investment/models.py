from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from plan.models import City, Plan, YiField
from tasks.models import QUARTER_VALIDATORS, Task


class ProgressReportQuerySet(models.QuerySet):
    def counted(self) -> "ProgressReportQuerySet":
        """Reports that count towards progress: drafts and returned reports never do."""
        return self.filter(
            status__in=[ProgressReport.Status.SUBMITTED, ProgressReport.Status.APPROVED]
        )

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
    note = models.TextField(_("progress note"), blank=True)
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

    objects = ProgressReportQuerySet.as_manager()

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
        ]

    def __str__(self) -> str:
        return f"{self.task.code} · {self.city} · {self.year}Q{self.quarter}"

    def clean(self) -> None:
        errors = {}
        if self.task_id and self.city_id and not self.task.involves(self.city_id):
            errors["city"] = _("This city does not take part in the task.")
        if self.task_id and self.year and self.year != self.task.area.plan.year:
            errors["year"] = _("The year must be the plan's year, %(year)d.") % {
                "year": self.task.area.plan.year
            }
        if errors:
            raise ValidationError(errors)
