"""Load a year's work plan, with the cities and corridors, from the files in fixtures/.

A new plan is created whole. Once the plan exists, the command creates nothing: staff may have
corrected, renamed or deleted rows in the admin since, so it only reports how the database
differs from the file (`--add-missing` creates what the file has and the database lacks).
Running it twice therefore changes nothing, and nothing staff did is undone.
"""

import tomllib
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction
from django.utils.translation import gettext as _

from plan.models import City, Corridor, FocusArea, Member, Plan
from tasks.models import Milestone, Project, Task

FIXTURES = Path(settings.BASE_DIR) / "fixtures"


class PlanFileError(Exception):
    """A row of the plan file that cannot be loaded; the message says where and why."""


def read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as file:
            return tomllib.load(file)
    except FileNotFoundError as error:
        raise CommandError(_("File not found: %(path)s") % {"path": path}) from error
    except tomllib.TOMLDecodeError as error:
        raise CommandError(
            _("%(path)s is not valid TOML: %(error)s") % {"path": path, "error": error}
        ) from error


def parse_target(value: object) -> Decimal | None:
    if value is None:
        return None
    # A TOML number would arrive as a float and lose the exact amount: only strings are read.
    if not isinstance(value, str):
        raise PlanFileError(_('target must be written as a quoted number, such as "70"'))
    try:
        return Decimal(value)
    except InvalidOperation as error:
        raise PlanFileError(_("target %(value)s is not a number") % {"value": value}) from error


def field_label(model: type[models.Model], name: str) -> str:
    if name == "__all__":
        return str(model._meta.verbose_name)
    return str(model._meta.get_field(name).verbose_name)


class Loader:
    def __init__(self, create: bool) -> None:
        self.create = create
        self.created = 0
        self.unchanged = 0
        self.missing: list[str] = []
        self.differing: list[tuple[models.Model, list[str]]] = []

    def sync(self, model, lookup: dict, values: dict, m2m: dict | None = None, label: str = ""):
        """The row matching `lookup`: created if allowed, else compared with `values`."""
        m2m = m2m or {}
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            if not self.create:
                self.missing.append(f"{model._meta.verbose_name} {label}")
                return None
            obj = model(**lookup, **values)
            try:
                obj.full_clean()
            except ValidationError as error:
                problems = "; ".join(
                    f"{field_label(model, name)}: {' '.join(messages)}"
                    for name, messages in error.message_dict.items()
                )
                raise PlanFileError(f"{model._meta.verbose_name} {label}: {problems}") from error
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

    def load(self, geography: dict, data: dict) -> None:
        cities = {}
        for order, row in enumerate(geography["cities"], start=1):
            values = {"name": row["name"], "name_en": row["name_en"], "order": order}
            values |= {"code": row["code"]} if "code" in row else {}
            cities[row["slug"]] = self.sync(City, {"slug": row["slug"]}, values, label=row["slug"])
        plan_values = {key: value for key, value in data["plan"].items() if key != "year"}
        plan = self.sync(
            Plan, {"year": data["plan"]["year"]}, plan_values, label=plan_values.get("title", "")
        )
        if plan is None:
            return
        # The plan holds the cities of the area whole (the geography's are the 2021 five).
        for slug, city in cities.items():
            if city is not None:
                self.sync(
                    Member,
                    {"plan": plan, "place": city},
                    {},
                    label=f"{data['plan']['year']} {slug}",
                )
        corridors = {}
        for order, row in enumerate(geography["corridors"], start=1):
            values = {key: row[key] for key in ("name", "name_en", "kind")} | {"order": order}
            members = {"cities": [cities[slug] for slug in row["cities"]]}
            corridors[row["slug"]] = self.sync(
                Corridor, {"plan": plan, "slug": row["slug"]}, values, members, label=row["slug"]
            )
        for area_row in data["areas"]:
            area = self.sync(
                FocusArea,
                {"plan": plan, "number": area_row["number"]},
                {key: area_row[key] for key in ("name", "name_en", "summary")}
                | {"summary_en": area_row.get("summary_en", "")},
                label=str(area_row["number"]),
            )
            for task_row in area_row["tasks"] if area else []:
                self.load_task(area, task_row, cities, corridors)

    def load_task(self, area: FocusArea, row: dict, cities: dict, corridors: dict) -> None:
        code = f"{area.number}.{row['number']}"
        try:
            values = {
                "title": row["title"],
                "title_en": row["title_en"],
                "description": row["description"],
                "target": parse_target(row.get("target")),
                "source_note": row.get("source_note", ""),
                "source_note_en": row.get("source_note_en", ""),
                "corridor": corridors[row["corridor"]] if "corridor" in row else None,
            }
            # A task whose source names no city involves all five.
            members = {"cities": [cities[slug] for slug in row.get("cities", list(cities))]}
        except KeyError as error:
            raise PlanFileError(
                _("task %(code)s: %(key)s is missing or unknown") % {"code": code, "key": error}
            ) from error
        except PlanFileError as error:
            raise PlanFileError(
                _("task %(code)s: %(error)s") % {"code": code, "error": error}
            ) from error
        task = self.sync(Task, {"area": area, "number": row["number"]}, values, members, label=code)
        for project in row.get("projects", []) if task else []:
            self.load_project(task, project, members["cities"], cities, code)
        for milestone in row.get("milestones", []) if task else []:
            self.sync(
                Milestone,
                {"task": task, "name": milestone["name"]},
                {
                    "kind": milestone["kind"],
                    "city": cities[milestone["city"]] if "city" in milestone else None,
                },
                label=f"{code} {milestone['name']}",
            )

    def load_project(self, task: Task, row: dict, task_cities: list, cities: dict, code: str):
        label = f"{code} {row.get('name', '')}"
        try:
            lookup = {"task": task, "name": row["name"]}
            values = {"description": row.get("description", ""), "goal": row["goal"]}
            # Where the source places the project in no city, it runs through the task's.
            members = {"cities": [cities[slug] for slug in row.get("cities", [])] or task_cities}
        except KeyError as error:
            raise PlanFileError(
                _("project %(label)s: %(key)s is missing or unknown")
                % {"label": label, "key": error}
            ) from error
        outside = set(members["cities"]) - set(task_cities)
        if outside:
            raise PlanFileError(
                _("project %(label)s: %(cities)s does not take part in the project's task.")
                % {"label": label, "cities": _(", ").join(city.name for city in outside)}
            )
        self.sync(Project, lookup, values, members, label=label)


