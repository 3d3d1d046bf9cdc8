"""A reviewer's and an insider's attacks on the key projects: figures at their edges, and a
city's reporter reaching another city's project sections, a sample row, a closed quarter or a
stage going back through any path."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import Q
from django.test import Client
from django.test.utils import CaptureQueriesContext

from figures.rollups import Figures, scope
from investment.models import ProjectPhoto, ProjectUpdate
from people.models import Reporter
from people.roles import REPORTER
from plan.models import Unit
from tasks.models import Project
from tests.builders import make_project, make_report, make_update, make_world
from tests.import_files import project_row, refused, workbook

Goal, Stage, Status = Project.Goal, Project.Stage, ProjectUpdate.Status


@pytest.fixture
def world(zhengzhou, kaifeng):
    return make_world(zhengzhou, kaifeng)


@pytest.fixture
def kf(django_user_model, kaifeng):
    """Kaifeng's reporter, signed in on a client of her own."""
    user = django_user_model.objects.create_user("kf", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=REPORTER))
    Reporter.objects.create(user=user, city=kaifeng)
    client = Client()
    client.force_login(user)
    client.user = user
    return client


# Figures


def test_a_project_finished_by_its_dates_has_started_too(world):
    make_project(world.rail, "甲", Goal.START, [], actual_finish=date(2021, 3, 20))
    counts = Figures(world.plan, 1).projects()
    assert (counts.to_start, counts.started) == (1, 1)


def test_dates_after_the_quarter_do_not_count_yet(world, zhengzhou):
    make_project(
        world.rail,
        "甲",
        Goal.COMPLETE,
        [zhengzhou],
        actual_start=date(2021, 4, 1),
        actual_finish=date(2021, 7, 1),
    )
    counts = [Figures(world.plan, quarter).projects() for quarter in (1, 2, 3)]
    assert [(c.to_complete, c.completed) for c in counts] == [(1, 0), (1, 0), (1, 1)]
    rows = [Figures(world.plan, q).project_rows(Project.objects.all()) for q in (1, 2, 3)]
    assert [r[0].stage for r in rows] == ["", Stage.CONSTRUCTION, Stage.COMPLETED]


def test_the_office_moving_a_stage_back_moves_the_figures_back(world, zhengzhou):
    project = make_project(world.rail, "甲", Goal.START, [zhengzhou])
    make_update(project, zhengzhou, 1, Stage.CONSTRUCTION)
    make_update(project, zhengzhou, 2, Stage.PREPARATION)
    assert Figures(world.plan, 1).projects().started == 1
    assert Figures(world.plan, 2).projects().started == 0
    assert Figures(world.plan, 2).project_rows(Project.objects.all())[0].stage == Stage.PREPARATION


def test_a_project_of_two_cities_is_complete_on_each_citys_page_by_its_own_section(
    world, zhengzhou, kaifeng
):
    project = make_project(world.rail, "甲", Goal.COMPLETE, [zhengzhou, kaifeng])
    make_update(project, zhengzhou, 1, Stage.COMPLETED, amount=Decimal("0.1"))
    make_update(project, kaifeng, 1, Stage.CONSTRUCTION, amount=Decimal("0.2"))
    figures = Figures(world.plan, 1)
    assert figures.projects().completed == 0
    assert figures.projects(city=zhengzhou).completed == 1
    assert figures.projects(city=kaifeng).completed == 0
    assert figures.projects().investment == Decimal("0.3")


def test_amounts_are_exact_decimals_not_floats(world, zhengzhou, kaifeng):
    project = make_project(world.rail, "甲", Goal.START, [zhengzhou, kaifeng])
    for quarter, amount in ((1, "0.1"), (2, "0.2")):
        make_update(project, zhengzhou, quarter, Stage.CONSTRUCTION, amount=Decimal(amount))
    make_update(project, kaifeng, 2, Stage.CONSTRUCTION, amount=Decimal("0.0001"))
    figures = Figures(world.plan, 2)
    row = figures.project_rows(Project.objects.all())[0]
    assert (row.quarter_amount, row.cumulative) == (Decimal("0.2001"), Decimal("0.3001"))
    investment = figures.projects().investment
    assert isinstance(investment, Decimal) and investment == Decimal("0.3001")
    sections = figures.project_sections(project)
    assert [section.cumulative for section in sections] == [Decimal("0.3"), Decimal("0.0001")]


