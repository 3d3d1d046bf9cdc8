"""The access gate: what a user reaches. Every reader and every writer asks here; no other
module tests a role by name.

A user is the office (or a superuser), a city reporter bound to one city, a unit's contact
bound to one unit, a leader, or in no role. The answers are read once per user object (a
request's user lives one request).
"""

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from people.models import Reporter, UnitContact
from people.roles import OFFICE, REPORTER, UNIT_CONTACT, VIEWER


def roles(user) -> set[str]:
    """The user's role groups, read once per user object (a request's user lives one request)."""
    if not user.is_authenticated:
        return set()
    if not hasattr(user, "_zzmetro_roles"):
        user._zzmetro_roles = set(user.groups.values_list("name", flat=True))
    return user._zzmetro_roles


def has_role(user) -> bool:
    """Whether a signed-in user holds any role: the office (or a superuser), a reporter, a
    leader or a unit's contact. An account in none sees no figures."""
    return user.is_superuser or bool(roles(user) & {OFFICE, REPORTER, VIEWER, UNIT_CONTACT})


def is_office(user) -> bool:
    return user.is_superuser or OFFICE in roles(user)


def reporter_city(user):
    """The one city a city reporter reports for; None for everyone else."""
    if is_office(user) or REPORTER not in roles(user):
        return None
    if not hasattr(user, "_zzmetro_city"):
        reporter = Reporter.objects.filter(user=user).select_related("city").first()
        user._zzmetro_city = reporter.city if reporter else None
    return user._zzmetro_city


def contact_unit(user):
    """The one unit a unit's contact answers for; None for everyone else."""
    if is_office(user) or UNIT_CONTACT not in roles(user):
        return None
    if not hasattr(user, "_zzmetro_unit"):
        contact = UnitContact.objects.filter(user=user).select_related("unit").first()
        user._zzmetro_unit = contact.unit if contact else None
    return user._zzmetro_unit


def scope_to_city(queryset: models.QuerySet, user, field: str = "city") -> models.QuerySet:
    """The rows a user may see: all for the office and leaders, her city's for a reporter.

    The reporter role is the narrower one and wins; a reporter not yet bound to a city sees
    nothing, and an account in no role nothing at all.
    """
    if is_office(user):
        return queryset
    if REPORTER in roles(user):
        city = reporter_city(user)
        return queryset.filter(**{field: city}) if city else queryset.none()
    return queryset if VIEWER in roles(user) else queryset.none()


def sees_city(user, city) -> bool:
    """Whether `user` may read `city`'s own rows, as scope_to_city decides for a queryset."""
    if is_office(user):
        return True
    if REPORTER in roles(user):
        return reporter_city(user) == city
    return VIEWER in roles(user)


def readers_only(view):
    """The dashboard's pages: for signed-in users with a role, or anyone when DASHBOARD_PUBLIC
    is on. An account in no role is told to ask the office, and shown no figure."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not (settings.DASHBOARD_PUBLIC or request.user.is_authenticated):
            return redirect_to_login(request.get_full_path())
        if request.user.is_authenticated and not has_role(request.user):
            return render(request, "dashboard/no_role.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def city_download_allowed(request: HttpRequest, city) -> HttpResponse | None:
    """A city's downloads are for the office, leaders and that city's own reporter: another
    city's reporter gets a 404, an anonymous visitor (even with DASHBOARD_PUBLIC) the sign-in."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not sees_city(request.user, city):
        raise Http404
    return None


def members_only(view):
    """Pages for signed-in users with a role, whatever DASHBOARD_PUBLIC says: a problem says who
    is late with what."""
    checked = readers_only(view)

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return checked(request, *args, **kwargs)

    return wrapper
