"""Who acts for what: a city reporter's city and a unit contact's unit. The roles themselves are
auth groups (roles.py); what each user may see and do is decided in access.py."""

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
