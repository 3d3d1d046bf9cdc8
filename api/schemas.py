"""What the API answers, as typed schemas: the OpenAPI document is derived from them.

Amounts are in 亿元, as exact decimal strings ("12.3400"): the value the page rounds for
display. Names come in Chinese (`name`) and English (`name_en`, empty where none is recorded).
A None is "not stated" or "not yet known", never zero.
"""

from datetime import date, datetime
from decimal import Decimal

from ninja import Schema
from pydantic import Field


class Named(Schema):
    name: str
    name_en: str


class PlanOut(Schema):
    year: int
    title: str
    title_en: str
    status: str = Field(description="issued, or closed (the year's work done)")
    issued_on: date | None = Field(description="印发日期; null where the source does not state it")
    is_current: bool
    closed_quarters: list[int]
    url: str = Field(description="The plan's page")


class ProgressOut(Schema):
    target: Decimal | None = Field(description="亿元; null: no target stated")
    completed: Decimal = Field(description="亿元, cumulative through the as-of quarter")
    percent: Decimal | None = Field(description="completed / target, to one place")
    expected: Decimal | None = Field(description="亿元 the plan's pace expects by then")
    gap: Decimal | None = Field(description="points ahead (+) or behind (−) the pace")
    pace: str = Field(description="on_track, at_risk, behind or no_target")


class PlaceOut(Named):
    slug: str
    code: str | None = Field(description="GB/T 2260 administrative code")
    in_part: bool = Field(description="The plan holds only some of its counties")


class AreaRow(Schema):
    number: int
    name: str
    name_en: str
    progress: ProgressOut
    excluded: Decimal = Field(description="亿元 completed on tasks without a stated target")


class CityRow(Schema):
    city: PlaceOut
    progress: ProgressOut
    unallocated_completed: Decimal = Field(description="亿元 on tasks it has no allocation for")


class CorridorRow(Named):
    slug: str
    progress: ProgressOut
    excluded: Decimal


class TaskRow(Schema):
    code: str = Field(description="area.number, e.g. 1.3")
    title: str
    title_en: str
    area: int
    corridor: str | None = Field(description="the corridor's slug")
    progress: ProgressOut


class QuarterOut(Schema):
    quarter: int
    completed: Decimal | None = Field(description="cumulative; null after the as-of quarter")
    expected: Decimal | None


class ProjectCountsOut(Schema):
    to_start: int
    started: int
    start_rate: Decimal | None = Field(description="开工率 (%)")
    to_complete: int
    completed: int
    complete_rate: Decimal | None = Field(description="竣工率 (%)")
    investment: Decimal | None = Field(description="亿元 the counted updates report")


class ProblemCountsOut(Schema):
    day: date = Field(description="the day they are taken on")
    raised: int
    open: int
    overdue: int
    closed: int
    closed_on_time: int
    refused: int
    closure_rate: Decimal | None = Field(description="办结率 (%)")


class RankOut(Schema):
    value: Decimal | None
    rank: int | None = Field(description="null: not ranked")
    change: int | None = Field(description="places up (+) since the quarter before")


class RankingOut(Schema):
    city: PlaceOut
    completion: RankOut
    pace: RankOut
    start: RankOut
    finish: RankOut
    closure: RankOut


class MilestoneCountsOut(Schema):
    total: int
    done: int
    due: int
    overdue: int
    undated: int


class FiguresOut(Schema):
    year: int
    as_of: str = Field(description="the quarter, e.g. 2021Q3")
    approved_only: bool
    total: ProgressOut
    excluded: Decimal
    unallocated_target: Decimal | None
    areas: list[AreaRow]
    cities: list[CityRow]
    corridors: list[CorridorRow]
    tasks: list[TaskRow]
    quarters: list[QuarterOut]
    projects: ProjectCountsOut
    problems: ProblemCountsOut
    milestones: MilestoneCountsOut
    rankings: list[RankingOut] = Field(description="by completion; the unranked last")


class CityQuartersOut(Schema):
    city: PlaceOut
    quarters: list[Decimal | None] = Field(description="each quarter's amount; null: none")
    progress: ProgressOut = Field(description="against the city's allocation")


class MilestoneOut(Schema):
    name: str
    kind: str
    city: str | None = Field(description="the city's slug, where the source names one")
    due_quarter: int | None = Field(description="null where the source gives no date")
    status: str = Field(description="planned, in_progress or done")
    done_on: date | None


class TaskOut(TaskRow):
    description: str
    source_note: str
    lead_unit: str | None
    cities: list[CityQuartersOut]
    milestones: list[MilestoneOut]


class ProjectRowOut(Schema):
    id: int
    name: str
    task: str
    national_code: str | None = Field(description="GB/T 40058-2021 project code")
    goal: str = Field(description="start, complete, advance or not_stated")
    stage: str = Field(description="preparation, construction, completed; empty: none reported")
    goal_met: bool | None
    quarter_amount: Decimal | None
    cumulative: Decimal | None
    total_investment: Decimal | None
    annual_investment: Decimal | None
    progress: str = Field(description="the latest 形象进度")
    cities: list[str] = Field(description="the slugs of the cities it runs through")


class SectionOut(Schema):
    city: PlaceOut
    quarter: int | None
    stage: str
    progress: str
    cumulative: Decimal | None


class PhotoOut(Schema):
    id: int
    caption: str
    width: int
    height: int
    taken_at: datetime | None
    url: str = Field(
        description="the photo, for a reader signed in to the site who may see the update "
        "(a browser's session, not a key: a photo can show people and sites)"
    )


class UpdateOut(Schema):
    city: str
    quarter: int
    status: str
    stage: str
    progress: str
    amount: Decimal | None
    photos: list[PhotoOut]


class ProjectOut(ProjectRowOut):
    description: str
    lead_unit: str | None
    supporting_units: list[str]
    planned_start: date | None
    planned_finish: date | None
    actual_start: date | None
    actual_finish: date | None
    sections: list[SectionOut]
    updates: list[UpdateOut] = Field(description="up to the as-of quarter, latest first")


class Error(Schema):
    detail: str


class ProblemOut(Schema):
    id: int
    title: str
    description: str
    kind: str
    status: str = Field(description="raised (to assign), assigned, answered, closed, refused")
    city: str = Field(description="the raising city's slug")
    task: str
    project: int | None
    unit: str | None = Field(description="the responsible unit; null until assigned")
    raised_on: date
    assigned_on: date | None
    deadline: date | None
    closed_on: date | None


class BulletinOut(Schema):
    number: int = Field(description="第N期")
    quarter: int
    issued_at: datetime
    approved_only: bool
    url: str = Field(description="the bulletin's page, as the site's pages are open")
    docx: str
    pdf: str
    content: dict = Field(
        description="what the bulletin said when issued, frozen: its amounts as they were kept "
        "then, unchanged by later corrections"
    )
