"""季度填报: a city's whole quarter on one screen, its tasks' reports and its key projects'
sections (重点项目), saved and submitted together or not at all.

Each kind of row has its row (what the plan draws and the database holds), its row form
(forms.py) and its formset here; `QuarterSheet` holds the two formsets and saves them in one
transaction.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.forms.formsets import INITIAL_FORM_COUNT, TOTAL_FORM_COUNT, ManagementForm
from django.forms.utils import ErrorList
from django.utils.translation import gettext_lazy as _

from investment.forms import QuarterRowForm, SectionRowForm, SheetRowForm
from investment.models import DuplicateReport, ProgressReport, ProjectUpdate, QuarterClose
from investment.workflow import Reported
from plan.models import City, Plan
from plan.money import exact
from tasks.models import Project, Task


@dataclass(frozen=True)
class QuarterRow:
    """One task on a city's quarterly sheet: what was allocated, reported before, and now."""

    task: Task
    allocation: Decimal | None
    cumulative_before: Decimal  # the earlier quarters submitted or approved, as the pages count
    report: ProgressReport | None
    # The city's own earlier quarters not yet submitted (drafts, returned): (quarter, amount).
    unsubmitted_before: tuple[tuple[int, Decimal], ...] = ()

    @property
    def subject(self) -> Task:
        return self.task

    @property
    def record(self) -> ProgressReport | None:
        return self.report

    @property
    def label(self) -> str:
        return f"{self.task.code} {self.task.title}"

    @property
    def anchor(self) -> str:
        return f"row-{self.task.code}"

    @property
    def cumulative(self) -> Decimal | None:
        return None if self.report is None else self.cumulative_before + self.report.amount

    @property
    def unsubmitted_note(self) -> str:
        """What the earlier-quarter figure leaves out, said on the row; empty when nothing."""
        if not self.unsubmitted_before:
            return ""
        return _("Not included: the unsubmitted %(quarters)s.") % {
            "quarters": _(", ").join(
                _("Q%(quarter)s (%(amount)s 亿元)") % {"quarter": quarter, "amount": exact(amount)}
                for quarter, amount in self.unsubmitted_before
            )
        }


def quarter_sheet(plan: Plan, city: City, quarter: int) -> list[QuarterRow]:
    """Every task the city takes part in, with its figures before and in `quarter`.

    Earlier quarters count as the pages count them, submitted and approved; the city's own
    drafts and returned reports of earlier quarters are listed apart on the row.
    """
    tasks = (
        Task.objects.of_plan(plan)
        .filter(cities=city)
        .order_by("area__number", "number")
        .select_related("area")
        .annotate(allocated=Sum("allocations__amount", filter=Q(allocations__city=city)))
    )
    earlier = ProgressReport.objects.filter(city=city, year=plan.year, quarter__lt=quarter)
    before = dict(
        earlier.counted().values("task").annotate(total=Sum("amount")).values_list("task", "total")
    )
    unsubmitted = defaultdict(list)
    for task, number, amount in (
        earlier.exclude(status__in=ProgressReport.COUNTED)
        .order_by("quarter")
        .values_list("task", "quarter", "amount")
    ):
        unsubmitted[task].append((number, amount))
    reports = {
        report.task_id: report
        for report in ProgressReport.objects.filter(city=city, year=plan.year, quarter=quarter)
    }
    return [
        QuarterRow(
            task=task,
            allocation=task.allocated,
            cumulative_before=(before.get(task.pk) or Decimal(0)).quantize(Decimal("0.0001")),
            report=reports.get(task.pk),
            unsubmitted_before=tuple(unsubmitted[task.pk]),
        )
        for task in tasks
    ]


