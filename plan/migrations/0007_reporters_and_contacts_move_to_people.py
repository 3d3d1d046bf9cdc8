"""Reporters and unit contacts now live in the people app."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('plan', '0006_english_summary'),
        ('people', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay where they are (db_table pinned); only Django's state moves.
            state_operations=[
                migrations.RemoveField(
                    model_name='unitcontact',
                    name='unit',
                ),
                migrations.RemoveField(
                    model_name='unitcontact',
                    name='user',
                ),
                migrations.DeleteModel(
                    name='Reporter',
                ),
                migrations.DeleteModel(
                    name='UnitContact',
                ),
            ],
            database_operations=[],
        ),
    ]
