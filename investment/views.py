import re
from dataclasses import replace
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.timezone import localdate
from django.utils.translation import gettext as _

from plan.forms import CONTROL_CHARACTERS
from plan.models import City, Corridor, FocusArea, Plan
from plan.roles import has_role, is_office, reporter_city, sees_city
from tasks.models import Task

from . import sheets, workbook
from .context_processors import sample_data_exists
from .coverage import default_as_of, reporting_coverage
from .figures import Figures, Scope, any_unallocated, pace_counts, scope
from .figures_cache import cached
from .history import task_history
from .models import Problem
from .rankings import Measure, Rankings


def dashboard(view):
    """The read-only pages: for signed-in users with a role, or anyone when DASHBOARD_PUBLIC
    is on. An account in no role is told to ask the office, and shown no figure."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not (settings.DASHBOARD_PUBLIC or request.user.is_authenticated):
            return redirect_to_login(request.get_full_path())
        if request.user.is_authenticated and not has_role(request.user):
            return render(request, "investment/no_role.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def city_download_allowed(request: HttpRequest, city: City) -> HttpResponse | None:
    """A city's downloads are for the office, leaders and that city's own reporter: another
    city's reporter gets a 404, an anonymous visitor (even with DASHBOARD_PUBLIC) the sign-in."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not sees_city(request.user, city):
        raise Http404
    return None


def figures_for(request: HttpRequest, year: int) -> Figures:
    """The plan of `year` as of ?as_of=2021Q3 (by default the quarter default_as_of picks,
    noted on the request for the page to say why), counting approved reports only with
    ?approved=1; an unknown quarter is a 404 that says which quarters there are."""
    plan = get_object_or_404(Plan, year=year)
    raw = request.GET.get("as_of")
    if raw is None:
        request.default_quarter = default_as_of(plan)
        as_of = request.default_quarter.quarter
    elif match := re.fullmatch(rf"{plan.year}Q([1-4])", raw):
        as_of = int(match[1])
    else:
        # Control characters (a NUL byte) are not echoed into the page.
        words = {"value": CONTROL_CHARACTERS.sub("", raw[:20]), "year": plan.year}
        not_found = Http404(
            _(
                "“%(value)s” is not a quarter of the %(year)s plan: choose one of %(year)sQ1 to "
                "%(year)sQ4."
            )
            % words
        )
        not_found.public = True  # The site's 404 page shows the reason (zzmetro.views).
        raise not_found
    return Figures(plan, as_of, request.GET.get("approved") == "1")


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


def quarter_context(request: HttpRequest, figures: Figures) -> dict:
    """What every page with the quarter picker shows: the plan, the quarter and the switch."""
    # Links between pages keep the chosen quarter and switch, and nothing else the URL had.
    kept = {"as_of": request.GET.get("as_of"), "approved": "1" if figures.approved_only else None}
    kept = {key: value for key, value in kept.items() if value}
    return {
        "plan": figures.plan,
        "as_of": figures.as_of,
        "approved_only": figures.approved_only,
        "query": f"?{urlencode(kept)}" if kept else "",
        "default_quarter": getattr(request, "default_quarter", None),
    }


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
            content_type=sheets.XLSX,
        )
    response = StreamingHttpResponse(
        sheets.reports_csv(scope), content_type="text/csv; charset=utf-8"
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


@dashboard
def home(request: HttpRequest) -> HttpResponse:
    plan = Plan.objects.first()
    if plan is None:
        return render(request, "investment/no_plan.html")
    return redirect(plan)


@dashboard
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
    return render(request, "investment/plan_overview.html", context(request, page, **more, **extra))


@dashboard
def rankings(request: HttpRequest, year: int) -> HttpResponse:
    figures = figures_for(request, year)
    found = city_rankings(figures)
    extra = {
        "rows": found.ordered(Measure.COMPLETION),
        "measures": Measure,
        "pace_percent": figures.share * 100,
        "problems_day": found.rows[0].problems.day if found.rows else None,
    }
    return render(request, "investment/rankings.html", quarter_context(request, figures) | extra)


@dashboard
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
    return render(request, "investment/area.html", context(request, page, **extra))


@dashboard
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
    return render(request, "investment/city.html", context(request, page, **extra))


@dashboard
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
        request, "investment/corridor.html", context(request, page, **extra, charts=charts)
    )


@dashboard
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
    return render(request, "investment/task.html", context(request, page, **extra))


@dashboard
def entry_template(request: HttpRequest, year: int) -> FileResponse:
    """?city=<slug>&quarter=N: a city's entry sheet, to fill in Excel and import.

    For the office and that city's reporter only: its "reported before" column is the city's
    own record. Anyone else gets a 404; an anonymous visitor the sign-in, whatever
    DASHBOARD_PUBLIC says.
    """
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    plan = get_object_or_404(Plan, year=year)
    city = get_object_or_404(City.objects.by_slug(request.GET.get("city", "")))
    if not (is_office(request.user) or reporter_city(request.user) == city):
        raise Http404
    quarter = request.GET.get("quarter", "")
    if quarter not in ("1", "2", "3", "4"):
        raise Http404
    return FileResponse(
        sheets.entry_template(plan, city, int(quarter)),
        as_attachment=True,
        filename=f"zzmetro-{plan.year}Q{quarter}-{city.slug}-entry.xlsx",
        content_type=sheets.XLSX,
    )
