"""The problem list's loop in the browser: Kaifeng's reporter raises a problem, the office assigns
it to a unit with a deadline, the unit's contact answers it with a photo, the office closes it."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils.timezone import localdate
from PIL import Image
from playwright.sync_api import expect

from people.roles import OFFICE, REPORTER, UNIT_CONTACT, sync_roles
from plan.models import Unit
from problems.models import Problem
from tests.browser.conftest import csp_violations, screenshot
from tests.builders import make_area, make_member, make_plan, make_project, make_task

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PROBLEMS = "/admin/problems/problem/"


@pytest.fixture
def world(zhengzhou, kaifeng, settings, tmp_path):
    sync_roles(apps)  # Live-server tests flush the database, taking the migration-made roles.
    settings.MEDIA_ROOT = tmp_path / "media"
    area = make_area(make_plan())
    rail = make_task(area, 1, "100", [zhengzhou, kaifeng], title="轨道")
    water = make_task(area, 2, "50", [kaifeng], title="水网")
    make_project(rail, "郑开城际", "complete", [kaifeng])
    make_project(water, "开封港", "start", [kaifeng])
    unit = Unit.objects.create(name="郑州市自然资源和规划局", short_name="郑州资规局", kind="other")
    make_member("office", OFFICE)
    make_member("kf", REPORTER, city=kaifeng)
    make_member("zg", UNIT_CONTACT, unit=unit)
    return unit


def sign_in(page, live_server, username: str) -> None:
    """Signed in through a session made by the test client: the sign-in form has its own test."""
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
    )


def site_photo(tmp_path) -> str:
    path = tmp_path / "现场.jpg"
    output = BytesIO()
    Image.new("RGB", (40, 30), "green").save(output, "JPEG")
    path.write_bytes(output.getvalue())
    return str(path)


def test_a_problem_is_raised_assigned_answered_and_closed(
    browser_page, live_server, world, tmp_path
):
    page = browser_page
    page.set_default_timeout(5000)
    sign_in(page, live_server, "kf")
    page.goto(live_server.url + f"{PROBLEMS}add/")
    page.select_option("select[name=task]", label="2021 · 1.1 轨道")
    # The key project menu offers the chosen task's projects only.
    offered = page.locator("select[name=project] option[data-task]:not([hidden])")
    expect(offered).to_have_text(["2021 · 郑开城际"])
    page.fill("input[name=title]", "城际站点用地未落实")
    page.fill("textarea[name=description]", "开封段站房用地指标尚未落实，影响年内开工。")
    page.select_option("select[name=kind]", label="用地")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("城际站点用地未落实")
    problem = Problem.objects.get()
    change_page = live_server.url + f"{PROBLEMS}{problem.pk}/change/"

    sign_in(page, live_server, "office")
    page.goto(change_page)
    # The thread lies below the form, not behind it (the admin floats the form's column).
    form_bottom = page.locator("#problem_form").bounding_box()
    thread_top = page.locator("#problem-thread").bounding_box()["y"]
    assert thread_top >= form_bottom["y"] + form_bottom["height"]
    deadline = (localdate() + timedelta(days=20)).isoformat()
    assign = page.locator("form.step-assign")
    assign.locator("select[name=unit]").select_option(label="郑州资规局")
    assign.locator("input[name=deadline]").fill(deadline)
    assign.locator("textarea[name=text]").fill("请于月底前答复")
    assign.get_by_role("button", name="交办").click()
    expect(page.locator(".messagelist")).to_contain_text(f"已交办郑州资规局，办理时限 {deadline}。")

    sign_in(page, live_server, "zg")
    page.goto(change_page)
    answer = page.locator("form.step-answer")
    answer.locator("textarea[name=text]").fill("已调剂用地指标，批复见附件")
    answer.locator("input[name=photos]").set_input_files(site_photo(tmp_path))
    answer.get_by_role("button", name="答复").click()
    expect(page.locator(".messagelist")).to_contain_text("已答复，待都市圈办公室核实。")
    expect(page.locator("#problem-thread img")).to_have_count(1)

    sign_in(page, live_server, "office")
    page.goto(change_page)
    page.locator("form.step-close").get_by_role("button", name="销号（已核实）").click()
    expect(page.locator(".messagelist")).to_contain_text("已销号。")
    expect(page.locator(".fieldBox.field-status .readonly")).to_have_text("已销号")
    entries = page.locator("#problem-thread li")
    expect(entries).to_have_count(4)
    expect(entries.locator(".entry-head strong")).to_have_text(
        ["提出", "已交办", "已答复", "已销号"]
    )
    expect(entries.locator(".entry-text")).to_have_text(
        [
            "开封段站房用地指标尚未落实，影响年内开工。",
            "请于月底前答复",
            "已调剂用地指标，批复见附件",
        ]
    )
    expect(page.locator("#problem-steps")).to_have_count(0)  # Nothing left to do.
    screenshot(page, "problem-closed-zh")
    problem.refresh_from_db()
    assert (problem.status, problem.closed_on) == (Problem.Status.CLOSED, localdate())
    assert page.errors == []
    assert csp_violations(page) == []