def test_no_amount_is_not_zero_and_zero_is_zero(world, zhengzhou, kaifeng):
    project = make_project(world.rail, "甲", Goal.START, [zhengzhou, kaifeng])
    make_update(project, zhengzhou, 1, Stage.CONSTRUCTION)
    figures = Figures(world.plan, 1)
    assert figures.projects().investment is None
    assert figures.project_rows(Project.objects.all())[0].cumulative is None
    make_update(project, kaifeng, 1, Stage.CONSTRUCTION, amount=Decimal(0))
    assert figures.projects().investment == Decimal(0)
    assert figures.project_rows(Project.objects.all())[0].cumulative == Decimal(0)


def test_drafts_and_returned_updates_never_count_and_submitted_only_without_approved(
    world, zhengzhou, kaifeng
):
    project = make_project(world.rail, "甲", Goal.START, [zhengzhou, kaifeng])
    make_update(project, zhengzhou, 1, Stage.CONSTRUCTION, status=Status.DRAFT, amount=1)
    make_update(project, kaifeng, 1, Stage.CONSTRUCTION, status=Status.RETURNED, amount=2)
    assert Figures(world.plan, 1).projects().started == 0
    assert Figures(world.plan, 1).projects().investment is None
    ProjectUpdate.objects.filter(city=kaifeng).update(status=Status.SUBMITTED)
    assert Figures(world.plan, 1).projects().started == 1
    assert Figures(world.plan, 1, approved_only=True).projects().started == 0
    ProjectUpdate.objects.filter(city=kaifeng).update(status=Status.APPROVED)
    assert Figures(world.plan, 1, approved_only=True).projects().investment == Decimal(2)


def test_the_corridor_share_is_never_over_a_hundred_percent_for_sane_data(world, zhengzhou):
    """The corridor's projects of a task without a target are part of what its reports say."""
    world.policy.corridor = world.corridor
    world.policy.save()
    make_report(world.rail, zhengzhou, 1, "2")
    make_report(world.policy, zhengzhou, 1, "8")
    project = make_project(world.policy, "甲", Goal.START, [zhengzhou])
    make_update(project, zhengzhou, 1, Stage.CONSTRUCTION, amount=Decimal(8))
    page = scope(Figures(world.plan, 1), world.corridor)
    assert page.project_share == Decimal("80.0")


def test_the_shares_of_the_plan_area_and_city_are_of_all_they_report(world, zhengzhou):
    make_report(world.rail, zhengzhou, 1, "2")
    make_report(world.policy, zhengzhou, 1, "8")
    project = make_project(world.policy, "甲", Goal.START, [zhengzhou])
    make_update(project, zhengzhou, 1, Stage.CONSTRUCTION, amount=Decimal(8))
    figures = Figures(world.plan, 1)
    subjects = (world.plan, world.rail.area, zhengzhou)
    assert [scope(figures, s).project_share for s in subjects] == [Decimal("80.0")] * 3
    assert figures.projects(Q(area=world.industry.area)).investment is None


# Another city's sections


UPDATES = "/admin/investment/projectupdate/"
SHEET = "/admin/investment/progressreport/quarter/"


@pytest.fixture
def zz_draft(world, zhengzhou, kaifeng):
    """甲 through both cities: Kaifeng submitted Q1 在建; Zhengzhou's Q1 is a draft."""
    project = make_project(world.rail, "甲工程", Goal.START, [zhengzhou, kaifeng])
    make_update(project, kaifeng, 1, Stage.CONSTRUCTION, "开封已报进度", amount=Decimal(1))
    return make_update(
        project, zhengzhou, 1, Stage.COMPLETED, "郑州草稿进度", status=Status.DRAFT, amount=9
    )


def test_a_reporter_reaches_no_admin_page_of_another_citys_update(kf, zz_draft):
    record = zz_draft.history.first()
    for page in ("change/", "history/", f"history/{record.history_id}/", "delete/"):
        assert kf.get(f"{UPDATES}{zz_draft.pk}/{page}").status_code == 404, page
    assert kf.post(f"{UPDATES}{zz_draft.pk}/delete/", {"post": "yes"}).status_code == 404
    data = {"progress": "改", "stage": Stage.PREPARATION, "seen_version": zz_draft.version}
    assert kf.post(f"{UPDATES}{zz_draft.pk}/change/", data).status_code == 404
    zz_draft.refresh_from_db()
    assert (zz_draft.progress, zz_draft.version) == ("郑州草稿进度", 1)


def test_a_reporter_submits_no_other_citys_update_by_a_forged_selection(kf, zz_draft):
    data = {"action": "submit_reports", "_selected_action": [zz_draft.pk], "reason": ""}
    kf.post(UPDATES, data)
    zz_draft.refresh_from_db()
    assert zz_draft.status == Status.DRAFT


