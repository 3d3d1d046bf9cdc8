"""The read API, /api/v1/: the figures the pages show, as JSON, from the same `Figures` the
pages ask (so equal by construction), for whoever the key acts for (auth.py), through the gate.

django-ninja derives the OpenAPI 3.1 document (/api/v1/openapi.json) from the typed schemas
(schemas.py) and renders it at /api/v1/docs with its vendored Swagger UI.
"""

from decimal import Decimal
from typing import Any, Literal

from django.conf import settings
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.timezone import localdate
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import NinjaAPI, Query, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.pagination import PaginationBase, paginate
from ninja.renderers import JSONRenderer
from pydantic import Field

from api import schemas
from api.auth import Caller, KeyOrPublic, PerKey
from bulletins.models import Bulletin
from figures.pages import chosen_projects, project_filters
from figures.progress import wan
from figures.projects import ProjectRow
from figures.rankings import Measure
from figures.rollups import Figures
from investment.coverage import default_as_of, not_a_quarter, quarter_in
from investment.models import ProjectUpdate, QuarterClose
from people.access import reach
from plan.forms import CONTROL_CHARACTERS
from plan.models import City, Plan
from problems.models import Problem
from tasks.models import Project, Task


class Json(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}  # Chinese as itself, not \\u escapes


api = NinjaAPI(
    title="郑州都市圈一体化发展工作要点 · API",
    version="1",
    description=(
        "The dashboard's figures as JSON. A personal key (Authorization: Bearer zzm_…) reads "
        "what its account reads; without one, open data only (closed quarters, approved "
        "reports) while the dashboard is public. Amounts are 亿元, as decimal strings; null is "
        '“not stated” or “not yet known”, never zero. Errors are {"detail": …} in Chinese, '
        "in English with Accept-Language: en."
    ),
    urls_namespace="api",
    auth=KeyOrPublic(),
    throttle=PerKey(),
    docs_url="/docs",
    renderer=Json(),
)


# Errors: {"detail": a sentence}, in the request's language.


def error(request: HttpRequest, status: int, detail: str):
    return api.create_response(request, {"detail": detail}, status=status)


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    return error(request, exc.status_code, str(exc))


@api.exception_handler(AuthenticationError)
def no_caller(request, exc):
    return error(request, 401, _("This API needs a key: send Authorization: Bearer <key>."))


@api.exception_handler(Throttled)
def throttled(request, exc):
    return error(request, 429, _("Too many requests from this key: wait a minute and retry."))


@api.exception_handler(Http404)
def not_found(request, exc: Http404):
    # The page's own reasons (an unknown quarter, filter value) are meant for the caller.
    detail = str(exc) if getattr(exc, "public", False) else _("Not found.")
    return error(request, 404, detail)


REASONS = {
    "missing": gettext_lazy("a value is required"),
    "int_parsing": gettext_lazy("a whole number is expected"),
    "int_type": gettext_lazy("a whole number is expected"),
    "bool_parsing": gettext_lazy("true or false is expected"),
    "greater_than_equal": gettext_lazy("the value is too small"),
    "less_than_equal": gettext_lazy("the value is too large"),
    "literal_error": gettext_lazy("the value is not one of those allowed"),
    "string_too_long": gettext_lazy("the value is too long"),
}


@api.exception_handler(ValidationError)
def invalid(request, exc: ValidationError):
    first = exc.errors[0] if exc.errors else {}
    field = ".".join(str(part) for part in first.get("loc", ())[1:]) or "?"
    reason = REASONS.get(first.get("type"), gettext_lazy("the value is not valid"))
    return error(
        request,
        400,
        _("Parameter “%(field)s”: %(reason)s.") % {"field": field, "reason": reason},
    )


def bounded(request: HttpRequest, allowed: set[str]) -> None:
    """Only the operation's own parameters, once each and without control characters."""
    for name, values in request.GET.lists():
        if CONTROL_CHARACTERS.search(name) or any(CONTROL_CHARACTERS.search(v) for v in values):
            raise HttpError(400, _("The address holds control characters."))
        if name not in allowed:
            raise HttpError(400, _("Unknown parameter “%(name)s”.") % {"name": name[:40]})
        if len(values) > 1:
            raise HttpError(400, _("Parameter “%(name)s” is given twice.") % {"name": name})


