"""Every cross-model figure the pages, workbooks and documents show, computed in the database.

`Figures(plan, as_of, approved_only)` answers for one plan at the end of one quarter; its
methods return small frozen dataclasses. `scope(figures, subject)` gathers what one page (and so
its workbook) shows for the plan, an area, a city, a corridor or a task.
"""

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.db.models import Count, DecimalField, Exists, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from figures.cache import kept
from figures.problems import ProblemCounts, ProblemFigures, ProblemRow, ProblemWarning
from figures.progress import Pace, Progress, wan
from figures.projects import (
    ProjectCounts,
    ProjectDigest,
    ProjectFigures,
    ProjectRow,
    SectionProgress,
)
from figures.rankings import Rankings, rankings
from investment.coverage import OwedTask, ReportingCoverage, owed_reports, reporting_coverage
from investment.models import ProgressReport, ProjectUpdate, QuarterClose
from plan.models import City, Corridor, FocusArea, Plan, Unit
from problems.models import Problem
from tasks.models import CityAllocation, Milestone, Project, Task, with_coverage

ALL = Q()  # Every task: the default filter of the methods that take one.
ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=16, decimal_places=4))


@dataclass(frozen=True)
class TaskProgress:
    task: Task
    progress: Progress


@dataclass(frozen=True)
class AreaProgress:
    area: FocusArea
    progress: Progress
    excluded: Decimal  # completed on tasks without a stated target (or allocation), not in %


@dataclass(frozen=True)
class CityProgress:
    city: City
    progress: Progress  # against the city's allocations
    unallocated_completed: Decimal  # completed on tasks the city has no allocation for


@dataclass(frozen=True)
class CorridorProgress:
    corridor: Corridor
    progress: Progress
    excluded: Decimal = Decimal(0)  # completed on the corridor's tasks without a stated target


@dataclass(frozen=True)
class CityQuarters:
    """One city's line of a task: each quarter's amount, and the cumulative against allocation."""

    city: City
    quarters: list[Decimal | None]
    progress: Progress


@dataclass(frozen=True)
class TaskCityQuarter:
    """One city's line of one task in one quarter: the quarter's amount (None: none counted)
    and the cumulative through it, beside the city's allocation (None: none made)."""

    task: Task
    city: City
    quarter: int
    amount: Decimal | None
    cumulative: Decimal
    allocation: Decimal | None


@dataclass(frozen=True)
class PlanProgress:
    progress: Progress
    excluded: Decimal
    unallocated_target: Decimal | None  # the stated target not yet allocated; None: none stated


@dataclass(frozen=True)
class Targets:
    """Stated annual targets; tasks without a stated target are counted, never summed as 0."""

    stated: Decimal
    task_count: int
    unstated_count: int

    @property
    def none_stated(self) -> bool:
        """The plan states no target at all (the 2020 summary): "not stated", never 0 亿元."""
        return self.unstated_count == self.task_count


@dataclass(frozen=True)
class Coverage:
    """How much of what the plan declares its source lists."""

    listed_areas: int
    declared_areas: int | None  # None: the source does not say how many
    listed_tasks: int
    declared_tasks: int | None

    @property
    def declared(self) -> bool:
        return self.declared_areas is not None and self.declared_tasks is not None


@dataclass(frozen=True)
class QuarterPoint:
    quarter: int
    completed: Decimal | None  # cumulative through the quarter; None after the as-of quarter
    expected: Decimal | None  # what the pace expects of the stated target; None: none stated


@dataclass(frozen=True)
class MilestoneCounts:
    total: int
    done: int
    due: int  # due by the as-of quarter
    overdue: int  # due by then and not done
    undated: int  # the source gives no date


@dataclass(frozen=True)
class EarlyWarnings:
    """预警, computed from the figures, never typed in."""

    overdue_milestones: list[Milestone]  # to start or to complete, past their due quarter
    behind_tasks: list[TaskProgress]
    behind_cities: list[CityProgress]
    late_cities: list[tuple[City, int]]  # reports not in by the deadline
    changed_after_close: list[ProgressReport]
    # Open problems due soon or overdue, red first; for the user who reads the page (see
    # Figures.problem_warnings), so never kept in the shared cache with the rest.
    problems: tuple[ProblemWarning, ...] | list[ProblemWarning] = ()

    def __bool__(self) -> bool:
        return any(map(bool, vars(self).values()))


