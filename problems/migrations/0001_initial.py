"""The problem list moves here from investment: its tables, history, content types and permissions stay."""


import django.core.validators
import django.db.models.deletion
import investment.models
import simple_history.models
from django.conf import settings
from django.db import migrations, models


def move_content_types(apps, schema_editor, source: str, target: str, models: list[str]) -> None:
    """The models' content types (and so their permissions and admin log entries) follow them."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in models:
        if not ContentType.objects.filter(app_label=target, model=model).exists():
            ContentType.objects.filter(app_label=source, model=model).update(app_label=target)

MODELS = ['problem', 'historicalproblem', 'problementry', 'problemattachment', 'problemreminder', 'problemdigest']


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('investment', '0017_bulletin'),
        ('plan', '0006_english_summary'),
        ('tasks', '0008_english_texts_from_the_plan_file'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables stay where they are (db_table pinned); only Django's state moves.
            state_operations=[
                migrations.CreateModel(
                    name='ProblemDigest',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('sent_on', models.DateField(unique=True, verbose_name='sent on')),
                        ('problems', models.PositiveIntegerField(verbose_name='red problems')),
                        ('recipients', models.PositiveIntegerField(verbose_name='recipients')),
                    ],
                    options={
                        'verbose_name': 'problem digest',
                        'verbose_name_plural': 'problem digests',
                        'db_table': 'investment_problemdigest',
                        'ordering': ['-sent_on'],
                    },
                ),
                migrations.CreateModel(
                    name='HistoricalProblem',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='created at')),
                        ('title', models.CharField(max_length=100, verbose_name='problem')),
                        ('description', models.TextField(validators=[django.core.validators.MaxLengthValidator(2000, message='The description has at most %(limit_value)d characters.')], verbose_name='description')),
                        ('kind', models.CharField(choices=[('land', 'land (用地)'), ('funding', 'funding (资金)'), ('approval', 'approvals (审批)'), ('relocation', 'relocation (征迁)'), ('environment', 'environmental assessment (环评)'), ('cross_city', 'cross-city coordination (跨市协调)'), ('other', 'other')], max_length=20, verbose_name='kind')),
                        ('leader', models.CharField(blank=True, help_text='A name, as written.', max_length=50, verbose_name='coordinating leader')),
                        ('assigned_on', models.DateField(blank=True, editable=False, null=True, verbose_name='assigned on')),
                        ('deadline', models.DateField(blank=True, null=True, verbose_name='deadline')),
                        ('closed_on', models.DateField(blank=True, editable=False, help_text='The day it was closed or not accepted.', null=True, verbose_name='closed on')),
                        ('status', models.CharField(choices=[('raised', 'raised, to assign'), ('assigned', 'assigned'), ('answered', 'answered'), ('closed', 'closed, verified'), ('refused', 'not accepted')], default='raised', max_length=20, verbose_name='status')),
                        ('is_sample', models.BooleanField(default=False, help_text='Made up for demonstration; never real.', verbose_name='sample data')),
                        ('history_change_reason', models.TextField(null=True)),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('city', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='plan.city', verbose_name='raised by city')),
                        ('created_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('project', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='tasks.project', verbose_name='key project')),
                        ('task', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='tasks.task', verbose_name='task')),
                        ('unit', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='plan.unit', verbose_name='responsible unit')),
                        ('updated_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='last changed by')),
                    ],
                    options={
                        'verbose_name': 'historical problem',
                        'verbose_name_plural': 'historical problems',
                        'db_table': 'investment_historicalproblem',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='Problem',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='last changed at')),
                        ('version', models.PositiveIntegerField(default=1, editable=False, verbose_name='version')),
                        ('title', models.CharField(max_length=100, verbose_name='problem')),
                        ('description', models.TextField(validators=[django.core.validators.MaxLengthValidator(2000, message='The description has at most %(limit_value)d characters.')], verbose_name='description')),
                        ('kind', models.CharField(choices=[('land', 'land (用地)'), ('funding', 'funding (资金)'), ('approval', 'approvals (审批)'), ('relocation', 'relocation (征迁)'), ('environment', 'environmental assessment (环评)'), ('cross_city', 'cross-city coordination (跨市协调)'), ('other', 'other')], max_length=20, verbose_name='kind')),
                        ('leader', models.CharField(blank=True, help_text='A name, as written.', max_length=50, verbose_name='coordinating leader')),
                        ('assigned_on', models.DateField(blank=True, editable=False, null=True, verbose_name='assigned on')),
                        ('deadline', models.DateField(blank=True, null=True, verbose_name='deadline')),
                        ('closed_on', models.DateField(blank=True, editable=False, help_text='The day it was closed or not accepted.', null=True, verbose_name='closed on')),
                        ('status', models.CharField(choices=[('raised', 'raised, to assign'), ('assigned', 'assigned'), ('answered', 'answered'), ('closed', 'closed, verified'), ('refused', 'not accepted')], default='raised', max_length=20, verbose_name='status')),
                        ('is_sample', models.BooleanField(default=False, help_text='Made up for demonstration; never real.', verbose_name='sample data')),
                        ('city', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='problems', to='plan.city', verbose_name='raised by city')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                        ('project', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='problems', to='tasks.project', verbose_name='key project')),
                        ('supporting_units', models.ManyToManyField(blank=True, related_name='supported_problems', to='plan.unit', verbose_name='supporting units')),
                        ('task', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='problems', to='tasks.task', verbose_name='task')),
                        ('unit', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='problems', to='plan.unit', verbose_name='responsible unit')),
                        ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='last changed by')),
                    ],
                    options={
                        'verbose_name': 'problem',
                        'verbose_name_plural': 'problems',
                        'db_table': 'investment_problem',
                        'ordering': ['-created_at', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='ProblemEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('raised', 'raised'), ('assigned', 'assigned'), ('answered', 'answered'), ('returned', 'returned to the unit'), ('closed', 'closed, verified'), ('refused', 'not accepted'), ('comment', 'comment')], max_length=20, verbose_name='step')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='time')),
                        ('text', models.TextField(blank=True, verbose_name='text')),
                        ('author', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='author')),
                        ('problem', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='entries', to='problems.problem', verbose_name='problem')),
                    ],
                    options={
                        'verbose_name': 'problem entry',
                        'verbose_name_plural': 'problem entries',
                        'db_table': 'investment_problementry',
                        'ordering': ['problem', 'created_at', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='ProblemAttachment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('image', models.FileField(max_length=200, upload_to=investment.models.photo_path, verbose_name='photo')),
                        ('width', models.PositiveIntegerField(editable=False, verbose_name='width')),
                        ('height', models.PositiveIntegerField(editable=False, verbose_name='height')),
                        ('taken_at', models.DateTimeField(blank=True, null=True, verbose_name='taken at')),
                        ('uploaded_at', models.DateTimeField(auto_now_add=True, verbose_name='uploaded at')),
                        ('entry', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='attachments', to='problems.problementry', verbose_name='problem entry')),
                    ],
                    options={
                        'verbose_name': 'attachment',
                        'verbose_name_plural': 'attachments',
                        'db_table': 'investment_problemattachment',
                        'ordering': ['entry', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='ProblemReminder',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('sent_on', models.DateField(verbose_name='sent on')),
                        ('recipients', models.PositiveIntegerField(verbose_name='recipients')),
                        ('problem', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reminders', to='problems.problem', verbose_name='problem')),
                    ],
                    options={
                        'verbose_name': 'problem reminder',
                        'verbose_name_plural': 'problem reminders',
                        'db_table': 'investment_problemreminder',
                        'ordering': ['-sent_on', 'pk'],
                    },
                ),
                migrations.AddIndex(
                    model_name='problem',
                    index=models.Index(fields=['status', 'deadline'], name='problem_status_deadline'),
                ),
                migrations.AddIndex(
                    model_name='problem',
                    index=models.Index(condition=models.Q(('is_sample', True)), fields=['is_sample'], name='problem_sample'),
                ),
                migrations.AddConstraint(
                    model_name='problemreminder',
                    constraint=models.UniqueConstraint(fields=('problem', 'sent_on'), name='one_reminder_a_day'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(
            lambda apps, editor: move_content_types(apps, editor, 'investment', 'problems', MODELS),
            lambda apps, editor: move_content_types(apps, editor, 'problems', 'investment', MODELS),
        ),
    ]
