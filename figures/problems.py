"""The problem list's figures as of a quarter, for `Figures.problems`, `Figures.problem_cities`,
`Figures.problem_units` and the early warnings.

They are taken on the as-of day: the quarter's last day, or today if that is earlier. A problem
counts once it was raised by then. It is closed (or refused) by then if it was closed on or
before that day, and open otherwise; overdue if open then with a deadline before that day.
办结率 is the problems closed on time over all those due so far, that is closed by then or
overdue then; refused ones are neither.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet

from plan.models import City, Corridor, FocusArea, Plan, Unit
from problems.models import Colour, Problem
from tasks.models import Project, Task

Status = Problem.Status

# Which problems are a page's: those of its task, project, raising city or responsible unit.
SUBJECT_FIELDS = {
    FocusArea: "task__area",
    Corridor: "task__corridor",
    City: "city",
    Task: "task",
    Project: "project",
    Unit: "unit",
}


@dataclass(frozen=True)
class ProblemCounts:
    """Problems raised by `day`, by where they stood that day."""

    day: date
    open: int
    overdue: int  # open, and past the deadline
    closed: int
    closed_on_time: int
    refused: int
    red: int = 0  # open, and overdue by more than PROBLEM_RED_DAYS

    @property
    def raised(self) -> int:
        return self.open + self.closed + self.refused

    @property
    def not_overdue(self) -> int:
        return self.open - self.overdue

    @property
    def due(self) -> int:
        """Those whose time is up: closed by the day, or still open past the deadline."""
        return self.closed + self.overdue

    @property
    def rate(self) -> Decimal | None:
        """办结率, a percentage to one place; None while nothing is due."""
        if not self.due:
            return None
        return (Decimal(self.closed_on_time) / self.due * 100).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class ProblemRow:
    """One city's or unit's problems; `subject` None for problems not yet assigned to a unit."""

    subject: City | Unit | None
    counts: ProblemCounts


@dataclass(frozen=True)
class ProblemWarning:
    """An open problem near or past its deadline on the as-of day."""

    problem: Problem
    colour: Colour
    days_late: int

    @property
    def colour_label(self) -> str:
        return self.colour.label


class ProblemFigures:
    """The problem figures of one `Figures`'s plan and quarter, taken on `today` or the
    quarter's last day, whichever is earlier."""

    def __init__(self, figures, today: date | None = None, assigned_only: bool = False) -> None:
        self.plan: Plan = figures.plan
        self.day = self.plan.as_of_day(figures.as_of, today)
        self.assigned_only = assigned_only

    def raised(self, problems: QuerySet | None = None) -> QuerySet:
        """The plan's problems (of `problems`, or all) raised by the day; with `assigned_only`,
        only those assigned to a unit by then (open data counts no other)."""
        problems = Problem.objects.all() if problems is None else problems
        if self.assigned_only:
            # Assigned to a unit by the day: not one waiting then, nor one refused unassigned.
            problems = problems.filter(unit__isnull=False, assigned_on__lte=self.day)
        return problems.of_plan(self.plan).filter(created_at__date__lte=self.day)

    def of(self, subject) -> QuerySet:
        problems = self.raised()
        field = SUBJECT_FIELDS.get(type(subject))
        return problems if field is None else problems.filter(**{field: subject})

    def open_then(self) -> Q:
        # A problem closed after the day was still open on it.
        return Q(status__in=Problem.OPEN) | Q(status__in=Problem.ENDED, closed_on__gt=self.day)

    def sums(self) -> dict:
        day, red = self.day, timedelta(days=settings.PROBLEM_RED_DAYS)
        closed = Q(status=Status.CLOSED, closed_on__lte=day)
        on_time = closed & (Q(deadline__isnull=True) | Q(closed_on__lte=F("deadline")))
        return {
            "open": Count("pk", filter=self.open_then()),
            "overdue": Count("pk", filter=self.open_then() & Q(deadline__lt=day)),
            "closed": Count("pk", filter=closed),
            "closed_on_time": Count("pk", filter=on_time),
            "refused": Count("pk", filter=Q(status=Status.REFUSED, closed_on__lte=day)),
            "red": Count("pk", filter=self.open_then() & Q(deadline__lt=day - red)),
        }

    def counts(self, subject) -> ProblemCounts:
        return ProblemCounts(day=self.day, **self.of(subject).aggregate(**self.sums()))

    def rows(self, subject, by: str, model) -> list[ProblemRow]:
        """`subject`'s problems per `by` (a city or unit field), in `model`'s order; the
        problems with none (not yet assigned) last."""
        grouped = self.of(subject).order_by().values(by).annotate(**self.sums())
        found = {row.pop(by): ProblemCounts(day=self.day, **row) for row in grouped}
        rows = [
            ProblemRow(item, found[item.pk])
            for item in model.objects.filter(pk__in=[pk for pk in found if pk is not None])
        ]
        if None in found:
            rows.append(ProblemRow(None, found[None]))
        return rows

    def warnings(self, visible: QuerySet) -> list[ProblemWarning]:
        """The problems of `visible` open on the day and due within the warning days or
        overdue, the longest overdue first: red, then orange, then yellow."""
        soon = self.day + timedelta(days=settings.PROBLEM_WARNING_DAYS)
        problems = (
            self.raised(visible)
            .filter(self.open_then(), deadline__lte=soon)
            .select_related("task__area", "city", "unit")
            .order_by("deadline", "pk")
        )
        return [self.warning(problem) for problem in problems]

    def warning(self, problem: Problem) -> ProblemWarning:
        late = (self.day - problem.deadline).days
        if late > settings.PROBLEM_RED_DAYS:
            colour = Colour.RED
        else:
            colour = Colour.ORANGE if late > 0 else Colour.YELLOW
        return ProblemWarning(problem, colour, max(late, 0))
