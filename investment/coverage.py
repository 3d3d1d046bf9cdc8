"""Who has reported what: the task × city grid of a quarter, the open quarter, and the quarter
the pages show by default (closed, or reported by every city)."""

import re
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from django.db import models
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
)
from django.http import Http404, HttpRequest
from django.utils.timezone import localdate
from django.utils.translation import gettext_lazy as _

from investment.models import ProgressReport, ProjectUpdate, QuarterClose
from plan.forms import CONTROL_CHARACTERS
from plan.models import City, Plan
from tasks.models import Task


class Cell(models.TextChoices):
    """What the coverage grid shows for one task in one city."""

    NOT_APPLICABLE = "n/a", _("not applicable")
    MISSING = "missing", _("not reported")
    NOTE_OWED = "note", _("progress note owed")  # a task without a money target owes a note
    DRAFT = "draft", _("draft")
    RETURNED = "returned", _("returned")
    SUBMITTED = "submitted", _("submitted")
    ZERO = "zero", _("reported zero")
    APPROVED = "approved", _("approved")
    BEFORE_ISSUE = "before", _("before the plan was issued")  # 印发前: owed nothing


PENDING = {Cell.MISSING, Cell.NOTE_OWED, Cell.DRAFT, Cell.RETURNED}


@dataclass(frozen=True)
class CoverageCell:
    state: Cell
    late: bool
    city: City | None = None
    report_id: int | None = None  # The report the cell shows, if there is one.


@dataclass(frozen=True)
class CoverageRow:
    task: Task
    cells: list[CoverageCell]


@dataclass(frozen=True)
class ReportingCoverage:
    quarter: int
    deadline: date
    cities: list[City]
    rows: list[CoverageRow]
    closed: QuarterClose | None
    plan: Plan | None = None

    @property
    def pending_count(self) -> int:
        return sum(cell.state in PENDING for row in self.rows for cell in row.cells)

    @property
    def late_count(self) -> int:
        return sum(cell.late for row in self.rows for cell in row.cells)

    @property
    def late_by_city(self) -> list[tuple[City, int]]:
        """Each city with late reports, and how many."""
        late = [
            (city, sum(row.cells[index].late for row in self.rows))
            for index, city in enumerate(self.cities)
        ]
        return [(city, count) for city, count in late if count]

    @property
    def pending_by_city(self) -> list[tuple[City, list[Task]]]:
        """Each city with the tasks it still owes, for the missing-reports list."""
        owed = [(city, self.pending(city)) for city in self.cities]
        return [(city, tasks) for city, tasks in owed if tasks]

    def pending(self, city: City, states=PENDING) -> list[Task]:
        """The city's tasks still missing, in draft or returned (or in `states`)."""
        index = self.cities.index(city)
        return [row.task for row in self.rows if row.cells[index].state in states]

    def by_city(self, *states: Cell) -> list[tuple[City, list[Task]]]:
        """Each city with tasks in one of `states`, and those tasks."""
        found = [(city, self.pending(city, set(states))) for city in self.cities]
        return [(city, tasks) for city, tasks in found if tasks]

    def count(self, *states: Cell) -> int:
        return sum(cell.state in states for row in self.rows for cell in row.cells)

    @cached_property
    def update_counts(self) -> dict[tuple[str, int], int]:
        """The quarter's project updates by (status, city), counted."""
        rows = (
            ProjectUpdate.objects.of_plan(self.plan)
            .filter(quarter=self.quarter)
            .values("status", "city")
            .annotate(count=Count("pk"))
            .values_list("status", "city", "count")
        )
        return {(status, city): count for status, city, count in rows}

    def updates_by_city(self, *statuses: str) -> list[tuple[City, int]]:
        """Each city with project updates of the quarter in one of `statuses`, and how many."""
        found = [
            (city, sum(self.update_counts.get((status, city.pk), 0) for status in statuses))
            for city in self.cities
        ]
        return [(city, count) for city, count in found if count]

    @property
    def updates_awaiting(self) -> list[tuple[City, int]]:
        """Each city with project updates of the quarter awaiting review, and how many."""
        return self.updates_by_city(ProjectUpdate.Status.SUBMITTED)

    @property
    def updates_awaiting_count(self) -> int:
        return sum(count for _city, count in self.updates_awaiting)

    @property
    def updates_unsubmitted(self) -> list[tuple[City, int]]:
        """Each city with project updates of the quarter still a draft or returned."""
        return self.updates_by_city(*ProjectUpdate.EDITABLE)

    @property
    def updates_unsubmitted_count(self) -> int:
        return sum(count for _city, count in self.updates_unsubmitted)

    @property
    def awaiting_review(self) -> int:
        """The quarter's reports and project updates submitted and not yet reviewed."""
        return self.count(Cell.SUBMITTED) + self.updates_awaiting_count

    @property
    def unsubmitted(self) -> int:
        """The quarter's reports and project updates still a draft or returned: what a close
        leaves as it is, never counted."""
        return self.count(Cell.DRAFT, Cell.RETURNED) + self.updates_unsubmitted_count

    @property
    def before_close(self) -> list[tuple[Cell, int, list[tuple[City, list[Task]]]]]:
        """What is still open in the quarter, as the close confirmation lists it."""
        awaiting = (Cell.MISSING, Cell.NOTE_OWED, Cell.SUBMITTED, Cell.DRAFT, Cell.RETURNED)
        return [(state, self.count(state), self.by_city(state)) for state in awaiting]


