"""The access gate: what a user reaches. Every reader and every writer asks here, through
`reach(user)`; no other module tests a role by name.

A user is the office (or a superuser), a city reporter bound to one city, a unit's contact
bound to one unit, a leader, or in no role; anonymous visitors read the dashboard's figures
only with DASHBOARD_PUBLIC on. What each reads of the rows that belong to a city is said here
once, as a filter (a Q) that a model's rows and their history records both answer to:

- reports and project updates (`reported_rows`): the office every row; anyone with a role the
  counted ones (submitted, approved); a reporter her own city's drafts and returned rows too.
  A draft is seen only by its city and the office.
- problems (`problem_rows`): the office every one; a reporter her city's; a unit's contact her
  unit's once assigned; leaders every one once assigned; anyone else none.
- the rows a user acts for (`city_rows`: allocations, milestones, a reporter's admin lists):
  the office every city's; a reporter her own city's (her city's and its counties': `places`);
  leaders read every city's.
- plans (`plans`, and the rows of them: `plan_rows` by a path to the plan, `year_rows` by a
  row's year): a draft plan is the office's alone; an issued or closed one everyone's above.
"""

from functools import cached_property, wraps

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from people.models import Reporter, UnitContact
from people.roles import OFFICE, REPORTER, UNIT_CONTACT, VIEWER
from plan.models import City, Plan

NOTHING = Q(pk__in=[])


class Reach:
    """What one user reaches; read once per user object (a request's user lives one request)."""

    def __init__(self, user) -> None:
        self.user = user
        self.signed_in = user.is_authenticated
        # A superuser is the office whatever her groups: they are not even read.
        superuser = self.signed_in and user.is_superuser
        reads_groups = self.signed_in and not superuser
        groups = set(user.groups.values_list("name", flat=True)) if reads_groups else set()
        self.office = superuser or OFFICE in groups
        self.reporter = not self.office and REPORTER in groups
        self.contact = not self.office and UNIT_CONTACT in groups
        self.leader = not self.office and VIEWER in groups
        # Any role at all: an account in none sees no figures and is told to ask the office.
        self.has_role = self.office or self.reporter or self.contact or self.leader

    @cached_property
    def city(self):
        """The place a reporter is bound to (a city, or a county with a reporter of its own);
        None for everyone else (and for a reporter the office has not yet bound)."""
        if not self.reporter:
            return None
        found = Reporter.objects.filter(user=self.user).select_related("city").first()
        return found.city if found else None

    @cached_property
    def places(self) -> frozenset[int]:
        """The places a reporter acts for, in whatever year: her city and its counties (a plan
        may hold them in part, or one alone), or her county alone. A binding does not end
        with a year; in a plan holding none of them she simply has nothing to report."""
        if not self.reporter:
            return frozenset()
        # One query: her place, and the counties of it when it is a city.
        bound = Q(reporters__user=self.user) | Q(parent__reporters__user=self.user)
        return frozenset(City.objects.filter(bound).values_list("pk", flat=True))

    def places_in(self, plan) -> list:
        """The members of `plan` a reporter reports for: her own place where the plan holds
        it, then the counties of hers it holds alone (a plan may hold two)."""
        if not self.places or plan is None:
            return []
        held = City.objects.of_plan(plan).filter(pk__in=self.places)
        return sorted(held, key=lambda place: place != self.city)

    def place_in(self, plan):
        """The first of `places_in`; None where the plan holds none of her places."""
        found = self.places_in(plan)
        return found[0] if found else None

    @cached_property
    def unit(self):
        """The one unit a unit's contact answers for; None for everyone else."""
        if not self.contact:
            return None
        found = UnitContact.objects.filter(user=self.user).select_related("unit").first()
        return found.unit if found else None

    @cached_property
    def open_years(self) -> frozenset[int]:
        """The years of the plans she may open (a row's `year` is its plan's)."""
        return frozenset(self.plans().values_list("year", flat=True))

    def year_rows(self, field: str = "year") -> Q:
        """Rows of the plans she may open, by their year (a report's, an update's)."""
        # A subquery, not the years read first: a photo's page asks no more than before.
        return Q() if self.office else Q(**{f"{field}__in": self.plans().values("year")})

    def plan_rows(self, path: str | None) -> Q:
        """Rows of the plans she may open, by the `path` from a row to its plan: a draft plan's
        are the office's alone."""
        if self.office or path is None:
            return Q()
        return Q(**{f"{path}__in": self.plans()})

    def plans(self):
        """The plans she may open, the latest first."""
        plans = Plan.objects.order_by("-year")
        return plans if self.office else plans.issued()

    def current_plan(self):
        """The plan her pages, sheet and admin home open: the current one; for the office,
        while no plan is issued yet, the latest draft."""
        current = Plan.objects.current()
        if current is None and self.office:
            return Plan.objects.order_by("-year").first()
        return current

    @property
    def reads_dashboard(self) -> bool:
        """The dashboard's pages and their figures: anyone with a role, and anonymous visitors
        when DASHBOARD_PUBLIC is on."""
        return self.has_role or (not self.signed_in and settings.DASHBOARD_PUBLIC)

    def acts_for(self, city) -> bool:
        """Whether she enters and sees `city`'s own records, drafts included: the office, and
        the city's own reporter."""
        return self.office or (city is not None and city.pk in self.places)

    def reads_city_files(self, city) -> bool:
        """A city's own downloads (its workbook, its reports): the office, leaders and the
        city's reporter; never an anonymous visitor, even with DASHBOARD_PUBLIC on."""
        return self.acts_for(city) if self.reporter else self.office or self.leader

    def city_rows(self, field: str = "city") -> Q:
        """The rows of the cities she reads in the admin: all for the office and leaders, her
        city's for a reporter (the narrower role wins); a reporter not yet bound to a city,
        and an account in no role, none."""
        if self.office:
            return Q()
        if self.reporter:
            return Q(**{f"{field}__in": self.places}) if self.places else NOTHING
        return Q() if self.leader else NOTHING

    def reported_rows(self, counted) -> Q:
        """Reports or project updates she may read; `counted`: the statuses that count."""
        if self.office:
            return Q()
        if not self.has_role:
            return NOTHING
        shared = Q(status__in=counted)
        return shared | Q(city__in=self.places) if self.places else shared

    def problem_rows(self, unassigned) -> Q:
        """Problems she may read; `unassigned`: the status of one not yet assigned."""
        if self.office:
            return Q()
        if self.reporter:
            return Q(city__in=self.places) if self.places else NOTHING
        if self.contact:
            return Q(unit=self.unit) & ~Q(status=unassigned) if self.unit else NOTHING
        return ~Q(status=unassigned) if self.leader else NOTHING


