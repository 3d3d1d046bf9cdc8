"""季度填报: a city's whole quarter on one screen, its tasks' reports and its key projects'
sections (重点项目), saved and submitted together or not at all.

Each kind of row has its row (what the plan draws and the database holds), its row form and
its formset; `QuarterEntry` holds the two formsets and saves them in one
transaction.
"""

import copy
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

from investment import workflow
from investment.models import NOTE_LENGTH, ProgressReport, ProjectUpdate, QuarterClose
from investment.workflow import Reported
from people.access import reach
from plan.forms import CONTROL_CHARACTERS, YiFormField, control_character_error
from plan.models import City, Plan
from plan.money import exact
from tasks.models import Project, Task


@dataclass(frozen=True)
class QuarterRow:
    """One task of a city's quarter entry: what was allocated, reported before, and now."""

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


def quarter_tasks(plan: Plan, city: City, quarter: int) -> list[QuarterRow]:
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
    counted = ProgressReport.objects.filter(city=city).counted_before(plan.year, quarter)
    before = dict(counted.values("task").annotate(total=Sum("amount")).values_list("task", "total"))
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
    for task in tasks:
        if task.pk in reports:
            # Already read: saving the rows, and its messages, never read them a row at a time.
            reports[task.pk].task, reports[task.pk].city = task, city
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


def quarter_sections(plan: Plan, city: City, quarter: int) -> list[SectionRow]:
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
        update.project, update.city = by_pk[update.project_id], city
        (current if update.quarter == quarter else earlier)[update.project_id] = update
    return [
        SectionRow(project, current.get(project.pk), earlier.get(project.pk))
        for project in projects
    ]


