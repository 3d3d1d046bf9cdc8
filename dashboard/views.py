"""The dashboard's read-only pages: the plan, an area, a city, a corridor, a task, the
rankings and the key projects; each page's figures also as a workbook and its reports as CSV.

Each view finds its subject, asks the figures (figures/) and renders; who may read is
decided by people.access.
"""

import re
from dataclasses import replace

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.timezone import localdate
from django.utils.translation import gettext as _

from exports import reports, workbook
from figures.cache import cached
from figures.pages import figures_for, quarter_context
from figures.projects import GOALS_WITH_A_TEST, ProjectRow
from figures.rankings import Measure, Rankings
from figures.rollups import Figures, Scope, any_unallocated, pace_counts, scope
from figures.sample import sample_data_exists
from investment.coverage import reporting_coverage
from investment.history import task_history
from investment.models import ProjectUpdate
from people.access import city_download_allowed, readers_only
from plan.models import City, Corridor, FocusArea, Plan, Unit
from plan.spreadsheets import XLSX
from problems.models import Problem
from tasks.models import Project, Task


def page_scope(figures: Figures, subject) -> Scope:
    """The page's figures, from the cache when nothing changed since they were computed."""
    name = f"{type(subject).__name__}-{subject.pk}"
    return cached(figures, name, lambda: scope(figures, subject))


def problem_figures(figures: Figures, subject, breakdown: bool = False) -> dict:
    """The problem figures of a page about `subject`, cached for the day (the as-of day moves
    with it); with `breakdown`, per raising city and per unit too. The unit table is always the
    plan's, so that a unit's page compares the unit with the others."""
    today = localdate()

    def build() -> dict:
        found = {"problems": figures.problems(subject, today)}
        if breakdown:
            found["problem_cities"] = figures.problem_cities(subject, today)
            found["problem_units"] = figures.problem_units(today=today)
        return found

    name = f"problems-{type(subject).__name__}-{subject.pk}-{int(breakdown)}-{today}"
    return cached(figures, name, build)


def city_rankings(figures: Figures) -> Rankings:
    """The cities ranked as of the quarter, cached for the day (办结率 is taken on it)."""
    today = localdate()
    return cached(figures, f"rankings-{today}", lambda: figures.rankings(today))


def context(request: HttpRequest, scope: Scope, **extra) -> dict:
    return {
        **quarter_context(request, scope.figures),
        "scope": scope,
        scope.kind: scope.subject,
        **extra,
    }


