"""The admin of a reported row (investment.workflow.Reported): what progress reports and project
updates share. A city's reporter enters and submits her city's rows; the office approves them or
returns them with a reason; a closed quarter's row changes only by the office, with a reason."""

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from investment.forms import ReportActionForm, ReturnForm
from investment.workflow import Reported, record
from people.access import reach
from people.admin import GatedAdmin
from plan.forms import is_id
from plan.money import exact

TEMPLATES = "admin/investment/reported"


class ReportedAdmin(GatedAdmin):
    """A subclass names the fields fixed once a row exists (`fixed_fields`) and the field the
    reason for a closed quarter's correction follows (`reason_after`)."""

    action_form = ReportActionForm
    change_form_template = f"{TEMPLATES}/change_form.html"
    delete_confirmation_template = f"{TEMPLATES}/delete_confirmation.html"
    delete_selected_confirmation_template = f"{TEMPLATES}/delete_selected_confirmation.html"
    actions = [
        "submit_reports",
        "withdraw_reports",
        "approve_reports",
        "return_reports",
        "delete_selected",
    ]
    fixed_fields: list[str] = []
    reason_after = ""

    def rows(self, user) -> Q:
        # A reporter's own city's rows; leaders with admin access the counted ones.
        found = reach(user)
        return found.city_rows() & found.reported_rows(Reported.COUNTED)

    def history_view(self, request, object_id, extra_context=None):
        # A row's records include its drafts: the list is for its city and the office only.
        if not reach(request.user).office and reach(request.user).city is None:
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and object_id:
            row = self.get_object(request, unquote(object_id))
            if not self.has_change_permission(request, row):
                # Changed meanwhile (submitted from another tab, closed): say why, and show
                # the row as it is now, rather than a bare 403.
                self.message_user(request, row.refusal(request.user), messages.ERROR)
                return redirect(request.get_full_path())
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            # Saved by someone else between this form's checks and the save (a duplicate, a
            # newer version): nothing of this save was kept (the admin's transaction is rolled
            # back).
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return redirect(request.get_full_path())

    @admin.display(description=gettext_lazy("sample data"), ordering="is_sample")
    def sample_mark(self, obj: Reported) -> str:
        # Said in words, only on a sample row: a red cross on every real row read as an error.
        return _("sample data (never real)") if obj.is_sample else "—"

    @admin.display(description=gettext_lazy("sample"), ordering="is_sample")
    def sample_tag(self, obj: Reported) -> str:
        # The list's short form of sample_mark.
        return _("sample") if obj.is_sample else "—"

    @admin.display(description=gettext_lazy("amount at close (亿元)"))
    def amount_at_close(self, obj: Reported) -> str:
        amount = obj.at_close("amount") if obj.pk else None
        return "—" if amount is None else exact(amount)

    def get_readonly_fields(self, request, obj=None):
        # Which subject, city and quarter a row is for is fixed once it exists.
        if obj is not None:
            return [*self.fixed_fields, *self.readonly_fields]
        return self.readonly_fields

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is None:
            if reach(request.user).office:
                # Adding to a closed quarter needs a reason too (ReportedForm.clean).
                at = fields.index(self.reason_after) + 1
                fields = [*fields[:at], "correction_reason", *fields[at:]]
            return fields
        if not reach(request.user).acts_for(obj.city):
            # A reader who is not the city's (a leader with admin access) reads what counts:
            # not the office's return remark, nor a figure at close that may be a draft's.
            return without(fields, {"return_reason"})
        if obj.closed_at():
            # A closed quarter's row shows its figure at close and, to whoever may change it,
            # asks why it changes.
            at = fields.index(self.reason_after) + 1
            asked = self.has_change_permission(request, obj)
            line = ("correction_reason", "amount_at_close") if asked else "amount_at_close"
            return [*fields[:at], line, *fields[at:]]
        return fields

    def change_view(self, request, object_id, form_url="", extra_context=None):
        row = self.get_object(request, unquote(object_id))
        extra_context = {
            **(extra_context or {}),
            "can_review": reach(request.user).office,
            "can_withdraw": row is not None and row.withdrawable_by(request.user),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        report = self.get_object(request, unquote(object_id))
        if not self.has_delete_permission(request, report):
            raise PermissionDenied
        if request.method == "POST":
            try:
                report.note_change_reason(request.POST.get("reason"))
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                return redirect(request.get_full_path())
        extra_context = {**(extra_context or {}), "closed": report.closed_at()}
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request, obj):
        with transaction.atomic():
            # As every save does: a close under way finishes first, then is seen.
            obj.lock_quarter()
            if not obj.editable_by(request.user) and not reach(request.user).office:
                raise PermissionDenied
            obj.note_change_reason(request.POST.get("reason"))  # Kept with the "-" record.
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        # One by one, so each history record keeps the reason.
        with transaction.atomic():
            for report in queryset.select_related(*self.list_select_related):
                self.delete_model(request, report)

    @admin.action(permissions=["delete"], description=django_delete_selected.short_description)
    def delete_selected(self, request, queryset):
        """Django's bulk delete, asking for the reason when a closed quarter's row goes."""
        reports = list(queryset.select_related(*self.list_select_related))
        if request.POST.get("post"):
            for report in reports:
                try:
                    report.note_change_reason(request.POST.get("reason"))
                except ValidationError as error:
                    message = f"{report}: {' '.join(error.messages)}"
                    self.message_user(request, message, messages.ERROR)
                    return None
        response = django_delete_selected(self, request, queryset)
        if isinstance(response, TemplateResponse):
            response.context_data["closed"] = any(report.closed_at() for report in reports)
        return response

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.user = request.user  # get_form builds a new class each call, so this is per request.
        return form

    def get_list_filter(self, request):
        if reach(request.user).city:
            return [f for f in self.list_filter if f != "city"]
        return self.list_filter

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not reach(request.user).office:
            actions.pop("approve_reports", None)
            actions.pop("return_reports", None)
        if reach(request.user).city is None:
            actions.pop("withdraw_reports", None)  # A city's reporter's step.
        return actions

    def has_change_permission(self, request, obj=None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        # Sample rows are removed by purge_sample_data; an edited one would be purged with them.
        return obj is None or obj.values_editable_by(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        if not super().has_delete_permission(request, obj):
            return False
        if obj is None or reach(request.user).office:
            return True
        # A reporter may take back a draft that never counted, nothing else.
        return obj.editable_by(request.user) and not obj.ever_submitted

    def save_model(self, request, obj, form, change):
        # The form has shown each problem by its field; the entry path holds the rules again
        # under the row's lock, and saves.
        cleaned = form.cleaned_data
        record(
            obj,
            request.user,
            seen_version=cleaned.get("seen_version"),
            reason=cleaned.get("correction_reason") or "",
            submit="_submit" in request.POST,
        )
        for warning in obj.warnings():
            messages.warning(request, warning)

    def transition(
        self, request, queryset, change, done_message: str, reason=None, withdrawing=False
    ):
        """Apply `change` to every selected row, or to none if any of them refuses.

        A row of a closed quarter changes only with a reason (the action bar's, or the one
        given); the message counts the rows changed, as the queryset may no longer find them
        once their status changed.
        """
        reason = request.POST.get("reason", "") if reason is None else reason
        changed, refused = 0, []
        with transaction.atomic():
            for report in queryset.select_for_update(of=("self",)).select_related(
                *self.list_select_related
            ):
                # Every refusal is said at once, each naming its row.
                if not report.editable_by(request.user) and not withdrawing:
                    refused.append(report.refusal(request.user))
                    continue
                try:
                    with transaction.atomic():
                        change(report)
                        # The entry path asks the closed quarter's reason and saves.
                        record(report, request.user, seen_version=report.version, reason=reason)
                except ValidationError as error:
                    refused.append(f"{report}: {' '.join(error.messages)}")
                else:
                    changed += 1
            if refused:
                transaction.set_rollback(True)
        if refused:
            self.message_user(
                request,
                _("Nothing was changed. %(count)d reports refused:") % {"count": len(refused)},
                messages.ERROR,
            )
            for message in refused:
                self.message_user(request, message, messages.ERROR)
        else:
            self.message_user(request, done_message % {"count": changed}, messages.SUCCESS)
        return self.back_to_report(request, reviewed=not refused and not withdrawing)

    def back_to_report(self, request, reviewed: bool = False):
        """The buttons of a row's page come back to it; after a review decision, to the next
        row awaiting review (the same city's and quarter's first), or to the admin home once
        none is left.
        The list's actions, to the list."""
        pk = request.POST.get("_back", "")
        if not is_id(pk):
            return None
        opts = self.model._meta
        change = f"admin:{opts.app_label}_{opts.model_name}_change"
        row = self.model.objects.filter(pk=pk).first()
        if not reviewed or row is None:
            return redirect(reverse(change, args=[pk]))
        waiting = (
            self.get_queryset(request)
            .filter(status=Reported.Status.SUBMITTED, year=row.year)
            .exclude(pk=row.pk)
        )
        # The same city's same quarter first, then that quarter's other cities, then the rest.
        following = (
            waiting.filter(city=row.city_id, quarter=row.quarter).order_by("pk").first()
            or waiting.filter(quarter=row.quarter).order_by("city", "pk").first()
            or waiting.order_by("quarter", "city", "pk").first()
        )
        if following is None:
            self.message_user(request, _("Nothing else awaits review."), messages.INFO)
            return redirect(f"{reverse('admin:index')}#review-queue")
        self.message_user(
            request, _("Next awaiting review: %(row)s.") % {"row": following}, messages.INFO
        )
        return redirect(reverse(change, args=[following.pk]))

    @admin.action(description=gettext_lazy("Withdraw the selected reports (before review)"))
    def withdraw_reports(self, request, queryset):
        return self.transition(
            request,
            queryset,
            lambda report: report.withdraw(request.user),
            _("%(count)d reports withdrawn: they are drafts again."),
            withdrawing=True,
        )

    @admin.action(description=gettext_lazy("Submit the selected reports"))
    def submit_reports(self, request, queryset):
        return self.transition(
            request,
            queryset,
            lambda report: report.submit(request.user),
            _("%(count)d reports submitted."),
        )

    @admin.action(description=gettext_lazy("Approve the selected reports"))
    def approve_reports(self, request, queryset):
        return self.transition(
            request,
            queryset,
            lambda report: report.approve(request.user),
            _("%(count)d reports approved."),
        )

    @admin.action(description=gettext_lazy("Return the selected reports with a reason"))
    def return_reports(self, request, queryset):
        form = ReturnForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            # The reason for the return is also the reason a closed quarter's row changes.
            return self.transition(
                request,
                queryset,
                lambda report: report.send_back(request.user, reason),
                _("%(count)d reports returned."),
                reason=reason,
            )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Return reports"),
            "form": form,
            "reports": queryset.select_related(*self.list_select_related),
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "back": request.POST.get("_back", ""),
        }
        return TemplateResponse(request, f"{TEMPLATES}/return.html", context)


def without(fields: list, names: set[str]) -> list:
    """The admin's `fields` (names, or tuples of names on one line) without `names`."""
    kept = []
    for field in fields:
        if isinstance(field, tuple | list):
            line = tuple(name for name in field if name not in names)
            if line:
                kept.append(line if len(line) > 1 else line[0])
        elif field not in names:
            kept.append(field)
    return kept
