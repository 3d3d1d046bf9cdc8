"""A task's change history for its page, read from django-simple-history's records.

The page is read by leaders and every city, so a report's records show only where the report
counted (submitted or approved) at that record: a draft or a returned report never shows.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from investment.models import ProgressReport
from people.models import display_name
from plan.models import City
from tasks.models import CityAllocation, Milestone, Task


@dataclass(frozen=True)
class Change:
    """One recorded change to a task's figures: who, when, what, and the values around it."""

    when: datetime
    who: str
    model: str  # what kind of row changed: the model's verbose name
    city: City | None  # the allocation's or the report's city, named in the page's language
    detail: str  # the task's code, the milestone's name or the report's quarter
    detail_lang: str  # "zh-Hans" where `detail` is Chinese text of the source (a milestone's name)
    kind: str  # "+" created, "~" changed, "-" deleted
    fields: list[tuple[str, object, object]]
    reason: str

    @property
    def kind_label(self) -> str:
        return {"+": _("created"), "~": _("changed"), "-": _("deleted")}[self.kind]

    @property
    def what(self) -> str:
        """The changed row in words, as `model`, `city` and `detail` say it."""
        parts = [self.model, self.city.display_name if self.city else "", self.detail]
        return " ".join(part for part in parts if part)


# What a task page shows of a report's changes: its figures, never the office's remarks to
# the city (a return reason) or who last touched it in between.
PUBLIC_REPORT_FIELDS = ("amount", "note", "status")


def task_history(task: Task, limit: int = 50) -> list[Change]:
    """The newest changes to a task, its allocations, milestones and counted reports, newest
    first.

    Four queries whatever the number of records:
    each record is diffed in memory against the one before it for the same row; a report's
    against its last counted record, so a draft's values never show.
    """
    # Sample rows are made up and never edited: their loading is nobody's change.
    allocations = CityAllocation.history.filter(task_id=task.pk, is_sample=False)
    reports = ProgressReport.history.filter(task_id=task.pk, is_sample=False)
    sources = [
        (Task.history.filter(id=task.pk).select_related("area"), lambda r: (None, task.code, "")),
        (allocations.select_related("city"), lambda r: (r.city, "", "")),
        (Milestone.history.filter(task_id=task.pk), lambda r: (None, r.name, "zh-Hans")),
        (reports.select_related("city"), lambda r: (r.city, f"{r.year}Q{r.quarter}", "")),
    ]
    changes = []
    for records, label in sources:
        previous = {}
        for record in records.select_related("history_user").order_by("history_date"):
            if not _shown(record):
                continue
            before = previous.get(record.id)
            previous[record.id] = record
            changes.append(_change(record, before, *label(record)))
    changes.sort(key=lambda change: change.when, reverse=True)
    return _with_names(changes[:limit])


def _shown(record) -> bool:
    """Whether a record may show: a report's only while it counted."""
    if record.instance_type is not ProgressReport:
        return True
    return record.status in ProgressReport.COUNTED


def _change(record, before, city: City | None, detail: str, detail_lang: str) -> Change:
    model = record.instance_type
    fields = []
    if record.history_type == "~" and before is not None:
        for change in record.diff_against(before).changes:
            if model is ProgressReport and change.field not in PUBLIC_REPORT_FIELDS:
                continue  # The office's return reason and the like stay in the admin.
            field = model._meta.get_field(change.field)
            fields.append((field, change.old, change.new))
    elif record.history_type == "~" and model is ProgressReport:
        # The report's first counted record: what it counted with, against nothing before.
        fields = [
            (model._meta.get_field(name), None, getattr(record, name))
            for name in ("amount", "status")
        ]
    return Change(
        when=record.history_date,
        who=display_name(record.history_user),
        model=str(model._meta.verbose_name),
        city=city,
        detail=detail,
        detail_lang=detail_lang,
        kind=record.history_type,
        fields=fields,
        reason=record.history_change_reason or "",
    )


def _with_names(changes: list[Change]) -> list[Change]:
    """The changes with each field's label, status codes as their labels and a related row
    (a task's lead unit) by its name, never its database id (one query a related model)."""
    wanted: dict = {}
    for change in changes:
        for field, old, new in change.fields:
            if field.is_relation and field.many_to_one:
                wanted.setdefault(field.related_model, set()).update(
                    value for value in (old, new) if value is not None
                )
    named = {model: model._base_manager.in_bulk(ids) for model, ids in wanted.items()}

    def shown(field, value):
        if value is None:
            return None
        if field.is_relation and field.many_to_one:
            found = named.get(field.related_model, {}).get(value)
            return str(found) if found is not None else _("(deleted)")
        if field.choices:
            return dict(field.flatchoices).get(value, value)
        return value

    return [
        Change(
            change.when,
            change.who,
            change.model,
            change.city,
            change.detail,
            change.detail_lang,
            change.kind,
            [
                (str(field.verbose_name), shown(field, old), shown(field, new))
                for field, old, new in change.fields
            ],
            change.reason,
        )
        for change in changes
    ]
