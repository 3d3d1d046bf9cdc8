"""The plan's rows as the admin exports them: readable columns, codes rather than ids."""

from django.utils.translation import gettext_lazy as _
from import_export import fields, resources

from tasks.models import CityAllocation, Milestone, Task


class TaskResource(resources.ModelResource):
    code = fields.Field(attribute="code", column_name=_("code"))
    area = fields.Field(attribute="area__name", column_name=_("focus area"))
    title = fields.Field(attribute="title", column_name=_("title"))
    target = fields.Field(attribute="target", column_name=_("annual target (亿元)"))
    cities = fields.Field(column_name=_("cities"), dehydrate_method="get_cities")
    corridor = fields.Field(attribute="corridor__name", column_name=_("corridor"))
    source_note = fields.Field(attribute="source_note", column_name=_("source note"))

    class Meta:
        model = Task
        fields = ["code", "area", "title", "target", "cities", "corridor", "source_note"]

    def get_cities(self, task: Task) -> str:
        return "、".join(city.name for city in task.cities.all())


class CityAllocationResource(resources.ModelResource):
    code = fields.Field(attribute="task__code", column_name=_("code"))
    task = fields.Field(attribute="task__title", column_name=_("task"))
    city = fields.Field(attribute="city__name", column_name=_("city"))
    amount = fields.Field(attribute="amount", column_name=_("amount (亿元)"))
    is_sample = fields.Field(column_name=_("sample data"), dehydrate_method="get_sample")

    class Meta:
        model = CityAllocation
        fields = ["code", "task", "city", "amount", "is_sample"]

    def get_sample(self, allocation: CityAllocation) -> str:
        return str(_("yes")) if allocation.is_sample else ""


class MilestoneResource(resources.ModelResource):
    code = fields.Field(attribute="task__code", column_name=_("code"))
    name = fields.Field(attribute="name", column_name=_("milestone"))
    kind = fields.Field(attribute="get_kind_display", column_name=_("kind"))
    city = fields.Field(attribute="city__name", column_name=_("city"))
    due_quarter = fields.Field(attribute="due_quarter", column_name=_("due quarter"))
    status = fields.Field(attribute="get_status_display", column_name=_("status"))
    done_on = fields.Field(attribute="done_on", column_name=_("done on"))

    class Meta:
        model = Milestone
        fields = ["code", "name", "kind", "city", "due_quarter", "status", "done_on"]
