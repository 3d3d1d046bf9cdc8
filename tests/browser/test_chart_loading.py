"""The overview draws each chart only when it comes near the screen (issue 25: drawing all four
at load blocked a phone's main thread for 0.7 s), and every chart once scrolled to."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import csp_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHARTS = ["problems", "areas", "cities", "quarters"]

# Once the page has loaded and the browser has had an idle moment, which charts Chart.js has.
DRAWN = """async () => {
  await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  await new Promise((done) => requestIdleCallback(done, { timeout: 500 }));
  return [...document.querySelectorAll("canvas[data-chart]")]
    .filter((canvas) => Chart.getChart(canvas)).map((canvas) => canvas.dataset.chart);
}"""

FAR_BELOW = """() => [...document.querySelectorAll("canvas[data-chart]")]
  .filter((canvas) => canvas.getBoundingClientRect().top > 2 * innerHeight)
  .map((canvas) => canvas.dataset.chart)"""


def test_charts_are_drawn_as_they_are_scrolled_to_on_a_phone(
    browser_page, live_server, sample_world
):
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/2021/")
    assert [name for name in CHARTS if name in page.evaluate(FAR_BELOW)] == CHARTS
    assert page.evaluate(DRAWN) == []
    for position, name in enumerate(CHARTS):
        canvas = page.locator(f"canvas[data-chart={name}]")
        canvas.scroll_into_view_if_needed()
        expect(canvas).to_have_attribute("data-drawn", "true")
        # Drawn by Chart.js, and the charts further down still wait for the reader.
        assert page.evaluate(DRAWN) == CHARTS[: position + 1]
    assert page.errors == []
    assert csp_violations(page) == []


def test_printing_draws_the_charts_not_yet_scrolled_to(browser_page, live_server, plan_2021):
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/2021/")
    assert page.evaluate(DRAWN) == []
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert page.evaluate(DRAWN) == CHARTS
    assert page.errors == []
