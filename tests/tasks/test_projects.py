from datetime import date
from decimal import Decimal
from importlib import import_module
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from tasks.models import Milestone, Project, Task
from tests.builders import make_area, make_plan, make_task
from tests.worlds import PLAN_2030, load, source_text

ALL_FIVE = ["zhengzhou", "kaifeng", "xinxiang", "jiaozuo", "xuchang"]
START, COMPLETE, ADVANCE = Project.Goal.START, Project.Goal.COMPLETE, Project.Goal.ADVANCE
FIXTURE_PROJECTS = [
    ("2.1", "开港大道(S317)郑州段", ADVANCE, ["zhengzhou"]),
    ("2.1", "郑开科学大道开封段", ADVANCE, ["kaifeng"]),
    ("2.2", "郑济高铁郑州至濮阳段", COMPLETE, ALL_FIVE),
    ("2.2", "郑州南站主体工程", COMPLETE, ["zhengzhou"]),
    ("2.2", "郑州枢纽小李庄车站及外绕线工程", START, ["zhengzhou"]),
    ("2.2", "郑州城市轨道交通三期", ADVANCE, ["zhengzhou"]),
    ("2.3", "中国移动(河南)数据中心二期", ADVANCE, ALL_FIVE),
    ("2.4", "郑州至洛阳高速公路", START, ALL_FIVE),
    ("2.4", "郑州至辉县高速公路", START, ALL_FIVE),
    ("2.4", "安罗高速原阳至郑州段", START, ALL_FIVE),
    ("2.4", "焦平高速荥阳至新密段", START, ALL_FIVE),
    ("2.5", "郑开同城东部供水工程", ADVANCE, ["zhengzhou", "kaifeng"]),
    ("2.5", "黄河下游贯孟堤扩建工程", ADVANCE, ALL_FIVE),
    ("2.5", "郑州市西水东引", ADVANCE, ["zhengzhou"]),
    ("2.5", "郑开水系(通济渠)连通", ADVANCE, ["zhengzhou", "kaifeng"]),
    ("3.1", "鲲鹏服务器基地", ADVANCE, ALL_FIVE),
    ("3.2", "中原科技城", ADVANCE, ["zhengzhou", "kaifeng"]),
    ("4.2", "焦作南太行等森林公园", START, ["jiaozuo"]),
    ("4.2", "贾鲁河综合治理郑州段工程", COMPLETE, ["zhengzhou"]),
    ("5.1", "中欧班列郑州集结中心智慧场站管理平台", ADVANCE, ["zhengzhou"]),
]


def loaded_projects() -> list:
    return [
        (
            project.task.code,
            project.name,
            project.goal,
            [city.slug for city in project.cities.order_by("order")],
        )
        for project in Project.objects.select_related("task__area").order_by("pk")
    ]


def test_the_fixtures_named_projects_load_with_their_goals_and_cities(plan_2021):
    assert loaded_projects() == FIXTURE_PROJECTS


def test_zhengji_high_speed_rail_is_to_be_completed(plan_2021):
    project = Project.objects.get(name="郑济高铁郑州至濮阳段")
    assert project.goal == "complete"
    assert project.get_goal_display() == "建成"
    assert project.description == "建成郑济高铁郑州至濮阳段、郑州南站主体工程"


def test_every_project_name_and_description_is_the_sources_words(plan_2021):
    source = source_text()
    for project in Project.objects.all():
        assert project.name in project.description, project.name
        text = project.description
        rejoined = any(text[:i] in source and text[i:] in source for i in range(4, len(text) - 3))
        assert text in source or (rejoined and project.task.source_note), project.name


def test_no_project_has_an_amount_or_a_date_the_source_does_not_give(plan_2021):
    assert not Project.objects.exclude(
        total_investment=None,
        annual_investment=None,
        planned_start=None,
        planned_finish=None,
        actual_start=None,
        actual_finish=None,
        latitude=None,
        longitude=None,
    ).exists()
    assert not Project.objects.exclude(lead_unit=None).exists()


def test_deliverables_stay_milestones_and_projects_are_no_longer_milestones(plan_2021):
    assert Milestone.objects.get(name="组建河南省产业技术研究院").kind == Milestone.Kind.OTHER
    assert Milestone.objects.get(name="编制出台郑州都市圈轨道交通线网规划").kind == "draft"
    assert not Milestone.objects.filter(name__contains="郑济高铁").exists()
    assert not Milestone.objects.filter(kind=Milestone.Kind.COMPLETE).exists()
    assert Milestone.objects.count() == 37


def test_loading_twice_keeps_what_staff_changed_in_a_project_and_says_so(plan_2021):
    project = Project.objects.get(name="郑州城市轨道交通三期")
    project.goal = Project.Goal.COMPLETE
    project.annual_investment = Decimal("12.5")
    project.save()
    project.cities.add(project.task.cities.get(slug="kaifeng"))
    output = load()
    project.refresh_from_db()
    assert (project.goal, project.annual_investment) == ("complete", Decimal("12.5"))
    assert set(project.cities.values_list("slug", flat=True)) == {"zhengzhou", "kaifeng"}
    assert Project.objects.count() == 20
    assert "新建 0 条" in output
    assert "保留现有数据，其 goal, cities 与文件不同：郑州城市轨道交通三期" in output


