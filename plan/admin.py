from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from plan.forms import BoundedIds
from plan.models import City, Corridor, Unit


@admin.register(City)
class CityAdmin(BoundedIds, admin.ModelAdmin):
    list_display = ["name", "name_en", "slug", "order"]
    search_fields = ["name", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}

    def has_delete_permission(self, request, obj=None) -> bool:
        # Deleting a city would silently take it off every task and corridor.
        return False


@admin.register(Corridor)
class CorridorAdmin(BoundedIds, admin.ModelAdmin):
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
class UnitAdmin(BoundedIds, admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "city", "is_active"]
    list_filter = ["kind", "city", "is_active"]
    search_fields = ["name", "short_name"]
    list_select_related = ["city"]
    fields = ["name", "short_name", "kind", "city", "is_active"]
