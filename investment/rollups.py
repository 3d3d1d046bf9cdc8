"""Every cross-model figure the pages and spreadsheets show, computed in the database.

Each function takes a plan (and later an as-of quarter) and returns small frozen dataclasses,
so a page and a spreadsheet that call the same function cannot disagree.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from plan.models import City, Corridor, FocusArea, Plan
from tasks.models import CityAllocation, Milestone, Task

from .models import ProgressReport, QuarterClose

WAN = Decimal("0.0001")
ALL_TASKS = Q()  # The scope of rollups that take a `tasks` filter, when none is given.


def wan(value: Decimal) -> Decimal:
    """To 万元 precision: SQLite's sums can come back with more places than were stored."""
    return value.quantize(WAN)


ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=16, decimal_places=4))


@dataclass(frozen=True)
class Coverage:
    """How much of what the plan declares its source lists."""

    listed_areas: int
    declared_areas: int
    listed_tasks: int
    declared_tasks: int

    @property
    def complete(self) -> bool:
        return self.listed_areas >= self.declared_areas and self.listed_tasks >= self.declared_tasks


@dataclass(frozen=True)
class Targets:
    """Stated annual targets; tasks without a stated target are counted, never summed as 0."""

    stated: Decimal
    task_count: int
    unstated_count: int

    @property
    def stated_or_none(self) -> Decimal | None:
        """The stated total, or None where no task states a target (not stated is not zero)."""
        return None if self.unstated_count == self.task_count else self.stated


@dataclass(frozen=True)
class AreaTargets:
    area: FocusArea
    targets: Targets


def plan_coverage(plan: Plan) -> Coverage:
    counted = Plan.objects.with_coverage().get(pk=plan.pk)
    return Coverage(
        listed_areas=counted.listed_area_count,
        declared_areas=plan.declared_area_count,
        listed_tasks=counted.listed_task_count,
        declared_tasks=plan.declared_task_count,
    )


def plan_targets(plan: Plan) -> Targets:
    totals = Task.objects.of_plan(plan).aggregate(
        stated=Coalesce(Sum("target"), ZERO),
        task_count=Count("pk"),
        unstated_count=Count("pk", filter=Q(target__isnull=True)),
    )
    return Targets(**totals)


def area_targets(plan: Plan) -> list[AreaTargets]:
    # Aggregating queries ignore Meta.ordering, so the order is spelled out.
    areas = (
        FocusArea.objects.filter(plan=plan)
        .order_by("number")
        .annotate(
            stated=Coalesce(Sum("tasks__target"), ZERO),
            task_count=Count("tasks"),
            unstated_count=Count("tasks", filter=Q(tasks__target__isnull=True)),
        )
    )
    return [
        AreaTargets(
            area=area,
            targets=Targets(
                stated=area.stated, task_count=area.task_count, unstated_count=area.unstated_count
            ),
        )
        for area in areas
    ]


@dataclass(frozen=True)
class QuarterRow:
    """One task on a city's quarterly sheet: what was allocated, reported before, and now."""

    task: Task
    allocation: Decimal | None
    cumulative_before: Decimal
    report: ProgressReport | None

    @property
    def cumulative(self) -> Decimal | None:
        return None if self.report is None else self.cumulative_before + self.report.amount


def quarter_sheet(plan: Plan, city: City, quarter: int) -> list[QuarterRow]:
    """Every task the city takes part in, with its figures before and in `quarter`.

    Earlier quarters count whatever their status: the sheet is the city's own record.
    """
    tasks = (
        Task.objects.of_plan(plan)
        .filter(cities=city)
        .order_by("area__number", "number")
        .select_related("area")
        .annotate(
            allocated=Sum("allocations__amount", filter=Q(allocations__city=city)),
        )
    )
    before = dict(
        ProgressReport.objects.filter(city=city, year=plan.year, quarter__lt=quarter)
        .values("task")
        .annotate(total=Sum("amount"))
        .values_list("task", "total")
    )
    reports = {
        report.task_id: report
        for report in ProgressReport.objects.filter(city=city, year=plan.year, quarter=quarter)
    }
    return [
        QuarterRow(
            task=task,
            allocation=task.allocated,
            cumulative_before=wan(before.get(task.pk, Decimal(0))),
            report=reports.get(task.pk),
        )
        for task in tasks
    ]


