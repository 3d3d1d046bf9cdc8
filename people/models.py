"""Who acts for what: a city reporter's city and a unit contact's unit. The roles themselves are
auth groups (roles.py); what each user may see and do is decided in access.py."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models
from django.utils.translation import gettext_lazy as _

from plan.models import City, Unit


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
