"""The sample problems load_sample_data adds and purge_sample_data removes."""

from collections import Counter
from datetime import date
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils.timezone import localdate, localtime

from figures.sample import sample_data_exists
from plan.models import Unit
from problems.models import Problem, ProblemAttachment, ProblemEntry
from tasks.models import Task
from tests.builders import make_world

Status = Problem.Status
LOADED_ON = date(2021, 6, 30)


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def loaded_on_30_june(plan_2021, monkeypatch):
    monkeypatch.setattr("demo.management.commands.load_sample_data.localdate", lambda: LOADED_ON)
    return run("load_sample_data", "2021")


def sample_problems() -> list[tuple]:
    return list(
        Problem.objects.order_by("pk").values_list(
            "city__slug",
            "task__area__number",
            "task__number",
            "project__name",
            "kind",
            "status",
            "unit__name",
            "assigned_on",
            "deadline",
            "closed_on",
        )
    )


def test_a_dozen_problems_across_the_five_cities_in_every_state_and_colour(sample_world):
    problems = Problem.objects.of_plan(sample_world)
    assert problems.count() == problems.sample().count() == 12
    assert Counter(problems.values_list("city__slug", flat=True)) == {
        "zhengzhou": 3,
        "kaifeng": 3,
        "xinxiang": 2,
        "jiaozuo": 2,
        "xuchang": 2,
    }
    assert Counter(problems.values_list("status", flat=True)) == {
        Status.RAISED: 1,
        Status.ASSIGNED: 5,
        Status.ANSWERED: 2,
        Status.CLOSED: 3,
        Status.REFUSED: 1,
    }
    # Dated back from the end of 2021's last sample quarter, so it shows every colour that day.
    day = min(localdate(), sample_world.quarter_end(3))
    colours = problems.with_colour(day).values_list("colour", flat=True)
    assert Counter(colours) == {"normal": 5, "yellow": 2, "orange": 2, "red": 3}
    assert problems.filter(project__isnull=False).count() == 6


def test_every_sample_text_and_unit_says_it_is_made_up(sample_world):
    problems = Problem.objects.sample()
    assert all(title.startswith("示例：") for title in problems.values_list("title", flat=True))
    assert all(
        text.startswith("示例问题，演示用，并非真实情况：")
        for text in problems.values_list("description", flat=True)
    )
    entries = ProblemEntry.objects.filter(problem__in=problems)
    assert all(text.startswith("示例：") for text in entries.values_list("text", flat=True))
    units = Unit.objects.filter(pk__in=problems.values("unit")) | Unit.objects.filter(
        pk__in=problems.values("supporting_units")
    )
    assert sorted(units.distinct().values_list("name", flat=True)) == sorted(
        Unit.objects.values_list("name", flat=True)
    )
    assert set(Unit.objects.values_list("name", flat=True)) == {
        "示例：自然资源部门",
        "示例：发展改革部门",
        "示例：生态环境部门",
        "示例：交通运输部门",
        "示例：财政部门",
        "示例：跨市协调工作专班",
    }


def test_dates_are_counted_from_the_day_the_sample_is_loaded(loaded_on_30_june):
    assert "日期从 2021-06-30 起倒推" in loaded_on_30_june
    station = Problem.objects.get(title="示例：站房配套工程用地指标未落实")
    assert (station.city.slug, station.task.code, station.project.name) == (
        "zhengzhou",
        "2.2",
        "郑济高铁郑州至濮阳段",
    )
    assert (station.status, station.assigned_on, station.deadline) == (
        Status.ASSIGNED,
        date(2021, 4, 21),
        date(2021, 5, 21),
    )
    assert station.colour(LOADED_ON) == "red" and station.days_late(LOADED_ON) == 40
    assert localtime(station.created_at).date() == date(2021, 4, 19)
    assert [
        (entry.kind, localtime(entry.created_at).date()) for entry in station.entries.all()
    ] == [("raised", date(2021, 4, 19)), ("assigned", date(2021, 4, 21))]
    late = Problem.objects.get(title="示例：数据中心配套供电工程资金未落实")
    assert (late.status, late.deadline, late.closed_on) == (
        Status.CLOSED,
        date(2021, 5, 11),
        date(2021, 5, 21),
    )
    assert late.colour(date(2021, 12, 31)) == "orange"  # It keeps the colour it closed with.
    returned = Problem.objects.get(title="示例：公园建设项目环评尚未批复")
    assert list(returned.entries.values_list("kind", flat=True)) == [
        "raised",
        "assigned",
        "answered",
        "returned",
    ]
    assert returned.status == Status.ASSIGNED and returned.colour(LOADED_ON) == "yellow"