def test_another_citys_draft_shows_on_no_page_to_a_reporter_or_a_leader(
    client, kf, leader, zz_draft, zhengzhou
):
    project = zz_draft.project
    pages = [
        "/2021/?as_of=2021Q1",
        "/2021/projects/?as_of=2021Q1",
        f"/2021/projects/{project.pk}/?as_of=2021Q1",
        "/2021/cities/zhengzhou/?as_of=2021Q1",
        "/2021/areas/1/?as_of=2021Q1",
        "/2021/tasks/1.1/?as_of=2021Q1",
    ]
    client.force_login(leader)
    for reader in (kf, client):
        for url in pages:
            response = reader.get(url)
            assert response.status_code == 200, url
            html = response.content.decode()
            assert "郑州草稿进度" not in html, url
        # The draft's 建成 and 9 亿元 move neither the project's stage nor its investment.
        html = reader.get(f"/2021/projects/{project.pk}/?as_of=2021Q1").content.decode()
        assert '<span class="kpi-value">在建</span>' in html
        assert '<span class="kpi-value">1 <small>亿元</small></span>' in html


def test_the_unit_page_counts_no_draft(client, leader, zz_draft):
    unit = Unit.objects.create(name="郑州市发改委", kind="other")
    Project.objects.filter(pk=zz_draft.project_id).update(lead_unit=unit)
    client.force_login(leader)
    html = client.get(f"/2021/units/{unit.pk}/?as_of=2021Q1").content.decode()
    assert "开封已报进度" in html and "郑州草稿进度" not in html


def test_a_photo_of_another_citys_draft_is_a_404(kf, zz_draft):
    photo = ProjectPhoto.objects.create(update=zz_draft, image="p.jpg", width=4, height=3)
    assert kf.get(f"/photos/{photo.pk}/").status_code == 404


# The city page


def test_the_city_pages_title_is_its_name_and_its_projects_table_shows_once(
    client, leader, zz_draft
):
    client.force_login(leader)
    html = client.get("/2021/cities/zhengzhou/?as_of=2021Q1").content.decode()
    title = html[html.index("<title>") + 7 : html.index("</title>")]
    assert title == "郑州 · 2021年工作要点"
    assert html.count('id="projects-heading"') == 1


# Sample rows


def sample_sheet(world, kaifeng):
    project = make_project(world.rail, "开封港", Goal.START, [kaifeng])
    sample = make_update(
        project, kaifeng, 1, Stage.PREPARATION, "示例进度", status=Status.DRAFT, is_sample=True
    )
    data = {
        "rows-0-task": world.rail.pk,
        "rows-1-task": world.industry.pk,
        "projects-0-project": project.pk,
        "projects-0-progress": "改过的进度",
        "projects-0-stage": Stage.CONSTRUCTION,
        "projects-0-amount": "1",
        "projects-0-seen_version": sample.version,
    }
    return sample, data


def test_a_sample_update_is_read_only_on_the_quarter_sheet(kf, world, kaifeng):
    sample, data = sample_sheet(world, kaifeng)
    html = kf.get(f"{SHEET}?quarter=1").content.decode()
    # Drawn as text among the folded rows, with no input to type into.
    assert 'name="projects-0-progress"' not in html
    folded = html[html.index('<details class="locked-sections">') :]
    assert "1 个项目在此不能修改（已报送、已审核、示例数据或季度已锁定）" in folded
    assert "示例进度" in folded
    kf.post(f"{SHEET}?quarter=1", data)
    sample.refresh_from_db()
    assert (sample.progress, sample.stage, sample.version) == ("示例进度", Stage.PREPARATION, 1)


def test_submitting_the_sheet_leaves_a_sample_draft_alone(kf, world, kaifeng):
    sample, data = sample_sheet(world, kaifeng)
    report = make_report(world.rail, kaifeng, 1, "2", status=Status.DRAFT, is_sample=True)
    unchanged = {"rows-0-amount": "2", "rows-0-cumulative": "2", "rows-0-seen_version": 1}
    kf.post(f"{SHEET}?quarter=1", {**data, **unchanged, "_submit": "1"})
    sample.refresh_from_db()
    assert (sample.status, sample.version) == (Status.DRAFT, 1)
    report.refresh_from_db()
    assert (report.status, report.version) == (Status.DRAFT, 1)


# A stage going back, seen from a later quarter