def test_add_missing_brings_back_a_deleted_project(plan_2021):
    Project.objects.get(name="鲲鹏服务器基地").delete()
    assert "重点项目 3.1 鲲鹏服务器基地" in load()
    assert not Project.objects.filter(name="鲲鹏服务器基地").exists()
    out = StringIO()
    call_command("load_plan", "2021", "--add-missing", stdout=out)
    project = Project.objects.get(name="鲲鹏服务器基地")
    assert (project.goal, project.cities.count()) == ("advance", 5)
    assert "新建 1 条" in out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            'projects = [{ name = "测试工程", goal = "finish" }]',
            "重点项目 1.1 测试工程: 年度目标: 值 'finish' 不是有效选项。；未载入任何数据。",
        ),
        (
            'projects = [{ name = "测试工程" }]',
            "重点项目 1.1 测试工程: 'goal' 缺失或未知；未载入任何数据。",
        ),
        (
            'cities = ["kaifeng"]\nprojects = [{ name = "测试工程", goal = "start", '
            'cities = ["xuchang"] }]',
            "重点项目 1.1 测试工程: 许昌 不参与该项目所属的任务；未载入任何数据。",
        ),
    ],
)
def test_a_bad_project_in_the_plan_file_loads_nothing(fixtures_dir, line, message):
    (fixtures_dir / "plan_2030.toml").write_text(PLAN_2030 + line + "\n", encoding="utf-8")
    with pytest.raises(CommandError) as error:
        load("2030")
    assert message in str(error.value)
    assert not Project.objects.exists()
    assert not Task.objects.exists()


@pytest.fixture
def project(db, zhengzhou, kaifeng):
    task = make_task(make_area(make_plan()), target="100", cities=[zhengzhou, kaifeng])
    project = Project.objects.create(task=task, name="测试工程", goal=Project.Goal.START)
    project.cities.set([zhengzhou])
    return project


def refused(obj) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as error:
        obj.full_clean()
    return error.value.message_dict


def test_an_actual_finish_before_the_actual_start_is_refused(project):
    project.actual_start = date(2021, 5, 1)
    project.actual_finish = date(2021, 4, 30)
    assert refused(project) == {"actual_finish": ["实际竣工日期：不能早于实际开工日期。"]}


def test_a_planned_finish_before_the_planned_start_is_refused(project):
    project.planned_start = date(2021, 5, 1)
    project.planned_finish = date(2021, 1, 1)
    assert refused(project) == {"planned_finish": ["计划竣工日期：不能早于计划开工日期。"]}


def test_finishing_on_the_day_it_started_is_accepted(project):
    project.actual_start = project.actual_finish = date(2021, 5, 1)
    project.full_clean()


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("total_investment", "总投资(亿元)不能为负数。"),
        ("annual_investment", "年度计划投资(亿元)不能为负数。"),
    ],
)
def test_a_negative_amount_is_refused_naming_the_field(project, field, message):
    setattr(project, field, Decimal("-0.5"))
    assert refused(project) == {field: [message]}


def test_a_latitude_beyond_ninety_is_refused(project):
    project.latitude = Decimal("91")
    assert refused(project) == {"latitude": ["纬度：须在 -90 到 90 之间。"]}


def test_a_second_project_of_one_name_in_a_task_is_refused(project):
    twin = Project(task=project.task, name="测试工程", goal=Project.Goal.START)
    assert refused(twin) == {"__all__": ["名称：该任务已有同名的重点项目。"]}


def test_a_milestone_of_another_tasks_project_is_refused(project):
    other = make_task(project.task.area, 2)
    milestone = Milestone(task=other, project=project, name="节点", kind="advance")
    assert refused(milestone) == {"project": ["重点项目：该项目属于另一项任务。"]}


def test_the_projects_planned_investment_over_the_target_is_a_warning(project, kaifeng):
    assert project.task.projects_over_target() is None
    project.annual_investment = Decimal("60")
    project.save()
    Project.objects.create(task=project.task, name="二期", annual_investment=Decimal("40.5"))
    assert project.task.projects_over_target() == (
        "任务 1.1 的重点项目年度计划投资合计 100.5 亿元，超过任务年度目标 100 亿元。"
    )


def test_milestones_that_name_a_project_become_projects_with_their_history(plan_2021, settings):
    """tasks/migrations/0005 on a database loaded before projects existed."""
    settings.MIGRATION_MODULES = {}  # The suite's tables come from the models; read the files.
    migration = import_module("tasks.migrations.0005_milestones_become_projects")
    # Run against today's schema: 0006 has since removed the project's stage.
    state = MigrationLoader(connection).project_state(("tasks", "0006_project_stage_from_updates"))
    Project.objects.get(name="郑州南站主体工程").delete()
    task = Task.objects.of_plan(plan_2021).by_code("2.2").get()
    milestone = Milestone.objects.create(
        task=task,
        name="建成郑州南站主体工程",
        kind="complete",
        city=task.cities.get(slug="zhengzhou"),
    )
    milestone.status, milestone.done_on = Milestone.Status.DONE, date(2021, 12, 20)
    milestone.save()
    migration.milestones_to_projects(state.apps, None)
    project = Project.objects.get(name="郑州南站主体工程")
    assert (project.task, project.goal, project.actual_finish) == (
        task,
        "complete",
        date(2021, 12, 20),
    )
    assert list(project.cities.values_list("slug", flat=True)) == ["zhengzhou"]
    history = project.history.order_by("history_id")
    assert list(history.values_list("history_type", "actual_finish")) == [
        ("+", None),
        ("~", date(2021, 12, 20)),
        ("~", date(2021, 12, 20)),
    ]
    assert project.history.first().history_change_reason == "由工作节点转为重点项目"
    assert not Milestone.objects.filter(name="建成郑州南站主体工程").exists()
    assert Milestone.history.filter(name="建成郑州南站主体工程").count() == 2
