import calendar
import re
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import DecimalValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce
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
    def issued(self) -> "PlanQuerySet":
        """The plans past their draft: issued (印发), or with their year closed."""
        return self.exclude(status=Plan.Status.DRAFT)

    def current(self) -> "Plan | None":
        """The plan the landing page, the admin home and the sheets open: the issued one the
        office marked current, else the latest issued. A draft never takes over."""
        issued = self.issued()
        return issued.filter(is_current=True).first() or issued.order_by("-year").first()

    def by_year(self, year: str) -> "PlanQuerySet":
        """The plan of a year given as text; none for anything but four ASCII digits (a NUL
        byte or "²" would fail in the database or in int())."""
        return self.filter(year=int(year)) if re.fullmatch(r"[0-9]{4}", year or "") else self.none()

    def with_area_count(self) -> "PlanQuerySet":
        """How many focus areas each plan lists (its tasks are counted by tasks.models)."""
        return self.annotate(listed_area_count=models.Count("areas", distinct=True))


class Plan(models.Model):
    """One year's 工作要点: a draft the office alone sees, then issued on a date (印发日期),
    and closed when the year's work is done."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ISSUED = "issued", _("issued")
        CLOSED = "closed", _("year closed")

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
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        help_text=_(
            "A draft is seen by the office alone; an issued plan by everyone with a role; "
            "a closed year sends no more reminders."
        ),
    )
    issued_on = models.DateField(
        _("issue date (印发日期)"),
        null=True,
        blank=True,
        help_text=_(
            "Quarters that ended before it owe nothing. Leave empty when the source states no date."
        ),
    )
    is_current = models.BooleanField(
        _("current plan"),
        default=False,
        help_text=_(
            "The plan the landing page, the admin home and the quarter sheets open. When no "
            "issued plan is marked, the latest issued one is current."
        ),
    )
    declared_area_count = models.PositiveSmallIntegerField(
        _("declared focus areas"),
        null=True,
        blank=True,
        help_text=_("How many focus areas the plan itself announces; empty when not stated."),
    )
    declared_task_count = models.PositiveSmallIntegerField(
        _("declared tasks"),
        null=True,
        blank=True,
        help_text=_("How many tasks the plan itself announces; empty when not stated."),
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

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        if self.is_current:
            # One plan is current: marking this one unmarks the one before.
            Plan.objects.filter(is_current=True).exclude(pk=self.pk).update(is_current=False)

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

    def not_held(self, places) -> str | None:
        """Why `places` cannot be named in this plan: those it does not hold as members."""
        held = set(City.objects.of_plan(self).values_list("pk", flat=True))
        outside = [place.name for place in places if place.pk not in held]
        if not outside:
            return None
        return _("Cities: %(cities)s are not members of the %(year)d plan.") % {
            "cities": "、".join(outside),
            "year": self.year,
        }

    @cached_property
    def previous(self) -> "Plan | None":
        """Last year's plan, once issued: what year-on-year figures compare with."""
        return Plan.objects.issued().filter(year=self.year - 1).first()

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    def owes(self, quarter: int) -> bool:
        """Whether the cities owe `quarter`'s figures: not for a quarter that ended before the
        plan was issued (印发前). A plan whose issue date is not stated owes every quarter."""
        return self.issued_on is None or self.quarter_end(quarter) >= self.issued_on

    def deadline(self, quarter: int) -> date:
        """The day a quarter's figures are due; reports not submitted by its end are late."""
        return self.quarter_end(quarter) + timedelta(days=self.report_deadline_days)

    def clean(self) -> None:
        errors = {} if self.pk is None else self.coverage_errors()
        paces = [self.pace_q1, self.pace_q2, self.pace_q3, self.pace_q4]
        if None not in paces and paces != sorted(paces):
            errors["pace_q4"] = _("The expected pace cannot fall from one quarter to the next.")
        if self.issued_on and self.year and self.issued_on.year != self.year:
            errors["issued_on"] = _(
                "Issue date: it must fall within the plan's year (%(year)d)."
            ) % {"year": self.year}
        if self.is_current and self.status == self.Status.DRAFT:
            errors["is_current"] = _("Current plan: a draft cannot be current; issue it first.")
        if errors:
            raise ValidationError(errors)

    def coverage_errors(self) -> dict[str, str]:
        """A saved plan's year and declared area count must still fit what it lists (its
        declared task count is checked where tasks are known: tasks.forms.PlanForm); an
        issued plan, which the cities report into, never goes back to draft."""
        saved = Plan.objects.with_area_count().get(pk=self.pk)
        errors = {}
        if self.status == self.Status.DRAFT and saved.status != self.Status.DRAFT:
            errors["status"] = _(
                "Status: an issued plan cannot go back to draft; its figures are everyone's."
            )
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


