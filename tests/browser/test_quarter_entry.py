from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from investment.models import ProgressReport, ProjectUpdate
from people.models import Reporter
from people.roles import REPORTER, sync_roles
from tasks.models import Project
from tests.browser.conftest import axe_violations, screenshot
from tests.builders import (
    make_allocation,
    make_area,
    make_plan,
    make_project,
    make_report,
    make_task,
    make_update,
)

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
    project = make_project(
        task, "郑开城际铁路延长线工程", Project.Goal.COMPLETE, [zhengzhou, kaifeng]
    )
    make_update(project, kaifeng, 1, Project.Stage.CONSTRUCTION, "桥梁下部结构完成 80%，正在架梁")
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
    assert axe_violations(page) == []
    page.click("input[name='_submit']")
    expect(page.locator(".messagelist")).to_contain_text("已报送 1 行")
    report = ProgressReport.objects.get(quarter=2)
    assert (str(report.amount), report.status) == ("2.7500", ProgressReport.Status.SUBMITTED)
    assert page.errors == []


def test_the_sheet_and_the_import_fit_1366_px_in_chinese_and_english(
    browser_page, live_server, kaifeng_reporter
):
    # test_accessibility.py runs axe on both screens in both languages.
    page = sign_in(browser_page, live_server)
    page.set_viewport_size({"width": 1366, "height": 900})
    for language in ("zh-hans", "en"):
        page.context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        for path in ("quarter/?quarter=2", "import/"):
            page.goto(f"{live_server.url}/admin/investment/progressreport/{path}")
            # A laptop's 1366 px hold the sheet beside the admin's sidebar, without scrolling.
            assert page.evaluate("document.documentElement.scrollWidth") <= 1366, language


def test_a_reporter_enters_a_project_section_on_a_phone(
    browser_page, live_server, kaifeng_reporter
):
    page = sign_in(browser_page, live_server)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + "/admin/investment/progressreport/quarter/?quarter=2")
    expect(page.locator("#projects")).to_have_text("重点项目")
    # One card a task: every input in view under its label, the page the phone's width.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for name in ("rows-0-amount", "rows-0-cumulative", "rows-0-note", "projects-0-amount"):
        box = page.locator(f"[name='{name}']").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, name
    label = page.locator("[name='rows-0-amount']").evaluate(
        "box => getComputedStyle(box.closest('td'), '::before').content"
    )
    assert label == '"本季度完成(亿元)"'
    page.fill("input[name='rows-0-amount']", "0.5")
    page.fill("textarea[name='projects-0-progress']", "架梁完成，开始铺轨")
    page.fill("input[name='projects-0-amount']", "1.5")
    screenshot(page, "quarter-entry-projects-phone")
    page.click("input[name='_submit']")
    expect(page.locator(".messagelist")).to_contain_text("已报送 2 行")
    update = ProjectUpdate.objects.get(quarter=2)
    assert (update.progress, update.stage, str(update.amount), update.status) == (
        "架梁完成，开始铺轨",
        Project.Stage.CONSTRUCTION,
        "1.5000",
        ProjectUpdate.Status.SUBMITTED,
    )
    assert ProgressReport.objects.get(quarter=2).amount == Decimal("0.5")
    assert page.errors == []


def test_a_reporter_adds_a_photo_from_her_phone_to_a_project_update(
    browser_page, live_server, kaifeng_reporter, tmp_path, settings
):
    from investment.models import ProjectPhoto

    settings.MEDIA_ROOT = tmp_path
    page = sign_in(browser_page, live_server)
    page.set_viewport_size({"width": 390, "height": 844})
    update = ProjectUpdate.objects.get(quarter=1)
    update.status = ProjectUpdate.Status.DRAFT
    update.save()
    page.goto(f"{live_server.url}/admin/investment/projectupdate/{update.pk}/change/")
    upload = page.locator("input[type=file]").first
    # The phone offers its camera for a picture input.
    assert upload.get_attribute("accept") == "image/jpeg,image/png"
    photo = tmp_path / "现场.png"
    photo.write_bytes(png_bytes())
    upload.set_input_files(str(photo))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.click("input[name='_save']")
    expect(page.locator(".messagelist")).to_be_visible()
    assert ProjectPhoto.objects.filter(update=update).count() == 1
    assert page.errors == []