class EntryRowForm(forms.Form):
    """What every row of the entry has: the version its record was read at, the subject it was
    drawn for, inputs named for screen readers, and all fields locked when it is not editable.

    A subclass gives a row's initial values from its record (`initial_values(row)`)."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    subject_field = ""  # The hidden field naming the row's task or project.
    plan_changed = ""

    def __init__(self, *args, row, editable: bool, **kwargs) -> None:
        self.row = row
        self.editable = editable
        kwargs["initial"] = {self.subject_field: row.subject.pk, **self.initial_values(row)}
        if row.record is not None:
            kwargs["initial"]["seen_version"] = row.record.version
        super().__init__(*args, **kwargs)
        if self.is_bound:
            # Each input's value as the page showed it is posted beside it (show_hidden_initial):
            # a row changed in another tab since is saved only where this page changed it. A
            # post without them (an older page, the import) is read against the values now.
            for name, field in self.fields.items():
                key = self.add_initial_prefix(name)
                if field.show_hidden_initial and key not in self.data:
                    value = self.get_initial_for_field(field, name)
                    self.data[key] = "" if value is None else str(value)
        # Each input names its row and column, for screen readers (the table's headers are
        # far from the field).
        for field in self.fields.values():
            if not field.widget.is_hidden:
                field.widget.attrs["aria-label"] = f"{row.label}: {field.label}"
        if not editable:
            for field in self.fields.values():
                field.disabled = True

    def has_changed(self) -> bool:
        # What the clerk typed, against what the page showed: never the hidden version (which
        # is stale when another tab saved the row) nor the row's subject (checked in clean).
        return any(not self.fields[name].widget.is_hidden for name in self.changed_data)

    def posted_changes(self) -> bool:
        """Whether the post changes a locked row: a page opened while the row was still
        editable (submitted since in another tab, a sample row). A locked input is never
        sent, so any value that differs was typed on such a page."""
        for name, field in self.fields.items():
            key = self.add_prefix(name)
            if field.widget.is_hidden or key not in self.data:
                continue
            unlocked = copy.copy(field)
            unlocked.disabled = False
            posted = field.widget.value_from_datadict(self.data, self.files, key)
            shown = self.get_initial_for_field(field, name)
            if field.show_hidden_initial:
                try:
                    shown = unlocked.to_python(self.data.get(self.add_initial_prefix(name)))
                except ValidationError:
                    return True
            if unlocked.has_changed(shown, posted):
                return True
        return False

    def clean(self) -> dict:
        cleaned = super().clean()
        # The plan may change between opening the page and saving it.
        if cleaned.get(self.subject_field) != self.row.subject.pk:
            raise ValidationError(self.plan_changed)
        return cleaned


class QuarterRowForm(EntryRowForm):
    """One task on a city's quarter entry: this quarter's amount or the year-to-date total."""

    amount = YiFormField(
        label=_("This quarter (亿元)"),
        required=False,
        max_digits=12,
        decimal_places=4,
        show_hidden_initial=True,
    )
    cumulative = YiFormField(
        label=_("Year to date (亿元)"),
        required=False,
        max_digits=12,
        decimal_places=4,
        show_hidden_initial=True,
    )
    note = forms.CharField(
        label=_("progress note"),
        required=False,
        show_hidden_initial=True,
        max_length=NOTE_LENGTH,
        error_messages={
            "max_length": _("The progress note has at most %(limit_value)d characters.")
        },
        widget=forms.Textarea(attrs={"rows": 2, "cols": 40}),
    )
    task = forms.IntegerField(widget=forms.HiddenInput)
    subject_field = "task"
    plan_changed = _("The tasks of this city changed since the page was opened; open it again.")

    def initial_values(self, row: QuarterRow) -> dict:
        if row.report is None:
            return {}
        return {"amount": row.report.amount, "cumulative": row.cumulative, "note": row.report.note}

    def clean_note(self) -> str:
        note = self.cleaned_data["note"]
        if CONTROL_CHARACTERS.search(note):
            raise control_character_error(self.fields["note"].label)
        return note

    def clean(self) -> dict:
        cleaned = super().clean()
        amount, cumulative = cleaned.get("amount"), cleaned.get("cumulative")
        # A saved row shows both figures; whichever the clerk changed decides the other.
        if "amount" in self.changed_data and "cumulative" not in self.changed_data:
            cumulative = None
        elif "cumulative" in self.changed_data and "amount" not in self.changed_data:
            amount = None if cumulative is not None else amount
        before = self.row.cumulative_before
        if self.row.report is not None and amount is None and cumulative is None:
            self.add_error(
                "amount",
                _("This quarter: a saved figure cannot be emptied; delete the draft instead."),
            )
        elif amount is None and cumulative is not None:
            if cumulative < before:
                self.add_error(
                    "cumulative",
                    _(
                        "Year to date: %(cumulative)s is less than the %(before)s (100 million "
                        "yuan) reported for the earlier quarters."
                    )
                    % {"cumulative": exact(cumulative), "before": exact(before)},
                )
            else:
                amount = cumulative - before
        elif amount is not None and cumulative is not None and amount + before != cumulative:
            self.add_error(
                "cumulative",
                _(
                    "Year to date: %(amount)s this quarter plus %(before)s before is not "
                    "%(cumulative)s 亿元. Enter one of the two."
                )
                % {
                    "amount": exact(amount),
                    "before": exact(before),
                    "cumulative": exact(cumulative),
                },
            )
        if amount is None and cleaned.get("note") and self.row.report is None:
            if self.owes_note:
                amount = Decimal(0)  # Nobody owes an amount here; the note is the report.
            else:
                self.add_error("amount", _("This quarter: enter the amount the note goes with."))
        cleaned["amount"] = amount
        return cleaned

    @property
    def owes_note(self) -> bool:
        """A task without a money target is owed a progress note each quarter, not an amount."""
        return self.row.task.target is None

    def wants_saving(self) -> bool:
        return self.editable and self.has_changed() and self.cleaned_data.get("amount") is not None


class SectionRowForm(EntryRowForm):
    """One project section on a city's quarter entry: its 形象进度, its stage at the quarter's
    end and, if known, the investment completed in the quarter."""

    progress = forms.CharField(
        label=_("physical progress (形象进度)"),
        required=False,
        show_hidden_initial=True,
        max_length=NOTE_LENGTH,
        error_messages={
            "max_length": _("The physical progress has at most %(limit_value)d characters.")
        },
        widget=forms.Textarea(attrs={"rows": 2, "cols": 40}),
    )
    stage = forms.ChoiceField(
        label=_("stage at the quarter's end"),
        required=False,
        show_hidden_initial=True,
        choices=[("", "—"), *Project.Stage.choices],
        error_messages={
            "invalid_choice": _("Stage at the quarter's end: choose 前期, 在建 or 建成.")
        },
    )
    amount = YiFormField(
        label=_("This quarter (亿元)"),
        required=False,
        max_digits=12,
        decimal_places=4,
        show_hidden_initial=True,
    )
    project = forms.IntegerField(widget=forms.HiddenInput)
    subject_field = "project"
    plan_changed = _(
        "The key projects of this city changed since the page was opened; open it again."
    )

    def initial_values(self, row: SectionRow) -> dict:
        update = row.update
        if update is None:
            # A section's stage rarely changes: the earlier quarter's is offered, and an
            # untouched row is still empty.
            return {"stage": row.earlier.stage if row.earlier else ""}
        return {"progress": update.progress, "stage": update.stage, "amount": update.amount}

    def clean_progress(self) -> str:
        progress = self.cleaned_data["progress"]
        if CONTROL_CHARACTERS.search(progress):
            raise control_character_error(self.fields["progress"].label)
        return progress

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.row.update is None and not self.has_changed():
            return cleaned  # Nothing typed: the row is not saved.
        if "progress" in cleaned and not cleaned["progress"].strip():
            self.add_error("progress", _("Physical progress (形象进度): say what stands now."))
        if "stage" in cleaned and not cleaned["stage"]:
            self.add_error("stage", _("Stage at the quarter's end: choose 前期, 在建 or 建成."))
        return cleaned

    def wants_saving(self) -> bool:
        return self.editable and self.has_changed()


class BaseEntryFormSet(forms.BaseFormSet):
    """One kind of row of a city's quarter: the rows come from the plan, never from the post.

    A subclass names its model and builds a row's record from its form (`record_for`).
    """

    model: type[Reported]
    prefix_name = ""
    submit_related: tuple[str, ...] = ()

    def __init__(
        self, data=None, *, rows: list, user, city, plan, quarter, closing, reason: str = ""
    ) -> None:
        self.rows, self.user, self.city, self.plan, self.quarter = rows, user, city, plan, quarter
        self.closed = closing is not None
        self.closed_at = closing.closed_at if closing else None
        # The office corrects a closed quarter only with a reason (the import gives one).
        self.open = not self.closed or bool(reason and reach(user).office)
        for row in rows:
            if row.record is not None:
                # Every row is of the entry's quarter: its closing is read once, for all.
                row.record._closed_at = self.closed_at
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
        # A closed quarter is corrected on the screen record by record, each with a reason.
        # A sample row is read-only: purge_sample_data removes it, with anything typed into it.
        row, record = self.rows[index], self.rows[index].record
        editable = self.open and (record is None or record.values_editable_by(self.user))
        return {"row": row, "editable": editable}

    def form_for(self, subject) -> EntryRowForm | None:
        """The row form of `subject` (a task or a project), None when the city has no such row."""
        if not hasattr(self, "_by_subject"):
            self._by_subject = {form.row.subject.pk: form for form in self.forms}
        return self._by_subject.get(subject.pk)

    def posted(self) -> dict:
        """What the page posts before anything is typed: every row as it stands."""
        data = {}
        for form in self.forms:
            for name, field in form.fields.items():
                value = form.get_initial_for_field(field, name)
                data[form.add_prefix(name)] = "" if value is None else value
        return data

    def pending(self) -> list[tuple[EntryRowForm, Reported]]:
        """The rows to save with their records; a locked row that the post changes has the
        reason added to its form. The model's rules are checked as each is saved (`record`)."""
        valid = [form for form in self.forms if form.is_valid()]
        for form in valid:
            if not form.editable and form.posted_changes():
                # Never dropped in silence: the clerk is told why, and nothing is saved.
                record = form.row.record
                refusal = record.refusal(self.user) if record else _("This row cannot be changed.")
                form.add_error(None, refusal)
        return [(form, self.record_for(form)) for form in valid if form.wants_saving()]

    def new_record(self, **subject) -> Reported:
        return self.model(
            **subject,
            city=self.city,
            year=self.plan.year,
            quarter=self.quarter,
            created_by=self.user,
        )

    def drafts(self, only=None) -> list[Reported]:
        """The city's quarter's draft and returned records (of the subjects `only` names, when
        given), sample rows aside, locked: what submitting the entry submits."""
        drafts = self.model.objects.filter(
            city=self.city,
            year=self.plan.year,
            quarter=self.quarter,
            status__in=self.model.EDITABLE,
            is_sample=False,
        )
        if only is not None:
            drafts = drafts.filter(**{f"{self.subject_field}__in": only})
        found = list(drafts.select_for_update().select_related(*self.submit_related))
        for record in found:
            record.city = self.city  # Named by the messages, as the subject is.
        return found


