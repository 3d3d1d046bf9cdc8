"""The one rule for stored texts: no control character and nothing XML cannot hold, on every
text field of the project's models, whichever path writes it."""

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from plan.forms import CONTROL_CHARACTERS, PlainText
from tasks.models import Task
from tests.builders import make_area, make_plan, make_task

REFUSED = ["\x00", "\x0b", "\x1f", "\x7f", "\x85", "\ufffe", "\uffff", "\ud800"]
KEPT = ["\t", "\n", "\r", "中文", "\u3000", "\ufffd", "😀"]


def text_fields():
    for model in apps.get_models():
        if model._meta.app_label in settings.PROJECT_APPS:
            for field in model._meta.local_fields:
                if isinstance(field, models.CharField | models.TextField):
                    yield field


def test_every_text_field_of_the_projects_models_refuses_what_xml_cannot_hold():
    missing = [
        f"{field.model.__name__}.{field.name}"
        for field in text_fields()
        if not any(isinstance(validator, PlainText) for validator in field.validators)
    ]
    assert missing == []
    assert len(list(text_fields())) > 40


@pytest.mark.parametrize("character", REFUSED)
def test_the_refused_characters(character):
    assert CONTROL_CHARACTERS.search(f"a{character}b")


@pytest.mark.parametrize("character", KEPT)
def test_the_characters_kept(character):
    assert not CONTROL_CHARACTERS.search(f"a{character}b")


def test_a_task_title_with_u_ffff_is_refused_naming_the_field(db, zhengzhou):
    task = make_task(make_area(make_plan()), 1, "10", [zhengzhou])
    task.title = "轨道\uffff"
    with pytest.raises(ValidationError) as refused:
        task.full_clean()
    assert refused.value.message_dict["title"] == [
        "标题含有控制字符（例如 Word 中 Shift+Enter 粘贴的换行符），请删除后重新保存。"
    ]
    assert Task.objects.get().title != "轨道\uffff"


def test_stored_texts_lose_what_xml_cannot_hold_when_migrated(db, zhengzhou):
    from importlib import import_module

    migration = import_module("bulletins.migrations.0002_texts_without_what_xml_cannot_hold")
    task = make_task(make_area(make_plan()), 1, "10", [zhengzhou], title="轨道")
    Task.objects.filter(pk=task.pk).update(title="轨\ufffe道\x0b交通\uffff")
    migration.strip_characters(apps, None)
    task.refresh_from_db()
    assert task.title == "轨道交通"