def download(request: HttpRequest, scope: Scope, kind: str) -> HttpResponse:
    """A page's figures as a workbook (export.xlsx) or its reports as CSV (reports.csv)."""
    if kind == "xlsx":
        return FileResponse(
            workbook.workbook(scope, sample_data_exists(), request.user),
            as_attachment=True,
            filename=workbook.file_name(scope, "xlsx"),
            content_type=XLSX,
        )
    response = StreamingHttpResponse(
        reports.reports_csv(scope), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(
        True, workbook.file_name(scope, "csv")
    )
    return response


def legend() -> dict:
    return {
        "unit": _("亿元"),  # the amount axes' unit
        "target": _("Stated target"),
        "allocation": _("Allocation"),
        "completed": _("Completed"),
        "expected": _("Expected pace"),
        "not_overdue": _("Open, not overdue"),
        "overdue": _("Overdue"),
        "closed": _("Closed"),
    }


def series(rows: list, attribute: str) -> dict:
    """Labels, targets and completed amounts of figure rows, for one chart."""
    return {
        "labels": [getattr(row, attribute).display_name for row in rows],
        "target": [row.progress.target for row in rows],
        "completed": [row.progress.completed for row in rows],
    }


def overview_figures(figures: Figures, tasks: list, cities: list) -> dict:
    """What the overview shows beyond its scope: coverage, counts, the series and warnings."""
    reporting = reporting_coverage(figures.plan, figures.as_of)
    return {
        "coverage": figures.coverage(),
        "targets": figures.targets(),
        "pace_counts": pace_counts(tasks),
        "quarters": figures.quarters(),
        "reporting": reporting,
        "milestones": figures.milestones(),
        "warnings": figures.warnings(tasks, cities, reporting),
    }


@readers_only
def home(request: HttpRequest) -> HttpResponse:
    plan = Plan.objects.first()
    if plan is None:
        return render(request, "dashboard/no_plan.html")
    return redirect(plan)


@readers_only
def plan_overview(request: HttpRequest, year: int, download_as: str = "") -> HttpResponse:
    figures = figures_for(request, year)
    page = page_scope(figures, figures.plan)
    if download_as:
        return download(request, page, download_as)
    more = cached(figures, "overview", lambda: overview_figures(figures, page.tasks, page.cities))
    # The problems listed among the warnings are the reader's own to see: never cached.
    visible = Problem.objects.visible_to(request.user)
    more["warnings"] = replace(more["warnings"], problems=figures.problem_warnings(visible))
    more |= problem_figures(figures, figures.plan, breakdown=True)
    more["rankings"] = city_rankings(figures).ordered(Measure.COMPLETION)
    charts = {
        "legend": legend(),
        "areas": series(page.areas, "area"),
        "cities": series(page.cities, "city"),
        "quarters": {
            "labels": [f"Q{point.quarter}" for point in more["quarters"]],
            "completed": [point.completed for point in more["quarters"]],
            "expected": [point.expected for point in more["quarters"]],
        },
        "problems": {
            "labels": [row.subject.display_name for row in more["problem_cities"]],
            **{
                name: [getattr(row.counts, name) for row in more["problem_cities"]]
                for name in ("not_overdue", "overdue", "closed")
            },
        },
    }
    extra = {"areas": page.areas, "cities": page.cities, "corridors": page.corridors}
    extra["unallocated_shown"] = any_unallocated(page.cities)
    extra |= {"tasks": page.tasks, "charts": charts}
    return render(request, "dashboard/plan_overview.html", context(request, page, **more, **extra))


@readers_only
def rankings(request: HttpRequest, year: int) -> HttpResponse:
    figures = figures_for(request, year)
    found = city_rankings(figures)
    extra = {
        "rows": found.ordered(Measure.COMPLETION),
        "measures": Measure,
        "pace_percent": figures.share * 100,
        "problems_day": found.rows[0].problems.day if found.rows else None,
    }
    return render(request, "dashboard/rankings.html", quarter_context(request, figures) | extra)


@readers_only
def area_detail(
    request: HttpRequest, year: int, number: int, download_as: str = ""
) -> HttpResponse:
    figures = figures_for(request, year)
    area = get_object_or_404(
        FocusArea.objects.select_related("plan"), plan=figures.plan, number=number
    )
    page = page_scope(figures, area)
    if download_as:
        return download(request, page, download_as)
    charts = {"legend": legend(), "cities": series(page.cities, "city")}
    extra = {"total": page.areas[0], "tasks": page.tasks, "cities": page.cities, "charts": charts}
    extra["unallocated_shown"] = any_unallocated(page.cities)
    return render(request, "dashboard/area.html", context(request, page, **extra))


@readers_only
def city_detail(request: HttpRequest, year: int, slug: str, download_as: str = "") -> HttpResponse:
    figures = figures_for(request, year)
    city = get_object_or_404(City, slug=slug)
    if download_as:
        return city_download_allowed(request, city) or download(
            request, page_scope(figures, city), download_as
        )
    page = page_scope(figures, city)
    charts = {"legend": legend(), "areas": series(page.areas, "area")}
    extra = {"tasks": page.tasks, "areas": page.areas, "charts": charts}
    extra["projects"] = figures.project_rows(figures.project_set(city=city).listed(), city)
    extra["owed"] = figures.owed(city)
    extra |= problem_figures(figures, city)
    return render(request, "dashboard/city.html", context(request, page, **extra))


@readers_only
def corridor_detail(
    request: HttpRequest, year: int, slug: str, download_as: str = ""
) -> HttpResponse:
    figures = figures_for(request, year)
    corridor = get_object_or_404(Corridor.objects.prefetch_related("cities"), slug=slug)
    page = page_scope(figures, corridor)
    if download_as:
        return download(request, page, download_as)
    charts = {"legend": legend(), "cities": series(page.cities, "city")}
    extra = {"total": page.corridors[0], "tasks": page.tasks, "cities": page.cities}
    extra["unallocated_shown"] = any_unallocated(page.cities)
    return render(
        request, "dashboard/corridor.html", context(request, page, **extra, charts=charts)
    )


@readers_only
def task_detail(request: HttpRequest, year: int, code: str, download_as: str = "") -> HttpResponse:
    figures = figures_for(request, year)
    tasks = (
        Task.objects.of_plan(figures.plan)
        .by_code(code)
        .select_related("area__plan", "corridor", "lead_unit")
        .prefetch_related("supporting_units")
    )
    task = get_object_or_404(tasks)
    page = page_scope(figures, task)
    if download_as:
        return download(request, page, download_as)
    extra = {
        "total": page.tasks[0],
        "cities": page.task_cities,
        "milestones": task.milestones.select_related("city"),
        "history": task_history(task),
        "projects": figures.project_rows(task.projects.listed()),
        **problem_figures(figures, task),
    }
    return render(request, "dashboard/task.html", context(request, page, **extra))


PROJECTS_PER_PAGE = 50
ID = re.compile(r"[0-9]{1,9}")  # An id from a query string: digits only, and never too large.


def chosen_filters(request: HttpRequest, plan: Plan) -> dict:
    """?city=<slug>&area=<number>&task=<code>&unit=<id>&goal=<goal>&met=1|0, each optional;
    an unknown value is a 404."""
    chosen, given = {}, request.GET
    if slug := given.get("city"):
        chosen["city"] = get_object_or_404(City.objects.by_slug(slug))
    if number := given.get("area"):
        if not ID.fullmatch(number):
            raise Http404
        chosen["area"] = get_object_or_404(FocusArea, plan=plan, number=int(number))
    if code := given.get("task"):
        chosen["task"] = get_object_or_404(Task.objects.of_plan(plan).by_code(code))
    if pk := given.get("unit"):
        if not ID.fullmatch(pk):
            raise Http404
        chosen["unit"] = get_object_or_404(Unit, pk=int(pk))
    if goal := given.get("goal"):
        if goal not in Project.Goal.values:
            raise Http404
        chosen["goal"] = goal
    if met := given.get("met"):
        if met not in ("0", "1"):
            raise Http404
        chosen["met"] = met == "1"
    return chosen


def chosen_projects(figures: Figures, chosen: dict) -> QuerySet:
    """The plan's projects matching `chosen`, in list order. Only a goal of 开工 or 建成 can be
    met or not yet, so "met" leaves the others out either way."""
    filters = {name: value for name, value in chosen.items() if name != "met"}
    projects = Project.objects.of_plan(figures.plan).matching(**filters).listed()
    if "met" not in chosen:
        return projects
    annotated = figures.annotated_projects(projects)
    return annotated.filter(goal__in=GOALS_WITH_A_TEST, goal_met=chosen["met"])


def filter_choices(plan: Plan) -> dict:
    """The options of the projects list's filters."""
    with_projects = Exists(Project.objects.filter(task=OuterRef("pk")))
    return {
        "cities": City.objects.all(),
        "areas": plan.areas.order_by("number"),
        "tasks": Task.objects.of_plan(plan).filter(with_projects).select_related("area"),
        "units": Unit.objects.all(),
        "goals": Project.Goal.choices,
    }


@readers_only
def project_list(request: HttpRequest, year: int) -> HttpResponse:
    figures = figures_for(request, year)
    chosen = chosen_filters(request, figures.plan)
    paginator = Paginator(chosen_projects(figures, chosen), PROJECTS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    extra = {"page": page, "rows": figures.project_rows(page.object_list), "chosen": chosen}
    extra |= filter_choices(figures.plan)
    return render(request, "dashboard/projects.html", quarter_context(request, figures) | extra)


def project_row(figures: Figures, pk: int) -> ProjectRow:
    """The plan's project `pk` as of the quarter, with all its page shows; else a 404."""
    projects = Project.objects.of_plan(figures.plan).filter(pk=pk).listed()
    rows = figures.project_rows(projects.prefetch_related("supporting_units"))
    if not rows:
        raise Http404
    return rows[0]


def timeline(plan: Plan, project: Project, user) -> QuerySet:
    """The project's updates of the plan's year that `user` may read, latest quarter first."""
    updates = ProjectUpdate.objects.filter(project=project, year=plan.year)
    return (
        updates.visible_to(user)
        .select_related("city")
        .prefetch_related("photos")
        .order_by("-quarter", "city__order", "city__slug")
    )


@readers_only
def project_detail(request: HttpRequest, year: int, pk: int) -> HttpResponse:
    figures = figures_for(request, year)
    row = project_row(figures, pk)
    extra = {
        "row": row,
        "project": row.project,
        "sections": figures.project_sections(row.project),
        "updates": timeline(figures.plan, row.project, request.user),
        "milestones": row.project.milestones.select_related("city"),
        **problem_figures(figures, row.project),
    }
    return render(request, "dashboard/project.html", quarter_context(request, figures) | extra)


@readers_only
def unit_detail(request: HttpRequest, year: int, pk: int) -> HttpResponse:
    figures = figures_for(request, year)
    unit = get_object_or_404(Unit.objects.select_related("city"), pk=pk)
    # Led or supported, each task once (a join on the supporting units would repeat it).
    tasks = figures.tasks(Q(lead_unit=unit) | Q(pk__in=unit.supported_tasks.values("pk")))
    projects = Project.objects.of_plan(figures.plan).of_unit(unit).listed()
    extra = {"unit": unit, "tasks": tasks, "projects": figures.project_rows(projects)}
    extra |= problem_figures(figures, unit, breakdown=True)
    return render(request, "dashboard/unit.html", quarter_context(request, figures) | extra)
