"""The office may see and clear sign-in lockouts (django-axes), to unlock a colleague."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

OFFICE = "都市圈办公室"
WANTED = [
    ("axes", "view_accessattempt"),
    ("axes", "delete_accessattempt"),
    ("axes", "view_accessfailurelog"),
    ("axes", "view_accesslog"),
]


def grant(apps, schema_editor):
    # Permissions are normally made after all migrations; the group needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    office, _created = Group.objects.get_or_create(name=OFFICE)
    for app_label, codename in WANTED:
        office.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for office in Group.objects.filter(name=OFFICE):
        office.permissions.remove(
            *Permission.objects.filter(content_type__app_label="axes", codename__in=[c for _a, c in WANTED])
        )


class Migration(migrations.Migration):
    dependencies = [
        ("investment", "0007_sample_index"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