class Cell(models.TextChoices):
    """What the coverage grid shows for one task in one city."""

    NOT_APPLICABLE = "n/a", _("not applicable")
    MISSING = "missing", _("not reported")
    DRAFT = "draft", _("draft")
    RETURNED = "returned", _("returned")
    SUBMITTED = "submitted", _("submitted")
    ZERO = "zero", _("reported zero")
    APPROVED = "approved", _("approved")


PENDING = {Cell.MISSING, Cell.DRAFT, Cell.RETURNED}


@dataclass(frozen=True)
class CoverageCell:
    state: Cell
    late: bool


@dataclass(frozen=True)
class CoverageRow:
    task: Task
    cells: list[CoverageCell]


@dataclass(frozen=True)
class ReportingCoverage:
    """Who has reported what for one quarter: a task × city grid."""

    quarter: int
    deadline: date
    cities: list[City]
    rows: list[CoverageRow]
    closed: QuarterClose | None

    def count(self, state: Cell) -> int:
        return sum(cell.state == state for row in self.rows for cell in row.cells)

    @property
    def pending_count(self) -> int:
        return sum(cell.state in PENDING for row in self.rows for cell in row.cells)

    @property
    def late_count(self) -> int:
        return sum(cell.late for row in self.rows for cell in row.cells)

    @property
    def pending_by_city(self) -> list[tuple[City, list[Task]]]:
        """Each city with the tasks it still owes, for the missing-reports list."""
        owed = [(city, self.pending(city)) for city in self.cities]
        return [(city, tasks) for city, tasks in owed if tasks]

    def pending(self, city: City) -> list[Task]:
        """The city's tasks still missing, in draft or returned."""
        index = self.cities.index(city)
        return [row.task for row in self.rows if row.cells[index].state in PENDING]


def reporting_coverage(
    plan: Plan, quarter: int, cities: list[City] | None = None, today: date | None = None
) -> ReportingCoverage:
    """The coverage grid for `quarter`; cells not submitted by the deadline are late."""
    cities = list(City.objects.all()) if cities is None else cities
    deadline = plan.deadline(quarter)
    overdue = (today or date.today()) > deadline
    tasks = Task.objects.of_plan(plan).select_related("area").prefetch_related("cities")
    reports = {
        (task, city): (status, amount)
        for task, city, status, amount in ProgressReport.objects.filter(
            task__area__plan=plan, year=plan.year, quarter=quarter
        ).values_list("task", "city", "status", "amount")
    }

    def cell(task: Task, city: City, members: set[int]) -> CoverageCell:
        if city.pk not in members:
            return CoverageCell(Cell.NOT_APPLICABLE, late=False)
        status, amount = reports.get((task.pk, city.pk), (None, None))
        if status is None:
            state = Cell.MISSING
        elif (
            status in (ProgressReport.Status.SUBMITTED, ProgressReport.Status.APPROVED)
            and not amount
        ):
            state = Cell.ZERO
        else:
            state = Cell(status)
        return CoverageCell(state, late=overdue and state in PENDING)

    rows = []
    for task in tasks:
        members = {city.pk for city in task.cities.all()}
        rows.append(CoverageRow(task, [cell(task, city, members) for city in cities]))
    closed = (
        QuarterClose.objects.filter(plan=plan, quarter=quarter).select_related("closed_by").first()
    )
    return ReportingCoverage(
        quarter=quarter, deadline=deadline, cities=cities, rows=rows, closed=closed
    )


@dataclass(frozen=True)
class Change:
    """One recorded change to a task's figures: who, when, what, and the values around it."""

    when: datetime
    who: str
    what: str
    kind: str  # "+" created, "~" changed, "-" deleted
    fields: list[tuple[str, object, object]]
    reason: str

    @property
    def kind_label(self) -> str:
        return {"+": _("created"), "~": _("changed"), "-": _("deleted")}[self.kind]


