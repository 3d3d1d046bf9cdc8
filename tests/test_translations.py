"""The committed catalogues are complete and compiled, so no gettext is needed at run time."""

from pathlib import Path

import polib
import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
def test_compiled_catalogue_matches_its_source(language):
    po = polib.pofile(LOCALE / language / "LC_MESSAGES" / "django.po")
    mo = polib.mofile(LOCALE / language / "LC_MESSAGES" / "django.mo")
    compiled = {(entry.msgctxt, entry.msgid): translation(entry) for entry in mo}
    for entry in po.translated_entries():
        assert compiled.get((entry.msgctxt, entry.msgid)) == translation(entry), entry.msgid


def translation(entry) -> tuple[str, dict[int, str]]:
    """An entry's text, or each of its plural forms (polib keys them by str in one file kind
    and by int in the other)."""
    return entry.msgstr, {int(form): text for form, text in entry.msgstr_plural.items()}


def test_every_chinese_string_is_translated():
    po = polib.pofile(LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po")
    assert [entry.msgid for entry in po.untranslated_entries()] == []
    assert [entry.msgid for entry in po.fuzzy_entries()] == []


# Where English keeps 亿元 on purpose: the Chinese column and sheet names a file must carry, and
# the 万元/亿元 arithmetic told to someone who typed one for the other.
KEPT_CHINESE_UNIT = ("完成投资(亿元)", "1 亿元 = 10000 万元", "亿元;")


def test_english_words_the_unit_one_way():
    po = polib.pofile(LOCALE / "en" / "LC_MESSAGES" / "django.po")
    shown = []
    for entry in po:
        english = entry.msgstr or entry.msgstr_plural.get(0) or entry.msgid
        if "亿元" in english and not any(kept in english for kept in KEPT_CHINESE_UNIT):
            shown.append(entry.msgid)
    assert shown == []
    assert all("hundred million" not in (entry.msgstr or "") for entry in po)
