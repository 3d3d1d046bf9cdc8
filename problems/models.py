"""The problem list (问题清单): what blocks a task or project, assigned to a responsible unit
with a deadline (交办), answered by it (办理), verified and closed by the office (销号).

The status moves only through the methods below, each adding an entry to the problem's thread
and a history record; the escalation colour is computed from the deadline, never stored.
"""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Case, ExpressionWrapper, F, Q, Value, When
from django.urls import reverse
from django.utils.timezone import localdate
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from investment.models import StoredPhoto
from investment.workflow import REASON_LENGTH, Versioned, office_only
from people import notices
from people.access import active_contacts, active_reporters, office_members, reach
from people.models import display_name
from plan.forms import CONTROL_CHARACTERS, control_character_error
from plan.models import City, Unit
from tasks.models import Project, Task

DESCRIPTION_LENGTH = 2000


class Colour(models.TextChoices):
    """Escalation by the deadline (PROBLEM_WARNING_DAYS, PROBLEM_RED_DAYS in settings)."""

    NORMAL = "normal", _("on time")
    YELLOW = "yellow", _("yellow: due soon")
    ORANGE = "orange", _("orange: overdue")
    RED = "red", _("red: long overdue")


# Sorted by colour, the most urgent first.
COLOUR_RANK = {Colour.RED: 0, Colour.ORANGE: 1, Colour.YELLOW: 2, Colour.NORMAL: 3}


class ProblemQuerySet(models.QuerySet):
    def of_plan(self, plan) -> "ProblemQuerySet":
        return self.filter(task__area__plan=plan)

    def open(self) -> "ProblemQuerySet":
        return self.filter(status__in=Problem.OPEN)

    def sample(self) -> "ProblemQuerySet":
        return self.filter(is_sample=True)

    def raised_by(self, day: date) -> "ProblemQuerySet":
        """The problems raised on or before `day` (a page's as-of day)."""
        return self.filter(created_at__date__lte=day)

    def with_colour(self, today: date) -> "ProblemQuerySet":
        """Each problem's `colour` and `colour_rank` on `today` (a page's as-of day), and
        `ended_then` (closed or refused by that day): an open one by its deadline from that
        day, an ended one as it stood the day it was closed. A problem closed after the day
        was open on it."""
        red, warning = timedelta(days=settings.PROBLEM_RED_DAYS), settings.PROBLEM_WARNING_DAYS
        ended = Q(status__in=Problem.ENDED, closed_on__lte=today)
        late_by_red = ExpressionWrapper(F("deadline") + red, output_field=models.DateField())
        colour = Case(
            When(deadline__isnull=True, then=Value(Colour.NORMAL)),
            When(ended & Q(closed_on__gt=late_by_red), then=Value(Colour.RED)),
            When(ended & Q(closed_on__gt=F("deadline")), then=Value(Colour.ORANGE)),
            When(ended, then=Value(Colour.NORMAL)),
            When(deadline__lt=today - red, then=Value(Colour.RED)),
            When(deadline__lt=today, then=Value(Colour.ORANGE)),
            When(deadline__lte=today + timedelta(days=warning), then=Value(Colour.YELLOW)),
            default=Value(Colour.NORMAL),
            output_field=models.CharField(),
        )
        rank = Case(
            *(When(colour=Value(c), then=Value(r)) for c, r in COLOUR_RANK.items()),
            output_field=models.IntegerField(),
        )
        ended_then = Case(When(ended, then=Value(1)), default=Value(0))
        return self.annotate(colour=colour, ended_then=ended_then).annotate(colour_rank=rank)

    def listed(self, today: date) -> "ProblemQuerySet":
        """What a list of problems shows, the most urgent first: those open on `today` before
        those ended by then, each by colour, then deadline."""
        return (
            self.with_colour(today)
            .select_related("task__area", "project", "city", "unit")
            .order_by("ended_then", "colour_rank", F("deadline").asc(nulls_last=True), "pk")
        )

    def visible_to(self, user) -> "ProblemQuerySet":
        """The problems `user` may read, as the access gate says (people/access.py)."""
        found = reach(user)
        return self.filter(
            found.problem_rows(Problem.Status.RAISED), found.plan_rows("task__area__plan")
        )


