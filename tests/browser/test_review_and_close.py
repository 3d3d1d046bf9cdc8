"""The office reviews a report and closes the quarter; the reporter then finds her sheet locked.

Each page is screenshotted into test-artifacts/, in Chinese (and English on request).
"""

import os

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from playwright.sync_api import expect

from investment.models import ProgressReport, QuarterClose
from people.models import Reporter
from people.roles import OFFICE, REPORTER, sync_roles
from tests.browser.conftest import screenshot
from tests.builders import make_allocation, make_area, make_plan, make_report, make_task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Status = ProgressReport.Status
REPORTS = "/admin/investment/progressreport/"


@pytest.fixture
def world(django_user_model, zhengzhou, kaifeng):
    """1.1 轨道 in both cities (Kaifeng allocated 40): Kaifeng Q1 7.25 approved, Q2 3
    submitted; 1.2 水网 in Kaifeng, Q2 2 as a draft. An office account and Kaifeng's reporter."""
    sync_roles(apps)  # Live-server tests flush the database, taking the migration-made roles.
    area = make_area(make_plan())
    rail = make_task(area, 1, "100", [zhengzhou, kaifeng], title="轨道")
    water = make_task(area, 2, "100", [kaifeng], title="水网")
    make_allocation(rail, kaifeng, "40")
    make_report(rail, kaifeng, 1, "7.25", Status.APPROVED)
    submitted = make_report(rail, kaifeng, 2, "3", Status.SUBMITTED)
    make_report(water, kaifeng, 2, "2", Status.DRAFT)
    for name, group, city in [("office", OFFICE, None), ("kf", REPORTER, kaifeng)]:
        user = django_user_model.objects.create_user(name, is_staff=True)
        user.groups.add(Group.objects.get(name=group))
        if city:
            Reporter.objects.create(user=user, city=city)
    return submitted


def sign_in(page, live_server, username: str) -> None:
    """Signed in through a session made by the test client: the sign-in form has its own test."""
    page.set_default_timeout(5000)
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )


def screenshots(page, live_server, name: str) -> None:
    """The page in Chinese; in English too when SCREENSHOTS_IN_ENGLISH is set (it costs a
    reload and a screenshot per page, so the suite leaves it out)."""
    screenshot(page, f"{name}-zh")
    if not os.environ.get("SCREENSHOTS_IN_ENGLISH"):
        return
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.reload()
    screenshot(page, f"{name}-en")
    page.context.clear_cookies(name="django_language")
    page.reload()


def test_office_reviews_a_report_from_the_queue_and_its_page(browser_page, live_server, world):
    page = browser_page
    sign_in(page, live_server, "office")
    page.goto(live_server.url + "/admin/?quarter=2")
    screenshots(page, live_server, "review-queue")
    page.get_by_role("link", name="1 条待审核").click()
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    page.locator("#result_list tbody th a").click()
    expect(page.locator(".fieldBox.field-earlier_quarters .readonly")).to_have_text(
        "第1季度：7.25（已审核）"
    )
    expect(page.locator(".fieldBox.field-cumulative_display .readonly")).to_have_text("10.25")
    screenshots(page, live_server, "report-page")
    page.get_by_role("button", name="审核通过").click()
    expect(page.locator(".messagelist")).to_contain_text("已审核通过 1 条填报。")
    # Nothing else awaits review: the office is back at the queue.
    expect(page.locator(".messagelist")).to_contain_text("已无其他待审核的填报。")
    expect(page.locator("#review-queue")).to_be_visible()
    page.goto(f"{live_server.url}/admin/investment/progressreport/{world.pk}/change/")
    expect(page.locator(".fieldBox.field-status .readonly")).to_have_text("已审核")
    page.get_by_role("button", name="退回所在市…").click()
    page.fill("textarea[name=reason]", "附件缺失")
    page.get_by_role("button", name="退回").click()
    expect(page.locator(".messagelist")).to_contain_text("已退回 1 条填报。")
    world.refresh_from_db()
    assert (world.status, world.return_reason) == (Status.RETURNED, "附件缺失")
    assert page.errors == []


def test_office_closes_a_quarter_and_the_reporter_finds_it_locked(browser_page, live_server, world):
    page = browser_page
    sign_in(page, live_server, "office")
    page.goto(live_server.url + "/admin/?quarter=2")
    page.get_by_role("link", name="锁定本季度（已审核完毕）…").click()
    expect(page.locator("h1")).to_have_text("锁定 2021 年第2季度")
    expect(page.locator("tr.cell-draft td").last).to_have_text("开封: 1.2")
    screenshots(page, live_server, "close-confirmation")
    page.get_by_role("button", name="锁定本季度").click()
    expect(page.locator(".errorlist")).to_contain_text(
        "原因：仍有 1 条进度填报和 0 条项目进展待审核"
    )
    assert not QuarterClose.objects.exists()
    page.fill("textarea[name=reason]", "省里要数")
    page.get_by_role("button", name="锁定本季度").click()
    expect(page.locator(".messagelist")).to_contain_text("2021 年第2季度已锁定。")
    sign_in(page, live_server, "kf")
    page.goto(live_server.url + "/admin/investment/progressreport/quarter/?quarter=2")
    expect(page.locator(".closed-notice")).to_contain_text("本表不能再填报或修改")
    expect(page.locator("input[name='rows-0-amount']")).to_be_disabled()
    expect(page.locator("input[name='_submit']")).to_have_count(0)
    screenshots(page, live_server, "locked-sheet")
    assert page.errors == []
