"""A draft plan is the office's alone: the admin's lists, pages, filters and autocompletes, and
the photos and attachments of its rows, show it to no one else."""

import pytest
from django.core.files.base import ContentFile

from investment.models import ProjectPhoto
from plan.models import Corridor, FocusArea, Plan
from problems.models import Problem, ProblemAttachment
from tasks.editions import carry_over
from tests.builders import (
    make_member,
    make_project,
    make_update,
    make_world,
    raise_problem,
)

pytestmark = pytest.mark.django_db

SECRET_TITLE = "二〇二二机密草稿标题"
SECRET_AREA = "机密草稿要点"
SECRET_CORRIDOR = "机密草稿走廊"


@pytest.fixture
def drafted(zhengzhou, kaifeng, office):
    world = make_world(zhengzhou, kaifeng)
    project = make_project(world.rail, "郑开城际", "complete", [zhengzhou, kaifeng])
    draft = carry_over(world.plan, 2022, [world.rail], [project])
    draft.title = SECRET_TITLE
    draft.save()
    area = FocusArea.objects.create(plan=draft, number=7, name=SECRET_AREA)
    Corridor.objects.create(plan=draft, slug="secret", name=SECRET_CORRIDOR, kind="innovation")
    carried = project.successor
    # The office entered a counted update with a photo into the draft (or the plan went back to
    # draft after being issued).
    update = make_update(carried, zhengzhou, 1, "construction")
    update.year = 2022
    update.save()
    photo = ProjectPhoto.objects.create(
        update=update, image=ContentFile(b"\xff\xd8\xff", name="photo.jpg"), width=4, height=3
    )
    task = carried.task
    problem = raise_problem(task, zhengzhou, status=Problem.Status.ASSIGNED)
    attachment = ProblemAttachment.objects.create(
        entry=problem.entries.get(),
        image=ContentFile(b"\xff\xd8\xff", name="photo.jpg"),
        width=4,
        height=3,
    )
    return world, draft, area, photo, attachment, problem


@pytest.fixture
def users(zhengzhou, leader):
    reporter = make_member("zz", "市级填报员", city=zhengzhou)
    return {"leader": leader, "reporter": reporter}


@pytest.mark.parametrize("who", ["reporter"])  # leaders are not staff
def test_plan_admin_list_and_change_page_hide_a_draft(client, drafted, users, who):
    _world, draft, *_ = drafted
    client.force_login(users[who])
    seen = {
        "list": SECRET_TITLE in client.get("/admin/plan/plan/").content.decode(),
        "change": SECRET_TITLE
        in client.get(f"/admin/plan/plan/{draft.pk}/change/").content.decode(),
        "history": SECRET_TITLE
        in client.get(f"/admin/plan/plan/{draft.pk}/history/").content.decode(),
        "admin home ?year=2022": client.get("/admin/?year=2022").status_code == 200,
        "task list ?area__plan": SECRET_TITLE in client.get("/admin/tasks/task/").content.decode(),
    }
    assert not any(seen.values()), seen


@pytest.mark.parametrize("who", ["reporter"])  # leaders are not staff
def test_focus_area_admin_hides_a_draft_s_areas(client, drafted, users, who):
    _world, _draft, area, *_ = drafted
    client.force_login(users[who])
    assert SECRET_AREA not in client.get("/admin/plan/focusarea/").content.decode()
    assert client.get(f"/admin/plan/focusarea/{area.pk}/change/").status_code in (403, 404, 302)


@pytest.mark.parametrize("who", ["reporter"])  # leaders are not staff
def test_corridor_admin_hides_a_draft_s_corridors(client, drafted, users, who):
    client.force_login(users[who])
    assert SECRET_CORRIDOR not in client.get("/admin/plan/corridor/").content.decode()


@pytest.mark.parametrize("who", ["reporter"])  # leaders are not staff
def test_autocomplete_of_areas_and_corridors_hides_a_draft(client, drafted, users, who):
    client.force_login(users[who])
    for field in ("area", "corridor"):
        response = client.get(
            f"/admin/autocomplete/?app_label=tasks&model_name=task&field_name={field}&term="
        )
        body = response.content.decode("unicode_escape") if response.status_code == 200 else ""
        assert SECRET_AREA not in body and SECRET_CORRIDOR not in body, (field, body[:300])


