import io

from django import forms
from django.contrib import admin, messages
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.forms.models import BaseInlineFormSet
from django.http import FileResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin

from people.access import reach
from people.admin import GatedAdmin, GatedRows
from plan.forms import BoundedIds, is_id
from plan.models import City, Corridor, FocusArea, Member, Plan
from plan.money import yi
from plan.spreadsheets import (
    KEPT_SECONDS,
    MAX_BYTES,
    XLSX,
    EscapedCSV,
    EscapedXLSX,
    FileRefused,
    keep_upload,
    take_upload,
    too_big,
)
from tasks.forms import PlanForm, ProjectForm, TaskForm
from tasks.models import (
    SAMPLE_IS_READ_ONLY,
    CityAllocation,
    Milestone,
    Project,
    Task,
    over_target_message,
    with_coverage,
)
from tasks.resources import CityAllocationResource, MilestoneResource, TaskResource
from tasks.workbook import PlanWorkbook, export_plan, summary


class SpreadsheetExport(ExportMixin):
    """Export to xlsx or CSV, with formula-like texts escaped; rows as the list scopes them."""

    export_formats = [EscapedXLSX, EscapedCSV]


class CityChoicesOnceFormSet(BaseInlineFormSet):
    """Every row's city menu shares one list of cities, read once rather than once a row."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = list(self.form.base_fields["city"].choices)
        for form in [*self.forms, self.empty_form]:
            form.fields["city"].choices = choices


class CityAllocationFormSet(CityChoicesOnceFormSet):
    def clean(self) -> None:
        super().clean()
        for form in self.initial_forms:
            if form.instance.is_sample and form.has_changed():
                raise ValidationError(SAMPLE_IS_READ_ONLY)
        # Each row checks itself against the saved rows; rows added together are summed here.
        target = self.instance.target
        amounts = [
            form.cleaned_data["amount"]
            for form in self.forms
            if form.cleaned_data.get("amount") is not None and not form.cleaned_data.get("DELETE")
        ]
        if amounts and target is not None and sum(amounts) > target:
            raise ValidationError(over_target_message(sum(amounts), target))


class CityAllocationInline(GatedRows, admin.TabularInline):
    model = CityAllocation
    formset = CityAllocationFormSet
    fields = ["city", "amount", "is_sample"]
    readonly_fields = ["is_sample"]
    extra = 0


class MilestoneInline(GatedRows, admin.TabularInline):
    model = Milestone
    formset = CityChoicesOnceFormSet
    fields = ["name", "kind", "city", "due_quarter", "status", "done_on"]
    extra = 0


class MemberForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = ["place", "counties"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.held_checked_together = True  # MemberFormSet.clean checks them

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("place") and "counties" in cleaned:
            self.instance.place = cleaned["place"]
            try:
                self.instance.clean_counties(cleaned["counties"])
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


class MemberFormSet(BaseInlineFormSet):
    """The members checked against each other (one save may add a city and its own county)
    and against what the plan's tasks and corridors name (a member they name stays)."""

    def clean(self) -> None:
        super().clean()
        kept = [
            form for form in self.forms if form.cleaned_data and not self._should_delete_form(form)
        ]
        places = {
            form.cleaned_data["place"].pk: form for form in kept if form.cleaned_data.get("place")
        }
        named = {
            county.pk: form for form in kept for county in form.cleaned_data.get("counties") or ()
        }
        for form in kept:
            place = form.cleaned_data.get("place")
            if place is None or place.parent_id is None:
                continue
            if place.parent_id in places or place.pk in named:
                form.add_error(
                    "place",
                    _(
                        "Place: the plan holds %(city)s too; name %(county)s among its member "
                        "counties, or hold it alone, not both."
                    )
                    % {"city": place.parent.name, "county": place.name},
                )
        staying = []
        for form in self.forms:
            # The place as saved (MemberForm.clean has set the instance's to the posted one).
            saved = City.objects.filter(pk=form.initial.get("place")).first()
            if saved is None:
                continue
            leaving = self._should_delete_form(form) or (
                form.cleaned_data and form.cleaned_data.get("place") != saved
            )
            if leaving and (rows := self.naming(saved)):
                # Said for the whole list: Django drops the errors of a form being deleted.
                staying.append(
                    _("%(place)s stays a member: this plan's %(rows)s name it.")
                    % {"place": saved.name, "rows": "、".join(rows)}
                )
        if staying:
            raise ValidationError(staying)

    def naming(self, place) -> list[str]:
        """What of this plan names `place`: its tasks, key projects and corridors."""
        plan = self.instance
        found = {
            Task: Task.objects.of_plan(plan).filter(cities=place),
            Project: Project.objects.of_plan(plan).filter(cities=place),
            Corridor: Corridor.objects.filter(plan=plan, cities=place),
        }
        return [
            str(model._meta.verbose_name_plural) for model, rows in found.items() if rows.exists()
        ]


