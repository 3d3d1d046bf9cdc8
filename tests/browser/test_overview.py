import re

import openpyxl
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import csp_violations, screenshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_official_opens_the_dashboard_and_reads_the_2021_plan(browser_page, live_server, plan_2021):
    page = browser_page
    page.goto(live_server.url + "/")
    expect(page).to_have_url(live_server.url + "/2021/")
    expect(page.locator("h1")).to_have_text("2021年郑州都市圈一体化发展工作要点")
    expect(page.locator("main")).to_contain_text("23 项任务中的 22 项")
    expect(page.locator("table.tasks tbody tr")).to_have_count(22)
    expect(page.locator("tfoot")).to_contain_text("1130")
    # Chart.js drew each chart: a drawn canvas has a size the library set.
    for name in ("areas", "cities", "quarters"):
        canvas = page.locator(f"canvas[data-chart={name}]")
        canvas.scroll_into_view_if_needed()  # A chart is drawn as it comes into view.
        expect(canvas).to_have_attribute("data-drawn", "true")
        expect(canvas).to_have_attribute("height", re.compile(r"\d+"))
    screenshot(page, "overview-zh")
    assert page.errors == []


def test_official_switches_to_english_and_back(browser_page, live_server, plan_2021):
    page = browser_page
    page.goto(live_server.url + "/2021/")
    page.get_by_role("button", name="English").click()
    expect(page.locator("h1")).to_have_text(
        "Zhengzhou Metropolitan Area Integration Work Plan 2021"
    )
    expect(page.locator("html")).to_have_attribute("lang", "en")
    screenshot(page, "overview-en")
    page.get_by_role("button", name="简体中文").click()
    expect(page.locator("h1")).to_have_text("2021年郑州都市圈一体化发展工作要点")
    assert page.errors == []


def test_overview_fits_a_phone_screen(browser, live_server, plan_2021):
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(live_server.url + "/2021/")
    expect(page.locator("h1")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "overview-phone")
    context.close()


def test_official_drills_from_the_overview_to_a_city_and_a_task(
    browser_page, live_server, sample_world
):
    page = browser_page
    page.goto(live_server.url + "/2021/?as_of=2021Q3")
    page.get_by_role("link", name="开封").first.click()
    expect(page.locator("h1")).to_have_text("开封")
    expect(page).to_have_url(re.compile(r"/2021/cities/kaifeng/\?as_of=2021Q3$"))
    screenshot(page, "city-kaifeng")
    page.get_by_role("link", name="打造轨道上的郑州都市圈", exact=True).click()
    expect(page.locator("h1")).to_have_text("2.2 打造轨道上的郑州都市圈")
    expect(page.locator("blockquote")).to_contain_text("力争全年完成投资150亿元")
    screenshot(page, "task-2.2")
    page.get_by_role("link", name="2. 互联互通").click()
    expect(page.locator("canvas[data-chart=cities]")).to_have_attribute(
        "height", re.compile(r"\d+")
    )
    screenshot(page, "area-2")
    page.goto(live_server.url + "/2021/corridors/yellow-river/")
    expect(page.locator("h1")).to_contain_text("沿黄复合型生态廊道")
    page.get_by_role("button", name="English").click()
    expect(page.locator("h1")).to_contain_text("Yellow River Composite Ecological Corridor")
    screenshot(page, "corridor-yellow-river-en")
    assert page.errors == []


def test_official_downloads_the_pages_workbook(browser_page, live_server, plan_2021):
    page = browser_page
    page.goto(live_server.url + "/2021/areas/2/?as_of=2021Q2")
    with page.expect_download() as download:
        page.get_by_role("link", name="导出 Excel").click()
    assert download.value.suggested_filename == "zzmetro-2021Q2-2.xlsx"
    # The browser stores downloads under a random name: openpyxl reads it as a stream.
    with open(download.value.path(), "rb") as file:
        book = openpyxl.load_workbook(file)
    assert book.sheetnames[:2] == ["汇总", "表式"]
    assert page.errors == []


def test_no_page_breaks_the_content_security_policy(browser_page, live_server, plan_2021):
    page = browser_page
    for path in [
        "/2021/",
        "/2021/areas/2/",
        "/2021/cities/zhengzhou/",
        "/2021/corridors/yellow-river/",
        "/2021/tasks/2.2/",
        "/accounts/login/",
    ]:
        response = page.goto(live_server.url + path)
        assert "script-src 'self'" in response.headers["content-security-policy"]
        expect(page.locator("h1")).to_be_visible()
        assert csp_violations(page) == [], path
    assert page.errors == []


def test_no_pace_label_is_cut_off_in_english(browser_page, live_server, plan_2021):
    # "no stated target" is the longest label; it once overflowed the task table's last column.
    page = browser_page
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    for path in ["/2021/", "/2021/corridors/zhengkai-innovation/"]:
        page.goto(live_server.url + path)
        expect(page.locator(".tasks .pace-no_target").first).to_have_text("no stated target")
        overflowing = page.evaluate(
            """() => [...document.querySelectorAll('.tasks .pace')].filter(
                label => label.getBoundingClientRect().right
                    > label.closest('td').getBoundingClientRect().right
            ).map(label => label.textContent)"""
        )
        assert overflowing == [], path
