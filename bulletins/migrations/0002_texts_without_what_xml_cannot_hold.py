"""Stored texts lose what XML cannot hold (U+FFFE, U+FFFF, lone surrogates) and the control
characters refused on entry: one such character in a note broke every workbook as of its
quarter, and in an issued bulletin's 下步工作 its Word file for good. Entry refuses them now
(plan.forms.CONTROL_CHARACTERS); this cleans what was stored before. History rows too: their
texts are shown and written out like the rows'.

Here, in the last app with models, so that every app's tables exist; the pattern is copied as
it stands today, as a migration must not follow the code.
"""

import re

from django.db import migrations, models

CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
APPS = ["plan", "people", "tasks", "investment", "problems", "bulletins"]


def strip_characters(apps, schema_editor) -> None:
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            texts = [
                field.attname
                for field in model._meta.local_fields
                if isinstance(field, models.CharField | models.TextField)
            ]
            if not texts:
                continue
            pk = model._meta.pk.attname
            changed = []
            for row in model.objects.values(pk, *texts).iterator(chunk_size=2000):
                cleaned = {
                    name: CONTROL_CHARACTERS.sub("", row[name])
                    for name in texts
                    if isinstance(row[name], str) and CONTROL_CHARACTERS.search(row[name])
                }
                if cleaned:
                    changed.append((row[pk], cleaned))
            for key, cleaned in changed:
                model.objects.filter(**{pk: key}).update(**cleaned)


class Migration(migrations.Migration):
    dependencies = [
        ("bulletins", "0001_initial"),
        ("investment", "0018_problems_and_bulletins_move_out"),
        ("people", "0002_sync_roles"),
        ("plan", "0007_reporters_and_contacts_move_to_people"),
        ("problems", "0002_attachment_taken_at_from_exif"),
        ("tasks", "0008_english_texts_from_the_plan_file"),
    ]

    operations = [migrations.RunPython(strip_characters, migrations.RunPython.noop)]
