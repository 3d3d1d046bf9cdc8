"""Any change to an account changes the figures' version, in the database itself.

Signed-in users are kept under the version (investment/backends.py). Signals would miss
QuerySet.update(), bulk_update() and SQL typed in dbshell, and a deactivated account must
never keep reading; a trigger sees them all. Signing in only stamps last_login, which is left
out so that it does not clear every cached figure.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import migrations

VERSION_TABLE = "investment_figuresversion"
NEW_VERSION = {
    "postgresql": "floor(random() * 4611686018427387904)::bigint + 1",
    "sqlite": "abs(random() % 4611686018427387904) + 1",
}


def watched(apps) -> tuple[str, list[str]]:
    user = apps.get_model(settings.AUTH_USER_MODEL)
    columns = [field.column for field in user._meta.concrete_fields if field.name != "last_login"]
    return user._meta.db_table, columns


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor not in NEW_VERSION:
        raise ImproperlyConfigured(f"zzmetro runs on PostgreSQL or SQLite, not {vendor}")
    table, columns = watched(apps)
    quoted = ", ".join(schema_editor.quote_name(column) for column in columns)
    if vendor == "postgresql":
        schema_editor.execute(f"""
            CREATE FUNCTION zzmetro_account_changed() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                INSERT INTO {VERSION_TABLE} (id, version) VALUES (1, {NEW_VERSION[vendor]})
                ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version;
                RETURN NULL;
            END $$
        """)
        schema_editor.execute(f"""
            CREATE TRIGGER zzmetro_account_changed AFTER UPDATE OF {quoted} OR DELETE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION zzmetro_account_changed()
        """)
    else:
        change = (
            f"INSERT OR REPLACE INTO {VERSION_TABLE} (id, version) "
            f"VALUES (1, {NEW_VERSION[vendor]})"
        )
        schema_editor.execute(
            f"CREATE TRIGGER zzmetro_account_updated AFTER UPDATE OF {quoted} ON {table} "
            f"BEGIN {change}; END"
        )
        schema_editor.execute(
            f"CREATE TRIGGER zzmetro_account_deleted AFTER DELETE ON {table} BEGIN {change}; END"
        )


def drop(apps, schema_editor):
    table, _columns = watched(apps)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS zzmetro_account_changed ON {table}")
        schema_editor.execute("DROP FUNCTION IF EXISTS zzmetro_account_changed()")
    else:
        schema_editor.execute("DROP TRIGGER IF EXISTS zzmetro_account_updated")
        schema_editor.execute("DROP TRIGGER IF EXISTS zzmetro_account_deleted")


class Migration(migrations.Migration):
    dependencies = [
        ("investment", "0008_office_unlocks_logins"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [migrations.RunPython(create, drop)]