def task_history(task: Task, limit: int = 50) -> list[Change]:
    """The newest changes to a task, its allocations, milestones and reports, newest first.

    Reads django-simple-history's records in four queries whatever their number: each record
    is diffed in memory against the one before it for the same row.
    """
    sources = [
        (Task.history.filter(id=task.pk).select_related("area"), lambda r: f"{task.code}"),
        (CityAllocation.history.filter(task_id=task.pk).select_related("city"), _city_label),
        (Milestone.history.filter(task_id=task.pk), lambda r: r.name),
        (ProgressReport.history.filter(task_id=task.pk).select_related("city"), _report_label),
    ]
    changes = []
    for records, label in sources:
        previous = {}
        for record in records.select_related("history_user").order_by("history_date"):
            before = previous.get(record.id)
            previous[record.id] = record
            changes.append(_change(record, before, label(record)))
    changes.sort(key=lambda change: change.when, reverse=True)
    return changes[:limit]


def _city_label(record) -> str:
    return record.city.name


def _report_label(record) -> str:
    return f"{record.city.name} {record.year}Q{record.quarter}"


def _change(record, before, label: str) -> Change:
    fields = []
    if record.history_type == "~" and before is not None:
        fields = [
            (str(record.instance_type._meta.get_field(c.field).verbose_name), c.old, c.new)
            for c in record.diff_against(before).changes
        ]
    return Change(
        when=record.history_date,
        who=str(record.history_user or "—"),
        what=f"{record.instance_type._meta.verbose_name} {label}",
        kind=record.history_type,
        fields=fields,
        reason=record.history_change_reason or "",
    )


class Pace(models.TextChoices):
    ON_TRACK = "on_track", _("on track")
    AT_RISK = "at_risk", _("at risk")
    BEHIND = "behind", _("behind")
    NO_TARGET = "no_target", _("no stated target")


@dataclass(frozen=True)
class Progress:
    """Completed against a target at an as-of quarter, and against the pace expected by then."""

    target: Decimal | None
    completed: Decimal
    expected_share: Decimal

    @property
    def percent(self) -> Decimal | None:
        if not self.target:
            return None
        return (self.completed / self.target * 100).quantize(Decimal("0.1"))

    @property
    def expected(self) -> Decimal | None:
        return None if self.target is None else wan(self.target * self.expected_share)

    @property
    def pace(self) -> Pace:
        if not self.target:
            return Pace.NO_TARGET
        if not self.expected:
            return Pace.ON_TRACK
        ratio = self.completed / self.expected
        if ratio >= settings.PACE_ON_TRACK:
            return Pace.ON_TRACK
        return Pace.AT_RISK if ratio >= settings.PACE_AT_RISK else Pace.BEHIND


@dataclass(frozen=True)
class TaskProgress:
    task: Task
    progress: Progress


@dataclass(frozen=True)
class AreaProgress:
    area: FocusArea
    progress: Progress
    excluded: Decimal  # completed on tasks without a stated target, left out of the percentage


@dataclass(frozen=True)
class CityProgress:
    city: City
    progress: Progress  # against the city's allocations
    unallocated_completed: Decimal  # completed on tasks the city has no allocation for


def counted_reports(plan: Plan, as_of: int, approved_only: bool = False):
    """The reports whose amounts count at the end of quarter `as_of`."""
    reports = ProgressReport.objects.of_plan(plan).through(as_of)
    return reports.approved() if approved_only else reports.counted()


def _totals(reports, group: str, **parts: Q) -> dict[int, dict[str, Decimal]]:
    """The amounts of `reports` summed per `group` key, one sum per named part.

    One grouped query reads each report once. A correlated subquery per outer row would
    read them once per task or city instead, and the planner may not pick the index that
    saves it (SQLite at 50,000 reports took seconds a page).
    """
    parts = parts or {"completed": Q()}
    sums = {name: Sum("amount", filter=condition or None) for name, condition in parts.items()}
    rows = reports.order_by().values(group).annotate(**sums)
    totals = defaultdict(lambda: dict.fromkeys(parts, Decimal(0)))
    for row in rows:
        totals[row[group]] = {name: row[name] or Decimal(0) for name in parts}
    return totals


def _targets(tasks, group: str) -> Subquery:
    """The stated targets of `tasks` summed for the outer row.

    A subquery rather than a join: joining the tasks would repeat the outer row once per task.
    """
    totals = tasks.filter(**{group: OuterRef("pk")}).order_by().values(group)
    return Subquery(totals.annotate(total=Sum("target")).values("total"))


