"""The one reporting workflow that progress reports and project updates share.

A city enters a draft, submits it, the office approves it or returns it with a reason; a save
names the version it was based on; the office closes a quarter, after which a reporter can no
longer change it and the office changes it only with a reason, kept in its history.

`record()` is the one way such a row is written: the admin's form and actions, the quarter
sheet and the import all make it, so its rules hold whoever writes. The sheet and the import
write their rows together (`record_many`, which `record` is the case of one row of): the same
rules, with what they read and the writes made for all rows at once.
"""

from collections import defaultdict
from datetime import datetime
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.dispatch import Signal
from django.urls import reverse
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from people import notices
from people.access import active_reporters, reach
from people.models import display_name
from plan.forms import CONTROL_CHARACTERS, control_character_error
from plan.models import Plan
from tasks.models import QUARTER_VALIDATORS, SAMPLE_IS_READ_ONLY

# A reason kept with a history record: for a correction, a return, a close or a reopening.
REASON_LENGTH = 2000


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    APPROVED = "approved", _("approved")
    RETURNED = "returned", _("returned")


class DuplicateReport(ValidationError):
    """A row for the same subject, city and quarter was saved first, after this one was checked.

    It names the rows concerned (`rows`): a batch's save (`Reported.save_many`) may find several."""

    rows: list


# Sent once the rows of a `record_many` are written, with them (`rows`): a bulk write sends no
# post_save, so what follows every write of a report or an update listens here too (the
# figures cache, which then retires its figures once).
recorded = Signal()


class ReportedQuerySet(models.QuerySet):
    def counted(self, approved_only: bool = False) -> "ReportedQuerySet":
        """Rows that count towards progress (only approved ones if asked): drafts and
        returned rows never do."""
        if approved_only:
            return self.approved()
        return self.filter(status__in=Reported.COUNTED)

    def approved(self) -> "ReportedQuerySet":
        return self.filter(status=Status.APPROVED)

    def through(self, quarter: int) -> "ReportedQuerySet":
        return self.filter(quarter__lte=quarter)

    def sample(self) -> "ReportedQuerySet":
        return self.filter(is_sample=True)

    def visible_to(self, user) -> "ReportedQuerySet":
        """The rows `user` may read, as the access gate says (people/access.py): a draft is
        seen only by its city and the office, and a draft plan's rows by the office only."""
        found = reach(user)
        return self.filter(found.reported_rows(Reported.COUNTED), found.year_rows())


def lock_plans(plans: set[int]) -> None:
    """Hold `plans`' quarters open (or closed) until this transaction ends: a save and a close
    of the same plan never cross (see QuarterClose.close)."""
    if plans and connection.vendor == "postgresql":
        # KEY SHARE: saves do not wait on each other, only on a close (FOR UPDATE). SQLite
        # needs nothing: a write transaction there holds the whole database from BEGIN.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM plan_plan WHERE id = ANY(%s) ORDER BY id FOR KEY SHARE",
                [sorted(plans)],
            )


# Who made and changed a row: `record` sets them to the acting user, and checks them no more.
SET_BY_RECORD = ("created_by", "updated_by")
# A saved row that is gone when its save locks it (deleted in another tab meanwhile).
DELETED = _("This row was deleted since the page was opened; open it again.")
# Said of each field naming what a saved row is of (its subject, city, year, quarter), changed.
FIXED = _("This row cannot be changed.")


def quarter_order(row: "Reported") -> int:
    """Rows by quarter (one not given, first): the order a batch's rules see them in."""
    return row.quarter if isinstance(row.quarter, int) else 0


