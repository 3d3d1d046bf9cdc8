from django.contrib import admin

from .models import ProgressReport


@admin.register(ProgressReport)
class ProgressReportAdmin(admin.ModelAdmin):
    list_display = [
        "task",
        "city",
        "year",
        "quarter",
        "amount",
        "status",
        "is_sample",
        "updated_at",
    ]
    list_filter = ["year", "quarter", "status", "city", "is_sample", "task__area"]
    search_fields = ["task__title", "note"]
    list_select_related = ["task__area", "city"]
    autocomplete_fields = ["task"]
    readonly_fields = ["is_sample", "created_by", "created_at", "updated_by", "updated_at"]
    fields = [
        "task",
        "city",
        ("year", "quarter"),
        "amount",
        "note",
        "status",
        "is_sample",
        ("created_by", "created_at"),
        ("updated_by", "updated_at"),
    ]

    def has_change_permission(self, request, obj=None) -> bool:
        # Sample rows are removed by purge_sample_data; an edited one would be purged with them.
        return not (obj and obj.is_sample) and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
