"""A reporter writing into a draft plan by every path is refused."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from investment.models import ProgressReport, ProjectUpdate
from problems.models import Problem
from tasks.editions import carry_over
from tests.builders import make_member, make_project, make_world
from tests.import_files import workbook

pytestmark = pytest.mark.django_db
REPORTS = "/admin/investment/progressreport/"
UPDATES = "/admin/investment/projectupdate/"


@pytest.fixture
def setup(zhengzhou, kaifeng, client):
    world = make_world(zhengzhou, kaifeng)
    project = make_project(world.rail, "郑开城际", "complete", [zhengzhou, kaifeng])
    carry_over(world.plan, 2022, [world.rail], [project])
    task, carried = project.successor.task, project.successor
    reporter = make_member("kf", "市级填报员", city=kaifeng)
    client.force_login(reporter)
    return task, carried, kaifeng


def nothing_written() -> bool:
    return not (
        ProgressReport.objects.filter(year=2022).exists()
        or ProjectUpdate.objects.filter(year=2022).exists()
        or Problem.objects.exists()
    )


def test_a_crafted_add_form_post_is_refused(client, setup):
    task, carried, kaifeng = setup
    client.post(
        f"{REPORTS}add/",
        {"task": task.pk, "city": kaifeng.pk, "year": 2022, "quarter": 1, "amount": "1",
         "note": "", "_submit": "1"},
    )  # fmt: skip
    client.post(
        f"{UPDATES}add/",
        {"project": carried.pk, "city": kaifeng.pk, "year": 2022, "quarter": 1,
         "progress": "x", "stage": "construction", "amount": "",
         "photos-TOTAL_FORMS": "0", "photos-INITIAL_FORMS": "0"},
    )  # fmt: skip
    client.post(
        "/admin/problems/problem/add/",
        {"task": task.pk, "project": "", "city": kaifeng.pk, "kind": "land",
         "title": "用地", "description": "草稿里的问题"},
    )  # fmt: skip
    assert nothing_written()


def test_an_import_file_naming_the_draft_year_is_refused(client, setup):
    response = client.post(
        f"{REPORTS}import/",
        {
            "format": 0,
            "import_file": SimpleUploadedFile(
                "x.xlsx", workbook([("1.1", "开封", 2022, 1, 3, "铺轨")])
            ),
        },
    )
    assert response.status_code == 200
    assert nothing_written()


def test_the_sheet_of_the_draft_year_is_a_404(client, setup):
    task, _carried, _kaifeng = setup
    sheet = f"{REPORTS}quarter/?year=2022&city=kaifeng&quarter=1"
    assert client.get(sheet).status_code == 404
    response = client.post(
        sheet,
        {"rows-TOTAL_FORMS": 1, "rows-INITIAL_FORMS": 0, "rows-0-task": task.pk,
         "rows-0-amount": "1", "_submit": "1"},
    )  # fmt: skip
    assert response.status_code == 404
    assert nothing_written()
