"""The office may see and clear sign-in lockouts (django-axes), to unlock a colleague."""

from django.db import migrations

from people import roles


class Migration(migrations.Migration):
    dependencies = [
        ("investment", "0007_sample_index"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(roles.sync_roles, migrations.RunPython.noop)]
