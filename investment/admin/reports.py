from decimal import Decimal

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.timezone import localdate
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources, widgets
from import_export.admin import ExportMixin

from investment.admin.imports import ImportScreens
from investment.admin.workflow import ReportedAdmin
from investment.coverage import entry_quarter, reporting_coverage
from investment.forms import (
    CloseQuarterForm,
    ProgressReportForm,
    ReopenQuarterForm,
)
from investment.models import ProgressReport, QuarterClose
from investment.quarter import QuarterEntry
from investment.tables import LABELS
from people.access import reach
from plan.models import City, Plan
from plan.money import exact
from plan.spreadsheets import EscapedCSV, EscapedXLSX


class Number(widgets.Widget):
    """A number kept a number, so that it sums in Excel; an amount as typed, 7.25, not 7.2500."""

    def render(self, value, obj=None, **kwargs):
        if isinstance(value, Decimal):
            return Decimal(exact(value))
        return "" if value is None else value


class ReportExport(resources.ModelResource):
    """The list's export: the columns the import reads back, as they are headed."""

    task = fields.Field(attribute="task__code", column_name=LABELS["task"])
    city = fields.Field(attribute="city__name", column_name=LABELS["city"])
    year = fields.Field(attribute="year", column_name=LABELS["year"], widget=Number())
    quarter = fields.Field(attribute="quarter", column_name=LABELS["quarter"], widget=Number())
    amount = fields.Field(attribute="amount", column_name=LABELS["amount"], widget=Number())
    note = fields.Field(attribute="note", column_name=LABELS["note"])

    class Meta:
        model = ProgressReport
        fields = ["task", "city", "year", "quarter", "amount", "note"]


def quarter_param(value: str | None) -> int | None:
    if value in (None, ""):
        return 1
    return int(value) if value in ("1", "2", "3", "4") else None


def sheet_places(user, plan: Plan):
    """The sheet's menu of places: the plan's for the office; a reporter's own that the plan
    holds, where it holds several (a city's two counties held alone); else none."""
    found = reach(user)
    if found.office:
        return City.objects.of_plan(plan)
    places = found.places_in(plan)
    return places if len(places) > 1 else None


class NothingToReport(Exception):
    """A reporter's places are in no member of the plan: her sheet says so (not an error)."""

    def __init__(self, plan: Plan, place: City) -> None:
        self.plan, self.place = plan, place
        if place.parent_id:
            words = _("The %(year)d plan does not hold %(place)s: nothing to report in it.")
        else:
            words = _(
                "The %(year)d plan holds neither %(place)s nor its counties: nothing to report "
                "in it."
            )
        super().__init__(words % {"year": plan.year, "place": place.name})


def sheet_scope(request) -> tuple[Plan, City, int]:
    """The plan, city and quarter a sheet is for, from ?year, ?city and ?quarter.

    A reporter's city is her own, whatever the URL says; anything unknown is a 404.
    """
    year = request.GET.get("year", "")
    found = reach(request.user)
    plans = found.plans()
    plan = get_object_or_404(plans.by_year(year)) if year else found.current_plan()
    if not (found.office or found.city):
        raise PermissionDenied  # A reporter not yet bound to a city.
    members = City.objects.of_plan(plan) if plan else City.objects.none()
    if not found.office:
        members = members.filter(pk__in=found.places)
    if requested := request.GET.get("city"):
        # A reporter never sees another place's sheet, nor one of a place the plan lacks.
        city = get_object_or_404(members.by_slug(requested))
    else:
        city = found.place_in(plan) if not found.office else members.first()
    if city is None and plan is not None and not found.office:
        raise NothingToReport(plan, found.city)
    if plan is None or city is None:
        raise Http404
    if request.GET.get("quarter") in (None, ""):
        return plan, city, entry_quarter(plan, localdate())
    quarter = quarter_param(request.GET.get("quarter"))
    if quarter is None:
        raise Http404
    return plan, city, quarter


# Beside the amount on a report's page: what the city was allocated and reported before.
FIGURES = ("allocation_display", "earlier_quarters", "cumulative_display")


