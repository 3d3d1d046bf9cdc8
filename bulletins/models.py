"""The quarterly bulletin (调度通报) as the office keeps it: its 下步工作 and, once issued, its
number and the content frozen as it stood (bulletins/content.py gathers it)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from investment.workflow import QuarterClose, Versioned, office_only
from plan.models import Plan
from tasks.models import QUARTER_VALIDATORS

NEXT_STEPS_LENGTH = 5000
# Each line is a paragraph of the Word and PDF files: thousands of them took seconds a download.
NEXT_STEPS_LINES = 200


def validate_next_steps(value: str) -> None:
    if len(value) > NEXT_STEPS_LENGTH:
        raise ValidationError(
            _("%(field)s can be at most %(limit)s characters long (it has %(length)s).")
            % {"field": _("next steps"), "limit": NEXT_STEPS_LENGTH, "length": len(value)}
        )
    lines = len(value.splitlines())
    if lines > NEXT_STEPS_LINES:
        raise ValidationError(
            _("%(field)s can have at most %(limit)s lines (it has %(lines)s).")
            % {"field": _("next steps"), "limit": NEXT_STEPS_LINES, "lines": lines}
        )


class BulletinQuerySet(models.QuerySet):
    def issued(self) -> "BulletinQuerySet":
        return self.filter(status=Bulletin.Status.ISSUED)


class Bulletin(Versioned):
    """One quarter's bulletin: a draft the office writes 下步工作 for, then issued (印发) once
    the quarter is closed, numbered 第N期 and frozen with the figures as they stood."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("not yet issued")
        ISSUED = "issued", _("issued")

    STALE_SUBJECT = pgettext_lazy("changed", "this bulletin")
    STALE_FIELDS = ("next_steps",)

    plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, related_name="bulletins", verbose_name=_("work plan")
    )
    quarter = models.PositiveSmallIntegerField(_("quarter"), validators=QUARTER_VALIDATORS)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    next_steps = models.TextField(
        _("next steps"),
        blank=True,
        validators=[validate_next_steps],
        help_text=_("What the office asks of the cities and units next, one paragraph a line."),
    )
    number = models.PositiveSmallIntegerField(_("issue number"), null=True, editable=False)
    issued_at = models.DateTimeField(_("issued at"), null=True, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        editable=False,
        verbose_name=_("issued by"),
    )
    # 核稿: who checked the draft, when, and the 下步工作 she checked (a change after it asks for
    # a new check; the figures are the system's own).
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("next steps written by"),
        help_text=_("Who last changed the next steps: never the one who countersigns them."),
    )
    countersigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("countersigned by"),
    )
    countersigned_at = models.DateTimeField(_("countersigned at"), null=True, editable=False)
    countersigned_text = models.TextField(_("next steps countersigned"), blank=True, editable=False)
    # What the bulletin said when issued: plain values (Decimals as text), read back by
    # content.load. Later corrections to the reports never change it.
    content = models.JSONField(_("content"), null=True, editable=False, encoder=DjangoJSONEncoder)

    objects = BulletinQuerySet.as_manager()
    history = HistoricalRecords(table_name="investment_historicalbulletin")

    class Meta:
        db_table = "investment_bulletin"  # kept from before the move to this app
        ordering = ["plan", "quarter"]
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "quarter"],
                name="one_bulletin_per_quarter",
                violation_error_message=_("This quarter already has a bulletin."),
            ),
            models.UniqueConstraint(fields=["plan", "number"], name="bulletin_numbered_once"),
        ]

    def __str__(self) -> str:
        if self.number:
            return _("%(year)s Q%(quarter)s bulletin, No. %(number)s") % self.words()
        return _("%(year)s Q%(quarter)s bulletin (not yet issued)") % self.words()

    def get_absolute_url(self) -> str:
        return f"{reverse('bulletin', args=[self.plan.year])}?as_of={self.plan.year}Q{self.quarter}"

    def words(self) -> dict:
        return {"year": self.plan.year, "quarter": self.quarter, "number": self.number}

    @property
    def is_issued(self) -> bool:
        return self.status == self.Status.ISSUED

    def issue_error(self) -> str | None:
        """Why this bulletin cannot be issued now, or None."""
        if self.is_issued:
            return _("This quarter's bulletin has already been issued: it cannot be issued again.")
        if not QuarterClose.objects.filter(plan=self.plan, quarter=self.quarter).exists():
            return (
                _(
                    "%(year)s Q%(quarter)s is not closed yet: close the quarter before issuing "
                    "its bulletin."
                )
                % self.words()
            )
        if not self.next_steps.strip():
            # Else the issued bulletin would say for good that the office has not written them.
            return _(
                "Write the next steps before issuing the bulletin: once issued it cannot be "
                "changed."
            )
        if settings.BULLETIN_COUNTERSIGN and not self.countersigned():
            return _(
                "Countersign: a second office account must check this draft (核稿) before it is "
                "issued; the next steps changed since, or no one has checked them yet."
            )
        return None

    def countersigned(self) -> bool:
        """Whether the draft as it reads now was checked (核稿)."""
        return self.countersigned_by_id is not None and self.countersigned_text == self.next_steps

    def countersign(self, user, seen_version: int | None) -> None:
        """核稿: an office account other than the one who last wrote the next steps checks the
        draft as she read it (version `seen_version`)."""
        office_only(user)
        with transaction.atomic():
            current = type(self).objects.select_for_update().get(pk=self.pk)
            if current.is_issued:
                raise ValidationError(_("This quarter's bulletin has already been issued."))
            if current.version != seen_version:
                raise ValidationError(
                    _("Countersign: the draft changed while you read it; read it again.")
                )
            writer = current.drafted_by_id or current.created_by_id
            if writer == user.pk:
                raise ValidationError(
                    _(
                        "Countersign: the draft is checked by another office account than its "
                        "writer."
                    )
                )
            if not current.next_steps.strip():
                raise ValidationError(_("Countersign: write the next steps first."))
            self.next_steps = current.next_steps
            self.version = current.version
            self.countersigned_by, self.countersigned_at = user, timezone.now()
            self.countersigned_text = self.next_steps
            self._history_user = user
            self.save()

    def issue(self, user, content: dict) -> None:
        """印发: number the bulletin and freeze `content` (content.frozen of the figures),
        or refuse with the reason and change nothing."""
        with transaction.atomic():
            # Re-read under the lock: two clicks must not issue the quarter twice.
            current = type(self).objects.select_for_update().get(pk=self.pk)
            if error := current.issue_error():
                raise ValidationError(error, code="issue")
            numbered = type(self).objects.filter(plan=self.plan).aggregate(last=Max("number"))
            self.number = (numbered["last"] or 0) + 1
            self.status, self.issued_at, self.issued_by = self.Status.ISSUED, timezone.now(), user
            self.next_steps = current.next_steps
            self.content = content
            self.updated_by, self._history_user = user, user
            try:
                with transaction.atomic():
                    self.save()
            except IntegrityError as error:
                raise ValidationError(
                    _("Another bulletin took this number at the same moment; issue again."),
                    code="issue",
                ) from error