class Problem(Versioned):
    """A problem raised by a city against a task (and maybe one of its projects)."""

    class Kind(models.TextChoices):
        LAND = "land", _("land (用地)")
        FUNDING = "funding", _("funding (资金)")
        APPROVAL = "approval", _("approvals (审批)")
        RELOCATION = "relocation", _("relocation (征迁)")
        ENVIRONMENT = "environment", _("environmental assessment (环评)")
        CROSS_CITY = "cross_city", _("cross-city coordination (跨市协调)")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        RAISED = "raised", _("raised, to assign")
        ASSIGNED = "assigned", _("assigned")
        ANSWERED = "answered", _("answered")
        # Not _("closed"): the catalogue has that word for a closed quarter (锁定).
        CLOSED = "closed", _("closed, verified")
        REFUSED = "refused", _("not accepted")

    OPEN = (Status.RAISED, Status.ASSIGNED, Status.ANSWERED)
    ENDED = (Status.CLOSED, Status.REFUSED)
    STALE_SUBJECT = pgettext_lazy("changed", "this problem")
    STALE_FIELDS = ("title", "unit__name", "deadline")

    task = models.ForeignKey(
        Task, on_delete=models.PROTECT, related_name="problems", verbose_name=_("task")
    )
    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="problems",
        verbose_name=_("key project"),
    )
    city = models.ForeignKey(
        City, on_delete=models.PROTECT, related_name="problems", verbose_name=_("raised by city")
    )
    title = models.CharField(_("problem"), max_length=100)
    description = models.TextField(
        pgettext_lazy("problem", "description"),
        validators=[
            MaxLengthValidator(
                DESCRIPTION_LENGTH,
                message=_("The description has at most %(limit_value)d characters."),
            )
        ],
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    unit = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="problems",
        verbose_name=_("responsible unit"),
    )
    supporting_units = models.ManyToManyField(
        Unit, blank=True, related_name="supported_problems", verbose_name=_("supporting units")
    )
    leader = models.CharField(
        _("coordinating leader"), max_length=50, blank=True, help_text=_("A name, as written.")
    )
    assigned_on = models.DateField(_("assigned on"), null=True, blank=True, editable=False)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    closed_on = models.DateField(
        _("closed on"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The day it was closed or not accepted."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.RAISED
    )
    is_sample = models.BooleanField(
        _("sample data"), default=False, help_text=_("Made up for demonstration; never real.")
    )

    objects = ProblemQuerySet.as_manager()
    history = HistoricalRecords(
        table_name="investment_historicalproblem",
        excluded_fields=["updated_at", "version"],
        history_change_reason_field=models.TextField(null=True),
    )

    class Meta:
        db_table = "investment_problem"  # kept from before the move to this app
        ordering = ["-created_at", "pk"]
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        indexes = [
            models.Index(fields=["status", "deadline"], name="problem_status_deadline"),
            models.Index(fields=["is_sample"], condition=Q(is_sample=True), name="problem_sample"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        if not (self.title or "").strip():
            errors["title"] = _("Problem: say in a few words what blocks the work.")
        if not (self.description or "").strip():
            errors["description"] = _("Description: say what the problem is and what it blocks.")
        if self.task_id and self.city_id and not self.task.involves(self.city_id):
            errors["city"] = _("Raised by city: this city does not take part in the task.")
        if self.project_id and self.task_id and self.project.task_id != self.task_id:
            errors["project"] = _("Key project: the project belongs to another task.")
        if errors:
            raise ValidationError(errors)

    def colour(self, today: date | None = None) -> Colour:
        """The escalation colour on `today`; a closed problem keeps the one it closed with."""
        if self.deadline is None:
            return Colour.NORMAL
        today = today or localdate()
        ended = self.ended_on(today)
        late = ((ended or today) - self.deadline).days
        if late > settings.PROBLEM_RED_DAYS:
            return Colour.RED
        if late > 0:
            return Colour.ORANGE
        if ended is None and -late <= settings.PROBLEM_WARNING_DAYS:
            return Colour.YELLOW
        return Colour.NORMAL

    def ended_on(self, today: date) -> date | None:
        """The day it was closed or refused, if that was by `today`; None while open then."""
        if self.status in self.ENDED and self.closed_on and self.closed_on <= today:
            return self.closed_on
        return None

    def days_late(self, today: date | None = None) -> int:
        """How many days past the deadline it is on `today` (open then) or was when it closed;
        0 if not late."""
        if self.deadline is None:
            return 0
        today = today or localdate()
        return max(0, ((self.ended_on(today) or today) - self.deadline).days)

    # The steps. Each checks who may take it from which status, changes the problem, and
    # returns the thread entry to save with it (see `record`).

    def _require(self, allowed: tuple, action: str) -> None:
        if self.status not in allowed:
            raise ValidationError(
                _("Status: a problem that is %(status)s cannot take the step “%(action)s”.")
                % {"status": self.get_status_display(), "action": action},
                code="status",
            )

    def raised_by(self, user) -> "ProblemEntry":
        """提出: a city's reporter raises the problem for her city (the office for any city);
        its description opens the thread."""
        if not reach(user).acts_for(self.city):
            raise ValidationError({"city": _("You cannot report for this city.")})
        self.created_by = user
        entry = self.entry(user, ProblemEntry.Kind.RAISED, "")
        entry.text = self.description
        return entry

    def assign(self, user, unit: Unit, deadline: date, note: str = "") -> "ProblemEntry":
        """交办: the office names the responsible unit and the deadline."""
        office_only(user)
        self._require((self.Status.RAISED, self.Status.ASSIGNED), _("assign"))
        today = localdate()
        errors = {}
        if unit is None or not Unit.objects.active().filter(pk=unit.pk).exists():
            errors["unit"] = _("Responsible unit: choose a unit that exists and is active.")
        if deadline is None:
            errors["deadline"] = _("Deadline: give the day the unit must answer by.")
        elif deadline < today:
            errors["deadline"] = _(
                "Deadline: %(deadline)s is before today (%(today)s), the day it is assigned."
            ) % {"deadline": deadline.isoformat(), "today": today.isoformat()}
        if errors:
            raise ValidationError(errors)
        self.unit, self.deadline, self.assigned_on = unit, deadline, today
        self.status = self.Status.ASSIGNED
        return self.entry(user, ProblemEntry.Kind.ASSIGNED, note)

    def answer(self, user, text: str) -> "ProblemEntry":
        """办理: the unit's contact (or the office) says what was done."""
        if not reach(user).office and (reach(user).unit is None or reach(user).unit != self.unit):
            raise ValidationError(
                {"text": _("Answer: only a contact of the responsible unit can answer.")}
            )
        self._require((self.Status.ASSIGNED,), _("answer"))
        self.status = self.Status.ANSWERED
        return self.entry(user, ProblemEntry.Kind.ANSWERED, text, required=True)

    def close(self, user, note: str = "") -> "ProblemEntry":
        """销号: the office has verified the answer."""
        office_only(user)
        self._require((self.Status.ANSWERED,), _("close"))
        self.status, self.closed_on = self.Status.CLOSED, localdate()
        return self.entry(user, ProblemEntry.Kind.CLOSED, note)

    def send_back(self, user, reason: str) -> "ProblemEntry":
        """The office returns the answer to the unit, with a reason."""
        office_only(user)
        self._require((self.Status.ANSWERED,), _("return to the unit"))
        self.status = self.Status.ASSIGNED
        return self.entry(user, ProblemEntry.Kind.RETURNED, reason, required=True)

    def refuse(self, user, reason: str) -> "ProblemEntry":
        """不予受理: the office will not take the problem up, with a reason."""
        office_only(user)
        self._require(self.OPEN, _("refuse"))
        self.status, self.closed_on = self.Status.REFUSED, localdate()
        return self.entry(user, ProblemEntry.Kind.REFUSED, reason, required=True)

    def entry(self, user, kind: str, text: str, required: bool = False) -> "ProblemEntry":
        text = (text or "").strip()
        if required and not text:
            raise ValidationError({"text": ProblemEntry.TEXT_REQUIRED[kind]})
        if CONTROL_CHARACTERS.search(text):
            raise ValidationError({"text": control_character_error(_("Text"))})
        if len(text) > REASON_LENGTH:
            raise ValidationError(
                {"text": _("Text: at most %(limit)d characters.") % {"limit": REASON_LENGTH}}
            )
        self.updated_by = user
        self._history_user = user
        self._change_reason = text or None
        return ProblemEntry(problem=self, kind=kind, author=user, text=text)

    def record(self, entry: "ProblemEntry", seen_version: int | None) -> None:
        """Save a step: the problem, checked against the version its form saw, and its entry;
        whoever the step makes the next to act hears of it (once the transaction commits).
        Call inside a transaction."""
        self.check_version(seen_version)
        self.save()
        entry.save()
        self.tell(entry)

    def tell(self, entry: "ProblemEntry") -> None:
        """Email the step to whom it concerns: 交办 and a returned answer to the unit's
        contacts, 答复 to the office, 销号 and 不予受理 to whoever raised it and her city's
        reporters."""
        Kind = ProblemEntry.Kind
        raisers = [reporter.user for reporter in active_reporters().filter(city=self.city_id)] + (
            [self.created_by] if self.created_by else []
        )
        to = {
            Kind.ASSIGNED: lambda: [contact.user for contact in active_contacts([self.unit])],
            Kind.RETURNED: lambda: [contact.user for contact in active_contacts([self.unit])],
            Kind.ANSWERED: lambda: list(office_members()),
            Kind.CLOSED: lambda: raisers,
            Kind.REFUSED: lambda: raisers,
        }.get(entry.kind)
        if to is None:
            return

        def compose() -> tuple[str, str]:
            words = {
                "step": entry.get_kind_display(),
                "title": self.title,
                "city": self.city.name,
                "unit": self.unit.name if self.unit else "—",
                "deadline": self.deadline.isoformat() if self.deadline else "—",
                "who": display_name(entry.author),
                "text": entry.text or "—",
                "link": notices.link(reverse("admin:problems_problem_change", args=[self.pk])),
            }
            return (
                _("Problem %(step)s: %(title)s (%(city)s)") % words,
                _(
                    "%(who)s: %(step)s.\n\nProblem: %(title)s (raised by %(city)s)\n"
                    "Responsible unit: %(unit)s, deadline %(deadline)s\n\n%(text)s\n\n"
                    "Open it: %(link)s"
                )
                % words,
            )

        # Only whoever may still read the problem (a raiser moved to another role may not).
        readers = [
            user
            for user in dict.fromkeys(to())
            if Problem.objects.filter(pk=self.pk).visible_to(user).exists()
        ]
        notices.tell(readers, compose, leaving_out=entry.author)


class ProblemEntry(models.Model):
    """One step of a problem's thread: who, when, and what they wrote."""

    class Kind(models.TextChoices):
        RAISED = "raised", _("raised")
        ASSIGNED = "assigned", _("assigned")
        ANSWERED = "answered", _("answered")
        RETURNED = "returned", _("returned to the unit")
        CLOSED = "closed", _("closed, verified")
        REFUSED = "refused", _("not accepted")
        COMMENT = "comment", _("comment")

    TEXT_REQUIRED = {
        Kind.RAISED: _("Text: say what the problem is."),
        Kind.ANSWERED: _("Answer: say what was done."),
        Kind.RETURNED: _("Reason: say why the answer goes back to the unit."),
        Kind.REFUSED: _("Reason: say why the problem is not accepted."),
        Kind.COMMENT: _("Text: write the comment."),
    }

    problem = models.ForeignKey(
        Problem, on_delete=models.PROTECT, related_name="entries", verbose_name=_("problem")
    )
    kind = models.CharField(_("step"), max_length=20, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    text = models.TextField(_("text"), blank=True)

    class Meta:
        db_table = "investment_problementry"  # kept from before the move to this app
        ordering = ["problem", "created_at", "pk"]
        verbose_name = _("problem entry")
        verbose_name_plural = _("problem entries")

    def __str__(self) -> str:
        return f"{self.problem} · {self.get_kind_display()}"


class ProblemAttachment(StoredPhoto):
    """A photo attached to a thread entry: the same checks and serving rules as project photos."""

    entry = models.ForeignKey(
        ProblemEntry,
        on_delete=models.PROTECT,
        related_name="attachments",
        verbose_name=_("problem entry"),
    )

    class Meta:
        db_table = "investment_problemattachment"  # kept from before the move to this app
        ordering = ["entry", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return f"{self.entry} · {self.pk}"

    def get_absolute_url(self) -> str:
        # The only address of an attachment: the view checks who may see the problem.
        return reverse("problem-attachment", args=[self.pk])

    def folder(self) -> str:
        return f"problem-attachments/{self.entry.problem_id}"


# The office's digest of red problems goes out at most this often.
DIGEST_INTERVAL = timedelta(days=7)


class ProblemReminder(models.Model):
    """A day the contacts of a problem's unit were reminded of it."""

    problem = models.ForeignKey(
        Problem,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("problem"),
    )
    sent_on = models.DateField(_("sent on"))
    recipients = models.PositiveIntegerField(_("recipients"))

    class Meta:
        db_table = "investment_problemreminder"
        ordering = ["-sent_on", "pk"]
        verbose_name = _("problem reminder")
        verbose_name_plural = _("problem reminders")
        constraints = [
            models.UniqueConstraint(fields=["problem", "sent_on"], name="one_reminder_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.problem} · {self.sent_on}"


class ProblemDigest(models.Model):
    """A digest of red problems sent to the office."""

    sent_on = models.DateField(_("sent on"), unique=True)
    problems = models.PositiveIntegerField(_("red problems"))
    recipients = models.PositiveIntegerField(_("recipients"))

    class Meta:
        db_table = "investment_problemdigest"
        ordering = ["-sent_on"]
        verbose_name = _("problem digest")
        verbose_name_plural = _("problem digests")

    def __str__(self) -> str:
        return str(self.sent_on)

    @property
    def next_due(self) -> date:
        return self.sent_on + DIGEST_INTERVAL


def city_records(subject: Task | Project, city: City) -> list[str]:
    """The problems `city` raised against a task; the tasks app asks before the city leaves
    it (tasks.models.CITY_RECORDS). A project's problems stay with their task."""
    if not isinstance(subject, Task):
        return []
    found = Problem.objects.filter(task=subject, city=city).exists()
    return [str(Problem._meta.verbose_name_plural)] if found else []