CODE_RE = re.compile(r"[1-9][0-9]{5}")


class CityQuerySet(models.QuerySet):
    def by_slug(self, slug: str) -> "CityQuerySet":
        """The place of a slug given as text; none for anything that is not a slug (a NUL byte
        would fail on PostgreSQL)."""
        return (
            self.filter(slug=slug) if re.fullmatch(r"[-a-zA-Z0-9_]+", slug or "") else self.none()
        )

    def of_plan(self, plan: "Plan") -> "CityQuerySet":
        """The places `plan` holds, each once, with `in_part` (a city the plan holds in part)."""
        parts = Member.counties.through.objects.filter(
            member__plan=plan, member__place=models.OuterRef("pk")
        )
        held = self.filter(memberships__plan=plan).annotate(in_part=models.Exists(parts))
        # A county held alone follows its city's place in the order, not before every city.
        return held.order_by(
            Coalesce("parent__order", "order"), Coalesce("parent__slug", "slug"), "order", "slug"
        )

    def cities(self) -> "CityQuerySet":
        """Cities (地级市), not counties."""
        return self.filter(parent__isnull=True)


class City(BilingualName, models.Model):
    """A place: a city (地级市), or a county or district (区县) under one. A plan holds places
    as its members (`Member`); whatever is reported, allocated or ranked is a member's."""

    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=20, unique=True)
    name_en = models.CharField(_("English name"), max_length=50, blank=True)
    # Null, not "", where no code is known yet (places made before codes were kept): unique.
    code = models.CharField(  # noqa: DJ001
        _("administrative code"),
        max_length=6,
        unique=True,
        null=True,
        blank=False,
        help_text=_("The six-digit code of GB/T 2260, such as 410100 for 郑州."),
        error_messages={"unique": _("A place with this administrative code already exists.")},
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="counties",
        verbose_name=_("city"),
        help_text=_("For a county or district: the city it lies in. Empty for a city."),
    )
    retired_from = models.PositiveSmallIntegerField(
        _("retired from"),
        null=True,
        blank=True,
        validators=[MinValueValidator(2000), MaxValueValidator(2100)],
        help_text=_(
            "The first year whose plan may no longer hold it. Earlier plans keep it as they were."
        ),
    )
    order = models.PositiveSmallIntegerField(_("display order"), default=0)

    objects = CityQuerySet.as_manager()

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = _("place")
        verbose_name_plural = _("places")

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        # A city a plan holds in part is named so on that plan's pages (see of_plan).
        name = bilingual(self.name, self.name_en)
        if getattr(self, "in_part", False):
            return _("%(name)s (in part)") % {"name": name}
        return name

    @property
    def is_county(self) -> bool:
        return self.parent_id is not None

    def clean(self) -> None:
        errors = {}
        if self.code and not CODE_RE.fullmatch(self.code):
            errors["code"] = _("Administrative code: six digits of GB/T 2260, such as 410100.")
        elif self.parent_id:
            if self.parent.parent_id is not None:
                errors["parent"] = _("City: a county lies in a city, not in another county.")
            elif self.pk is not None and self.parent_id == self.pk:
                errors["parent"] = _("City: a place cannot lie in itself.")
            elif self.code and self.parent.code and self.code[:4] != self.parent.code[:4]:
                errors["parent"] = _(
                    "City: the code %(code)s is not of a county of %(city)s (%(city_code)s)."
                ) % {"code": self.code, "city": self.parent.name, "city_code": self.parent.code}
        if self.pk is not None and self.parent_id and self.counties.exists():
            errors["parent"] = _("City: this place has counties of its own, so it is a city.")
        saved = City.objects.filter(pk=self.pk).values_list("parent_id", flat=True).first()
        held = Member.objects.filter(models.Q(place=self.pk) | models.Q(counties=self.pk))
        if self.pk is not None and saved != self.parent_id and held.exists():
            errors["parent"] = _(
                "City: a place that plans hold keeps its city; add a new place instead."
            )
        if errors:
            raise ValidationError(errors)


