"""Open data: each issued year's datasets as CSV, XLSX and JSON, closed quarters and approved
reports only, with their field dictionaries and a DCAT catalogue a portal can harvest."""

import csv
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from investment.models import QuarterClose
from plan.models import Plan, Unit
from tests.builders import make_project, make_report, make_update, make_world, raise_problem


def body(response) -> bytes:
    assert response.status_code == 200, response
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(client, url: str) -> list[dict]:
    text = body(client.get(url)).decode("utf-8")
    assert text.startswith("\ufeff")  # so that Excel opens it in Chinese
    return list(csv.DictReader(io.StringIO(text[1:])))


@pytest.fixture
def world(zhengzhou, kaifeng, office, settings):
    settings.DASHBOARD_PUBLIC = True
    world = make_world(zhengzhou, kaifeng)
    make_report(world.rail, zhengzhou, 1, "12.5", status="approved")
    make_report(world.rail, kaifeng, 1, "4", status="submitted")  # not approved: not open
    make_report(world.rail, zhengzhou, 2, "10", status="approved")  # Q2 not closed
    QuarterClose.objects.create(plan=world.plan, quarter=1, closed_by=office)
    return world


def test_the_figures_hold_closed_quarters_and_approved_reports_only(client, world):
    rows = csv_rows(client, "/opendata/2021/task-city-quarters.csv")
    assert [
        (row["quarter"], row["task_code"], row["place_name"], row["amount"], row["allocation"])
        for row in rows
    ] == [
        ("1", "1.1", "郑州", "12.5000", "60.0000"),
        ("1", "1.1", "开封", "", "40.0000"),  # submitted, not approved: not stated here
        ("1", "1.2", "郑州", "", ""),
        ("1", "2.1", "郑州", "", ""),
        ("1", "2.1", "开封", "", ""),
    ]
    assert rows[2]["task_target"] == ""  # the plan states none: empty, never 0


def test_before_any_quarter_closes_the_figures_are_empty_and_the_page_says_so(client, world):
    QuarterClose.objects.all().delete()
    assert csv_rows(client, "/opendata/2021/task-city-quarters.csv") == []
    page = client.get("/opendata/").content.decode()
    assert "尚无锁定的季度：首个季度锁定前，数据类数据集为空。" in page


def test_a_draft_plan_has_no_open_data_not_even_for_the_office(client, world, office):
    Plan.objects.create(year=2022, title="2022年工作要点", status=Plan.Status.DRAFT)
    client.force_login(office)
    assert client.get("/opendata/2022/projects.csv").status_code == 404
    catalogue = json.loads(body(client.get("/opendata/catalog.jsonld")))
    assert "2022" not in json.dumps(catalogue)


def test_project_updates_are_the_approved_ones_of_closed_quarters(
    client, world, zhengzhou, kaifeng
):
    line = make_project(world.rail, "郑开城际延长线", "start", [zhengzhou, kaifeng])
    make_update(
        line, zhengzhou, 1, "construction", "桥梁施工", status="approved", amount=Decimal("2")
    )
    make_update(line, kaifeng, 1, "preparation", "征地中", status="submitted")
    make_update(line, zhengzhou, 2, "construction", "架梁", status="approved")
    rows = csv_rows(client, "/opendata/2021/project-updates.csv")
    assert [
        (r["quarter"], r["place_name"], r["stage"], r["progress"], r["amount"]) for r in rows
    ] == [("1", "郑州", "construction", "桥梁施工", "2.0000")]
    projects = json.loads(body(client.get("/opendata/2021/projects.json")))
    assert projects == [
        {
            "year": 2021,
            "project_id": line.pk,
            "national_code": None,
            "name": "郑开城际延长线",
            "task_code": "1.1",
            "place_names": "郑州、开封",
            "place_codes": None,
            "lead_unit": None,
            "goal": "start",
            "total_investment": None,
            "annual_investment": None,
            "planned_start": None,
            "planned_finish": None,
            "as_of_quarter": 1,
            "stage": "construction",
            "cumulative": "2.0000",
        }
    ]


def test_problem_counts_leave_out_those_not_yet_assigned(client, world, zhengzhou, kaifeng):
    from datetime import date

    from problems.models import Problem

    unit = Unit.objects.create(name="省自然资源厅", kind="provincial_department")
    assigned = raise_problem(world.rail, zhengzhou, status="assigned", unit=unit)
    waiting = raise_problem(world.rail, kaifeng)
    raised_on = date(2021, 2, 1)
    Problem.objects.filter(pk__in=[assigned.pk, waiting.pk]).update(
        created_at=f"{raised_on} 12:00Z"
    )
    Problem.objects.filter(pk=assigned.pk).update(assigned_on=date(2021, 2, 3))
    rows = csv_rows(client, "/opendata/2021/problem-counts.csv")
    assert [(r["place_name"], r["raised"], r["open"]) for r in rows] == [("郑州", "1", "1")]


def test_the_workbook_has_chinese_headers_numbers_and_its_field_dictionary(client, world):
    book = load_workbook(io.BytesIO(body(client.get("/opendata/2021/task-city-quarters.xlsx"))))
    data, fields = book.worksheets
    assert [cell.value for cell in data[1]][:7] == [
        "年度", "季度", "任务编号", "任务", "行政区划代码", "市县", "本季度完成投资"
    ]  # fmt: skip
    assert data["G2"].value == 12.5 and data["G2"].data_type == "n"
    assert fields.title == "数据项说明"
    assert [cell.value for cell in fields[1]] == ["字段", "中文名", "类型", "计量单位", "口径"]
    assert [cell.value for cell in fields[8]] == [
        "amount", "本季度完成投资", "数值", "亿元",
        "已审核报表所报本季度完成投资；为空表示尚无已审核报表。",
    ]  # fmt: skip


