"""The office writes a quarter's 下步工作 and issues (印发) its bulletin once the quarter is
closed; an issued bulletin is frozen: it can be read, never changed or deleted."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _

from bulletins.content import content, frozen
from bulletins.models import Bulletin
from figures.rollups import Figures
from people.access import reach
from people.admin import GatedAdmin
from people.models import display_name
from plan.forms import is_id
from plan.models import Plan

ISSUE = "_issue"


class BulletinForm(forms.ModelForm):
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Bulletin
        fields = ["plan", "quarter", "next_steps"]
        widgets = {"next_steps": forms.Textarea(attrs={"rows": 12, "cols": 80})}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["seen_version"].initial = self.instance.version

    def clean_next_steps(self) -> str:
        # Browsers send a line break as \r\n: one character each against the limit, as typed.
        return self.cleaned_data["next_steps"].replace("\r\n", "\n")

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.instance.pk is None and cleaned.get("plan"):
            # Two offices adding one quarter's bulletin at once: the second waits here (the
            # admin saves in a transaction) and then meets the first's in the unique check,
            # with its message, instead of the database's error.
            Plan.objects.select_for_update().filter(pk=cleaned["plan"].pk).first()
        if self.instance.pk is not None:
            self.instance.check_version(cleaned.get("seen_version"))
        if ISSUE in self.data and not self.errors:
            # Asked before anything is saved: a refused issue saves nothing.
            probe = Bulletin(
                pk=self.instance.pk,
                plan=cleaned.get("plan") or self.instance.plan,
                quarter=cleaned.get("quarter") or self.instance.quarter,
                status=self.instance.status,
                next_steps=cleaned.get("next_steps") or "",
                countersigned_by_id=self.instance.countersigned_by_id,
                countersigned_text=self.instance.countersigned_text,
            )
            if error := probe.issue_error():
                raise ValidationError(error)
        return cleaned


@admin.register(Bulletin)
class BulletinAdmin(GatedAdmin):
    form = BulletinForm
    change_form_template = "admin/bulletins/bulletin/change_form.html"
    list_display = ["__str__", "status", "number", "issued_at", "issued_by", "page_link"]
    list_filter = ["plan", "status"]
    # Each row's name and page link read its plan: with the rows, not once a row.
    list_select_related = ["plan", "issued_by"]

    def rows(self, user) -> Q:
        # A bulletin not yet issued is the office's draft.
        return Q() if reach(user).office else Q(status=Bulletin.Status.ISSUED)

    readonly_fields = [
        "status",
        "countersign_state",
        "number",
        "issued_at",
        "issued_by",
        "page_link",
    ]

    @admin.display(description=_("countersign (核稿)"))
    def countersign_state(self, obj: Bulletin) -> str:
        if obj.countersigned_by_id is None:
            return _("not yet countersigned")
        words = {
            "who": display_name(obj.countersigned_by),
            "when": localtime(obj.countersigned_at).strftime("%Y-%m-%d %H:%M"),
        }
        if obj.countersigned():
            return _("countersigned by %(who)s on %(when)s") % words
        return _("countersigned by %(who)s on %(when)s; the next steps changed since") % words

    def get_urls(self):
        countersign = path(
            "<path:object_id>/countersign/",
            self.admin_site.admin_view(self.countersign_view),
            name="bulletins_bulletin_countersign",
        )
        return [countersign, *super().get_urls()]

    def countersign_view(self, request, object_id):
        """核稿, from the draft's page (POST only)."""
        if request.method != "POST" or not is_id(object_id):
            raise Http404
        bulletin = self.get_object(request, object_id)
        seen = request.POST.get("seen_version", "")
        try:
            bulletin.countersign(request.user, int(seen) if is_id(seen) else None)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Countersigned: the draft may be issued as it reads."))
        return redirect(reverse("admin:bulletins_bulletin_change", args=[bulletin.pk]))

    def get_fields(self, request, obj=None):
        fields = ["plan", "quarter", "next_steps"]
        if obj is not None and obj.is_issued:
            return [*fields, *self.readonly_fields]
        return (
            [*fields, "seen_version"]
            if obj is None
            else [*fields, "seen_version", *self.readonly_fields]
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_issued:
            return ["plan", "quarter", "next_steps", *self.readonly_fields]
        return ["plan", "quarter", *self.readonly_fields] if obj else []

    def get_changeform_initial_data(self, request):
        # The bulletin page's link names the plan and quarter.
        return {key: request.GET[key] for key in ("plan", "quarter") if key in request.GET}

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and not (obj and obj.is_issued)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and not (obj and obj.is_issued)

    @admin.display(description=_("page"))
    def page_link(self, obj: Bulletin) -> str:
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), _("View the bulletin"))

    def save_model(self, request, obj: Bulletin, form, change) -> None:
        obj.updated_by = request.user
        if not change:
            obj.created_by = request.user
        if not change or "next_steps" in form.changed_data:
            # Who wrote what a countersign checks: a save that changes nothing is no writing.
            obj.drafted_by = request.user
        super().save_model(request, obj, form, change)
        if ISSUE in request.POST:
            found = content(Figures(obj.plan, obj.quarter), obj.next_steps)
            try:
                obj.issue(request.user, frozen(found))
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                words = obj.words()
                messages.success(
                    request, _("%(year)s Q%(quarter)s bulletin issued as No. %(number)s.") % words
                )