class Member(models.Model):
    """A place one plan holds: a whole city, a city in part (its member counties named), or a
    single county."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="members", verbose_name=_("work plan")
    )
    place = models.ForeignKey(
        City, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("place")
    )
    counties = models.ManyToManyField(
        City,
        blank=True,
        related_name="part_memberships",
        verbose_name=_("member counties"),
        help_text=_("For a city the plan holds in part: its counties and districts it holds."),
    )

    class Meta:
        ordering = ["plan", "place__order", "place__slug"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "place"],
                name="member_unique_place",
                violation_error_message=_("This plan already holds this place."),
            ),
        ]

    # Set by a form that checks all of a plan's members at once (one save may drop a city and
    # add one of its counties): the saved rows are then not what the plan will hold.
    held_checked_together = False

    def __str__(self) -> str:
        return f"{self.plan.year} · {self.place}"

    def clean(self) -> None:
        if not (self.plan_id and self.place_id):
            return
        place, year = self.place, self.plan.year
        if place.retired_from is not None and year >= place.retired_from:
            raise ValidationError(
                {
                    "place": _("Place: %(place)s is retired from %(year)d on.")
                    % {"place": place.name, "year": place.retired_from}
                }
            )
        if self.held_checked_together:
            return  # The plan's page checks its members against each other, as posted.
        if place.parent_id:
            whole = Member.objects.filter(plan=self.plan, place_id=place.parent_id)
            if whole.exists():
                raise ValidationError(
                    {
                        "place": _(
                            "Place: the plan already holds %(city)s; name %(county)s among its "
                            "member counties instead."
                        )
                        % {"city": place.parent.name, "county": place.name}
                    }
                )
        else:
            inside = Member.objects.filter(plan=self.plan, place__parent=place).exclude(pk=self.pk)
            if inside.exists():
                raise ValidationError(
                    {
                        "place": _(
                            "Place: the plan already holds counties of %(city)s on their own; "
                            "hold the city in part instead."
                        )
                        % {"city": place.name}
                    }
                )

    def clean_counties(self, counties) -> None:
        """The counties named for a city in part lie in that city (checked by the forms: a
        many-to-many is set after the row is saved)."""
        wrong = [county.name for county in counties if county.parent_id != self.place_id]
        if wrong:
            raise ValidationError(
                {
                    "counties": _("Member counties: %(names)s do not lie in %(city)s.")
                    % {"names": "、".join(wrong), "city": self.place.name}
                }
            )


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

    CHOICE_RELATED = "plan"  # what `choice_label` reads, selected with the menu's rows

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"

    @property
    def choice_label(self) -> str:
        return f"{self.plan.year} · {self}"

    @property
    def display_summary(self) -> str:
        return bilingual(self.summary, self.summary_en)

    def clean(self) -> None:
        saved_plan = FocusArea.objects.filter(pk=self.pk).values_list("plan_id", flat=True).first()
        if saved_plan is not None and self.plan_id != saved_plan:
            raise ValidationError({"plan": _("A focus area cannot move to another year's plan.")})
        declared = self.plan.declared_area_count if self.plan_id else None
        if declared is not None and self.number and self.number > declared:
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

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="corridors", verbose_name=_("work plan")
    )
    slug = models.SlugField(_("slug"))
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    cities = models.ManyToManyField(City, related_name="corridors", verbose_name=_("cities"))
    order = models.PositiveSmallIntegerField(_("display order"), default=0)

    class Meta:
        ordering = ["plan", "order", "slug"]
        verbose_name = _("corridor")
        verbose_name_plural = _("corridors")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "slug"],
                name="corridor_unique_slug",
                violation_error_message=_("This plan already has a corridor with this slug."),
            ),
            models.UniqueConstraint(
                fields=["plan", "name"],
                name="corridor_unique_name",
                violation_error_message=_("This plan already has a corridor with this name."),
            ),
        ]

    CHOICE_RELATED = "plan"  # what `choice_label` reads, selected with the menu's rows

    def __str__(self) -> str:
        return self.name

    @property
    def choice_label(self) -> str:
        return f"{self.plan.year} · {self.name}"


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
