"""The roles: auth groups, the model permissions each holds, and who sees which rows.

Row-level limits (a reporter's own city, a report's status) are applied by the admin classes
and the forms through `is_office`, `reporter_city` and `scope_to_city`; the permissions say
which models each role may view or change at all. The migrations call `sync_roles`, so the
groups hold exactly what `PERMISSIONS` lists; change it, then add a migration that calls it.
"""

from django.db import models

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
    ("investment", "historicalproblem"),
    ("investment", "historicalbulletin"),
]
_REPORTS = [
    ("investment", "progressreport"),
    ("investment", "projectupdate"),
    ("investment", "projectphoto"),
]
_PROBLEMS = [
    ("investment", "problem"),
    ("investment", "problementry"),
    ("investment", "problemattachment"),
]
_REPORTERS = [("plan", "reporter"), ("plan", "unitcontact")]
_BULLETINS = [("investment", "bulletin")]
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


def roles(user) -> set[str]:
    """The user's role groups, read once per user object (a request's user lives one request)."""
    if not user.is_authenticated:
        return set()
    if not hasattr(user, "_zzmetro_roles"):
        user._zzmetro_roles = set(user.groups.values_list("name", flat=True))
    return user._zzmetro_roles


def has_role(user) -> bool:
    """Whether a signed-in user holds any role: the office (or a superuser), a reporter, a
    leader or a unit's contact. An account in none sees no figures."""
    return user.is_superuser or bool(roles(user) & {OFFICE, REPORTER, VIEWER, UNIT_CONTACT})


def is_office(user) -> bool:
    return user.is_superuser or OFFICE in roles(user)


def reporter_city(user):
    """The one city a city reporter reports for; None for everyone else."""
    from .models import Reporter

    if is_office(user) or REPORTER not in roles(user):
        return None
    if not hasattr(user, "_zzmetro_city"):
        reporter = Reporter.objects.filter(user=user).select_related("city").first()
        user._zzmetro_city = reporter.city if reporter else None
    return user._zzmetro_city


def contact_unit(user):
    """The one unit a unit's contact answers for; None for everyone else."""
    from .models import UnitContact

    if is_office(user) or UNIT_CONTACT not in roles(user):
        return None
    if not hasattr(user, "_zzmetro_unit"):
        contact = UnitContact.objects.filter(user=user).select_related("unit").first()
        user._zzmetro_unit = contact.unit if contact else None
    return user._zzmetro_unit


def scope_to_city(queryset: models.QuerySet, user, field: str = "city") -> models.QuerySet:
    """The rows a user may see: all for the office and leaders, her city's for a reporter.

    The reporter role is the narrower one and wins; a reporter not yet bound to a city sees
    nothing, and an account in no role nothing at all.
    """
    if is_office(user):
        return queryset
    if REPORTER in roles(user):
        city = reporter_city(user)
        return queryset.filter(**{field: city}) if city else queryset.none()
    return queryset if VIEWER in roles(user) else queryset.none()


def sees_city(user, city) -> bool:
    """Whether `user` may read `city`'s own rows, as scope_to_city decides for a queryset."""
    if is_office(user):
        return True
    if REPORTER in roles(user):
        return reporter_city(user) == city
    return VIEWER in roles(user)
