"""The milestones that name a physical project become key projects, with their history.

A database loaded before projects existed holds them as milestones (fixtures/plan_2021.toml
of that time). Each is found by its name as loaded; one that staff renamed is left as it is
and `load_plan 2021 --add-missing` adds its project. The milestone's history is copied into
the project's, its status read only where it is plain (a 建成 milestone done: the project
finished on its done date; a 开工 milestone done: it started on it), then the milestone is
deleted; its own history rows stay. (The stage is what the project's updates report: 0006
removed the project's own stage field, so this writes only dates.)
"""

from django.db import migrations
from django.utils import timezone

# Milestone name -> project name, the source's clause, and the cities the source places it in
# (None: the task's cities), as fixtures/plan_2021.toml records them.
RAIL = "建成郑济高铁郑州至濮阳段、郑州南站主体工程"
ROADS = "开工建设郑州至洛阳高速公路、郑州至辉县高速公路、安罗高速原阳至郑州段、焦平高速荥阳至新密段等"
WATER = "加快推进黄河下游贯孟堤扩建工程、郑州市西水东引、郑开水系(通济渠)连通前期工作"
EXPRESS = "推进开港大道(S317)郑州段、郑开科学大道开封段建设"
PROJECTS = {
    "推进开港大道(S317)郑州段建设": ("开港大道(S317)郑州段", EXPRESS, ["zhengzhou"]),
    "推进郑开科学大道开封段建设": ("郑开科学大道开封段", EXPRESS, ["kaifeng"]),
    "建成郑济高铁郑州至濮阳段": ("郑济高铁郑州至濮阳段", RAIL, None),
    "建成郑州南站主体工程": ("郑州南站主体工程", RAIL, ["zhengzhou"]),
    "开工建设郑州枢纽小李庄车站及外绕线工程": (
        "郑州枢纽小李庄车站及外绕线工程",
        "开工建设郑州枢纽小李庄车站及外绕线工程",
        ["zhengzhou"],
    ),
    "加快郑州城市轨道交通三期建设": (
        "郑州城市轨道交通三期",
        "加快郑州城市轨道交通三期建设",
        ["zhengzhou"],
    ),
    "加快中国移动(河南)数据中心二期等项目建设": (
        "中国移动(河南)数据中心二期",
        "加快中国移动(河南)数据中心二期等项目建设",
        None,
    ),
    "开工建设郑州至洛阳高速公路": ("郑州至洛阳高速公路", ROADS, None),
    "开工建设郑州至辉县高速公路": ("郑州至辉县高速公路", ROADS, None),
    "开工建设安罗高速原阳至郑州段": ("安罗高速原阳至郑州段", ROADS, None),
    "开工建设焦平高速荥阳至新密段": ("焦平高速荥阳至新密段", ROADS, None),
    "加快郑开同城东部供水工程建设": (
        "郑开同城东部供水工程",
        "加快郑开同城东部供水工程建设",
        ["zhengzhou", "kaifeng"],
    ),
    "加快推进黄河下游贯孟堤扩建工程": ("黄河下游贯孟堤扩建工程", WATER, None),
    "加快推进郑州市西水东引": ("郑州市西水东引", WATER, ["zhengzhou"]),
    "推进郑开水系(通济渠)连通前期工作": (
        "郑开水系(通济渠)连通",
        WATER,
        ["zhengzhou", "kaifeng"],
    ),
    "鲲鹏服务器基地等项目建设": ("鲲鹏服务器基地", "鲲鹏服务器基地等项目建设", None),
    "加快中原科技城建设": ("中原科技城", "加快中原科技城建设", None),
    "开工建设焦作南太行等森林公园": (
        "焦作南太行等森林公园",
        "开工建设焦作南太行等森林公园",
        ["jiaozuo"],
    ),
    "建成贾鲁河综合治理郑州段工程": (
        "贾鲁河综合治理郑州段工程",
        "建成贾鲁河综合治理郑州段工程",
        ["zhengzhou"],
    ),
    "加快中欧班列郑州集结中心智慧场站管理平台等示范项目建设": (
        "中欧班列郑州集结中心智慧场站管理平台",
        "加快中欧班列郑州集结中心智慧场站管理平台等示范项目建设",
        ["zhengzhou"],
    ),
}


def facts(kind: str, status: str, done_on) -> dict:
    """What a milestone's status says of its project, where it says it plainly."""
    if status == "done" and kind == "complete":
        return {"actual_finish": done_on}
    if status == "done" and kind == "start":
        return {"actual_start": done_on}
    return {}


def milestones_to_projects(apps, schema_editor):
    Milestone = apps.get_model("tasks", "Milestone")
    Project = apps.get_model("tasks", "Project")
    HistoricalMilestone = apps.get_model("tasks", "HistoricalMilestone")
    HistoricalProject = apps.get_model("tasks", "HistoricalProject")
    for milestone in Milestone.objects.filter(name__in=PROJECTS, kind__in=["start", "complete", "advance"]):
        name, description, slugs = PROJECTS[milestone.name]
        if Project.objects.filter(task_id=milestone.task_id, name=name).exists():
            continue
        common = {"task_id": milestone.task_id, "name": name, "description": description, "goal": milestone.kind}
        project = Project.objects.create(
            **common, **facts(milestone.kind, milestone.status, milestone.done_on)
        )
        task_cities = milestone.task.cities.all()
        cities = task_cities.filter(slug__in=slugs) if slugs else task_cities
        project.cities.set(cities if cities else task_cities)
        past = HistoricalMilestone.objects.filter(id=milestone.pk).exclude(history_type="-")
        for row in past.order_by("history_date", "history_id"):
            HistoricalProject.objects.create(
                id=project.pk,
                **common,
                **facts(row.kind, row.status, row.done_on),
                history_date=row.history_date,
                history_type=row.history_type,
                history_user_id=row.history_user_id,
                history_change_reason=row.history_change_reason,
            )
        HistoricalProject.objects.create(
            id=project.pk,
            **common,
            **facts(milestone.kind, milestone.status, milestone.done_on),
            history_date=timezone.now(),
            history_type="~",
            history_change_reason="由工作节点转为重点项目",
        )
        milestone.delete()


def projects_to_milestones(apps, schema_editor):
    Milestone = apps.get_model("tasks", "Milestone")
    Project = apps.get_model("tasks", "Project")
    names = {project: milestone for milestone, (project, _text, _cities) in PROJECTS.items()}
    for project in Project.objects.filter(name__in=names):
        cities = list(project.cities.all())
        status, done_on = "planned", None
        if project.goal == "complete" and project.actual_finish:
            status, done_on = "done", project.actual_finish
        elif project.goal == "start" and project.actual_start:
            status, done_on = "done", project.actual_start
        Milestone.objects.create(
            task_id=project.task_id,
            name=names[project.name],
            kind=project.goal,
            city=cities[0] if len(cities) == 1 else None,
            status=status if done_on else "planned",
            done_on=done_on,
        )
        project.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tasks", "0004_units_and_projects"),
    ]

    operations = [migrations.RunPython(milestones_to_projects, projects_to_milestones)]
