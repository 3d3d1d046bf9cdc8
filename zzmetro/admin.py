from functools import wraps

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db.models import Count, Max
from django.http import HttpRequest
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from investment.coverage import reporting_coverage
from investment.models import ProgressReport, ProjectUpdate
from investment.workflow import ReportedQuerySet
from people.access import reach
from plan.forms import is_id
from plan.models import City, Plan


def too_large(value: str) -> bool:
    """Whether a parameter holds a whole number past any id (alone, or in a list or range)."""
    return any(part.isascii() and part.isdigit() and not is_id(part) for part in value.split(","))


def grid_quarter(request: HttpRequest, plan: Plan) -> int:
    """?quarter=N, else the latest quarter anyone has reported for, else the first."""
    if request.GET.get("quarter") in ("1", "2", "3", "4"):
        return int(request.GET["quarter"])
    latest = ProgressReport.objects.filter(year=plan.year).aggregate(q=Max("quarter"))["q"]
    return latest or 1


def submitted_by_city(rows: ReportedQuerySet, plan: Plan) -> dict[int, int]:
    """City id -> how many of `rows` of the plan's year await review (submitted)."""
    return dict(
        rows.of_plan(plan)
        .filter(status=ProgressReport.Status.SUBMITTED)
        .values("city")
        .annotate(count=Count("pk"))
        .values_list("city", "count")
    )


def review_queue(plan: Plan, cities: list[City]) -> list[tuple[City, int, int]]:
    """Each city, and how many of its progress reports and of its project updates of the plan's
    year await review."""
    reports = submitted_by_city(ProgressReport.objects, plan)
    updates = submitted_by_city(ProjectUpdate.objects, plan)
    return [(city, reports.get(city.pk, 0), updates.get(city.pk, 0)) for city in cities]


class ZzmetroAdminSite(admin.AdminSite):
    site_header = _("Zhengzhou Metropolitan Area integration: administration")
    site_title = _("zzmetro administration")
    index_title = _("Work plan and quarterly reports")
    index_template = "admin/zzmetro_index.html"

    def admin_view(self, view, cacheable=False):
        """Every admin view; a bulk action on rows chosen by ids no database holds ("abc",
        2**64) is told to choose again, never a 500."""
        checked = super().admin_view(view, cacheable)

        @wraps(view)
        def inner(request, *args, **kwargs):
            chosen = request.POST.getlist(ACTION_CHECKBOX_NAME) if request.method == "POST" else []
            if any(not is_id(item) for item in chosen):
                messages.error(request, _("The rows chosen are not valid: choose them again."))
                return redirect(request.get_full_path())
            if any(too_large(value) for key, value in request.GET.items() if key != "q"):
                # A list filtered by a number no database holds (?city=2**64, ?id__in=...):
                # SQLite cannot even compare it.
                messages.error(
                    request, _("The filter in the address is not valid: it is left out.")
                )
                return redirect(request.path)
            return checked(request, *args, **kwargs)

        return inner

    def get_app_list(self, request, app_label=None):
        # The project's own sections first, in the order the apps build on each other (the plan
        # first); accounts and django-axes's (English) after them.
        apps = super().get_app_list(request, app_label)
        ours = settings.PROJECT_APPS
        return sorted(
            apps,
            key=lambda app: ours.index(app["app_label"]) if app["app_label"] in ours else len(ours),
        )

    def index(self, request, extra_context=None):
        plan = Plan.objects.first()
        city = reach(request.user).city
        if plan and (city or reach(request.user).office):
            quarter = grid_quarter(request, plan)
            cities = [city] if city else list(City.objects.all())
            extra_context = {
                **(extra_context or {}),
                "plan": plan,
                "coverage": reporting_coverage(plan, quarter, cities),
                "quarters": range(1, 5),
                "can_close": reach(request.user).office,
                "review_queue": review_queue(plan, cities) if reach(request.user).office else None,
            }
        return super().index(request, extra_context)
