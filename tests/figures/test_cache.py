"""Page figures are kept in the shared cache under a generation, and no save leaves one stale."""

import os
import re
import subprocess
import sys
from datetime import datetime
from unittest import mock

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from figures.cache import generation
from investment.models import ProgressReport, QuarterClose
from tests.builders import make_allocation, make_area, make_plan, make_report, make_task


@pytest.fixture(autouse=True)
def cached_figures(settings, client, leader):
    settings.FIGURES_CACHE_SECONDS = 600
    client.force_login(leader)


@pytest.fixture
def task(zhengzhou, kaifeng):
    task = make_task(make_area(make_plan()), 1, "100", [zhengzhou], title="轨道")
    make_allocation(task, zhengzhou, "60")
    make_report(task, zhengzhou, 1, "10")
    return task


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs what the block's saves leave for their commit, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


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


def test_a_saved_report_shows_at_once(client, task, committed):
    assert '<span class="kpi-value">10 <small>亿元</small></span>' in page(client)
    report = ProgressReport.objects.get()
    report.amount = 12
    with committed():
        report.save()
    assert '<span class="kpi-value">12 <small>亿元</small></span>' in page(client)


def test_a_deleted_report_disappears_at_once(client, task, committed):
    page(client)
    with committed():
        ProgressReport.objects.get().delete()
    assert '<span class="kpi-value">0 <small>亿元</small></span>' in page(client)


def test_a_changed_target_allocation_or_city_shows_at_once(client, task, kaifeng, committed):
    page(client, "/2021/cities/kaifeng/?as_of=2021Q1")
    with committed():
        task.cities.add(kaifeng)
    page(client, "/2021/cities/kaifeng/?as_of=2021Q1")
    with committed():
        make_allocation(task, kaifeng, "40")
    allocation = '<td class="num" data-label="分配金额(亿元)">40</td>'
    assert allocation in page(client, "/2021/cities/kaifeng/?as_of=2021Q1")
    task.target = 200
    with committed():
        task.save()
    target = '<td class="num" data-label="目标(亿元)">200</td>'
    assert target in page(client, "/2021/areas/1/?as_of=2021Q1")


def test_a_renamed_city_shows_at_once(client, task, zhengzhou, committed):
    page(client, "/2021/?as_of=2021Q1")
    zhengzhou.name = "郑州市"
    with committed():
        zhengzhou.save()
    assert "郑州市" in page(client, "/2021/?as_of=2021Q1")


def test_a_closed_quarter_and_a_late_change_show_at_once(client, task, office, committed):
    page(client)
    with committed():
        QuarterClose.objects.create(plan=task.area.plan, quarter=1, closed_by=office)
    page(client)
    report = ProgressReport.objects.get()
    report.amount = 11
    with committed():
        report.save()
    link = '<a href="/2021/cities/zhengzhou/?as_of=2021Q1">郑州</a>'
    assert f"锁定后修改</span> 1.1 · {link} · Q1" in page(client)


def test_a_save_retires_the_figures_only_once_it_commits(client, task, committed):
    before = generation()
    with committed():
        with transaction.atomic():
            report = ProgressReport.objects.get()
            report.amount = 12
            report.save()
            assert generation() == before  # Others still read the committed figures.
    assert generation() != before


def test_a_report_saved_through_the_entry_path_shows_at_once(client, task, office, committed):
    """The entry path writes in bulk, without post_save: its own signal retires the figures."""
    from investment import workflow

    assert '<span class="kpi-value">10 <small>亿元</small></span>' in page(client)
    report = ProgressReport.objects.get()
    report.amount = 12
    with committed():
        workflow.record(report, office, seen_version=report.version)
    assert '<span class="kpi-value">12 <small>亿元</small></span>' in page(client)


def test_a_rolled_back_import_leaves_the_cache_as_it_was(client, task, office, committed):
    from investment.imports import FileImport
    from investment.tables import read_table

    page(client)
    before = generation()
    data = "任务编号,城市,年度,季度,完成投资(亿元)\n1.1,郑州,2021,2,5\n".encode()
    with committed():
        passed = FileImport(read_table(data), user=office).run(dry_run=True)
    assert passed
    assert generation() == before


def test_figures_cached_in_chinese_are_named_in_english_for_an_english_visitor(client, task):
    page(client)
    client.cookies["django_language"] = "en"
    english = page(client)
    assert "Task 1.1" in english and '<html lang="en">' in english


def test_the_print_line_shows_the_time_of_the_request_not_of_the_cached_figures(client, task):
    class Later(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime(2031, 1, 2, 3, 4, tzinfo=tz)

    page(client)  # The figures are kept from now on.
    with mock.patch("django.template.defaulttags.datetime", Later):
        assert "打印时间：2031-01-02 03:04。" in page(client)


def test_a_reset_in_another_process_reaches_this_one(client, task, tmp_path, settings):
    # The default cache is files every process on the host shares (Redis across hosts).
    files = "django.core.cache.backends.filebased.FileBasedCache"
    settings.CACHES = {
        "default": settings.CACHES["default"] | {"BACKEND": files, "LOCATION": str(tmp_path)},
    }
    assert "10 <small>亿元</small>" in page(client)
    ProgressReport.objects.update(amount=12)  # No signal: only the other process says so.
    assert "10 <small>亿元</small>" in page(client)
    other = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); "
            "from figures.cache import reset_generation; reset_generation()",
        ],
        cwd=settings.BASE_DIR,
        env=os.environ
        | {"CACHE_URL": "", "CACHE_DIR": str(tmp_path)}
        | {"DJANGO_SETTINGS_MODULE": "zzmetro.settings"},
        capture_output=True,
        text=True,
    )
    assert other.returncode == 0, other.stderr
    assert "12 <small>亿元</small>" in page(client)
