from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from people.roles import ALL, OFFICE, READ, REPORTER, VIEWER

MODELS = ("progressreport", "projectupdate", "projectphoto")
HISTORY = tuple(f"historical{model}" for model in MODELS)


class InvestmentConfig(AppConfig):
    name = "investment"
    verbose_name = _("Investment progress")
    # What each role may do with this app's models (people.roles.sync_roles grants it).
    grants = {
        OFFICE: dict.fromkeys(MODELS, ALL) | dict.fromkeys(HISTORY, READ),
        REPORTER: dict.fromkeys(MODELS, ALL) | dict.fromkeys(HISTORY, READ),
        VIEWER: dict.fromkeys(MODELS, READ),
    }

    def ready(self) -> None:
        from investment.models import city_records
        from tasks.models import CITY_RECORDS

        CITY_RECORDS.append(city_records)
