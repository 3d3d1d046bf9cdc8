"""The three roles as auth groups with their model permissions.

Row-level limits (a reporter's own city, report status) are enforced by the admin classes;
these permissions say which models each role may view or change at all.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

OFFICE = "都市圈办公室"
REPORTER = "市级填报员"
VIEWER = "领导"

PLAN_MODELS = [("plan", m) for m in ("plan", "focusarea", "city", "corridor")]
REPORTER_MODELS = [("plan", "reporter")]
TASK_MODELS = [("tasks", m) for m in ("task", "cityallocation", "milestone")]
REPORT_MODELS = [("investment", "progressreport")] + REPORTER_MODELS
HISTORY_MODELS = [
    ("tasks", "historicaltask"),
    ("tasks", "historicalcityallocation"),
    ("tasks", "historicalmilestone"),
    ("investment", "historicalprogressreport"),
]


def codenames(models, actions):
    return [(app, f"{action}_{model}") for app, model in models for action in actions]


ROLES = {
    OFFICE: codenames(PLAN_MODELS + TASK_MODELS + REPORT_MODELS, ["view", "add", "change", "delete"])
    + codenames(HISTORY_MODELS, ["view"]),
    REPORTER: codenames(PLAN_MODELS + TASK_MODELS, ["view"])
    + codenames([("tasks", "milestone")], ["change"])
    + codenames([("investment", "progressreport")], ["view", "add", "change", "delete"])
    + codenames(HISTORY_MODELS, ["view"]),
    VIEWER: codenames(PLAN_MODELS + TASK_MODELS + [("investment", "progressreport")], ["view"]),
}


def create_roles(apps, schema_editor):
    # Permissions are normally made after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        for app_label, codename in wanted:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("investment", "0002_reporting"),
        ("tasks", "0002_history"),
        ("plan", "0002_reporting"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
