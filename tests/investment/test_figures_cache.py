"""Page figures are cached per plan and as-of quarter, and no save ever leaves one stale."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from investment.models import FiguresVersion, ProgressReport, QuarterClose
from tests.builders import make_allocation, make_area, make_plan, make_report, make_task

Status = ProgressReport.Status


@pytest.fixture(autouse=True)
def cached_figures(settings, client, leader):
    settings.ROLLUP_CACHE_SECONDS = 600
    client.force_login(leader)


@pytest.fixture
def task(zhengzhou, kaifeng):
    task = make_task(make_area(make_plan()), 1, "100", [zhengzhou], title="轨道")
    make_allocation(task, zhengzhou, "60")
    make_report(task, zhengzhou, 1, "10")
    return task


def page(client, url: str = "/2021/?as_of=2021Q1") -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def without_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        page(client, url)
    return len(captured)


def test_a_second_visit_reads_the_figures_from_the_cache(client, task):
    for url in ["/2021/", "/2021/areas/1/", "/2021/cities/zhengzhou/", "/2021/tasks/1.1/"]:
        first = queries(client, url)
        again = queries(client, url)
        assert again < first, url
        assert without_tokens(page(client, url)) == without_tokens(page(client, url))


def test_a_saved_report_shows_at_once(client, task, zhengzhou):
    assert '<span class="kpi-value">10 <small>亿元</small></span>' in page(client)
    report = ProgressReport.objects.get()
    report.amount = 12
    report.save()
    assert '<span class="kpi-value">12 <small>亿元</small></span>' in page(client)


def test_a_deleted_report_disappears_at_once(client, task):
    page(client)
    ProgressReport.objects.get().delete()
    assert '<span class="kpi-value">0 <small>亿元</small></span>' in page(client)


def test_a_changed_target_allocation_or_city_shows_at_once(client, task, kaifeng, zhengzhou):
    page(client, "/2021/cities/kaifeng/?as_of=2021Q1")
    task.cities.add(kaifeng)
    make_allocation(task, kaifeng, "40")
    assert '<td class="num">40</td>' in page(client, "/2021/cities/kaifeng/?as_of=2021Q1")
    task.target = 200
    task.save()
    assert '<td class="num">200</td>' in page(client, "/2021/areas/1/?as_of=2021Q1")


def test_a_closed_quarter_and_a_late_change_show_at_once(client, task, office):
    page(client)
    QuarterClose.objects.create(plan=task.area.plan, quarter=1, closed_by=office)
    report = ProgressReport.objects.get()
    report.amount = 11
    report.save()
    assert "锁定后修改</span> 1.1 · 郑州 · Q1" in page(client)


def test_a_rolled_back_import_leaves_the_cache_as_it_was(client, task, office):
    from investment.resources import ProgressReportResource, read_table

    page(client)
    before = FiguresVersion.current()
    data = "任务编号,城市,年度,季度,完成投资(亿元)\n1.1,郑州,2021,2,5\n".encode()
    result = ProgressReportResource(user=office).import_data(read_table(data), dry_run=True)
    assert not result.has_errors()
    assert FiguresVersion.current() == before


def test_figures_cached_in_chinese_are_named_in_english_for_an_english_visitor(client, task):
    page(client)
    client.cookies["django_language"] = "en"
    english = page(client)
    assert "Task 1.1" in english and '<html lang="en">' in english


def test_a_page_read_again_costs_one_query_for_the_session_and_the_version(client, task):
    page(client)  # Sets the CSRF cookie the page carries a token for,
    first = page(client)  # and this visit, with the cookie, keeps the page.
    with CaptureQueriesContext(connection) as captured:
        again = page(client)
    assert len(captured) == 1  # The user is kept too, under the same version.
    assert "django_session" in captured[0]["sql"]
    assert "investment_figuresversion" in captured[0]["sql"]
    assert again == first


def test_after_a_restore_the_next_change_takes_a_version_never_used_before(client, task):
    restored = FiguresVersion.current()
    task.target = 200
    task.save()
    later = FiguresVersion.current()
    # A dump taken before that save is restored, and someone changes the target again.
    FiguresVersion.objects.filter(pk=1).update(version=restored)
    task.target = 300
    task.save()
    # The figures filed under `later` (target 200) must not be found for this data.
    assert FiguresVersion.current() not in (restored, later)
    assert '<td class="num">300</td>' in page(client, "/2021/areas/1/?as_of=2021Q1")


def test_a_kept_page_is_never_shown_to_another_visitor(client, task, django_user_model):
    from django.test import Client

    page(client)
    mine = page(client)  # Kept for this visitor.
    other = Client()
    other.force_login(django_user_model.objects.create_user("leader-2"))
    page(other)
    theirs = page(other)  # With her own CSRF cookie now: looked up under her own key.
    token = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    assert token.findall(mine) != token.findall(theirs)
    assert without_tokens(mine) == without_tokens(theirs)  # The same figures for both.


def test_within_a_request_the_version_is_read_once_and_a_change_is_seen(task):
    with FiguresVersion.read_once():
        with CaptureQueriesContext(connection) as captured:
            first = FiguresVersion.current()
            assert FiguresVersion.current() == first
        assert len(captured) == 1
        task.target = 200
        task.save()
        assert FiguresVersion.current() != first
