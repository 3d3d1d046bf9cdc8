"""Backup and restore: pg_dump a database, pg_restore it elsewhere, and compare every figure.

Run by .ci/run. Builds a source database with the 2021 plan and the sample data, dumps it
with `pg_dump -Fc` as the README's backup does, restores it into a fresh database with
`pg_restore`, and checks that the figures of every page and quarter are identical.
Usage: python bench/restore_check.py
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SERVER = os.environ.get("RESTORE_SERVER_URL", "postgres://postgres@127.0.0.1:5432")
SOURCE = f"zzmetro_restore_source_{os.getpid()}"
TARGET = f"zzmetro_restore_target_{os.getpid()}"
os.environ["DATABASE_URL"] = f"{SERVER}/{SOURCE}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zzmetro.settings")


def admin(*statements: str) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        for statement in statements:
            connection.execute(statement)


admin(f'DROP DATABASE IF EXISTS "{SOURCE}"', f'CREATE DATABASE "{SOURCE}"')

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402

from bulletins.content import content  # noqa: E402
from figures.rollups import Figures, scope  # noqa: E402
from plan.models import City, Plan  # noqa: E402
from tasks.models import Project  # noqa: E402


def figures() -> list:
    """Every figure the pages show for the 2021 plan, at every quarter, in a comparable form."""
    plan = Plan.objects.get(year=2021)
    projects = Project.objects.of_plan(plan).order_by("pk")
    found = []
    for as_of in range(1, 5):
        for approved in (False, True):
            page = scope(Figures(plan, as_of, approved), plan)
            found.append((as_of, approved, page.total, page.excluded))
            found += [(row.task.code, row.progress) for row in page.tasks]
            found += [(row.area.number, row.progress, row.excluded) for row in page.areas]
            found += [(row.city.slug, row.progress) for row in page.cities]
            found += [(row.corridor.slug, row.progress) for row in page.corridors]
            found.append(("projects", page.projects))
            found += [(row.project.pk, row) for row in page.figures.project_rows(projects)]
            # The rankings and the bulletin's text, which state the figures again.
            found.append(("rankings", page.figures.rankings()))
            found.append(("bulletin", content(page.figures)))
            for city in City.objects.all():
                found += [(city.slug, r.progress) for r in scope(Figures(plan, as_of), city).tasks]
    return found


def use(database: str) -> None:
    connections.close_all()
    connections["default"].settings_dict["NAME"] = database


def main() -> int:
    call_command("migrate", verbosity=0)
    call_command("load_plan", "2021", verbosity=0)
    call_command("load_sample_data", "2021", verbosity=0)
    before = figures()
    connections.close_all()
    with tempfile.TemporaryDirectory() as folder:
        dump = Path(folder) / "zzmetro.dump"
        subprocess.run(["pg_dump", "-Fc", "-f", str(dump), f"{SERVER}/{SOURCE}"], check=True)
        admin(f'DROP DATABASE IF EXISTS "{TARGET}"', f'CREATE DATABASE "{TARGET}"')
        subprocess.run(
            ["pg_restore", "--no-owner", "-d", f"{SERVER}/{TARGET}", str(dump)], check=True
        )
    use(TARGET)
    after = figures()
    connections.close_all()
    admin(f'DROP DATABASE "{SOURCE}"', f'DROP DATABASE "{TARGET}"')
    if after != before:
        changed = [(b, a) for b, a in zip(before, after, strict=False) if a != b][:5]
        print(f"PROBLEM: the restored figures differ, e.g. {changed}")
        return 1
    print(f"Restored from pg_dump: {len(before)} figures identical.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
