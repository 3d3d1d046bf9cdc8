"""The bulletin's content from the figures, and frozen with an issued bulletin.

`content(figures, next_steps)` gathers every number the bulletin states from investment/figures.py
into the parts bulletin_text.py words; `frozen` turns them into JSON to keep with an issued
bulletin and `load` reads them back, unchanged by later corrections.
"""

import dataclasses
import json
import types
import typing
from collections import Counter
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import translation
from django.utils.translation import gettext as _

from bulletins.text import (
    Amounts,
    AreaLine,
    CityLine,
    Content,
    Overall,
    ProblemPart,
    ProjectPart,
    RankCell,
    TaskLine,
    UnitLine,
)
from figures.cache import kept
from figures.projects import GOALS_WITH_A_TEST
from figures.rankings import Measure
from figures.rollups import Figures, pace_counts
from figures.sample import sample_data_exists
from tasks.models import Project


def content(figures: Figures, next_steps: str = "") -> Content:
    """The bulletin of `figures`'s plan and quarter, its figures kept for the day and its
    letterhead as the settings say now."""
    return dataclasses.replace(stated(figures, next_steps), **letterhead())


@kept(daily=True)
def stated(figures: Figures, next_steps: str = "") -> Content:
    """The bulletin of `figures`'s plan and quarter, kept for the day (its problem figures are
    taken on today until the quarter ends)."""
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


def letterhead() -> dict:
    """Who issues the bulletin and to whom it goes, as the settings say now."""
    return {
        "issuer": settings.BULLETIN_ISSUER,
        "send_to": settings.BULLETIN_TO,
        "copy_to": settings.BULLETIN_CC,
    }


def held_names(city) -> tuple[str, str]:
    """A city's Chinese and English names as its plan holds it: "新乡（部分）" for one held in
    part, frozen so with an issued bulletin."""
    if not getattr(city, "in_part", False):
        return city.name, city.name_en
    with translation.override("zh-hans"):
        chinese = str(_("%(name)s (in part)") % {"name": city.name})
    with translation.override("en"):
        english = str(_("%(name)s (in part)") % {"name": city.name_en}) if city.name_en else ""
    return chinese, english


def city_lines(figures: Figures) -> list[CityLine]:
    rankings = figures.rankings()
    ranks = Counter(row.completion.rank for row in rankings.rows)

    def cell(rank) -> RankCell:
        return RankCell(rank.value, rank.rank, rank.change)

    return [
        CityLine(
            *held_names(row.city),
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
            tied=row.completion.rank is not None and ranks[row.completion.rank] > 1,
        )
        for row in rankings.ordered(Measure.COMPLETION)
    ]


def project_part(figures: Figures) -> ProjectPart:
    counts = figures.projects()
    Goal = Project.Goal
    lagging = (
        figures.annotated_projects(figures.project_set())
        .filter(goal__in=GOALS_WITH_A_TEST, goal_met=False)
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

    return json.loads(json.dumps(dataclasses.asdict(found), cls=DjangoJSONEncoder))


def load(data: dict) -> Content:
    """The content an issued bulletin froze, read back with its types (one issued before its
    letterhead was kept, with the settings')."""
    found = _read(Content, data)
    if "issuer" not in data:
        found = dataclasses.replace(found, **letterhead())
    return found


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
