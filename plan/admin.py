from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from plan.forms import BoundedIds
from plan.models import City, Unit


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
            .prefetch_related("memberships__plan")
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


@admin.register(Unit)
class UnitAdmin(BoundedIds, admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "city", "is_active"]
    list_filter = ["kind", "city", "is_active"]
    search_fields = ["name", "short_name"]
    list_select_related = ["city"]
    fields = ["name", "short_name", "kind", "city", "is_active"]
