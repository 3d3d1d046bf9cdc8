from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum

from plan.models import City, Corridor, FocusArea, Plan
from tasks.models import Milestone, Project, Task
from tests.worlds import PLAN_2030, load, source_text

EXPECTED_AREA_TARGETS = {
    1: None,
    2: Decimal("360"),
    3: Decimal("425"),
    4: Decimal("160"),
    5: Decimal("75"),
    6: Decimal("110"),
}


def test_plan_declares_seven_areas_and_twenty_three_tasks(plan_2021):
    assert plan_2021.title == "2021年郑州都市圈一体化发展工作要点"
    assert plan_2021.declared_area_count == 7
    assert plan_2021.declared_task_count == 23


def test_source_lists_six_areas_and_twenty_two_tasks(plan_2021):
    assert FocusArea.objects.filter(plan=plan_2021).count() == 6
    assert Task.objects.of_plan(plan_2021).count() == 22
    assert not FocusArea.objects.filter(plan=plan_2021, number=7).exists()


def test_area_targets_are_the_sums_the_source_states(plan_2021):
    sums = dict(
        FocusArea.objects.filter(plan=plan_2021)
        .annotate(total=Sum("tasks__target"))
        .values_list("number", "total")
    )
    assert sums == EXPECTED_AREA_TARGETS


def test_all_stated_targets_total_1130_yi(plan_2021):
    total = Task.objects.of_plan(plan_2021).aggregate(total=Sum("target"))["total"]
    assert total == Decimal("1130")
    assert isinstance(total, Decimal)


def test_tasks_without_stated_target_are_area_one_and_task_3_4(plan_2021):
    unstated = [t.code for t in Task.objects.of_plan(plan_2021).filter(target__isnull=True)]
    assert unstated == ["1.1", "1.2", "1.3", "1.4", "3.4"]


def test_every_task_description_is_the_source_text_verbatim(plan_2021):
    source = source_text()
    for task in Task.objects.of_plan(plan_2021).select_related("area"):
        text = task.description
        whole = text in source
        # Where the layout cut a paragraph in two, the two pieces are each verbatim.
        rejoined = any(text[:i] in source and text[i:] in source for i in range(4, len(text) - 3))
        assert whole or (rejoined and task.source_note), task.code


def test_every_stated_target_is_the_figure_in_its_own_text(plan_2021):
    for task in Task.objects.of_plan(plan_2021).with_target().select_related("area"):
        assert f"力争全年完成投资{task.target:.0f}亿元" in task.description, task.code


def test_damaged_source_passages_are_noted(plan_2021):
    noted = {t.code: t.source_note for t in Task.objects.of_plan(plan_2021).exclude(source_note="")}
    assert set(noted) == {"1.3", "2.1", "3.1", "3.4", "4.1", "5.1"}
    assert "标题未载明" in noted["2.1"]
    assert "目标均未载明" in noted["3.4"]


def test_the_unrelated_article_does_not_enter_the_data(plan_2021):
    texts = " ".join(
        f"{t.title}{t.description}{t.source_note}" for t in Task.objects.of_plan(plan_2021)
    ) + " ".join(Milestone.objects.values_list("name", flat=True))
    assert "土豆" not in texts
    assert "甲状腺" not in texts


def test_five_cities_in_display_order(plan_2021):
    assert list(City.objects.values_list("slug", "name")) == [
        ("zhengzhou", "郑州"),
        ("kaifeng", "开封"),
        ("xinxiang", "新乡"),
        ("jiaozuo", "焦作"),
        ("xuchang", "许昌"),
    ]


@pytest.mark.parametrize(
    ("slug", "kind", "members"),
    [
        ("zhengkai-innovation", Corridor.Kind.INNOVATION, {"zhengzhou", "kaifeng"}),
        ("zhengxin", Corridor.Kind.INDUSTRIAL, {"zhengzhou", "xinxiang"}),
        ("kaigangxu", Corridor.Kind.INDUSTRIAL, {"kaifeng", "zhengzhou", "xuchang"}),
        ("zhengjiao", Corridor.Kind.INDUSTRIAL, {"zhengzhou", "jiaozuo"}),
        (
            "yellow-river",
            Corridor.Kind.ECOLOGICAL,
            {"zhengzhou", "kaifeng", "xinxiang", "jiaozuo"},
        ),
    ],
)
def test_corridor_members(plan_2021, slug, kind, members):
    corridor = Corridor.objects.get(slug=slug)
    assert corridor.kind == kind
    assert set(corridor.cities.values_list("slug", flat=True)) == members


