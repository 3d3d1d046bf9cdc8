"""The year switcher: the same subject in each year's plan. A city is in the years whose plans
hold it, an area or a corridor where its number or slug returns, a task or a key project through
its carry-over link (a task also by its code)."""

import re
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse

from people.access import reach
from plan.models import City, Corridor, FocusArea, Member, Plan, Unit
from tasks.models import Project, Task


@dataclass(frozen=True)
class YearLink:
    year: int
    url: str
    same_subject: bool  # False: the subject is not in that year's plan; the link opens its plan
    draft: bool


def year_links(request: HttpRequest, plan: Plan, subject=None) -> list[YearLink]:
    """The year switcher: each plan the reader may open, linked to the same subject where that
    year's plan has it (a city it holds, an area or a task by its number, a corridor by its slug,
    a task or a key project by its carry-over link), else to that plan's overview; a page
    about no one subject (rankings, lists) to the same page. Two queries whatever the years."""
    plans = list(reach(request.user).plans().only("year", "status"))
    found = counterparts(subject)  # asked even for one plan: one query budget whatever the years
    links = []
    for other in sorted(plans, key=lambda row: row.year):
        if other.year == plan.year:
            url, same = request.path, True
        elif isinstance(subject, Plan):
            url, same = reverse("plan-overview", args=[other.year]), True
        elif subject is None or isinstance(subject, Unit):
            # The same page of the other year (a list, a unit's page): its own address, the
            # year changed, as the URLconf makes it (a path prefix included).
            match = request.resolver_match
            kwargs = {**match.kwargs, "year": other.year}
            url, same = reverse(match.view_name, args=match.args, kwargs=kwargs), True
        elif other.year in found:
            url, same = found[other.year], True
        else:
            url, same = reverse("plan-overview", args=[other.year]), False
        links.append(
            YearLink(other.year, url + kept_query(request, other.year), same, other.is_draft)
        )
    return links if len(links) > 1 else []


def kept_query(request: HttpRequest, year: int) -> str:
    """The page's quarter in the other year (2022Q3 → 2021Q3) and its approved-only switch."""
    kept = {}
    if match := re.fullmatch(r"[0-9]{4}Q([1-4])", request.GET.get("as_of", "")):
        kept["as_of"] = f"{year}Q{match[1]}"
    if request.GET.get("approved") == "1":
        kept["approved"] = "1"
    return f"?{urlencode(kept)}" if kept else ""


def counterparts(subject) -> dict[int, str]:
    """The address of `subject` in each year whose plan has it (one query)."""
    if subject is None or isinstance(subject, Plan | Unit):
        return {}
    if isinstance(subject, FocusArea):
        years = FocusArea.objects.filter(number=subject.number).values_list("plan__year", flat=True)
        return {year: reverse("area", args=[year, subject.number]) for year in years}
    if isinstance(subject, City):
        years = Member.objects.filter(place=subject).values_list("plan__year", flat=True)
        return {year: reverse("city", args=[year, subject.slug]) for year in years}
    if isinstance(subject, Corridor):
        years = Corridor.objects.filter(slug=subject.slug).values_list("plan__year", flat=True)
        return {year: reverse("corridor", args=[year, subject.slug]) for year in years}
    if isinstance(subject, Task):
        # Its predecessor and successor by their link; other years by the same code.
        linked = Q(successor=subject) | Q(predecessor=subject)
        same_code = Q(area__number=subject.area.number, number=subject.number)
        rows = Task.objects.filter(linked | same_code).values_list(
            "area__plan__year", "area__number", "number", "predecessor", "successor"
        )
        found = {}
        for year, area, number, predecessor, successor in rows:
            if subject.pk in (predecessor, successor) or year not in found:
                found[year] = reverse("task", args=[year, f"{area}.{number}"])
        return found
    if isinstance(subject, Project):
        return {
            row.task.area.plan.year: reverse("project", args=[row.task.area.plan.year, row.pk])
            for row in subject.lineage()
        }
    return {}


@dataclass(frozen=True)
class Link:
    year: int
    url: str
    label: str


@dataclass(frozen=True)
class Carried:
    """What a task or key project continues from last year's plan, and what continues it."""

    before: Link | None
    after: Link | None


def carried(request: HttpRequest, row: Task | Project) -> Carried:
    """`row`'s predecessor and successor, each where the reader may open its plan (a draft
    successor is the office's alone)."""
    model = type(row)
    plan_path = "area__plan" if model is Task else "task__area__plan"
    related = ["area"] if model is Task else []
    found = {
        other.pk: other
        for other in model.objects.filter(Q(successor=row) | Q(predecessor=row))
        .filter(**{f"{plan_path}__in": reach(request.user).plans()})
        .select_related(plan_path, *related)
    }

    def link(other) -> Link | None:
        if other is None:
            return None
        if model is Task:
            year = other.area.plan.year
            return Link(year, reverse("task", args=[year, other.code]), str(other))
        year = other.task.area.plan.year
        return Link(year, reverse("project", args=[year, other.pk]), other.name)

    before = found.get(row.predecessor_id)
    after = next((other for other in found.values() if other.predecessor_id == row.pk), None)
    return Carried(link(before), link(after))
