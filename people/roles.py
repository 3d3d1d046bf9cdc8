"""The roles: auth groups and the model permissions each holds.

The permissions say which models each role may view or change at all; which rows a user
reaches is access.py's to say. The migrations call `sync_roles`, so the groups hold exactly
what `PERMISSIONS` lists; change it, then add a migration that calls it.
"""

# Staff see these names in the admin, so they are Chinese.
OFFICE = "都市圈办公室"
REPORTER = "市级填报员"
VIEWER = "领导"
UNIT_CONTACT = "责任单位联络员"

_PLAN = [("plan", m) for m in ("plan", "focusarea", "city", "corridor", "unit")]
_TASKS = [("tasks", m) for m in ("task", "cityallocation", "milestone", "project")]
_HISTORY = [
    ("tasks", "historicaltask"),
    ("tasks", "historicalcityallocation"),
    ("tasks", "historicalmilestone"),
    ("tasks", "historicalproject"),
    ("investment", "historicalprogressreport"),
    ("investment", "historicalprojectupdate"),
    ("investment", "historicalprojectphoto"),
    ("problems", "historicalproblem"),
    ("bulletins", "historicalbulletin"),
]
_REPORTS = [
    ("investment", "progressreport"),
    ("investment", "projectupdate"),
    ("investment", "projectphoto"),
]
_PROBLEMS = [
    ("problems", "problem"),
    ("problems", "problementry"),
    ("problems", "problemattachment"),
]
_REPORTERS = [("people", "reporter"), ("people", "unitcontact")]
_BULLETINS = [("bulletins", "bulletin")]
ALL = ["view", "add", "change", "delete"]


def _grant(models_: list[tuple[str, str]], actions: list[str]) -> list[tuple[str, str]]:
    return [(app, f"{action}_{model}") for app, model in models_ for action in actions]


PERMISSIONS: dict[str, list[tuple[str, str]]] = {
    OFFICE: _grant(_PLAN + _TASKS + _REPORTS + _PROBLEMS + _REPORTERS + _BULLETINS, ALL)
    + _grant(_HISTORY, ["view"])
    # To see and clear sign-in lockouts (django-axes), and so unlock a colleague.
    + [
        ("axes", "view_accessattempt"),
        ("axes", "delete_accessattempt"),
        ("axes", "view_accessfailurelog"),
        ("axes", "view_accesslog"),
    ],
    REPORTER: _grant(_PLAN + _TASKS, ["view"])
    + _grant([("tasks", "milestone")], ["change"])
    + _grant(_REPORTS, ALL)
    + _grant(_PROBLEMS, ["view", "add", "change"])
    + _grant(_HISTORY, ["view"]),
    VIEWER: _grant(_PLAN + _TASKS + _REPORTS + _PROBLEMS, ["view"]),
    # A unit's contact answers the problems assigned to her unit, and nothing else.
    UNIT_CONTACT: _grant(_PROBLEMS, ["view", "change"]) + _grant(_PROBLEMS[1:], ["add"]),
}


def sync_roles(apps, schema_editor=None) -> None:
    """Make each role's group hold exactly the permissions listed (those that exist yet)."""
    from django.contrib.auth.management import create_permissions

    # Permissions are normally made after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=name)
        found = Permission.objects.none()
        for app_label, codename in wanted:
            found |= Permission.objects.filter(content_type__app_label=app_label, codename=codename)
        group.permissions.set(found)


def remove_roles(apps, schema_editor=None) -> None:
    apps.get_model("auth", "Group").objects.filter(name__in=PERMISSIONS).delete()