@dataclass(frozen=True)
class SectionRow:
    """One key project's section in the city: this quarter's update, and the latest of the
    earlier quarters (whatever its status) for context."""

    project: Project
    update: ProjectUpdate | None
    earlier: ProjectUpdate | None

    @property
    def subject(self) -> Project:
        return self.project

    @property
    def record(self) -> ProjectUpdate | None:
        return self.update

    @property
    def label(self) -> str:
        return self.project.name

    @property
    def anchor(self) -> str:
        return f"project-{self.project.pk}"


def project_sheet(plan: Plan, city: City, quarter: int) -> list[SectionRow]:
    """Every key project of the plan with a section in the city, with its updates there."""
    projects = list(
        Project.objects.of_plan(plan)
        .filter(cities=city)
        .select_related("task__area__plan")
        .order_by("task__area__number", "task__number", "pk")
    )
    by_pk = {project.pk: project for project in projects}
    current, earlier = {}, {}
    # At most four updates a section: the year's quarters up to this one.
    for update in ProjectUpdate.objects.filter(
        project__in=by_pk, city=city, year=plan.year, quarter__lte=quarter
    ).order_by("quarter"):
        update.project = by_pk[update.project_id]
        (current if update.quarter == quarter else earlier)[update.project_id] = update
    return [
        SectionRow(project, current.get(project.pk), earlier.get(project.pk))
        for project in projects
    ]


class BaseQuarterSheet(forms.BaseFormSet):
    """One kind of row of a city's quarter: the rows come from the plan, never from the post.

    A subclass names its model and builds a row's record from its form (`record_for`).
    """

    model: type[Reported]
    prefix_name = ""
    submit_related: tuple[str, ...] = ()

    def __init__(self, data=None, *, rows: list, user, city, plan, quarter, closing) -> None:
        self.rows, self.user, self.city, self.plan, self.quarter = rows, user, city, plan, quarter
        self.closed = closing is not None
        super().__init__(data, prefix=self.prefix_name)

    def total_form_count(self) -> int:
        return len(self.rows)

    def initial_form_count(self) -> int:
        return 0  # Every row may stay empty.

    @property
    def management_form(self) -> ManagementForm:
        # The counts are the plan's: a post that lacks them (an older page) is read the same.
        data = {
            f"{self.prefix}-{TOTAL_FORM_COUNT}": len(self.rows),
            f"{self.prefix}-{INITIAL_FORM_COUNT}": 0,
        }
        form = ManagementForm(data, prefix=self.prefix)
        form.full_clean()
        return form

    def get_form_kwargs(self, index: int) -> dict:
        # A closed quarter is corrected record by record, each with a reason, never here.
        # A sample row is read-only: purge_sample_data removes it, with anything typed into it.
        row, record = self.rows[index], self.rows[index].record
        editable = not self.closed and (
            record is None or (not record.is_sample and record.workflow_allows(self.user))
        )
        return {"row": row, "editable": editable}

    def pending(self) -> list[tuple[SheetRowForm, Reported]]:
        """The rows to save with their records, each checked by the model's rules too; a
        failing row has its errors added to its form."""
        valid = [form for form in self.forms if form.is_valid()]
        pairs = [(form, self.record_for(form)) for form in valid if form.wants_saving()]
        for form, record in pairs:
            for field, messages in self.record_errors(form, record).items():
                for message in messages:
                    form.add_error(field if field in form.fields else None, message)
        return pairs

    def record_errors(self, form: SheetRowForm, record: Reported) -> dict[str | None, list]:
        try:
            if record.pk:
                # No version seen means the row was empty when opened: stale too.
                record.check_version(form.cleaned_data["seen_version"])
            record.full_clean()
        except ValidationError as error:
            return error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
        return {}

    def new_record(self, **subject) -> Reported:
        return self.model(
            **subject,
            city=self.city,
            year=self.plan.year,
            quarter=self.quarter,
            created_by=self.user,
        )

    def submit_all(self) -> list[Reported]:
        """Submit every draft and returned record of the city's quarter, sample rows aside."""
        drafts = self.model.objects.filter(
            city=self.city,
            year=self.plan.year,
            quarter=self.quarter,
            status__in=self.model.EDITABLE,
            is_sample=False,
        )
        submitted = []
        for record in drafts.select_for_update().select_related(*self.submit_related):
            record.submit()
            record.edited_by(self.user)
            record.save()
            submitted.append(record)
        return submitted


