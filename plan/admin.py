from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from plan.models import City, Corridor, FocusArea, Plan, Unit


class FocusAreaInline(admin.TabularInline):
    model = FocusArea
    fields = ["number", "name", "name_en"]
    extra = 0
    show_change_link = True


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["year", "title", "area_coverage", "task_coverage"]
    readonly_fields = ["area_coverage", "task_coverage"]
    fields = [
        "year",
        "title",
        "title_en",
        "source",
        ("declared_area_count", "area_coverage"),
        ("declared_task_count", "task_coverage"),
    ]
    inlines = [FocusAreaInline]

    def get_queryset(self, request):
        return super().get_queryset(request).with_coverage()

    def get_readonly_fields(self, request, obj=None):
        # Areas, tasks and reports hang on the year; it is fixed once the plan has content.
        if obj and obj.listed_area_count:
            return [*self.readonly_fields, "year"]
        return self.readonly_fields

    @admin.display(description=_("focus areas in the source"))
    def area_coverage(self, obj: Plan) -> str:
        return pgettext("focus areas", "%(listed)d of %(declared)d") % {
            "listed": obj.listed_area_count,
            "declared": obj.declared_area_count,
        }

    @admin.display(description=_("tasks in the source"))
    def task_coverage(self, obj: Plan) -> str:
        return pgettext("tasks", "%(listed)d of %(declared)d") % {
            "listed": obj.listed_task_count,
            "declared": obj.declared_task_count,
        }


@admin.register(FocusArea)
class FocusAreaAdmin(admin.ModelAdmin):
    list_display = ["__str__", "plan", "name_en", "task_count"]
    list_filter = ["plan"]
    search_fields = ["name", "name_en", "summary", "summary_en"]

    def get_queryset(self, request):
        return (
            super().get_queryset(request).select_related("plan").annotate(task_count=Count("tasks"))
        )

    @admin.display(description=_("tasks"), ordering="task_count")
    def task_count(self, obj: FocusArea) -> str:
        # A link to the area's tasks, where the office edits them.
        url = reverse("admin:tasks_task_changelist") + f"?area__id__exact={obj.pk}"
        return format_html('<a href="{}">{}</a>', url, obj.task_count)


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "slug", "order"]
    search_fields = ["name", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}

    def has_delete_permission(self, request, obj=None) -> bool:
        # Deleting a city would silently take it off every task and corridor.
        return False


@admin.register(Corridor)
class CorridorAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "kind", "member_cities"]
    list_filter = ["kind"]
    search_fields = ["name", "name_en", "slug"]
    filter_horizontal = ["cities"]
    prepopulated_fields = {"slug": ["name_en"]}

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("cities")

    @admin.display(description=_("cities"))
    def member_cities(self, obj: Corridor) -> str:
        return "、".join(city.name for city in obj.cities.all())


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "city", "is_active"]
    list_filter = ["kind", "city", "is_active"]
    search_fields = ["name", "short_name"]
    list_select_related = ["city"]
    fields = ["name", "short_name", "kind", "city", "is_active"]