def _totals(reports, group: str, **parts: Q) -> dict[int, dict[str, Decimal]]:
    """The amounts of `reports` summed per `group` key in one grouped query, one sum per part.

    One grouped query reads each report once; a correlated subquery per task or city would
    read them once per row, and SQLite's planner took seconds a page that way.
    """
    parts = parts or {"completed": Q()}
    sums = {name: Sum("amount", filter=condition or None) for name, condition in parts.items()}
    totals = defaultdict(lambda: dict.fromkeys(parts, Decimal(0)))
    for row in reports.order_by().values(group).annotate(**sums):
        totals[row[group]] = {name: row[name] or Decimal(0) for name in parts}
    return totals


def _by_quarter(reports, *keys: str) -> dict[tuple, Decimal]:
    """The amounts of `reports` summed per `keys` and quarter."""
    rows = reports.order_by().values(*keys, "quarter").annotate(total=Sum("amount"))
    return {(*(row[key] for key in keys), row["quarter"]): row["total"] for row in rows}


def _summed(queryset, outer: str, field: str = "amount") -> Subquery:
    """`field` of `queryset` summed per outer row: a subquery, as a join would repeat the row."""
    rows = queryset.filter(**{outer: OuterRef("pk")}).order_by().values(outer)
    return Subquery(rows.annotate(total=Sum(field)).values("total"))


def _has_allocation() -> Exists:
    """Whether a report's city has an allocation for the report's task."""
    return Exists(CityAllocation.objects.filter(task=OuterRef("task"), city=OuterRef("city")))


