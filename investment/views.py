import re
from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from plan.models import Plan

from . import rollups


def dashboard(view):
    """The read-only pages: for signed-in users, or anyone when DASHBOARD_PUBLIC is on."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not (settings.DASHBOARD_PUBLIC or request.user.is_authenticated):
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

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


def chart_data(context: dict) -> dict:
    """What charts.js draws, from the same rollups the tables show."""
    return {
        "legend": {
            "target": _("Stated target"),
            "allocation": _("Allocation"),
            "completed": _("Completed"),
            "expected": _("Expected pace"),
        },
        "areas": {
            "labels": [row.area.display_name for row in context["areas"]],
            "target": [row.progress.target for row in context["areas"]],
            "completed": [row.progress.completed for row in context["areas"]],
        },
        "cities": {
            "labels": [row.city.display_name for row in context["cities"]],
            "target": [row.progress.target for row in context["cities"]],
            "completed": [row.progress.completed for row in context["cities"]],
        },
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


@dashboard
def plan_overview(request: HttpRequest, year: int) -> HttpResponse:
    plan = get_object_or_404(Plan, year=year)
    as_of = as_of_quarter(request, plan)
    approved_only = request.GET.get("approved") == "1"
    tasks = rollups.task_progress(plan, as_of, approved_only)
    context = {
        "plan": plan,
        "as_of": as_of,
        "approved_only": approved_only,
        "coverage": rollups.plan_coverage(plan),
        "targets": rollups.plan_targets(plan),
        "total": rollups.plan_progress(plan, as_of, approved_only),
        "areas": rollups.area_progress(plan, as_of, approved_only),
        "cities": rollups.city_progress(plan, as_of, approved_only),
        "tasks": tasks,
        "pace_counts": rollups.pace_counts(tasks),
        "quarters": rollups.cumulative_by_quarter(plan, approved_only),
        "reporting": rollups.reporting_coverage(plan, as_of),
    }
    context["charts"] = chart_data(context)
    return render(request, "investment/plan_overview.html", context)