def test_a_text_a_spreadsheet_would_run_stays_text(client, world, zhengzhou):
    make_project(world.rail, '=HYPERLINK("http://x")', "start", [zhengzhou])
    rows = csv_rows(client, "/opendata/2021/projects.csv")
    assert rows[0]["name"] == '\'=HYPERLINK("http://x")'
    data = load_workbook(io.BytesIO(body(client.get("/opendata/2021/projects.xlsx")))).worksheets[0]
    assert data["D2"].value == '\'=HYPERLINK("http://x")' and data["D2"].data_type == "s"


def test_each_field_dictionary_is_a_file(client, world):
    rows = csv_rows(client, "/opendata/fields/problem-counts.csv")
    assert rows[-1] == {
        "字段": "closure_rate",
        "中文名": "办结率",
        "类型": "数值",
        "计量单位": "%",
        "口径": "按期办结数除以到期数（已办结或已逾期）；为空表示尚无到期问题。",
    }


def test_the_catalogue_lets_a_portal_harvest_every_file(client, world, settings):
    catalogue = json.loads(body(client.get("/opendata/catalog.jsonld")))
    assert catalogue["@type"] == "dcat:Catalog"
    series = [
        entry for entry in catalogue["dcat:dataset"] if entry["@type"] == "dcat:DatasetSeries"
    ]
    datasets = [entry for entry in catalogue["dcat:dataset"] if entry["@type"] == "dcat:Dataset"]
    assert [entry["@id"] for entry in series] == [f"{settings.SITE_URL}/opendata/2021/"]
    assert len(datasets) == 7  # six, and the key projects as OC4IDS
    for dataset in datasets:
        assert dataset["dcat:inSeries"] == {"@id": series[0]["@id"]}
        fields = dataset["dct:conformsTo"]["@id"]
        if fields.startswith(settings.SITE_URL):
            assert client.get(fields.removeprefix(settings.SITE_URL)).status_code == 200
        for distribution in dataset["dcat:distribution"]:
            path = distribution["dcat:downloadURL"]["@id"].removeprefix(settings.SITE_URL)
            assert client.get(path).status_code == 200, path
    page = client.get("/opendata/2021/").content.decode()
    for dataset in datasets:  # each dataset's id is its row on the year's page
        address, fragment = dataset["@id"].split("#")
        assert address == f"{settings.SITE_URL}/opendata/2021/"
        assert f'id="{fragment}"' in page
    projects = next(d for d in datasets if d["dct:identifier"] == "2021/projects")
    assert projects["dct:temporal"]["dcat:endDate"]["@value"] == "2021-03-31"
    assert projects["dct:title"][0] == {"@language": "zh", "@value": "2021年重点项目"}


def test_only_readers_reach_it_while_the_dashboard_is_not_public(client, world, settings):
    settings.DASHBOARD_PUBLIC = False
    response = client.get("/opendata/2021/projects.csv")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    "url",
    [
        "/opendata/2021/nothing.csv",
        "/opendata/2021/projects.exe",
        "/opendata/1999/units.csv",
        "/opendata/fields/nothing.csv",
    ],
)
def test_an_unknown_file_is_a_404(client, world, url):
    assert client.get(url).status_code == 404


def test_the_command_writes_the_files_the_site_serves(client, world, tmp_path):
    call_command("export_open_data", "2021", str(tmp_path), stdout=io.StringIO())
    for name in ("task-city-quarters.csv", "projects.json", "units.csv"):
        written = (tmp_path / "2021" / name).read_bytes()
        assert written == body(client.get(f"/opendata/2021/{name}")), name
    assert (tmp_path / "fields" / "projects.csv").exists()
    assert json.loads((tmp_path / "catalog.jsonld").read_text())["@type"] == "dcat:Catalog"


def test_the_command_refuses_a_draft_year(world, tmp_path):
    from django.core.management.base import CommandError

    Plan.objects.create(year=2022, title="2022年工作要点", status=Plan.Status.DRAFT)
    with pytest.raises(CommandError, match="没有已印发的2022年工作要点：草稿不发布开放数据。"):
        call_command("export_open_data", "2022", str(tmp_path))


def test_while_sample_data_exists_the_catalogue_says_so_and_the_command_refuses(
    client, world, tmp_path
):
    from django.core.management.base import CommandError

    from investment.models import ProgressReport

    ProgressReport.objects.filter(quarter=1).update(is_sample=True)
    catalogue = json.loads(body(client.get("/opendata/catalog.jsonld")))
    dataset = next(d for d in catalogue["dcat:dataset"] if d["@type"] == "dcat:Dataset")
    assert dataset["dct:description"][0]["@value"].startswith("示例数据，不是真实数据")
    with pytest.raises(CommandError, match="本站载有示例数据，不能作为开放数据发布"):
        call_command("export_open_data", "2021", str(tmp_path))
    call_command("export_open_data", "2021", str(tmp_path), "--sample", stdout=io.StringIO())
    assert (tmp_path / "2021" / "projects.csv").exists()
