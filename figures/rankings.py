"""The cities ranked as of a quarter, for `Figures.rankings`: completion against their
allocations, points ahead of or behind the expected pace, 开工率 and 竣工率 over their own
sections of the key projects, and 办结率 of the problems they raised.

Higher is better on every measure. Ranks are compared on the values as shown (to one place),
so equal values share a rank and the next rank skips (1, 1, 3). A city without a value (no
allocation, no project to start or complete, no problem due) is not ranked, never last. The
change is last quarter's rank minus this one's: positive when the city moved up.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from figures.problems import ProblemCounts, ProblemFigures
from figures.progress import Progress
from figures.projects import ProjectCounts, ProjectFigures
from plan.models import City

TENTH = Decimal("0.1")


class Measure(models.TextChoices):
    COMPLETION = "completion", _("Completion")
    PACE = "pace", _("Against pace (points)")
    START = "start", _("Start rate")
    FINISH = "finish", _("Finish rate")
    CLOSURE = "closure", _("Closure rate")


@dataclass(frozen=True)
class Rank:
    """A city's value on one measure, its rank (None: not ranked) and its change of rank since
    the previous quarter (None when either quarter leaves it unranked, or in Q1)."""

    value: Decimal | None
    rank: int | None
    change: int | None

    @property
    def marker(self) -> str:
        """↑2 (up two places), ↓1, — (unchanged), or nothing when there is no change to show."""
        if self.change is None:
            return ""
        if self.change == 0:
            return "—"
        return f"↑{self.change}" if self.change > 0 else f"↓{-self.change}"

    @property
    def change_label(self) -> str:
        """The marker in words, for screen readers."""
        if self.change is None:
            return ""
        if self.change == 0:
            return str(_("unchanged since last quarter"))
        places = abs(self.change)
        if self.change > 0:
            text = ngettext(
                "up %(places)d place since last quarter",
                "up %(places)d places since last quarter",
                places,
            )
        else:
            text = ngettext(
                "down %(places)d place since last quarter",
                "down %(places)d places since last quarter",
                places,
            )
        return text % {"places": places}


@dataclass(frozen=True)
class CityRanking:
    """One city's figures as of the quarter and its rank on each measure."""

    city: City
    progress: Progress  # against the city's allocations
    projects: ProjectCounts  # over the city's own sections
    problems: ProblemCounts  # of the problems the city raised
    completion: Rank
    pace: Rank
    start: Rank
    finish: Rank
    closure: Rank

    def rank(self, measure: Measure | str) -> Rank:
        return getattr(self, Measure(measure).value)


@dataclass(frozen=True)
class Rankings:
    as_of: int
    rows: list[CityRanking]  # in city order

    def ordered(self, measure: Measure | str) -> list[CityRanking]:
        """The rows by rank on `measure`, ties in city order, the cities not ranked last."""
        ranked = sorted(
            (row for row in self.rows if row.rank(measure).rank is not None),
            key=lambda row: row.rank(measure).rank,
        )  # sorted() is stable: equal ranks keep the city order.
        return ranked + [row for row in self.rows if row.rank(measure).rank is None]


def competition_ranks(values: list[Decimal | None]) -> list[int | None]:
    """Standard competition ranking, higher first: 1 + how many values are higher."""
    present = [value for value in values if value is not None]
    return [
        None if value is None else 1 + sum(other > value for other in present) for value in values
    ]


def measured(figures, today: date | None = None) -> list[tuple]:
    """Each city with its figures and its value on each measure, in city order (a handful
    of queries whatever the number of reports, projects or problems)."""
    cities = figures.cities()
    projects = ProjectFigures(figures).city_counts(figures.project_set())
    problems = {row.subject.pk: row.counts for row in figures.problem_cities(today=today)}
    none_raised = ProblemCounts(ProblemFigures(figures, today).day, 0, 0, 0, 0, 0)
    rows = []
    for row in cities:
        counts = projects.get(row.city.pk, ProjectCounts(0, 0, 0, 0))
        raised = problems.get(row.city.pk, none_raised)
        values = {
            Measure.COMPLETION: row.progress.percent,
            Measure.PACE: row.progress.gap,
            Measure.START: counts.start_rate,
            Measure.FINISH: counts.complete_rate,
            Measure.CLOSURE: raised.rate,
        }
        rows.append((row, counts, raised, values))
    return rows


def ranks_by_city(rows: list[tuple]) -> dict[int, dict[Measure, int | None]]:
    """Each city's rank on each measure among `rows` (as `measured` gives them), by city pk."""
    ranks = {
        measure: competition_ranks([values[measure] for *_, values in rows]) for measure in Measure
    }
    return {
        row.city.pk: {measure: ranks[measure][index] for measure in Measure}
        for index, (row, *_) in enumerate(rows)
    }


def rankings(figures, today: date | None = None) -> Rankings:
    """The cities ranked as of the quarter of `figures` (one `Figures`), with the change
    since the quarter before (counted by the same rule: the same switch, problems as they
    stood at its end). Problems are taken as `Figures.problems` takes them: at the quarter's
    end, or `today` if earlier."""
    rows = measured(figures, today)
    now = ranks_by_city(rows)
    before = {}
    if figures.as_of > 1:
        before = ranks_by_city(measured(replace(figures, as_of=figures.as_of - 1), today))
    elif figures.plan.previous is not None:
        # Q1 compares with last year's Q4 where both years rank the city.
        last = replace(figures, plan=figures.plan.previous, as_of=4)
        before = ranks_by_city(measured(last, today))
    result = []
    for row, counts, raised, values in rows:
        marks = {}
        for measure in Measure:
            rank = now[row.city.pk][measure]
            previous = before.get(row.city.pk, {}).get(measure)
            change = None if rank is None or previous is None else previous - rank
            marks[measure.value] = Rank(values[measure], rank, change)
        result.append(CityRanking(row.city, row.progress, counts, raised, **marks))
    return Rankings(figures.as_of, result)