class ReportRows(BaseEntryFormSet):
    model = ProgressReport
    prefix_name = "rows"
    subject_field = "task"
    submit_related = ("task__area",)

    def record_for(self, form: QuarterRowForm) -> ProgressReport:
        report = form.row.report or self.new_record(task=form.row.task)
        report.amount = form.cleaned_data["amount"]
        report.note = form.cleaned_data["note"]
        report.edited_by(self.user)
        return report


class SectionRows(BaseEntryFormSet):
    model = ProjectUpdate
    prefix_name = "projects"
    subject_field = "project"
    submit_related = ("project",)

    # A city may have a hundred and more sections: those it can change are drawn as inputs,
    # the locked ones (submitted, approved, sample, a closed quarter) as text, folded.
    @property
    def open_forms(self) -> list[SectionRowForm]:
        """The rows to enter: those the user may change, and any row a post failed on."""
        return [form for form in self.forms if form.editable or form.errors]

    @property
    def locked_forms(self) -> list[SectionRowForm]:
        return [form for form in self.forms if not (form.editable or form.errors)]

    def record_for(self, form: SectionRowForm) -> ProjectUpdate:
        update = form.row.update or self.new_record(project=form.row.project)
        update.progress = form.cleaned_data["progress"]
        update.stage = form.cleaned_data["stage"]
        update.amount = form.cleaned_data["amount"]
        update.edited_by(self.user)
        return update


