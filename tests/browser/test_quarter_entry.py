import pytest
from axe_playwright_python.sync_playwright import Axe
from django.apps import apps
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from investment.models import ProgressReport
from plan.models import Reporter
from plan.roles import REPORTER, sync_roles
from tests.browser.conftest import screenshot
from tests.builders import make_allocation, make_area, make_plan, make_report, make_task

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def kaifeng_reporter(django_user_model, kaifeng, zhengzhou):
    # Live-server tests flush the database between tests, taking the migration-made roles.
    sync_roles(apps)
    task = make_task(make_area(make_plan()), 1, "100", [zhengzhou, kaifeng], title="轨道")
    make_allocation(task, kaifeng, "40")
    make_report(task, kaifeng, 1, "7.25", ProgressReport.Status.APPROVED)
    user = django_user_model.objects.create_user("kf", password="kf-password", is_staff=True)
    user.groups.add(Group.objects.get(name=REPORTER))
    Reporter.objects.create(user=user, city=kaifeng)
    return user


def sign_in(page, live_server):
    """The Kaifeng reporter signs in to the admin."""
    page.goto(live_server.url + "/admin/login/")
    page.fill("#id_username", "kf")
    page.fill("#id_password", "kf-password")
    page.click("input[type=submit]")
    return page


def test_kaifeng_reporter_fills_the_quarter_on_one_screen(
    browser_page, live_server, kaifeng_reporter
):
    page = sign_in(browser_page, live_server)
    page.goto(live_server.url + "/admin/investment/progressreport/quarter/?quarter=2")
    expect(page.locator("h1")).to_contain_text("季度填报：开封")
    page.fill("input[name='rows-0-cumulative']", "10")
    expect(page.locator("input[name='rows-0-amount']")).to_have_attribute("placeholder", "= 2.7500")
    screenshot(page, "quarter-entry")
    assert serious_violations(page) == []
    page.click("input[name='_submit']")
    expect(page.locator(".messagelist")).to_contain_text("已报送 1 行")
    report = ProgressReport.objects.get(quarter=2)
    assert (str(report.amount), report.status) == ("2.7500", ProgressReport.Status.SUBMITTED)
    assert page.errors == []


def serious_violations(page) -> list[str]:
    """What axe-core finds serious or critical on the page, one line each."""
    results = Axe().run(page)
    return [
        f"{violation['id']}: {[node['target'] for node in violation['nodes']]}"
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def test_the_sheet_and_the_import_pass_axe_and_fit_1366_px_in_chinese_and_english(
    browser_page, live_server, kaifeng_reporter
):
    page = sign_in(browser_page, live_server)
    page.set_viewport_size({"width": 1366, "height": 900})
    for language in ("zh-hans", "en"):
        page.context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        for path in ("quarter/?quarter=2", "import/"):
            page.goto(f"{live_server.url}/admin/investment/progressreport/{path}")
            assert serious_violations(page) == [], (language, path)
            # A laptop's 1366 px hold the sheet beside the admin's sidebar, without scrolling.
            assert page.evaluate("document.documentElement.scrollWidth") <= 1366, language
