"""The key projects' pages: the list, a project, a responsible unit, and a photo's address."""

import re

from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from plan.models import City, FocusArea, Plan, Unit
from tasks.models import Project, Task

from .figures import Figures
from .models import ProjectPhoto, ProjectUpdate
from .photos import photo_response
from .projects import GOALS_WITH_A_TEST, ProjectRow
from .views import dashboard, figures_for, problem_figures, quarter_context

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


@dashboard
def project_list(request: HttpRequest, year: int) -> HttpResponse:
    figures = figures_for(request, year)
    chosen = chosen_filters(request, figures.plan)
    paginator = Paginator(chosen_projects(figures, chosen), PROJECTS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    extra = {"page": page, "rows": figures.project_rows(page.object_list), "chosen": chosen}
    extra |= filter_choices(figures.plan)
    return render(request, "investment/projects.html", quarter_context(request, figures) | extra)


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


@dashboard
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
    return render(request, "investment/project.html", quarter_context(request, figures) | extra)


@dashboard
def unit_detail(request: HttpRequest, year: int, pk: int) -> HttpResponse:
    figures = figures_for(request, year)
    unit = get_object_or_404(Unit.objects.select_related("city"), pk=pk)
    # Led or supported, each task once (a join on the supporting units would repeat it).
    tasks = figures.tasks(Q(lead_unit=unit) | Q(pk__in=unit.supported_tasks.values("pk")))
    projects = Project.objects.of_plan(figures.plan).of_unit(unit).listed()
    extra = {"unit": unit, "tasks": tasks, "projects": figures.project_rows(projects)}
    extra |= problem_figures(figures, unit, breakdown=True)
    return render(request, "investment/unit.html", quarter_context(request, figures) | extra)


def project_photo(request: HttpRequest, pk: int) -> HttpResponse:
    """A project update's photo, for who may see the update: the only address of a photo.

    Signed-in only, whatever DASHBOARD_PUBLIC says: a photo can show people and sites. A
    photo of an update the user may not see is a 404, as if there were none.
    """
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    updates = ProjectUpdate.objects.visible_to(request.user)
    photo = get_object_or_404(ProjectPhoto.objects.filter(update__in=updates), pk=pk)
    return photo_response(photo)