@dataclass(frozen=True)
class Figures:
    """The figures of `plan` at the end of quarter `as_of`, over submitted and approved reports
    (approved only with `approved_only`)."""

    plan: Plan
    as_of: int
    approved_only: bool = False

    @cached_property
    def share(self) -> Decimal:
        return self.plan.expected_share(self.as_of)

    def reports(self):
        """The reports whose amounts count at the end of the as-of quarter."""
        return (
            ProgressReport.objects.of_plan(self.plan)
            .through(self.as_of)
            .counted(self.approved_only)
        )

    def progress(self, target: Decimal | None, completed: Decimal) -> Progress:
        return Progress(target, completed, self.share)

    def tasks(self, where: Q = ALL, city: City | None = None) -> list[TaskProgress]:
        """The plan's tasks (or those matching `where`) against their stated targets; with
        `city`, that city's tasks with its own amounts against its allocations."""
        tasks = (
            Task.objects.of_plan(self.plan)
            .filter(where)
            .order_by("area__number", "number")
            .select_related("area", "corridor")
        )
        reports = self.reports().filter(task__in=tasks.values("pk"))
        if city is not None:
            allocation = CityAllocation.objects.filter(task=OuterRef("pk"), city=city)
            tasks = tasks.filter(cities=city).annotate(
                allocated=Subquery(allocation.values("amount"))
            )
            reports = reports.filter(city=city)
        done = _totals(reports, "task")
        return [
            TaskProgress(
                task,
                self.progress(
                    task.target if city is None else task.allocated, done[task.pk]["completed"]
                ),
            )
            for task in tasks
        ]

    def areas(self, area: FocusArea | None = None, city: City | None = None) -> list[AreaProgress]:
        """Each focus area (or just `area`) against its stated targets, or with `city`, that
        city's amounts against its allocations; the rest is `excluded` from the percentage."""
        areas = FocusArea.objects.filter(plan=self.plan).order_by("number")
        reports = self.reports()
        if area is not None:
            areas, reports = areas.filter(pk=area.pk), reports.filter(task__area=area)
        if city is None:
            targets = _summed(Task.objects.all(), "area", "target")
            counted = Q(task__target__isnull=False)
        else:
            targets = _summed(CityAllocation.objects.filter(city=city), "task__area")
            reports = reports.filter(city=city).annotate(allocated=_has_allocation())
            counted = Q(allocated=True)
        totals = _totals(reports, "task__area", completed=counted, excluded=~counted)
        return [
            AreaProgress(
                row,
                self.progress(row.target, totals[row.pk]["completed"]),
                totals[row.pk]["excluded"],
            )
            for row in areas.annotate(target=targets)
        ]

    def cities(self, tasks: Q = ALL, only=None) -> list[CityProgress]:
        """Each city (or those in `only`) against its allocations, over the tasks in `tasks`."""
        reports = self.reports()
        allocations = CityAllocation.objects.of_plan(self.plan)
        cities = City.objects.of_plan(self.plan)
        if tasks:
            scope = Task.objects.filter(tasks).values("pk")
            reports = reports.filter(task__in=scope)
            allocations = allocations.filter(task__in=scope)
        if only is not None:
            cities, reports = cities.filter(pk__in=only), reports.filter(city__in=only)
        totals = _totals(
            reports.annotate(allocated=_has_allocation()),
            "city",
            completed=Q(allocated=True),
            unallocated=Q(allocated=False),
        )
        return [
            CityProgress(
                city,
                self.progress(city.target, totals[city.pk]["completed"]),
                totals[city.pk]["unallocated"],
            )
            for city in cities.annotate(target=_summed(allocations, "city"))
        ]

    def corridors(self, corridor: Corridor | None = None) -> list[CorridorProgress]:
        """Each corridor (or just `corridor`) over its tasks with a stated target; what its
        tasks without one completed is `excluded`."""
        corridors = Corridor.objects.filter(plan=self.plan).order_by("order", "slug")
        reports = self.reports().filter(task__corridor__isnull=False)
        if corridor is not None:
            corridors = corridors.filter(pk=corridor.pk)
            reports = reports.filter(task__corridor=corridor)
        counted = Q(task__target__isnull=False)
        done = _totals(reports, "task__corridor", completed=counted, excluded=~counted)
        corridors = corridors.annotate(
            target=_summed(Task.objects.of_plan(self.plan), "corridor", "target")
        )
        return [
            CorridorProgress(
                row, self.progress(row.target, done[row.pk]["completed"]), done[row.pk]["excluded"]
            )
            for row in corridors
        ]

    def total(self) -> PlanProgress:
        totals = self.reports().aggregate(
            completed=Coalesce(Sum("amount", filter=Q(task__target__isnull=False)), ZERO),
            excluded=Coalesce(Sum("amount", filter=Q(task__target__isnull=True)), ZERO),
        )
        targets = self.targets()
        # A plan that states no target at all (the 2020 summary) has none, never 0 亿元.
        target = None if targets.none_stated else targets.stated
        allocated = CityAllocation.objects.of_plan(self.plan).aggregate(
            total=Coalesce(Sum("amount"), ZERO)
        )["total"]
        unallocated = None if target is None else target - allocated
        return PlanProgress(
            self.progress(target, totals["completed"]), totals["excluded"], unallocated
        )

    def targets(self) -> Targets:
        totals = Task.objects.of_plan(self.plan).aggregate(
            stated=Coalesce(Sum("target"), ZERO),
            task_count=Count("pk"),
            unstated_count=Count("pk", filter=Q(target__isnull=True)),
        )
        return Targets(**totals)

    def coverage(self) -> Coverage:
        counted = with_coverage(Plan.objects.filter(pk=self.plan.pk)).get()
        return Coverage(
            counted.listed_area_count,
            self.plan.declared_area_count,
            counted.listed_task_count,
            self.plan.declared_task_count,
        )

    def quarters(self) -> list[QuarterPoint]:
        """Completed on tasks with a stated target, cumulated by quarter up to the as-of one
        (None after it: not yet known, never zero), beside the pace line of all four."""
        reports = ProgressReport.objects.of_plan(self.plan).counted(self.approved_only)
        per_quarter = _totals(reports.filter(task__target__isnull=False), "quarter")
        targets = self.targets()
        points, running = [], Decimal(0)
        for quarter in range(1, 5):
            running += per_quarter[quarter]["completed"]
            expected = (
                None
                if targets.none_stated
                else wan(targets.stated * self.plan.expected_share(quarter))
            )
            completed = wan(running) if quarter <= self.as_of else None
            points.append(QuarterPoint(quarter, completed, expected))
        return points

    def task_cities(self, task: Task) -> list[CityQuarters]:
        """Each city of a task: its amount in every quarter, and its cumulative through as-of."""
        reports = ProgressReport.objects.of_plan(self.plan).counted(self.approved_only)
        amounts = _by_quarter(reports.filter(task=task), "city")
        allocations = dict(task.allocations.values_list("city", "amount"))
        rows = []
        # As the plan holds them: a city held in part says so.
        for city in City.objects.of_plan(self.plan).filter(tasks=task):
            quarters = [amounts.get((city.pk, q)) for q in range(1, 5)]
            cumulative = sum(
                (amount or Decimal(0) for amount in quarters[: self.as_of]), Decimal(0)
            )
            rows.append(
                CityQuarters(city, quarters, self.progress(allocations.get(city.pk), cumulative))
            )
        return rows

    def task_city_quarters(self) -> list[TaskCityQuarter]:
        """Every task's every city in every quarter through as-of, in task and city order: the
        grid a task's page shows (`task_cities`) for all tasks, in a few queries."""
        amounts = _by_quarter(self.reports(), "task", "city")
        allocations = {
            (row.task_id, row.city_id): row.amount
            for row in CityAllocation.objects.of_plan(self.plan)
        }
        places = list(City.objects.of_plan(self.plan))
        taking = set(
            Task.cities.through.objects.filter(task__area__plan=self.plan).values_list(
                "task", "city"
            )
        )
        tasks = Task.objects.of_plan(self.plan).order_by("area__number", "number")
        rows = []
        for task in tasks.select_related("area"):
            for city in places:
                if (task.pk, city.pk) not in taking:
                    continue
                running = Decimal(0)
                for quarter in range(1, self.as_of + 1):
                    amount = amounts.get((task.pk, city.pk, quarter))
                    running += amount or Decimal(0)
                    allocation = allocations.get((task.pk, city.pk))
                    rows.append(TaskCityQuarter(task, city, quarter, amount, running, allocation))
        return rows

    def task_quarters(self, where: Q = ALL, city: City | None = None) -> dict:
        """Each task's amount per quarter through as-of (None where nothing was reported)."""
        reports = self.reports().filter(task__in=Task.objects.filter(where).values("pk"))
        if city is not None:
            reports = reports.filter(city=city)
        quarters = defaultdict(lambda: [None] * 4)
        for (task, quarter), total in _by_quarter(reports, "task").items():
            quarters[task][quarter - 1] = total
        return quarters

    def notes(self, where: Q = ALL, city: City | None = None) -> dict[int, list[tuple[str, str]]]:
        """Each task's notes of the as-of quarter by city: 进展情况 in the official table."""
        # Submitted notes show even in an approved-only workbook, as they always have.
        reports = (
            ProgressReport.objects.of_plan(self.plan)
            .counted()
            .filter(quarter=self.as_of, task__in=Task.objects.filter(where).values("pk"))
            .exclude(note="")
            .order_by("city__order", "city__slug")
        )
        if city is not None:
            reports = reports.filter(city=city)
        notes = defaultdict(list)
        for task, name, note in reports.values_list("task", "city__name", "note"):
            notes[task].append((name, note))
        return notes

    def milestones(self) -> MilestoneCounts:
        due = Q(due_quarter__lte=self.as_of)
        done = Q(status=Milestone.Status.DONE)
        counts = Milestone.objects.filter(task__area__plan=self.plan).aggregate(
            total=Count("pk"),
            done=Count("pk", filter=done),
            due=Count("pk", filter=due),
            overdue=Count("pk", filter=due & ~done),
            undated=Count("pk", filter=Q(due_quarter__isnull=True)),
        )
        return MilestoneCounts(**counts)

    def owed(self, city: City) -> list[OwedTask]:
        """The city's reports not yet submitted for the quarters up to as-of, per task."""
        return owed_reports(self.plan, city, self.as_of)

    def project_set(self, tasks: Q = ALL, city: City | None = None):
        """The plan's key projects, of the tasks in `tasks` or running through `city`."""
        projects = Project.objects.of_plan(self.plan)
        if tasks:
            projects = projects.filter(task__in=Task.objects.filter(tasks).values("pk"))
        return projects if city is None else projects.filter(cities=city)

    def projects(self, tasks: Q = ALL, city: City | None = None) -> ProjectCounts:
        """开工率, 竣工率 and the named projects' investment, as of the quarter; on a city's
        page over the city's own sections."""
        return ProjectFigures(self, city).counts(self.project_set(tasks, city))

    def project_rows(self, projects, city: City | None = None) -> list[ProjectRow]:
        """Each of `projects` as of the quarter: stage, goal met, investment, latest 形象进度."""
        return ProjectFigures(self, city).rows(projects)

    def project_digest(self, projects, shown: int, city: City | None = None) -> ProjectDigest:
        """A page's `projects` in short, as of the quarter: the first `shown` as rows, those
        behind their year's goal first, and all of them counted by goal and stage."""
        return ProjectFigures(self, city).digest(projects, shown)

    def project_sections(self, project: Project) -> list[SectionProgress]:
        """What each of the project's sections (its cities) reports as of the quarter."""
        return ProjectFigures(self).section_rows(project)

    def project_life(self, project: Project) -> list[ProjectUpdate]:
        """The project's counted updates in the years before this plan's, through its
        carry-over links, latest first: its life before this year (stage, 形象进度, amounts)."""
        earlier = [
            row.pk
            for row in project.lineage()
            if row.task.area.plan.year < self.plan.year and not row.task.area.plan.is_draft
        ]
        updates = ProjectUpdate.objects.filter(project__in=earlier).counted(self.approved_only)
        return list(updates.select_related("city").order_by("-year", "-quarter", "city__order"))

    def annotated_projects(self, projects, city: City | None = None):
        """`projects` with `is_started`, `is_completed` and `goal_met`, to filter on."""
        return ProjectFigures(self, city).annotate(projects)

    @kept
    def problems(self, subject=None, today: date | None = None) -> ProblemCounts:
        """Open, overdue, closed and refused problems and 办结率 as of the quarter (or `today`
        if earlier), of `subject`: the plan (by default), an area, a corridor, a city (those
        it raised), a task, a project or a unit (those it is responsible for)."""
        return ProblemFigures(self, today).counts(subject)

    @kept
    def problem_cities(
        self, subject=None, today: date | None = None, assigned_only: bool = False
    ) -> list[ProblemRow]:
        """`problems` of `subject` per raising city, in city order; with `assigned_only`, not
        those still waiting to be assigned (open data's)."""
        return ProblemFigures(self, today, assigned_only).rows(subject, "city", City)

    @kept
    def problem_units(self, subject=None, today: date | None = None) -> list[ProblemRow]:
        """`problems` of `subject` per responsible unit; those not yet assigned last."""
        return ProblemFigures(self, today).rows(subject, "unit", Unit)

    def problem_warnings(self, visible, today: date | None = None) -> list[ProblemWarning]:
        """The problems of `visible` (those the reader may see) due soon or overdue on the
        as-of day, red first."""
        return ProblemFigures(self, today).warnings(visible)

    @kept
    def rankings(self, today: date | None = None) -> Rankings:
        """The cities ranked on completion, pace, 开工率, 竣工率 and 办结率, with the change of
        rank since the quarter before; problems taken as `problems` takes them."""
        return rankings(self, today)

    @kept
    def before(self, subject: Plan | City) -> tuple[Progress, ProjectCounts] | None:
        """The plan's (or a city's) total and key-project counts, for year-on-year pages: None
        for a city this plan does not hold."""
        if isinstance(subject, Plan):
            return self.total().progress, self.projects()
        rows = self.cities(only=[subject.pk])  # none where this plan does not hold the city
        if not rows:
            return None
        return rows[0].progress, self.projects(city=subject)

    @kept
    def page(self, subject) -> "Scope":
        """What the page about `subject` shows, and so its workbook holds (`scope`)."""
        return scope(self, subject)

    @kept
    def overview(self) -> "Overview":
        """What the plan's overview shows beyond its page: coverage, counts and warnings."""
        page = self.page(self.plan)
        reporting = reporting_coverage(self.plan, self.as_of)
        return Overview(
            coverage=self.coverage(),
            targets=self.targets(),
            pace_counts=pace_counts(page.tasks),
            quarters=self.quarters(),
            reporting=reporting,
            milestones=self.milestones(),
            warnings=self.warnings(page.tasks, page.cities, reporting),
        )

    def early_warnings(self, reader) -> EarlyWarnings:
        """The overview's warnings; the problems among them are those `reader` may see, so
        they are read for her and never kept with the rest."""
        visible = Problem.objects.visible_to(reader)
        return replace(self.overview().warnings, problems=self.problem_warnings(visible))

    def warnings(
        self, tasks: list[TaskProgress], cities: list[CityProgress], reporting: ReportingCoverage
    ) -> EarlyWarnings:
        """Warnings from figures the page already has, overdue milestones and late changes."""
        overdue = (
            Milestone.objects.filter(
                task__area__plan=self.plan,
                kind__in=[Milestone.Kind.START, Milestone.Kind.COMPLETE],
                due_quarter__lte=self.as_of,
            )
            .exclude(status=Milestone.Status.DONE)
            .select_related("task__area", "city")
        )
        closed_before = QuarterClose.objects.filter(
            plan=self.plan, quarter=OuterRef("quarter"), closed_at__lt=OuterRef("updated_at")
        )
        revised = (
            ProgressReport.objects.of_plan(self.plan)
            .through(self.as_of)
            .filter(Exists(closed_before))
            .select_related("task__area", "city")
        )
        return EarlyWarnings(
            overdue_milestones=list(overdue),
            behind_tasks=[row for row in tasks if row.progress.pace == Pace.BEHIND],
            behind_cities=[row for row in cities if row.progress.pace == Pace.BEHIND],
            late_cities=reporting.late_by_city,
            changed_after_close=list(revised),
        )


