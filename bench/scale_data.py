"""A larger world for benchmarks only.

`scale_plan(year)` grows one plan year in place, the office's scale: thirty cities in every
task, the sample data loaded over them (allocations, reports of every status, project updates,
the sample problems), 2,000 more key projects with one to three sections each and their
quarterly updates (approved, submitted, draft and returned as the sample has them), 500 more
problems in every state with their threads, and 40 more units. Run it on a plan without sample
data; the seed world it is measured against is the same plan with `load_sample_data` alone.

`generate(reports=N)` instead adds N reports in new plan years after the last one: a large
table, not a large plan (the 2021 pages never read them).

Every report, update and problem it writes is marked as sample data (the pages show the
banner, and purge_sample_data removes them); its plans, cities, projects and units say "规模测试"
or "测试" in their names. Call these from a benchmark with Django set up.
"""

import io
from dataclasses import replace
from decimal import Decimal

from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.utils.timezone import localdate

from demo.management.commands.load_sample_data import SAMPLE_QUARTERS
from demo.problems import SAMPLE_PROBLEMS, add_problem, sample_units
from figures.cache import reset_generation
from investment.models import ProgressReport, ProjectUpdate
from plan.models import City, FocusArea, Member, Plan, Unit
from problems.models import Problem, ProblemEntry
from tasks.models import CityAllocation, Project, Task

AREAS = 7
TASKS_PER_AREA = 40
CITIES = 30  # The five of 2021, and more as the metropolitan area grows.


