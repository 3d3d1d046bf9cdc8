import calendar
import re
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import DecimalValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.timezone import localdate
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from plan.forms import YiFormField, yi_validators


class YiField(models.DecimalField):
    """An amount in 亿元, kept to 万元 (four decimal places), never negative."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 4)
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": YiFormField, **kwargs})

    @cached_property
    def validators(self) -> list:
        # The messages name the field so they stay clear away from its form (imports, commands).
        others = [v for v in super().validators if not isinstance(v, DecimalValidator)]
        return [*others, *yi_validators(self.verbose_name, self.max_digits, self.decimal_places)]


def bilingual(chinese: str, english: str) -> str:
    """The Chinese text, or its English one when the page is in English and one is recorded."""
    return english if get_language() == "en" and english else chinese


class BilingualName:
    """Chinese `name` first; `name_en` when the page is in English and one is recorded."""

    @property
    def display_name(self) -> str:
        return bilingual(self.name, self.name_en)


class PlanQuerySet(models.QuerySet):
    def by_year(self, year: str) -> "PlanQuerySet":
        """The plan of a year given as text; none for anything but four ASCII digits (a NUL
        byte or "²" would fail in the database or in int())."""
        return self.filter(year=int(year)) if re.fullmatch(r"[0-9]{4}", year or "") else self.none()

    def with_area_count(self) -> "PlanQuerySet":
        """How many focus areas each plan lists (its tasks are counted by tasks.models)."""
        return self.annotate(listed_area_count=models.Count("areas", distinct=True))


class Plan(models.Model):
    year = models.PositiveSmallIntegerField(
        _("year"),
        unique=True,
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        error_messages={"unique": _("A plan for this year already exists.")},
    )
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("English title"), max_length=200, blank=True)
    source = models.TextField(
        _("source"), help_text=_("Where the plan's text comes from, and how complete it is.")
    )
    declared_area_count = models.PositiveSmallIntegerField(
        _("declared focus areas"), help_text=_("How many focus areas the plan itself announces.")
    )
    declared_task_count = models.PositiveSmallIntegerField(
        _("declared tasks"), help_text=_("How many tasks the plan itself announces.")
    )
    # Expected share of the annual target done by the end of each quarter, in percent.
    pace_q1 = models.PositiveSmallIntegerField(
        _("expected by end of Q1 (%)"), default=25, validators=[MaxValueValidator(100)]
    )
    pace_q2 = models.PositiveSmallIntegerField(
        _("expected by end of Q2 (%)"), default=50, validators=[MaxValueValidator(100)]
    )
    pace_q3 = models.PositiveSmallIntegerField(
        _("expected by end of Q3 (%)"), default=75, validators=[MaxValueValidator(100)]
    )
    pace_q4 = models.PositiveSmallIntegerField(
        _("expected by end of Q4 (%)"), default=100, validators=[MaxValueValidator(100)]
    )
    report_deadline_days = models.PositiveSmallIntegerField(
        _("reporting deadline (days after the quarter)"),
        default=10,
        validators=[MaxValueValidator(60)],
        help_text=_("Quarterly figures are due this many days after each quarter ends."),
    )

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("work plan")
        verbose_name_plural = _("work plans")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("plan-overview", args=[self.year])

    def expected_share(self, quarter: int) -> Decimal:
        """The share of the annual target expected done by the end of `quarter`, 0 to 1."""
        percent = (self.pace_q1, self.pace_q2, self.pace_q3, self.pace_q4)[quarter - 1]
        return Decimal(percent) / 100

    def quarter_end(self, quarter: int) -> date:
        month = quarter * 3
        return date(self.year, month, calendar.monthrange(self.year, month)[1])

    def as_of_day(self, quarter: int, today: date | None = None) -> date:
        """The day a page as of `quarter` reads the plan's problems on: the quarter's last
        day, or today while the quarter runs. One day for every page, sheet and list."""
        return min(self.quarter_end(quarter), today or localdate())

    def deadline(self, quarter: int) -> date:
        """The day a quarter's figures are due; reports not submitted by its end are late."""
        return self.quarter_end(quarter) + timedelta(days=self.report_deadline_days)

    def clean(self) -> None:
        errors = {} if self.pk is None else self.coverage_errors()
        paces = [self.pace_q1, self.pace_q2, self.pace_q3, self.pace_q4]
        if None not in paces and paces != sorted(paces):
            errors["pace_q4"] = _("The expected pace cannot fall from one quarter to the next.")
        if errors:
            raise ValidationError(errors)

    def coverage_errors(self) -> dict[str, str]:
        """A saved plan's year and declared area count must still fit what it lists (its
        declared task count is checked where tasks are known: tasks.forms.PlanForm)."""
        saved = Plan.objects.with_area_count().get(pk=self.pk)
        errors = {}
        if self.year != saved.year and saved.listed_area_count:
            errors["year"] = _("A plan with focus areas cannot change its year.")
        if self.declared_area_count is not None and (
            self.declared_area_count < saved.listed_area_count
        ):
            errors["declared_area_count"] = _(
                "The plan already lists %(count)d focus areas; the declared number cannot be less."
            ) % {"count": saved.listed_area_count}
        return errors

    @property
    def display_title(self) -> str:
        return bilingual(self.title, self.title_en)


