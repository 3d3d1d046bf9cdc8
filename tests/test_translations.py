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
    compiled = {(entry.msgctxt, entry.msgid): entry.msgstr for entry in mo}
    for entry in po.translated_entries():
        if not entry.msgid_plural:
            assert compiled.get((entry.msgctxt, entry.msgid)) == entry.msgstr, entry.msgid


def test_every_chinese_string_is_translated():
    po = polib.pofile(LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po")
    assert [entry.msgid for entry in po.untranslated_entries()] == []
    assert [entry.msgid for entry in po.fuzzy_entries()] == []
