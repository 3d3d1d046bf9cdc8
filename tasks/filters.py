"""The filters of a list page's query string (?city=kaifeng&task=1.1&unit=3&goal=start): each
value a known row or choice, or a 404. The projects' and the problems' lists read theirs here."""

import re
from collections.abc import Callable

from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from plan.forms import CONTROL_CHARACTERS
from plan.models import City, FocusArea
from tasks.models import Task

ID = re.compile(r"[0-9]{1,9}")  # An id from a query string: digits only, and never too large.


def chosen(given: QueryDict, lookups: dict[str, Callable[[str], object]]) -> dict:
    """The filters `given` names, each found by its lookup; an unknown value is a 404 that
    names the filter (the site's 404 page and the API show why)."""
    found = {}
    for name, find in lookups.items():
        if value := given.get(name):
            try:
                found[name] = find(value)
            except Http404:
                words = {"name": name, "value": CONTROL_CHARACTERS.sub("", value[:40])}
                unknown = Http404(_("Filter “%(name)s”: there is no “%(value)s”.") % words)
                unknown.public = True
                raise unknown from None
    return found


def by_id(rows) -> Callable[[str], object]:
    def find(value: str):
        if not ID.fullmatch(value):
            raise Http404
        return get_object_or_404(rows, pk=int(value))

    return find


def city_by_slug(plan) -> Callable[[str], City]:
    """A place `plan` holds, by its slug."""
    return lambda value: get_object_or_404(City.objects.of_plan(plan).by_slug(value))


def area_by_number(plan) -> Callable[[str], FocusArea]:
    def find(value: str) -> FocusArea:
        if not ID.fullmatch(value):
            raise Http404
        return get_object_or_404(FocusArea, plan=plan, number=int(value))

    return find


def task_by_code(plan) -> Callable[[str], Task]:
    return lambda value: get_object_or_404(Task.objects.of_plan(plan).by_code(value))


def one_of(allowed) -> Callable[[str], str]:
    def find(value: str) -> str:
        if value not in allowed:
            raise Http404
        return value

    return find