class CityQuerySet(models.QuerySet):
    def by_slug(self, slug: str) -> "CityQuerySet":
        """The city of a slug given as text; none for anything that is not a slug (a NUL byte
        would fail on PostgreSQL)."""
        return (
            self.filter(slug=slug) if re.fullmatch(r"[-a-zA-Z0-9_]+", slug or "") else self.none()
        )


class City(BilingualName, models.Model):
    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=20, unique=True)
    name_en = models.CharField(_("English name"), max_length=50, blank=True)
    order = models.PositiveSmallIntegerField(_("display order"), default=0)

    objects = CityQuerySet.as_manager()

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = _("city")
        verbose_name_plural = _("cities")

    def __str__(self) -> str:
        return self.name


class FocusArea(BilingualName, models.Model):
    plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, related_name="areas", verbose_name=_("work plan")
    )
    number = models.PositiveSmallIntegerField(
        _("number"), validators=[MinValueValidator(1, message=_("The number starts at 1."))]
    )
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    summary_en = models.TextField(_("English summary"), blank=True)

    class Meta:
        ordering = ["plan", "number"]
        verbose_name = _("focus area")
        verbose_name_plural = _("focus areas")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "number"],
                name="focusarea_unique_number",
                violation_error_message=_("This plan already has a focus area with this number."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"

    @property
    def display_summary(self) -> str:
        return bilingual(self.summary, self.summary_en)

    def clean(self) -> None:
        saved_plan = FocusArea.objects.filter(pk=self.pk).values_list("plan_id", flat=True).first()
        if saved_plan is not None and self.plan_id != saved_plan:
            raise ValidationError({"plan": _("A focus area cannot move to another year's plan.")})
        if self.plan_id and self.number and self.number > self.plan.declared_area_count:
            raise ValidationError(
                {
                    "number": _("The plan declares only %(count)d focus areas.")
                    % {"count": self.plan.declared_area_count}
                }
            )


class Corridor(BilingualName, models.Model):
    class Kind(models.TextChoices):
        INNOVATION = "innovation", _("sci-tech innovation corridor")
        INDUSTRIAL = "industrial", _("industrial belt")
        ECOLOGICAL = "ecological", _("ecological corridor")

    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=50, unique=True)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    cities = models.ManyToManyField(City, related_name="corridors", verbose_name=_("cities"))
    order = models.PositiveSmallIntegerField(_("display order"), default=0)

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = _("corridor")
        verbose_name_plural = _("corridors")

    def __str__(self) -> str:
        return self.name


class UnitQuerySet(models.QuerySet):
    def active(self) -> "UnitQuerySet":
        return self.filter(is_active=True)


class Unit(models.Model):
    """A responsible unit (责任单位): leads or supports tasks and projects. Staff add them."""

    class Kind(models.TextChoices):
        CITY_GOVERNMENT = "city_government", _("city government")
        PROVINCIAL_DEPARTMENT = "provincial_department", _("provincial department")
        ENTERPRISE = "enterprise", _("enterprise")
        OTHER = "other", _("other")

    name = models.CharField(
        _("name"),
        max_length=100,
        unique=True,
        error_messages={"unique": _("A unit with this name already exists.")},
    )
    short_name = models.CharField(_("short name"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    city = models.ForeignKey(
        City,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="units",
        verbose_name=_("city"),
        help_text=_("The city the unit belongs to, if any."),
    )
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive units are kept for the record only.")
    )

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("responsible unit")
        verbose_name_plural = _("responsible units")

    def __str__(self) -> str:
        return self.short_name or self.name
