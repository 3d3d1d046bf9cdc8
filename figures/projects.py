"""The key projects' figures as of a quarter, for `Figures.projects` and `Figures.project_rows`.

A project is started by the end of a quarter when its actual start (or finish) is on or before
that day or one of its sections' latest counted update says 在建 or 建成; completed when its
actual finish is, or every section's latest counted update says 建成. On a city's page the
city's own sections decide. Investment is what the counted updates report; not stated is None,
never zero.
"""

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

from django.db.models import (
    Case,
    Count,
    F,
    FilteredRelation,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact, GreaterThanOrEqual

from investment.models import ProjectUpdate
from investment.workflow import Reported
from plan.models import City
from tasks.models import Project

Stage = Project.Stage
BEGUN = [Stage.CONSTRUCTION, Stage.COMPLETED]
# A section's stage as a number, so that one aggregate compares a project's sections: 0 while
# nothing is reported, then 前期, 在建, 建成 (any other stage counts as 前期).
REPORTED, BEGUN_RANK, COMPLETED_RANK = 1, 2, 3
RANK = Case(
    When(stage=Stage.COMPLETED, then=Value(COMPLETED_RANK)),
    When(stage=Stage.CONSTRUCTION, then=Value(BEGUN_RANK)),
    default=Value(REPORTED),
)


def rate(part: int, whole: int) -> Decimal | None:
    return None if not whole else (Decimal(part) / whole * 100).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class ProjectCounts:
    """Key projects by the year's goal: those to start and how many have, those to complete
    and how many are; and what their updates report invested."""

    to_start: int
    started: int
    to_complete: int
    completed: int
    investment: Decimal | None = None  # counted updates' amounts; None when none states one

    @property
    def start_rate(self) -> Decimal | None:
        """开工率, a percentage to one place; None when no project is to start."""
        return rate(self.started, self.to_start)

    @property
    def complete_rate(self) -> Decimal | None:
        """竣工率, a percentage to one place; None when no project is to be completed."""
        return rate(self.completed, self.to_complete)

    def share_of(self, reported: Decimal) -> Decimal | None:
        """The named projects' investment as a percentage of `reported`, to one place."""
        if self.investment is None or not reported:
            return None
        return (self.investment / reported * 100).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class ProjectRow:
    """One project as of the quarter: its stage, whether its goal is met, what was invested
    (in the quarter and up to it) and its latest 形象进度, with the city that reported it."""

    project: Project
    stage: str  # a Stage value, or "" when nothing is reported or recorded
    goal_met: bool | None  # None for a goal of 推进 or not stated
    quarter_amount: Decimal | None
    cumulative: Decimal | None
    progress: str
    progress_city: City | None  # the city of the latest 形象进度, to name and link to

    @property
    def stage_label(self) -> str:
        return Stage(self.stage).label if self.stage else ""


@dataclass(frozen=True)
class SectionProgress:
    """One city's section of a project as of the quarter: its latest counted update's quarter,
    stage and 形象进度, and what its counted updates report invested (None if none says)."""

    city: City
    quarter: int | None
    stage: str  # a Stage value, or "" when the section has reported nothing
    progress: str
    cumulative: Decimal | None

    @property
    def stage_label(self) -> str:
        return Stage(self.stage).label if self.stage else ""


@dataclass(frozen=True)
class StageCounts:
    """Projects by their stage as of the quarter, as their rows give it: none reported yet,
    前期, 在建, 建成."""

    unreported: int = 0
    preparation: int = 0
    construction: int = 0
    completed: int = 0

    @property
    def total(self) -> int:
        return self.unreported + self.preparation + self.construction + self.completed


@dataclass(frozen=True)
class GoalStages:
    """The projects with one goal for the year, by their stage."""

    goal: str  # a Project.Goal value
    stages: StageCounts

    @property
    def goal_label(self) -> str:
        return Project.Goal(self.goal).label


@dataclass(frozen=True)
class ProjectDigest:
    """A page's key projects in short: the first few rows, those behind their year's goal
    first, and how many projects there are, by goal and stage."""

    rows: list[ProjectRow]
    goals: list[GoalStages]  # each goal some of the projects have, in the goals' order
    stages: StageCounts  # all the projects

    @property
    def count(self) -> int:
        return self.stages.total


class ProjectFigures:
    """The project figures of one `Figures` (its plan, quarter and counting rule), for the
    projects running through `city` (their sections there) or all."""

    def __init__(self, figures, city: City | None = None) -> None:
        self.figures, self.city = figures, city
        self.end = figures.plan.quarter_end(figures.as_of)

    def updates(self) -> QuerySet:
        """The counted updates of the plan's year up to the quarter (only the city's sections
        with a city), for subqueries on one of the plan's projects: joining each update to its
        project's task, area and plan again would only repeat what the outer query says."""
        updates = (
            ProjectUpdate.objects.filter(year=self.figures.plan.year)
            .through(self.figures.as_of)
            .counted(self.figures.approved_only)
        )
        return updates if self.city is None else updates.filter(city=self.city)

    def carried(self, predecessor: OuterRef, city: OuterRef) -> QuerySet:
        """Where a project carried over from last year's plan stood when that year ended, until
        this year has an update: the counted updates of its `predecessor` in `city`, the last
        first."""
        updates = ProjectUpdate.objects.counted(self.figures.approved_only)
        return updates.filter(project=predecessor, city=city).order_by("-quarter")

    def stage_span(self) -> tuple[Coalesce, Coalesce]:
        """The lowest and the highest rank among the project's sections (only the city's with a
        city); 0 and 0 for a project without any. A section's rank is its latest counted
        update's, else where it stood when last year ended (`carried`), else 0.

        Two scalar subqueries on the project, rather than EXISTS over its sections: PostgreSQL
        turns a correlated EXISTS into one hashed pass over every section of every project,
        which a page of 50 projects then paid for in full. Each rank is worked out on the
        update's own row, so that its subquery runs once a section.
        """
        sections = Project.cities.through.objects.filter(project=OuterRef("pk"))
        if self.city is not None:
            sections = sections.filter(city=self.city)
        latest = self.updates().filter(project=OuterRef("project"), city=OuterRef("city"))
        # The predecessor is the outer project's own: no join from each section back to it.
        carried = self.carried(OuterRef(OuterRef("predecessor")), OuterRef("city"))
        rank = Coalesce(
            Subquery(latest.order_by("-quarter").annotate(rank=RANK).values("rank")[:1]),
            Subquery(carried.annotate(rank=RANK).values("rank")[:1]),
            Value(0),
        )
        ranks = sections.order_by().values("project")
        lowest = Subquery(ranks.annotate(lowest=Min(rank)).values("lowest"))
        highest = Subquery(ranks.annotate(highest=Max(rank)).values("highest"))
        return Coalesce(lowest, Value(0)), Coalesce(highest, Value(0))

    def stages(self, projects: QuerySet) -> QuerySet:
        """`projects` with `is_started` and `is_completed` as of the quarter."""
        started, completed = self.progress()
        return projects.annotate(is_started=started, is_completed=completed)

    def progress(self) -> tuple[Q, Q]:
        """Whether a project has started, and whether it is completed, by the quarter's end:
        two conditions on the project."""
        lowest, highest = self.stage_span()
        # "IS NOT NULL" first: a missing date compared is NULL, and NULL would be neither
        # started nor not started, so ?met=0 would miss it.
        by_start = Q(actual_start__isnull=False, actual_start__lte=self.end)
        by_finish = Q(actual_finish__isnull=False, actual_finish__lte=self.end)
        # A project finished by its dates has started, whether or not its start was recorded;
        # by its sections, once one is 在建 or 建成, and completed once every one is 建成.
        started = by_start | by_finish | Q(GreaterThanOrEqual(highest, BEGUN_RANK))
        completed = by_finish | Q(Exact(lowest, COMPLETED_RANK))
        return started, completed

    def annotate(self, projects: QuerySet) -> QuerySet:
        """`projects` with `is_started`, `is_completed` and `goal_met` as of the quarter, to
        filter on. The SQL of `goal_met` repeats the other two's subqueries: counts and rows,
        which need no filter on it, use `stages` instead."""
        return self.stages(projects).annotate(
            goal_met=Q(goal=Project.Goal.START, is_started=True)
            | Q(goal=Project.Goal.COMPLETE, is_completed=True)
        )

    def counts(self, projects: QuerySet) -> ProjectCounts:
        Goal = Project.Goal
        to_start, to_complete = Q(goal=Goal.START), Q(goal=Goal.COMPLETE)
        invested = _sum(self.updates().filter(project=OuterRef("pk")))
        counts = (
            self.stages(projects)
            .annotate(invested=invested)
            .aggregate(
                to_start=Count("pk", filter=to_start),
                started=Count("pk", filter=to_start & Q(is_started=True)),
                to_complete=Count("pk", filter=to_complete),
                completed=Count("pk", filter=to_complete & Q(is_completed=True)),
                investment=Sum("invested"),
            )
        )
        return ProjectCounts(**counts)

    def city_counts(self, projects: QuerySet) -> dict[int, ProjectCounts]:
        """`counts` of `projects` for each city, over its own sections, in one grouped query:
        what `ProjectFigures(figures, city).counts` gives each city with a section.

        Each section is joined to its update of each quarter through as-of (a section has at
        most one a quarter, so no row repeats): hash joins read each update once, where a
        subquery per section looked up its stage, and another its amounts, four thousand times
        over at the scale of a full plan.
        """
        Goal = Project.Goal
        quarters = range(self.figures.as_of, 0, -1)  # the latest first
        carried = self.carried(OuterRef("project__predecessor"), OuterRef("city"))
        stage = Coalesce(
            *(F(f"q{quarter}__stage") for quarter in quarters),
            Subquery(carried.values("stage")[:1]),
        )
        by_start = Q(project__actual_start__isnull=False, project__actual_start__lte=self.end)
        by_finish = Q(project__actual_finish__isnull=False, project__actual_finish__lte=self.end)
        started = by_start | by_finish | Q(stage__in=BEGUN)
        completed = by_finish | Q(stage=Stage.COMPLETED)
        to_start, to_complete = Q(project__goal=Goal.START), Q(project__goal=Goal.COMPLETE)
        sums = {
            "to_start": Count("pk", filter=to_start),
            "started": Count("pk", filter=to_start & started),
            "to_complete": Count("pk", filter=to_complete),
            "completed": Count("pk", filter=to_complete & completed),
            **{f"invested_q{quarter}": Sum(f"q{quarter}__amount") for quarter in quarters},
        }
        rows = (
            Project.cities.through.objects.filter(project__in=projects.values("pk"))
            .alias(**{f"q{quarter}": self.section_update(quarter) for quarter in quarters})
            .alias(stage=stage)
            .order_by()
            .values("city")
            .annotate(**sums)
        )
        found = {}
        for row in rows:
            city = row.pop("city")
            amounts = [row.pop(f"invested_q{quarter}") for quarter in quarters]
            found[city] = ProjectCounts(**row, investment=_added(amounts))
        return found

    def section_update(self, quarter: int) -> FilteredRelation:
        """The counted update of `quarter` of the section in the outer query, to join."""
        approved_only = self.figures.approved_only
        statuses = [Reported.Status.APPROVED] if approved_only else list(Reported.COUNTED)
        condition = Q(
            project__updates__city=F("city"),
            project__updates__year=self.figures.plan.year,
            project__updates__quarter=quarter,
            # ReportedQuerySet.counted's statuses: a join's condition takes no queryset.
            project__updates__status__in=statuses,
        )
        if self.city is not None:
            condition &= Q(project__updates__city=self.city)
        return FilteredRelation("project__updates", condition=condition)

    def section_rows(self, project: Project) -> list[SectionProgress]:
        """Each city `project` runs through, in city order, with what its section reports."""
        updates = self.updates().filter(project=project, city=OuterRef("pk"))
        latest = updates.order_by("-quarter")
        carried = ProjectUpdate.objects.counted(self.figures.approved_only).filter(
            project=project.predecessor_id, city=OuterRef("pk")
        )
        cities = project.cities.order_by("order", "slug").annotate(
            latest_quarter=Subquery(latest.values("quarter")[:1]),
            latest_stage=Coalesce(
                Subquery(latest.values("stage")[:1]),
                Subquery(carried.order_by("-quarter").values("stage")[:1]),
            ),
            latest_progress=Subquery(latest.values("progress")[:1]),
            cumulative=_sum(updates, "city"),
        )
        return [
            SectionProgress(
                city=city,
                quarter=city.latest_quarter,
                stage=city.latest_stage or "",
                progress=city.latest_progress or "",
                cumulative=city.cumulative,
            )
            for city in cities
        ]

    def rows(self, projects: QuerySet) -> list[ProjectRow]:
        """One row per project of `projects` (already sliced to a page, say), in its order."""
        updates = self.updates().filter(project=OuterRef("pk"))
        latest = updates.order_by("-quarter", "-updated_at", "-pk")
        _lowest, highest = self.stage_span()
        annotated = self.stages(projects).annotate(
            quarter_amount=_sum(updates.filter(quarter=self.figures.as_of)),
            cumulative=_sum(updates),
            progress=Subquery(latest.values("progress")[:1]),
            progress_city_pk=Subquery(latest.values("city")[:1]),
            progress_city_slug=Subquery(latest.values("city__slug")[:1]),
            progress_city_name=Subquery(latest.values("city__name")[:1]),
            progress_city_name_en=Subquery(latest.values("city__name_en")[:1]),
            any_section_reported=Q(GreaterThanOrEqual(highest, REPORTED)),
        )
        return [
            ProjectRow(
                project=project,
                stage=_stage(project),
                goal_met=_goal_met(project),
                quarter_amount=project.quarter_amount,
                cumulative=project.cumulative,
                progress=project.progress or "",
                progress_city=_progress_city(project),
            )
            for project in annotated
        ]

    def digest(self, projects: QuerySet, shown: int) -> ProjectDigest:
        """The first `shown` of `projects` as rows, those behind their year's goal first (to
        start and not started, to complete and not completed, by the quarter's end), then the
        rest, each part in the order `projects` has; and all of them by goal and stage. Each
        project's stage is worked out once, in one query, and the full rows only for those
        shown."""
        Goal = Project.Goal
        _lowest, highest = self.stage_span()
        # Each project's stage as its row gives it (`_stage`), from the same three conditions.
        found = self.stages(projects.prefetch_related(None)).annotate(
            any_section_reported=Q(GreaterThanOrEqual(highest, REPORTED))
        )
        fields = ("pk", "goal", "is_started", "is_completed", "any_section_reported")
        found = [
            (row["pk"], row["goal"], _stage(SimpleNamespace(**row)))
            for row in found.values(*fields)
        ]
        behind = {
            pk
            for pk, goal, stage in found
            if (goal == Goal.START and stage not in BEGUN)
            or (goal == Goal.COMPLETE and stage != Stage.COMPLETED)
        }
        first = [pk for pk, *_ in found if pk in behind]
        first += [pk for pk, *_ in found if pk not in behind]
        place = {pk: at for at, pk in enumerate(first[:shown])}
        rows = self.rows(projects.filter(pk__in=place))
        counts: dict[str, Counter] = {}
        for _pk, goal, stage in found:
            counts.setdefault(goal, Counter())[stage or "unreported"] += 1
        goals = [
            GoalStages(goal, StageCounts(**counts[goal])) for goal in Goal.values if goal in counts
        ]
        return ProjectDigest(
            sorted(rows, key=lambda row: place[row.project.pk]),
            goals,
            StageCounts(**sum(counts.values(), Counter())),
        )


GOALS_WITH_A_TEST = (Project.Goal.START, Project.Goal.COMPLETE)


def _progress_city(project) -> City | None:
    """The city of the latest 形象进度, from the row's own columns: no query per row."""
    if not project.progress_city_pk:
        return None
    # With its pk, so that it equals the city it is (a restore check compares rows).
    return City(
        pk=project.progress_city_pk,
        slug=project.progress_city_slug,
        name=project.progress_city_name,
        name_en=project.progress_city_name_en,
    )


def _goal_met(project) -> bool | None:
    """Started for a project to start, completed for one to complete; None for the rest."""
    if project.goal == Project.Goal.START:
        return project.is_started
    if project.goal == Project.Goal.COMPLETE:
        return project.is_completed
    return None


def _sum(updates: QuerySet, by: str = "project") -> Subquery:
    # Grouped by the outer row's key so that the subquery sums that row's updates only.
    rows = updates.order_by().values(by).annotate(total=Sum("amount")).values("total")
    return Subquery(rows)


def _added(amounts: list[Decimal | None]) -> Decimal | None:
    """The amounts stated, added up; None when none is."""
    stated = [amount for amount in amounts if amount is not None]
    return sum(stated, Decimal(0)) if stated else None


def _stage(project) -> str:
    if project.is_completed:
        return Stage.COMPLETED
    if project.is_started:
        return Stage.CONSTRUCTION
    return Stage.PREPARATION if project.any_section_reported else ""
