import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from investment.models import ProgressReport
from tests.builders import make_allocation, make_area, make_city, make_plan, make_report, make_task


@pytest.fixture(autouse=True)
def signed_in(client, leader):
    """A leader (领导) reads the pages; each test's client is signed in as one."""
    client.force_login(leader)


# Queries for the plan overview: the session, the user, the user's roles, the plan and its
# default quarter (closed quarters, what is owed, what is reported), the coverage and target
# totals, the progress of the plan, areas, cities and tasks, the quarterly line, the reporting
# grid, the corridors, milestone counts and early warnings, the key project counts, the city
# rankings (the cities' amounts and allocations, the project sections and the problems by
# raising city, 4 a quarter here as no problem is raised, for the quarter and the one before
# it), the sample-data check, the plans of the year switcher and last year's plan (for the
# year-on-year figures; none here). It must not grow with tasks, reports or plan years.
OVERVIEW_QUERIES = 46
FIRST_QUARTER = OVERVIEW_QUERIES - 4  # Q1 has no quarter before it to rank.


def page(client, url: str, language: str | None = None) -> str:
    if language:
        client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_home_without_a_plan_says_how_to_load_one(client):
    assert "python manage.py load_plan 2021" in page(client, "/")


def test_home_redirects_to_the_latest_plan(client, plan_2021):
    make_plan(year=2020)
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == "/2021/"


def test_overview_lists_the_2021_plan_as_the_source_states_it(client, plan_2021):
    html = page(client, "/2021/")
    assert "<h1>2021年郑州都市圈一体化发展工作要点</h1>" in html
    assert "资料列出 7 大要点中的 6 个、23 项任务中的 22 项。" in html
    for area in ["郑开同城化", "互联互通", "产业协同", "绿色魅力", "开放包容", "品质宜居"]:
        assert area in html
    codes = ["1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3", "2.4", "2.5", "3.1", "3.2"]
    codes += ["3.3", "3.4", "3.5", "4.1", "4.2", "5.1", "5.2", "6.1", "6.2", "6.3", "6.4"]
    for code in codes:
        assert f'<td data-label="编号">{code}</td>' in html
    assert html.count('<td data-label="编号">7.') == 0
    for total in ["360", "425", "160", "75", "110", "1130"]:
        assert f'<td class="num" data-label="已公布目标(亿元)">{total}</td>' in html
    assert "5 项任务未公布目标，其已完成的 0 亿元不计入完成率。" in html


def test_overview_marks_targets_the_source_does_not_state(client, plan_2021):
    html = page(client, "/2021/")
    # Area 1, tasks 1.1-1.4 and 3.4, and the 开港许 corridor, whose only task is 3.4.
    assert html.count('<span class="not-stated">未公布</span>') == 7
    assert "资料来源中该段在“加快开封综合保税区、黄河”处中断" in html


def test_overview_in_english(client, plan_2021):
    html = page(client, "/2021/", language="en")
    assert '<html lang="en">' in html
    assert "Zhengzhou Metropolitan Area Integration Work Plan 2021" in html
    assert "The source lists 6 of 7 focus areas and 22 of 23 tasks." in html
    assert "Build the Zhengzhou metropolitan area on rails" in html
    assert "Stated target (100 million yuan)" in html


def test_overview_ignores_the_browsers_language(client, plan_2021):
    response = client.get("/2021/", headers={"accept-language": "en-US,en;q=0.9"})
    assert '<html lang="zh-hans">' in response.content.decode()


def test_overview_of_a_year_without_plan_is_404(client, plan_2021):
    assert client.get("/2019/").status_code == 404


def test_sample_banner_shows_while_sample_data_exists(client, sample_world):
    assert "示例数据" in page(client, "/2021/")
    assert "Sample data" in page(client, "/2021/", language="en")
    call_command("purge_sample_data", stdout=StringIO())
    assert "示例数据" not in page(client, "/2021/", language="zh-hans")


@pytest.mark.django_db
def test_task_titles_are_escaped(client):
    area = make_area(make_plan())
    make_task(area, title="<script>alert(1)</script>")
    html = page(client, "/2021/")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def build_world(tasks_per_area: int, quarters: int) -> None:
    plan = make_plan(areas=3, tasks=3 * tasks_per_area)
    cities = [make_city(f"city-{n}", f"城市{n}", n) for n in range(3)]
    for number in range(1, 4):
        area = make_area(plan, number, f"要点{number}")
        for task_number in range(1, tasks_per_area + 1):
            task = make_task(area, task_number, "90", cities)
            for city in cities:
                make_allocation(task, city, "30", is_sample=True)
                for quarter in range(1, quarters + 1):
                    make_report(task, city, quarter, "7.5", ProgressReport.Status.APPROVED)