@pytest.mark.parametrize("who", ["reporter"])  # leaders are not staff
def test_task_changelist_does_not_name_the_draft_plan(client, drafted, users, who):
    client.force_login(users[who])
    html = client.get("/admin/tasks/task/").content.decode()
    assert "2022" not in html  # the coverage line, the plan filter
    assert SECRET_TITLE not in html
    assert SECRET_AREA not in html  # the area filter


@pytest.mark.parametrize("who", ["leader", "reporter"])
def test_a_draft_plan_s_project_photo_is_not_served(client, drafted, users, who):
    *_, photo, _attachment, _problem = drafted
    client.force_login(users[who])
    assert client.get(f"/photos/{photo.pk}/").status_code == 404


def test_a_draft_plan_s_problem_attachment_is_not_served(client, drafted, users):
    *_, attachment, _problem = drafted
    client.force_login(users["leader"])
    assert client.get(f"/problem-attachments/{attachment.pk}/").status_code == 404


DRAFT_URLS = [
    "/2022/",
    "/2022/?as_of=2022Q1",
    "/2022/cities/zhengzhou/",
    "/2022/areas/1/",
    "/2022/corridors/belt/",
    "/2022/tasks/1.1/",
    "/2022/projects/",
    "/2022/rankings/",
    "/2022/problems/",
    "/2022/bulletins/",
    "/2022/bulletin/",
    "/2022/export.xlsx",
    "/2022/reports.csv",
    "/2022/cities/zhengzhou/export.xlsx",
    "/2022/tasks/1.1/reports.csv",
    "/2022/projects/export.xlsx",
    "/2022/problems/export.xlsx",
    "/2022/rankings/export.xlsx",
    "/2022/bulletins/export.xlsx",
    "/2022/bulletin/bulletin.docx",
    "/2022/template.xlsx?city=zhengzhou&quarter=1",
]


@pytest.mark.parametrize("who", ["anonymous", "leader", "reporter", "contact"])
def test_no_dashboard_address_of_a_draft_opens(client, settings, drafted, users, who):
    from plan.models import Unit

    settings.DASHBOARD_PUBLIC = True
    _world, _draft, _area, photo, _attachment, problem = drafted
    unit = Unit.objects.create(name="郑州市发改委", kind="city_government")
    users["contact"] = make_member("unit", "责任单位联络员", unit=unit)
    if who != "anonymous":
        client.force_login(users[who])
    project = photo.update.project
    urls = [
        *DRAFT_URLS,
        f"/2022/projects/{project.pk}/",
        f"/2022/units/{unit.pk}/",
        f"/2022/units/{unit.pk}/export.xlsx",
        f"/2022/problems/{problem.pk}/",
    ]
    opened = {}
    for url in urls:
        response = client.get(url)
        if response.status_code == 200:
            opened[url] = 200
        assert response.status_code != 500, url
    assert opened == {}


@pytest.mark.parametrize(
    "url",
    [
        "/admin/investment/progressreport/",
        "/admin/investment/projectupdate/",
        "/admin/tasks/project/",
        "/admin/tasks/milestone/",
        "/admin/problems/problem/",
        "/admin/?year=2021",
    ],
)
def test_reporter_admin_lists_do_not_name_a_draft_s_areas(client, drafted, users, url):
    client.force_login(users["reporter"])
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    assert SECRET_AREA not in html and SECRET_TITLE not in html and SECRET_CORRIDOR not in html


def test_the_task_list_never_says_none_for_a_count_not_stated(client, office, zhengzhou, kaifeng):
    world = make_world(zhengzhou, kaifeng)
    Plan.objects.filter(pk=world.plan.pk).update(declared_task_count=None)
    client.force_login(office)
    html = client.get("/admin/tasks/task/").content.decode()
    assert "None" not in html.split('class="coverage-list"')[1].split("</ul>")[0]
