"""Load a year's work plan, with the cities and corridors, from the files in fixtures/.

Creates what is missing and leaves what exists alone: staff may have corrected a row in the
admin since, so a row that differs from the file is reported, never overwritten. Running it
twice therefore changes nothing.
"""

import tomllib
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction
from django.utils.translation import gettext as _

from plan.models import City, Corridor, FocusArea, Plan
from tasks.models import Milestone, Task

FIXTURES = Path(settings.BASE_DIR) / "fixtures"


def read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except FileNotFoundError as error:
        raise CommandError(_("File not found: %(path)s") % {"path": path}) from error
    except tomllib.TOMLDecodeError as error:
        raise CommandError(f"{path}: {error}") from error


class Loader:
    def __init__(self) -> None:
        self.created = 0
        self.unchanged = 0
        self.differing: list[tuple[models.Model, list[str]]] = []

    def sync(self, model, lookup: dict, values: dict, m2m: dict | None = None):
        m2m = m2m or {}
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = model(**lookup, **values)
            obj.full_clean()
            obj.save()
            for name, related in m2m.items():
                getattr(obj, name).set(related)
            self.created += 1
            return obj
        differing = [name for name, value in values.items() if getattr(obj, name) != value]
        differing += [
            name for name, related in m2m.items() if set(getattr(obj, name).all()) != set(related)
        ]
        if differing:
            self.differing.append((obj, differing))
        else:
            self.unchanged += 1
        return obj

    def load(self, geography: dict, data: dict) -> Plan:
        cities = {
            row["slug"]: self.sync(
                City,
                {"slug": row["slug"]},
                {"name": row["name"], "name_en": row["name_en"], "order": order},
            )
            for order, row in enumerate(geography["cities"], start=1)
        }
        corridors = {
            row["slug"]: self.sync(
                Corridor,
                {"slug": row["slug"]},
                {
                    "name": row["name"],
                    "name_en": row["name_en"],
                    "kind": row["kind"],
                    "order": order,
                },
                {"cities": [cities[slug] for slug in row["cities"]]},
            )
            for order, row in enumerate(geography["corridors"], start=1)
        }
        plan = self.sync(
            Plan,
            {"year": data["plan"]["year"]},
            {key: value for key, value in data["plan"].items() if key != "year"},
        )
        for area_row in data["areas"]:
            area = self.sync(
                FocusArea,
                {"plan": plan, "number": area_row["number"]},
                {key: area_row[key] for key in ("name", "name_en", "summary")},
            )
            for task_row in area_row["tasks"]:
                self.load_task(area, task_row, cities, corridors)
        return plan

    def load_task(self, area: FocusArea, row: dict, cities: dict, corridors: dict) -> None:
        target = row.get("target")
        task = self.sync(
            Task,
            {"area": area, "number": row["number"]},
            {
                "title": row["title"],
                "title_en": row["title_en"],
                "description": row["description"],
                # A string in the file, so the amount is never a float on its way in.
                "target": None if target is None else Decimal(target),
                "source_note": row.get("source_note", ""),
                "corridor": corridors[row["corridor"]] if "corridor" in row else None,
            },
            # A task whose source names no city involves all five.
            {"cities": [cities[slug] for slug in row.get("cities", list(cities))]},
        )
        for milestone in row.get("milestones", []):
            self.sync(
                Milestone,
                {"task": task, "name": milestone["name"]},
                {
                    "kind": milestone["kind"],
                    "city": cities[milestone["city"]] if "city" in milestone else None,
                },
            )


class Command(BaseCommand):
    help = "Load a year's work plan from fixtures/plan_YEAR.toml; existing rows are kept."

    def add_arguments(self, parser) -> None:
        parser.add_argument("year", type=int)

    def handle(self, *args, year: int, **options) -> None:
        geography = read_toml(FIXTURES / "geography.toml")
        data = read_toml(FIXTURES / f"plan_{year}.toml")
        if data.get("plan", {}).get("year") != year:
            raise CommandError(
                _("fixtures/plan_%(year)d.toml is not the plan for %(year)d.") % {"year": year}
            )
        loader = Loader()
        try:
            with transaction.atomic():
                plan = loader.load(geography, data)
        except (KeyError, ValidationError) as error:
            raise CommandError(
                _("The plan file for %(year)d is not valid, nothing was loaded: %(error)s")
                % {"year": year, "error": error}
            ) from error
        self.stdout.write(
            _("%(plan)s: %(created)d rows created, %(unchanged)d already as in the file.")
            % {"plan": plan, "created": loader.created, "unchanged": loader.unchanged}
        )
        for obj, fields in loader.differing:
            self.stdout.write(
                self.style.WARNING(
                    _("Kept as it is, differs from the file in %(fields)s: %(object)s")
                    % {"fields": ", ".join(fields), "object": obj}
                )
            )
