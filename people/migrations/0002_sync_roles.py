"""The roles' groups hold the permissions PERMISSIONS lists under the models' new apps."""

from django.db import migrations

from people import roles


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0001_initial"),
        ("plan", "0007_reporters_and_contacts_move_to_people"),
        ("problems", "0001_initial"),
        ("bulletins", "0001_initial"),
        ("investment", "0018_problems_and_bulletins_move_out"),
    ]

    operations = [migrations.RunPython(roles.sync_roles, migrations.RunPython.noop)]