ReportFormSet = forms.formset_factory(QuarterRowForm, formset=ReportRows, extra=0)
SectionFormSet = forms.formset_factory(SectionRowForm, formset=SectionRows, extra=0)


def values_of(record: Reported) -> dict:
    """What a record's fields hold, by attribute name."""
    return {field.attname: getattr(record, field.attname) for field in record._meta.concrete_fields}


class QuarterEntry:
    """A city's whole quarter: its tasks' rows and its project sections' rows. Every row is
    saved, and submitted, or none is.

    The import fills one in for each city and quarter of a file (investment/imports.py), with
    the rows of the subjects it names (`only`, {"task": pks, "project": pks}): the office's
    `reason` then opens a closed quarter, and the history names the file (`source`).
    """

    def __init__(
        self,
        data=None,
        *,
        user,
        city: City,
        plan: Plan,
        quarter: int,
        reason: str = "",
        source: str = "",
        rows: tuple[list, list] | None = None,
        only: dict | None = None,
    ) -> None:
        self.closing = (
            QuarterClose.objects.filter(plan=plan, quarter=quarter)
            .select_related("closed_by")
            .first()
        )
        self.closed = self.closing is not None
        self.user, self.reason, self.source, self.only = user, reason.strip(), source, only
        self.scope = {"user": user, "city": city, "plan": plan, "quarter": quarter}
        tasks, sections = rows or (
            quarter_tasks(plan, city, quarter),
            quarter_sections(plan, city, quarter),
        )
        if only is not None:
            # The import's rows only: the rest of the quarter is neither read nor saved.
            tasks = [row for row in tasks if row.subject.pk in only.get("task", ())]
            sections = [row for row in sections if row.subject.pk in only.get("project", ())]
        common = {"closing": self.closing, "reason": self.reason, **self.scope}
        # A copy the rows may add to (EntryRowForm) and a stale row's version is renewed in.
        self.data = None if data is None else data.copy()
        data = self.data
        self.reports = ReportFormSet(data, rows=tasks, **common)
        self.projects = SectionFormSet(data, rows=sections, **common)
        self.formsets = (self.reports, self.projects)

    def bound(self, data) -> "QuarterEntry":
        """The same quarter, its rows as read here, with `data` posted."""
        return QuarterEntry(
            data,
            **self.scope,
            reason=self.reason,
            source=self.source,
            rows=(self.reports.rows, self.projects.rows),
            only=self.only,
        )

    def posted(self) -> dict:
        """What the page posts before anything is typed into it."""
        return {**self.reports.posted(), **self.projects.posted()}

    def keep_typed(self, form: EntryRowForm, record: Reported) -> None:
        """A row changed by someone else since this page was opened, and here too: say who
        changed it and what it says now, keep what was typed on the page, and take the row's
        current version, so that saving again, once checked, keeps what was typed."""
        current = type(record).objects.filter(pk=record.pk).first()
        if current is None:
            form.add_error(None, workflow.DELETED)
            return
        form.add_error(None, current.stale_message(current.current_values(), kept=True))
        self.data[form.add_prefix("seen_version")] = str(current.version)
        # The page comes back showing the row as it is now beside each input (the posted
        # "initial-" values would be propagated otherwise); what it did not change takes the
        # current value, so that saving again keeps what was typed and nothing older.
        for name, field in form.fields.items():
            if not field.show_hidden_initial:
                continue
            value = form.get_initial_for_field(field, name)
            value = "" if value is None else str(value)
            if name not in form.changed_data:
                self.data[form.add_prefix(name)] = value
            self.data[form.add_initial_prefix(name)] = value

    def non_form_errors(self) -> ErrorList:
        errors = ErrorList()
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
        """Save (and submit) the entry in one transaction; None, with row errors, on failure.

        Submitting submits the quarter's drafts, or, for an entry of `only` some subjects (the
        import's), those subjects' drafts. Every row takes the entry path at once
        (workflow.record_many): forty rows cost the queries of one.
        """
        # The office submits a closed quarter's rows with its reason for the correction.
        submitting = submit and (not self.closed or bool(self.reason))
        # The records as read: a save refused shows them so again (their status, a returned
        # row's reason), not as the steps taken on them before the refusal left them.
        shown = [
            (record, values_of(record))
            for formset in self.formsets
            for form in formset.forms
            if (record := form.row.record) is not None
        ]
        with transaction.atomic():
            typed = [
                (form, record, form.cleaned_data["seen_version"])
                for formset in self.formsets
                for form, record in formset.pending()
            ]
            drafts = self.drafts_to_submit(typed) if submitting else []
            writes = [*typed, *drafts]
            refused = workflow.record_many(
                [(record, seen) for _form, record, seen in writes],
                self.user,
                submit=submitting,
                reason=self.reason,
                source=self.source,
            )
            for index, error in refused.items():
                if index < len(typed):
                    self.refuse(*typed[index][:2], error)
            # A draft is submitted once the rows typed are saved: why one cannot be is said
            # only then.
            if not self.has_errors():
                for index, error in refused.items():
                    if index >= len(typed):
                        self.refuse_draft(writes[index][0], error)
            if self.has_errors():
                transaction.set_rollback(True)
                for record, values in shown:
                    for name, value in values.items():
                        setattr(record, name, value)
                return None
        return [record for _form, record, _seen in writes]

    def drafts_to_submit(self, typed: list[tuple]) -> list[tuple]:
        """The drafts that submitting submits beside the rows typed, with their rows' forms
        (None for a draft the entry does not show) and their versions."""
        saved = {record.pk for _form, record, _seen in typed if record.pk is not None}
        return [
            (formset.form_for(getattr(record, formset.subject_field)), record, record.version)
            for formset in self.formsets
            for record in formset.drafts(
                only=None if self.only is None else self.only[formset.subject_field]
            )
            if record.pk not in saved
        ]

    def refuse(self, form: EntryRowForm, record: Reported, error: ValidationError) -> None:
        """Say on its row why a row typed was not saved, by field where one is at fault; a row
        someone else changed meanwhile keeps what was typed."""
        if getattr(error, "code", None) == "stale":
            self.keep_typed(form, record)
            return
        by_field = error.message_dict if hasattr(error, "error_dict") else {}
        for field, messages in by_field.items() or [(None, error.messages)]:
            for message in messages:
                form.add_error(field if field in form.fields else None, message)

    @staticmethod
    def refuse_draft(form: EntryRowForm | None, error: ValidationError) -> None:
        """Say on its row why a draft cannot be submitted (an earlier quarter is still a draft
        or returned)."""
        if form is None:
            raise error
        form.add_error(None, error)

    def has_errors(self) -> bool:
        return any(form.errors for formset in self.formsets for form in formset.forms)
