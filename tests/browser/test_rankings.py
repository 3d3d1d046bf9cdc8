import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, csp_violations, screenshot

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
    screenshot(page, "rankings-phone")
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
