"""Figures are cached under a generation key in the shared cache (investment/figures.py):
the version row and the trigger that changed it on account changes go."""

from django.conf import settings
from django.db import migrations


def drop_trigger(apps, schema_editor):
    table = apps.get_model(settings.AUTH_USER_MODEL)._meta.db_table
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS zzmetro_account_changed ON {table}")
        schema_editor.execute("DROP FUNCTION IF EXISTS zzmetro_account_changed()")
    else:
        schema_editor.execute("DROP TRIGGER IF EXISTS zzmetro_account_updated")
        schema_editor.execute("DROP TRIGGER IF EXISTS zzmetro_account_deleted")


class Migration(migrations.Migration):
    dependencies = [
        ("investment", "0009_account_changes_change_the_version"),
    ]

    operations = [
        # Going back would need the version row filled by every save again: not supported.
        migrations.RunPython(drop_trigger, migrations.RunPython.noop),
        migrations.DeleteModel(name="FiguresVersion"),
    ]
