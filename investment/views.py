import hashlib
import re
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache, caches
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from plan.models import City, Corridor, FocusArea, Plan
from tasks.models import Task
from zzmetro.routers import reading_from_replica

from . import rollups, sheets, workbook
from .context_processors import sample_data_exists
from .models import FiguresVersion


def dashboard(view):
    """The read-only pages: for signed-in users, or anyone when DASHBOARD_PUBLIC is on."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        with FiguresVersion.read_once():
            if not (settings.DASHBOARD_PUBLIC or request.user.is_authenticated):
                return redirect_to_login(request.get_full_path())
            with reading_from_replica():
                return view(request, *args, **kwargs)

    return wrapper


def cached_page(view):
    """A whole page, kept per visitor until the figures change (see FiguresVersion).

    Officials re-read the same pages far more often than anyone saves: a kept page costs one
    query, her session read together with the version number (investment.sessions; the user is
    kept under the version too, investment.backends); with a replica, one more reads the version
    there, since the page is drawn from the replica's data. Kept in this process's memory, since an
    entry under a version never changes; per visitor because the page carries her CSRF token,
    and only once she has a CSRF cookie, so the token in the page always matches it.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        visitor = request.COOKIES.get(settings.CSRF_COOKIE_NAME)
        if not settings.ROLLUP_CACHE_SECONDS or request.method != "GET" or not visitor:
            return view(request, *args, **kwargs)
        identity = "|".join(
            [request.get_full_path(), get_language(), request.session.session_key or "", visitor]
        )
        digest = hashlib.sha256(identity.encode()).hexdigest()
        key = f"zzmetro:page:{FiguresVersion.current()}:{digest}"
        kept = caches["local"].get(key)
        if kept is not None:
            return HttpResponse(kept, content_type="text/html; charset=utf-8")
        response = view(request, *args, **kwargs)
        if response.status_code == 200:
            caches["local"].set(key, response.content, settings.ROLLUP_CACHE_SECONDS)
        return response

    return wrapper


def as_of_quarter(request: HttpRequest, plan: Plan) -> int:
    """?as_of=2021Q3, else the latest quarter anyone has reported; anything else is a 404."""
    raw = request.GET.get("as_of")
    if raw is None:
        return rollups.latest_reported_quarter(plan) or 1
    match = re.fullmatch(rf"{plan.year}Q([1-4])", raw)
    if not match:
        raise Http404
    return int(match[1])


def legend() -> dict:
    return {
        "target": _("Stated target"),
        "allocation": _("Allocation"),
        "completed": _("Completed"),
        "expected": _("Expected pace"),
    }


def series(rows: list, attribute: str) -> dict:
    """Labels, targets and completed amounts of rollup rows, for one chart."""
    return {
        "labels": [getattr(row, attribute).display_name for row in rows],
        "target": [row.progress.target for row in rows],
        "completed": [row.progress.completed for row in rows],
    }


def chart_data(context: dict) -> dict:
    """What charts.js draws, from the same rollups the tables show."""
    return {
        "legend": legend(),
        "areas": series(context["areas"], "area"),
        "cities": series(context["cities"], "city"),
        "quarters": {
            "labels": [f"Q{point.quarter}" for point in context["quarters"]],
            "completed": [point.completed for point in context["quarters"]],
            "expected": [point.expected for point in context["quarters"]],
        },
    }


@dashboard
def home(request: HttpRequest) -> HttpResponse:
    plan = Plan.objects.first()
    if plan is None:
        return render(request, "investment/no_plan.html")
    return redirect(plan)


def figures_for(request: HttpRequest, year: int) -> tuple[Plan, int, bool, dict]:
    """The plan, the as-of quarter and the approved-only switch every page starts from."""
    plan = get_object_or_404(Plan, year=year)
    as_of = as_of_quarter(request, plan)
    approved_only = request.GET.get("approved") == "1"
    # Links between pages keep the chosen quarter and switch.
    query = f"?{request.GET.urlencode()}" if request.GET else ""
    context = {"plan": plan, "as_of": as_of, "approved_only": approved_only, "query": query}
    return plan, as_of, approved_only, context


def cached(page: str, plan: Plan, as_of: int, approved_only: bool, build) -> dict:
    """A page's figures, kept until anything they rest on changes (see FiguresVersion).

    Only figures are kept, never anything in the visitor's language: names and chart labels
    are read from them when the page is drawn.
    """
    if not settings.ROLLUP_CACHE_SECONDS:
        return build()
    version = FiguresVersion.current()
    key = f"zzmetro:figures:{version}:{page}:{plan.pk}:{as_of}:{int(approved_only)}"
    return cache.get_or_set(key, build, settings.ROLLUP_CACHE_SECONDS)


@dashboard
@cached_page
def plan_overview(request: HttpRequest, year: int) -> HttpResponse:
    plan, as_of, approved_only, context = figures_for(request, year)
    context |= cached(
        "overview", plan, as_of, approved_only, lambda: overview(plan, as_of, approved_only)
    )
    context["charts"] = chart_data(context)
    return render(request, "investment/plan_overview.html", context)


