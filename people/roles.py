"""The roles: auth groups and the model permissions each holds.

The permissions say which models each role may view or change at all; which rows a user
reaches is access.py's to say. The migrations call `sync_roles`, so the groups hold exactly
what the apps grant (`permissions`); change a grant, then add a migration that calls it.
"""

from django.apps import apps as django_apps

# Staff see these names in the admin, so they are Chinese.
OFFICE = "都市圈办公室"
REPORTER = "市级填报员"
VIEWER = "领导"
UNIT_CONTACT = "责任单位联络员"

ROLES = (OFFICE, REPORTER, VIEWER, UNIT_CONTACT)
ALL = ("view", "add", "change", "delete")
READ = ("view",)


def permissions() -> dict[str, set[tuple[str, str]]]:
    """What each role's group holds: what every app grants on its own models, in its
    AppConfig's `grants` (role → model → actions; "app.model" for another app's model)."""
    found: dict[str, set[tuple[str, str]]] = {role: set() for role in ROLES}
    for config in django_apps.get_app_configs():
        for role, models in getattr(config, "grants", {}).items():
            for model, actions in models.items():
                label, name = model.split(".") if "." in model else (config.label, model)
                found[role] |= {(label, f"{action}_{name}") for action in actions}
    return found


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
    for name, wanted in permissions().items():
        group, _created = Group.objects.get_or_create(name=name)
        found = Permission.objects.none()
        for app_label, codename in wanted:
            found |= Permission.objects.filter(content_type__app_label=app_label, codename=codename)
        group.permissions.set(found)


def remove_roles(apps, schema_editor=None) -> None:
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()
