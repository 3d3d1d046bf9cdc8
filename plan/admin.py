from django.contrib import admin

from plan.forms import BoundedIds
from plan.models import Unit


@admin.register(Unit)
class UnitAdmin(BoundedIds, admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "city", "is_active"]
    list_filter = ["kind", "city", "is_active"]
    search_fields = ["name", "short_name"]
    list_select_related = ["city"]
    fields = ["name", "short_name", "kind", "city", "is_active"]
