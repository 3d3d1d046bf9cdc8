"""The key projects as an OC4IDS 0.9 project package: what the plan states, and the approved
updates of closed quarters; nothing the plan does not state, and never a draft."""

import json
import os
from datetime import date
from decimal import Decimal

import pytest

from investment.models import QuarterClose
from plan.models import Unit
from tasks.editions import carry_over
from tasks.models import Milestone, Project
from tests.builders import make_project, make_update, make_world


def package(client, year: int = 2021) -> dict:
    response = client.get(f"/opendata/{year}/oc4ids.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(b"".join(response.streaming_content))


@pytest.fixture
def line(zhengzhou, kaifeng, office, settings):
    settings.DASHBOARD_PUBLIC = True
    world = make_world(zhengzhou, kaifeng)
    unit = Unit.objects.create(name="省交通运输厅", kind="provincial_department")
    project = make_project(
        world.rail, "郑开城际延长线", "start", [zhengzhou, kaifeng],
        national_code="2020-410100-48-01-012345", total_investment=Decimal("12.5"),
        annual_investment=Decimal("3.0001"), planned_start=date(2021, 3, 1), lead_unit=unit,
    )  # fmt: skip
    make_update(
        project, zhengzhou, 1, "construction", "桥梁施工", status="approved", amount=Decimal("2")
    )
    make_update(project, kaifeng, 1, "preparation", "征地中", status="draft", amount=Decimal("9"))
    make_update(
        project, zhengzhou, 2, "construction", "架梁", status="approved", amount=Decimal("1")
    )
    Milestone.objects.create(
        task=world.rail, project=project, name="全线开工", kind="start", due_quarter=2
    )
    QuarterClose.objects.create(plan=world.plan, quarter=1, closed_by=office)
    return project


def test_the_package_says_who_publishes_it_and_under_which_licence(client, line, settings):
    found = package(client)
    assert found["uri"] == f"{settings.SITE_URL}/opendata/2021/oc4ids.json"
    assert (found["version"], found["license"]) == ("0.9", settings.OPEN_DATA_LICENSE_URL)
    assert found["publisher"] == {"name": settings.OPEN_DATA_PUBLISHER}


def test_a_project_is_what_the_plan_states_and_what_closed_quarters_approved(client, line, kaifeng):
    (project,) = package(client)["projects"]
    assert project["id"] == "oc4ids-000000-2020-410100-48-01-012345"
    assert project["identifiers"] == [
        {"id": "2020-410100-48-01-012345", "scheme": "GB/T 40058-2021"}
    ]
    assert (project["title"], project["status"]) == ("郑开城际延长线", "implementation")
    assert project["budget"] == {"amount": {"amount": 1_250_000_000, "currency": "CNY"}}
    assert project["forecasts"][0]["observations"][0]["value"] == {
        "amount": 300_010_000, "currency": "CNY"
    }  # fmt: skip
    assert project["period"] == {"startDate": "2021-03-01T00:00:00+08:00"}
    assert [location["id"] for location in project["locations"]] == ["zhengzhou", "kaifeng"]
    assert project["publicAuthority"] == {"id": f"unit-{line.lead_unit_id}", "name": "省交通运输厅"}
    # Q1 only (Q2 is not closed), Zhengzhou's approved 2 亿元 only (Kaifeng's is a draft).
    (metric,) = project["metrics"]
    assert [(o["id"], o["value"]["amount"]) for o in metric["observations"]] == [
        ("2021Q1", 200_000_000)
    ]
    assert [d["description"] for d in project["documents"]] == ["桥梁施工"]
    assert project["milestones"] == [
        {
            "id": str(Milestone.objects.get().pk),
            "title": "全线开工",
            "type": "delivery",
            "code": "commencement",
            "dueDate": "2021-06-30T23:59:59+08:00",
            "status": "scheduled",
        }
    ]
    assert "sector" not in project  # the plan states none


def test_photos_of_approved_updates_are_illustrations_and_a_drafts_are_not(client, line, settings):
    from investment.models import ProjectPhoto, ProjectUpdate

    approved = ProjectUpdate.objects.get(status="approved", quarter=1)
    draft = ProjectUpdate.objects.get(status="draft")
    shown = ProjectPhoto.objects.create(
        update=approved, image="p.png", width=4, height=3, caption="桥墩"
    )
    ProjectPhoto.objects.create(update=draft, image="q.jpg", width=4, height=3)
    (project,) = package(client)["projects"]
    photos = [d for d in project["documents"] if d["documentType"] == "illustration"]
    assert photos == [
        {
            "id": f"photo-{shown.pk}",
            "documentType": "illustration",
            "title": "桥墩",
            "url": f"{settings.SITE_URL}/photos/{shown.pk}/",
            "format": "image/png",
        }
    ]


def test_nothing_approved_means_no_status_and_no_metrics(client, line):
    QuarterClose.objects.all().delete()
    (project,) = package(client)["projects"]
    assert "status" not in project and "metrics" not in project and "documents" not in project


def test_a_project_without_a_national_code_keeps_its_first_editions_id_in_later_years(
    client, line, office
):
    Project.objects.filter(pk=line.pk).update(national_code="")
    line.refresh_from_db()
    later = carry_over(line.task.area.plan, 2022, [], [line])
    later.status = later.Status.ISSUED
    later.save()
    first = package(client, 2021)["projects"][0]["id"]
    assert first == f"oc4ids-000000-zzmetro-{line.pk}"
    assert package(client, 2022)["projects"][0]["id"] == first


# The review library's own checks, where its schema is at hand: OC4IDS 0.9.5's project-level
# schema and codelists (open-contracting/infrastructure, schema/project-level/), which no
# package registry ships; OC4IDS_SCHEMA_DIR names a copy.
SCHEMA_DIR = os.environ.get("OC4IDS_SCHEMA_DIR", "")


@pytest.mark.skipif(not SCHEMA_DIR, reason="OC4IDS_SCHEMA_DIR names no copy of the 0.9.5 schema")
def test_the_package_passes_the_oc4ids_review_library(client, line, tmp_path):
    from tests.opendata.oc4ids_review import review

    result = review(package(client), SCHEMA_DIR, tmp_path)
    assert result["validation_errors"] == []
    assert result["additional_closed_codelist_values"] == {}
    assert result["conformance_checks"] == [] and result["additional_checks"] == []