class Command(BaseCommand):
    help = "Load a year's work plan from fixtures/plan_YEAR.toml; never changes existing rows."

    def add_arguments(self, parser) -> None:
        parser.add_argument("year", type=int)
        parser.add_argument(
            "--add-missing",
            action="store_true",
            help="Also create rows the file has and an existing plan lacks.",
        )

    def handle(self, *args, year: int, add_missing: bool, **options) -> None:
        path = FIXTURES / f"plan_{year}.toml"
        geography = read_toml(FIXTURES / "geography.toml")
        data = read_toml(path)
        if data.get("plan", {}).get("year") != year:
            raise CommandError(
                _("%(path)s is not the plan for %(year)d.") % {"path": path.name, "year": year}
            )
        loader = Loader(create=add_missing or not Plan.objects.filter(year=year).exists())
        try:
            with transaction.atomic():
                loader.load(geography, data)
        except KeyError as error:
            raise CommandError(
                _("%(path)s: %(key)s is missing or unknown; nothing was loaded.")
                % {"path": path.name, "key": error}
            ) from error
        except PlanFileError as error:
            raise CommandError(
                _("%(path)s: %(error)s; nothing was loaded.") % {"path": path.name, "error": error}
            ) from error
        self.report(loader, year)

    def report(self, loader: Loader, year: int) -> None:
        self.stdout.write(
            _("Plan %(year)d: %(created)d rows created, %(unchanged)d already as in the file.")
            % {"year": year, "created": loader.created, "unchanged": loader.unchanged}
        )
        if loader.missing:
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "%(count)d rows of the file are not in the database (deleted or renamed "
                        "by staff?) and were not recreated; --add-missing would add them:"
                    )
                    % {"count": len(loader.missing)}
                )
            )
            for label in loader.missing:
                self.stdout.write(f"  {label}")
        for obj, fields in loader.differing:
            self.stdout.write(
                self.style.WARNING(
                    _("Kept as it is, differs from the file in %(fields)s: %(object)s")
                    % {"fields": ", ".join(fields), "object": obj}
                )
            )