class Chosen(models.TextChoices):
    """Why the pages show the quarter they show when the visitor picked none."""

    CLOSED = "closed", _("the latest closed quarter")
    COMPLETE = "complete", _("the latest quarter every city has reported")
    FIRST = "first", _("no quarter is closed or fully reported yet")


@dataclass(frozen=True)
class DefaultQuarter:
    quarter: int
    why: Chosen


def default_as_of(plan: Plan) -> DefaultQuarter:
    """The latest quarter that is closed, or that every city has submitted everything it owes
    for (a submitted or approved report for each of its tasks); Q1 while there is none.

    One early report for a later quarter never moves every page on to that quarter.
    """
    closed = set(QuarterClose.objects.filter(plan=plan).values_list("quarter", flat=True))
    owed = Task.cities.through.objects.filter(task__area__plan=plan).count()
    reported = (
        ProgressReport.objects.of_plan(plan)
        .counted()
        .filter(city__tasks=F("task"))  # Only what the city owes counts towards "every city".
        .order_by()
        .values("quarter")
        .annotate(count=Count("pk"))
    )
    complete = {row["quarter"] for row in reported if owed and row["count"] >= owed}
    for quarter in (4, 3, 2, 1):
        if quarter in closed:
            return DefaultQuarter(quarter, Chosen.CLOSED)
        if quarter in complete:
            return DefaultQuarter(quarter, Chosen.COMPLETE)
    return DefaultQuarter(1, Chosen.FIRST)


@dataclass(frozen=True)
class OwedTask:
    """A task of a city with the quarters (up to the as-of one) whose report it still owes,
    each with what stands in its place: nothing, a draft, a returned report or no note."""

    task: Task
    quarters: list[tuple[int, Cell]]


def owed_reports(plan: Plan, city: City, as_of: int) -> list[OwedTask]:
    """The city's tasks with a report not submitted for some quarter up to `as_of`, in task
    order; one query, each quarter's report read by a subquery."""
    reports = ProgressReport.objects.filter(task=OuterRef("pk"), city=city, year=plan.year)
    quarters = [quarter for quarter in range(1, as_of + 1) if plan.owes(quarter)]
    columns = {}
    for quarter in quarters:
        report = reports.filter(quarter=quarter)
        columns[f"status_{quarter}"] = Subquery(report.values("status")[:1])
        columns[f"noted_{quarter}"] = Exists(report.exclude(note=""))
    tasks = (
        Task.objects.of_plan(plan)
        .filter(cities=city)
        .select_related("area")
        .order_by("area__number", "number")
        .annotate(**columns)
    )
    owed = []
    for task in tasks:
        states = [
            (
                quarter,
                _state(task, getattr(task, f"status_{quarter}"), getattr(task, f"noted_{quarter}")),
            )
            for quarter in quarters
        ]
        # The page is read by everyone: a draft (or a returned report) is seen only by its
        # city and the office, so to the others it is simply not reported yet.
        states = [
            (quarter, Cell.MISSING if state in (Cell.DRAFT, Cell.RETURNED) else state)
            for quarter, state in states
            if state in PENDING
        ]
        if states:
            owed.append(OwedTask(task, states))
    return owed


def _state(task: Task, status: str | None, has_note: bool) -> Cell:
    """What a city's report of a task in one quarter amounts to, as the coverage grid says it."""
    owes_note = task.target is None  # a task without a money target owes a note, not an amount
    if status is None:
        return Cell.NOTE_OWED if owes_note else Cell.MISSING
    if status not in ProgressReport.COUNTED:
        return Cell(status)
    if owes_note and not has_note:
        return Cell.NOTE_OWED
    return Cell(status)


