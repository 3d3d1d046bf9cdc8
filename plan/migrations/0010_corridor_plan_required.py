import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("plan", "0009_editions_data")]

    operations = [
        migrations.AlterField(
            model_name="corridor",
            name="plan",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="corridors",
                to="plan.plan",
                verbose_name="work plan",
            ),
        ),
    ]
