from decimal import Decimal
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db.models import Sum
from django.utils import translation

from figures.sample import sample_data_exists
from investment.models import ProgressReport, ProjectPhoto, ProjectUpdate
from tasks.models import CityAllocation, Project, Task
from tests.builders import (
    make_allocation,
    make_area,
    make_plan,
    make_project,
    make_report,
    make_task,
    make_update,
)

STAGE_RANK = {"preparation": 0, "construction": 1, "completed": 2}


def run(*args) -> str:
    out = StringIO()
    # As from a shell, in the site's language, whatever page an earlier test drew in English.
    with translation.override(settings.LANGUAGE_CODE):
        call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def sample_2021(sample_world):
    return sample_world


def test_every_sample_row_is_flagged(sample_2021):
    assert ProgressReport.objects.count() == ProgressReport.objects.sample().count() > 0
    assert CityAllocation.objects.count() == CityAllocation.objects.sample().count() > 0
    assert ProjectUpdate.objects.count() == ProjectUpdate.objects.sample().count() > 0


def test_sample_allocations_never_exceed_a_task_target(sample_2021):
    for task in Task.objects.of_plan(sample_2021).with_target():
        allocated = task.allocations.aggregate(total=Sum("amount"))["total"]
        assert allocated <= task.target, task.code


def test_tasks_without_a_target_get_sample_notes_but_no_amounts(sample_2021):
    assert not CityAllocation.objects.filter(task__target__isnull=True).exists()
    notes = ProgressReport.objects.filter(task__target__isnull=True)
    assert notes.exists()
    assert set(notes.values_list("amount", "note")) == {(0, "示例进展，不是真实填报。")}


def sample_updates() -> list[tuple]:
    return list(
        ProjectUpdate.objects.order_by("project", "city", "quarter").values_list(
            "project__name", "city__slug", "quarter", "stage", "progress", "amount", "status"
        )
    )


def test_sample_is_the_same_every_time(sample_2021):
    first = list(ProgressReport.objects.values_list("task__pk", "city__slug", "quarter", "amount"))
    updates = sample_updates()
    run("purge_sample_data")
    run("load_sample_data", "2021")
    again = list(ProgressReport.objects.values_list("task__pk", "city__slug", "quarter", "amount"))
    assert again == first
    assert sample_updates() == updates


def test_loading_the_sample_twice_adds_nothing(sample_2021):
    reports, updates = ProgressReport.objects.count(), ProjectUpdate.objects.count()
    assert "新增 0 条城市分配、0 条季度填报、0 条项目进展" in run("load_sample_data", "2021")
    assert ProgressReport.objects.count() == reports
    assert ProjectUpdate.objects.count() == updates


def test_every_project_section_gets_sample_updates_for_the_first_three_quarters(sample_2021):
    sections = Project.cities.through.objects.filter(project__task__area__plan=sample_2021)
    reported = set(ProjectUpdate.objects.values_list("project", "city"))
    assert reported == set(sections.values_list("project", "city"))
    assert set(ProjectUpdate.objects.values_list("year", "quarter")) == {
        (2021, 1),
        (2021, 2),
        (2021, 3),
    }
    # Q1 and Q2 approved, as the office reviewed them; Q3 submitted, or late (missing).
    statuses = set(ProjectUpdate.objects.values_list("quarter", "status"))
    assert statuses == {(1, "approved"), (2, "approved"), (3, "submitted")}
    late = len(reported) - ProjectUpdate.objects.filter(quarter=3).count()
    assert 0 < late < len(reported) / 4


def test_a_sample_stage_never_goes_back_and_only_a_project_to_complete_is_completed(
    sample_2021,
):
    stages = {}
    for project, city, goal, stage in ProjectUpdate.objects.order_by("quarter").values_list(
        "project", "city", "project__goal", "stage"
    ):
        stages.setdefault((project, city, goal), []).append(stage)
    for (_project, _city, goal), reached in stages.items():
        ranks = [STAGE_RANK[stage] for stage in reached]
        assert ranks == sorted(ranks), reached
        if goal == "complete":
            assert reached[0] == "construction"
        elif goal == "start":
            assert reached[0] == "preparation" and "completed" not in reached
        else:
            assert len(set(reached)) == 1 and reached[0] != "completed"
    goals_met = {
        goal: {tuple(reached) for (_p, _c, g), reached in stages.items() if g == goal}
        for goal in ("start", "complete")
    }
    # Some reach the goal in the sample's three quarters, and some not yet.
    assert ("preparation", "construction", "construction") in goals_met["start"]
    assert ("preparation", "preparation", "preparation") in goals_met["start"]
    assert any(reached[-1] == "completed" for reached in goals_met["complete"])
    assert any(reached[-1] == "construction" for reached in goals_met["complete"])


