"""On a 390 px phone every page type shows all its figures (tables become cards), and the
cumulative chart starts at zero, names its unit and stops at the as-of quarter."""

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from people.roles import VIEWER, sync_roles
from plan.models import Unit
from problems.models import Problem
from tasks.models import Project
from tests.browser.conftest import screenshot
from tests.builders import make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The cells that reach past the right edge of the screen, or are squeezed to nothing.
CUT_OFF = """() => [...document.querySelectorAll("main table td, main table th")]
  .filter((cell) => cell.offsetParent !== null && !cell.closest("thead"))
  .filter((cell) => { const box = cell.getBoundingClientRect();
    return box.right > window.innerWidth + 1 || box.width < 20; })
  .map((cell) => cell.textContent.trim().slice(0, 30))"""

# The captions narrower than their table: a table turned into cards once left its caption
# one word (in Chinese one character) a line.
NARROW_CAPTIONS = """() => [...document.querySelectorAll("main table caption")]
  .filter((caption) => caption.offsetParent !== null && caption.getBoundingClientRect().width
    < 0.9 * caption.closest("table").getBoundingClientRect().width)
  .map((caption) => caption.textContent.trim().slice(0, 30))"""

QUARTERS_CHART = """() => {
  const chart = Chart.getChart(document.querySelector("canvas[data-chart=quarters]"));
  return { min: chart.scales.y.min, unit: chart.options.scales.y.title.text,
           completed: chart.data.datasets[0].data }; }"""


@pytest.fixture
def reader(sample_world):
    """A leader: the problem pages are for signed-in users only."""
    sync_roles(apps)  # Live-server tests flush the database, taking the migration-made roles.
    return make_member("leader", VIEWER)


def test_every_page_type_shows_its_figures_on_a_phone(browser, live_server, sample_world, reader):
    project = Project.objects.order_by("pk").first()
    problem = Problem.objects.order_by("pk").first()
    unit = Unit.objects.order_by("pk").first()
    client = Client()
    client.force_login(reader)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    pages = {
        "overview": "/2021/?as_of=2021Q2",
        "area": "/2021/areas/2/?as_of=2021Q2",
        "city": "/2021/cities/kaifeng/?as_of=2021Q2",
        "corridor": "/2021/corridors/yellow-river/?as_of=2021Q2",
        "task": "/2021/tasks/2.2/?as_of=2021Q2",
        "projects": "/2021/projects/?as_of=2021Q2",
        "project": f"/2021/projects/{project.pk}/?as_of=2021Q2",
        "unit": f"/2021/units/{unit.pk}/?as_of=2021Q2",
        "problems": "/2021/problems/",
        "problem": f"/2021/problems/{problem.pk}/",
    }
    context = browser.new_context(locale="en-GB", viewport={"width": 390, "height": 844})
    context.add_cookies(
        [
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url},
            {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url},
        ]
    )
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    for name, url in pages.items():
        page.goto(live_server.url + url)
        expect(page.locator("h1")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
        assert page.evaluate(CUT_OFF) == [], name
        assert page.evaluate(NARROW_CAPTIONS) == [], name
        screenshot(page, f"phone-{name}-en")
    # The area table's figures, as a card on the phone: label and value, both visible.
    page.goto(live_server.url + "/2021/?as_of=2021Q2")
    card = page.locator("#areas-heading + .chart + .table-scroll tbody tr").first
    expect(card.locator("td[data-label^='Completed']")).to_be_visible()
    expect(card.locator("td[data-label='Pace'] .pace")).to_be_visible()
    quarters = page.locator("canvas[data-chart=quarters]")
    quarters.scroll_into_view_if_needed()  # Drawn as it comes into view.
    expect(quarters).to_have_attribute("data-drawn", "true")
    chart = page.evaluate(QUARTERS_CHART)
    assert chart["min"] == 0
    assert chart["unit"] == "100 million yuan"
    assert chart["completed"][2:] == [None, None]
    assert errors == []
    context.close()