@dataclass(frozen=True)
class Overview:
    """The plan overview's own figures (Figures.overview)."""

    coverage: Coverage
    targets: Targets
    pace_counts: dict[str, int]
    quarters: list[QuarterPoint]
    reporting: ReportingCoverage
    milestones: MilestoneCounts
    warnings: EarlyWarnings


@dataclass(frozen=True)
class Pair:
    """One figure this year and last year at the same quarter; None where a year has none."""

    this: Decimal | None
    last: Decimal | None

    @property
    def change(self) -> Decimal | None:
        return None if self.this is None or self.last is None else self.this - self.last


@dataclass(frozen=True)
class YearOnYear:
    """A page's headline figures beside last year's plan at the same quarter."""

    year: int  # last year's
    quarter: int
    held: bool  # whether last year's plan held the subject (a city may be new)
    before_issue: bool  # last year's quarter ended before its plan was issued: nothing owed
    completed: Pair
    percent: Pair
    gap: Pair
    start_rate: Pair
    complete_rate: Pair


def year_on_year(page: "Scope") -> YearOnYear | None:
    """`page`'s plan or city against last year's issued plan at the same quarter, counted by the
    same switch; None when there is no such plan or the page is about something else."""
    figures, subject = page.figures, page.subject
    last = figures.plan.previous
    if last is None or not isinstance(subject, Plan | City):
        return None
    owed = last.owes(figures.as_of)
    then = Figures(last, figures.as_of, figures.approved_only)
    before = then.before(subject) if owed else None
    total, projects = before if before else (None, None)

    return YearOnYear(
        year=last.year,
        quarter=figures.as_of,
        held=before is not None or not owed,
        before_issue=not owed,
        completed=Pair(page.total.completed, total.completed if total else None),
        percent=Pair(page.total.percent, total.percent if total else None),
        gap=Pair(page.total.gap, total.gap if total else None),
        start_rate=Pair(page.projects.start_rate, projects.start_rate if projects else None),
        complete_rate=Pair(
            page.projects.complete_rate, projects.complete_rate if projects else None
        ),
    )