def reach(user) -> Reach:
    """What `user` reaches, worked out once per user object."""
    if not hasattr(user, "_zzmetro_reach"):
        user._zzmetro_reach = Reach(user)
    return user._zzmetro_reach


def readers_only(view):
    """The dashboard's pages: for signed-in users with a role, or anyone when DASHBOARD_PUBLIC
    is on. An account in no role is told to ask the office, and shown no figure."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        found = reach(request.user)
        if not found.signed_in and not found.reads_dashboard:
            return redirect_to_login(request.get_full_path())
        if not found.reads_dashboard:
            return render(request, "dashboard/no_role.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def members_only(view):
    """Pages for signed-in users with a role, whatever DASHBOARD_PUBLIC says: a problem says who
    is late with what, a photo can show people and sites."""
    checked = readers_only(view)

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return checked(request, *args, **kwargs)

    return wrapper


def city_files_only(request: HttpRequest, city) -> HttpResponse | None:
    """A city's downloads: None where `reads_city_files` allows them; else the sign-in for an
    anonymous visitor (even with DASHBOARD_PUBLIC), a 404 for anyone else."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not reach(request.user).reads_city_files(city):
        raise Http404
    return None


# Who acts for what, for those who write to them (send_reminders).


def active_reporters():
    """The active reporters bound to a city, with their user and city."""
    found = Reporter.objects.filter(user__is_active=True, user__groups__name=REPORTER)
    return found.select_related("user", "city")


def active_contacts(units):
    """The active contacts bound to any of `units`, with their user."""
    found = UnitContact.objects.filter(unit__in=units, user__is_active=True)
    return found.filter(user__groups__name=UNIT_CONTACT).select_related("user")


def office_members():
    """The active accounts of the office (not every superuser: an administrator of the server
    need not hear of the problems)."""
    return get_user_model().objects.filter(is_active=True, groups__name=OFFICE)
