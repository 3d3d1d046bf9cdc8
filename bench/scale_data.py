"""A larger world for benchmarks only: more plan years, tasks and cities, N reports, and N key
projects with their sections' quarterly updates in one plan year.

Every report and update it writes is marked as sample data (the pages show the banner, and
purge_sample_data removes them); its plans, projects and units say "规模测试" in their names.
Call `generate(reports, projects)` from a benchmark with Django set up.
"""

from decimal import Decimal

from django.db import transaction

from figures.cache import reset_generation
from investment.models import ProgressReport, ProjectUpdate
from plan.models import City, FocusArea, Member, Plan, Unit
from tasks.models import CityAllocation, Project, Task

AREAS = 7
TASKS_PER_AREA = 40
CITIES = 30  # The five of 2021, and more as the metropolitan area grows.


def generate(reports: int = 0, projects: int = 0, year: int = 2021) -> str:
    """Add `reports` sample reports, in as many new plan years as they need, and `projects` key
    projects to the plan of `year`, each with sections and four quarters of updates; say what
    was made."""
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
# A section's stage at the end of Q1-Q4, by the project's number: started, finished, or not yet.
STAGES = [
    ["preparation", "preparation", "construction", "construction"],
    ["construction", "construction", "construction", "completed"],
    ["preparation"] * 4,
]


def _projects(plan: Plan, cities: list[City], count: int) -> str:
    """`count` projects over the plan's tasks, each with sections in one to three of the cities
    (which join its task), a lead unit, a supporting unit, and an update each quarter."""
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
    # Bulk, and so without history: benchmark input, not anybody's record.
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
                status=ProjectUpdate.Status.APPROVED,
                ever_submitted=True,
                is_sample=True,
            )
            for n, (project, city) in enumerate(sections)
            for quarter in range(1, 5)
        ),
        batch_size=5000,
    )
    made = f"{count} projects with {len(sections)} sections"
    return f"{made} and {4 * len(sections)} updates in {plan.year}"