def task_progress(
    plan: Plan, as_of: int, approved_only: bool = False, tasks: Q = ALL_TASKS
) -> list[TaskProgress]:
    """Every task of the plan (or those matching `tasks`) with its progress."""
    tasks = (
        Task.objects.of_plan(plan)
        .filter(tasks)
        .order_by("area__number", "number")
        .select_related("area", "corridor")
    )
    reports = counted_reports(plan, as_of, approved_only).filter(task__in=tasks.values("pk"))
    completed = _totals(reports, "task")
    share = plan.expected_share(as_of)
    return [
        TaskProgress(task, Progress(task.target, completed[task.pk]["completed"], share))
        for task in tasks
    ]


def area_progress(plan: Plan, as_of: int, approved_only: bool = False) -> list[AreaProgress]:
    areas = (
        FocusArea.objects.filter(plan=plan)
        .order_by("number")
        .annotate(target=_targets(Task.objects.all(), "area"))
    )
    totals = _totals(
        counted_reports(plan, as_of, approved_only),
        "task__area",
        completed=Q(task__target__isnull=False),
        excluded=Q(task__target__isnull=True),
    )
    share = plan.expected_share(as_of)
    return [_area_row(area, totals[area.pk], share) for area in areas]


def _area_row(area: FocusArea, totals: dict[str, Decimal], share: Decimal) -> AreaProgress:
    return AreaProgress(area, Progress(area.target, totals["completed"], share), totals["excluded"])


def city_progress(
    plan: Plan, as_of: int, approved_only: bool = False, tasks: Q = ALL_TASKS
) -> list[CityProgress]:
    """Each city against its allocations, over all tasks or those matching `tasks`."""
    reports = counted_reports(plan, as_of, approved_only)
    allocated = CityAllocation.objects.of_plan(plan)
    if tasks:
        scope = Task.objects.filter(tasks).values("pk")
        reports, allocated = reports.filter(task__in=scope), allocated.filter(task__in=scope)
    cities = City.objects.annotate(
        target=Subquery(
            allocated.filter(city=OuterRef("pk"))
            .order_by()
            .values("city")
            .annotate(total=Sum("amount"))
            .values("total")
        ),
    )
    totals = _totals(
        reports.annotate(allocated=_has_allocation()),
        "city",
        completed=Q(allocated=True),
        unallocated=Q(allocated=False),
    )
    share = plan.expected_share(as_of)
    return [
        CityProgress(
            city,
            Progress(city.target, totals[city.pk]["completed"], share),
            totals[city.pk]["unallocated"],
        )
        for city in cities
    ]


def _has_allocation() -> Exists:
    """Whether a report's city has an allocation for the report's task."""
    return Exists(CityAllocation.objects.filter(task=OuterRef("task"), city=OuterRef("city")))


@dataclass(frozen=True)
class PlanProgress:
    progress: Progress
    excluded: Decimal
    unallocated_target: Decimal


def plan_progress(plan: Plan, as_of: int, approved_only: bool = False) -> PlanProgress:
    reports = counted_reports(plan, as_of, approved_only)
    totals = reports.aggregate(
        completed=Coalesce(Sum("amount", filter=Q(task__target__isnull=False)), ZERO),
        excluded=Coalesce(Sum("amount", filter=Q(task__target__isnull=True)), ZERO),
    )
    target = plan_targets(plan).stated
    allocated = CityAllocation.objects.of_plan(plan).aggregate(total=Coalesce(Sum("amount"), ZERO))
    return PlanProgress(
        progress=Progress(target, totals["completed"], plan.expected_share(as_of)),
        excluded=totals["excluded"],
        unallocated_target=target - allocated["total"],
    )


def latest_reported_quarter(plan: Plan) -> int | None:
    """The latest quarter with any submitted or approved report: the pages' default as-of."""
    return ProgressReport.objects.of_plan(plan).counted().aggregate(q=Max("quarter"))["q"]


@dataclass(frozen=True)
class QuarterPoint:
    quarter: int
    completed: Decimal  # cumulative through the quarter
    expected: Decimal  # what the pace expects of the stated target by then


