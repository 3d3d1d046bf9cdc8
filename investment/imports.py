"""导入: quarterly figures from a file, saved as the quarter entry saves a city's quarter.

The admin's import (upload, preview, confirm) and `manage.py import_reports` both make a
`FileImport` of the rows `read_table` read (tables.py). Each row's cells are read first (its
year, task or project, city, quarter, amount, texts), every problem named by its column; the
rows are then grouped by city and quarter, and each group is filled into that quarter's
`QuarterEntry` and saved and submitted by it, with the sheet's rules. Every group is saved in
one transaction, or none is; the preview is the same pass, rolled back.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import InvalidOperation
from functools import cached_property

from django.db import transaction
from django.utils.translation import gettext as _

from investment.quarter import QuarterEntry
from investment.tables import LABELS, PROJECT_LABELS, Table
from investment.workflow import QuarterClose, Reported
from people.access import reach
from people.models import display_name
from plan.forms import CONTROL_CHARACTERS, control_character_error
from plan.models import City, Plan
from plan.money import exact
from plan.spreadsheets import (
    FORMULA_STARTS,
    header_key,
    parse_amount,
    parse_quarter,
    text_of,
)
from tasks.models import Project, Task

REPORTS, PROJECTS = "task", "project"
NEW, UPDATE, SKIP = "new", "update", "skip"
# A status column (as the reports export writes it) marks rows that must not count.
NOT_COUNTED = {"草稿", "已退回", "draft", "returned"}
Stage = Project.Stage
# The stage as the sheet writes it, in Chinese or English, or as stored.
STAGES = {
    header_key(word): stage
    for words, stage in [
        (("前期", "preparation"), Stage.PREPARATION),
        (("在建", "under construction", "construction"), Stage.CONSTRUCTION),
        (("建成", "completed"), Stage.COMPLETED),
    ]
    for word in words
}
# What each sheet's preview shows, in order: its columns, and the fields of a row's record
# they show (the subject, city, year and quarter first).
SHOWN = {
    REPORTS: ["task", "city", "year", "quarter", "amount", "note"],
    PROJECTS: ["project", "city", "year", "quarter", "progress", "stage", "amount"],
}
COLUMN_LABELS = {REPORTS: LABELS, PROJECTS: PROJECT_LABELS}
# The fields of a row that the quarter entry's row form takes from the file.
ENTERED = {REPORTS: ("amount", "note"), PROJECTS: ("progress", "stage", "amount")}
# What names a row's record, before what it enters.
IDENTITY = {
    sheet: [column for column in columns if column not in ENTERED[sheet]]
    for sheet, columns in SHOWN.items()
}


def parse_stage(value) -> str:
    stage = STAGES.get(header_key(value))
    if stage is None:
        raise ValueError
    return stage


@dataclass(eq=False)
class Line:
    """One row of the file: its cells, what they were read as, and what the import does with
    it (NEW, UPDATE or SKIP) or why it cannot (`errors`)."""

    sheet: str
    number: int
    cells: dict
    errors: list[str] = field(default_factory=list)
    outcome: str = SKIP
    plan: Plan | None = None
    subject: Task | Project | None = None
    city: City | None = None
    quarter: int | None = None
    values: dict = field(default_factory=dict)
    # What the row's record said before the import, by field; None when it had none.
    before: dict | None = None

    @property
    def label(self) -> dict[str, str]:
        return COLUMN_LABELS[self.sheet]

    @property
    def group(self) -> tuple:
        return (self.plan.year, self.city.pk, self.quarter)

    @property
    def key(self) -> tuple:
        """The row's record, as the confirm form carries the version the preview saw."""
        return (self.sheet, self.subject.pk, self.city.pk, self.plan.year, self.quarter)

    @property
    def read(self) -> bool:
        """Whether its cells were read and it is to be saved."""
        return not self.errors and self.subject is not None

    def raw(self, columns: list[str] | None = None) -> list[str]:
        """The row's cells as the file has them (a failing row's, its 项目编号 included)."""
        if columns is None:
            columns = ["project_id", *SHOWN[PROJECTS]] if self.sheet == PROJECTS else SHOWN[REPORTS]
        return [text_of(self.cells.get(column)) for column in columns]

    def skipped(self) -> list[str]:
        """A skipped row's filled cells as the file has them, in the preview's order."""
        return [cell for cell in self.raw(SHOWN[self.sheet]) if cell]

    def identity(self) -> list[str]:
        """The row's subject, city, year and quarter, as the preview shows them."""
        now = {
            self.sheet: self.subject,
            "city": self.city,
            "year": self.plan.year if self.plan else None,
            "quarter": self.quarter,
        }
        return [display(column, now.get(column)) for column in IDENTITY[self.sheet]]

    def changes(self) -> list[tuple[str, str, bool]]:
        """Each field the file enters as (what the record says now, what it will say, whether
        that differs): the preview's two columns a field."""
        before = self.before or {}
        shown = [
            (display(name, before.get(name)), display(name, self.values.get(name)))
            for name in ENTERED[self.sheet]
        ]
        return [(now, after, self.outcome != SKIP and now != after) for now, after in shown]


