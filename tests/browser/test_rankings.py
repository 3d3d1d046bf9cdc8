import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, csp_violations, screenshot
from tests.builders import LEADER_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_the_rankings_fit_a_phone_and_scroll_their_table(browser_page, live_server, sample_world):
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    response = page.goto(live_server.url + "/2021/rankings/?as_of=2021Q3")
    expect(page.locator("h1")).to_be_visible()
    assert csp_violations(page) == []
    assert "script-src 'self'" in response.headers["content-security-policy"]
    # The page never scrolls sideways; the wide table does, inside its own box.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    scroller = page.locator(".table-scroll").first
    assert scroller.evaluate("box => box.scrollWidth > box.clientWidth")
    screenshot(page, "rankings-phone")
    page.goto(live_server.url + "/2021/?as_of=2021Q3")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    compact = page.locator(".rankings-compact")
    # The compact table needs no sideways scroll at all.
    assert compact.evaluate(
        "table => table.parentElement.scrollWidth <= table.parentElement.clientWidth"
    )
    compact.screenshot(path=str(ARTIFACTS / "overview-ranking-phone.png"))
    assert page.errors == []


@pytest.fixture
def reader(django_user_model):
    """A leader; live-server tests flush the database, the migration-made roles with it."""
    from django.apps import apps
    from django.contrib.auth.models import Group

    from people.roles import VIEWER, sync_roles

    sync_roles(apps)
    user = django_user_model.objects.create_user("leader", password=LEADER_PASSWORD)
    user.groups.add(Group.objects.get(name=VIEWER))
    return user


def test_the_list_pages_fit_a_laptop_in_english_and_chinese(
    browser_page, live_server, sample_world, reader
):
    page = browser_page
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "leader")
    page.fill("#id_password", LEADER_PASSWORD)
    page.click("main [type=submit]")
    for language in ("en", "zh-hans"):
        page.context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        for path in ("projects/", "problems/", "rankings/"):
            page.goto(f"{live_server.url}/2021/{path}?as_of=2021Q3")
            expect(page.locator("h1")).to_be_visible()
            # Every column in view: no table scrolls sideways on a 1366 px laptop.
            widths = page.locator(".table-scroll").evaluate_all(
                "boxes => boxes.map(box => box.scrollWidth - box.clientWidth)"
            )
            assert widths and max(widths) <= 0, (language, path, widths)
    assert page.errors == []
