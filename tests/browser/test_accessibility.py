"""axe-core on every page type and on the admin screens people work in, in both languages.

The pages are lists of addresses: a new page type is one more line. Each language reads them
all in one browser page, on one small world built once a test.
"""

from datetime import timedelta
from itertools import groupby
from operator import itemgetter

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils.timezone import localdate

from bulletins.content import content, frozen
from bulletins.models import Bulletin
from figures.rollups import Figures
from investment.models import ProgressReport, ProjectPhoto, QuarterClose
from people.roles import OFFICE, REPORTER, UNIT_CONTACT, sync_roles
from plan.models import Unit
from problems.models import Problem, ProblemAttachment
from tasks.models import Project
from tests.browser.conftest import axe_violations, with_axe
from tests.builders import (
    make_member,
    make_project,
    make_report,
    make_update,
    make_world,
    raise_problem,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
LANGUAGES = ("zh-hans", "en")

# Every public page type; {project}, {unit}, {problem} and {update} are the world's.
# The home page redirects to the plan overview, so it is that page.
PAGES = [
    "/accounts/login/",
    "/2021/?as_of=2021Q2",
    "/2021/areas/1/?as_of=2021Q2",
    "/2021/cities/kaifeng/?as_of=2021Q2",
    "/2021/corridors/belt/?as_of=2021Q2",
    "/2021/tasks/1.1/?as_of=2021Q2",
    "/2021/projects/",
    "/2021/projects/{project}/",
    "/2021/units/{unit}/",
    "/2021/problems/",
    "/2021/problems/{problem}/",
    "/2021/rankings/?as_of=2021Q2",
    "/2021/bulletins/",
    "/2021/bulletin/?as_of=2021Q2",
    "/opendata/",
]

# Read at 390 px too: there the tables scroll sideways in their boxes.
PHONE_PAGES = [
    "/2021/?as_of=2021Q2",
    "/2021/rankings/?as_of=2021Q2",
    "/2021/bulletin/?as_of=2021Q2",
]
PHONE = {"width": 390, "height": 844}

# The admin screens, each as the account that works in it.
ADMIN = "/" + settings.ADMIN_PATH
ADMIN_SCREENS = [
    ("kf", ADMIN + "investment/progressreport/quarter/?quarter=2"),
    ("kf", ADMIN + "investment/progressreport/import/"),
    ("kf", ADMIN + "investment/projectupdate/{update}/change/"),
    ("zg", ADMIN + "problems/problem/{problem}/change/"),  # The unit's answer form.
    ("office", ADMIN + "?quarter=2"),  # The review queue and the coverage grid.
    ("office", ADMIN + "problems/problem/{problem}/change/"),  # The office's steps.
    ("office", ADMIN + "bulletins/bulletin/add/"),  # 下步工作, and the issue button.
]


@pytest.fixture
def world(zhengzhou, kaifeng) -> dict:
    """The builders' small world with two reports, a project led by a unit with an update and
    its photo, a problem assigned to the unit with a photo, and the three accounts."""
    sync_roles(apps)  # Live-server tests flush the database, taking the migration-made roles.
    rail = make_world(zhengzhou, kaifeng).rail
    make_report(rail, kaifeng, 1, "7.25", ProgressReport.Status.APPROVED)
    make_report(rail, kaifeng, 2, "3", ProgressReport.Status.SUBMITTED)
    unit = Unit.objects.create(name="郑州市自然资源和规划局", short_name="郑州资规局", kind="other")
    project = make_project(
        rail, "郑开城际铁路延长线工程", Project.Goal.COMPLETE, [zhengzhou, kaifeng], lead_unit=unit
    )
    update = make_update(project, kaifeng, 2, Project.Stage.CONSTRUCTION, "桥梁下部结构完成 80%")
    ProjectPhoto.objects.create(update=update, image="p.jpg", width=4, height=3, caption="架梁")
    deadline = localdate() + timedelta(days=10)
    problem = raise_problem(rail, kaifeng, "用地指标不足", Problem.Status.ASSIGNED, unit, deadline)
    ProblemAttachment.objects.create(entry=problem.entries.get(), image="a.jpg", width=4, height=3)
    office = make_member("office", OFFICE)
    # The second quarter's bulletin, issued: anyone reading the pages reads it.
    QuarterClose.close(rail.area.plan, 2, office)
    bulletin = Bulletin.objects.create(plan=rail.area.plan, quarter=2, next_steps="加快推进。")
    bulletin.issue(office, frozen(content(Figures(rail.area.plan, 2), bulletin.next_steps)))
    make_member("kf", REPORTER, city=kaifeng)
    make_member("zg", UNIT_CONTACT, unit=unit)
    return {"project": project.pk, "unit": unit.pk, "problem": problem.pk, "update": update.pk}


def signed_in_as(page, live_server, username: str) -> None:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    page.context.clear_cookies(name=settings.SESSION_COOKIE_NAME)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def language_page(browser, live_server, language: str):
    context = with_axe(browser.new_context(viewport={"width": 1280, "height": 900}))
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(5000)
    return page


# Charts whose canvas has no name, or is not described by the caption of a table (its figures).
UNDESCRIBED_CHARTS = """() => [...document.querySelectorAll("canvas")].filter(canvas =>
    canvas.getAttribute("role") !== "img" || !canvas.getAttribute("aria-label")
    || !document.getElementById(canvas.getAttribute("aria-describedby"))?.matches("table caption")
).map(canvas => canvas.dataset.chart)"""


def violations_on(page, url: str, label: str, contrast: bool) -> list[str]:
    response = page.goto(url)
    assert response.ok, (label, response.status)
    found = [f"{label}: {line}" for line in axe_violations(page, contrast)]
    charts = page.evaluate(UNDESCRIBED_CHARTS)
    return found + ([f"{label}: charts without a text alternative: {charts}"] if charts else [])


# One test per language, so that the two run side by side on two cores.
@pytest.mark.parametrize("language", LANGUAGES)
def test_no_page_has_a_serious_accessibility_violation_in_the_language(
    browser, live_server, world, language
):
    found = []
    page = language_page(browser, live_server, language)
    # Colours do not change with the language or the width: contrast is checked once.
    contrast = language == LANGUAGES[0]
    for path in PAGES:
        path = path.format(**world)
        found += violations_on(page, live_server.url + path, f"{language} {path}", contrast)
    page.set_viewport_size(PHONE)
    for path in PHONE_PAGES:
        label = f"{language} 390px {path}"
        found += violations_on(page, live_server.url + path, label, contrast=False)
    page.context.close()
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_admin_screen_has_a_serious_accessibility_violation_in_the_language(
    browser, live_server, world, language
):
    found = []
    page = language_page(browser, live_server, language)
    contrast = language == LANGUAGES[0]
    for username, screens in groupby(ADMIN_SCREENS, key=itemgetter(0)):
        signed_in_as(page, live_server, username)
        for _, path in screens:
            path = path.format(**world)
            label = f"{language} {username} {path}"
            found += violations_on(page, live_server.url + path, label, contrast)
    page.context.close()
    assert found == [], "\n".join(found)
