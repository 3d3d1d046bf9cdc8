"""What a page asks of the figures: the plan and quarter its request names (?as_of=2021Q3,
?approved=1), the subject its address names, and the quarter picker's context. Every page
reading figures (the dashboard's, its downloads, the bulletin's) starts here."""

from urllib.parse import urlencode

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from figures.rollups import Figures
from investment.coverage import chosen_quarter
from plan.models import City, Corridor, FocusArea, Plan
from tasks.models import Task


def figures_for(request: HttpRequest, year: int) -> Figures:
    """The plan of `year` as of ?as_of=2021Q3 (by default the quarter default_as_of picks,
    noted on the request for the page to say why), counting approved reports only with
    ?approved=1; an unknown quarter is a 404 that says which quarters there are."""
    plan = get_object_or_404(Plan, year=year)
    return Figures(plan, chosen_quarter(request, plan), request.GET.get("approved") == "1")


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
        return get_object_or_404(City, slug=key)
    if kind == "corridor":
        return get_object_or_404(Corridor.objects.prefetch_related("cities"), slug=key)
    tasks = (
        Task.objects.of_plan(plan)
        .by_code(key)
        .select_related("area__plan", "corridor", "lead_unit")
        .prefetch_related("supporting_units")
    )
    return get_object_or_404(tasks)