def cumulative_by_quarter(plan: Plan, approved_only: bool = False) -> list[QuarterPoint]:
    """Completed on tasks with a stated target, cumulated by quarter, beside the pace line."""
    reports = counted_reports(plan, 4, approved_only).filter(task__target__isnull=False)
    per_quarter = dict(
        reports.order_by()
        .values("quarter")
        .annotate(total=Sum("amount"))
        .values_list("quarter", "total")
    )
    target = plan_targets(plan).stated
    points, running = [], Decimal(0)
    for quarter in range(1, 5):
        running += per_quarter.get(quarter) or Decimal(0)
        points.append(
            QuarterPoint(quarter, wan(running), wan(target * plan.expected_share(quarter)))
        )
    return points


def pace_counts(rows: list[TaskProgress]) -> dict[str, int]:
    """How many tasks are on track, at risk, behind, or without a target."""
    counts = {pace.value: 0 for pace in Pace}
    for row in rows:
        counts[row.progress.pace.value] += 1
    return counts


@dataclass(frozen=True)
class CityQuarters:
    """One city's line of a task: allocation, each quarter's amount, cumulative, progress."""

    city: City
    quarters: list[Decimal | None]
    progress: Progress  # cumulative through as-of, against the allocation


def task_city_quarters(task: Task, as_of: int, approved_only: bool = False) -> list[CityQuarters]:
    plan = task.area.plan
    amounts = {
        (city, quarter): total
        for city, quarter, total in counted_reports(plan, 4, approved_only)
        .filter(task=task)
        .order_by()
        .values("city", "quarter")
        .annotate(total=Sum("amount"))
        .values_list("city", "quarter", "total")
    }
    allocations = dict(task.allocations.values_list("city", "amount"))
    share = plan.expected_share(as_of)
    rows = []
    for city in task.cities.all():
        quarters = [amounts.get((city.pk, q)) for q in range(1, 5)]
        cumulative = sum((amount or Decimal(0) for amount in quarters[:as_of]), Decimal(0))
        rows.append(
            CityQuarters(city, quarters, Progress(allocations.get(city.pk), cumulative, share))
        )
    return rows


def city_task_progress(
    plan: Plan, city: City, as_of: int, approved_only: bool = False
) -> list[TaskProgress]:
    """The city's tasks: the city's own completed amount against its allocation."""
    allocation = CityAllocation.objects.filter(task=OuterRef("pk"), city=city).values("amount")
    tasks = (
        Task.objects.of_plan(plan)
        .filter(cities=city)
        .order_by("area__number", "number")
        .select_related("area", "corridor")
        .annotate(allocated=Subquery(allocation))
    )
    completed = _totals(counted_reports(plan, as_of, approved_only).filter(city=city), "task")
    share = plan.expected_share(as_of)
    return [
        TaskProgress(task, Progress(task.allocated, completed[task.pk]["completed"], share))
        for task in tasks
    ]


@dataclass(frozen=True)
class CorridorProgress:
    corridor: Corridor
    progress: Progress


def corridor_progress(
    plan: Plan, as_of: int, approved_only: bool = False
) -> list[CorridorProgress]:
    """Each corridor over the tasks linked to it (tasks without a target left out)."""
    reports = counted_reports(plan, as_of, approved_only).filter(
        task__target__isnull=False, task__corridor__isnull=False
    )
    completed = _totals(reports, "task__corridor")
    corridors = Corridor.objects.annotate(
        target=_targets(Task.objects.of_plan(plan), "corridor")
    ).order_by("order", "slug")
    share = plan.expected_share(as_of)
    return [
        CorridorProgress(
            corridor, Progress(corridor.target, completed[corridor.pk]["completed"], share)
        )
        for corridor in corridors
    ]


@dataclass(frozen=True)
class MilestoneCounts:
    total: int
    done: int
    due: int  # due by the as-of quarter
    overdue: int  # due by then and not done
    undated: int  # the source gives no date


def milestone_counts(plan: Plan, as_of: int) -> MilestoneCounts:
    due = Q(due_quarter__lte=as_of)
    done = Q(status=Milestone.Status.DONE)
    counts = Milestone.objects.filter(task__area__plan=plan).aggregate(
        total=Count("pk"),
        done=Count("pk", filter=done),
        due=Count("pk", filter=due),
        overdue=Count("pk", filter=due & ~done),
        undated=Count("pk", filter=Q(due_quarter__isnull=True)),
    )
    return MilestoneCounts(**counts)


