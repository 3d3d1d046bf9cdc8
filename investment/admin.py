import json
import re
from collections import Counter

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.admin import ImportExportMixin
from import_export.forms import ConfirmImportForm, ImportForm
from import_export.results import RowResult

from plan.models import City, Plan
from plan.money import exact
from plan.roles import is_office, reporter_city
from plan.spreadsheets import EscapedCSV, EscapedXLSX
from tasks.admin import CityScoped, HistoryAdmin

from .forms import ProgressReportForm, QuarterSheetFormSet, ReturnForm, quarter_sheet
from .models import DuplicateReport, ProgressReport, QuarterClose
from .resources import MAX_BYTES, FileRefused, ProgressReportResource, SpreadsheetFile


class ReportImportForm(ImportForm):
    """The upload: refuses an oversized file before reading a byte of it."""

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

    def clean_versions(self) -> dict[tuple, int]:
        # Anything unreadable counts as "seen at no version": every row then differs and the
        # confirm is refused, never applied unchecked.
        try:
            rows = json.loads(self.cleaned_data["versions"] or "[]")
            return {tuple(row[:4]): row[4] for row in rows}
        except (ValueError, TypeError, IndexError):
            return {}


SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def quarter_param(value: str | None) -> int | None:
    if value in (None, ""):
        return 1
    return int(value) if value in ("1", "2", "3", "4") else None


def sheet_scope(request) -> tuple[Plan, City, int]:
    """The plan, city and quarter a sheet is for, from ?year, ?city and ?quarter.

    A reporter's city is her own, whatever the URL says; anything unknown is a 404.
    """
    year = request.GET.get("year", "")
    if year and not re.fullmatch(r"\d{4}", year):
        raise Http404
    plan = get_object_or_404(Plan, year=year) if year else Plan.objects.first()
    city = reporter_city(request.user)
    requested = request.GET.get("city")
    if requested and not SLUG.fullmatch(requested):
        raise Http404  # A NUL byte, say, which PostgreSQL would refuse to compare.
    if city is None:
        if not is_office(request.user):
            raise PermissionDenied  # A reporter not yet bound to a city.
        city = get_object_or_404(City, slug=requested) if requested else City.objects.first()
    elif requested and requested != city.slug:
        raise Http404  # A reporter never sees another city's sheet.
    quarter = quarter_param(request.GET.get("quarter"))
    if plan is None or city is None or quarter is None:
        raise Http404
    return plan, city, quarter


