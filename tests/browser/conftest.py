"""Playwright driving the system Chromium against pytest-django's live server.

Nothing is downloaded: the tests use /usr/bin/chromium (Debian's package) and skip with the
reason when it is absent. Screenshots land in test-artifacts/ for a person to look at.
"""

import os
from pathlib import Path

import pytest
from django.apps import apps
from pytest_django.plugin import blocking_manager_key

from people.roles import sync_roles

SERIOUS = ("serious", "critical")
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# The live server's ORM calls run while Playwright's event loop is alive in this thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        reason = "Chromium is not installed: apt-get install chromium fonts-noto-cjk"
        if os.environ.get("CI"):
            pytest.fail(reason)  # CI installs it; a skip there would hide a broken set-up.
        pytest.skip(reason)
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A live-server test ends by flushing the database, the roles' groups with it, which the
    session made once and the tests after it in this worker expect: made again once every
    fixture of the test, the flush included, is torn down. After the worker's last test the
    test database is gone already, and nothing follows that needs them."""
    result = yield
    if "live_server" in item.fixturenames and nextitem is not None:
        with item.config.stash[blocking_manager_key].unblock():
            sync_roles(apps)
    return result


@pytest.fixture(autouse=True)
def public_dashboard(settings):
    # The pages' sign-in is tested with the test client; here the browser reads them directly.
    settings.DASHBOARD_PUBLIC = True


@pytest.fixture
def browser_page(browser):
    """A fresh page whose console errors are collected in `page.errors`, and whose
    Content-Security-Policy violations in `csp_violations(page)`."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    # Injected by the browser itself, so the strict policy does not block it.
    context.add_init_script(
        "window.__csp = [];"
        "document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    page = context.new_page()
    page.errors = []
    page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    yield page
    context.close()


def csp_violations(page) -> list[str]:
    return page.evaluate("window.__csp")


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_violations(page, contrast: bool = True) -> list[str]:
    """What axe-core finds serious or critical on the page: rule id, impact and the elements,
    one line per rule. A context made with `with_axe` has it loaded already.

    `contrast=False` leaves out the colour-contrast rule, four fifths of axe's time on a page:
    for a page already checked in the other language, whose colours are the same."""
    from axe_playwright_python.base import AXE_SCRIPT

    if not page.evaluate("'axe' in window"):
        page.evaluate(AXE_SCRIPT)
    options = {"resultTypes": ["violations"], "rules": {"color-contrast": {"enabled": contrast}}}
    results = page.evaluate("options => axe.run(options)", options)
    lines = []
    for violation in results["violations"]:
        if violation["impact"] in SERIOUS:
            targets = [node["target"] for node in violation["nodes"]]
            lines.append(f"{violation['id']} ({violation['impact']}): {targets}")
    return lines


def with_axe(context):
    """Loads axe-core into every page of the context as the page starts, which is cheaper than
    sending it after each load."""
    from axe_playwright_python.base import AXE_SCRIPT

    context.add_init_script(AXE_SCRIPT)
    return context