class MemberInline(BoundedIds, admin.TabularInline):
    """The places the plan holds: a city whole (no counties named), a city in part (its
    member counties named), or a single county."""

    model = Member
    form = MemberForm
    formset = MemberFormSet
    extra = 0
    autocomplete_fields = ["place", "counties"]


class FocusAreaInline(admin.TabularInline):
    model = FocusArea
    fields = ["number", "name", "name_en"]
    extra = 0
    show_change_link = True


class WorkbookForm(forms.Form):
    """The plan workbook's upload: an oversized file is refused before a byte of it is read."""

    workbook = forms.FileField(label=_("Plan workbook (.xlsx)"))

    def clean_workbook(self):
        upload = self.cleaned_data["workbook"]
        if upload.size > MAX_BYTES:
            raise ValidationError(str(too_big(upload.size)))
        return upload


class ConfirmWorkbookForm(forms.Form):
    """The confirm: what the preview saw (the kept upload, its name, its counts), signed."""

    SALT = "tasks.workbook.preview"
    preview = forms.CharField(widget=forms.HiddenInput)

    @classmethod
    def signed(cls, **preview) -> str:
        return signing.dumps(preview, salt=cls.SALT, compress=True)

    def clean_preview(self) -> dict:
        try:
            return signing.loads(self.cleaned_data["preview"], salt=self.SALT, max_age=KEPT_SECONDS)
        except signing.BadSignature as error:
            raise ValidationError(
                gettext("This import has expired: upload the file again.")
            ) from error


@admin.register(City)
class CityAdmin(BoundedIds, admin.ModelAdmin):
    """Places: cities and their counties. One that a plan holds stays (its figures name it);
    it can be retired from later plans. One that no plan holds can be deleted."""

    list_display = ["name", "name_en", "code", "parent", "retired_from", "plan_years"]
    list_filter = [("parent", admin.EmptyFieldListFilter), "retired_from"]
    search_fields = ["name", "name_en", "slug", "code"]
    fields = ["name", "name_en", "slug", "code", "parent", "retired_from", "order"]
    prepopulated_fields = {"slug": ["name_en"]}
    autocomplete_fields = ["parent"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("parent")
            .prefetch_related(
                # The years of the plans she may open: a draft's is the office's alone.
                Prefetch(
                    "memberships",
                    Member.objects.filter(plan__in=reach(request.user).plans()).select_related(
                        "plan"
                    ),
                )
            )
        )

    @admin.display(description=_("plans holding it"))
    def plan_years(self, obj: City) -> str:
        return "、".join(str(row.plan.year) for row in obj.memberships.all()) or "—"

    def has_delete_permission(self, request, obj=None) -> bool:
        # A place a plan holds, or anything names, stays; Django's own check lists what
        # protects it (reports, allocations, bindings) on the delete page.
        if obj is not None and obj.memberships.exists():
            return False
        return super().has_delete_permission(request, obj)


class CorridorForm(forms.ModelForm):
    def clean(self) -> dict:
        cleaned = super().clean()
        plan, cities = cleaned.get("plan"), cleaned.get("cities")
        if plan and cities and (message := plan.not_held(cities)):
            self.add_error("cities", message)
        if plan and self.instance.pk and self.instance.plan_id != plan.pk:
            # Its tasks name it in its own year; the next year has a corridor of its own.
            self.add_error("plan", _("Work plan: a corridor cannot move to another year's plan."))
        return cleaned


@admin.register(Corridor)
class CorridorAdmin(BoundedIds, admin.ModelAdmin):
    list_display = ["name", "plan", "name_en", "kind", "member_cities"]
    list_filter = [("plan", admin.RelatedOnlyFieldListFilter), "kind"]
    fields = ["plan", "name", "name_en", "slug", "kind", "cities", "order"]
    form = CorridorForm
    search_fields = ["name", "name_en", "slug"]
    filter_horizontal = ["cities"]
    prepopulated_fields = {"slug": ["name_en"]}

    def get_queryset(self, request):
        found = super().get_queryset(request).filter(plan__in=reach(request.user).plans())
        return found.prefetch_related("cities")

    @admin.display(description=_("cities"))
    def member_cities(self, obj: Corridor) -> str:
        return "、".join(city.name for city in obj.cities.all())


