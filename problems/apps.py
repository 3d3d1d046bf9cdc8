from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from people.roles import ALL, OFFICE, READ, REPORTER, UNIT_CONTACT, VIEWER

MODELS = ("problem", "problementry", "problemattachment")


class ProblemsConfig(AppConfig):
    name = "problems"
    verbose_name = _("Problem list")
    # What each role may do with this app's models (people.roles.sync_roles grants it).
    grants = {
        OFFICE: dict.fromkeys(MODELS, ALL) | {"historicalproblem": READ},
        REPORTER: dict.fromkeys(MODELS, ("view", "add", "change")) | {"historicalproblem": READ},
        VIEWER: dict.fromkeys(MODELS, READ),
        # A unit's contact answers the problems assigned to her unit, and nothing else.
        UNIT_CONTACT: {
            "problem": ("view", "change"),
            "problementry": ("view", "add", "change"),
            "problemattachment": ("view", "add", "change"),
        },
    }

    def ready(self) -> None:
        from problems.models import city_records
        from tasks.models import CITY_RECORDS

        CITY_RECORDS.append(city_records)