class Facts:
    """What the rules ask of rows of one model beyond the rows themselves: each subject's plan,
    the plans' closed quarters, the quarters of each series (as saved, the batch's own rows in
    their place), the rows that foreign keys name. Each fact is read for all the rows at its
    first use, so that the rows `record_many` checks together cost the queries of one; a row
    checked alone (a form's) reads its own.

    A model adds what its own rules ask (`Reported.Facts`).
    """

    def __init__(self, rows: list["Reported"]) -> None:
        self.rows = rows
        self.model = type(rows[0])

    @staticmethod
    def subject(row: "Reported") -> int | None:
        """The pk of the row's task or project, that its closing() finds its plan by."""
        (subject,) = row.closing().values()
        return subject

    @cached_property
    def subjects(self) -> list[tuple[int, int, int, str]]:
        """Each subject's pk with its plan, the plan's year and the plan's status."""
        (path,) = self.rows[0].closing()
        path = path.removeprefix("plan__")
        subjects = {self.subject(row) for row in self.rows} - {None}
        found = Plan.objects.filter(**{f"{path}__in": subjects})
        return list(found.values_list(path, "pk", "year", "status"))

    @cached_property
    def plans(self) -> dict[int, tuple[int, int]]:
        """Each subject's plan and the plan's year, by the subject's pk."""
        return {subject: (plan, year) for subject, plan, year, _status in self.subjects}

    def in_draft_plan(self, row: "Reported") -> bool:
        """Whether the row's plan is a draft, the office's alone (people.access: plans())."""
        drafts = {plan for _s, plan, _y, status in self.subjects if status == Plan.Status.DRAFT}
        return self.plan_of(row) in drafts

    def plan_of(self, row: "Reported") -> int | None:
        return self.plans.get(self.subject(row), (None, None))[0]

    def year_of(self, row: "Reported") -> int | None:
        return self.plans.get(self.subject(row), (None, None))[1]

    def lock(self) -> None:
        """Hold the rows' quarters open (or closed) until this transaction ends; their closing
        is read after."""
        lock_plans({plan for plan, _year in self.plans.values()})
        self.__dict__.pop("closings", None)

    @cached_property
    def closings(self) -> dict[tuple[int, int], datetime]:
        """When each closed quarter of the rows' plans was closed, by plan and quarter."""
        plans = {plan for plan, _year in self.plans.values()}
        found = QuarterClose.objects.filter(plan__in=plans)
        return {(plan, q): at for plan, q, at in found.values_list("plan", "quarter", "closed_at")}

    def closed_at(self, row: "Reported"):
        return self.closings.get((self.plan_of(row), row.quarter))

    @cached_property
    def saved(self) -> dict[tuple, list["Reported"]]:
        """The saved rows of each row's series (its subject, city and year), by quarter, as read
        at first use: before the batch writes, when its rules ask."""
        names = self.rows[0].series()
        lookups = {f"{name}__in": {row.series()[name] for row in self.rows} for name in names}
        found = defaultdict(list)
        for row in self.model.objects.filter(**lookups).order_by("quarter"):
            found[tuple(row.series().values())].append(row)
        return found

    @cached_property
    def batched(self) -> dict[tuple, list["Reported"]]:
        """The rows of each series that the batch writes."""
        found = defaultdict(list)
        for row in self.rows:
            found[tuple(row.series().values())].append(row)
        return found

    def series(self, row: "Reported") -> list["Reported"]:
        """The quarters of the row's series as the batch leaves them, by quarter: each saved
        row, or the batch's own in its place, and the batch's new rows. A batch holding two
        quarters of one series checks each against the other as it will be written, as saving
        them one after the other would."""
        key = tuple(row.series().values())
        batched = self.batched.get(key, [])
        replaced = {other.pk for other in batched if other.pk is not None}
        kept = [other for other in self.saved.get(key, []) if other.pk not in replaced]
        return sorted([*kept, *batched], key=quarter_order)

    def taken(self, row: "Reported") -> bool:
        """Whether another row of the row's series and quarter is saved or in the batch (its
        unique constraint)."""
        return any(o is not row and o.quarter == row.quarter for o in self.series(row))

    def unsubmitted_earlier(self, row: "Reported") -> "Reported | None":
        """The first earlier quarter of the row's series still a draft or returned, in a quarter
        still open."""
        plan = self.plan_of(row)
        for earlier in self.series(row):
            still_open = (plan, earlier.quarter) not in self.closings
            if earlier.quarter < row.quarter and earlier.status in row.EDITABLE and still_open:
                return earlier
        return None

    @cached_property
    def existing(self) -> dict[str, set]:
        """By foreign key the rows name (but who made and changed them), the values naming a row
        that exists: what the field's own validation asks, a query a row."""
        found = {}
        for field in self.model._meta.concrete_fields:
            if not field.many_to_one or field.name in SET_BY_RECORD:
                continue
            values = {getattr(row, field.attname) for row in self.rows} - {None}
            name = field.remote_field.field_name
            rows = field.remote_field.model._base_manager.complex_filter(
                field.get_limit_choices_to()
            )
            named = rows.filter(**{f"{name}__in": values}).values_list(name, flat=True)
            found[field.name] = set(named)
        return found

    def valid_keys(self, row: "Reported") -> list[str]:
        """The row's foreign keys known to name a row that exists."""
        return [
            name
            for name, values in self.existing.items()
            if getattr(row, row._meta.get_field(name).attname) in values
        ]


