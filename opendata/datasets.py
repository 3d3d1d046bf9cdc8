"""The open datasets of a plan year (GB/T 38664's 数据集): what each holds, its field
dictionary (数据项说明), and its rows.

Open data is what the office has made final: closed quarters (QuarterClose) and approved
reports and updates only; never a draft, never a problem's details (their counts only, and
only of problems assigned to a unit). Every figure comes from `Figures(plan, quarter,
approved_only=True)`, as the pages' approved-only view shows it.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bulletins.models import Bulletin
from figures.progress import wan
from figures.rollups import Figures
from investment.models import ProjectUpdate, QuarterClose
from plan.models import City, Plan, Unit
from tasks.models import Project


class Kind(models.TextChoices):
    TEXT = "string", pgettext_lazy("data type", "text")
    INTEGER = "integer", pgettext_lazy("data type", "integer")
    DECIMAL = "decimal", pgettext_lazy("data type", "decimal")
    DATE = "date", pgettext_lazy("data type", "date")


@dataclass(frozen=True)
class Field:
    """One column: its key (the CSV and JSON name), its Chinese name (the workbook's header),
    type, unit and definition (口径)."""

    key: str
    chinese: str
    kind: str
    definition: str
    unit: str = ""


YI = _("亿元")
QUARTERLY = _("quarterly, once the quarter is closed")
YEARLY = _("when the plan is issued or changed")


class OpenYear:
    """A plan year as open data: its closed quarters from Q1 on, and its figures as of each,
    approved reports only. A quarter reopened stops the run there: what comes after it is not
    published until it is closed again (its figures would show through later cumulatives)."""

    def __init__(self, plan: Plan, closed: set[int] | None = None) -> None:
        self.plan = plan
        if closed is None:
            closed = set(QuarterClose.objects.filter(plan=plan).values_list("quarter", flat=True))
        self.closed = []
        for quarter in range(1, 5):
            if quarter not in closed:
                break
            self.closed.append(quarter)

    @classmethod
    def of(cls, plans) -> list["OpenYear"]:
        """`plans` as open years, their closed quarters read in one query."""
        plans = list(plans)
        closed: dict[int, set[int]] = {}
        rows = QuarterClose.objects.filter(plan__in=plans).values_list("plan", "quarter")
        for plan, quarter in rows:
            closed.setdefault(plan, set()).add(quarter)
        return [cls(plan, closed.get(plan.pk, set())) for plan in plans]

    @property
    def last(self) -> int | None:
        return self.closed[-1] if self.closed else None

    def figures(self, quarter: int) -> Figures:
        return Figures(self.plan, quarter, approved_only=True)

    @cached_property
    def places(self) -> dict[int, City]:
        return {city.pk: city for city in City.objects.of_plan(self.plan)}


def amount(value: Decimal | None) -> Decimal | None:
    return None if value is None else wan(value)


def task_city_quarters(year: OpenYear) -> Iterator[dict]:
    if year.last is None:
        return
    for row in year.figures(year.last).task_city_quarters():
        if row.quarter not in year.closed:
            continue
        yield {
            "year": year.plan.year,
            "quarter": row.quarter,
            "task_code": row.task.code,
            "task_title": row.task.title,
            "place_code": row.city.code,
            "place_name": row.city.name,
            "amount": amount(row.amount),
            "cumulative": amount(row.cumulative),
            "allocation": amount(row.allocation),
            "task_target": amount(row.task.target),
        }


def projects(year: OpenYear) -> Iterator[dict]:
    listed = Project.objects.of_plan(year.plan).listed()
    rows = {}
    if year.last is not None:
        rows = {row.project.pk: row for row in year.figures(year.last).project_rows(listed)}
    for project in listed:
        row = rows.get(project.pk)
        cities = list(project.cities.all())
        yield {
            "year": year.plan.year,
            "project_id": project.pk,
            "national_code": project.national_code or None,
            "name": project.name,
            "task_code": project.task.code,
            "place_names": "、".join(city.name for city in cities) or None,
            # In the names' order; none at all where no place has a recorded code.
            "place_codes": ";".join(city.code or "" for city in cities)
            if any(city.code for city in cities)
            else None,
            "lead_unit": project.lead_unit.name if project.lead_unit_id else None,
            "goal": project.goal,
            "total_investment": amount(project.total_investment),
            "annual_investment": amount(project.annual_investment),
            "planned_start": project.planned_start,
            "planned_finish": project.planned_finish,
            "as_of_quarter": year.last,
            "stage": (row.stage or None) if row else None,
            "cumulative": amount(row.cumulative) if row else None,
        }


def project_updates(year: OpenYear) -> Iterator[dict]:
    updates = (
        ProjectUpdate.objects.of_plan(year.plan)
        .counted(approved_only=True)
        .filter(quarter__in=year.closed)
        .select_related("project", "city")
        .order_by("project__pk", "quarter", "city__order", "city__slug")
    )
    for update in updates.iterator(chunk_size=2000):
        yield {
            "year": year.plan.year,
            "quarter": update.quarter,
            "project_id": update.project_id,
            "project_name": update.project.name,
            "place_code": update.city.code,
            "place_name": update.city.name,
            "stage": update.stage,
            "progress": update.progress,
            "amount": amount(update.amount),
        }


def units(year: OpenYear) -> Iterator[dict]:
    """The units this plan's tasks and projects name, and those its problems were assigned to:
    never one only a draft plan names."""
    plan = year.plan
    named = (
        Q(led_tasks__area__plan=plan)
        | Q(supported_tasks__area__plan=plan)
        | Q(led_projects__task__area__plan=plan)
        | Q(supported_projects__task__area__plan=plan)
        | Q(problems__task__area__plan=plan)
    )
    found = Unit.objects.filter(pk__in=Unit.objects.filter(named).values("pk"))
    for unit in found.select_related("city").order_by("kind", "name"):
        yield {
            "unit_id": unit.pk,
            "name": unit.name,
            "short_name": unit.short_name or None,
            "kind": unit.kind,
            "place_name": unit.city.name if unit.city_id else None,
        }


def bulletins(year: OpenYear) -> Iterator[dict]:
    found = Bulletin.objects.filter(plan=year.plan).issued().select_related("plan")
    page = reverse("bulletin", args=[year.plan.year])
    for bulletin in found.order_by("quarter"):
        query = f"?as_of={year.plan.year}Q{bulletin.quarter}"
        yield {
            "year": year.plan.year,
            "quarter": bulletin.quarter,
            "number": bulletin.number,
            "issued_on": bulletin.issued_at.date(),
            "page": page + query,
            "pdf": f"{page}bulletin.pdf{query}",
            "docx": f"{page}bulletin.docx{query}",
        }


def problem_counts(year: OpenYear) -> Iterator[dict]:
    for quarter in year.closed:
        # Taken on the quarter's last day, as they stood then.
        for row in year.figures(quarter).problem_cities(assigned_only=True):
            counts = row.counts
            yield {
                "year": year.plan.year,
                "quarter": quarter,
                "place_code": row.subject.code,
                "place_name": row.subject.name,
                "raised": counts.raised,
                "open": counts.open,
                "overdue": counts.overdue,
                "closed": counts.closed,
                "closed_on_time": counts.closed_on_time,
                "refused": counts.refused,
                "closure_rate": counts.rate,
            }


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: str
    description: str
    frequency: str
    fields: tuple[Field, ...]
    rows: Callable[[OpenYear], Iterator[dict]]


YEAR = Field("year", "年度", Kind.INTEGER, _("The plan's year."))
QUARTER = Field("quarter", "季度", Kind.INTEGER, _("The quarter, 1 to 4; closed quarters only."))
PLACE_CODE = Field(
    "place_code", "行政区划代码", Kind.TEXT, _("The place's GB/T 2260 code; empty if not recorded.")
)
PLACE_NAME = Field("place_name", "市县", Kind.TEXT, _("The city, or county, as the plan holds it."))

DATASETS = (
    Dataset(
        "task-city-quarters",
        _("Investment completed by task, city and quarter"),
        _(
            "Each task's member cities, each closed quarter: the amount the city's approved "
            "report states, the cumulative through the quarter, and its allocation."
        ),
        QUARTERLY,
        (
            YEAR,
            QUARTER,
            Field("task_code", "任务编号", Kind.TEXT, _("Focus area and task number, e.g. 2.1.")),
            Field("task_title", "任务", Kind.TEXT, _("The task as the plan words it.")),
            PLACE_CODE,
            PLACE_NAME,
            Field(
                "amount",
                "本季度完成投资",
                Kind.DECIMAL,
                _(
                    "Investment completed in the quarter by the approved report; empty: none "
                    "approved."
                ),
                YI,
            ),
            Field(
                "cumulative",
                "累计完成投资",
                Kind.DECIMAL,
                _("Approved amounts from Q1 through the quarter."),
                YI,
            ),
            Field(
                "allocation",
                "年度分解目标",
                Kind.DECIMAL,
                _("The city's share of the task's annual target; empty: none allocated."),
                YI,
            ),
            Field(
                "task_target",
                "任务年度目标",
                Kind.DECIMAL,
                _("The task's annual investment target; empty: the plan states none."),
                YI,
            ),
        ),
        task_city_quarters,
    ),
    Dataset(
        "projects",
        _("Key projects"),
        _(
            "The plan's key projects (重点项目) with what the plan states of them, and their "
            "stage and investment as of the latest closed quarter, approved updates only."
        ),
        QUARTERLY,
        (
            YEAR,
            Field("project_id", "项目编号", Kind.INTEGER, _("This dashboard's id of the project.")),
            Field(
                "national_code",
                "项目代码",
                Kind.TEXT,
                _("The national project code (GB/T 40058-2021); empty if not known."),
            ),
            Field("name", "项目名称", Kind.TEXT, _("As the plan names it.")),
            Field("task_code", "任务编号", Kind.TEXT, _("The task it belongs to.")),
            Field(
                "place_names",
                "所在市县",
                Kind.TEXT,
                _("The places it has a section in, 、-separated."),
            ),
            Field(
                "place_codes", "行政区划代码", Kind.TEXT, _("Their GB/T 2260 codes, ;-separated.")
            ),
            Field("lead_unit", "牵头单位", Kind.TEXT, _("Empty if the plan names none.")),
            Field(
                "goal",
                "年度目标",
                Kind.TEXT,
                _("start (开工), complete (建成), advance (推进) or not_stated."),
            ),
            Field(
                "total_investment",
                "总投资",
                Kind.DECIMAL,
                _("As the plan states it; empty: not stated."),
                YI,
            ),
            Field(
                "annual_investment",
                "年度计划投资",
                Kind.DECIMAL,
                _("As the plan states it; empty: not stated."),
                YI,
            ),
            Field("planned_start", "计划开工", Kind.DATE, _("Empty: not stated.")),
            Field("planned_finish", "计划建成", Kind.DATE, _("Empty: not stated.")),
            Field(
                "as_of_quarter",
                "截至季度",
                Kind.INTEGER,
                _("The latest closed quarter, which stage and cumulative are as of."),
            ),
            Field(
                "stage",
                "建设阶段",
                Kind.TEXT,
                _("preparation, construction or completed; empty: nothing approved yet."),
            ),
            Field(
                "cumulative",
                "累计完成投资",
                Kind.DECIMAL,
                _("Approved updates' amounts through that quarter; empty: none states one."),
                YI,
            ),
        ),
        projects,
    ),
    Dataset(
        "project-updates",
        _("Key projects' quarterly progress"),
        _(
            "Each approved quarterly update of a key project's section in a city, in closed "
            "quarters: its stage, physical progress (形象进度) and investment."
        ),
        QUARTERLY,
        (
            YEAR,
            QUARTER,
            Field("project_id", "项目编号", Kind.INTEGER, _("As in the key projects dataset.")),
            Field("project_name", "项目名称", Kind.TEXT, _("As the plan names it.")),
            PLACE_CODE,
            PLACE_NAME,
            Field(
                "stage",
                "建设阶段",
                Kind.TEXT,
                _("At the quarter's end: preparation, construction or completed."),
            ),
            Field("progress", "形象进度", Kind.TEXT, _("What physically stands, as reported.")),
            Field(
                "amount",
                "本季度完成投资",
                Kind.DECIMAL,
                _("The section's investment in the quarter; empty: not stated."),
                YI,
            ),
        ),
        project_updates,
    ),
    Dataset(
        "units",
        _("Responsible units"),
        _("The units that lead or support tasks and projects, and answer problems."),
        YEARLY,
        (
            Field("unit_id", "单位编号", Kind.INTEGER, _("This dashboard's id of the unit.")),
            Field("name", "单位名称", Kind.TEXT, _("The unit's full name.")),
            Field("short_name", "简称", Kind.TEXT, _("Empty if none is recorded.")),
            Field(
                "kind",
                "类别",
                Kind.TEXT,
                _("city_government, provincial_department, enterprise or other."),
            ),
            Field("place_name", "所在市", Kind.TEXT, _("Empty for a provincial unit.")),
        ),
        units,
    ),
    Dataset(
        "bulletins",
        _("Issued bulletins"),
        _("Each quarter's issued bulletin (调度通报), with its page and files."),
        QUARTERLY,
        (
            YEAR,
            QUARTER,
            Field("number", "期数", Kind.INTEGER, _("第N期, in the order issued.")),
            Field("issued_on", "印发日期", Kind.DATE, _("The day it was issued.")),
            Field("page", "页面", Kind.TEXT, _("The bulletin's page on this site.")),
            Field("pdf", "PDF", Kind.TEXT, _("The bulletin as PDF.")),
            Field("docx", "Word", Kind.TEXT, _("The bulletin as a Word document.")),
        ),
        bulletins,
    ),
    Dataset(
        "problem-counts",
        _("Problems by city and quarter (counts)"),
        _(
            "How many problems each city raised and where they stood on each closed quarter's "
            "last day; problems not yet assigned to a unit are not counted, and no problem's "
            "details are published."
        ),
        QUARTERLY,
        (
            YEAR,
            QUARTER,
            PLACE_CODE,
            PLACE_NAME,
            Field("raised", "提出", Kind.INTEGER, _("Raised by that day and assigned.")),
            Field("open", "未办结", Kind.INTEGER, _("Still open on that day.")),
            Field("overdue", "逾期", Kind.INTEGER, _("Open and past the deadline on that day.")),
            Field("closed", "已办结", Kind.INTEGER, _("Closed and verified by that day.")),
            Field("closed_on_time", "按期办结", Kind.INTEGER, _("Closed by their deadline.")),
            Field("refused", "不予受理", Kind.INTEGER, _("Not accepted by that day.")),
            Field(
                "closure_rate",
                "办结率",
                Kind.DECIMAL,
                _("Closed on time over those due (closed, or overdue); empty: none due."),
                "%",
            ),
        ),
        problem_counts,
    ),
)

BY_SLUG = {dataset.slug: dataset for dataset in DATASETS}
