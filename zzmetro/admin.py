from django.contrib import admin
from django.db.models import Max
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from investment.coverage import reporting_coverage
from investment.models import ProgressReport
from plan.models import City, Plan
from plan.roles import is_office, reporter_city


def grid_quarter(request: HttpRequest, plan: Plan) -> int:
    """?quarter=N, else the latest quarter anyone has reported for, else the first."""
    if request.GET.get("quarter") in ("1", "2", "3", "4"):
        return int(request.GET["quarter"])
    latest = ProgressReport.objects.filter(year=plan.year).aggregate(q=Max("quarter"))["q"]
    return latest or 1


class ZzmetroAdminSite(admin.AdminSite):
    site_header = _("Zhengzhou Metropolitan Area integration: administration")
    site_title = _("zzmetro administration")
    index_title = _("Work plan and quarterly reports")
    index_template = "admin/zzmetro_index.html"

    def index(self, request, extra_context=None):
        plan = Plan.objects.first()
        city = reporter_city(request.user)
        if plan and (city or is_office(request.user)):
            quarter = grid_quarter(request, plan)
            cities = [city] if city else list(City.objects.all())
            extra_context = {
                **(extra_context or {}),
                "plan": plan,
                "coverage": reporting_coverage(plan, quarter, cities),
                "quarters": range(1, 5),
                "can_close": is_office(request.user),
            }
        return super().index(request, extra_context)