def overview_queries(client) -> int:
    page(client, "/2021/")  # The first request after signing in also renews the session.
    with CaptureQueriesContext(connection) as queries:
        page(client, "/2021/")
    return len(queries)


@pytest.mark.django_db
def test_overview_queries_do_not_grow_with_tasks_and_reports(client):
    build_world(tasks_per_area=1, quarters=1)
    assert overview_queries(client) == FIRST_QUARTER


@pytest.mark.django_db
def test_overview_queries_at_forty_times_the_data(client):
    build_world(tasks_per_area=20, quarters=4)
    assert overview_queries(client) == OVERVIEW_QUERIES


def test_pages_vary_on_the_language_cookie(client, plan_2021):
    response = client.get("/2021/")
    assert "Cookie" in response.headers["Vary"]
    assert "Accept-Language" not in response.headers["Vary"]
    assert response.headers["Content-Language"] == "zh-hans"


def test_anonymous_visitors_are_asked_to_sign_in(plan_2021):
    from django.test import Client

    response = Client().get("/2021/")
    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/2021/"


def test_dashboard_public_opens_the_pages_to_anonymous_visitors(plan_2021, settings):
    from django.test import Client

    settings.DASHBOARD_PUBLIC = True
    assert Client().get("/2021/").status_code == 200


def test_a_leader_signs_in_on_the_site_not_the_admin(plan_2021, django_user_model):
    from django.test import Client

    django_user_model.objects.create_user("boss", password="pw-for-test")
    client = Client()
    response = client.post(
        "/accounts/login/?next=/2021/",
        {"username": "boss", "password": "pw-for-test", "next": "/2021/"},
    )
    assert response.status_code == 302
    assert response.url == "/2021/"


@pytest.mark.parametrize("as_of", ["2021Q0", "2021Q5", "2020Q1", "Q3", "abc"])
def test_a_bad_as_of_is_404(client, plan_2021, as_of):
    assert client.get(f"/2021/?as_of={as_of}").status_code == 404


def test_figures_follow_as_of_and_the_approved_switch(client, zhengzhou):
    area = make_area(make_plan())
    task = make_task(area, 1, "100", [zhengzhou])
    make_report(task, zhengzhou, 1, "10", ProgressReport.Status.APPROVED)
    make_report(task, zhengzhou, 2, "30", ProgressReport.Status.SUBMITTED)
    default = page(client, "/2021/")
    assert '<option value="2021Q2" selected>' in default
    assert '<td class="num" data-label="已完成(亿元)">40</td>' in default
    assert '<span class="pace pace-behind">滞后</span>' not in default
    q1 = page(client, "/2021/?as_of=2021Q1")
    assert '<td class="num" data-label="已完成(亿元)">10</td>' in q1
    approved = page(client, "/2021/?as_of=2021Q2&approved=1")
    assert '<td class="num" data-label="%">10.0</td>' in approved
    assert '<span class="pace pace-behind">滞后</span>' in approved
    assert "数据截至2021年第2季度末，仅计已审核填报。" in approved


def test_a_printed_page_says_which_quarter_it_shows(client, zhengzhou):
    # The as-of form is hidden on paper; this line replaces it there.
    area = make_area(make_plan())
    make_report(make_task(area, 1, "100", [zhengzhou]), zhengzhou, 3, "10")
    html = page(client, "/2021/areas/1/")
    printed = '<p class="print-only">数据截至2021年第3季度末，计入已提交和已审核的填报。打印时间：'
    assert printed in html


def test_links_between_pages_keep_only_the_quarter_and_the_switch(client, plan_2021):
    html = page(client, f"/2021/?as_of=2021Q2&approved=1&utm={'x' * 500}&next=/evil")
    assert 'href="/2021/areas/2/?as_of=2021Q2&amp;approved=1"' in html
    assert 'href="export.xlsx?as_of=2021Q2&amp;approved=1"' in html
    assert "xxxxx" not in html and "evil" not in html


def test_one_early_report_does_not_move_the_default_quarter(client, zhengzhou, kaifeng):
    task = make_task(make_area(make_plan()), 1, "100", [zhengzhou, kaifeng])
    for city in (zhengzhou, kaifeng):
        make_report(task, city, 1, "10")
    make_report(task, zhengzhou, 2, "10")
    make_report(task, kaifeng, 2, "10", ProgressReport.Status.DRAFT)
    make_report(task, zhengzhou, 4, "10")
    html = page(client, "/2021/")
    assert '<option value="2021Q1" selected>' in html
    assert "默认显示：各市均已报送的最近季度。" in html


