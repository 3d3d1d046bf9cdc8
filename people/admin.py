"""The admin's side of the gate: every project admin reads its rows, and each row's history
versions, through `GatedAdmin.rows` (a filter from people.access), and binds reporters and
unit contacts to their city and unit."""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from people.access import reach
from people.forms import AccountForm, NoticeForm
from people.models import Account, ApiKey, Profile, Reporter, UnitContact
from people.roles import REPORTER, ROLES, UNIT_CONTACT
from plan.forms import BoundedIds, is_id


class GatedRows:
    """Rows as the gate lets the user read them: a subclass says which (`rows`, a filter the
    model and its history records both answer to); by default the cities she reads."""

    city_field = "city"
    plan_field: str | None = None  # the path to the row's plan: a draft's rows are the office's

    def rows(self, user) -> Q:
        return reach(user).city_rows(self.city_field)

    def get_queryset(self, request):
        found = reach(request.user).plan_rows(self.plan_field)
        return super().get_queryset(request).filter(self.rows(request.user)).filter(found)


class GatedAdmin(BoundedIds, GatedRows, SimpleHistoryAdmin):
    """A project model's admin: its rows, and each row's history versions as they were, only
    as the gate allows (`rows`; `version_rows` where history lacks a field rows reads). History
    is to read, never to edit: a past record posted back would skip every check."""

    def version_rows(self, user) -> Q:
        return self.rows(user)

    def get_object(self, request, object_id, from_field=None):
        # The admin would redirect to its index for a missing row; a crafted URL gets a 404.
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404
        return obj

    def history_view(self, request, object_id, extra_context=None):
        # django-simple-history falls back to the history table, which knows no scope; the
        # office may still read a deleted row's history.
        if not is_id(object_id):
            raise Http404
        if not reach(request.user).office:
            self.get_object(request, unquote(object_id))
        return super().history_view(request, object_id, extra_context)

    def get_history_queryset(self, request, history_manager, pk_name: str, object_id):
        # The list names each version's changes: only the versions she may read, as they were.
        found = super().get_history_queryset(request, history_manager, pk_name, object_id)
        drafts = reach(request.user).plan_rows(self.plan_field)
        return found.filter(self.version_rows(request.user)).filter(drafts)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "GET":
            raise PermissionDenied
        if not (is_id(object_id) and is_id(version_id)):
            raise Http404
        if not reach(request.user).office:
            self.get_object(request, unquote(object_id))
        # A version is read as the row was then: a report's draft, a problem not yet assigned.
        versions = self.model.history.filter(self.version_rows(request.user))
        versions = versions.filter(reach(request.user).plan_rows(self.plan_field))
        if not versions.filter(pk=version_id).exists():
            raise Http404
        return super().history_form_view(request, object_id, version_id, extra_context)


@admin.register(Reporter)
class ReporterAdmin(BoundedIds, admin.ModelAdmin):
    list_display = ["user", "city"]
    list_filter = ["city"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]