def any_unallocated(rows: list[CityProgress] | None) -> bool:
    """Whether any city completed something on tasks it has no allocation for: where none
    did, the pages leave that column of zeros out."""
    return any(row.unallocated_completed for row in rows or ())


def pace_counts(rows: list[TaskProgress]) -> dict[str, int]:
    """How many tasks are on track, at risk, behind, or without a target."""
    counts = dict.fromkeys(Pace.values, 0)
    for row in rows:
        counts[row.progress.pace.value] += 1
    return counts


@dataclass(frozen=True)
class Scope:
    """What one page shows, and so what its workbook holds. A list is None where the page has
    no such breakdown."""

    figures: Figures
    subject: Any  # the plan, area, city, corridor or task the page is about
    total: Progress
    excluded: Decimal  # completed outside the percentage (no stated target or allocation)
    tasks: list[TaskProgress]
    tasks_filter: Q
    city: City | None = None  # a city page counts only that city's reports
    areas: list[AreaProgress] | None = None
    cities: list[CityProgress] | None = None
    corridors: list[CorridorProgress] | None = None
    task_cities: list[CityQuarters] | None = None
    unallocated_target: Decimal | None = None
    projects: ProjectCounts | None = None  # the plan, area, city and corridor pages

    @property
    def kind(self) -> str:
        """What the page is about: "plan", "area", "city", "corridor" or "task"."""
        name = type(self.subject)._meta.model_name
        return "area" if name == "focusarea" else name

    @property
    def plan(self) -> Plan:
        return self.figures.plan

    @property
    def reported(self) -> Decimal:
        """All the page's reports account for, the amounts left out of the percentage included."""
        return self.total.completed + self.excluded

    @property
    def project_share(self) -> Decimal | None:
        """How much of the reported investment the named projects' updates account for (%)."""
        return None if self.projects is None else self.projects.share_of(self.reported)

    def project_set(self):
        """The scope's key projects: of its tasks, or running through its city."""
        return self.figures.project_set(self.tasks_filter, self.city)

    @property
    def as_of(self) -> int:
        return self.figures.as_of

    @property
    def approved_only(self) -> bool:
        return self.figures.approved_only


