"""The apps depend one way, each only on those listed before it in settings.PROJECT_APPS:
plan ← people ← tasks ← investment ← problems ← figures ← {exports, bulletins, dashboard} ←
zzmetro; demo may use them all, and nothing uses demo. So each app reads without the next.

An app leans on another by importing it, and also by a query that follows a relation the
other app's models declare (`task.problems`, `filter(project_updates__…)`) or by walking
`_meta.related_objects`; all three are checked. Inside an app, modules import each other
without a cycle.
"""

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

# The dashboard's readers (pages, files, bulletins) build on the figures side by side.
SIBLINGS = {"exports", "bulletins", "dashboard"}
SHELL, SAMPLE = "zzmetro", "demo"
ORDER = [*settings.PROJECT_APPS, SHELL]


def may_use(app: str, other: str) -> bool:
    if app == other or app == SAMPLE or (app == SHELL and other != SAMPLE):
        return True
    if other in (SAMPLE, SHELL) or (app in SIBLINGS and other in SIBLINGS):
        return False
    return ORDER.index(other) < ORDER.index(app)


def sources(app: str):
    for path in sorted((Path(settings.BASE_DIR) / app).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path, ast.parse(path.read_text(encoding="utf-8"))


def imported(tree: ast.AST, module: str) -> set[str]:
    """The modules `tree` (the module `module`) imports, relative imports resolved."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = module.split(".")[: -node.level] if node.level else []
            name = ".".join([*base, node.module] if node.module else base)
            found.add(name)
            found |= {f"{name}.{alias.name}" for alias in node.names}
    return found


def module_name(path: Path) -> str:
    parts = path.relative_to(settings.BASE_DIR).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def reverse_names(app: str) -> dict[str, str]:
    """The relation names that models of apps `app` may not use add to other models (with the
    app that declares each): following one from `app` leans on that app."""
    fields: dict[str, set[str]] = {}
    for model in apps.get_models():
        if model._meta.app_label in ORDER:
            # Its own fields, not the reverse relations other models add to it.
            fields.setdefault(model._meta.app_label, set()).update(
                field.name
                for field in model._meta.get_fields()
                if field.concrete or not field.auto_created
            )
    known = set().union(*(names for label, names in fields.items() if may_use(app, label)))
    found = {}
    for model in apps.get_models():
        declared = model._meta.app_label
        if declared not in ORDER or may_use(app, declared):
            continue
        for field in model._meta.get_fields():
            if field.is_relation and not field.auto_created and field.related_model:
                for name in (field.related_query_name(), field.remote_field.get_accessor_name()):
                    if name and not name.endswith("+") and name not in known:
                        found[name] = declared
    return found


def lookups(tree: ast.AST) -> set[str]:
    """Every ORM lookup-like name in `tree`: keyword arguments, strings, attribute names."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg:
            found |= set(node.arg.split("__"))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value.isidentifier() or "__" in node.value:
                found |= set(node.value.lstrip("-").split("__"))
        elif isinstance(node, ast.Attribute):
            found.add(node.attr)
    return found


@pytest.mark.parametrize("app", ORDER)
def test_an_app_imports_only_the_apps_it_builds_on(app):
    leaning = {
        f"{path.relative_to(settings.BASE_DIR)} imports {name}"
        for path, tree in sources(app)
        for name in imported(tree, module_name(path))
        if name.split(".")[0] in ORDER and not may_use(app, name.split(".")[0])
    }
    assert sorted(leaning) == []


@pytest.mark.parametrize("app", ORDER)
def test_an_app_follows_no_relation_that_an_app_above_it_declares(app):
    names = reverse_names(app)
    leaning = {
        f"{path.relative_to(settings.BASE_DIR)} follows {name} ({names[name]})"
        for path, tree in sources(app)
        for name in lookups(tree) & set(names)
    }
    assert sorted(leaning) == []


@pytest.mark.parametrize("app", [app for app in ORDER if app not in (SHELL, SAMPLE)])
def test_an_app_walks_no_reverse_relation_it_does_not_know(app):
    walking = {
        str(path.relative_to(settings.BASE_DIR))
        for path, tree in sources(app)
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr in ("related_objects", "get_fields")
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "_meta"
    }
    assert sorted(walking) == []


@pytest.mark.parametrize("app", ORDER)
def test_the_modules_of_an_app_import_each_other_without_a_cycle(app):
    graph = {module_name(path): imported(tree, module_name(path)) for path, tree in sources(app)}
    # (A package naming its own modules, `from investment.admin import reports`, is no cycle.)
    graph = {
        module: {name for name in names if name in graph and name != module}
        for module, names in graph.items()
    }

    def reached(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            for name in graph[todo.pop()] - seen:
                seen.add(name)
                todo.append(name)
        return seen

    # An import from a to b closes a cycle when b leads back to a.
    cycles = {f"{a} → {b} → … → {a}" for a in graph for b in graph[a] if a in reached(b)}
    assert sorted(cycles) == []
