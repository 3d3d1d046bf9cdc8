from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from plan.models import Plan
from tasks.models import Task

from . import rollups


def home(request: HttpRequest) -> HttpResponse:
    plan = Plan.objects.first()
    if plan is None:
        return render(request, "investment/no_plan.html")
    return redirect(plan)


def plan_overview(request: HttpRequest, year: int) -> HttpResponse:
    plan = get_object_or_404(Plan, year=year)
    tasks = Task.objects.of_plan(plan).select_related("area", "corridor").prefetch_related("cities")
    context = {
        "plan": plan,
        "coverage": rollups.plan_coverage(plan),
        "targets": rollups.plan_targets(plan),
        "areas": rollups.area_targets(plan),
        "tasks": tasks,
    }
    return render(request, "investment/plan_overview.html", context)