def test_sample_progress_says_it_is_a_sample_and_amounts_are_given_for_some_only(sample_2021):
    assert all(
        text.startswith("示例：")
        for text in ProjectUpdate.objects.values_list("progress", flat=True)
    )
    with_amount = ProjectUpdate.objects.filter(amount__isnull=False)
    assert 0 < with_amount.count() < ProjectUpdate.objects.count() / 2
    assert not with_amount.filter(stage="preparation").exists()
    assert not ProjectPhoto.objects.exists()


def test_the_named_projects_never_account_for_more_than_was_reported(sample_2021):
    for task, city, quarter in (
        ProjectUpdate.objects.filter(amount__isnull=False)
        .values_list("project__task", "city", "quarter")
        .distinct()
    ):
        invested = ProjectUpdate.objects.filter(
            project__task=task, city=city, quarter=quarter
        ).aggregate(total=Sum("amount"))["total"]
        report = ProgressReport.objects.get(task=task, city=city, quarter=quarter)
        assert invested <= report.amount


def test_a_project_section_with_real_updates_gets_no_sample(plan_2021):
    project = Project.objects.get(name="郑州南站主体工程")
    zhengzhou = project.cities.get()
    real = make_update(project, zhengzhou, 1, "construction", "站房主体施工")
    run("load_sample_data", "2021")
    assert list(project.updates.all()) == [real]
    assert ProjectUpdate.objects.sample().exists()


def test_sample_leaves_tasks_with_real_allocations_alone(plan_2021):
    task = Task.objects.of_plan(plan_2021).by_code("2.2").get()
    zhengzhou = task.cities.get(slug="zhengzhou")
    make_allocation(task, zhengzhou, "80")
    run("load_sample_data", "2021")
    assert list(task.allocations.values_list("amount", "is_sample")) == [(Decimal("80"), False)]
    assert not task.reports.exists()


def test_purge_removes_sample_rows_and_nothing_else(sample_2021):
    task = Task.objects.of_plan(sample_2021).by_code("2.2").get()
    task.allocations.all().delete()
    task.reports.all().delete()
    zhengzhou = task.cities.get(slug="zhengzhou")
    real_allocation = make_allocation(task, zhengzhou, "80")
    real_report = make_report(task, zhengzhou, 1, "20")
    project = Project.objects.get(name="郑州南站主体工程")
    project.updates.all().delete()
    real_update = make_update(project, zhengzhou, 1, "construction", "站房主体施工")
    counts = (
        ProgressReport.objects.sample().count(),
        ProjectUpdate.objects.sample().count(),
        CityAllocation.objects.sample().count(),
    )
    output = run("purge_sample_data")
    assert list(CityAllocation.objects.all()) == [real_allocation]
    assert list(ProgressReport.objects.all()) == [real_report]
    assert list(ProjectUpdate.objects.all()) == [real_update]
    assert output.strip().splitlines() == [
        "已删除 {} 条示例填报、{} 条示例项目进展和 {} 条示例分配。".format(*counts),
        "已删除 12 个示例问题（含 33 条办理记录、0 个附件）和 6 个示例责任单位。",
    ]


@pytest.mark.django_db
def test_sample_for_a_year_without_a_plan_fails_clearly():
    with pytest.raises(CommandError, match="请先运行 load_plan 2030"):
        run("load_sample_data", "2030")


def test_the_admin_shows_the_sample_banner_too(sample_2021, admin_client):
    html = admin_client.get("/admin/").content.decode()
    assert "本站显示的城市分配、季度填报、项目进展和问题是演示用的虚构内容" in html


def test_a_sample_project_update_alone_shows_the_banner(zhengzhou, client, leader):
    task = make_task(make_area(make_plan()), 1, "100", [zhengzhou])
    project = make_project(task, "郑州南站", "complete", [zhengzhou])
    update = make_update(project, zhengzhou, 1, "construction")
    assert not sample_data_exists()
    ProjectUpdate.objects.filter(pk=update.pk).update(is_sample=True)
    assert sample_data_exists()
    client.force_login(leader)
    assert "本站显示的城市分配、季度填报、项目进展和问题" in client.get("/2021/").content.decode()
