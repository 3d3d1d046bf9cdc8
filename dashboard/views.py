"""The dashboard's read-only pages: the plan, an area, a city, a corridor, a task, the
rankings and the key projects; each page's figures also as a workbook and its reports as CSV.

Each view finds its subject, asks the figures (figures/) and renders; who may read is
decided by people.access.
"""

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.timezone import localdate
from django.utils.translation import gettext as _

from figures.pages import (
    chosen_projects,
    figures_for,
    page_subject,
    project_filters,
    quarter_context,
)
from figures.projects import ProjectRow
from figures.rankings import Measure
from figures.rollups import Figures, Scope, any_unallocated, year_on_year
from investment.history import task_history
from investment.models import ProjectUpdate
from people.access import reach, readers_only
from plan.models import City, Plan, Unit
from tasks.models import Project, Task
from tasks.years import carried


def problem_figures(figures: Figures, subject, breakdown: bool = False) -> dict:
    """The problem figures of a page about `subject`, taken on today (the as-of day moves
    with it); with `breakdown`, per raising city and per unit too. The unit table is always the
    plan's, so that a unit's page compares the unit with the others."""
    today = localdate()
    found = {"problems": figures.problems(subject, today)}
    if breakdown:
        found["problem_cities"] = figures.problem_cities(subject, today)
        found["problem_units"] = figures.problem_units(None, today)
    return found


def context(request: HttpRequest, scope: Scope, **extra) -> dict:
    return {
        **quarter_context(request, scope.figures, scope.subject),
        "scope": scope,
        scope.kind: scope.subject,
        **extra,
    }


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


# The city and task pages list this many of their key projects, those behind their goal first,
# and link to the projects list for the rest: a city of the full plan has over a hundred.
PROJECTS_SHOWN = 20


def series(rows: list, attribute: str) -> dict:
    """Labels, targets and completed amounts of figure rows, for one chart."""
    return {
        "labels": [getattr(row, attribute).display_name for row in rows],
        "target": [row.progress.target for row in rows],
        "completed": [row.progress.completed for row in rows],
    }


@readers_only
def home(request: HttpRequest) -> HttpResponse:
    plan = reach(request.user).current_plan()
    if plan is None:
        return render(request, "dashboard/no_plan.html")
    return redirect(plan)


@readers_only
def plan_overview(request: HttpRequest, year: int) -> HttpResponse:
    figures = figures_for(request, year)
    page = figures.page(figures.plan)
    more = vars(figures.overview()) | {"warnings": figures.early_warnings(request.user)}
    more |= problem_figures(figures, figures.plan, breakdown=True)
    more["rankings"] = figures.rankings(localdate()).ordered(Measure.COMPLETION)
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
    extra |= {"tasks": page.tasks, "charts": charts, "year_on_year": year_on_year(page)}
    return render(request, "dashboard/plan_overview.html", context(request, page, **more, **extra))


@readers_only
def rankings(request: HttpRequest, year: int) -> HttpResponse:
    figures = figures_for(request, year)
    found = figures.rankings(localdate())
    extra = {
        "rows": found.ordered(Measure.COMPLETION),
        "measures": Measure,
        "pace_percent": figures.share * 100,
        "problems_day": found.rows[0].problems.day if found.rows else None,
    }
    return render(request, "dashboard/rankings.html", quarter_context(request, figures) | extra)


@readers_only
def area_detail(request: HttpRequest, year: int, number: int) -> HttpResponse:
    figures = figures_for(request, year)
    page = figures.page(page_subject(figures.plan, "area", number))
    charts = {"legend": legend(), "cities": series(page.cities, "city")}
    extra = {"total": page.areas[0], "tasks": page.tasks, "cities": page.cities, "charts": charts}
    extra["unallocated_shown"] = any_unallocated(page.cities)
    return render(request, "dashboard/area.html", context(request, page, **extra))


@readers_only
def city_detail(request: HttpRequest, year: int, slug: str) -> HttpResponse:
    figures = figures_for(request, year)
    city = page_subject(figures.plan, "city", slug)
    page = figures.page(city)
    charts = {"legend": legend(), "areas": series(page.areas, "area")}
    extra = {"tasks": page.tasks, "areas": page.areas, "charts": charts}
    projects = figures.project_set(city=city).listed()
    extra["projects"] = figures.project_digest(projects, PROJECTS_SHOWN, city)
    extra["owed"] = figures.owed(city)
    extra["year_on_year"] = year_on_year(page)
    extra |= problem_figures(figures, city)
    return render(request, "dashboard/city.html", context(request, page, **extra))


@readers_only
def corridor_detail(request: HttpRequest, year: int, slug: str) -> HttpResponse:
    figures = figures_for(request, year)
    page = figures.page(page_subject(figures.plan, "corridor", slug))
    charts = {"legend": legend(), "cities": series(page.cities, "city")}
    extra = {"total": page.corridors[0], "tasks": page.tasks, "cities": page.cities}
    extra["unallocated_shown"] = any_unallocated(page.cities)
    return render(
        request, "dashboard/corridor.html", context(request, page, **extra, charts=charts)
    )


@readers_only
def task_detail(request: HttpRequest, year: int, code: str) -> HttpResponse:
    figures = figures_for(request, year)
    task = page_subject(figures.plan, "task", code)
    page = figures.page(task)
    extra = {
        "total": page.tasks[0],
        "cities": page.task_cities,
        "milestones": task.milestones.select_related("city"),
        "history": task_history(task),
        "carried": carried(request, task),
        "projects": figures.project_digest(task.projects.listed(), PROJECTS_SHOWN),
        **problem_figures(figures, task),
    }
    return render(request, "dashboard/task.html", context(request, page, **extra))


PROJECTS_PER_PAGE = 50


def filter_choices(plan: Plan) -> dict:
    """The options of the projects list's filters."""
    with_projects = Exists(Project.objects.filter(task=OuterRef("pk")))
    return {
        "cities": City.objects.of_plan(plan),
        "areas": plan.areas.order_by("number"),
        "tasks": Task.objects.of_plan(plan).filter(with_projects).select_related("area"),
        "units": Unit.objects.all(),
        "goals": Project.Goal.choices,
    }


@readers_only
def project_list(request: HttpRequest, year: int) -> HttpResponse:
    figures = figures_for(request, year)
    chosen = project_filters(request, figures.plan)
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


@readers_only
def project_detail(request: HttpRequest, year: int, pk: int) -> HttpResponse:
    figures = figures_for(request, year)
    row = project_row(figures, pk)
    extra = {
        "row": row,
        "project": row.project,
        "sections": figures.project_sections(row.project),
        "updates": ProjectUpdate.objects.timeline(row.project, year, figures.as_of).visible_to(
            request.user
        ),
        "milestones": row.project.milestones.select_related("city"),
        "carried": carried(request, row.project),
        "earlier_years": figures.project_life(row.project),
        **problem_figures(figures, row.project),
    }
    extra |= quarter_context(request, figures, row.project)
    return render(request, "dashboard/project.html", extra)


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
