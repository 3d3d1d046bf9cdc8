"""The roles' groups hold the permissions on a plan's members (plan.Member): the office edits
them on the plan's page; reporters and leaders read them."""

from django.db import migrations

from people import roles


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0003_profiles_and_accounts"),
        ("plan", "0010_corridor_plan_required"),
        ("tasks", "0009_editions"),
    ]

    operations = [migrations.RunPython(roles.sync_roles, migrations.RunPython.noop)]