@pytest.mark.parametrize(
    ("code", "corridor", "cities"),
    [
        ("1.4", "zhengkai-innovation", {"zhengzhou", "kaifeng"}),
        ("3.2", "zhengkai-innovation", {"zhengzhou", "kaifeng"}),
        ("3.3", "zhengxin", {"zhengzhou", "xinxiang"}),
        ("3.4", "kaigangxu", {"kaifeng", "zhengzhou", "xuchang"}),
        ("3.5", "zhengjiao", {"zhengzhou", "jiaozuo"}),
        ("4.1", "yellow-river", {"zhengzhou", "kaifeng", "xinxiang", "jiaozuo"}),
        ("6.4", None, {"zhengzhou", "kaifeng"}),
        ("2.2", None, {"zhengzhou", "kaifeng", "xinxiang", "jiaozuo", "xuchang"}),
    ],
)
def test_task_cities_and_corridor(plan_2021, code, corridor, cities):
    task = Task.objects.of_plan(plan_2021).by_code(code).select_related("corridor").get()
    assert (task.corridor.slug if task.corridor else None) == corridor
    assert set(task.cities.values_list("slug", flat=True)) == cities


def test_milestones_carry_a_city_only_where_the_source_names_one(plan_2021):
    task = Task.objects.of_plan(plan_2021).by_code("4.2").get()
    assert list(task.milestones.values_list("name", "kind", "city__slug")) == [
        ("新开工建设开封省级湿地公园", Milestone.Kind.START, "kaifeng"),
        ("新开工建设新乡省级湿地公园", Milestone.Kind.START, "xinxiang"),
        ("新开工建设焦作省级湿地公园", Milestone.Kind.START, "jiaozuo"),
        ("新开工建设许昌省级湿地公园", Milestone.Kind.START, "xuchang"),
    ]
    assert not Milestone.objects.filter(due_quarter__isnull=False).exists()


def test_loading_twice_changes_nothing(plan_2021):
    before = {
        model: list(model.objects.order_by("pk").values())
        for model in (Plan, City, Corridor, FocusArea, Task, Milestone, Project)
    }
    output = load()
    after = {model: list(model.objects.order_by("pk").values()) for model in before}
    assert after == before
    assert "新建 0 条" in output
    assert "不在数据库中" not in output


def test_loading_keeps_a_target_staff_corrected_and_says_so(plan_2021):
    task = Task.objects.of_plan(plan_2021).by_code("2.2").get()
    task.target = Decimal("155.5")
    task.save()
    output = load()
    task.refresh_from_db()
    assert task.target == Decimal("155.5")
    assert "保留现有数据" in output
    assert "target" in output


def test_loading_again_does_not_recreate_what_staff_renamed_or_deleted(plan_2021):
    project = Project.objects.get(name="郑州南站主体工程")
    project.name = "郑州南站主体工程(含站房)"
    project.save()
    Task.objects.of_plan(plan_2021).by_code("6.4").get().delete()
    output = load()
    assert not Project.objects.filter(name="郑州南站主体工程").exists()
    assert not Task.objects.of_plan(plan_2021).by_code("6.4").exists()
    assert "文件中有 2 条不在数据库中" in output
    assert "任务 6.4" in output
    assert "重点项目 2.2 郑州南站主体工程" in output


def test_add_missing_restores_a_deleted_task(plan_2021):
    Task.objects.of_plan(plan_2021).by_code("6.4").get().delete()
    out = StringIO()
    call_command("load_plan", "2021", "--add-missing", stdout=out)
    task = Task.objects.of_plan(plan_2021).by_code("6.4").get()
    assert task.milestones.count() == 2
    assert "新建 3 条" in out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("task_lines", "message"),
    [
        (
            "target = 70.5",
            'plan_2030.toml: 任务 1.1: 年度目标须写成带引号的数字，如 "70"；未载入任何数据。',
        ),
        ('target = "七十"', "plan_2030.toml: 任务 1.1: 年度目标 七十 不是数字；未载入任何数据。"),
        ('target = "-5"', "年度投资目标(亿元)不能为负数。"),
        (
            'cities = ["luoyang"]',
            "plan_2030.toml: 任务 1.1: 'luoyang' 缺失或未知；未载入任何数据。",
        ),
    ],
)
def test_a_bad_plan_file_loads_nothing_and_says_where(fixtures_dir, task_lines, message):
    (fixtures_dir / "plan_2030.toml").write_text(PLAN_2030 + task_lines + "\n", encoding="utf-8")
    with pytest.raises(CommandError) as error:
        load("2030")
    assert message in str(error.value)
    assert not Plan.objects.exists()
    assert not City.objects.exists()


@pytest.mark.django_db
def test_a_plan_file_without_a_title_loads_nothing(fixtures_dir):
    text = PLAN_2030.replace('title = "测试任务"\n', "")
    (fixtures_dir / "plan_2030.toml").write_text(text, encoding="utf-8")
    with pytest.raises(CommandError, match=r"任务 1\.1: 'title' 缺失或未知"):
        load("2030")
    assert not Plan.objects.exists()


@pytest.mark.django_db
def test_a_file_that_is_not_toml_is_refused(fixtures_dir):
    (fixtures_dir / "plan_2030.toml").write_text("[plan\n", encoding="utf-8")
    with pytest.raises(CommandError, match="不是有效的 TOML"):
        load("2030")


@pytest.mark.django_db
def test_loading_a_year_without_a_plan_file_fails_clearly():
    with pytest.raises(CommandError, match="找不到文件"):
        load("1999")
    assert not Plan.objects.exists()