def display(column: str, value) -> str:
    if value is None or value == "":
        return ""
    if column == "task":
        return value.code
    if column in ("project", "city"):
        return value.name
    if column == "amount":
        return exact(value)
    if column == "stage":
        return str(Stage(value).label)
    return str(value)


class FileImport:
    """A file's rows imported by `user` (her rights apply), every row or none.

    `reason` is the office's for correcting a closed quarter (anyone else's is dropped);
    `previewed`, at a confirm, is each record's version as the preview saw it: a record
    changed in between refuses the whole file.
    """

    def __init__(
        self,
        table: Table,
        *,
        user,
        file_name: str = "",
        reason: str = "",
        previewed: dict | None = None,
    ) -> None:
        # The file's name goes into the history: never a control character, never unbounded.
        self.user, self.file_name = user, CONTROL_CHARACTERS.sub("", file_name)[:200]
        self.reach = reach(user)
        self.reason = reason.strip() if self.reach.office else ""
        self.previewed = previewed
        # Each record's version as this import found it (0: none yet), for the confirm form.
        self.versions: dict[tuple, int] = {}
        # What cannot be said of one row: a row of the quarter the file does not hold.
        self.errors: list[str] = []
        self.has_projects = table.projects is not None
        self.table = table
        self.seen: dict[tuple, int] = {}
        self.lines = [self.read_report(n, cells) for n, cells in table.reports]
        self.lines += [self.read_project(n, cells) for n, cells in table.projects or ()]

    # What the checks read, once per file: a file of 5,000 rows costs these queries once.
    @cached_property
    def plans(self) -> dict[int, Plan]:
        return {plan.year: plan for plan in self.reach.plans()}

    @cached_property
    def cities(self) -> dict[str, City]:
        cities = {}
        for city in City.objects.all():
            for key in (city.name, city.slug, city.name_en):
                if key:
                    cities[header_key(key)] = city
        return cities

    @cached_property
    def closed(self) -> set[tuple[int, int]]:
        return set(QuarterClose.objects.values_list("plan__year", "quarter"))

    @cached_property
    def tasks(self) -> dict[tuple[int, str], Task]:
        tasks = Task.objects.select_related("area__plan").prefetch_related("cities")
        return {(task.area.plan.year, task.code): task for task in tasks}

    @cached_property
    def projects(self) -> tuple[dict, dict]:
        """The key projects by (year, 项目编号) and by (year, name): a name may be a project's
        of more than one task."""
        by_id, by_name = {}, defaultdict(list)
        rows = Project.objects.select_related("task__area__plan").prefetch_related("cities")
        numbers = [text_of(cells.get("project_id")) for _n, cells in self.table.projects or ()]
        if all(numbers):
            # Every row names its project by number: those only, not the plans' thousands.
            # (A number too long for a key names no project: it is refused as not found.)
            rows = rows.filter(pk__in=[int(n) for n in numbers if n.isdigit() and len(n) < 19])
        for project in rows:
            year = project.task.area.plan.year
            by_id[(year, str(project.pk))] = project
            by_name[(year, header_key(project.name))].append(project)
        return by_id, by_name

    # Reading a row's cells, every problem named by its column.

    def read_report(self, number: int, cells: dict) -> Line:
        line = Line(REPORTS, number, cells)
        errors = {}
        line.plan = self.plan(line, errors)
        code = text_of(cells.get("task"))
        task = self.tasks.get((line.plan.year, code)) if line.plan else None
        if not code:
            errors["task"] = self.please_fill(line, "task")
        elif line.plan and task is None:
            errors["task"] = _("%(label)s: the %(year)s plan has no task %(code)s.") % {
                "label": LABELS["task"],
                "year": line.plan.year,
                "code": code,
            }
        city = self.city(line, errors)
        if city is not None and task is not None and city not in task.cities.all():
            errors["city"] = _("%(label)s: %(city)s does not take part in task %(code)s.") % {
                "label": LABELS["city"],
                "city": city.name,
                "code": code,
            }
        self.quarter(line, errors)
        note = self.text(line, "note", errors)
        amount = None
        if cells.get("amount") not in (None, ""):
            amount = self.cell(line, "amount", errors, parse_amount)
        elif not note:
            return line  # A template row the clerk left empty: nothing this quarter.
        if text_of(cells.get("status")).lower() in NOT_COUNTED and not errors:
            return line  # A draft or returned report of an export: it never counted.
        line.values = {"amount": amount, "note": note}
        return self.checked(line, task, errors)

    def read_project(self, number: int, cells: dict) -> Line:
        line = Line(PROJECTS, number, cells)
        errors = {}
        line.plan = self.plan(line, errors)
        project = self.project(line, errors)
        city = self.city(line, errors)
        if city is not None and project is not None and city not in project.cities.all():
            errors["city"] = _(
                "%(label)s: the key project %(project)s has no section in %(city)s."
            ) % {"label": PROJECT_LABELS["city"], "project": project.name, "city": city.name}
        self.quarter(line, errors)
        progress = self.text(line, "progress", errors)
        stage, amount = cells.get("stage"), cells.get("amount")
        if not progress and stage in (None, "") and amount in (None, ""):
            return line  # A template row the clerk left empty: nothing for this section.
        # A blank 形象进度 or 当前阶段 keeps what the section's update says (save_quarter); a
        # section without one must have both.
        if stage in (None, ""):
            stage = None
        else:
            try:
                stage = parse_stage(stage)
            except ValueError:
                errors["stage"] = _(
                    "%(label)s: “%(value)s” is not a stage; write 前期, 在建 or 建成."
                ) % {"label": PROJECT_LABELS["stage"], "value": text_of(stage)}
        if amount in (None, ""):
            amount = None
        else:
            amount = self.cell(line, "amount", errors, parse_amount)
        line.values = {"progress": progress, "stage": stage, "amount": amount}
        return self.checked(line, project, errors)

    def checked(self, line: Line, subject, errors: dict) -> Line:
        """The row with its subject, once it is known to appear once in the file and to go to
        a quarter open to the importer."""
        if not errors:
            line.subject = subject
            self.once_and_open(line, errors)
        line.errors = list(dict.fromkeys(errors.values()))
        if line.errors:
            line.subject = None
        return line

    def please_fill(self, line: Line, column: str) -> str:
        return _("%(label)s: please fill it in.") % {"label": line.label[column]}

    def cell(self, line: Line, column: str, errors: dict, parse):
        """The cell parsed, or None with the error noted when empty or not understood."""
        value = line.cells.get(column)
        if value in (None, ""):
            errors[column] = self.please_fill(line, column)
            return None
        try:
            return parse(value)
        except (ValueError, InvalidOperation):
            errors[column] = _("%(label)s: “%(value)s” is not understood.") % {
                "label": line.label[column],
                "value": text_of(value),
            }
            return None

    def quarter(self, line: Line, errors: dict) -> None:
        """The row's quarter; one written with a year (2021Q3) must be of the row's year."""
        line.quarter = self.cell(line, "quarter", errors, parse_quarter)
        value = text_of(line.cells.get("quarter"))
        written = re.match(r"\d{4}", value)
        if line.quarter and line.plan and written and int(written[0]) != line.plan.year:
            errors["quarter"] = _(
                "%(label)s: “%(value)s” is not a quarter of %(year)s, the row's year."
            ) % {"label": line.label["quarter"], "value": value, "year": line.plan.year}

    def plan(self, line: Line, errors: dict) -> Plan | None:
        year = self.cell(line, "year", errors, lambda value: int(text_of(value)))
        plan = self.plans.get(year)
        if year is not None and plan is None:
            errors["year"] = _("%(label)s: there is no plan for %(year)s.") % {
                "label": line.label["year"],
                "year": year,
            }
        return plan

    def city(self, line: Line, errors: dict) -> City | None:
        """The row's city, refused when unknown or not one the importer acts for."""
        line.city = self.cities.get(header_key(line.cells.get("city")))
        if line.city is None:
            errors["city"] = _("%(label)s: unknown city “%(value)s”.") % {
                "label": line.label["city"],
                "value": text_of(line.cells.get("city")),
            }
        elif not self.reach.acts_for(line.city):
            errors["city"] = _(
                "%(label)s: you can import only %(own)s's figures, not %(city)s's."
            ) % {
                "label": line.label["city"],
                "own": self.reach.city.name if self.reach.city else "—",
                "city": line.city.name,
            }
        return None if "city" in errors else line.city

    def text(self, line: Line, column: str, errors: dict) -> str:
        """A text cell: never a formula, never a control character."""
        text = text_of(line.cells.get(column))
        label = line.label[column]
        if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
            text = text[1:]  # Escaped by our own export; the text itself is what follows.
        elif text.startswith(("=", "@")):
            errors[column] = _(
                "%(label)s: a note cannot start with = or @, which Excel reads as a formula."
            ) % {"label": label}
        if CONTROL_CHARACTERS.search(text):
            errors[column] = control_character_error(label).messages[0]
        return text

    def project(self, line: Line, errors: dict) -> Project | None:
        """The row's project by its 项目编号, or else by its name (which must then be the plan's
        only project of that name)."""
        number, name = text_of(line.cells.get("project_id")), text_of(line.cells.get("project"))
        words = {
            "id_label": PROJECT_LABELS["project_id"],
            "label": PROJECT_LABELS["project"],
            "number": number,
            "name": name,
            "year": line.plan.year if line.plan else "",
        }
        if not number and not name:
            errors["project"] = _("%(id_label)s or %(label)s: please fill one in.") % words
            return None
        if line.plan is None:
            return None
        by_id, by_name = self.projects
        if number:
            project = by_id.get((line.plan.year, number))
            if project is None:
                errors["project_id"] = (
                    _("%(id_label)s: the %(year)s plan has no key project %(number)s.") % words
                )
            elif name and header_key(name) != header_key(project.name):
                errors["project"] = _(
                    "%(label)s: “%(name)s” is not the name of key project %(number)s (%(project)s)."
                ) % {**words, "project": project.name}
            return project
        matches = by_name.get((line.plan.year, header_key(name)), [])
        if len(matches) == 1:
            return matches[0]
        if matches:
            errors["project"] = _(
                "%(label)s: %(count)d key projects of the %(year)s plan are named “%(name)s”; "
                "give the row's %(id_label)s."
            ) % {**words, "count": len(matches)}
        else:
            errors["project"] = (
                _("%(label)s: the %(year)s plan has no key project “%(name)s”.") % words
            )
        return None

    def once_and_open(self, line: Line, errors: dict) -> None:
        """A row's subject, city, year and quarter appear once in the file, and the quarter
        is open, or the office gives a reason to correct it."""
        if line.key in self.seen:
            repeated = {
                REPORTS: _("This row repeats row %(row)s: the same task, city, year and quarter."),
                PROJECTS: _(
                    "This row repeats row %(row)s: the same key project, city, year and quarter."
                ),
            }
            errors[line.sheet] = repeated[line.sheet] % {"row": self.seen[line.key]}
        self.seen.setdefault(line.key, line.number)
        words = {"label": line.label["quarter"], "year": line.plan.year, "q": line.quarter}
        if (line.plan.year, line.quarter) not in self.closed:
            return
        if not self.reach.office:
            errors["quarter"] = _("%(label)s: the office has closed %(year)s Q%(q)s.") % words
        elif not self.reason:
            errors["quarter"] = (
                _(
                    "%(label)s: %(year)s Q%(q)s is closed; give the reason for the "
                    "correction to import into it."
                )
                % words
            )

    # Saving: each city's quarter as its entry saves it.

    def run(self, *, dry_run: bool) -> bool:
        """Check and save every row, or none; with `dry_run` (the preview), save nothing
        either way. Whether the file passed."""
        with transaction.atomic():
            groups = defaultdict(list)
            for line in self.lines:
                if line.read:
                    groups[line.group].append(line)
            # By year, city and quarter: a file's earlier quarter is saved (and submitted)
            # before its later one, which may then be submitted on top of it.
            for _group, lines in sorted(groups.items()):
                self.save_quarter(lines)
            passed = not self.failed and not self.errors
            if dry_run or not passed:
                transaction.set_rollback(True)
        return passed

    @property
    def failed(self) -> list[Line]:
        return [line for line in self.lines if line.errors]

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys((NEW, UPDATE, SKIP), 0)
        for line in self.lines:
            if not line.errors:
                counts[line.outcome] += 1
        return counts

    def sheet(self, sheet: str) -> list[Line]:
        return [line for line in self.lines if line.sheet == sheet]

    def save_quarter(self, lines: list[Line]) -> None:
        """Fill the rows of one city's quarter into its entry and save and submit them."""
        first, only = lines[0], defaultdict(set)
        for line in lines:
            only[line.sheet].add(line.subject.pk)
        entry = QuarterEntry(
            user=self.user,
            city=first.city,
            plan=first.plan,
            quarter=first.quarter,
            reason=self.reason,
            source=self.file_name or "—",
            only=only,
        )
        data, forms = entry.posted(), {}
        for line in lines:
            formset = entry.reports if line.sheet == REPORTS else entry.projects
            form = formset.form_for(line.subject)
            if form is None:  # The plan changed since the checks above read it.
                line.errors.append(_("This row is not on the city's quarter entry."))
                continue
            record = form.row.record
            version = record.version if record else 0
            self.versions[line.key] = version
            if self.previewed is not None and self.previewed.get(line.key) != version:
                line.errors.append(self.changed_message(line, record))
                continue
            if record is not None:
                line.before = {name: getattr(record, name) for name in ENTERED[line.sheet]}
                line.before["status"] = record.status
                line.before["is_sample"] = record.is_sample
            self.keep_blanks(line)
            if line.errors:
                continue
            for name, value in line.values.items():
                data[form.add_prefix(name)] = "" if value is None else value
            forms[line] = form.prefix
        if any(line.errors for line in lines):
            return
        entry = entry.bound(data)
        saved = entry.save(submit=True)
        bound = {form.prefix: form for formset in entry.formsets for form in formset.forms}
        for line, prefix in forms.items():
            form = bound[prefix]
            line.errors = [message for errors in form.errors.values() for message in errors]
            line.outcome = self.outcome(line, form)
        if saved is None and not any(line.errors for line in lines):
            # A row of the quarter the file does not name failed: say which.
            self.errors += [
                f"{label}: {message}"
                for _anchor, label, messages in entry.rows_with_errors
                for message in messages
            ]

    def keep_blanks(self, line: Line) -> None:
        """A blank cell keeps what the row's record says (the template says so): a clerk who
        fills in only the amount never erases the note. Without a record, a key project's
        section needs its 形象进度 and 当前阶段."""
        for name, value in line.values.items():
            if value in (None, "") and line.before is not None:
                line.values[name] = line.before[name]
        if line.before is None and line.sheet == PROJECTS:
            for name in ("progress", "stage"):
                if line.values.get(name) in (None, ""):
                    line.errors.append(self.please_fill(line, name))

    @staticmethod
    def outcome(line: Line, form) -> str:
        if line.errors:
            return SKIP
        if form.is_valid() and form.wants_saving():
            return NEW if line.before is None else UPDATE
        # Unchanged, but a draft the import submits (never a sample row).
        before = line.before or {}
        if before.get("status") in Reported.EDITABLE and not before.get("is_sample"):
            return UPDATE
        return SKIP

    def changed_message(self, line: Line, record) -> str:
        words = {
            "city": line.city.name,
            "year": line.plan.year,
            "quarter": line.quarter,
            "user": display_name(record.updated_by if record else None),
        }
        if line.sheet == REPORTS:
            return _(
                "Task %(task)s, %(city)s, %(year)s Q%(quarter)s changed after the preview "
                "(now %(amount)s 亿元, last changed by %(user)s). Nothing was imported: upload "
                "the file again to check it against the figures as they are now."
            ) % {
                **words,
                "task": line.subject.code,
                "amount": exact(record.amount) if record else "—",
            }
        return _(
            "Key project %(project)s, %(city)s, %(year)s Q%(quarter)s changed after the preview "
            "(now %(stage)s, last changed by %(user)s). Nothing was imported: upload the file "
            "again to check it against the updates as they are now."
        ) % {
            **words,
            "project": line.subject.name,
            "stage": record.get_stage_display() if record else "—",
        }

    def landing(self) -> tuple[int, str, int] | None:
        """The year, city and quarter most of the file's rows went to (changed ones first)."""
        rows = [line for line in self.lines if line.subject is not None and not line.errors]
        changed = [line for line in rows if line.outcome != SKIP]
        if not rows:
            return None
        counts = defaultdict(int)
        for line in changed or rows:
            counts[(line.plan.year, line.city.slug, line.quarter)] += 1
        return max(counts, key=counts.get)
