"""Small builders for tests of behaviour: each test makes the rows it asserts on."""

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils.timezone import localdate, make_aware

from investment.models import ProgressReport, ProjectUpdate
from people.models import Reporter, UnitContact
from plan.models import City, Corridor, FocusArea, Member, Plan, Unit
from problems.models import Problem, ProblemEntry
from tasks.models import CityAllocation, Project, Task

LEADER_PASSWORD = "a-long-passphrase"  # The leader fixture's (tests/conftest.py).


def make_plan(year: int = 2021, areas: int = 2, tasks: int = 3, **fields) -> Plan:
    """An issued plan holding every city made so far whole (make_city adds later ones)."""
    plan = Plan.objects.create(
        year=year,
        title=f"{year}年工作要点",
        source="测试",
        declared_area_count=areas,
        declared_task_count=tasks,
        **{"status": Plan.Status.ISSUED, **fields},
    )
    held = City.objects.cities().exclude(retired_from__lte=year)
    Member.objects.bulk_create(Member(plan=plan, place=city) for city in held)
    return plan


def make_city(slug: str, name: str, order: int = 0, **fields) -> City:
    """A city, held whole by every plan made so far (a county, with `parent`, by none)."""
    city = City.objects.create(slug=slug, name=name, name_en=slug.title(), order=order, **fields)
    if city.parent_id is None:
        Member.objects.bulk_create(Member(plan=plan, place=city) for plan in Plan.objects.all())
    return city


def make_area(plan: Plan, number: int = 1, name: str = "互联互通") -> FocusArea:
    return FocusArea.objects.create(plan=plan, number=number, name=name, name_en=f"Area {number}")


def make_task(
    area: FocusArea,
    number: int = 1,
    target: str | None = "100",
    cities: list[City] = (),
    title: str = "测试任务",
) -> Task:
    task = Task.objects.create(
        area=area,
        number=number,
        title=title,
        title_en=f"Task {area.number}.{number}",
        target=None if target is None else Decimal(target),
    )
    task.cities.set(cities)
    return task


def make_allocation(task: Task, city: City, amount: str, is_sample: bool = False):
    return CityAllocation.objects.create(
        task=task, city=city, amount=Decimal(amount), is_sample=is_sample
    )


def make_report(
    task: Task,
    city: City,
    quarter: int,
    amount: str,
    status: str = ProgressReport.Status.SUBMITTED,
    is_sample: bool = False,
) -> ProgressReport:
    return ProgressReport.objects.create(
        task=task,
        city=city,
        year=task.area.plan.year,
        quarter=quarter,
        amount=Decimal(amount),
        status=status,
        is_sample=is_sample,
    )


def make_project(task: Task, name: str, goal: str, cities: list[City] = (), **fields) -> Project:
    project = Project.objects.create(task=task, name=name, goal=goal, **fields)
    project.cities.set(cities)
    return project


def make_update(
    project: Project,
    city: City,
    quarter: int,
    stage: str,
    progress: str = "路基施工中",
    status: str = "submitted",
    **fields,
) -> ProjectUpdate:
    """A project section's update for `quarter` of the project's plan year (submitted)."""
    year = project.task.area.plan.year
    return ProjectUpdate.objects.create(
        project=project,
        city=city,
        year=year,
        quarter=quarter,
        stage=stage,
        progress=progress,
        status=status,
        **fields,
    )


def make_problem(
    task: Task,
    city: City,
    raised_on: date,
    status: str = Problem.Status.RAISED,
    unit: Unit | None = None,
    deadline: date | None = None,
    closed_on: date | None = None,
    title: str = "用地指标不足",
    kind: str = Problem.Kind.LAND,
    **fields,
) -> Problem:
    """A problem raised by `city` at noon on `raised_on`, standing at `status` (set directly:
    tests of the steps themselves use Problem.assign and the rest)."""
    problem = Problem.objects.create(
        task=task,
        city=city,
        title=title,
        description="站房用地未落实",
        kind=kind,
        status=status,
        unit=unit,
        deadline=deadline,
        closed_on=closed_on,
        **fields,
    )
    raised_at = make_aware(datetime.combine(raised_on, time(12)))
    Problem.objects.filter(pk=problem.pk).update(created_at=raised_at)
    problem.created_at = raised_at
    return problem


def make_member(username: str, group: str, city: City | None = None, unit: Unit | None = None):
    """A staff account in the role `group`, bound to her city (a reporter) or unit (a contact)."""
    user = get_user_model().objects.create_user(username, password="x", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    if city:
        Reporter.objects.create(user=user, city=city)
    if unit:
        UnitContact.objects.create(user=user, unit=unit)
    return user


def raise_problem(
    task: Task,
    city: City,
    title: str = "用地指标不足",
    status: str = Problem.Status.RAISED,
    unit: Unit | None = None,
    deadline: date | None = None,
    **fields,
) -> Problem:
    """A problem as if its steps up to `status` were taken, with its raised entry (an
    assigned one with `unit`, `deadline` and assigned today)."""
    if unit is not None:
        fields.setdefault("assigned_on", localdate())
    problem = Problem.objects.create(
        task=task,
        city=city,
        title=title,
        description=fields.pop("description", "站房用地未落实"),
        kind=fields.pop("kind", Problem.Kind.LAND),
        status=status,
        unit=unit,
        deadline=deadline,
        **fields,
    )
    ProblemEntry.objects.create(problem=problem, kind="raised", text=problem.description)
    return problem


@dataclass(frozen=True)
class World:
    plan: Plan
    rail: Task
    policy: Task
    industry: Task
    corridor: Corridor


def make_world(zhengzhou: City, kaifeng: City) -> World:
    """The small world most page, figure and workbook tests start from; they add reports.

    Area 1 "互联互通": 1.1 轨道, target 100, Zhengzhou 60 and Kaifeng 40, on the 郑开科创走廊
    corridor (slug "belt"); 1.2 政策, no target, Zhengzhou. Area 2 "产业协同": 2.1 产业, target 50,
    Zhengzhou and Kaifeng, nothing allocated.
    """
    plan = make_plan(areas=2, tasks=3)
    first, second = make_area(plan, 1), make_area(plan, 2, "产业协同")
    corridor = Corridor.objects.create(
        plan=plan, slug="belt", name="郑开科创走廊", kind="innovation"
    )
    corridor.cities.set([zhengzhou, kaifeng])
    rail = make_task(first, 1, "100", [zhengzhou, kaifeng], title="轨道")
    rail.corridor = corridor
    rail.save()
    make_allocation(rail, zhengzhou, "60")
    make_allocation(rail, kaifeng, "40")
    policy = make_task(first, 2, None, [zhengzhou], title="政策")
    industry = make_task(second, 1, "50", [zhengzhou, kaifeng], title="产业")
    return World(plan, rail, policy, industry, corridor)
