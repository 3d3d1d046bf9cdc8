"""The suite builds its tables from the models (--no-migrations); the migrations must describe
the same models. .ci/run applies them on PostgreSQL, from nothing (bench/restore_check.py) and
over a database the code before the apps moved built (bench/migrate_check.py)."""

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_the_migrations_describe_the_models_as_they_are(settings):
    settings.MIGRATION_MODULES = {}
    out = StringIO()
    # Exits with status 1, failing the test, when a model differs from its migrations.
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert out.getvalue() == "No changes detected\n"
