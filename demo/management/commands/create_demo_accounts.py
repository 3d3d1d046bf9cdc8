"""Create one demo account per role, each with a fresh random password printed once.

No password is ever written in the code. An account that already exists keeps its password
unless --reset-passwords is given. Run it after load_plan: reporters need their cities. A unit's
contact needs a unit: the source names none, so the office adds the units first; until then no
unit contact is made, and the command says so.
"""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from people.models import Reporter, UnitContact
from people.roles import OFFICE, REPORTER, UNIT_CONTACT, VIEWER
from plan.models import City, Unit


class Command(BaseCommand):
    help = (
        "Create the demo accounts (admin, office, viewer, a reporter per city, and a unit's "
        "contact once a unit exists)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="Give existing demo accounts new random passwords too.",
        )

    def handle(self, *args, reset_passwords: bool, **options) -> None:
        cities = list(City.objects.all())
        if not cities:
            raise CommandError(_("No cities yet: run load_plan first."))
        accounts = [
            ("admin", {"is_staff": True, "is_superuser": True}, None, None),
            ("office", {"is_staff": True}, OFFICE, None),
            ("leader", {"is_staff": False}, VIEWER, None),
        ] + [(f"reporter-{city.slug}", {"is_staff": True}, REPORTER, city) for city in cities]
        unit = Unit.objects.active().order_by("pk").first()
        if unit:
            accounts.append(("unit-contact", {"is_staff": True}, UNIT_CONTACT, unit))
        with transaction.atomic():
            for username, flags, group, place in accounts:
                self.create(username, flags, group, place, reset_passwords)
        if unit is None:
            self.stdout.write(
                _(
                    "No unit contact yet: she answers for a responsible unit, and there is no "
                    "unit. The office adds the units first (admin, 责任单位), then runs this again."
                )
            )

    def create(self, username, flags, group, place, reset_passwords: bool) -> None:
        """`place` is the reporter's city or the contact's unit (or None)."""
        # A name for threads and histories, marked as a demo's (never a real person's).
        name = _("%(role)s%(place)s (demo)") % {
            "role": group or _("administrator"),
            "place": f" · {place}" if place else "",
        }
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={**flags, "first_name": name[:150]}
        )
        if group:
            user.groups.add(Group.objects.get(name=group))
        if isinstance(place, City):
            Reporter.objects.get_or_create(user=user, defaults={"city": place})
        elif isinstance(place, Unit):
            UnitContact.objects.get_or_create(user=user, defaults={"unit": place})
        role = group or _("superuser")
        if not (created or reset_passwords):
            self.stdout.write(
                _("%(username)s (%(role)s) exists; password unchanged (new ones: %(command)s).")
                % {"username": username, "role": role, "command": "make demo-passwords"}
            )
            return
        password = secrets.token_urlsafe(12)
        user.set_password(password)
        user.save()
        self.stdout.write(
            self.style.SUCCESS(
                _("Demo account %(username)s (%(role)s%(city)s), password %(password)s")
                % {
                    "username": username,
                    "role": role,
                    "city": f" · {place}" if place else "",
                    "password": password,
                }
            )
        )
