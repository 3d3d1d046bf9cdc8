"""Existing data read as editions: every plan so far held every city whole and had every
corridor, and was in use (issued, its date not recorded)."""

from django.db import migrations

# GB/T 2260 codes of the cities the fixtures and earlier sessions created.
CODES = {
    "zhengzhou": "410100",
    "kaifeng": "410200",
    "luoyang": "410300",
    "pingdingshan": "410400",
    "xinxiang": "410700",
    "jiaozuo": "410800",
    "xuchang": "411000",
    "luohe": "411100",
    "jiyuan": "419001",
}


def forwards(apps, schema_editor):
    City = apps.get_model("plan", "City")
    Plan = apps.get_model("plan", "Plan")
    Member = apps.get_model("plan", "Member")
    Corridor = apps.get_model("plan", "Corridor")
    Task = apps.get_model("tasks", "Task")
    for slug, code in CODES.items():
        City.objects.filter(slug=slug, code__isnull=True).update(code=code)
    plans = list(Plan.objects.order_by("year"))
    Plan.objects.update(status="issued")
    cities = list(City.objects.all())
    Member.objects.bulk_create(
        [Member(plan=plan, place=city) for plan in plans for city in cities]
    )
    for corridor in list(Corridor.objects.filter(plan__isnull=True)):
        members = list(corridor.cities.all())
        for index, plan in enumerate(plans):
            if index == 0:
                corridor.plan = plan
                corridor.save(update_fields=["plan"])
                continue
            copy = Corridor.objects.create(
                plan=plan,
                slug=corridor.slug,
                name=corridor.name,
                name_en=corridor.name_en,
                kind=corridor.kind,
                order=corridor.order,
            )
            copy.cities.set(members)
            Task.objects.filter(corridor=corridor, area__plan=plan).update(corridor=copy)
    # A corridor with no plan to belong to (no plan yet) has nothing to show: it goes.
    Corridor.objects.filter(plan__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("plan", "0008_editions"),
        ("tasks", "0008_english_texts_from_the_plan_file"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