@admin.register(Plan)
class PlanAdmin(BoundedIds, admin.ModelAdmin):
    """The plan's own fields and its focus areas, with how much of what it declares its
    source lists (here, where the tasks are known); and the plan workbook, the office's: a
    plan's downloaded, and one uploaded, previewed and confirmed (tasks/workbook.py)."""

    form = PlanForm
    list_display = ["year", "title", "status", "issued_on", "is_current"]
    list_display += ["area_coverage", "task_coverage"]
    readonly_fields = ["area_coverage", "task_coverage"]
    fieldsets = [
        (None, {"fields": ["year", "title", "title_en", "source"]}),
        (_("Life"), {"fields": ["status", "issued_on", "is_current"]}),
        (
            _("What the source declares"),
            {
                "fields": [
                    ("declared_area_count", "area_coverage"),
                    ("declared_task_count", "task_coverage"),
                ]
            },
        ),
        (
            _("Pace and deadline"),
            {"fields": [("pace_q1", "pace_q2", "pace_q3", "pace_q4"), "report_deadline_days"]},
        ),
    ]
    inlines = [MemberInline, FocusAreaInline]
    actions = ["new_edition"]
    change_form_template = "admin/plan/plan/change_form.html"

    @admin.action(
        description=_("New plan for the next year from the chosen one"), permissions=["add"]
    )
    def new_edition(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(
                request, _("Choose one plan to start the next year's from."), messages.ERROR
            )
            return None
        return redirect("admin:plan_plan_new_edition", queryset.get().pk)

    def get_queryset(self, request):
        # A draft is the office's alone, here as on the pages.
        return with_coverage(super().get_queryset(request)).filter(
            pk__in=reach(request.user).plans().values("pk")
        )

    def get_urls(self):
        screens = [
            path(
                "<int:pk>/workbook.xlsx",
                self.admin_site.admin_view(self.workbook_view),
                name="plan_plan_workbook",
            ),
            path(
                "workbook/",
                self.admin_site.admin_view(self.import_workbook_view),
                name="plan_plan_import_workbook",
            ),
            path(
                "workbook/confirm/",
                self.admin_site.admin_view(self.confirm_workbook_view),
                name="plan_plan_confirm_workbook",
            ),
        ]
        return [*screens, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "plan_workbooks": reach(request.user).office}
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "plan_workbooks": reach(request.user).office}
        return super().change_view(request, object_id, form_url, extra_context)

    @staticmethod
    def office_only(request) -> None:
        # A plan's workbook holds a draft's content too: the office's alone.
        if not reach(request.user).office:
            raise PermissionDenied

    def workbook_view(self, request, pk: int):
        self.office_only(request)
        # A number past any id (2**64) is no plan, never an overflow.
        plan = get_object_or_404(Plan.objects.filter(pk=pk) if is_id(pk) else Plan.objects.none())
        name = f"zzmetro-{plan.year}-plan.xlsx"
        data = io.BytesIO(export_plan(plan))
        return FileResponse(data, as_attachment=True, filename=name, content_type=XLSX)

    def import_workbook_view(self, request):
        """The upload, and on a post the preview of what the workbook would do."""
        self.office_only(request)
        form = WorkbookForm(request.POST or None, request.FILES or None)
        workbook = confirm = None
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["workbook"]
            data = upload.read()
            try:
                workbook = PlanWorkbook(data, file_name=upload.name)
            except FileRefused as error:
                form.add_error("workbook", str(error))
            else:
                if workbook.run(user=request.user, dry_run=True):
                    preview = ConfirmWorkbookForm.signed(
                        upload=keep_upload(data, request.user),
                        file_name=upload.name,
                        done=workbook.fingerprint(),
                    )
                    confirm = ConfirmWorkbookForm(initial={"preview": preview})
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Import a plan workbook"),
            "opts": self.opts,
            "form": form,
            "workbook": workbook,
            "summary": summary(workbook) if workbook and workbook.plan else [],
            "confirm_form": confirm,
        }
        return TemplateResponse(request, "admin/plan/plan/workbook_import.html", context)

    def confirm_workbook_view(self, request):
        """Import the previewed workbook, if it still does what the preview said."""
        self.office_only(request)
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        form = ConfirmWorkbookForm(request.POST)
        preview = form.cleaned_data["preview"] if form.is_valid() else {}
        back = redirect("admin:plan_plan_import_workbook")
        data = take_upload(preview.get("upload", ""), request.user)
        if data is None:
            # Posted twice (the first took the file), expired, forged: never a 500.
            self.message_user(
                request,
                gettext("This import was already confirmed or has expired: upload the file again."),
                messages.ERROR,
            )
            return back
        try:
            workbook = PlanWorkbook(data, file_name=preview["file_name"])
        except FileRefused:
            self.message_user(request, gettext("This import has expired: upload the file again."))
            return back
        if not workbook.run(user=request.user, dry_run=False, expected=preview["done"]):
            self.message_user(
                request,
                gettext(
                    "Nothing was imported: the file no longer passes the checks. Upload it again."
                ),
                messages.ERROR,
            )
            for error in workbook.errors:
                self.message_user(request, error, messages.ERROR)
            return back
        said = " ".join(summary(workbook))
        self.message_user(request, gettext("Imported: ") + said, messages.SUCCESS)
        return redirect("admin:plan_plan_change", workbook.plan.pk)

    def get_readonly_fields(self, request, obj=None):
        # Areas, tasks and reports hang on the year; it is fixed once the plan has content.
        if obj and obj.listed_area_count:
            return [*self.readonly_fields, "year"]
        return self.readonly_fields

    @admin.display(description=_("focus areas in the source"))
    def area_coverage(self, obj: Plan) -> str:
        if obj.declared_area_count is None:
            return pgettext("focus areas", "%(listed)d, the total not stated") % {
                "listed": obj.listed_area_count
            }
        return pgettext("focus areas", "%(listed)d of %(declared)d") % {
            "listed": obj.listed_area_count,
            "declared": obj.declared_area_count,
        }

    @admin.display(description=_("tasks in the source"))
    def task_coverage(self, obj: Plan) -> str:
        if obj.declared_task_count is None:
            return pgettext("tasks", "%(listed)d, the total not stated") % {
                "listed": obj.listed_task_count
            }
        return pgettext("tasks", "%(listed)d of %(declared)d") % {
            "listed": obj.listed_task_count,
            "declared": obj.declared_task_count,
        }