class Versioned(models.Model):
    """Who made and last changed a row, and its version: a save must name the version it was
    based on, so that one person's edit never silently overwrites another's.

    A subclass says which fields a stale save is told about (`STALE_FIELDS`, with `status`),
    what the message calls the row (`STALE_SUBJECT`) and how it sums those fields up
    (`stale_summary(current)`).
    """

    STALE_FIELDS: tuple[str, ...] = ()
    STALE_SUBJECT = ""

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
    # Optimistic locking: a save must name the version it was based on (see check_version).
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            self.version += 1
        super().save(*args, **kwargs)

    def check_version(self, seen: int | None) -> None:
        """Refuse a save based on version `seen` when someone has saved since.

        Call inside the saving transaction: the row is locked (on PostgreSQL) until it commits.
        """
        rows = type(self).objects
        locked = rows.select_for_update().filter(pk=self.pk)
        self.refuse_if_stale(locked.values_list("version", flat=True).first(), seen)

    def refuse_if_stale(self, version: int | None, seen: int | None) -> None:
        """Refuse a save based on version `seen` of a row now at `version` (read under the
        lock), saying who changed it since and what it says now."""
        if version in (None, seen):
            return
        # Read apart from the lock: PostgreSQL cannot lock the outer join to the user.
        current = self.current_values()
        if current:
            raise ValidationError(self.stale_message(current), code="stale")

    def current_values(self) -> dict | None:
        """What the stored row says now, as a stale save is told it."""
        fields = (*self.STALE_FIELDS, "status", "updated_by", "updated_at")
        return type(self).objects.filter(pk=self.pk).values(*fields).first()

    def stale_message(self, current: dict, kept: bool = False) -> str:
        """Who changed the row since it was read, when, and what it says now; `kept`, when
        the page keeps what was typed for a second save."""
        words = {
            "user": display_name(current["updated_by"]),
            "subject": self.STALE_SUBJECT,
            "time": localtime(current["updated_at"]).strftime("%Y-%m-%d %H:%M"),
            "summary": self.stale_summary(current),
        }
        if kept:
            return (
                _(
                    "%(user)s changed %(subject)s at %(time)s, after you opened this page: it now "
                    "reads %(summary)s. Nothing was saved. What you typed is kept below: check it "
                    "against the row as it is now, and save again to keep yours."
                )
                % words
            )
        return (
            _(
                "%(user)s changed %(subject)s at %(time)s while you were working on it: it now "
                "reads %(summary)s. Your changes were not saved; open it again and enter them "
                "again."
            )
            % words
        )

    def stale_summary(self, current: dict) -> str:
        """What the row says now, as a stale save is told; its status by default."""
        return "“{}”".format(dict(self._meta.get_field("status").flatchoices)[current["status"]])


