"""What the quarterly bulletin (调度通报) says: its parts as small frozen dataclasses of plain
values, and their sentences.

The sentences are methods on the parts: templates of the translation catalogue filled with the
parts' numbers, so the page, the Word file and the PDF read alike, in Chinese or in English.
bulletins/content.py fills the parts from the figures, freezes and reads them back.
"""

import dataclasses
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from figures.progress import Progress
from plan.models import BilingualName, bilingual
from plan.money import yi


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
            ngettext(
                "Of the %(tasks)s task: %(on_track)s on track, %(at_risk)s at risk, "
                "%(behind)s behind and %(no_target)s without an investment target.",
                "Of the %(tasks)s tasks: %(on_track)s on track, %(at_risk)s at risk, "
                "%(behind)s behind and %(no_target)s without an investment target.",
                self.tasks,
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
    tied: bool = False  # another city shares its completion rank

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
            if self.tied:
                rank = _("ranking %(rank)s by completion rate, tied") % {
                    "rank": self.completion.rank
                }
            else:
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
                ngettext(
                    "%(started)s of its %(to_start)s key project to start has started",
                    "%(started)s of its %(to_start)s key projects to start have started",
                    self.to_start,
                )
                % vars(self)
            )
        if self.to_complete:
            projects.append(
                ngettext(
                    "%(completed)s of its %(to_complete)s key project to complete is completed",
                    "%(completed)s of its %(to_complete)s key projects to complete are completed",
                    self.to_complete,
                )
                % vars(self)
            )
        problems = ""
        if self.raised:
            problems = ngettext(
                "it has raised %(raised)s problem, %(open)s still open, %(overdue)s of them "
                "overdue",
                "it has raised %(raised)s problems, %(open)s still open, %(overdue)s of them "
                "overdue",
                self.raised,
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
        parts = [
            ngettext(
                "The plan names %(named)s key project",
                "The plan names %(named)s key projects",
                self.named,
            )
            % vars(self)
        ]
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
            ngettext(
                "By %(day)s the cities had raised %(raised)s problem, %(closed)s of them closed",
                "By %(day)s the cities had raised %(raised)s problems, %(closed)s of them closed",
                self.raised,
            )
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
    # The document's letterhead as it was issued (settings.BULLETIN_*); a bulletin issued before
    # they were kept reads the settings' (content.load).
    issuer: str = ""
    send_to: str = ""
    copy_to: str = ""

    @property
    def plan_name(self) -> str:
        return bilingual(self.plan_title, self.plan_title_en)

    @property
    def next_steps_paragraphs(self) -> list[str]:
        return [line.strip() for line in self.next_steps.splitlines() if line.strip()]

    def same_figures(self, other: "Content") -> bool:
        """Whether `other` states the same figures: its numbers, in their order. Words aside
        (下步工作, the letterhead, a place or task renamed since): a renamed city has not had
        its figures revised."""
        apart = {"sample": False}
        return figures_of(dataclasses.replace(self, **apart)) == figures_of(
            dataclasses.replace(other, **apart)
        )


# The words of a bulletin's content: what a rename or the letterhead changes, never a figure.
WORDS = {"name", "name_en", "plan_title", "plan_title_en", "next_steps", "issuer", "send_to"}
WORDS |= {"copy_to"}


def figures_of(value):
    """The figures of a bulletin's content (amounts, counts, ranks, dates) and whose they are
    (a city's slug, a task's code), in their order, without its words."""
    if dataclasses.is_dataclass(value):
        return tuple(
            figures_of(getattr(value, field.name))
            for field in dataclasses.fields(value)
            if field.name not in WORDS
        )
    if isinstance(value, list | tuple):
        return tuple(figures_of(item) for item in value)
    if isinstance(value, dict):
        return tuple((key, figures_of(item)) for key, item in sorted(value.items()))
    return value