@pytest.fixture
def returned_q1(world, kaifeng):
    """开封港 in Kaifeng: Q1 在建 returned by the office after Q2 was submitted 在建."""
    project = make_project(world.rail, "开封港", Goal.START, [kaifeng])
    first = make_update(project, kaifeng, 1, Stage.CONSTRUCTION, "基础", status=Status.RETURNED)
    make_update(project, kaifeng, 2, Stage.CONSTRUCTION, "主体")
    return first


LATER = (
    "季度末阶段：第2季度报送为“在建”，阶段不能倒退，此前的季度不能为“建成”。"
    "如第2季度有误，请联系都市圈办公室。"
)


def test_a_reporter_cannot_make_an_earlier_quarter_overtake_a_later_one_in_the_admin(
    kf, returned_q1
):
    data = {
        "stage": Stage.COMPLETED,
        "amount": "",
        "progress": "基础",
        "seen_version": returned_q1.version,
        "photos-TOTAL_FORMS": "0",
        "photos-INITIAL_FORMS": "0",
    }
    response = kf.post(f"{UPDATES}{returned_q1.pk}/change/", data)
    assert response.status_code == 200
    assert LATER in response.content.decode()
    returned_q1.refresh_from_db()
    assert returned_q1.stage == Stage.CONSTRUCTION


def test_a_reporter_cannot_make_an_earlier_quarter_overtake_a_later_one_on_the_sheet(
    kf, world, returned_q1
):
    data = {
        "rows-0-task": world.rail.pk,
        "rows-1-task": world.industry.pk,
        "projects-0-project": returned_q1.project_id,
        "projects-0-progress": "基础",
        "projects-0-stage": Stage.COMPLETED,
        "projects-0-amount": "",
        "projects-0-seen_version": returned_q1.version,
    }
    response = kf.post(f"{SHEET}?quarter=1", data)
    assert LATER in response.content.decode()
    returned_q1.refresh_from_db()
    assert returned_q1.stage == Stage.CONSTRUCTION


def test_a_reporter_cannot_make_an_earlier_quarter_overtake_a_later_one_by_import(
    tmp_path, kf, returned_q1
):
    content = workbook(reports=(), projects=[project_row(quarter=1, stage="建成", amount=None)])
    assert f"重点项目表第 2 行：{LATER}" in refused(tmp_path, content)


def test_the_office_may_correct_an_earlier_quarter_past_a_later_one(returned_q1):
    office = get_user_model().objects.create_superuser("office2", password="x")
    returned_q1.stage = Stage.COMPLETED
    assert returned_q1.stage_error(office) is None


# The project admin


def test_the_office_cannot_take_a_city_that_reported_out_of_a_project(
    admin_client, zz_draft, zhengzhou, kaifeng
):
    project = zz_draft.project
    data = {"task": project.task_id, "name": project.name, "goal": project.goal}
    response = admin_client.post(
        f"/admin/tasks/project/{project.pk}/change/", {**data, "cities": [zhengzhou.pk]}
    )
    assert response.status_code == 200
    assert "城市：开封已报送该项目的进展，不能移除。" in response.content.decode()
    assert set(project.cities.all()) == {zhengzhou, kaifeng}
    # A city with no update may go.
    ProjectUpdate.objects.filter(city=zhengzhou).delete()
    response = admin_client.post(
        f"/admin/tasks/project/{project.pk}/change/", {**data, "cities": [kaifeng.pk]}
    )
    assert response.status_code == 302
    assert list(project.cities.all()) == [kaifeng]


# Query counts


def more_projects(world, zhengzhou, kaifeng, count: int) -> None:
    first = Project.objects.count()
    for number in range(first, first + count):
        project = make_project(world.rail, f"工程{number}", Goal.START, [zhengzhou, kaifeng])
        for city in (zhengzhou, kaifeng):
            make_update(project, city, 1, Stage.CONSTRUCTION, amount=Decimal(1))
        make_update(project, zhengzhou, 2, Stage.COMPLETED, status=Status.DRAFT)


@pytest.mark.parametrize(
    "url",
    [
        "/2021/cities/zhengzhou/",
        "/2021/tasks/1.1/",
        "/2021/projects/?city=zhengzhou&met=1",
        "/2021/projects/?goal=start&met=0&area=1",
    ],
)
def test_the_pages_listing_projects_run_as_many_queries_with_more_projects(
    client, leader, world, zhengzhou, kaifeng, url
):
    client.force_login(leader)

    def counted() -> int:
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    more_projects(world, zhengzhou, kaifeng, 2)
    few = counted()
    more_projects(world, zhengzhou, kaifeng, 8)
    assert counted() == few