@admin.register(ProgressReport)
class ProgressReportAdmin(ImportScreens, ExportMixin, ReportedAdmin):
    plan_field = "task__area__plan"
    resource_classes = [ReportExport]
    export_formats = [EscapedXLSX, EscapedCSV]
    import_export_change_list_template = "admin/investment/progressreport/change_list.html"
    form = ProgressReportForm
    list_display = [
        "task_label",
        "city",
        "quarter",
        "amount",
        "status",
        "sample_tag",
        "updated_at",
    ]
    list_filter = [
        "year",
        "quarter",
        "status",
        "city",
        "is_sample",
        ("task__area", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["task__title", "note"]
    list_select_related = ["task__area", "city"]
    readonly_fields = [
        "allocation_display",
        "earlier_quarters",
        "earlier_counted_quarters",
        "cumulative_display",
        "amount_at_close",
        "status",
        "return_reason",
        "sample_mark",
        "created_by",
        "created_at",
        "updated_by",
        "updated_at",
    ]
    fields = [
        "task",
        "city",
        ("year", "quarter"),
        "amount",
        FIGURES,
        "note",
        "seen_version",
        ("status", "return_reason"),
        "sample_mark",
        ("created_by", "created_at"),
        ("updated_by", "updated_at"),
    ]
    fixed_fields = ["task", "city", "year", "quarter"]
    reason_after = "note"

    def get_urls(self):
        quarter = path(
            "quarter/", self.admin_site.admin_view(self.quarter_view), name="investment_quarter"
        )
        close = path("close/", self.admin_site.admin_view(self.close_view), name="investment_close")
        reopen = path(
            "reopen/", self.admin_site.admin_view(self.reopen_view), name="investment_reopen"
        )
        return [quarter, close, reopen, *super().get_urls()]

    @admin.display(description=gettext_lazy("task"), ordering="task__area__number")
    def task_label(self, obj: ProgressReport) -> str:
        # The code and the title's start: the review list's figures and status stay in view at
        # 1366 px; the whole title is the cell's tooltip and on the report's page.
        title = obj.task.title
        short = title if len(title) <= 16 else f"{title[:15]}…"
        return format_html('<span title="{}">{} {}</span>', title, obj.task.code, short)

    @admin.display(description=gettext_lazy("allocation (亿元)"))
    def allocation_display(self, obj: ProgressReport) -> str:
        amount = obj.allocation() if obj.pk else None
        return "—" if amount is None else exact(amount)

    @admin.display(description=gettext_lazy("earlier quarters (亿元)"))
    def earlier_quarters(self, obj: ProgressReport) -> str:
        return self.earlier_list(obj.earlier_reports() if obj.pk else [])

    @admin.display(description=gettext_lazy("earlier quarters (亿元)"))
    def earlier_counted_quarters(self, obj: ProgressReport) -> str:
        # For a reader who does not act for the city: its drafts and returned reports are not
        # hers to see, here either.
        return self.earlier_list(obj.earlier_reports(counted_only=True) if obj.pk else [])

    def earlier_list(self, rows: list) -> str:
        if not rows:
            return "—"
        return format_html_join(
            "\n",
            "<div>{}</div>",
            (
                (
                    _("Q%(quarter)d: %(amount)s (%(status)s)")
                    % {"quarter": quarter, "amount": exact(amount), "status": status},
                )
                for quarter, amount, status in rows
            ),
        )

    @admin.display(description=gettext_lazy("year to date, this quarter included (亿元)"))
    def cumulative_display(self, obj: ProgressReport) -> str:
        return exact(obj.cumulative_before() + obj.amount) if obj.pk else "—"

    def close_scope(self, request) -> tuple[Plan, int]:
        """The plan and quarter to close or reopen, from ?year and ?quarter or the form."""
        if not reach(request.user).office:
            raise PermissionDenied
        data = request.POST if request.method == "POST" else request.GET
        plan = get_object_or_404(Plan.objects.by_year(data.get("year", "")))
        quarter = quarter_param(data.get("quarter"))
        if quarter is None:
            raise Http404
        return plan, quarter

    def close_view(self, request):
        """锁定: the office closes a quarter, after a page listing what is still open in it."""
        plan, quarter = self.close_scope(request)
        words = {"year": plan.year, "quarter": quarter}
        back = redirect(f"{reverse('admin:index')}?year={plan.year}&quarter={quarter}")
        coverage = reporting_coverage(plan, quarter)
        if coverage.closed:
            self.message_user(
                request, _("%(year)s Q%(quarter)s was already closed.") % words, messages.WARNING
            )
            return back
        form = CloseQuarterForm(
            request.POST if request.method == "POST" else None,
            coverage=coverage,
        )
        if form.is_valid():
            try:
                with transaction.atomic():
                    QuarterClose.close(plan, quarter, request.user, form.cleaned_data["reason"])
            except IntegrityError:  # Closed by a colleague at the same moment.
                message = _("%(year)s Q%(quarter)s was already closed.")
            else:
                message = _("%(year)s Q%(quarter)s is closed.")
            self.message_user(request, message % words, messages.SUCCESS)
            return back
        return self.closing_page(
            request, plan, quarter, form, _("Close %(year)s Q%(quarter)s") % words, coverage
        )

    def reopen_view(self, request):
        """The office reopens a closed quarter, with a reason, so reporters can change it."""
        plan, quarter = self.close_scope(request)
        words = {"year": plan.year, "quarter": quarter}
        closing = get_object_or_404(QuarterClose, plan=plan, quarter=quarter)
        form = ReopenQuarterForm(request.POST if request.method == "POST" else None)
        if form.is_valid():
            closing.reopen(request.user, form.cleaned_data["reason"])
            self.message_user(
                request,
                _("%(year)s Q%(quarter)s is open again: reporters can change it.") % words,
                messages.SUCCESS,
            )
            return redirect(f"{reverse('admin:index')}?year={plan.year}&quarter={quarter}")
        return self.closing_page(
            request, plan, quarter, form, _("Reopen %(year)s Q%(quarter)s") % words, closing=closing
        )

    def closing_page(self, request, plan, quarter, form, title, coverage=None, closing=None):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "plan": plan,
            "quarter": quarter,
            "form": form,
            "coverage": coverage,
            "closing": closing,
            "events": QuarterClose.history.filter(plan=plan, quarter=quarter).select_related(
                "history_user"
            ),
        }
        return TemplateResponse(request, "admin/investment/progressreport/close.html", context)

    def quarter_view(self, request):
        """季度填报: a city's whole quarter on one screen."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        try:
            plan, city, quarter = sheet_scope(request)
        except NothingToReport as nothing:
            context = {
                **self.admin_site.each_context(request),
                "title": _("Quarterly reporting"),
                "opts": self.model._meta,
                "plan": nothing.plan,
                "nothing": str(nothing),
                "plans": reach(request.user).plans(),
            }
            return TemplateResponse(
                request, "admin/investment/progressreport/nothing.html", context
            )
        sheet = QuarterEntry(
            request.POST or None, user=request.user, city=city, plan=plan, quarter=quarter
        )
        if request.method == "POST" and sheet.closed:
            self.message_user(
                request, _("This quarter is closed: nothing was saved."), messages.ERROR
            )
            return redirect(request.get_full_path())
        if request.method == "POST":
            # Every row is checked, the model's rules too, so all errors show at once.
            submit = "_submit" in request.POST
            saved = None if sheet.non_form_errors() else sheet.save(submit=submit)
            if saved is not None:
                done = _("Submitted %(count)d rows.") if submit else _("Saved %(count)d rows.")
                self.message_user(request, done % {"count": len(saved)}, messages.SUCCESS)
                for report in saved:
                    for warning in report.warnings():
                        self.message_user(request, warning, messages.WARNING)
                return redirect(request.get_full_path())
        context = {
            **self.admin_site.each_context(request),
            "title": _("Quarterly reporting"),
            "opts": self.model._meta,
            "plan": plan,
            "city": city,
            "quarter": quarter,
            "quarters": range(1, 5),
            "cities": sheet_places(request.user, plan),
            "sheet": sheet,
            "idle_seconds": settings.SESSION_COOKIE_AGE,
        }
        return TemplateResponse(request, "admin/investment/progressreport/quarter.html", context)

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        # The figures beside the amount are a saved report's.
        if obj is None:
            return [field for field in fields if field != FIGURES]
        if not reach(request.user).acts_for(obj.city):
            counted = tuple(
                "earlier_counted_quarters" if name == "earlier_quarters" else name
                for name in FIGURES
            )
            return [counted if field == FIGURES else field for field in fields]
        return fields
