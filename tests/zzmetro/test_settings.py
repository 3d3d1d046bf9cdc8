import pytest
from django.core.exceptions import ImproperlyConfigured

from zzmetro.settings import env_bool, env_list


@pytest.mark.parametrize(("raw", "expected"), [("true", True), ("0", False), (" Yes ", True)])
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("ZZ_FLAG", raw)
    assert env_bool("ZZ_FLAG", not expected) is expected


def test_env_bool_refuses_anything_else(monkeypatch):
    monkeypatch.setenv("ZZ_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="ZZ_FLAG must be true or false"):
        env_bool("ZZ_FLAG", False)


def test_env_list_splits_on_commas(monkeypatch):
    monkeypatch.setenv("ZZ_HOSTS", "a.example, b.example,")
    assert env_list("ZZ_HOSTS", []) == ["a.example", "b.example"]


def test_unset_values_take_the_default(monkeypatch):
    monkeypatch.delenv("ZZ_FLAG", raising=False)
    assert env_bool("ZZ_FLAG", True) is True


@pytest.mark.django_db
def test_migrations_match_the_models():
    from io import StringIO

    from django.core.management import call_command

    call_command("makemigrations", "--check", "--dry-run", stdout=StringIO())


def test_env_int_refuses_a_non_number(monkeypatch):
    from zzmetro.settings import env_int

    monkeypatch.setenv("ZZ_PORT", "twenty-five")
    with pytest.raises(ImproperlyConfigured, match="ZZ_PORT must be a whole number"):
        env_int("ZZ_PORT", 25)
