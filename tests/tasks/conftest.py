"""What the tests of loading plan files share: a fixtures folder of their own."""

from pathlib import Path

import pytest
from django.conf import settings


@pytest.fixture
def fixtures_dir(tmp_path, monkeypatch):
    from tasks.management.commands import load_plan

    geography = Path(settings.BASE_DIR) / "fixtures" / "geography.toml"
    (tmp_path / "geography.toml").write_text(geography.read_text(encoding="utf-8"))
    monkeypatch.setattr(load_plan, "FIXTURES", tmp_path)
    return tmp_path