class Reported(Versioned):
    """What a city reports for a quarter and the office reviews: the fields and steps a progress
    report and a project update have in common.

    A subclass defines `series()` (the lookups of its subject, city and year: its quarters are
    one series), `closing()` (the lookups that find its plan from a QuarterClose),
    `subject_label()` (how messages name its subject), `stale_message(current)`, its unique
    constraint's name (`UNIQUE`), why it waits on an earlier quarter (`EARLIER_UNSUBMITTED`)
    and what its rules read (`Facts`).
    """

    Status = Status
    # The statuses whose rows count in the figures.
    COUNTED = (Status.SUBMITTED, Status.APPROVED)
    # The statuses a reporter still edits and submits.
    EDITABLE = (Status.DRAFT, Status.RETURNED)
    UNIQUE = ""
    Facts = Facts

    year = models.PositiveSmallIntegerField(_("year"))
    quarter = models.PositiveSmallIntegerField(_("quarter"), validators=QUARTER_VALIDATORS)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    is_sample = models.BooleanField(
        _("sample data"), default=False, help_text=_("Made up for demonstration; never real.")
    )
    return_reason = models.TextField(_("reason for return"), blank=True)
    ever_submitted = models.BooleanField(_("ever submitted"), default=False, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            super().save(*args, **kwargs)
            return
        # Two saves of the same new row at once both pass validation; the second insert then
        # meets the unique constraint, and says so as validation would have.
        try:
            with transaction.atomic():
                super().save(*args, **kwargs)
        except IntegrityError:
            if not self.Facts([self]).taken(self):
                raise
            self.pk = None
            raise self.duplicate([self]) from None

    @classmethod
    def duplicate(cls, rows: list["Reported"]) -> DuplicateReport:
        """What a new row another save inserted first is told, as validation would have."""
        unique = next(c for c in cls._meta.constraints if c.name == cls.UNIQUE)
        error = DuplicateReport(unique.violation_error_message, code="unique")
        error.rows = rows
        return error

    @classmethod
    def save_many(cls, rows: list["Reported"]) -> None:
        """Save `rows` as each one's save() would, with their history records (each with its
        `_history_user` and `_change_reason`), in a few queries whatever their number.

        Raises DuplicateReport, saving none, when another save inserted some new row first.
        """
        changed = [row for row in rows if row.pk is not None]
        if changed:
            fields = [field for field in cls._meta.concrete_fields if not field.primary_key]
            for row in changed:
                row.version += 1
                for field in fields:
                    field.pre_save(row, add=False)  # As save() does: the change time is now.
            bulk_update_with_history(changed, cls, [field.name for field in fields])
        new = [row for row in rows if row.pk is None]
        if not new:
            return
        try:
            with transaction.atomic():
                bulk_create_with_history(new, cls)
        except IntegrityError:
            # Read afresh: which rows a simultaneous save inserted after these were checked.
            found = cls.Facts(new)
            taken = [row for row in new if found.taken(row)]
            if not taken:
                raise
            for row in new:
                row.pk = None
            raise cls.duplicate(taken) from None

    def facts(self) -> Facts:
        """What the rules read: the batch's when the row is recorded in one (`record_many`),
        else its own."""
        return self.__dict__.get("_facts") or self.Facts([self])

    def editable_by(self, user) -> bool:
        """Whether `user` may change this row now (a step included), the quarter's closing
        included."""
        return self.workflow_allows(user) and (reach(user).office or not self.closed_at())

    def refusal(self, user) -> str:
        """Why `user` may not change this row now, said as she would need to hear it."""
        words = {"report": self, "status": self.get_status_display()}
        if self.is_sample:
            return str(SAMPLE_IS_READ_ONLY)
        if self.closed_at() and not reach(user).office:
            return _("%(report)s: the office has closed this quarter; only it changes it.") % words
        if self.status not in self.EDITABLE and reach(user).acts_for(self.city):
            return _("%(report)s is %(status)s; only the office can change it now.") % words
        return _("%(report)s cannot be changed by you.") % words

    def values_editable_by(self, user) -> bool:
        """Whether `user` may change what this row says. Never a sample row's: purge_sample_data
        removes it, with anything typed into it (its review steps still move it, for the demo)."""
        return not self.is_sample and self.editable_by(user)

    def identity(self) -> dict:
        """What the row is of: its series (subject, city, year) and quarter, by field."""
        return {**self.series(), "quarter": self.quarter}

    def says_the_same(self, other: "Reported") -> bool:
        """Whether `other` says what this row says (its STALE_FIELDS)."""
        return all(getattr(self, name) == getattr(other, name) for name in self.STALE_FIELDS)

    def workflow_allows(self, user) -> bool:
        """The office edits any row; a reporter her city's drafts and returned rows, in a plan
        that is issued (a draft plan is the office's alone)."""
        if reach(user).office:
            return True
        found = reach(user)
        return (
            self.city_id in found.places
            and self.status in self.EDITABLE
            and self.year in found.open_years
        )

    def lock_quarter(self) -> None:
        """Hold the quarter open (or closed) until this transaction ends, and read its closing
        afresh (see lock_plans)."""
        facts = self.Facts([self])
        facts.lock()
        self._closed_at = facts.closed_at(self)

    def closed_at(self):
        """When the office closed this row's quarter; None while it is open."""
        closing = self.closing()
        if None in closing.values():
            return None
        if not hasattr(self, "_closed_at"):
            self._closed_at = (
                QuarterClose.objects.filter(**closing, quarter=self.quarter)
                .values_list("closed_at", flat=True)
                .first()
            )
        return self._closed_at

    def at_close(self, field: str):
        """`field` as it stood when the quarter was closed, before any correction."""
        closed = self.closed_at()
        if closed is None:
            return None
        record = self.history.filter(history_date__lte=closed).first()
        return getattr(record, field) if record else None

    def note_change_reason(self, reason: str | None) -> None:
        """A row of a closed quarter changes only with a reason, kept as its history's reason.

        Every path that changes or deletes a row calls this first: the change form, the bulk
        actions, delete, the quarter sheet and the import.
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

    def edited_by(self, user) -> None:
        """Record who changed the row; a returned row its reporter edits is a draft again."""
        self.updated_by = user
        if self.status == self.Status.RETURNED and not reach(user).office:
            self.status = self.Status.DRAFT

    def unsubmitted_earlier(self) -> "Reported | None":
        """This series' first earlier quarter still a draft or returned, in a quarter still
        open: what the city can still submit. A closed quarter's leftover stays as it was, never
        counted, and never blocks the next quarter (the office may still correct it, saying
        why)."""
        return self.facts().unsubmitted_earlier(self)

    # Why a row waits for its series' earlier quarter; the subclass names its series.
    EARLIER_UNSUBMITTED = ""

    def warnings(self) -> list[str]:
        """What is saved but worth a second look, said after saving; nothing by default."""
        return []

    def user_errors(self, user) -> dict[str, str]:
        """What `user` may not write into this row, by field, beyond the model's validation
        (a project update's stage going back); nothing by default."""
        return {}

    def earlier_quarter_error(self) -> str | None:
        """Why this row cannot be submitted yet: an earlier quarter is not submitted."""
        earlier = self.unsubmitted_earlier()
        if earlier is None:
            return None
        return self.EARLIER_UNSUBMITTED % {
            "task": self.subject_label(),
            "earlier": earlier.quarter,
            "status": earlier.get_status_display(),
            "quarter": self.quarter,
        }

    # The steps. Each takes who takes it, as a problem's steps do; `record` saves it.

    def submit(self, user) -> None:
        """报送: the city's reporter (or the office) submits a draft or returned row; not while
        an earlier quarter of its series is still a draft or returned."""
        if not self.editable_by(user):
            raise ValidationError(self.refusal(user))
        if self.status not in self.EDITABLE:
            raise ValidationError(_("Only a draft or returned report can be submitted."))
        if error := self.earlier_quarter_error():
            raise ValidationError(error)
        self.status = self.Status.SUBMITTED
        self.ever_submitted = True

    def withdrawable_by(self, user) -> bool:
        """Whether `user` may take this row back before the office reviews it: the city's
        reporter, a submitted row of an open quarter, never a sample row."""
        return (
            self.status == self.Status.SUBMITTED
            and not self.is_sample
            and reach(user).city is not None
            and reach(user).acts_for(self.city)
            and not self.closed_at()
        )

    def withdraw(self, user) -> None:
        """撤回: the city's reporter takes a submitted row back before it is reviewed; it is a
        draft again, and no longer counts."""
        if not self.withdrawable_by(user):
            if self.status != self.Status.SUBMITTED:
                raise ValidationError(
                    _("%(report)s is %(status)s: only a report awaiting review can be withdrawn.")
                    % {"report": self, "status": self.get_status_display()}
                )
            raise ValidationError(self.refusal(user))
        later = (
            type(self)
            .objects.filter(**self.series(), quarter__gt=self.quarter, status__in=self.COUNTED)
            .order_by("quarter")
            .first()
        )
        if later is not None:
            # A quarter counts only on top of its earlier ones (the submit rule, in reverse).
            raise ValidationError(
                _(
                    "%(report)s: Q%(later)s is already %(status)s, and counts on top of this "
                    "one; withdraw Q%(later)s first."
                )
                % {"report": self, "later": later.quarter, "status": later.get_status_display()}
            )
        self.status = self.Status.DRAFT
        self._withdrawn = True

    def tell_returned(self, user) -> None:
        """Email the city's reporters that the office returned this row, and why (never of a
        sample row: it is the demo's)."""
        if self.is_sample:
            return
        reporters = [reporter.user for reporter in active_reporters().filter(city=self.city_id)]

        def compose() -> tuple[str, str]:
            words = {"row": self, "reason": self.return_reason, "link": quarter_sheet_link(self)}
            return (
                _("Returned: %(row)s") % words,
                _(
                    "The metropolitan-area office returned %(row)s to your city.\n\n"
                    "Reason: %(reason)s\n\nCorrect it and submit it again on the quarterly "
                    "reporting sheet: %(link)s"
                )
                % words,
            )

        notices.tell(reporters, compose, leaving_out=user)

    def approve(self, user) -> None:
        """审核通过: the office approves a submitted row."""
        office_only(user)
        if self.status != self.Status.SUBMITTED:
            raise ValidationError(_("Only a submitted report can be approved."))
        self.status = self.Status.APPROVED

    def send_back(self, user, reason: str) -> None:
        """退回: the office returns a submitted or approved row to its city, saying why."""
        office_only(user)
        if self.status not in self.COUNTED:
            raise ValidationError(_("Only a submitted or approved report can be returned."))
        if not reason.strip():
            raise ValidationError(_("Reason for return: say why the report goes back."))
        self.status = self.Status.RETURNED
        self.return_reason = reason.strip()


def quarter_sheet_link(row: "Reported") -> str:
    query = f"?year={row.year}&city={row.city.slug}&quarter={row.quarter}"
    return notices.link(reverse("admin:investment_quarter") + query)


def office_only(user) -> None:
    if not reach(user).office:
        raise ValidationError(_("Only the metropolitan-area office can do this."), code="office")


def record(
    row: Reported,
    user,
    *,
    seen_version: int | None = None,
    reason: str = "",
    submit: bool = False,
    source: str = "",
) -> None:
    """Write `row` as `user` changed it (a step taken on it included), or nothing at all.

    In one transaction, the row locked: a row that exists must still be `user`'s to change
    (her city's draft or returned row, any row for the office; never what a sample row says,
    nor a closed quarter's row for a reporter, nor what it is of) and unchanged since version
    `seen_version`; a new row must be of a city she acts for, in a quarter open to her (a
    reporter's, a draft of a plan she may open); approving and returning are the office's,
    and a row comes to count only after its earlier quarters; a closed quarter's row
    changes only with a `reason`; the model's validation and `user_errors` hold; with `submit`,
    a draft or returned row is submitted (not while an earlier quarter of its series is not).
    The history keeps who and why (and the `source`, an imported file's name). Raises
    ValidationError, by field where one is at fault; what is worth a second look once saved
    is the row's `warnings()`, for a screen to show.
    """
    refused = record_many([(row, seen_version)], user, reason=reason, submit=submit, source=source)
    if refused:
        raise refused[0]


def record_many(
    pairs: list[tuple[Reported, int | None]],
    user,
    *,
    reason: str = "",
    submit: bool = False,
    source: str = "",
) -> dict[int, ValidationError]:
    """`record` for many rows at once: each (row, seen_version) of `pairs` by the same rules,
    and all of them written or none, in a number of queries that does not grow with the rows
    (what the rules read, and the writes, are made for all the rows together).

    Returns why each refused row was refused, by its place in `pairs`; then nothing is written.
    The rows are checked by quarter, each against the saved rows and the batch's others as
    they will be written (two quarters of one series, as if saved one after the other); a
    second row for one subject, city and quarter is refused as a duplicate.
    """
    if not pairs:
        return {}
    by_model = defaultdict(list)
    for index, (row, seen) in enumerate(pairs):
        by_model[type(row)].append((index, row, seen))
    with transaction.atomic():
        batches = [Batch(indexed, user) for indexed in by_model.values()]
        refused = {}
        for batch in batches:
            refused |= batch.check(reason=reason, submit=submit, source=source)
        for batch in batches:
            if not refused:
                refused = batch.write()
        if refused:
            transaction.set_rollback(True)
            return refused
        recorded.send(sender=Reported, rows=[row for batch in batches for row in batch.rows])
        for batch in batches:
            batch.tell_returned()
    return {}


class Batch:
    """The rows of one model that `record_many` writes, with what their rules read (`Facts`)
    and each row as it is stored (`current`, locked), read once for all."""

    def __init__(self, indexed: list[tuple[int, Reported, int | None]], user) -> None:
        self.indexed, self.user = indexed, user
        self.rows = [row for _index, row, _seen in indexed]
        self.model = type(self.rows[0])
        self.facts = self.model.Facts(self.rows)
        for row in self.rows:
            row._facts = self.facts
        self.current: dict[int, Reported] = {}

    def lock(self) -> None:
        """Lock the rows' quarters and the rows, and read them: their closings, what they say.
        A row deleted meanwhile is not found (`check` refuses it)."""
        self.facts.lock()
        saved = [row.pk for row in self.rows if row.pk is not None]
        self.current = self.model.objects.select_for_update().in_bulk(saved)
        for row in [*self.rows, *self.current.values()]:
            row._closed_at = self.facts.closed_at(row)

    def check(self, *, reason: str, submit: bool, source: str) -> dict[int, ValidationError]:
        """Check every row and take its step, ready to be written; why each refused row was
        refused, by its place in the call.

        The rows are checked by quarter, each against the others as they will be written (the
        facts' series): a later quarter sees the step an earlier one takes in the same batch,
        as if they were saved one after the other. A subject, city and quarter is written
        once: a second row for it is refused as the unique constraint would."""
        self.lock()
        refused, written = {}, set()
        for index, row, seen in sorted(self.indexed, key=lambda item: quarter_order(item[1])):
            once = (*row.series().values(), row.quarter)
            try:
                if row.pk is not None and row.pk not in self.current:
                    raise ValidationError(DELETED, code="stale")
                if once in written:
                    raise self.model.duplicate([row])
                written.add(once)
                self.check_row(row, seen, reason=reason, submit=submit, source=source)
            except ValidationError as error:
                refused[index] = error
        return refused

    def check_row(self, row: Reported, seen: int | None, *, reason, submit, source) -> None:
        """`record`'s rules for one row, in their order, and its step; its first refusal."""
        user, current = self.user, self.current.get(row.pk)
        if current is not None:
            # What a row is of (its subject, city, year and quarter) is fixed once it exists:
            # its checks below are its own, and never another city's or quarter's.
            was, now = current.identity(), row.identity()
            moved = [name for name in now if now[name] != was[name]]
            if moved:
                raise ValidationError({name: FIXED for name in moved})
            if current.is_sample and not current.says_the_same(row):
                raise ValidationError(SAMPLE_IS_READ_ONLY, code="sample")
            withdrawing = getattr(row, "_withdrawn", False) and current.withdrawable_by(user)
            if not current.editable_by(user) and not withdrawing:
                raise ValidationError(current.refusal(user), code="denied")
            row.refuse_if_stale(current.version, seen)
            # What is written is the row as it was read: never older than the row now saved.
            row.refuse_if_stale(current.version, row.version)
        elif not reach(user).acts_for(row.city):
            raise ValidationError(_("You cannot report for this city."), code="denied")
        elif row.closed_at() and not reach(user).office:
            raise ValidationError({"quarter": _("The office has closed this quarter.")})
        elif not reach(user).office and (
            row.status not in row.EDITABLE or self.facts.in_draft_plan(row)
        ):
            # A reporter's new row is a draft (submitted by its step), in a plan she may open:
            # a draft plan is the office's alone (workflow_allows, from the facts read).
            office_only(user)
        row.note_change_reason(reason)
        # What the row says is checked when it changes; a step (submit, approve, return) on a
        # row the plan has since moved under (an allocation cut, a city gone) still goes.
        if current is None or not current.says_the_same(row):
            self.validate(row)
            if errors := row.user_errors(user):
                raise ValidationError(errors)
        if row.pk is None:
            row.created_by = user
        row.edited_by(user)
        if submit and row.status in row.EDITABLE:
            row.submit(user)
        self.check_status(row, current)
        if source:
            words = {"file": source, "reason": reason.strip()}
            told = _("Imported from %(file)s: %(reason)s") if reason.strip() else None
            row._change_reason = (told or _("Imported from %(file)s")) % words
        row._history_user = user

    def check_status(self, row: Reported, current: Reported | None) -> None:
        """The status the row is written with is one its steps reach, whoever set it: approving
        and returning are the office's; a row that comes to count waits for its earlier
        quarters, as submitting does; once submitted, a row stays `ever_submitted`."""
        before = None if current is None else current.status
        if row.status != before:
            if row.status in (Status.APPROVED, Status.RETURNED):
                office_only(self.user)
            if row.status == Status.SUBMITTED:
                if error := row.earlier_quarter_error():
                    raise ValidationError(error)
                row.ever_submitted = True
        if current is not None and current.ever_submitted:
            row.ever_submitted = True

    def validate(self, row: Reported) -> None:
        """The model's validation (full_clean) without its queries a row: a foreign key the
        batch found naming a row is not looked up again, nor the constraints of a row whose
        quarter the batch found free. A row whose quarter is taken is validated whole, and
        told so as ever. The check constraints restate the fields' validators, which run (an
        amount is never negative, a quarter is 1 to 4); the database holds them too."""
        if self.facts.taken(row):
            row.full_clean(exclude=SET_BY_RECORD)
            return
        exclude = [*SET_BY_RECORD, *self.facts.valid_keys(row)]
        row.full_clean(exclude=exclude, validate_constraints=False)

    def write(self) -> dict[int, ValidationError]:
        """Save the rows and their history; for a row another save inserted first (then none is
        saved), why it is refused."""
        try:
            self.model.save_many(self.rows)
        except DuplicateReport as duplicate:
            return {index: duplicate for index, row, _seen in self.indexed if row in duplicate.rows}
        return {}

    def tell_returned(self) -> None:
        """Tell the city of each row the office has just returned."""
        for row in self.rows:
            before = self.current.get(row.pk)
            was_returned = before is not None and before.status == Status.RETURNED
            if row.status == Status.RETURNED and not was_returned:
                row.tell_returned(self.user)


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
        app_label = "investment"
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
        """Close the quarter once every save of the plan under way has ended; a save begun
        after waits, and then finds it closed (Reported.lock_quarter)."""
        with transaction.atomic():
            list(Plan.objects.select_for_update().filter(pk=plan.pk).values_list("pk"))
            closing = cls(plan=plan, quarter=quarter, closed_by=user)
            closing._history_user = user
            closing._change_reason = reason.strip()
            closing.save()
        return closing

    def reopen(self, user, reason: str) -> None:
        self._history_user = user
        self._change_reason = reason.strip()
        self.delete()