@dataclass(frozen=True)
class EarlyWarnings:
    """预警, computed from the figures, never typed in."""

    overdue_milestones: list[Milestone]  # to start or to complete, past their due quarter
    behind_tasks: list[TaskProgress]
    behind_cities: list[CityProgress]
    late_cities: list[tuple[City, int]]  # reports not in by the deadline
    changed_after_close: list[ProgressReport]

    def __bool__(self) -> bool:
        return any(
            (
                self.overdue_milestones,
                self.behind_tasks,
                self.behind_cities,
                self.late_cities,
                self.changed_after_close,
            )
        )


def early_warnings(
    plan: Plan,
    as_of: int,
    tasks: list[TaskProgress],
    cities: list[CityProgress],
    reporting: ReportingCoverage,
) -> EarlyWarnings:
    """Warnings from the rollups the page already has, milestones and changes after close."""
    overdue = (
        Milestone.objects.filter(
            task__area__plan=plan,
            kind__in=[Milestone.Kind.START, Milestone.Kind.COMPLETE],
            due_quarter__lte=as_of,
        )
        .exclude(status=Milestone.Status.DONE)
        .select_related("task__area", "city")
    )
    closed_before = QuarterClose.objects.filter(
        plan=plan, quarter=OuterRef("quarter"), closed_at__lt=OuterRef("updated_at")
    )
    revised = (
        ProgressReport.objects.of_plan(plan)
        .through(as_of)
        .filter(Exists(closed_before))
        .select_related("task__area", "city")
    )
    late = [
        (city, sum(row.cells[index].late for row in reporting.rows))
        for index, city in enumerate(reporting.cities)
    ]
    return EarlyWarnings(
        overdue_milestones=list(overdue),
        behind_tasks=[row for row in tasks if row.progress.pace == Pace.BEHIND],
        behind_cities=[row for row in cities if row.progress.pace == Pace.BEHIND],
        late_cities=[(city, count) for city, count in late if count],
        changed_after_close=list(revised),
    )