class ReportSheet(BaseQuarterSheet):
    model = ProgressReport
    prefix_name = "rows"
    submit_related = ("task__area",)

    def record_for(self, form: QuarterRowForm) -> ProgressReport:
        report = form.row.report or self.new_record(task=form.row.task)
        report.amount = form.cleaned_data["amount"]
        report.note = form.cleaned_data["note"]
        report.edited_by(self.user)
        return report


class SectionSheet(BaseQuarterSheet):
    model = ProjectUpdate
    prefix_name = "projects"
    submit_related = ("project",)

    def record_for(self, form: SectionRowForm) -> ProjectUpdate:
        update = form.row.update or self.new_record(project=form.row.project)
        update.progress = form.cleaned_data["progress"]
        update.stage = form.cleaned_data["stage"]
        update.amount = form.cleaned_data["amount"]
        update.edited_by(self.user)
        return update

    def record_errors(self, form: SectionRowForm, record: ProjectUpdate) -> dict:
        errors = super().record_errors(form, record)
        if not errors and (error := record.stage_error(self.user)):
            errors["stage"] = [error]
        return errors


ReportSheetFormSet = forms.formset_factory(QuarterRowForm, formset=ReportSheet, extra=0)
SectionSheetFormSet = forms.formset_factory(SectionRowForm, formset=SectionSheet, extra=0)


class QuarterSheet:
    """A city's whole quarter: its tasks' rows and its project sections' rows. Every row is
    saved, and submitted, or none is."""

    def __init__(self, data=None, *, user, city: City, plan: Plan, quarter: int) -> None:
        self.closing = (
            QuarterClose.objects.filter(plan=plan, quarter=quarter)
            .select_related("closed_by")
            .first()
        )
        self.closed = self.closing is not None
        scope = {"user": user, "city": city, "plan": plan, "quarter": quarter}
        self.reports = ReportSheetFormSet(
            data, rows=quarter_sheet(plan, city, quarter), closing=self.closing, **scope
        )
        self.projects = SectionSheetFormSet(
            data, rows=project_sheet(plan, city, quarter), closing=self.closing, **scope
        )
        self.formsets = (self.reports, self.projects)
        self.submit_errors = ErrorList()

    def non_form_errors(self) -> ErrorList:
        errors = ErrorList(self.submit_errors)
        for formset in self.formsets:
            errors.extend(formset.non_form_errors())
        return errors

    @property
    def rows_with_errors(self) -> list[tuple[str, str, list[str]]]:
        """Each row that failed (its anchor and label) with every one of its messages, for the
        summary at the top."""
        return [
            (
                form.row.anchor,
                form.row.label,
                [m for errors in form.errors.values() for m in errors],
            )
            for formset in self.formsets
            for form in formset.forms
            if form.errors
        ]

    def save(self, submit: bool) -> list[Reported] | None:
        """Save (and submit) the sheet in one transaction; None, with row errors, on failure."""
        with transaction.atomic():
            pending = [pair for formset in self.formsets for pair in formset.pending()]
            if any(form.errors for formset in self.formsets for form in formset.forms):
                transaction.set_rollback(True)
                return None
            for form, record in pending:
                try:
                    record.save()
                except DuplicateReport as error:
                    form.add_error(None, error)
                    transaction.set_rollback(True)
                    return None
            saved = [record for _form, record in pending]
            if submit and not self.closed:
                try:
                    saved = [record for formset in self.formsets for record in formset.submit_all()]
                except ValidationError as error:
                    # An earlier quarter is still a draft or returned: nothing is saved.
                    self.submit_errors = ErrorList(error.messages)
                    transaction.set_rollback(True)
                    return None
        return saved