@admin.register(FocusArea)
class FocusAreaAdmin(BoundedIds, admin.ModelAdmin):
    list_display = ["__str__", "plan", "name_en", "task_count"]
    list_filter = [("plan", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "name_en", "summary", "summary_en"]

    def get_queryset(self, request):
        found = super().get_queryset(request).filter(plan__in=reach(request.user).plans())
        return found.select_related("plan").annotate(task_count=Count("tasks"))

    @admin.display(description=_("tasks"), ordering="task_count")
    def task_count(self, obj: FocusArea) -> str:
        # A link to the area's tasks, where the office edits them.
        url = reverse("admin:tasks_task_changelist") + f"?area__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, obj.task_count)


@admin.register(Task)
class TaskAdmin(SpreadsheetExport, GatedAdmin):
    """Tasks are the plan's, read by every role; their allocations and milestones are gated."""

    plan_field = "area__plan"

    resource_classes = [TaskResource]
    import_export_change_list_template = "admin/tasks/task/change_list.html"
    list_display = ["code", "title", "target_display", "corridor", "city_names", "has_note"]
    list_display_links = ["code", "title"]
    # Only what the rows she reads name: a draft plan's areas are the office's alone.
    list_filter = [
        ("area__plan", admin.RelatedOnlyFieldListFilter),
        ("area", admin.RelatedOnlyFieldListFilter),
        ("corridor", admin.RelatedOnlyFieldListFilter),
        "cities",
    ]
    search_fields = ["title", "title_en", "description", "source_note"]
    list_select_related = ["area", "corridor"]
    filter_horizontal = ["cities"]
    form = TaskForm
    inlines = [CityAllocationInline, MilestoneInline]
    fieldsets = [
        (None, {"fields": ["area", "number", "title", "title_en", "target"]}),
        (_("Source"), {"fields": ["description", "source_note", "source_note_en"]}),
        (_("Where"), {"fields": ["cities", "corridor"]}),
        (_("Responsible units"), {"fields": ["lead_unit", "supporting_units"]}),
    ]
    autocomplete_fields = ["lead_unit", "supporting_units"]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.fieldsets
        return [*self.fieldsets, (_("Key projects"), {"fields": ["project_links"]})]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "project_links"]

    @admin.display(description=_("key projects"))
    def project_links(self, obj: Task) -> str:
        # The names, and a link to the list, which shows a reporter her city's only.
        names = [project.name for project in obj.projects.all()]
        if not names:
            return "-"
        url = reverse("admin:tasks_project_changelist") + f"?task__id__exact={obj.pk}"
        return format_html('{}<br><a href="{}">{}</a>', "、".join(names), url, _("Open the list"))

    def rows(self, user) -> Q:
        return Q()

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("area").prefetch_related("cities")

    def get_inlines(self, request, obj):
        # Allocations and milestones are checked against the task's saved cities and target,
        # so they are added once the task exists.
        return self.inlines if obj else []

    def changelist_view(self, request, extra_context=None):
        plans = with_coverage(reach(request.user).plans())
        extra_context = {**(extra_context or {}), "plans": plans}
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("code"), ordering="area__number")
    def code(self, obj: Task) -> str:
        return obj.code

    @admin.display(description=_("annual target (亿元)"), ordering="target")
    def target_display(self, obj: Task) -> str:
        return yi(obj.target)

    @admin.display(description=_("cities"))
    def city_names(self, obj: Task) -> str:
        return "、".join(city.name for city in obj.cities.all())

    @admin.display(description=_("source note"))
    def has_note(self, obj: Task) -> str:
        return _("Source incomplete") if obj.source_note else ""


