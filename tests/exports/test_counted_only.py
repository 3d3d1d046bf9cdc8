"""Counted means counted: drafts and returned reports never reach the pages, downloads or
history that leaders and other cities read, and a city's own downloads stay its own."""

import csv
import io

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.test import Client

from investment.models import ProgressReport
from people.models import Reporter
from people.roles import REPORTER
from tests.builders import make_report, make_world

Status = ProgressReport.Status


@pytest.fixture
def world(zhengzhou, kaifeng):
    """1.1 轨道: Zhengzhou Q1 10 approved, Q2 20 submitted; Kaifeng Q1 12 draft with a note,
    Q2 5 returned."""
    world = make_world(zhengzhou, kaifeng)
    make_report(world.rail, zhengzhou, 1, "10", Status.APPROVED)
    make_report(world.rail, zhengzhou, 2, "20")
    draft = make_report(world.rail, kaifeng, 1, "12", Status.DRAFT)
    draft.note = "开封内部草稿"
    draft.save()
    make_report(world.rail, kaifeng, 2, "5", Status.RETURNED)
    return world


def reporter(django_user_model, city):
    user = django_user_model.objects.create_user(f"reporter-{city.slug}", is_staff=True)
    user.groups.add(Group.objects.get(name=REPORTER))
    Reporter.objects.create(user=user, city=city)
    return user


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def csv_lines(response) -> list[list[str]]:
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8").lstrip("\ufeff")
    return list(csv.reader(io.StringIO(body)))[1:]


def report_sheet(response) -> list[tuple]:
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return list(book["填报记录"].iter_rows(min_row=2, values_only=True))


def test_the_reports_csv_lists_submitted_and_approved_reports_only(client, leader, world):
    client.force_login(leader)
    lines = csv_lines(client.get("/2021/reports.csv?as_of=2021Q2"))
    assert [line[:4] + line[6:7] for line in lines] == [
        ["1.1", "郑州", "2021", "1", "已审核"],
        ["1.1", "郑州", "2021", "2", "已报送"],
    ]
    assert "开封内部草稿" not in str(lines)


def test_the_reports_csv_honours_approved_only(client, leader, world):
    client.force_login(leader)
    lines = csv_lines(client.get("/2021/reports.csv?as_of=2021Q2&approved=1"))
    assert [line[:4] for line in lines] == [["1.1", "郑州", "2021", "1"]]


def test_the_workbooks_report_sheet_lists_counted_reports_and_honours_approved_only(
    client, leader, world
):
    client.force_login(leader)
    counted = report_sheet(client.get("/2021/export.xlsx?as_of=2021Q2"))
    assert [row[1:4] + row[6:7] for row in counted] == [
        ("郑州", 2021, 1, "已审核"),
        ("郑州", 2021, 2, "已报送"),
    ]
    approved = report_sheet(client.get("/2021/tasks/1.1/export.xlsx?as_of=2021Q2&approved=1"))
    assert [row[1:4] for row in approved] == [("郑州", 2021, 1)]


def test_a_citys_own_downloads_hold_no_draft_either(django_user_model, world, kaifeng):
    client = signed_in(reporter(django_user_model, kaifeng))
    assert csv_lines(client.get("/2021/cities/kaifeng/reports.csv?as_of=2021Q2")) == []
    assert report_sheet(client.get("/2021/cities/kaifeng/export.xlsx?as_of=2021Q2")) == []


def test_the_task_page_history_shows_no_draft_or_returned_report(client, leader, world):
    client.force_login(leader)
    html = client.get("/2021/tasks/1.1/").content.decode()
    assert '季度填报 <a href="/2021/cities/zhengzhou/">郑州</a> <span>2021Q2</span>' in html
    assert "开封</a> <span>2021Q1" not in html and "开封</a> <span>2021Q2" not in html
    assert "开封内部草稿" not in html


@pytest.mark.parametrize("download", ["export.xlsx", "reports.csv"])
def test_another_citys_reporter_gets_404_for_a_citys_downloads(
    django_user_model, world, kaifeng, zhengzhou, download
):
    client = signed_in(reporter(django_user_model, kaifeng))
    assert client.get(f"/2021/cities/zhengzhou/{download}").status_code == 404
    assert client.get(f"/2021/cities/kaifeng/{download}").status_code == 200


def test_leaders_and_the_office_download_any_citys_figures(client, leader, office, world):
    for user in (leader, office):
        assert signed_in(user).get("/2021/cities/zhengzhou/reports.csv").status_code == 200


def test_a_public_dashboard_still_asks_for_sign_in_before_a_citys_downloads(world, settings):
    settings.DASHBOARD_PUBLIC = True
    assert Client().get("/2021/cities/kaifeng/").status_code == 200
    for url in ["/2021/cities/kaifeng/export.xlsx", "/2021/cities/kaifeng/reports.csv"]:
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


TEMPLATE = "/2021/template.xlsx?city={}&quarter=2"


def test_the_entry_template_is_for_the_citys_own_reporter_and_the_office(
    django_user_model, office, world, kaifeng
):
    kaifeng_reporter = signed_in(reporter(django_user_model, kaifeng))
    assert kaifeng_reporter.get(TEMPLATE.format("kaifeng")).status_code == 200
    assert signed_in(office).get(TEMPLATE.format("kaifeng")).status_code == 200


def test_the_entry_template_of_another_city_is_404_for_a_reporter_and_a_leader(
    django_user_model, leader, world, kaifeng
):
    kaifeng_reporter = signed_in(reporter(django_user_model, kaifeng))
    assert kaifeng_reporter.get(TEMPLATE.format("zhengzhou")).status_code == 404
    assert signed_in(leader).get(TEMPLATE.format("kaifeng")).status_code == 404


def test_a_public_dashboard_still_asks_for_sign_in_before_the_entry_template(world, settings):
    settings.DASHBOARD_PUBLIC = True
    response = Client().get(TEMPLATE.format("kaifeng"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_entry_templates_reported_before_counts_submitted_quarters_only(office, world, kaifeng):
    response = signed_in(office).get("/2021/template.xlsx?city=zhengzhou&quarter=3")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.worksheets[0].iter_rows(min_row=2, values_only=True))
    assert rows[0][:7] == ("1.1", "轨道", "郑州", 2021, 3, 60, 30)
