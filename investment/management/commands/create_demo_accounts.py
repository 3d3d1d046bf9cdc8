"""Create one demo account per role, each with a fresh random password printed once.

No password is ever written in the code. An account that already exists keeps its password
unless --reset-passwords is given. Run it after load_plan: reporters need their cities.
"""

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from plan.models import City, Reporter
from plan.roles import OFFICE, REPORTER, VIEWER


class Command(BaseCommand):
    help = "Create the demo accounts (admin, office, viewer, a reporter per city)."

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
        with transaction.atomic():
            for username, flags, group, city in accounts:
                self.create(username, flags, group, city, reset_passwords)

    def create(self, username, flags, group, city, reset_passwords: bool) -> None:
        user, created = get_user_model().objects.get_or_create(username=username, defaults=flags)
        if group:
            user.groups.add(Group.objects.get(name=group))
        if city:
            Reporter.objects.get_or_create(user=user, defaults={"city": city})
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
                    "city": f" · {city.name}" if city else "",
                    "password": password,
                }
            )
        )