def quarter_in(plan: Plan, raw: str) -> int | None:
    """The quarter "2021Q3" names in `plan`; None for anything else."""
    match = re.fullmatch(rf"{plan.year}Q([1-4])", raw)
    return int(match[1]) if match else None


def not_a_quarter(plan: Plan, raw: str) -> str:
    """Why `raw` is no quarter of `plan`, and which ones there are."""
    # Control characters (a NUL byte) are not echoed back.
    words = {"value": CONTROL_CHARACTERS.sub("", raw[:20]), "year": plan.year}
    return (
        _(
            "“%(value)s” is not a quarter of the %(year)s plan: choose one of %(year)sQ1 to "
            "%(year)sQ4."
        )
        % words
    )


def chosen_quarter(request: HttpRequest, plan: Plan) -> int:
    """The quarter a page is as of: ?as_of=2021Q3, or by default the one default_as_of picks
    (noted on the request as `default_quarter`, for the page to say why). An unknown quarter
    is a 404 that says which quarters there are."""
    raw = request.GET.get("as_of")
    if raw is None:
        request.default_quarter = default_as_of(plan)
        return request.default_quarter.quarter
    quarter = quarter_in(plan, raw)
    if quarter is not None:
        return quarter
    not_found = Http404(not_a_quarter(plan, raw))
    not_found.public = True  # The site's 404 page shows the reason (zzmetro.views).
    raise not_found


def open_quarter(plan: Plan, today: date) -> int | None:
    """The quarter the cities report now: the latest that has ended, unless it is closed or
    ended before the plan was issued (it owes nothing)."""
    ended = [q for q in range(1, 5) if plan.quarter_end(q) < today and plan.owes(q)]
    closed = set(QuarterClose.objects.filter(plan=plan).values_list("quarter", flat=True))
    return ended[-1] if ended and ended[-1] not in closed else None


def entry_quarter(plan: Plan, today: date) -> int:
    """The quarter a city's sheet opens at: the open one, else the first not yet closed."""
    if (quarter := open_quarter(plan, today)) is not None:
        return quarter
    closed = set(QuarterClose.objects.filter(plan=plan).values_list("quarter", flat=True))
    owed = [q for q in range(1, 5) if plan.owes(q)] or [4]
    return next((q for q in owed if q not in closed), owed[-1])


def reporting_coverage(
    plan: Plan, quarter: int, cities: list[City] | None = None, today: date | None = None
) -> ReportingCoverage:
    """The coverage grid for `quarter`; cells not submitted by the deadline are late."""
    cities = list(City.objects.of_plan(plan)) if cities is None else cities
    deadline = plan.deadline(quarter)
    owed = plan.owes(quarter)
    overdue = owed and (today or localdate()) > deadline
    tasks = Task.objects.of_plan(plan).select_related("area").prefetch_related("cities")
    reports = {
        (task, city): (status, amount, has_note, pk)
        for task, city, status, amount, has_note, pk in ProgressReport.objects.filter(
            task__area__plan=plan, year=plan.year, quarter=quarter
        )
        .annotate(has_note=ExpressionWrapper(~Q(note=""), output_field=BooleanField()))
        .values_list("task", "city", "status", "amount", "has_note", "pk")
    }

    def cell(task: Task, city: City, members: set[int]) -> CoverageCell:
        if city.pk not in members:
            return CoverageCell(Cell.NOT_APPLICABLE, late=False, city=city)
        status, amount, has_note, pk = reports.get((task.pk, city.pk), (None, None, False, None))
        # A task without a money target is owed a progress note each quarter, not an amount.
        owes_note = task.target is None
        if status is None and not owed:
            state = Cell.BEFORE_ISSUE
        elif status is None:
            state = Cell.NOTE_OWED if owes_note else Cell.MISSING
        elif status not in ProgressReport.COUNTED:
            state = Cell(status)
        elif owes_note:
            state = Cell(status) if has_note else Cell.NOTE_OWED
        else:
            state = Cell(status) if amount else Cell.ZERO
        return CoverageCell(state, late=overdue and state in PENDING, city=city, report_id=pk)

    rows = []
    for task in tasks:
        members = {city.pk for city in task.cities.all()}
        rows.append(CoverageRow(task, [cell(task, city, members) for city in cities]))
    closed = (
        QuarterClose.objects.filter(plan=plan, quarter=quarter).select_related("closed_by").first()
    )
    return ReportingCoverage(quarter, deadline, cities, rows, closed, plan)
