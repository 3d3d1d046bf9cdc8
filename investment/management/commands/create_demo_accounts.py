"""Create the demo accounts a newcomer logs in with, each with a fresh random password.

No password is ever written in the code: a new account gets one from `secrets`, printed once.
An account that already exists keeps its password unless --reset-passwords is given.
"""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

DEMO_ACCOUNTS = [
    # (username, is_superuser): the reporting roles arrive with quarterly reporting.
    ("admin", True),
]


class Command(BaseCommand):
    help = "Create the demo accounts with random passwords and print them."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="Give existing demo accounts new random passwords too.",
        )

    def handle(self, *args, reset_passwords: bool, **options) -> None:
        User = get_user_model()
        for username, is_superuser in DEMO_ACCOUNTS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"is_staff": True, "is_superuser": is_superuser},
            )
            if not (created or reset_passwords):
                self.stdout.write(
                    _("%(username)s exists; its password is unchanged (new ones: %(command)s).")
                    % {"username": username, "command": "make demo-passwords"}
                )
                continue
            password = secrets.token_urlsafe(12)
            user.set_password(password)
            user.save()
            self.stdout.write(
                self.style.SUCCESS(
                    _("Demo account %(username)s, password %(password)s")
                    % {"username": username, "password": password}
                )
            )
