"""The problem list's pages: every problem the reader may see, one problem with its thread, and
an attachment's address. The other pages' problem figures are in
figures/problems.py."""

from datetime import date

from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from investment.coverage import chosen_quarter
from investment.photos import photo_response
from people.access import members_only, reach
from plan.models import City, Plan, Unit
from problems.models import Colour, Problem, ProblemAttachment
from tasks.filters import by_id, chosen, city_by_slug, one_of, task_by_code
from tasks.models import Project, Task
from tasks.years import year_links

PROBLEMS_PER_PAGE = 50
STATES = ("open", "overdue")


def chosen_filters(request: HttpRequest, plan: Plan) -> dict:
    """?task=<code>&project=<id>&city=<slug>&unit=<id>&kind=&status=&colour=&state=open|overdue,
    each optional; an unknown value is a 404."""
    return chosen(
        request.GET,
        {
            "task": task_by_code(plan),
            "project": by_id(Project.objects.of_plan(plan)),
            "city": city_by_slug(plan),
            "unit": by_id(Unit.objects.all()),
            "kind": one_of(Problem.Kind.values),
            "status": one_of(Problem.Status.values),
            "colour": one_of(Colour.values),
            "state": one_of(STATES),
        },
    )


def chosen_problems(visible: QuerySet, chosen: dict, day) -> QuerySet:
    """The problems of `visible` matching `chosen` as they stood on `day` (open then, overdue
    then), the most urgent first."""
    fields = ("task", "project", "city", "unit", "kind", "status", "colour")
    problems = visible.listed(day).filter(**{f: chosen[f] for f in fields if f in chosen})
    if state := chosen.get("state"):
        problems = problems.filter(ended_then=0)
        if state == "overdue":
            problems = problems.filter(deadline__lt=day)
    return problems


def seen_by(user, plan: Plan, day: date) -> QuerySet:
    """The plan's problems `user` may see that were raised by `day`: the list's and its
    workbook's rows before their filters."""
    return Problem.objects.of_plan(plan).visible_to(user).raised_by(day)


def as_of_day(request: HttpRequest, plan: Plan) -> tuple[int, date]:
    """The page's quarter (?as_of, by default the dashboard's) and the day its problems are
    read on: the quarter's end, or today while it runs, as on every other page."""
    quarter = chosen_quarter(request, plan)
    return quarter, plan.as_of_day(quarter)


def filter_choices(visible: QuerySet, plan: Plan) -> dict:
    """The filters' options: the tasks, projects and units with problems the reader sees."""
    has = {name: Exists(visible.filter(**{name: OuterRef("pk")})) for name in ("task", "unit")}
    projects = Project.objects.of_plan(plan).filter(Exists(visible.filter(project=OuterRef("pk"))))
    return {
        "tasks": Task.objects.of_plan(plan).filter(has["task"]).select_related("area"),
        "projects": projects.select_related("task__area").order_by("task__area__number", "pk"),
        "cities": City.objects.of_plan(plan),
        "units": Unit.objects.filter(has["unit"]),
        "kinds": Problem.Kind.choices,
        "statuses": Problem.Status.choices,
        "colours": Colour.choices,
    }


@members_only
def problem_list(request: HttpRequest, year: int) -> HttpResponse:
    plan = get_object_or_404(reach(request.user).plans(), year=year)
    quarter, day = as_of_day(request, plan)
    visible = seen_by(request.user, plan, day)
    chosen = chosen_filters(request, plan)
    paginator = Paginator(chosen_problems(visible, chosen, day), PROBLEMS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    extra = {"plan": plan, "page": page, "chosen": chosen, "day": day, "as_of": quarter}
    extra["default_quarter"] = getattr(request, "default_quarter", None)
    extra["years"] = year_links(request, plan)
    extra["rows"] = [(problem, problem.days_late(day)) for problem in page.object_list]
    return render(request, "problems/problems.html", extra | filter_choices(visible, plan))


@members_only
def problem_detail(request: HttpRequest, year: int, pk: int) -> HttpResponse:
    plan = get_object_or_404(reach(request.user).plans(), year=year)
    quarter, day = as_of_day(request, plan)
    problems = Problem.objects.of_plan(plan).visible_to(request.user).listed(day)
    problem = get_object_or_404(
        problems.select_related("created_by").prefetch_related("supporting_units"), pk=pk
    )
    extra = {"plan": plan, "problem": problem, "days_late": problem.days_late(day), "day": day}
    extra["as_of"] = quarter
    extra["years"] = year_links(request, plan, problem)
    extra["entries"] = problem.entries.select_related("author").prefetch_related("attachments")
    return render(request, "problems/problem.html", extra)


def problem_attachment(request: HttpRequest, pk: int) -> HttpResponse:
    """A photo attached to a problem's thread, for who may see the problem; else a 404."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    problems = Problem.objects.visible_to(request.user)
    attachment = get_object_or_404(
        ProblemAttachment.objects.filter(entry__problem__in=problems), pk=pk
    )
    return photo_response(attachment)