def generate(reports: int = 0, projects: int = 0, year: int = 2021) -> str:
    """Add `reports` sample reports, in as many new plan years as they need, and `projects` key
    projects to the plan of `year`, each with sections and an update in each of the sample's
    quarters; say what was made."""
    if reports < 0 or projects < 0 or not reports + projects:
        raise ValueError("reports and projects: at least one, none negative")
    with transaction.atomic():
        cities = scale_cities()
        said = [_projects(Plan.objects.get(year=year), cities, projects)] if projects else []
        if not reports:
            reset_generation()
            return said[0]
        per_year = AREAS * TASKS_PER_AREA * len(cities) * 4
        years = -(-reports // per_year)
        # Run again to grow the world: new years follow the last one.
        first = (Plan.objects.order_by("-year").values_list("year", flat=True).first() or 2021) + 1
        made = 0
        for year in range(first, first + years):
            tasks = _plan(year, cities)
            count = min(per_year, reports - made)
            # Bulk, and so without history or signals: benchmark input, not anybody's record.
            ProgressReport.objects.bulk_create(
                _reports(year, tasks, cities, count), batch_size=5000
            )
            made += count
    reset_generation()
    return "; ".join(
        [*said, f"{made} sample reports over {years} plan years, {len(cities)} cities."]
    )


PROJECTS = 2000
PROBLEMS = 500


def scale_plan(year: int = 2021, projects: int = PROJECTS, problems: int = PROBLEMS) -> str:
    """Grow the plan of `year` in place to the office's scale (see the module's docstring);
    say what it holds then. The plan must have no sample data yet."""
    plan = Plan.objects.get(year=year)
    if CityAllocation.objects.of_plan(plan).exists():
        raise ValueError(f"the {year} plan has allocations already: scale it before the sample")
    with transaction.atomic():
        cities = scale_cities()
        Member.objects.bulk_create(
            (Member(plan=plan, place=city) for city in cities), ignore_conflicts=True
        )
        # Every city joins every task that names cities: the sample shares each task's target
        # over them, and each reports each quarter.
        tasks = list(Task.objects.of_plan(plan).filter(cities__isnull=False).distinct())
        Task.cities.through.objects.bulk_create(
            (Task.cities.through(task=task, city=city) for task in tasks for city in cities),
            ignore_conflicts=True,
        )
    call_command("load_sample_data", year, stdout=io.StringIO())
    with transaction.atomic():
        _projects(plan, cities, projects)
        _problems(plan, cities, problems)
    reset_generation()
    return describe(plan)


def describe(plan: Plan) -> str:
    """What the plan holds: the counts a benchmark states, read from the database."""
    reports = ProgressReport.objects.filter(task__area__plan=plan)
    statuses = ", ".join(
        f"{count:,} {status}"
        for status, count in sorted(
            reports.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
        )
    )
    problems = Problem.objects.filter(task__area__plan=plan)
    states = ", ".join(
        f"{count:,} {status}"
        for status, count in sorted(
            problems.values_list("status").annotate(n=Count("pk")).values_list("status", "n")
        )
    )
    return (
        f"the {plan.year} plan: {Member.objects.filter(plan=plan).count()} cities, "
        f"{Task.objects.of_plan(plan).count()} tasks, {reports.count():,} reports ({statuses}), "
        f"{Project.objects.of_plan(plan).count():,} projects with "
        f"{Project.cities.through.objects.filter(project__task__area__plan=plan).count():,} "
        f"sections and "
        f"{ProjectUpdate.objects.filter(project__task__area__plan=plan).count():,} updates, "
        f"{problems.count():,} problems ({states}) with "
        f"{ProblemEntry.objects.filter(problem__in=problems).count():,} thread entries, "
        f"{Unit.objects.count()} units"
    )


def _problems(plan: Plan, cities: list[City], count: int) -> None:
    """`count` problems cycling through the sample's dozen (each state and colour, with their
    threads), raised by every city against its tasks and projects."""
    units, _made = sample_units()
    today = min(localdate(), plan.quarter_end(max(SAMPLE_QUARTERS)))
    tasks = list(Task.objects.of_plan(plan).order_by("area__number", "number"))
    by_city = {}
    for task, city in Task.cities.through.objects.filter(task__in=tasks).values_list(
        "task", "city"
    ):
        by_city.setdefault(city, []).append(task)
    tasks_by_pk = {task.pk: task for task in tasks}
    for n in range(count):
        spec = SAMPLE_PROBLEMS[n % len(SAMPLE_PROBLEMS)]
        city = cities[n % len(cities)]
        mine = by_city[city.pk]
        task = tasks_by_pk[mine[(n // len(cities)) % len(mine)]]
        title = f"规模测试{n}：{spec.title}"[:100]
        add_problem(replace(spec, title=title), task, city, units, today)


def scale_cities() -> list[City]:
    """The world's cities: those there are, and scale cities up to CITIES."""
    existing = list(City.objects.order_by("order", "slug"))
    extra = City.objects.bulk_create(
        City(slug=f"scale-{n}", name=f"测试市{n}", name_en=f"Scale city {n}", order=100 + n)
        for n in range(len(existing), CITIES)
    )
    return existing + extra


def _plan(year: int, cities: list[City]) -> list[Task]:
    plan = Plan.objects.create(
        year=year,
        title=f"{year}年工作要点（规模测试数据）",
        source="bench/scale_data.py: made up for benchmarks",
        declared_area_count=AREAS,
        declared_task_count=AREAS * TASKS_PER_AREA,
        status=Plan.Status.ISSUED,
    )
    Member.objects.bulk_create(Member(plan=plan, place=city) for city in cities)
    areas = FocusArea.objects.bulk_create(
        FocusArea(plan=plan, number=n, name=f"要点{n}", name_en=f"Area {n}")
        for n in range(1, AREAS + 1)
    )
    tasks = Task.objects.bulk_create(
        Task(area=area, number=n, title=f"任务{area.number}.{n}", target=Decimal(300))
        for area in areas
        for n in range(1, TASKS_PER_AREA + 1)
    )
    Task.cities.through.objects.bulk_create(
        Task.cities.through(task=task, city=city) for task in tasks for city in cities
    )
    CityAllocation.objects.bulk_create(
        CityAllocation(task=task, city=city, amount=Decimal(10), is_sample=True)
        for task in tasks
        for city in cities
    )
    return tasks


def _reports(year: int, tasks: list[Task], cities: list[City], count: int):
    made = 0
    for task in tasks:
        for city in cities:
            for quarter in range(1, 5):
                if made == count:
                    return
                made += 1
                yield ProgressReport(
                    task=task,
                    city=city,
                    year=year,
                    quarter=quarter,
                    amount=Decimal("2.5"),
                    status=ProgressReport.Status.APPROVED,
                    is_sample=True,
                )


GOALS = [Project.Goal.START, Project.Goal.COMPLETE, Project.Goal.ADVANCE, Project.Goal.NOT_STATED]
UNITS = 40
Status = ProjectUpdate.Status
LATEST = [Status.SUBMITTED, Status.DRAFT, Status.RETURNED, Status.APPROVED]
# A section's stage at the end of Q1-Q4, by the project's number: started, finished, or not yet.
STAGES = [
    ["preparation", "preparation", "construction", "construction"],
    ["construction", "construction", "construction", "completed"],
    ["preparation"] * 4,
]


def _projects(plan: Plan, cities: list[City], count: int) -> str:
    """`count` projects over the plan's tasks, each with sections in one to three of the cities
    (which join its task), a lead unit, a supporting unit, and an update in each of the
    sample's quarters."""
    tasks = list(Task.objects.of_plan(plan).order_by("area__number", "number"))
    links = set(Task.cities.through.objects.filter(task__in=tasks).values_list("task", "city"))
    known = Unit.objects.count()  # Run again to grow the world: new names follow.
    units = Unit.objects.bulk_create(
        Unit(name=f"规模测试单位{known + n}", kind=Unit.Kind.OTHER) for n in range(UNITS)
    )
    first = Project.objects.count()
    projects = Project.objects.bulk_create(
        Project(
            task=tasks[n % len(tasks)],
            name=f"规模测试项目{first + n}",
            description="规模测试数据：建设内容",
            goal=GOALS[n % len(GOALS)],
            total_investment=Decimal(100) if n % 3 else None,
            annual_investment=Decimal(20) if n % 3 else None,
            lead_unit=units[n % UNITS],
        )
        for n in range(count)
    )
    sections = [
        (project, cities[(n + k * 7) % len(cities)])
        for n, project in enumerate(projects)
        for k in range(1 + n % 3)
    ]
    Task.cities.through.objects.bulk_create(
        Task.cities.through(task_id=task, city_id=city)
        for task, city in {(p.task_id, c.pk) for p, c in sections} - links
    )
    Project.cities.through.objects.bulk_create(
        Project.cities.through(project=project, city=city) for project, city in sections
    )
    Project.supporting_units.through.objects.bulk_create(
        Project.supporting_units.through(project=project, unit=units[(n + 1) % UNITS])
        for n, project in enumerate(projects)
    )
    # Bulk, and so without history: benchmark input, not anybody's record. As the sample has
    # them: the first two quarters approved, the latest submitted, or a draft, or returned.
    ProjectUpdate.objects.bulk_create(
        (
            ProjectUpdate(
                project=project,
                city=city,
                year=plan.year,
                quarter=quarter,
                stage=STAGES[n % len(STAGES)][quarter - 1],
                progress="规模测试数据：形象进度",
                amount=Decimal("0.5") if n % 2 else None,
                status=LATEST[n % len(LATEST)] if quarter == 3 else Status.APPROVED,
                return_reason="规模测试数据：退回原因" if quarter == 3 and n % 4 == 2 else "",
                ever_submitted=not (quarter == 3 and n % 4 == 1),
                is_sample=True,
            )
            for n, (project, city) in enumerate(sections)
            for quarter in SAMPLE_QUARTERS
        ),
        batch_size=5000,
    )
    made = f"{count} projects with {len(sections)} sections"
    return f"{made} and {len(SAMPLE_QUARTERS) * len(sections)} updates in {plan.year}"