def test_the_latest_closed_quarter_is_the_default_even_with_reports_missing(
    client, zhengzhou, kaifeng, office
):
    from investment.models import QuarterClose

    task = make_task(make_area(make_plan()), 1, "100", [zhengzhou, kaifeng])
    make_report(task, zhengzhou, 1, "10")
    QuarterClose.objects.create(plan=task.area.plan, quarter=2, closed_by=office)
    html = page(client, "/2021/")
    assert '<option value="2021Q2" selected>' in html
    assert "默认显示：最近锁定的季度。" in html
    assert "默认显示" not in page(client, "/2021/?as_of=2021Q3")  # Her choice wins.


def test_before_any_quarter_is_complete_the_default_is_q1_and_says_so(client, zhengzhou):
    make_task(make_area(make_plan()), 1, "100", [zhengzhou])
    html = page(client, "/2021/")
    assert '<option value="2021Q1" selected>' in html
    assert "默认显示：尚无锁定或各市均已报送的季度。" in html


NO_ROLE_URLS = [
    "/",
    "/2021/",
    "/2021/export.xlsx",
    "/2021/reports.csv",
    "/2021/areas/1/",
    "/2021/areas/1/export.xlsx",
    "/2021/cities/zhengzhou/",
    "/2021/cities/zhengzhou/reports.csv",
    "/2021/corridors/belt/",
    "/2021/tasks/1.1/",
    "/2021/tasks/1.1/export.xlsx",
    "/2021/template.xlsx?city=zhengzhou&quarter=1",
]


def test_an_account_in_no_role_is_told_to_ask_the_office_on_every_page_and_download(
    zhengzhou, kaifeng, django_user_model, settings
):
    from django.test import Client

    from tests.builders import make_world

    make_report(make_world(zhengzhou, kaifeng).rail, zhengzhou, 1, "12.34")
    settings.DASHBOARD_PUBLIC = True  # Signed in, she is still no anonymous visitor.
    client = Client()
    client.force_login(django_user_model.objects.create_user("newcomer", is_staff=True))
    for url in NO_ROLE_URLS:
        response = client.get(url)
        assert response.status_code == 403, url
        html = response.content.decode()
        assert "<h1>尚无访问权限</h1>" in html, url
        assert "请联系都市圈办公室为您的账号分配角色" in html
        assert "12.34" not in html


def warning_lines(html: str) -> list[str]:
    """The early warnings' lines as read, without their markup."""
    section = html[html.index('<section aria-labelledby="warnings-heading"') :]
    section = section[: section.index("</section>")]
    items = re.findall(r"<li>(.*?)</li>", section, re.DOTALL)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", item)).strip() for item in items]


def test_the_cities_behind_or_late_take_one_warning_line_each_kind(client, sample_world):
    html = page(client, "/2021/?as_of=2021Q3")
    # Each city links to its page at the same quarter; the list of what is owed is on the page.
    assert '<a href="/2021/cities/kaifeng/?as_of=2021Q3">开封</a> 52.5%、' in html
    assert '<a href="/2021/cities/xuchang/?as_of=2021Q3">许昌</a> 6 条 ' in html
    assert '<a href="#reporting-heading">（见下方填报情况）</a></li>' in html
    assert '<h2 id="reporting-heading">' in html
    lines = warning_lines(html)
    cities = [line for line in lines if "个城市" in line]
    assert cities == [
        "滞后 3 个城市：开封 52.5%、焦作 49.1%、许昌 51.5%",
        "逾期 5 个城市有填报未按期报送：郑州 11 条、开封 11 条、新乡 6 条、焦作 9 条、许昌 6 条 "
        "（见下方填报情况）",
    ]


def test_in_english_the_city_warnings_read_as_english(client, sample_world):
    lines = warning_lines(page(client, "/2021/?as_of=2021Q3", "en"))
    cities = [line for line in lines if " cities" in line]
    assert cities == [
        "behind 3 cities: Kaifeng 52.5%, Jiaozuo 49.1%, Xuchang 51.5%",
        "late 5 cities with reports not in by the deadline: Zhengzhou 11 reports, Kaifeng 11 "
        "reports, Xinxiang 6 reports, Jiaozuo 9 reports, Xuchang 6 reports (see the reporting "
        "list)",
    ]
