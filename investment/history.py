"""A task's change history for its page, read from django-simple-history's records."""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from tasks.models import CityAllocation, Milestone, Task

from .models import ProgressReport


@dataclass(frozen=True)
class Change:
    """One recorded change to a task's figures: who, when, what, and the values around it."""

    when: datetime
    who: str
    what: str
    kind: str  # "+" created, "~" changed, "-" deleted
    fields: list[tuple[str, object, object]]
    reason: str

    @property
    def kind_label(self) -> str:
        return {"+": _("created"), "~": _("changed"), "-": _("deleted")}[self.kind]


def task_history(task: Task, limit: int = 50) -> list[Change]:
    """The newest changes to a task, its allocations, milestones and reports, newest first.

    Four queries whatever the number of records: each is diffed in memory against the one
    before it for the same row.
    """
    sources = [
        (Task.history.filter(id=task.pk).select_related("area"), lambda r: f"{task.code}"),
        (CityAllocation.history.filter(task_id=task.pk).select_related("city"), _city_label),
        (Milestone.history.filter(task_id=task.pk), lambda r: r.name),
        (ProgressReport.history.filter(task_id=task.pk).select_related("city"), _report_label),
    ]
    changes = []
    for records, label in sources:
        previous = {}
        for record in records.select_related("history_user").order_by("history_date"):
            before = previous.get(record.id)
            previous[record.id] = record
            changes.append(_change(record, before, label(record)))
    changes.sort(key=lambda change: change.when, reverse=True)
    return changes[:limit]


def _city_label(record) -> str:
    return record.city.name


def _report_label(record) -> str:
    return f"{record.city.name} {record.year}Q{record.quarter}"


def _change(record, before, label: str) -> Change:
    fields = []
    if record.history_type == "~" and before is not None:
        fields = [
            (str(record.instance_type._meta.get_field(c.field).verbose_name), c.old, c.new)
            for c in record.diff_against(before).changes
        ]
    return Change(
        when=record.history_date,
        who=str(record.history_user or "—"),
        what=f"{record.instance_type._meta.verbose_name} {label}",
        kind=record.history_type,
        fields=fields,
        reason=record.history_change_reason or "",
    )
