"""The three roles as auth groups with their model permissions (plan/roles.py)."""

from django.db import migrations

from people import roles


class Migration(migrations.Migration):
    dependencies = [
        ("investment", "0002_reporting"),
        ("tasks", "0002_history"),
        ("plan", "0002_reporting"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(roles.sync_roles, roles.remove_roles)]
