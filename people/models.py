"""Who acts for what: a city reporter's city and a unit contact's unit. The roles themselves are
auth groups (roles.py); what each user may see and do is decided in access.py."""

import hashlib
import hmac
import re
import secrets
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from people.roles import OFFICE, REPORTER, UNIT_CONTACT, VIEWER
from plan.models import City, Unit


def other_roles(user, keeping: str) -> list[str]:
    """The roles `user` holds besides `keeping` (a group name), bindings included: one account
    holds one role, so that what it reaches is never two roles' at once."""
    held = set(
        user.groups.filter(name__in=(OFFICE, REPORTER, VIEWER, UNIT_CONTACT)).values_list(
            "name", flat=True
        )
    )
    if Reporter.objects.filter(user=user).exists():
        held.add(REPORTER)
    if UnitContact.objects.filter(user=user).exists():
        held.add(UNIT_CONTACT)
    if user.is_superuser:
        held.add(str(_("superuser")))
    held.discard(keeping)
    return sorted(held)


def one_role_error(user, keeping: str) -> ValidationError | None:
    others = other_roles(user, keeping)
    if not others:
        return None
    return ValidationError(
        {
            "user": _(
                "User: %(user)s already holds another role (%(roles)s); one account holds one "
                "role. Use another account, or change this one's role under Accounts."
            )
            % {"user": user.get_username(), "roles": "、".join(others)}
        }
    )


class Reporter(models.Model):
    """Binds a city reporter to the one city whose figures she enters."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reporter",
        verbose_name=_("user"),
    )
    city = models.ForeignKey(
        City, on_delete=models.PROTECT, related_name="reporters", verbose_name=_("city")
    )

    class Meta:
        db_table = "plan_reporter"  # kept from before the move to this app
        verbose_name = _("city reporter")
        verbose_name_plural = _("city reporters")

    def __str__(self) -> str:
        return f"{self.user} · {self.city}"

    def clean(self) -> None:
        if self.user_id and (error := one_role_error(self.user, REPORTER)):
            raise error


class UnitContact(models.Model):
    """Binds a unit's contact (责任单位联络员) to the one unit whose problems she answers."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="unit_contact",
        verbose_name=_("user"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="contacts", verbose_name=_("unit")
    )

    class Meta:
        db_table = "plan_unitcontact"  # kept from before the move to this app
        verbose_name = _("unit contact")
        verbose_name_plural = _("unit contacts")

    def __str__(self) -> str:
        return f"{self.user} · {self.unit}"

    def clean(self) -> None:
        if self.user_id and (error := one_role_error(self.user, UNIT_CONTACT)):
            raise error


class Profile(models.Model):
    """What the office keeps of a person beyond the account: the post and phone others reach
    her by, and whether she wants an email when something becomes hers to act on."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="profile",
        verbose_name=_("user"),
    )
    post = models.CharField(_("post"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    notify = models.BooleanField(
        _("email me at each event"),
        default=True,
        help_text=_(
            "An email when something becomes yours to act on: a problem assigned to your unit "
            "or answered, a report returned. The daily reminders come either way."
        ),
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return str(self.user)


class Account(User):
    """An account as the office manages it (账号管理): a city's reporter or a unit's contact,
    with her role, city or unit, name, post, phone and email on one form."""

    class Meta:
        proxy = True
        verbose_name = _("account")
        verbose_name_plural = _("accounts")


def display_name(user) -> str:
    """How a person is named to others (threads, histories, messages): the real name the office
    gave the account, else its login name; "—" for nobody. Takes a user or a user's pk."""
    if user is None:
        return "—"
    if not isinstance(user, models.Model):
        user = get_user_model().objects.filter(pk=user).first()
        if user is None:
            return "—"
    return user.get_full_name().strip() or user.get_username()


KEY_PREFIX = "zzm_"


def key_digest(secret: str) -> str:
    """What is stored of a key: its SHA-256. A key is 32 random bytes, so a fast hash is as good
    as a slow one (no dictionary holds it), and each request checks one cheaply."""
    return hashlib.sha256(secret.encode()).hexdigest()


class KeyRefused(Exception):
    """A key that does not act for anyone now, with the reason to tell its caller."""


class ApiKeyQuerySet(models.QuerySet):
    def usable(self, today: date):
        return self.filter(revoked_at__isnull=True, expires_on__gte=today, user__is_active=True)

    def issue(self, user, name: str, expires_on: date, issued_by) -> tuple["ApiKey", str]:
        """A new key for `user`: the key row and the secret, which is shown this once."""
        lookup = secrets.token_hex(6)
        secret = f"{KEY_PREFIX}{lookup}_{secrets.token_urlsafe(32)}"
        key = self.create(
            user=user,
            name=name,
            lookup=lookup,
            digest=key_digest(secret),
            expires_on=expires_on,
            issued_by=issued_by,
        )
        return key, secret

    def acting(self, secret: str, today: date) -> "ApiKey":
        """The key `secret` is, if it may act today; else KeyRefused saying why."""
        found = KEY_SHAPE.fullmatch(secret)
        key = found and self.select_related("user").filter(lookup=found["lookup"]).first()
        if not key or not hmac.compare_digest(key.digest, key_digest(secret)):
            raise KeyRefused(_("The API key is not valid."))
        if key.revoked_at is not None:
            raise KeyRefused(_("The API key has been revoked."))
        if key.expires_on < today:
            raise KeyRefused(_("The API key expired on %(day)s.") % {"day": key.expires_on})
        if not key.user.is_active:
            raise KeyRefused(_("The API key's account is deactivated."))
        return key


KEY_SHAPE = re.compile(rf"{KEY_PREFIX}(?P<lookup>[0-9a-f]{{12}})_[A-Za-z0-9_-]{{43}}")


class ApiKey(models.Model):
    """A personal key to the read API (/api/v1/): it acts as its user through the gate, so a
    leader's key reads what the leader reads. Only its digest is kept; the office sees the key
    once, when it issues it, and can revoke it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_keys",
        verbose_name=_("owner"),
        help_text=_("The key reads what this account reads."),
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What the key is for, e.g. “省项目平台对接”.")
    )
    lookup = models.CharField(_("key prefix"), max_length=12, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False)
    expires_on = models.DateField(_("expires on"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("issued by"),
    )
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.name} ({KEY_PREFIX}{self.lookup}…)"

    @property
    def shown_prefix(self) -> str:
        return f"{KEY_PREFIX}{self.lookup}…"

    def revoke(self, by, now) -> bool:
        """Revokes the key for good; False if it already was."""
        done = ApiKey.objects.filter(pk=self.pk, revoked_at__isnull=True).update(
            revoked_at=now, revoked_by=by
        )
        return bool(done)

    def used(self, now) -> None:
        """Notes the use, at most once a minute: a busy key does not write on every request."""
        if self.last_used_at is None or (now - self.last_used_at).total_seconds() >= 60:
            ApiKey.objects.filter(pk=self.pk).update(last_used_at=now)
            self.last_used_at = now
