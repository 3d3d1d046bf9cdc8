from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from people.roles import ALL, OFFICE, READ, REPORTER, VIEWER

MODELS = ("task", "cityallocation", "milestone", "project")
HISTORY = tuple(f"historical{model}" for model in MODELS)


class TasksConfig(AppConfig):
    name = "tasks"
    verbose_name = _("Tasks")
    # What each role may do with this app's models (people.roles.sync_roles grants it).
    grants = {
        OFFICE: dict.fromkeys(MODELS, ALL) | dict.fromkeys(HISTORY, READ),
        # A reporter reports how her city's milestones stand.
        REPORTER: dict.fromkeys(MODELS, READ)
        | {"milestone": ("view", "change")}
        | dict.fromkeys(HISTORY, READ),
        VIEWER: dict.fromkeys(MODELS, READ),
    }