def png_bytes() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (120, 160, 200)).save(out, "PNG")
    return out.getvalue()


SHEET_Q2 = "/admin/investment/progressreport/quarter/?quarter=2"


def test_a_sheet_whose_sign_in_ran_out_gives_back_what_was_typed(
    browser_page, live_server, kaifeng_reporter
):
    page = sign_in(browser_page, live_server)
    page.goto(live_server.url + SHEET_Q2)
    expect(page.locator(".draft-restored")).to_be_hidden()
    page.fill("input[name='rows-0-amount']", "3")
    page.fill("textarea[name='rows-0-note']", "完成征迁，桥梁开工")
    # The sign-in ran out while the clerk typed: the session is gone, the rest stays.
    kept = [cookie for cookie in page.context.cookies() if cookie["name"] != "sessionid"]
    page.context.clear_cookies()
    page.context.add_cookies(kept)
    page.click("input[name='_save']")
    expect(page.locator("#id_username")).to_be_visible()
    page.fill("#id_username", "kf")
    page.fill("#id_password", "kf-password")
    page.click("input[type=submit]")
    # Back on the sheet: what was typed is in its boxes again, and the page says so.
    expect(page.locator(".draft-restored")).to_be_visible()
    expect(page.locator("input[name='rows-0-amount']")).to_have_value("3")
    expect(page.locator("textarea[name='rows-0-note']")).to_have_value("完成征迁，桥梁开工")
    page.click("input[name='_save']")
    expect(page.locator(".messagelist")).to_contain_text("已保存 1 行")
    report = ProgressReport.objects.get(quarter=2)
    assert (str(report.amount), report.note) == ("3.0000", "完成征迁，桥梁开工")
    # Saved, the copy in the browser is gone: nothing to restore next time.
    page.reload()
    expect(page.locator(".draft-restored")).to_be_hidden()
    kept = page.evaluate("Object.keys(localStorage)")
    assert [key for key in kept if key.startswith("zzmetro-sheet")] == []
    # Typed and not saved, then signed out: a shared computer keeps none of it.
    page.fill("textarea[name='rows-0-note']", "未保存的说明")
    assert any(k.startswith("zzmetro-sheet") for k in page.evaluate("Object.keys(localStorage)"))
    page.click("#logout-form button")
    kept = page.evaluate("Object.keys(localStorage)")
    assert [key for key in kept if key.startswith("zzmetro-sheet")] == []
    assert page.errors == []


def test_the_sheet_warns_before_the_sign_in_runs_out_and_can_keep_it(
    browser_page, live_server, kaifeng_reporter, settings
):
    page = sign_in(browser_page, live_server)
    # Warned five minutes before, or halfway in a short one: here after 4 s, which leaves 4 s
    # to press the button on a busy machine before the sign-in runs out.
    settings.SESSION_COOKIE_AGE = 8
    page.goto(live_server.url + SHEET_Q2)
    warning = page.locator(".session-warning")
    expect(warning).to_be_visible(timeout=10_000)
    expect(warning).to_contain_text("即将退出登录")
    page.click(".session-keep")
    expect(warning).to_be_hidden()
    assert page.errors == []


def test_a_stale_tab_says_who_changed_the_row_and_keeps_what_was_typed(
    browser_page, live_server, kaifeng_reporter
):
    page = sign_in(browser_page, live_server)
    other = page.context.new_page()
    page.goto(live_server.url + SHEET_Q2)
    other.goto(live_server.url + SHEET_Q2)
    other.fill("input[name='rows-0-amount']", "2")
    other.click("input[name='_save']")
    expect(other.locator(".messagelist")).to_contain_text("已保存 1 行")
    page.fill("input[name='rows-0-amount']", "5")
    page.click("input[name='_save']")
    expect(page.locator(".sheet-errors")).to_contain_text("在您打开本页后修改了这条填报")
    expect(page.locator(".sheet-errors")).to_contain_text("现为2 亿元")
    expect(page.locator("input[name='rows-0-amount']")).to_have_value("5")
    screenshot(page, "quarter-entry-stale")
    assert ProgressReport.objects.get(quarter=2).amount == 2
    page.click("input[name='_save']")  # Checked, and kept on purpose.
    expect(page.locator(".messagelist")).to_contain_text("已保存 1 行")
    assert ProgressReport.objects.get(quarter=2).amount == 5