@admin.register(ProgressReport)
class ProgressReportAdmin(CityScoped, ImportExportMixin, HistoryAdmin):
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
    change_form_template = "admin/investment/progressreport/change_form.html"
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
        "note",
        "seen_version",
        ("status", "return_reason"),
        "is_sample",
        ("created_by", "created_at"),
        ("updated_by", "updated_at"),
    ]
    actions = ["submit_reports", "approve_reports", "return_reports"]

    def get_urls(self):
        quarter = path(
            "quarter/", self.admin_site.admin_view(self.quarter_view), name="investment_quarter"
        )
        close = path("close/", self.admin_site.admin_view(self.close_view), name="investment_close")
        return [quarter, close, *super().get_urls()]

    def get_import_resource_kwargs(self, request, **kwargs):
        # The file's name goes into the change history: from the upload on preview, from
        # the confirm form after. The upload page itself has neither.
        form = kwargs.get("form")
        cleaned = getattr(form, "cleaned_data", {})
        upload = cleaned.get("import_file")
        name = getattr(upload, "name", None) or cleaned.get("original_file_name", "")
        resource = {"user": request.user, "file_name": name}
        if isinstance(form, ConfirmImportForm):
            resource["previewed"] = cleaned.get("versions", {})
        elif form is not None:
            # The preview fills it in; the confirm form carries it (get_confirm_form_initial).
            form.versions_seen = resource["versions"] = {}
        return resource

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            rows = [[*key, version] for key, version in import_form.versions_seen.items()]
            initial["versions"] = json.dumps(rows)
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
            for row in result.invalid_rows:
                for error in dict.fromkeys(row.error.messages):
                    self.message_user(request, error, messages.ERROR)
            return redirect(reverse("admin:investment_progressreport_import"))
        totals = result.totals
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
        rows = [row for row in result.valid_rows() if getattr(row.instance, "city_id", None)]
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

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DuplicateReport as error:
            # Saved by someone else between this form's checks and its insert: nothing of
            # this save was kept (the admin's transaction is rolled back).
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return redirect(request.get_full_path())

    @admin.display(description=gettext_lazy("amount at close (亿元)"))
    def amount_at_close(self, obj: ProgressReport) -> str:
        amount = obj.amount_at_close() if obj.pk else None
        return "—" if amount is None else exact(amount)

    def close_view(self, request):
        """锁定: the office closes a reviewed quarter; reporters can no longer change it."""
        if request.method != "POST" or not is_office(request.user):
            raise PermissionDenied
        year = request.POST.get("year", "")
        plan = get_object_or_404(Plan, year=year) if year.isdigit() else None
        if plan is None:
            raise Http404
        quarter = quarter_param(request.POST.get("quarter"))
        if quarter is None:
            raise Http404
        _close, created = QuarterClose.objects.get_or_create(
            plan=plan, quarter=quarter, defaults={"closed_by": request.user}
        )
        message = (
            _("%(year)s Q%(quarter)s is closed.")
            if created
            else _("%(year)s Q%(quarter)s was already closed.")
        )
        self.message_user(
            request, message % {"year": plan.year, "quarter": quarter}, messages.SUCCESS
        )
        return redirect(f"{reverse('admin:index')}?quarter={quarter}")

    def quarter_view(self, request):
        """季度填报: a city's whole quarter on one screen."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        plan, city, quarter = sheet_scope(request)
        rows = quarter_sheet(plan, city, quarter)
        sheet = QuarterSheetFormSet(
            request.POST or None,
            rows=rows,
            user=request.user,
            city=city,
            plan=plan,
            quarter=quarter,
        )
        if request.method == "POST" and sheet.is_valid():
            saved = sheet.save(submit="_submit" in request.POST)
            if saved is not None:
                self.message_user(
                    request, _("Saved %(count)d rows.") % {"count": len(saved)}, messages.SUCCESS
                )
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
            "cities": None if reporter_city(request.user) else City.objects.all(),
            "sheet": sheet,
        }
        return TemplateResponse(request, "admin/investment/progressreport/quarter.html", context)

    def get_readonly_fields(self, request, obj=None):
        # Which task, city and quarter a report is for is fixed once it exists.
        if obj is not None:
            return ["task", "city", "year", "quarter", *self.readonly_fields]
        return self.readonly_fields

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None and obj.closed_at():
            # A closed quarter's report shows its figure at close and asks why it changes.
            return [*fields[:5], ("correction_reason", "amount_at_close"), *fields[5:]]
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.user = request.user  # get_form builds a new class each call, so this is per request.
        return form

    def get_list_filter(self, request):
        if reporter_city(request.user):
            return [f for f in self.list_filter if f != "city"]
        return self.list_filter

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not is_office(request.user):
            actions.pop("approve_reports", None)
            actions.pop("return_reports", None)
        return actions

    def has_change_permission(self, request, obj=None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        # Sample rows are removed by purge_sample_data; an edited one would be purged with them.
        return obj is None or (not obj.is_sample and obj.editable_by(request.user))

    def has_delete_permission(self, request, obj=None) -> bool:
        if not super().has_delete_permission(request, obj):
            return False
        if obj is None or is_office(request.user):
            return True
        # A reporter may take back a draft that never counted, nothing else.
        return obj.editable_by(request.user) and not obj.ever_submitted

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.edited_by(request.user)
        if "_submit" in request.POST and obj.status == ProgressReport.Status.DRAFT:
            obj.submit()
        super().save_model(request, obj, form, change)
        for warning in obj.warnings():
            messages.warning(request, warning)

    def transition(self, request, queryset, change, done_message: str) -> None:
        """Apply `change` to every selected report, or to none if any of them refuses."""
        try:
            with transaction.atomic():
                for report in queryset.select_for_update(of=("self",)).select_related(
                    "task__area", "city"
                ):
                    if not report.editable_by(request.user):
                        raise ValidationError(
                            _("%(report)s cannot be changed by you.") % {"report": report}
                        )
                    try:
                        change(report)
                    except ValidationError as error:
                        raise ValidationError(f"{report}: {' '.join(error.messages)}") from error
                    report.edited_by(request.user)
                    report.save()
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return
        self.message_user(request, done_message % {"count": queryset.count()}, messages.SUCCESS)

    @admin.action(description=gettext_lazy("Submit the selected reports"))
    def submit_reports(self, request, queryset):
        self.transition(request, queryset, ProgressReport.submit, _("%(count)d reports submitted."))

    @admin.action(description=gettext_lazy("Approve the selected reports"))
    def approve_reports(self, request, queryset):
        self.transition(request, queryset, ProgressReport.approve, _("%(count)d reports approved."))

    @admin.action(description=gettext_lazy("Return the selected reports with a reason"))
    def return_reports(self, request, queryset):
        form = ReturnForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            self.transition(
                request,
                queryset,
                lambda report: report.send_back(reason),
                _("%(count)d reports returned."),
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Return reports"),
            "form": form,
            "reports": queryset.select_related("task__area", "city"),
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/investment/progressreport/return.html", context)
