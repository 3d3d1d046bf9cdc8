"""What a page asks of the figures: the plan and quarter its request names (?as_of=2021Q3,
?approved=1), the subject its address names, and the quarter picker's context. Every page
reading figures (the dashboard's, its downloads, the bulletin's) starts here."""

from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from figures.projects import GOALS_WITH_A_TEST
from figures.rollups import Figures
from investment.coverage import chosen_quarter
from people.access import reach
from plan.models import City, Corridor, FocusArea, Plan, Unit
from tasks.filters import area_by_number, by_id, chosen, city_by_slug, one_of, task_by_code
from tasks.models import Project, Task
from tasks.years import year_links


def figures_for(request: HttpRequest, year: int) -> Figures:
    """The plan of `year` as of ?as_of=2021Q3 (by default the quarter default_as_of picks,
    noted on the request for the page to say why), counting approved reports only with
    ?approved=1; an unknown quarter is a 404 that says which quarters there are."""
    plan = get_object_or_404(reach(request.user).plans(), year=year)
    return Figures(plan, chosen_quarter(request, plan), request.GET.get("approved") == "1")


def quarter_context(request: HttpRequest, figures: Figures, subject=None) -> dict:
    """What every page with the quarter picker shows: the plan, the quarter and the switch,
    and the year switcher to `subject` in other years."""
    # Links between pages keep the chosen quarter and switch, and nothing else the URL had.
    kept = {"as_of": request.GET.get("as_of"), "approved": "1" if figures.approved_only else None}
    kept = {key: value for key, value in kept.items() if value}
    return {
        "plan": figures.plan,
        "as_of": figures.as_of,
        "approved_only": figures.approved_only,
        "query": f"?{urlencode(kept)}" if kept else "",
        "default_quarter": getattr(request, "default_quarter", None),
        "years": year_links(request, figures.plan, subject),
    }


# The pages about one subject, by kind: their address, and their name (which the page's
# workbook, export.xlsx, and its reports, reports.csv, extend).
PAGES = [
    ("plan", "<int:year>/", "plan-overview"),
    ("area", "<int:year>/areas/<int:number>/", "area"),
    ("city", "<int:year>/cities/<slug:slug>/", "city"),
    ("corridor", "<int:year>/corridors/<slug:slug>/", "corridor"),
    ("task", "<int:year>/tasks/<str:code>/", "task"),
]


def page_subject(plan: Plan, kind: str, key=None):
    """The subject of a page of `plan`: the plan itself, an area by its number, a city or a
    corridor by its slug, a task by its code; a 404 for none."""
    if kind == "plan":
        return plan
    if kind == "area":
        return get_object_or_404(FocusArea.objects.select_related("plan"), plan=plan, number=key)
    if kind == "city":
        return get_object_or_404(City.objects.of_plan(plan), slug=key)
    if kind == "corridor":
        corridors = Corridor.objects.filter(plan=plan).prefetch_related("cities")
        return get_object_or_404(corridors, slug=key)
    tasks = (
        Task.objects.of_plan(plan)
        .by_code(key)
        .select_related("area__plan", "corridor", "lead_unit")
        .prefetch_related("supporting_units")
    )
    return get_object_or_404(tasks)


def project_filters(request: HttpRequest, plan: Plan) -> dict:
    """The projects list's ?city=<slug>&area=<number>&task=<code>&unit=<id>&goal=<goal>&met=1|0,
    each optional (its page and its workbook); an unknown value is a 404."""
    found = chosen(
        request.GET,
        {
            "city": city_by_slug(plan),
            "area": area_by_number(plan),
            "task": task_by_code(plan),
            "unit": by_id(Unit.objects.all()),
            "goal": one_of(Project.Goal.values),
            "met": one_of(("0", "1")),
        },
    )
    if "met" in found:
        found["met"] = found["met"] == "1"
    return found


def chosen_projects(figures: Figures, chosen: dict) -> QuerySet:
    """The plan's projects matching `chosen`, in list order. Only a goal of 开工 or 建成 can be
    met or not yet, so "met" leaves the others out either way."""
    filters = {name: value for name, value in chosen.items() if name != "met"}
    projects = Project.objects.of_plan(figures.plan).matching(**filters).listed()
    if "met" not in chosen:
        return projects
    annotated = figures.annotated_projects(projects)
    return annotated.filter(goal__in=GOALS_WITH_A_TEST, goal_met=chosen["met"])
