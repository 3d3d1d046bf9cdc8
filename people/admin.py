from django.contrib import admin

from people.models import Reporter, UnitContact


@admin.register(Reporter)
class ReporterAdmin(admin.ModelAdmin):
    list_display = ["user", "city"]
    list_filter = ["city"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]


@admin.register(UnitContact)
class UnitContactAdmin(admin.ModelAdmin):
    """The office binds a unit's contact (责任单位联络员) to the unit whose problems she answers."""

    list_display = ["user", "unit"]
    list_filter = ["unit"]
    list_select_related = ["user", "unit"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "unit__name"]
    autocomplete_fields = ["unit"]
