"""The reporters' and unit contacts' bindings move here from plan: tables, content types and
permissions stay."""


import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_content_types(apps, schema_editor, source: str, target: str, models: list[str]) -> None:
    """The models' content types (and so their permissions and admin log entries) follow them."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in models:
        if not ContentType.objects.filter(app_label=target, model=model).exists():
            ContentType.objects.filter(app_label=source, model=model).update(app_label=target)

MODELS = ['reporter', 'unitcontact']


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('plan', '0006_english_summary'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay where they are (db_table pinned); only Django's state moves.
            state_operations=[
                migrations.CreateModel(
                    name='Reporter',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('city', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reporters', to='plan.city', verbose_name='city')),
                        ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='reporter', to=settings.AUTH_USER_MODEL, verbose_name='user')),
                    ],
                    options={
                        'verbose_name': 'city reporter',
                        'verbose_name_plural': 'city reporters',
                        'db_table': 'plan_reporter',
                    },
                ),
                migrations.CreateModel(
                    name='UnitContact',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='contacts', to='plan.unit', verbose_name='unit')),
                        ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='unit_contact', to=settings.AUTH_USER_MODEL, verbose_name='user')),
                    ],
                    options={
                        'verbose_name': 'unit contact',
                        'verbose_name_plural': 'unit contacts',
                        'db_table': 'plan_unitcontact',
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(
            lambda apps, editor: move_content_types(apps, editor, 'plan', 'people', MODELS),
            lambda apps, editor: move_content_types(apps, editor, 'people', 'plan', MODELS),
        ),
    ]