@admin.register(CityAllocation)
class CityAllocationAdmin(SpreadsheetExport, GatedAdmin):
    plan_field = "task__area__plan"
    resource_classes = [CityAllocationResource]
    list_display = ["task", "city", "amount", "is_sample"]
    list_filter = [("task__area__plan", admin.RelatedOnlyFieldListFilter), "city", "is_sample"]
    search_fields = ["task__title"]
    list_select_related = ["task__area", "city"]
    autocomplete_fields = ["task"]
    readonly_fields = ["is_sample"]

    def has_change_permission(self, request, obj=None) -> bool:
        # Sample rows are removed by purge_sample_data; an edited one would be purged with them.
        return not (obj and obj.is_sample) and super().has_change_permission(request, obj)


@admin.register(Milestone)
class MilestoneAdmin(SpreadsheetExport, GatedAdmin):
    plan_field = "task__area__plan"
    resource_classes = [MilestoneResource]
    list_display = ["name", "task", "city", "kind", "due_quarter", "status", "done_on"]
    list_filter = [("task__area__plan", admin.RelatedOnlyFieldListFilter), "kind", "status", "city"]
    search_fields = ["name", "task__title"]
    list_select_related = ["task__area", "city"]
    autocomplete_fields = ["task"]
    fields = ["task", "project", "city", "name", "kind", "due_quarter", "status", "done_on"]

    def get_readonly_fields(self, request, obj=None):
        # A reporter reports how her city's milestones stand; what they are is the office's.
        if reach(request.user).city:
            return ["task", "project", "city", "name", "kind", "due_quarter"]
        return self.readonly_fields


@admin.register(Project)
class ProjectAdmin(GatedAdmin):
    """The office edits projects; a reporter reads her city's, a leader reads them on the pages."""

    plan_field = "task__area__plan"

    form = ProjectForm
    list_display = ["name", "task_code", "city_names", "goal", "lead_unit"]
    list_filter = [
        ("task__area__plan", admin.RelatedOnlyFieldListFilter),
        "goal",
        "cities",
        ("task__area", admin.RelatedOnlyFieldListFilter),
        "lead_unit",
    ]
    search_fields = ["name", "national_code", "description", "task__title"]
    list_select_related = ["task__area", "lead_unit"]
    autocomplete_fields = ["task", "lead_unit", "supporting_units"]
    filter_horizontal = ["cities"]
    fieldsets = [
        (None, {"fields": ["task", "name", "national_code", "description", "goal", "cities"]}),
        (_("Responsible units"), {"fields": ["lead_unit", "supporting_units"]}),
        (_("Investment"), {"fields": ["total_investment", "annual_investment"]}),
        (
            _("Dates"),
            {"fields": [("planned_start", "planned_finish"), ("actual_start", "actual_finish")]},
        ),
        (_("Location"), {"fields": [("latitude", "longitude")]}),
    ]

    city_field = "cities"

    def version_rows(self, user) -> Q:
        # A project's record keeps no cities; the project itself was checked.
        return Q()

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("cities")

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        warning = form.instance.task.projects_over_target()
        if warning:
            messages.warning(request, warning)

    @admin.display(description=_("task"), ordering="task__area__number")
    def task_code(self, obj: Project) -> str:
        return obj.task.code

    @admin.display(description=_("cities"))
    def city_names(self, obj: Project) -> str:
        return "、".join(city.name for city in obj.cities.all())
