"""What the quarterly bulletin (调度通报) says, from the figures.

`content(figures, next_steps)` gathers every number the bulletin states from investment/figures.py
into small frozen dataclasses of plain values, so that an issued bulletin can be frozen as JSON
(`frozen`) and read back (`load`) unchanged by later corrections. The sentences are methods on
them: templates of the translation catalogue filled with those numbers, so the page, the Word
file and the PDF read alike, in Chinese or in English.
"""

import dataclasses
import types
import typing
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from plan.models import BilingualName
from plan.money import yi
from tasks.models import Project

from .context_processors import sample_data_exists
from .figures import Figures, Progress, pace_counts
from .rankings import Measure


def percent(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def points(value: Decimal | None) -> str:
    """Percentage points ahead (+) of or behind (−) the pace."""
    if value is None:
        return "—"
    return f"+{value:.1f}" if value > 0 else f"−{-value:.1f}" if value < 0 else "0.0"


def rank(value: int | None) -> str:
    return _("not ranked") if value is None else str(value)


def rank_change(value: int | None, quarter: int = 2) -> str:
    """↑2 for two places up since the previous quarter, ↓1 for one down, — for none."""
    if value is None or quarter == 1:
        return ""
    return f"↑{value}" if value > 0 else f"↓{-value}" if value < 0 else "—"


def clauses(*parts: str) -> str:
    """Clauses joined into one sentence, as each language punctuates it."""
    kept = [part for part in parts if part]
    return pgettext("bulletin clauses", "; ").join(kept) + pgettext("bulletin sentence end", ".")


def names(items: list[str]) -> str:
    return pgettext("bulletin list", ", ").join(items)


def pace_phrase(gap: Decimal | None) -> str:
    if gap is None:
        return ""
    if gap > 0:
        return _("%(points)s percentage points ahead of the expected pace") % {
            "points": percent(gap)
        }
    if gap < 0:
        return _("%(points)s percentage points behind the expected pace") % {
            "points": percent(-gap)
        }
    return _("level with the expected pace")


@dataclass(frozen=True)
class Amounts:
    """Completed against a target (a task's stated one, or a city's allocation) at the quarter."""

    target: Decimal | None
    completed: Decimal
    percent: Decimal | None
    gap: Decimal | None  # percentage points ahead (+) of or behind (−) the expected pace

    @classmethod
    def of(cls, progress: Progress) -> "Amounts":
        return cls(progress.target, progress.completed, progress.percent, progress.gap)

    def words(self) -> dict:
        return {
            "completed": yi(self.completed),
            "target": yi(self.target),
            "percent": percent(self.percent),
            "pace": pace_phrase(self.gap),
        }


@dataclass(frozen=True)
class Named(BilingualName):
    name: str
    name_en: str


@dataclass(frozen=True)
class TaskLine(Named):
    code: str
    amounts: Amounts


@dataclass(frozen=True)
class Overall:
    year: int
    quarter: int
    amounts: Amounts
    excluded: Decimal  # completed on tasks without a stated target, not in the percentage
    tasks: int
    on_track: int
    at_risk: int
    behind: int
    no_target: int
    behind_tasks: list[TaskLine]

    def sentences(self) -> list[str]:
        words = {"year": self.year, "quarter": self.quarter, **self.amounts.words()}
        if self.amounts.percent is None:
            said = [
                _(
                    "By the end of Q%(quarter)s %(year)s the tasks had completed %(completed)s "
                    "(100 million yuan); the plan states no annual target."
                )
                % words
            ]
        else:
            said = [
                _(
                    "By the end of Q%(quarter)s %(year)s the tasks had completed %(completed)s "
                    "of the annual target of %(target)s (100 million yuan), %(percent)s%%, "
                    "%(pace)s."
                )
                % words
            ]
        if self.excluded:
            said.append(
                _(
                    "A further %(amount)s (100 million yuan) was completed on tasks without a "
                    "stated target and is not in the percentage."
                )
                % {"amount": yi(self.excluded)}
            )
        said.append(
            _(
                "Of the %(tasks)s tasks, %(on_track)s are on track, %(at_risk)s at risk and "
                "%(behind)s behind; %(no_target)s state no investment target."
            )
            % vars(self)
        )
        return said


@dataclass(frozen=True)
class RankCell:
    value: Decimal | None
    rank: int | None
    change: int | None  # places moved up (+) or down (−) since the previous quarter


@dataclass(frozen=True)
class CityLine(Named):
    slug: str
    amounts: Amounts
    completion: RankCell
    pace: RankCell
    start: RankCell
    finish: RankCell
    closure: RankCell
    to_start: int
    started: int
    to_complete: int
    completed: int
    raised: int
    open: int
    overdue: int

    def sentence(self, quarter: int) -> str:
        words = {"city": self.display_name, **self.amounts.words()}
        if self.amounts.percent is None:
            first = _("%(city)s has no allocation and reported %(completed)s (100 million yuan)")
        else:
            first = _(
                "%(city)s completed %(completed)s of its allocation of %(target)s (100 million "
                "yuan), %(percent)s%%, %(pace)s"
            )
        rank = ""
        if self.completion.rank is not None:
            rank = _("ranking %(rank)s by completion rate") % {"rank": self.completion.rank}
            change = self.completion.change
            if quarter > 1 and change is not None:
                if change > 0:
                    rank += _(", up %(places)s since last quarter") % {"places": change}
                elif change < 0:
                    rank += _(", down %(places)s since last quarter") % {"places": -change}
                else:
                    rank += _(", unchanged since last quarter")
        projects = []
        if self.to_start:
            projects.append(
                _("%(started)s of its %(to_start)s key projects to start have started") % vars(self)
            )
        if self.to_complete:
            projects.append(
                _("%(completed)s of its %(to_complete)s key projects to complete are completed")
                % vars(self)
            )
        problems = ""
        if self.raised:
            problems = _(
                "it has raised %(raised)s problems, %(open)s still open, %(overdue)s of them "
                "overdue"
            ) % vars(self)
        return clauses(first % words, rank, *projects, problems)


@dataclass(frozen=True)
class AreaLine(Named):
    number: int
    amounts: Amounts

    def sentence(self) -> str:
        words = {"area": self.display_name, **self.amounts.words()}
        if self.amounts.percent is None:
            return (
                _(
                    "%(area)s: no investment target stated; %(completed)s (100 million yuan) "
                    "reported."
                )
                % words
            )
        return (
            _(
                "%(area)s: %(completed)s of the target of %(target)s (100 million yuan) "
                "completed, %(percent)s%%, %(pace)s."
            )
            % words
        )


@dataclass(frozen=True)
class ProjectPart:
    named: int
    to_start: int
    started: int
    start_rate: Decimal | None
    to_complete: int
    completed: int
    complete_rate: Decimal | None
    not_started: list[str]  # the projects to start this year that have not (Chinese names)
    not_completed: list[str]

    def sentence(self) -> str:
        parts = [_("The plan names %(named)s key projects") % vars(self)]
        if self.to_start:
            parts.append(
                _(
                    "%(started)s of the %(to_start)s to start this year have started, a start "
                    "rate of %(rate)s%%"
                )
                % {**vars(self), "rate": percent(self.start_rate)}
            )
        if self.to_complete:
            parts.append(
                _(
                    "%(completed)s of the %(to_complete)s to complete are completed, a "
                    "completion rate of %(rate)s%%"
                )
                % {**vars(self), "rate": percent(self.complete_rate)}
            )
        return clauses(*parts)


@dataclass(frozen=True)
class UnitLine(Named):
    open: int
    overdue: int
    red: int  # overdue by more than PROBLEM_RED_DAYS

    @property
    def display_name(self) -> str:
        # The problems not yet assigned have no name (""): worded in the reader's language, so
        # an issued bulletin does not keep the issuer's (nor read as revised in the other one).
        return super().display_name if self.name else _("not yet assigned")


@dataclass(frozen=True)
class ProblemPart:
    day: date
    raised: int
    closed: int
    rate: Decimal | None
    open: int
    overdue: int
    red: int
    red_days: int
    units: list[UnitLine]  # those with open problems, red first

    def sentence(self) -> str:
        words = {**vars(self), "day": formats.date_format(self.day, "DATE_FORMAT")}
        if not self.raised:
            return _("By %(day)s the cities had raised no problem.") % words
        parts = [
            _("By %(day)s the cities had raised %(raised)s problems, %(closed)s of them closed")
            % words
        ]
        if self.rate is not None:
            parts.append(_("%(rate)s%% closed on time") % {"rate": percent(self.rate)})
        parts.append(
            _(
                "%(open)s are still open, %(overdue)s of them overdue and %(red)s more than "
                "%(red_days)s days overdue"
            )
            % words
        )
        return clauses(*parts)


@dataclass(frozen=True)
class Content:
    """Everything one bulletin states, as plain values."""

    plan_title: str
    plan_title_en: str
    year: int
    quarter: int
    overall: Overall
    cities: list[CityLine]  # by completion rank; those not ranked last
    areas: list[AreaLine]
    projects: ProjectPart
    problems: ProblemPart
    next_steps: str = ""
    approved_only: bool = False
    sample: bool = False  # sample data was loaded: the bulletin says its figures are made up

    @property
    def plan_name(self) -> str:
        return Named(self.plan_title, self.plan_title_en).display_name

    @property
    def next_steps_paragraphs(self) -> list[str]:
        return [line.strip() for line in self.next_steps.splitlines() if line.strip()]

    def same_figures(self, other: "Content") -> bool:
        """Whether `other` states the same figures (its 下步工作 and sample note aside)."""
        apart = {"next_steps": "", "sample": False}
        return dataclasses.replace(self, **apart) == dataclasses.replace(other, **apart)


def content(figures: Figures, next_steps: str = "") -> Content:
    """The bulletin of `figures`'s plan and quarter."""
    plan = figures.plan
    tasks = figures.tasks()
    counts = pace_counts(tasks)
    total = figures.total()
    overall = Overall(
        year=plan.year,
        quarter=figures.as_of,
        amounts=Amounts.of(total.progress),
        excluded=total.excluded,
        tasks=len(tasks),
        **counts,
        behind_tasks=[
            TaskLine(row.task.title, row.task.title_en, row.task.code, Amounts.of(row.progress))
            for row in tasks
            if row.progress.pace == "behind"
        ],
    )
    return Content(
        plan_title=plan.title,
        plan_title_en=plan.title_en,
        year=plan.year,
        quarter=figures.as_of,
        overall=overall,
        cities=city_lines(figures),
        areas=[
            AreaLine(row.area.name, row.area.name_en, row.area.number, Amounts.of(row.progress))
            for row in figures.areas()
        ],
        projects=project_part(figures),
        problems=problem_part(figures),
        next_steps=next_steps,
        approved_only=figures.approved_only,
        sample=sample_data_exists(),
    )


def city_lines(figures: Figures) -> list[CityLine]:
    rankings = figures.rankings()

    def cell(rank) -> RankCell:
        return RankCell(rank.value, rank.rank, rank.change)

    return [
        CityLine(
            row.city.name,
            row.city.name_en,
            slug=row.city.slug,
            amounts=Amounts.of(row.progress),
            completion=cell(row.completion),
            pace=cell(row.pace),
            start=cell(row.start),
            finish=cell(row.finish),
            closure=cell(row.closure),
            to_start=row.projects.to_start,
            started=row.projects.started,
            to_complete=row.projects.to_complete,
            completed=row.projects.completed,
            raised=row.problems.raised,
            open=row.problems.open,
            overdue=row.problems.overdue,
        )
        for row in rankings.ordered(Measure.COMPLETION)
    ]


def project_part(figures: Figures) -> ProjectPart:
    counts = figures.projects()
    Goal = Project.Goal
    lagging = (
        figures.annotated_projects(figures.project_set())
        .filter(goal__in=[Goal.START, Goal.COMPLETE], goal_met=False)
        .order_by("task__area__number", "task__number", "pk")
        .values_list("goal", "name")
    )
    return ProjectPart(
        named=figures.project_set().count(),
        to_start=counts.to_start,
        started=counts.started,
        start_rate=counts.start_rate,
        to_complete=counts.to_complete,
        completed=counts.completed,
        complete_rate=counts.complete_rate,
        not_started=[name for goal, name in lagging if goal == Goal.START],
        not_completed=[name for goal, name in lagging if goal == Goal.COMPLETE],
    )


def problem_part(figures: Figures) -> ProblemPart:
    counts = figures.problems()
    units = [
        UnitLine(
            row.subject.name if row.subject else "",
            "",
            open=row.counts.open,
            overdue=row.counts.overdue,
            red=row.counts.red,
        )
        for row in figures.problem_units()
        if row.counts.open
    ]
    units.sort(key=lambda row: (-row.red, -row.overdue, -row.open))
    return ProblemPart(
        day=counts.day,
        raised=counts.raised,
        closed=counts.closed,
        rate=counts.rate,
        open=counts.open,
        overdue=counts.overdue,
        red=counts.red,
        red_days=settings.PROBLEM_RED_DAYS,
        units=units,
    )


def frozen(found: Content) -> dict:
    """`found` as JSON-ready values, to keep with an issued bulletin."""
    import json

    return json.loads(json.dumps(dataclasses.asdict(found), cls=DjangoJSONEncoder))


def load(data: dict) -> Content:
    """The content an issued bulletin froze, read back with its types."""
    return _read(Content, data)


def _read(kind, value):
    if value is None:
        return None
    if dataclasses.is_dataclass(kind):
        hints = typing.get_type_hints(kind)
        # A field added since a bulletin was issued keeps its default when read back.
        found = [f for f in dataclasses.fields(kind) if f.name in value]
        return kind(**{f.name: _read(hints[f.name], value[f.name]) for f in found})
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        return _read(next(arg for arg in typing.get_args(kind) if arg is not type(None)), value)
    if origin is list:
        (item,) = typing.get_args(kind)
        return [_read(item, entry) for entry in value]
    if kind is Decimal:
        return Decimal(value)
    if kind is date:
        return date.fromisoformat(value)
    return value
