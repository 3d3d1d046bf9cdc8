
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('problems', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='problemattachment',
            name='taken_at',
            field=models.DateTimeField(blank=True, help_text="From the photo's EXIF, if it says.", null=True, verbose_name='taken at'),
        ),
    ]
