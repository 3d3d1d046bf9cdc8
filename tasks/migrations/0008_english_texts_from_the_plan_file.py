"""Fills the new English summaries and source notes of plans already loaded, from their plan
file: load_plan never changes an existing row. Only a row whose Chinese text is still the
file's and whose English is empty is filled; what staff changed stays as it is."""

import tomllib
from pathlib import Path

from django.conf import settings
from django.db import migrations


def fill(apps, schema_editor):
    FocusArea = apps.get_model("plan", "FocusArea")
    Task = apps.get_model("tasks", "Task")
    for path in sorted((Path(settings.BASE_DIR) / "fixtures").glob("plan_*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        year = data["plan"]["year"]
        for area in data["areas"]:
            FocusArea.objects.filter(
                plan__year=year, number=area["number"], summary=area["summary"], summary_en=""
            ).update(summary_en=area.get("summary_en", ""))
            for task in area["tasks"]:
                if "source_note" not in task:
                    continue
                Task.objects.filter(
                    area__plan__year=year,
                    area__number=area["number"],
                    number=task["number"],
                    source_note=task["source_note"],
                    source_note_en="",
                ).update(source_note_en=task.get("source_note_en", ""))


class Migration(migrations.Migration):
    dependencies = [
        ("plan", "0006_english_summary"),
        ("tasks", "0007_english_source_note"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