def city_area_progress(
    plan: Plan, city: City, as_of: int, approved_only: bool = False
) -> list[AreaProgress]:
    """One city's figures by focus area, against its allocations there."""
    allocated = (
        CityAllocation.objects.filter(city=city, task__area=OuterRef("pk"))
        .order_by()
        .values("task__area")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    areas = (
        FocusArea.objects.filter(plan=plan).order_by("number").annotate(target=Subquery(allocated))
    )
    totals = _totals(
        counted_reports(plan, as_of, approved_only)
        .filter(city=city)
        .annotate(allocated=_has_allocation()),
        "task__area",
        completed=Q(allocated=True),
        excluded=Q(allocated=False),
    )
    share = plan.expected_share(as_of)
    return [_area_row(area, totals[area.pk], share) for area in areas]


def task_quarters(
    plan: Plan,
    as_of: int,
    approved_only: bool = False,
    tasks: Q = ALL_TASKS,
    city: City | None = None,
) -> dict[int, list[Decimal | None]]:
    """Each task's amount per quarter through `as_of` (None where nothing was reported)."""
    reports = counted_reports(plan, as_of, approved_only).filter(
        task__in=Task.objects.filter(tasks).values("pk")
    )
    if city is not None:
        reports = reports.filter(city=city)
    quarters = defaultdict(lambda: [None] * 4)
    for task, quarter, total in (
        reports.order_by()
        .values("task", "quarter")
        .annotate(total=Sum("amount"))
        .values_list("task", "quarter", "total")
    ):
        quarters[task][quarter - 1] = total
    return quarters


def quarter_notes(
    plan: Plan, as_of: int, tasks: Q = ALL_TASKS, city: City | None = None
) -> dict[int, list[tuple[str, str]]]:
    """Each task's notes of the as-of quarter, by city: 进展情况 in the official table."""
    reports = (
        ProgressReport.objects.of_plan(plan)
        .counted()
        .filter(quarter=as_of, task__in=Task.objects.filter(tasks).values("pk"))
        .exclude(note="")
        .order_by("city__order", "city__slug")
    )
    if city is not None:
        reports = reports.filter(city=city)
    notes = defaultdict(list)
    for task, name, note in reports.values_list("task", "city__name", "note"):
        notes[task].append((name, note))
    return notes


class ScopeKind(models.TextChoices):
    PLAN = "plan", _("work plan")
    AREA = "area", _("focus area")
    CITY = "city", _("city")
    CORRIDOR = "corridor", _("corridor")
    TASK = "task", _("task")


@dataclass(frozen=True)
class Scope:
    """What one page shows, and so what its spreadsheet holds: one definition for both.

    A list is None where the page has no such breakdown.
    """

    kind: ScopeKind
    plan: Plan
    as_of: int
    approved_only: bool
    subject: object  # the plan, area, city, corridor or task the page is about
    total: Progress
    excluded: Decimal  # completed on tasks without a stated target, outside the percentage
    tasks: list[TaskProgress]
    tasks_filter: Q
    city: City | None = None  # a city page counts only that city's reports
    areas: list[AreaProgress] | None = None
    cities: list[CityProgress] | None = None
    corridors: list[CorridorProgress] | None = None
    task_cities: list[CityQuarters] | None = None
    unallocated_target: Decimal | None = None  # the plan's target not yet allocated to cities


def plan_scope(plan: Plan, as_of: int, approved_only: bool = False) -> Scope:
    total = plan_progress(plan, as_of, approved_only)
    return Scope(
        kind=ScopeKind.PLAN,
        plan=plan,
        as_of=as_of,
        approved_only=approved_only,
        subject=plan,
        total=total.progress,
        excluded=total.excluded,
        tasks=task_progress(plan, as_of, approved_only),
        tasks_filter=ALL_TASKS,
        areas=area_progress(plan, as_of, approved_only),
        cities=city_progress(plan, as_of, approved_only),
        corridors=corridor_progress(plan, as_of, approved_only),
        unallocated_target=total.unallocated_target,
    )


def area_scope(area: FocusArea, as_of: int, approved_only: bool = False) -> Scope:
    plan = area.plan
    row = next(row for row in area_progress(plan, as_of, approved_only) if row.area == area)
    return Scope(
        kind=ScopeKind.AREA,
        plan=plan,
        as_of=as_of,
        approved_only=approved_only,
        subject=area,
        total=row.progress,
        excluded=row.excluded,
        tasks=task_progress(plan, as_of, approved_only, Q(area=area)),
        tasks_filter=Q(area=area),
        areas=[row],
        cities=city_progress(plan, as_of, approved_only, Q(area=area)),
    )


def city_scope(plan: Plan, city: City, as_of: int, approved_only: bool = False) -> Scope:
    row = next(row for row in city_progress(plan, as_of, approved_only) if row.city == city)
    return Scope(
        kind=ScopeKind.CITY,
        plan=plan,
        as_of=as_of,
        approved_only=approved_only,
        subject=city,
        total=row.progress,
        excluded=row.unallocated_completed,
        tasks=city_task_progress(plan, city, as_of, approved_only),
        tasks_filter=Q(cities=city),
        city=city,
        areas=city_area_progress(plan, city, as_of, approved_only),
    )


def corridor_scope(
    plan: Plan, corridor: Corridor, as_of: int, approved_only: bool = False
) -> Scope:
    rows = corridor_progress(plan, as_of, approved_only)
    row = next(row for row in rows if row.corridor == corridor)
    scope = Q(corridor=corridor)
    members = set(corridor.cities.all())
    cities = city_progress(plan, as_of, approved_only, scope)
    return Scope(
        kind=ScopeKind.CORRIDOR,
        plan=plan,
        as_of=as_of,
        approved_only=approved_only,
        subject=corridor,
        total=row.progress,
        excluded=Decimal(0),
        tasks=task_progress(plan, as_of, approved_only, scope),
        tasks_filter=scope,
        cities=[row for row in cities if row.city in members],
        corridors=[row],
    )


def task_scope(task: Task, as_of: int, approved_only: bool = False) -> Scope:
    plan = task.area.plan
    row = task_progress(plan, as_of, approved_only, Q(pk=task.pk))[0]
    return Scope(
        kind=ScopeKind.TASK,
        plan=plan,
        as_of=as_of,
        approved_only=approved_only,
        subject=task,
        total=row.progress,
        excluded=Decimal(0),
        tasks=[row],
        tasks_filter=Q(pk=task.pk),
        task_cities=task_city_quarters(task, as_of, approved_only),
    )
