import json
import os
from collections import Counter

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html_join
from django.utils.http import urlencode
from django.utils.timezone import localdate
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.admin import ImportExportMixin
from import_export.forms import ConfirmImportForm, ImportForm
from import_export.results import RowResult

from investment.admin.workflow import ReportedAdmin
from investment.coverage import entry_quarter, reporting_coverage
from investment.forms import (
    CloseQuarterForm,
    ProgressReportForm,
    ReopenQuarterForm,
)
from investment.imports import MAX_BYTES, FileRefused, SpreadsheetFile
from investment.models import REASON_LENGTH, ProgressReport, QuarterClose
from investment.quarter import QuarterEntry
from investment.resources import ProgressReportResource
from people.access import reach
from plan.models import City, Plan
from plan.money import exact
from plan.spreadsheets import EscapedCSV, EscapedXLSX


class ReportImportForm(ImportForm):
    """The upload: refuses an oversized file before reading a byte of it."""

    reason = forms.CharField(
        label=gettext_lazy("Reason for the correction (closed quarters)"),
        required=False,
        max_length=REASON_LENGTH,
        help_text=gettext_lazy("The office gives one to import into a closed quarter."),
    )

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        if upload.size > MAX_BYTES:
            raise ValidationError(
                _("The file is %(size)s MB; files up to %(limit)s MB can be imported.")
                % {"size": f"{upload.size / 1024 / 1024:.1f}", "limit": MAX_BYTES // 1024 // 1024}
            )
        return upload


class ReportConfirmImportForm(ConfirmImportForm):
    """The confirm step, carrying the version of each row's report as the preview saw it."""

    versions = forms.CharField(widget=forms.HiddenInput, required=False)
    # The upload's reason for correcting a closed quarter (the office only).
    reason = forms.CharField(widget=forms.HiddenInput, required=False, max_length=REASON_LENGTH)

    def clean_versions(self) -> dict[tuple, int]:
        # Anything unreadable counts as "seen at no version": every row then differs and the
        # confirm is refused, never applied unchecked.
        try:
            rows = json.loads(self.cleaned_data["versions"] or "[]")
            return {tuple(row[:-1]): row[-1] for row in rows}
        except (ValueError, TypeError, IndexError):
            return {}


def quarter_param(value: str | None) -> int | None:
    if value in (None, ""):
        return 1
    return int(value) if value in ("1", "2", "3", "4") else None


def sheet_scope(request) -> tuple[Plan, City, int]:
    """The plan, city and quarter a sheet is for, from ?year, ?city and ?quarter.

    A reporter's city is her own, whatever the URL says; anything unknown is a 404.
    """
    year = request.GET.get("year", "")
    plan = get_object_or_404(Plan.objects.by_year(year)) if year else Plan.objects.first()
    city = reach(request.user).city
    requested = request.GET.get("city")
    if city is None:
        if not reach(request.user).office:
            raise PermissionDenied  # A reporter not yet bound to a city.
        city = (
            get_object_or_404(City.objects.by_slug(requested))
            if requested
            else City.objects.first()
        )
    elif requested and requested != city.slug:
        raise Http404  # A reporter never sees another city's sheet.
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
class ProgressReportAdmin(ImportExportMixin, ReportedAdmin):
    resource_classes = [ProgressReportResource]
    import_formats = [SpreadsheetFile]
    export_formats = [EscapedXLSX, EscapedCSV]
    import_form_class = ReportImportForm
    confirm_form_class = ReportConfirmImportForm
    import_export_change_list_template = "admin/investment/progressreport/change_list.html"
    import_template_name = "admin/investment/progressreport/import.html"
    # Every import is logged in the change history, with who and which file.
    skip_admin_log = True
    form = ProgressReportForm
    list_display = [
        "task",
        "city",
        "year",
        "quarter",
        "amount",
        "status",
        "is_sample",
        "updated_at",
    ]
    list_filter = ["year", "quarter", "status", "city", "is_sample", "task__area"]
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
        "is_sample",
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
        "is_sample",
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

    def get_import_resource_kwargs(self, request, **kwargs):
        # The file's name goes into the change history: from the upload on preview, from
        # the confirm form after. The upload page itself has neither.
        form = kwargs.get("form")
        cleaned = getattr(form, "cleaned_data", {})
        upload = cleaned.get("import_file")
        name = getattr(upload, "name", None) or cleaned.get("original_file_name", "")
        # Only the office corrects a closed quarter, so only hers is a reason (a reporter's
        # forged hidden field is dropped, never kept in the history).
        reason = cleaned.get("reason", "") if reach(request.user).office else ""
        resource = {"user": request.user, "file_name": name, "reason": reason}
        if isinstance(form, ConfirmImportForm):
            resource["previewed"] = cleaned.get("versions", {})
        elif form is not None:
            # The preview fills it in; the confirm form carries it (get_confirm_form_initial).
            form.versions_seen = resource["versions"] = {}
        return resource

    def create_import_form(self, request):
        form = super().create_import_form(request)
        if not reach(request.user).office:
            del form.fields["reason"]  # Only the office imports into a closed quarter.
        return form

    def process_import(self, request, **kwargs):
        # A confirm posted twice finds its file gone (the first removed it); a forged one names
        # a format or a file that is not there. Either is told to upload again, never a 500.
        form = self.create_confirm_form(request)
        if form.is_valid() and not self.confirmable(form):
            self.message_user(
                request,
                _("This import was already confirmed or has expired: upload the file again."),
                messages.ERROR,
            )
            return redirect("admin:investment_progressreport_import")
        return super().process_import(request, **kwargs)

    def confirmable(self, form) -> bool:
        formats = [str(index) for index in range(len(self.get_import_formats()))]
        if form.cleaned_data["format"] not in formats:
            return False
        storage = self.get_tmp_storage_class()(
            name=form.cleaned_data["import_file_name"], **self.get_tmp_storage_class_kwargs()
        )
        full_path = getattr(storage, "get_full_path", None)  # Files only; a cache cannot say.
        return full_path is None or os.path.isfile(full_path())

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            rows = [[*key, version] for key, version in import_form.versions_seen.items()]
            initial["versions"] = json.dumps(rows)
            initial["reason"] = import_form.cleaned_data.get("reason", "")
        return initial

    def get_import_data_kwargs(self, **kwargs):
        # All or nothing: a row that fails rolls back every row of the file.
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def add_data_read_fail_error_to_form(self, form, error):
        if isinstance(error, FileRefused):
            form.add_error("import_file", str(error))
        else:
            super().add_data_read_fail_error_to_form(form, error)

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            # Something changed between preview and confirm; the transaction was rolled back.
            self.message_user(
                request,
                _("Nothing was imported: the file no longer passes the checks. Upload it again."),
                messages.ERROR,
            )
            for row in result.all_invalid_rows():
                for error in dict.fromkeys(row.error.messages):
                    self.message_user(request, error, messages.ERROR)
            return redirect(reverse("admin:investment_progressreport_import"))
        totals = result.counts()
        summary = _("%(new)d new, %(update)d changed, %(skip)d unchanged or empty.") % {
            "new": totals[RowResult.IMPORT_TYPE_NEW],
            "update": totals[RowResult.IMPORT_TYPE_UPDATE],
            "skip": totals[RowResult.IMPORT_TYPE_SKIP],
        }
        self.message_user(request, _("Imported: ") + summary, messages.SUCCESS)
        return redirect(self.sheet_of(result))

    def sheet_of(self, result) -> str:
        """The quarter sheet of the city and quarter most of the imported rows are for."""
        # Rows skipped as drafts of an export carry no report at all.
        rows = [row for row in result.all_valid_rows() if getattr(row.instance, "city_id", None)]
        changed = [
            row
            for row in rows
            if row.import_type in (RowResult.IMPORT_TYPE_NEW, RowResult.IMPORT_TYPE_UPDATE)
        ]
        if not rows:
            return reverse("admin:investment_progressreport_changelist")
        counts = Counter(
            (row.instance.year, row.instance.city.slug, row.instance.quarter)
            for row in changed or rows
        )
        (year, city, quarter), _count = counts.most_common(1)[0]
        query = urlencode({"year": year, "city": city, "quarter": quarter})
        return f"{reverse('admin:investment_quarter')}?{query}"

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
        back = redirect(f"{reverse('admin:index')}?quarter={quarter}")
        coverage = reporting_coverage(plan, quarter)
        if coverage.closed:
            self.message_user(
                request, _("%(year)s Q%(quarter)s was already closed.") % words, messages.WARNING
            )
            return back
        form = CloseQuarterForm(
            request.POST if request.method == "POST" else None,
            awaiting=coverage.awaiting_review,
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
            return redirect(f"{reverse('admin:index')}?quarter={quarter}")
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
        plan, city, quarter = sheet_scope(request)
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
            "cities": None if reach(request.user).city else City.objects.all(),
            "sheet": sheet,
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