def overview(plan: Plan, as_of: int, approved_only: bool) -> dict:
    scope = rollups.plan_scope(plan, as_of, approved_only)
    tasks = scope.tasks
    figures = {
        "scope": scope,
        "coverage": rollups.plan_coverage(plan),
        "targets": rollups.plan_targets(plan),
        "areas": scope.areas,
        "cities": scope.cities,
        "tasks": tasks,
        "pace_counts": rollups.pace_counts(tasks),
        "quarters": rollups.cumulative_by_quarter(plan, approved_only),
        "reporting": rollups.reporting_coverage(plan, as_of),
        "corridors": scope.corridors,
        "milestones": rollups.milestone_counts(plan, as_of),
    }
    figures["warnings"] = rollups.early_warnings(
        plan, as_of, tasks, figures["cities"], figures["reporting"]
    )
    return figures


def subject_of(plan: Plan, kind: str, key: str | int | None):
    """The area, city, corridor or task a page is about (the plan itself for the overview)."""
    if kind == "area":
        return get_object_or_404(FocusArea.objects.select_related("plan"), plan=plan, number=key)
    if kind == "city":
        return get_object_or_404(City, slug=key)
    if kind == "corridor":
        return get_object_or_404(Corridor.objects.prefetch_related("cities"), slug=key)
    if kind == "task":
        tasks = Task.objects.of_plan(plan).by_code(key).select_related("area__plan", "corridor")
        return get_object_or_404(tasks)
    return plan


def scope_for(
    request: HttpRequest, year: int, kind: str, key: str | int | None = None
) -> tuple[rollups.Scope, dict]:
    """The scope of the page at this address, and its context: for the page and its files."""
    plan, as_of, approved_only, context = figures_for(request, year)
    subject = subject_of(plan, kind, key)
    build = {
        "plan": lambda: rollups.plan_scope(plan, as_of, approved_only),
        "area": lambda: rollups.area_scope(subject, as_of, approved_only),
        "city": lambda: rollups.city_scope(plan, subject, as_of, approved_only),
        "corridor": lambda: rollups.corridor_scope(plan, subject, as_of, approved_only),
        "task": lambda: rollups.task_scope(subject, as_of, approved_only),
    }[kind]
    scope = cached(f"{kind}-{subject.pk}", plan, as_of, approved_only, build)
    return scope, context | {"scope": scope, kind: subject}


@dashboard
@cached_page
def area_detail(request: HttpRequest, year: int, number: int) -> HttpResponse:
    scope, context = scope_for(request, year, "area", number)
    context |= {"total": scope.areas[0], "tasks": scope.tasks, "cities": scope.cities}
    context["charts"] = {"legend": legend(), "cities": series(scope.cities, "city")}
    return render(request, "investment/area.html", context)


@dashboard
@cached_page
def city_detail(request: HttpRequest, year: int, slug: str) -> HttpResponse:
    scope, context = scope_for(request, year, "city", slug)
    context |= {"tasks": scope.tasks, "areas": scope.areas}
    context["charts"] = {"legend": legend(), "areas": series(scope.areas, "area")}
    return render(request, "investment/city.html", context)


@dashboard
@cached_page
def task_detail(request: HttpRequest, year: int, code: str) -> HttpResponse:
    scope, context = scope_for(request, year, "task", code)
    task = scope.subject
    context |= {
        "total": scope.tasks[0],
        "cities": scope.task_cities,
        "milestones": task.milestones.select_related("city"),
        "history": rollups.task_history(task),
    }
    return render(request, "investment/task.html", context)


@dashboard
@cached_page
def corridor_detail(request: HttpRequest, year: int, slug: str) -> HttpResponse:
    scope, context = scope_for(request, year, "corridor", slug)
    context |= {"total": scope.corridors[0], "tasks": scope.tasks, "cities": scope.cities}
    context["charts"] = {"legend": legend(), "cities": series(scope.cities, "city")}
    return render(request, "investment/corridor.html", context)


@dashboard
def export_workbook(
    request: HttpRequest, year: int, kind: str = "plan", key: str | int | None = None
) -> FileResponse:
    scope, _context = scope_for(request, year, kind, key)
    return FileResponse(
        workbook.workbook(scope, sample=sample_data_exists()),
        as_attachment=True,
        filename=workbook.file_name(scope, "xlsx"),
        content_type=sheets.XLSX,
    )


@dashboard
def export_reports(
    request: HttpRequest, year: int, kind: str = "plan", key: str | int | None = None
) -> StreamingHttpResponse:
    scope, _context = scope_for(request, year, kind, key)
    response = StreamingHttpResponse(
        sheets.reports_csv(scope), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(
        True, workbook.file_name(scope, "csv")
    )
    return response


@dashboard
def entry_template(request: HttpRequest, year: int) -> FileResponse:
    """?city=<slug>&quarter=N: a city's entry sheet, to fill in Excel and import."""
    plan = get_object_or_404(Plan, year=year)
    city = get_object_or_404(City, slug=request.GET.get("city", ""))
    quarter = request.GET.get("quarter", "")
    if quarter not in ("1", "2", "3", "4"):
        raise Http404
    return FileResponse(
        sheets.entry_template(plan, city, int(quarter)),
        as_attachment=True,
        filename=f"zzmetro-{plan.year}Q{quarter}-{city.slug}-entry.xlsx",
        content_type=sheets.XLSX,
    )
