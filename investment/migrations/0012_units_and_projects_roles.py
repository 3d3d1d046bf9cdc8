"""The office manages responsible units and key projects; reporters and leaders read them."""

from django.db import migrations

from people import roles


class Migration(migrations.Migration):
    dependencies = [
        ("investment", "0011_quarter_close_history_and_longer_change_reasons"),
        ("tasks", "0004_units_and_projects"),
    ]

    operations = [migrations.RunPython(roles.sync_roles, migrations.RunPython.noop)]
