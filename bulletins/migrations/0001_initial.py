"""The bulletins move here from investment: their tables, history, content types and permissions stay."""


import bulletins.models
import django.core.serializers.json
import django.core.validators
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


def move_content_types(apps, schema_editor, source: str, target: str, models: list[str]) -> None:
    """The models' content types (and so their permissions and admin log entries) follow them."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in models:
        if not ContentType.objects.filter(app_label=target, model=model).exists():
            ContentType.objects.filter(app_label=source, model=model).update(app_label=target)

MODELS = ['bulletin', 'historicalbulletin']


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('investment', '0017_bulletin'),
        ('plan', '0006_english_summary'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay where they are (db_table pinned); only Django's state moves.
            state_operations=[
                migrations.CreateModel(
                    name='HistoricalBulletin',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(blank=True, editable=False, verbose_name='last changed at')),
                        ('version', models.PositiveIntegerField(default=1, editable=False, verbose_name='version')),
                        ('quarter', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1, message='The quarter must be between 1 and 4.'), django.core.validators.MaxValueValidator(4, message='The quarter must be between 1 and 4.')], verbose_name='quarter')),
                        ('status', models.CharField(choices=[('draft', 'not yet issued'), ('issued', 'issued')], default='draft', editable=False, max_length=10, verbose_name='status')),
                        ('next_steps', models.TextField(blank=True, help_text='What the office asks of the cities and units next, one paragraph a line.', validators=[bulletins.models.validate_next_steps], verbose_name='next steps')),
                        ('number', models.PositiveSmallIntegerField(editable=False, null=True, verbose_name='issue number')),
                        ('issued_at', models.DateTimeField(editable=False, null=True, verbose_name='issued at')),
                        ('content', models.JSONField(editable=False, encoder=django.core.serializers.json.DjangoJSONEncoder, null=True, verbose_name='content')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('created_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('issued_by', models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='issued by')),
                        ('plan', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='plan.plan', verbose_name='work plan')),
                        ('updated_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='last changed by')),
                    ],
                    options={
                        'verbose_name': 'historical bulletin',
                        'verbose_name_plural': 'historical bulletins',
                        'db_table': 'investment_historicalbulletin',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='Bulletin',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='last changed at')),
                        ('version', models.PositiveIntegerField(default=1, editable=False, verbose_name='version')),
                        ('quarter', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1, message='The quarter must be between 1 and 4.'), django.core.validators.MaxValueValidator(4, message='The quarter must be between 1 and 4.')], verbose_name='quarter')),
                        ('status', models.CharField(choices=[('draft', 'not yet issued'), ('issued', 'issued')], default='draft', editable=False, max_length=10, verbose_name='status')),
                        ('next_steps', models.TextField(blank=True, help_text='What the office asks of the cities and units next, one paragraph a line.', validators=[bulletins.models.validate_next_steps], verbose_name='next steps')),
                        ('number', models.PositiveSmallIntegerField(editable=False, null=True, verbose_name='issue number')),
                        ('issued_at', models.DateTimeField(editable=False, null=True, verbose_name='issued at')),
                        ('content', models.JSONField(editable=False, encoder=django.core.serializers.json.DjangoJSONEncoder, null=True, verbose_name='content')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                        ('issued_by', models.ForeignKey(editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='issued by')),
                        ('plan', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='bulletins', to='plan.plan', verbose_name='work plan')),
                        ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='last changed by')),
                    ],
                    options={
                        'verbose_name': 'bulletin',
                        'verbose_name_plural': 'bulletins',
                        'db_table': 'investment_bulletin',
                        'ordering': ['plan', 'quarter'],
                        'constraints': [models.UniqueConstraint(fields=('plan', 'quarter'), name='one_bulletin_per_quarter', violation_error_message='This quarter already has a bulletin.'), models.UniqueConstraint(fields=('plan', 'number'), name='bulletin_numbered_once')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(
            lambda apps, editor: move_content_types(apps, editor, 'investment', 'bulletins', MODELS),
            lambda apps, editor: move_content_types(apps, editor, 'bulletins', 'investment', MODELS),
        ),
    ]
