"""The key projects' figures as of a quarter, for `Figures.projects` and `Figures.project_rows`.

A project is started by the end of a quarter when its actual start (or finish) is on or before
that day or one of its sections' latest counted update says 在建 or 建成; completed when its
actual finish is, or every section's latest counted update says 建成. On a city's page the
city's own sections decide. Investment is what the counted updates report; not stated is None,
never zero.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from investment.models import ProjectUpdate
from plan.models import City
from tasks.models import Project

Stage = Project.Stage
BEGUN = [Stage.CONSTRUCTION, Stage.COMPLETED]


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

    def sections(self, project: str = "pk") -> QuerySet:
        """The project's sections (its city links), each with the stage of its latest update."""
        sections = Project.cities.through.objects.filter(project=OuterRef(project))
        if self.city is not None:
            sections = sections.filter(city=self.city)
        latest = (
            self.updates()
            .filter(project=OuterRef("project"), city=OuterRef("city"))
            .order_by("-quarter")
            .values("stage")[:1]
        )
        return sections.annotate(
            latest_stage=Coalesce(Subquery(latest), self.carried_stage("project", "city"))
        )

    def carried_stage(self, project: str, city: str) -> Subquery:
        """Where a project carried over from last year's plan stood when that year ended: the
        stage of its predecessor's last counted update in the city, until this year has one."""
        updates = ProjectUpdate.objects.counted(self.figures.approved_only).filter(
            project=OuterRef(f"{project}__predecessor"), city=OuterRef(city)
        )
        return Subquery(updates.order_by("-quarter").values("stage")[:1])

    def stages(self, projects: QuerySet) -> QuerySet:
        """`projects` with `is_started` and `is_completed` as of the quarter."""
        sections = self.sections()
        unfinished = sections.filter(
            Q(latest_stage__isnull=True) | ~Q(latest_stage=Stage.COMPLETED)
        )
        # "IS NOT NULL" first: a missing date compared is NULL, and NULL would be neither
        # started nor not started, so ?met=0 would miss it.
        by_start = Q(actual_start__isnull=False, actual_start__lte=self.end)
        by_finish = Q(actual_finish__isnull=False, actual_finish__lte=self.end)
        # A project finished by its dates has started, whether or not its start was recorded.
        started = by_start | by_finish | Exists(sections.filter(latest_stage__in=BEGUN))
        completed = by_finish | (Exists(sections) & ~Exists(unfinished))
        return projects.annotate(is_started=started, is_completed=completed)

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
        what `ProjectFigures(figures, city).counts` gives each city with a section."""
        Goal = Project.Goal
        updates = self.updates().filter(project=OuterRef("project"), city=OuterRef("city"))
        by_start = Q(project__actual_start__isnull=False, project__actual_start__lte=self.end)
        by_finish = Q(project__actual_finish__isnull=False, project__actual_finish__lte=self.end)
        started = by_start | by_finish | Q(latest_stage__in=BEGUN)
        completed = by_finish | Q(latest_stage=Stage.COMPLETED)
        to_start, to_complete = Q(project__goal=Goal.START), Q(project__goal=Goal.COMPLETE)
        rows = (
            Project.cities.through.objects.filter(project__in=projects.values("pk"))
            .alias(
                latest_stage=Coalesce(
                    Subquery(updates.order_by("-quarter").values("stage")[:1]),
                    self.carried_stage("project", "city"),
                ),
                invested=_sum(updates, "city"),
            )
            .order_by()
            .values("city")
            .annotate(
                to_start=Count("pk", filter=to_start),
                started=Count("pk", filter=to_start & started),
                to_complete=Count("pk", filter=to_complete),
                completed=Count("pk", filter=to_complete & completed),
                investment=Sum("invested"),
            )
        )
        return {row.pop("city"): ProjectCounts(**row) for row in rows}

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
        sections = self.sections()
        annotated = self.stages(projects).annotate(
            quarter_amount=_sum(updates.filter(quarter=self.figures.as_of)),
            cumulative=_sum(updates),
            progress=Subquery(latest.values("progress")[:1]),
            progress_city_pk=Subquery(latest.values("city")[:1]),
            progress_city_slug=Subquery(latest.values("city__slug")[:1]),
            progress_city_name=Subquery(latest.values("city__name")[:1]),
            progress_city_name_en=Subquery(latest.values("city__name_en")[:1]),
            any_section_reported=Exists(sections.filter(latest_stage__isnull=False)),
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


def _stage(project) -> str:
    if project.is_completed:
        return Stage.COMPLETED
    if project.is_started:
        return Stage.CONSTRUCTION
    return Stage.PREPARATION if project.any_section_reported else ""
