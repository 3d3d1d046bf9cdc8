from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from people.roles import ALL, OFFICE, READ, REPORTER, VIEWER

PLAN = ("plan.plan", "plan.member", "plan.focusarea", "plan.city", "plan.corridor", "plan.unit")


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = _("Reporters and contacts")
    # The plan's models (plan/ is below the roles), the bindings, and django-axes's lockouts.
    grants = {
        OFFICE: {
            **dict.fromkeys(PLAN, ALL),
            "reporter": ALL,
            "unitcontact": ALL,
            # Read-API keys: issued and revoked, never deleted (ApiKeyAdmin).
            "apikey": ("view", "add", "change"),
            # Reporters' and contacts' accounts: never deleted (deactivated instead), and never
            # an office's or a superuser's (AccountAdmin).
            "account": ("view", "add", "change"),
            # To see and clear sign-in lockouts, and so unlock a colleague.
            "axes.accessattempt": ("view", "delete"),
            "axes.accessfailurelog": READ,
            "axes.accesslog": READ,
        },
        REPORTER: dict.fromkeys(PLAN, READ),
        VIEWER: dict.fromkeys(PLAN, READ),
    }