def subject_filter(subject: Plan | FocusArea | City | Corridor | Task) -> tuple[Q, City | None]:
    """The tasks a page about `subject` covers, and the city it counts the reports of (a city
    page), None for all: what its reports.csv holds, without the page's figures."""
    if isinstance(subject, Plan):
        return ALL, None
    if isinstance(subject, FocusArea):
        return Q(area=subject), None
    if isinstance(subject, City):
        return Q(cities=subject), subject
    if isinstance(subject, Corridor):
        return Q(corridor=subject), None
    return Q(pk=subject.pk), None


def scope(figures: Figures, subject: Plan | FocusArea | City | Corridor | Task) -> Scope:
    """The figures of one page: the whole plan, one focus area, city, corridor or task."""
    where = subject_filter(subject)[0]
    if isinstance(subject, Plan):
        total = figures.total()
        return Scope(
            figures, subject, total.progress, total.excluded, figures.tasks(), where,
            areas=figures.areas(), cities=figures.cities(), corridors=figures.corridors(),
            unallocated_target=total.unallocated_target, projects=figures.projects(),
        )  # fmt: skip
    if isinstance(subject, FocusArea):
        row = figures.areas(subject)[0]
        return Scope(
            figures, subject, row.progress, row.excluded, figures.tasks(where), where,
            areas=[row], cities=figures.cities(where), projects=figures.projects(where),
        )  # fmt: skip
    if isinstance(subject, City):
        row = figures.cities(only=[subject.pk])[0]
        return Scope(
            figures, subject, row.progress, row.unallocated_completed,
            figures.tasks(city=subject), where, city=subject,
            areas=figures.areas(city=subject), projects=figures.projects(city=subject),
        )  # fmt: skip
    if isinstance(subject, Corridor):
        row = figures.corridors(subject)[0]
        return Scope(
            figures, subject, row.progress, row.excluded, figures.tasks(where), where,
            cities=figures.cities(where, only=subject.cities.values("pk")), corridors=[row],
            projects=figures.projects(where),
        )  # fmt: skip
    row = figures.tasks(where)[0]
    return Scope(
        figures, subject, row.progress, Decimal(0), [row], where,
        task_cities=figures.task_cities(subject),
    )  # fmt: skip
