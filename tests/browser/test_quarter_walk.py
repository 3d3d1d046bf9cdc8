"""A whole quarter as the office, a city and a unit live it, in the browser: the office closes
Q1 with a draft left over, the city submits Q2 all the same, the office returns a row and the
city is told by email and finds it on her home page with the reason, a problem assigned to a
unit reaches its contact by email and on her home page."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.core import mail
from django.utils.timezone import localdate
from playwright.sync_api import expect

from investment.models import ProgressReport, QuarterClose
from people.models import Reporter, UnitContact
from people.roles import OFFICE, REPORTER, UNIT_CONTACT, sync_roles
from plan.models import Unit
from problems.models import Problem
from tests.browser.conftest import screenshot
from tests.browser.test_review_and_close import sign_in
from tests.builders import (
    make_allocation,
    make_area,
    make_plan,
    make_report,
    make_task,
    raise_problem,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
Status = ProgressReport.Status
SHEET = "/admin/investment/progressreport/quarter/"


@pytest.fixture
def world(django_user_model, zhengzhou, kaifeng, settings):
    """1.1 轨道 (Kaifeng 40) and 1.2 水网 in Kaifeng: Q1 1.1 submitted, 1.2 still a draft. The
    office, Kaifeng's reporter and the 交通运输厅's contact, each with an email address."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    sync_roles(apps)  # Live-server tests flush the database, taking the migration-made roles.
    area = make_area(make_plan())
    rail = make_task(area, 1, "100", [kaifeng], title="轨道")
    water = make_task(area, 2, "100", [kaifeng], title="水网")
    make_allocation(rail, kaifeng, "40")
    make_report(rail, kaifeng, 1, "7.25", Status.SUBMITTED)
    make_report(water, kaifeng, 1, "2", Status.DRAFT)
    unit = Unit.objects.create(name="省交通运输厅", kind="province")
    for name, group in [("office", OFFICE), ("kf", REPORTER), ("jtt", UNIT_CONTACT)]:
        user = django_user_model.objects.create_user(
            name, is_staff=True, email=f"{name}@example.cn", first_name=f"{name}的姓名"
        )
        user.groups.add(Group.objects.get(name=group))
        if group == REPORTER:
            Reporter.objects.create(user=user, city=kaifeng)
        if group == UNIT_CONTACT:
            UnitContact.objects.create(user=user, unit=unit)
    return {"rail": rail, "water": water, "unit": unit}


def test_a_quarter_walked_through_by_the_office_a_city_and_a_unit(
    browser_page, live_server, world, kaifeng
):
    page = browser_page
    mail.outbox.clear()
    # The office closes Q1 with Kaifeng's 1.2 still a draft: it must say why.
    sign_in(page, live_server, "office")
    page.goto(f"{live_server.url}/admin/investment/progressreport/close/?year=2021&quarter=1")
    expect(page.locator(".close-rules")).to_contain_text("不妨碍各市报送下一季度")
    page.get_by_role("button", name="锁定本季度").click()
    expect(page.locator(".errorlist")).to_contain_text("1 条为草稿或已退回")
    page.fill("textarea[name=reason]", "按期锁定，开封1.2未报")
    page.get_by_role("button", name="锁定本季度").click()
    expect(page.locator(".messagelist")).to_contain_text("2021 年第1季度已锁定。")
    assert QuarterClose.objects.filter(quarter=1).exists()

    # Kaifeng submits Q2 whole: the closed quarter's draft does not block it.
    sign_in(page, live_server, "kf")
    page.goto(f"{live_server.url}{SHEET}?quarter=2")
    page.fill("input[name='rows-0-amount']", "3")
    page.fill("input[name='rows-1-amount']", "4")
    page.click("input[name='_submit']")
    expect(page.locator(".messagelist")).to_contain_text("已报送 2 行")
    assert set(ProgressReport.objects.filter(quarter=2).values_list("status", flat=True)) == {
        Status.SUBMITTED
    }

    # The office returns 1.2 from its page; Kaifeng is told by email and on her home page.
    sign_in(page, live_server, "office")
    water = ProgressReport.objects.get(quarter=2, task=world["water"])
    page.goto(f"{live_server.url}/admin/investment/progressreport/{water.pk}/change/")
    page.get_by_role("button", name="退回所在市…").click()
    page.fill("textarea[name=reason]", "与台账不符，请核实")
    page.get_by_role("button", name="退回").click()
    # The next report awaiting review opens.
    expect(page.locator(".messagelist")).to_contain_text("下一条待审核：1.1 · 开封 · 2021Q2")
    assert [message.to for message in mail.outbox] == [["kf@example.cn"]]
    assert "退回原因：与台账不符，请核实" in mail.outbox[0].body

    sign_in(page, live_server, "kf")
    page.goto(f"{live_server.url}/admin/")
    todo = page.locator("#todo")
    expect(todo).to_contain_text("被都市圈办公室退回：1.2 · 开封 · 2021Q2")
    expect(todo).to_contain_text("退回原因: 与台账不符，请核实")

    # A problem assigned to the unit reaches its contact, by email and on her home page.
    problem = raise_problem(world["rail"], kaifeng, "站点用地未落实")
    sign_in(page, live_server, "office")
    page.goto(f"{live_server.url}/admin/problems/problem/{problem.pk}/change/")
    page.select_option("select[name=unit]", str(world["unit"].pk))
    page.fill("input[name=deadline]", (localdate() + timedelta(days=10)).isoformat())
    page.get_by_role("button", name="交办").click()
    expect(page.locator(".messagelist")).to_contain_text("已交办")
    assert mail.outbox[-1].to == ["jtt@example.cn"]
    assert mail.outbox[-1].subject == "问题已交办：站点用地未落实（开封）"
    sign_in(page, live_server, "jtt")
    page.goto(f"{live_server.url}/admin/")
    expect(page.locator("#todo")).to_contain_text("站点用地未落实 · 开封 · 还剩 10 天")
    screenshot(page, "todo-contact")
    assert Problem.objects.get().status == Problem.Status.ASSIGNED
    assert page.errors == []