# Pagination: ?page=1&page_size=50, at most API_PAGE_SIZE a page, stable order.


class Pages(PaginationBase):
    class Input(Schema):
        page: int = Field(1, ge=1, le=100_000)
        page_size: int = Field(50, ge=1, le=settings.API_PAGE_SIZE)

    class Output(Schema):
        count: int
        page: int
        pages: int
        items: list[Any]

    def paginate_queryset(self, queryset, pagination: Input, request, **params) -> dict:
        count = len(queryset) if isinstance(queryset, list) else queryset.count()
        pages = max(1, -(-count // pagination.page_size))
        if pagination.page > pages:
            words = {"page": pagination.page, "pages": pages}
            raise HttpError(404, _("Page %(page)d does not exist: there are %(pages)d.") % words)
        start = (pagination.page - 1) * pagination.page_size
        return {
            "count": count,
            "page": pagination.page,
            "pages": pages,
            "items": queryset[start : start + pagination.page_size],
        }


# What each operation may answer besides its 200, for the OpenAPI document.
ERRORS = dict.fromkeys((400, 401, 404, 429), schemas.Error)
PAGED = {"page", "page_size"}
AS_OF = {"as_of", "approved"}


# Which plan, which quarter.


def plan_of(request: HttpRequest, year: int) -> Plan:
    plans = reach(request.user).plans()
    found = plans.filter(year=year).first()
    if found is None:
        raise HttpError(404, _("There is no %(year)s plan to read.") % {"year": year})
    return found


def quarter_of(plan: Plan, raw: str) -> int:
    quarter = quarter_in(plan, raw)
    if quarter is None:
        raise HttpError(400, not_a_quarter(plan, raw))
    return quarter


def figures_of(request: HttpRequest, year: int, as_of: str | None, approved: bool) -> Figures:
    """The plan of `year` as of `as_of` (by default the quarter the pages open at), over
    approved reports only with `approved`. An anonymous caller reads open data only: a closed
    quarter (the latest by default), approved reports."""
    plan = plan_of(request, year)
    caller: Caller = request.auth
    if not caller.anonymous:
        quarter = quarter_of(plan, as_of) if as_of else default_as_of(plan).quarter
        return Figures(plan, quarter, approved)
    closed = sorted(QuarterClose.objects.filter(plan=plan).values_list("quarter", flat=True))
    quarter = quarter_of(plan, as_of) if as_of else (closed[-1] if closed else None)
    if quarter not in closed:
        raise HttpError(
            404,
            _("Open data covers closed quarters only; the %(year)s plan has closed: %(closed)s.")
            % {"year": year, "closed": "、".join(f"{year}Q{q}" for q in closed) or _("none")},
        )
    return Figures(plan, quarter, True)


# The answers, built from the figures' own rows.


def yi(amount: Decimal | None) -> Decimal | None:
    """An amount in 亿元 to 万元, as stored: SQLite's sums carry more places."""
    return None if amount is None else wan(amount)


def progress(value) -> dict:
    return {
        "target": yi(value.target),
        "completed": yi(value.completed),
        "percent": value.percent,
        "expected": yi(value.expected),
        "gap": value.gap,
        "pace": value.pace.value,
    }


def place(city: City) -> dict:
    return {
        "name": city.name,
        "name_en": city.name_en,
        "slug": city.slug,
        "code": city.code,
        "in_part": bool(getattr(city, "in_part", False)),
    }


def task_row(row) -> dict:
    task = row.task
    return {
        "code": task.code,
        "title": task.title,
        "title_en": task.title_en,
        "area": task.area.number,
        "corridor": task.corridor.slug if task.corridor_id else None,
        "progress": progress(row.progress),
    }


def project_counts(counts) -> dict:
    rates = {"start_rate": counts.start_rate, "complete_rate": counts.complete_rate}
    return vars(counts) | rates | {"investment": yi(counts.investment)}


def problem_counts(counts) -> dict:
    names = ("day", "raised", "open", "overdue", "closed", "closed_on_time", "refused")
    return {name: getattr(counts, name) for name in names} | {"closure_rate": counts.rate}


def plan_out(request: HttpRequest, plan: Plan, closed: list[int]) -> dict:
    return {
        "year": plan.year,
        "title": plan.title,
        "title_en": plan.title_en,
        "status": plan.status,
        "issued_on": plan.issued_on,
        "is_current": plan.is_current,
        "closed_quarters": closed,
        "url": request.build_absolute_uri(plan.get_absolute_url()),
    }


@api.get(
    "/plans", response={200: list[schemas.PlanOut], **ERRORS}, tags=["plans"], summary="The plans"
)
def plans(request):
    """The plans the caller may read, the latest first (a draft is the office's alone)."""
    bounded(request, set())
    found = list(reach(request.user).plans())
    closed: dict[int, list[int]] = {}
    for plan_id, quarter in QuarterClose.objects.filter(plan__in=found).values_list(
        "plan", "quarter"
    ):
        closed.setdefault(plan_id, []).append(quarter)
    return [plan_out(request, plan, sorted(closed.get(plan.pk, []))) for plan in found]


@api.get(
    "/plans/{year}", response={200: schemas.PlanOut, **ERRORS}, tags=["plans"], summary="One plan"
)
def plan_detail(request, year: int):
    bounded(request, set())
    plan = plan_of(request, year)
    closed = sorted(plan.closed_quarters.values_list("quarter", flat=True))
    return plan_out(request, plan, closed)


@api.get(
    "/plans/{year}/figures",
    response={200: schemas.FiguresOut, **ERRORS},
    tags=["figures"],
    summary="The plan's figures as of a quarter",
)
def plan_figures(
    request,
    year: int,
    as_of: str | None = Query(None, max_length=6, description="e.g. 2021Q3"),
    approved: bool = Query(False, description="count approved reports only"),
):
    """What the plan's overview shows: total, areas, cities, corridors, tasks, the quarterly
    series, 开工率/竣工率, problem counts, milestones and the rankings."""
    bounded(request, AS_OF)
    figures = figures_of(request, year, as_of, approved)
    page = figures.page(figures.plan)
    today = localdate()
    ranked = figures.rankings(today).ordered(Measure.COMPLETION)
    return {
        "year": year,
        "as_of": f"{year}Q{figures.as_of}",
        "approved_only": figures.approved_only,
        "total": progress(page.total),
        "excluded": yi(page.excluded),
        "unallocated_target": yi(page.unallocated_target),
        "areas": [
            {
                "number": row.area.number,
                "name": row.area.name,
                "name_en": row.area.name_en,
                "progress": progress(row.progress),
                "excluded": yi(row.excluded),
            }
            for row in page.areas
        ],
        "cities": [
            {
                "city": place(row.city),
                "progress": progress(row.progress),
                "unallocated_completed": yi(row.unallocated_completed),
            }
            for row in page.cities
        ],
        "corridors": [
            {
                "name": row.corridor.name,
                "name_en": row.corridor.name_en,
                "slug": row.corridor.slug,
                "progress": progress(row.progress),
                "excluded": yi(row.excluded),
            }
            for row in page.corridors
        ],
        "tasks": [task_row(row) for row in page.tasks],
        "quarters": [
            {
                "quarter": point.quarter,
                "completed": yi(point.completed),
                "expected": yi(point.expected),
            }
            for point in figures.quarters()
        ],
        "projects": project_counts(page.projects),
        "problems": problem_counts(figures.problems(figures.plan, today)),
        "milestones": vars(figures.milestones()),
        "rankings": [
            {"city": place(row.city)}
            | {measure.value: vars(row.rank(measure)) for measure in Measure}
            for row in ranked
        ],
    }


@api.get(
    "/plans/{year}/tasks",
    response={200: list[schemas.TaskRow], **ERRORS},
    tags=["tasks"],
    summary="The plan's tasks as of a quarter",
)
@paginate(Pages)
def tasks(
    request,
    year: int,
    as_of: str | None = Query(None, max_length=6),
    approved: bool = Query(False),
):
    bounded(request, AS_OF | PAGED)
    figures = figures_of(request, year, as_of, approved)
    return [task_row(row) for row in figures.page(figures.plan).tasks]


@api.get(
    "/plans/{year}/tasks/{code}",
    response={200: schemas.TaskOut, **ERRORS},
    tags=["tasks"],
    summary="One task with its cities' quarters and its milestones",
)
def task_detail(
    request,
    year: int,
    code: str,
    as_of: str | None = Query(None, max_length=6),
    approved: bool = Query(False),
):
    bounded(request, AS_OF)
    figures = figures_of(request, year, as_of, approved)
    tasks = Task.objects.of_plan(figures.plan).by_code(code[:20])
    task = get_object_or_404(tasks.select_related("area__plan", "corridor", "lead_unit"))
    page = figures.page(task)
    milestones = task.milestones.select_related("city")
    # Open data stops at the quarter it is as of: an anonymous caller sees no later one.
    shown = range(1, 5) if not request.auth.anonymous else range(1, figures.as_of + 1)
    return task_row(page.tasks[0]) | {
        "description": task.description,
        "source_note": task.source_note,
        "lead_unit": task.lead_unit.name if task.lead_unit_id else None,
        "cities": [
            {
                "city": place(row.city),
                "quarters": [
                    yi(amount) if quarter in shown else None
                    for quarter, amount in enumerate(row.quarters, start=1)
                ],
                "progress": progress(row.progress),
            }
            for row in page.task_cities
        ],
        "milestones": [
            {
                "name": milestone.name,
                "kind": milestone.kind,
                "city": milestone.city.slug if milestone.city_id else None,
                "due_quarter": milestone.due_quarter,
                "status": milestone.status,
                "done_on": milestone.done_on,
            }
            for milestone in milestones
        ],
    }


def project_row(row: ProjectRow) -> dict:
    project = row.project
    return {
        "id": project.pk,
        "name": project.name,
        "task": project.task.code,
        "national_code": project.national_code or None,
        "goal": project.goal,
        "stage": row.stage,
        "goal_met": row.goal_met,
        "quarter_amount": yi(row.quarter_amount),
        "cumulative": yi(row.cumulative),
        "total_investment": yi(project.total_investment),
        "annual_investment": yi(project.annual_investment),
        "progress": row.progress,
        "cities": [city.slug for city in project.cities.all()],
    }


@api.get(
    "/plans/{year}/projects",
    response={200: list[schemas.ProjectRowOut], **ERRORS},
    tags=["projects"],
    summary="The plan's key projects as of a quarter",
)
@paginate(Pages)
def projects(
    request,
    year: int,
    as_of: str | None = Query(None, max_length=6),
    approved: bool = Query(False),
    city: str | None = Query(None, max_length=50, description="a city's slug"),
    area: int | None = Query(None, ge=1, le=1000),
    task: str | None = Query(None, max_length=20, description="a task's code, e.g. 1.3"),
    unit: int | None = Query(None, ge=1, le=2**31 - 1),
    goal: Literal["start", "complete", "advance", "not_stated"] | None = Query(None),
    met: Literal["0", "1"] | None = Query(None, description="1: goal met; 0: not yet"),
):
    """The projects list's filters, as on its page."""
    bounded(request, AS_OF | PAGED | {"city", "area", "task", "unit", "goal", "met"})
    figures = figures_of(request, year, as_of, approved)
    return ProjectRows(figures, chosen_projects(figures, project_filters(request, figures.plan)))


class ProjectRows:
    """A page of projects read as rows only once sliced: the figures of 50, not of all."""

    def __init__(self, figures: Figures, projects) -> None:
        self.figures, self.projects = figures, projects

    def count(self) -> int:
        return self.projects.count()

    def __getitem__(self, part: slice) -> list[dict]:
        return [project_row(row) for row in self.figures.project_rows(self.projects[part])]


@api.get(
    "/plans/{year}/projects/{project_id}",
    response={200: schemas.ProjectOut, **ERRORS},
    tags=["projects"],
    summary="One key project: sections, stage, updates and photos",
)
def project_detail(
    request,
    year: int,
    project_id: int,
    as_of: str | None = Query(None, max_length=6),
    approved: bool = Query(False),
):
    bounded(request, AS_OF)
    figures = figures_of(request, year, as_of, approved)
    projects = Project.objects.of_plan(figures.plan).filter(pk=project_id).listed()
    rows = 0 < project_id < 2**31 and figures.project_rows(
        projects.prefetch_related("supporting_units")
    )
    if not rows:
        raise HttpError(404, _("The %(year)s plan has no such key project.") % {"year": year})
    row = rows[0]
    project = row.project
    updates = ProjectUpdate.objects.timeline(project, year, figures.as_of)
    updates = updates.visible_to(request.user)
    if figures.approved_only:
        updates = updates.counted(approved_only=True)
    return project_row(row) | {
        "description": project.description,
        "lead_unit": project.lead_unit.name if project.lead_unit_id else None,
        "supporting_units": [unit.name for unit in project.supporting_units.all()],
        "planned_start": project.planned_start,
        "planned_finish": project.planned_finish,
        "actual_start": project.actual_start,
        "actual_finish": project.actual_finish,
        "sections": [
            vars(section) | {"city": place(section.city), "cumulative": yi(section.cumulative)}
            for section in figures.project_sections(project)
        ],
        "updates": [
            {
                "city": update.city.slug,
                "quarter": update.quarter,
                "status": update.status,
                "stage": update.stage,
                "progress": update.progress,
                "amount": yi(update.amount),
                "photos": [
                    {
                        "id": photo.pk,
                        "caption": photo.caption,
                        "width": photo.width,
                        "height": photo.height,
                        "taken_at": photo.taken_at,
                        "url": request.build_absolute_uri(
                            reverse("project-photo", args=[photo.pk])
                        ),
                    }
                    for photo in update.photos.all()
                ],
            }
            for update in updates
        ],
    }


@api.get(
    "/plans/{year}/problems",
    response={200: list[schemas.ProblemOut], **ERRORS},
    tags=["problems"],
    summary="The problems the caller's key may read",
)
@paginate(Pages)
def problems(request, year: int):
    """As the gate allows the key's account: a leader's key the assigned ones, a unit
    contact's her unit's, a reporter's her city's. Open data has problem counts only (in the
    figures), so an anonymous caller is refused."""
    bounded(request, PAGED)
    plan = plan_of(request, year)
    if request.auth.anonymous:
        raise HttpError(401, _("The problems list needs a key; open data has their counts only."))
    found = (
        Problem.objects.of_plan(plan)
        .visible_to(request.user)
        .select_related("task__area", "unit")
        .order_by("created_at", "pk")
    )
    return ProblemRows(found)


class ProblemRows:
    def __init__(self, problems) -> None:
        self.problems = problems

    def count(self) -> int:
        return self.problems.count()

    def __getitem__(self, part: slice) -> list[dict]:
        return [
            {
                "id": problem.pk,
                "title": problem.title,
                "description": problem.description,
                "kind": problem.kind,
                "status": problem.status,
                "city": problem.city.slug,
                "task": problem.task.code,
                "project": problem.project_id,
                "unit": problem.unit.name if problem.unit_id else None,
                "raised_on": localdate(problem.created_at),
                "assigned_on": problem.assigned_on,
                "deadline": problem.deadline,
                "closed_on": problem.closed_on,
            }
            for problem in self.problems.select_related("city")[part]
        ]


@api.get(
    "/plans/{year}/bulletins",
    response={200: list[schemas.BulletinOut], **ERRORS},
    tags=["bulletins"],
    summary="The plan's issued bulletins",
)
def bulletins(request, year: int):
    """Each issued bulletin as it was issued (its content frozen then), with its files."""
    bounded(request, set())
    plan = plan_of(request, year)
    found = Bulletin.objects.filter(plan=plan).issued().select_related("plan").order_by("quarter")
    answers = []
    for bulletin in found:
        page = bulletin.get_absolute_url()
        files = page.replace("/bulletin/?", "/bulletin/bulletin.{}?")
        answers.append(
            {
                "number": bulletin.number,
                "quarter": bulletin.quarter,
                "issued_at": bulletin.issued_at,
                "approved_only": bool(bulletin.content.get("approved_only")),
                "url": request.build_absolute_uri(page),
                "docx": request.build_absolute_uri(files.format("docx")),
                "pdf": request.build_absolute_uri(files.format("pdf")),
                "content": bulletin.content,
            }
        )
    return answers