@admin.register(UnitContact)
class UnitContactAdmin(BoundedIds, admin.ModelAdmin):
    """The office binds a unit's contact (责任单位联络员) to the unit whose problems she answers."""

    list_display = ["user", "unit"]
    list_filter = ["unit"]
    list_select_related = ["user", "unit"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "unit__name"]
    autocomplete_fields = ["unit"]


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    """账号管理: the office creates, changes and deactivates its cities' reporters and its units'
    contacts, each on one form; it never sees nor makes an office's account or a superuser."""

    form = AccountForm
    list_display = ["username", "real_name", "role", "bound_to", "email", "is_active", "last_login"]
    list_filter = ["is_active", "groups"]
    search_fields = ["username", "first_name", "last_name", "email"]
    ordering = ["username"]
    fieldsets = [
        (None, {"fields": ["username", "first_name", "role", "city", "unit"]}),
        (_("Contact"), {"fields": ["post", "phone", "email", "notify"]}),
        (_("Sign-in"), {"fields": ["new_password", "is_active"]}),
    ]

    def get_queryset(self, request):
        # Only an account holding a reporter's or a contact's role and nothing else: never an
        # office's, a leader's, a superuser's, one given permissions or groups of its own (an
        # administrator's maintenance account), nor one in no role (a former officer whose
        # group was taken away), which the form would take over.
        others = Group.objects.exclude(name__in=(REPORTER, UNIT_CONTACT))
        roles = Group.objects.filter(name__in=(REPORTER, UNIT_CONTACT))
        return (
            super()
            .get_queryset(request)
            .filter(is_superuser=False, pk__in=User.objects.filter(groups__in=roles).values("pk"))
            .exclude(groups__in=others)
            .exclude(user_permissions__isnull=False)
            .prefetch_related("groups")
            .select_related("reporter__city", "unit_contact__unit")
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # Deactivated, never deleted: what she did keeps her name.

    def lookup_allowed(self, lookup, value, request=None) -> bool:
        # Only the list's own filters: never a filter on the password hash
        # (?password__startswith=...), which would read it out letter by letter.
        return lookup.split("__")[0] in ("is_active", "groups") and super().lookup_allowed(
            lookup, value, request
        )

    def save_model(self, request, obj, form, change) -> None:
        pass  # AccountForm.save has saved the account, its role, binding and profile.

    @admin.display(description=_("real name"), ordering="first_name")
    def real_name(self, obj) -> str:
        return obj.get_full_name() or "—"

    @admin.display(description=_("role"))
    def role(self, obj) -> str:
        names = [group.name for group in obj.groups.all()]
        return "、".join(names) or "—"

    @admin.display(description=_("city or unit"))
    def bound_to(self, obj) -> str:
        reporter = getattr(obj, "reporter", None)
        contact = getattr(obj, "unit_contact", None)
        if reporter:
            return reporter.city.name
        return contact.unit.name if contact else "—"

    def get_urls(self):
        me = path("me/", self.admin_site.admin_view(self.notices_view), name="people_notices")
        return [me, *super().get_urls()]

    def notices_view(self, request):
        """我的通知设置: anyone signed in to the admin sets her own email, phone and notices."""
        profile, _created = Profile.objects.get_or_create(user=request.user)
        form = NoticeForm(request.POST or None, instance=profile)
        if request.method == "POST" and form.is_valid():
            form.save()
            self.message_user(request, _("Your notice settings are saved."), messages.SUCCESS)
            return redirect(request.path)
        context = {
            **self.admin_site.each_context(request),
            "title": _("My notice settings"),
            "form": form,
            "opts": self.opts,
        }
        return TemplateResponse(request, "admin/people/notices.html", context)


class ApiKeyForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = ["user", "name", "expires_on"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "user" in self.fields:  # issuing; once issued, both are read-only
            # An account in no role reads nothing, and so would its key.
            roles = Q(is_superuser=True) | Q(groups__name__in=ROLES)
            found = User.objects.filter(roles, is_active=True).distinct()
            self.fields["user"].queryset = found.order_by("username")
            self.fields["expires_on"].initial = timezone.localdate() + timedelta(days=365)

    def clean_expires_on(self):  # only when issuing
        day = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if day < today or day > today + timedelta(days=KEY_LONGEST_DAYS):
            raise forms.ValidationError(
                _("Expires on: choose a day from today to %(days)d days ahead.")
                % {"days": KEY_LONGEST_DAYS}
            )
        return day


KEY_LONGEST_DAYS = 3 * 365


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """The office issues a personal key to the read API, sees it once, and revokes it; a key is
    never deleted, so that its use stays on record."""

    form = ApiKeyForm
    list_display = ["name", "user", "shown_prefix", "expires_on", "last_used_at", "state"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "expires_on"]
    list_select_related = ["user"]
    search_fields = ["name", "user__username", "user__first_name", "lookup"]
    actions = ["revoke"]
    readonly_fields = ["shown_prefix", "issued_by", "issued_at", "last_used_at", "revoked_at"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["user", "name", "expires_on"]
        return ["name", "user", *self.readonly_fields, "expires_on"]

    def get_readonly_fields(self, request, obj=None):
        # Once issued, a key's owner and expiry are what it was issued with.
        return [*self.readonly_fields, "user", "expires_on"] if obj else []

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def lookup_allowed(self, lookup, value, request=None) -> bool:
        # Only the list's own filters: never one on the digest, read a letter at a time.
        return lookup.split("__")[0] in ("revoked_at", "expires_on") and super().lookup_allowed(
            lookup, value, request
        )

    @admin.display(description=_("key"))
    def shown_prefix(self, obj) -> str:
        return obj.shown_prefix

    @admin.display(description=_("state"))
    def state(self, obj) -> str:
        if obj.revoked_at:
            return str(_("revoked"))
        if obj.expires_on < timezone.localdate():
            return str(_("expired"))
        return str(_("in use"))

    def save_model(self, request, obj, form, change) -> None:
        if change:
            obj.save(update_fields=["name"])
            return
        key, secret = ApiKey.objects.issue(
            obj.user, obj.name, obj.expires_on, issued_by=request.user
        )
        obj.pk, obj.lookup, request.issued_secret = key.pk, key.lookup, secret

    def response_add(self, request, obj, post_url_continue=None):
        # The key itself, this once: only its digest is kept.
        context = {
            **self.admin_site.each_context(request),
            "title": _("API key issued"),
            "key": obj,
            "secret": request.issued_secret,
            "opts": self.opts,
        }
        response = TemplateResponse(request, "admin/people/apikey/issued.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("Revoke the selected keys"), permissions=["change"])
    def revoke(self, request, queryset) -> None:
        now = timezone.now()
        done = sum(key.revoke(request.user, now) for key in queryset)
        self.message_user(
            request,
            ngettext("%(count)d key revoked.", "%(count)d keys revoked.", done) % {"count": done},
            messages.SUCCESS,
        )
