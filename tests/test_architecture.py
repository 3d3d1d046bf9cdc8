"""Apps depend one way, investment -> tasks -> plan, so each can be read without the next;
zzmetro/ (settings, urls, the admin site) may import the apps, and none of them imports it."""

import ast
from pathlib import Path

import pytest
from django.conf import settings

FORBIDDEN = {
    "plan": {"tasks", "investment", "zzmetro"},
    "tasks": {"investment", "zzmetro"},
    "investment": {"zzmetro"},
}


def imported_apps(app: str) -> dict[str, set[str]]:
    found = {}
    for path in (Path(settings.BASE_DIR) / app).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], set()).add(str(path.name))
    return found


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_app_does_not_import_the_apps_that_build_on_it(app):
    imports = imported_apps(app)
    assert {name: imports[name] for name in FORBIDDEN[app] if name in imports} == {}
