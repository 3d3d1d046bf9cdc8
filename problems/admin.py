"""The problem list in the admin: a city's reporter raises her city's problems; the office
assigns, returns, closes and refuses them from a problem's page and edits anything, saying why;
a unit's contact sees the problems assigned to her unit and answers them, and nothing else."""

from functools import partial

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import F, Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.timezone import localdate
from django.utils.translation import gettext_lazy as _

from people.access import reach
from people.admin import GatedAdmin
from problems.forms import STEPS, ProblemForm, thread
from problems.models import Colour, Problem, ProblemEntry

TEMPLATES = "admin/problems/problem"
Status = Problem.Status


@admin.register(Problem)
class ProblemAdmin(GatedAdmin):
    plan_field = "task__area__plan"
    form = ProblemForm
    change_form_template = f"{TEMPLATES}/change_form.html"
    list_display = [
        "title",
        "task",
        "project",
        "city",
        "unit",
        "kind",
        "deadline",
        "status",
        "colour_display",
    ]
    list_filter = [
        "status",
        "kind",
        "city",
        "unit",
        "is_sample",
        ("task__area", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["title", "description"]
    readonly_fields = [
        "status",
        "colour_display",
        "assigned_on",
        "closed_on",
        "is_sample",
        "created_by",
        "created_at",
        "updated_by",
        "updated_at",
    ]
    # What the office edits on a problem's page; unit and deadline once it is assigned (the
    # assign step sets them first).
    problem_fields = ["task", "project", "city", "title", "description", "kind"]
    assigned_fields = [("unit", "deadline"), "supporting_units", "leader"]
    record_fields = [
        ("status", "colour_display"),
        ("assigned_on", "closed_on"),
        "is_sample",
        ("created_by", "created_at"),
        ("updated_by", "updated_at"),
    ]

    def rows(self, user) -> Q:
        return reach(user).problem_rows(Problem.Status.RAISED)

    def get_queryset(self, request):
        # Each row's colour today; the change page and the steps read the same rows.
        # (Not the admin's queryset: its ordering names the colour before it is annotated.)
        return Problem.objects.filter(self.rows(request.user)).listed(localdate())

    def get_ordering(self, request):
        return ["colour_rank", F("deadline").asc(nulls_last=True), "pk"]

    def get_list_filter(self, request):
        hidden = {"city"} if reach(request.user).city else set()
        if reach(request.user).unit:
            hidden = {"unit", "is_sample"}
        return [name for name in self.list_filter if name not in hidden]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.user = request.user  # A new form class each call, so this is per request.
        return form

    def get_fields(self, request, obj=None):
        if obj is None:
            return [*self.problem_fields, "seen_version"]
        fields = [*self.problem_fields, *self.assigned_fields, *self.record_fields]
        if self.has_change_permission(request, obj):
            fields.append("seen_version")
            if reach(request.user).office:
                fields.append("change_reason")
        return fields

    def get_fieldsets(self, request, obj=None):
        # Named groups: a fieldset without a name has no accessible name at all.
        fields = self.get_fields(request, obj)
        if obj is None:
            return [(_("The problem"), {"fields": fields})]
        rest = fields[len(self.problem_fields) + len(self.assigned_fields) :]
        return [
            (_("The problem"), {"fields": self.problem_fields}),
            (_("Assignment"), {"fields": self.assigned_fields}),
            (_("Record"), {"fields": rest}),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        fixed = []
        if not reach(request.user).office:
            fixed = ["city", "unit", "deadline", "supporting_units", "leader"]
        elif obj.status == Status.RAISED:
            fixed = ["unit", "deadline"]  # Set by the assign step, with its entry.
        return [*fixed, *self.readonly_fields]

    def has_change_permission(self, request, obj=None) -> bool:
        """The office edits any problem; a reporter her city's while it awaits assigning; a
        unit's contact none (she answers through the answer step)."""
        if not super().has_change_permission(request, obj):
            return False
        if reach(request.user).office:
            return obj is None or not obj.is_sample
        places = reach(request.user).places
        if obj is None or not places:
            return bool(places)
        return obj.city_id in places and obj.status == Status.RAISED and not obj.is_sample

    def has_delete_permission(self, request, obj=None) -> bool:
        # A problem is never deleted: its thread and history stay. The office refuses one.
        return False

    def save_model(self, request, obj, form, change):
        if not change:
            # Raising is the problem's first step, its thread's first entry.
            obj.record(obj.raised_by(request.user), None)
            return
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
        if obj.status == Problem.Status.RAISED:
            # Corrected before it is assigned: the thread's first entry says what the problem
            # now says (its earlier versions are the history's, for the city and the office).
            obj.entries.filter(kind=ProblemEntry.Kind.RAISED).update(text=obj.description)

    @admin.display(description=_("colour"), ordering="colour_rank")
    def colour_display(self, obj: Problem) -> str:
        if obj.pk is None:
            return "—"
        colour = Colour(obj.colour)
        late = obj.days_late(localdate())
        text = colour.label
        if late:
            text = _("%(colour)s, %(days)d days late") % {"colour": colour.label, "days": late}
        return format_html('<span class="problem-colour colour-{}">{}</span>', colour, text)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        problem = self.get_object(request, unquote(object_id))
        steps = [form(problem, request.user) for form in STEPS.values()]
        extra_context = {
            **(extra_context or {}),
            "thread": thread(problem),
            "steps": [form for form in steps if form.offered(problem, request.user)],
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        steps = [
            path(
                f"<path:object_id>/{name}/",
                self.admin_site.admin_view(partial(self.step_view, step=name)),
                name=f"problems_problem_{name}",
            )
            for name in STEPS
        ]
        return [*steps, *super().get_urls()]

    def step_view(self, request, object_id, step: str):
        """A step posted from the problem's page: done, back to the page; refused, its form
        again with the reason beside the field, nothing saved."""
        problem = self.get_object(request, unquote(object_id))
        form_class = STEPS[step]
        if not form_class.allowed(problem, request.user):
            raise PermissionDenied
        data = (request.POST, request.FILES) if request.method == "POST" else ()
        form = form_class(problem, request.user, *data)
        if form.is_valid() and form.take():
            self.message_user(request, form.done_message(), messages.SUCCESS)
            return redirect(reverse("admin:problems_problem_change", args=[problem.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": f"{form.button}: {problem}",
            "problem": problem,
            "form": form,
            "opts": self.model._meta,
            "original": problem,
        }
        return TemplateResponse(request, f"{TEMPLATES}/step.html", context)