def test_a_raised_problem_has_no_unit_and_a_refused_one_its_reason(loaded_on_30_june):
    raised = Problem.objects.get(status=Status.RAISED)
    assert (raised.unit, raised.deadline, raised.assigned_on) == (None, None, None)
    refused = Problem.objects.get(status=Status.REFUSED)
    assert refused.closed_on == date(2021, 6, 12)
    assert refused.entries.last().text == "示例：不属于都市圈协调事项，由所在市自行研究解决。"


def test_the_sample_problems_are_the_same_every_time(sample_world):
    first = sample_problems()
    run("purge_sample_data")
    assert not Problem.objects.exists() and not Unit.objects.exists()
    run("load_sample_data", "2021")
    assert [row[:7] for row in sample_problems()] == [row[:7] for row in first]
    assert [row[7:] for row in sample_problems()] == [row[7:] for row in first]


def test_loading_the_sample_twice_adds_no_problem(sample_world):
    assert "未新增示例问题：该年度工作要点已有示例问题。" in run("load_sample_data", "2021")
    assert Problem.objects.count() == 12 and Unit.objects.count() == 6


def test_purge_removes_sample_problems_threads_attachments_and_units_only(
    sample_world, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    entry = ProblemEntry.objects.filter(problem__is_sample=True).first()
    attachment = ProblemAttachment.objects.create(
        entry=entry, image=ContentFile(b"png", "photo.png"), width=1, height=1
    )
    stored = tmp_path / attachment.image.name
    assert stored.exists()
    task = Task.objects.of_plan(sample_world).by_code("2.2").get()
    real = Problem.objects.create(
        task=task, city=task.cities.get(slug="zhengzhou"), title="真实问题", description="真实"
    )
    ProblemEntry.objects.create(problem=real, kind="raised", text="真实")
    # The office named a sample unit on a real task: that unit stays.
    task.lead_unit = Unit.objects.get(name="示例：自然资源部门")
    task.save()
    with django_capture_on_commit_callbacks(execute=True):
        output = run("purge_sample_data")
    assert list(Problem.objects.all()) == [real]
    assert list(ProblemEntry.objects.values_list("text", flat=True)) == ["真实"]
    assert not ProblemAttachment.objects.exists() and not stored.exists()
    assert list(Unit.objects.values_list("name", flat=True)) == ["示例：自然资源部门"]
    assert "已删除 12 个示例问题（含 33 条办理记录、1 个附件）和 5 个示例责任单位。" in output
    assert "以下示例责任单位仍被真实数据引用，予以保留：示例：自然资源部门。" in output


def test_sample_problems_alone_bring_up_the_sample_banner(client, leader, zhengzhou, kaifeng):
    world = make_world(zhengzhou, kaifeng)
    problem = Problem.objects.create(
        task=world.rail, city=zhengzhou, title="示例：问题", description="示例", is_sample=True
    )
    client.force_login(leader)
    assert sample_data_exists()
    assert "示例数据" in client.get("/2021/").content.decode()
    problem.delete()
    assert not sample_data_exists()
    assert "示例数据" not in client.get("/2021/").content.decode()
