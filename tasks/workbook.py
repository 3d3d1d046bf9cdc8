"""The plan workbook (工作要点工作簿): a whole year's plan in one .xlsx, to download from the
admin (or `manage.py export_plan`), fill in, and upload again (or `manage.py import_plan`).

Seven sheets, one subject each: 工作要点 (the plan's own fields, in its second row), 成员, 走廊,
要点, 任务, 重点项目 and 工作节点, with Chinese headers (English ones are read too). `export_plan`
writes them; `PlanWorkbook` reads them back and saves them as the office's edits in the admin
would be saved: row by row, through each model's full_clean and the rules of the admin's forms
(a task's cities are the plan's members, a project's lie within its task's, a city with records
never leaves a task or a project), so that tasks, projects and milestones keep their history.

Each row is matched to what it describes: the plan by its year, a place by its code, a corridor
by its slug, an area by its number, a task by its code, a key project by its 项目编号 (else by
its task and name), a milestone by its task and name. A row as the database has it changes
nothing and writes no history; what the database holds and the file does not is kept, never
deleted; what the cities report (figures, updates, problems, a milestone's status) is never
touched. A place the 成员 sheet names by a new code is made from its code, name and city; a
place already known is never changed here (every year's plan shares it). A new plan is made a
draft that only the office sees, whatever its 状态 says. Every row is saved, or none: the
preview is the same pass, rolled back.
"""

import hashlib
import io
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from openpyxl import Workbook

from plan.forms import CONTROL_CHARACTERS, control_character_error, is_id
from plan.models import CODE_RE as PLACE_CODE
from plan.models import City, Corridor, FocusArea, Member, Plan, Unit
from plan.spreadsheets import (
    FileRefused,
    Sheet,
    header_key,
    parse_amount,
    parse_quarter,
    read_workbook,
    text_of,
)
from tasks.models import CODE_RE as TASK_CODE
from tasks.models import Milestone, Project, Task, city_records, with_coverage
from tasks.national_code import normalise

PLAN, MEMBERS, CORRIDORS, AREAS, TASKS, PROJECTS, MILESTONES = (
    "plan",
    "members",
    "corridors",
    "areas",
    "tasks",
    "projects",
    "milestones",
)
# Each sheet's title as written (and as messages name the sheet), then the others it may have.
TITLES = {
    PLAN: ("工作要点", "plan", "work plan"),
    MEMBERS: ("成员", "members"),
    CORRIDORS: ("走廊", "corridors"),
    AREAS: ("要点", "focus areas", "areas"),
    TASKS: ("任务", "tasks"),
    PROJECTS: ("重点项目", "key projects", "projects"),
    MILESTONES: ("工作节点", "milestones"),
}
# Each sheet's columns: the header written (and what messages call the column), then the other
# headers it may have; compared after header_key.
COLUMNS = {
    PLAN: {
        "year": ("年度", "year"),
        "title": ("标题", "title"),
        "title_en": ("英文标题", "title_en"),
        "source": ("资料来源", "source"),
        "status": ("状态", "status"),
        "issued_on": ("印发日期", "issued_on"),
        "is_current": ("当前要点", "is_current"),
        "declared_area_count": ("要点数(原文)", "declared_area_count"),
        "declared_task_count": ("任务数(原文)", "declared_task_count"),
        "pace_q1": ("一季度末应完成(%)", "pace_q1"),
        "pace_q2": ("二季度末应完成(%)", "pace_q2"),
        "pace_q3": ("三季度末应完成(%)", "pace_q3"),
        "pace_q4": ("四季度末应完成(%)", "pace_q4"),
        "report_deadline_days": ("填报期限(季后天数)", "report_deadline_days"),
    },
    MEMBERS: {
        "code": ("地区代码", "code"),
        "name": ("名称", "name"),
        "name_en": ("英文名称", "name_en"),
        "city_code": ("所属城市代码", "city_code"),
        "scope": ("范围", "scope"),
        "counties": ("成员县区代码", "成员县区", "counties"),
    },
    CORRIDORS: {
        "slug": ("代号", "slug"),
        "name": ("名称", "name"),
        "name_en": ("英文名称", "name_en"),
        "kind": ("类型", "kind"),
        "cities": ("城市", "cities"),
    },
    AREAS: {
        "number": ("编号", "number"),
        "name": ("名称", "name"),
        "name_en": ("英文名称", "name_en"),
        "summary": ("概要", "summary"),
        "summary_en": ("英文概要", "summary_en"),
    },
    TASKS: {
        "code": ("编号", "任务编号", "code"),
        "title": ("标题", "title"),
        "title_en": ("英文标题", "title_en"),
        "description": ("原文", "description"),
        "target": ("年度投资目标(亿元)", "target_yi", "target"),
        "source_note": ("资料说明", "source_note"),
        "source_note_en": ("英文资料说明", "source_note_en"),
        "cities": ("城市", "cities"),
        "corridor": ("走廊", "corridor"),
        "lead_unit": ("牵头单位", "lead_unit"),
        "supporting_units": ("配合单位", "supporting_units"),
        "predecessor": ("上年任务", "predecessor"),
    },
    PROJECTS: {
        "id": ("项目编号", "project_id", "id"),
        "task": ("任务编号", "task"),
        "name": ("名称", "项目名称", "name"),
        "national_code": ("项目代码", "national_code", "national project code"),
        "description": ("原文", "description"),
        "cities": ("城市", "cities"),
        "goal": ("年度目标", "goal"),
        "total_investment": ("总投资(亿元)", "total_investment_yi", "total_investment"),
        "annual_investment": ("年度计划投资(亿元)", "annual_investment_yi", "annual_investment"),
        "planned_start": ("计划开工", "planned_start"),
        "planned_finish": ("计划建成", "planned_finish"),
        "lead_unit": ("牵头单位", "lead_unit"),
        "supporting_units": ("配合单位", "supporting_units"),
        "predecessor": ("上年项目", "predecessor"),
    },
    MILESTONES: {
        "task": ("任务编号", "task"),
        "name": ("名称", "name"),
        "kind": ("类型", "kind"),
        "city": ("城市", "city"),
        "due_quarter": ("计划季度", "due_quarter"),
        "project": ("项目", "project"),
    },
}
# What names a row: a sheet without these columns is refused whole.
REQUIRED = {
    PLAN: ("year",),
    MEMBERS: ("code", "name"),
    CORRIDORS: ("slug", "name"),
    AREAS: ("number", "name"),
    TASKS: ("code", "title"),
    PROJECTS: ("task", "name"),
    MILESTONES: ("task", "name"),
}
# Columns wider than the default, in characters.
WIDE = {"title": 40, "title_en": 40, "source": 40, "description": 50, "source_note": 30}
WIDE |= {"source_note_en": 30, "summary": 30, "summary_en": 30, "name": 24, "name_en": 24}
WIDE |= {"cities": 20, "lead_unit": 20, "supporting_units": 24, "national_code": 26}
AMOUNT = "0.00##"  # At least 2 decimals, and the 4 an amount keeps (万元) when it has them.

# A member's scope, as the sheet writes it (data, not words of the page: never translated).
WHOLE, PART, COUNTY = "整市", "部分", "县区"
SCOPES = {
    header_key(word): scope
    for words, scope in [
        ((WHOLE, "whole", "whole city"), WHOLE),
        ((PART, "部分县区", "in part", "part"), PART),
        ((COUNTY, "county", "district"), COUNTY),
    ]
    for word in words
}
YES, NO = "是", "否"
BOOLEANS = {header_key(w): True for w in (YES, "yes", "true", "1")}
BOOLEANS |= {header_key(w): False for w in (NO, "no", "false", "0")}
# Lists in one cell: 郑州、开封 (or with commas, semicolons or one a line).
SEPARATORS = re.compile(r"[、,，;；\n]+")
PREDECESSOR_TASK = re.compile(r"(\d{4})\s*/\s*(\d{1,2}\.\d{1,2})")


# Writing.


def export_plan(plan: Plan) -> bytes:
    """The plan's workbook: every sheet the import reads, as the import reads it back (an
    unchanged workbook imported again changes nothing)."""
    with translation.override("zh-hans"):
        book = Workbook(write_only=True)
        for sheet, rows in [
            (PLAN, [plan_row(plan)]),
            (MEMBERS, member_rows(plan)),
            (CORRIDORS, corridor_rows(plan)),
            (AREAS, area_rows(plan)),
            (TASKS, task_rows(plan)),
            (PROJECTS, project_rows(plan)),
            (MILESTONES, milestone_rows(plan)),
        ]:
            columns = COLUMNS[sheet]
            widths = [WIDE.get(name, 14) for name in columns]
            writer = Sheet(book, TITLES[sheet][0], [c[0] for c in columns.values()], widths)
            writer.start_table()
            for row in rows:
                writer.append(row)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()


def amount(value: Decimal | None):
    return None if value is None else (value, AMOUNT)


def names(rows) -> str:
    return "、".join(row.name for row in rows)


def plan_row(plan: Plan) -> list:
    return [
        plan.year,
        plan.title,
        plan.title_en,
        plan.source,
        str(plan.get_status_display()),
        plan.issued_on,
        YES if plan.is_current else NO,
        plan.declared_area_count,
        plan.declared_task_count,
        plan.pace_q1,
        plan.pace_q2,
        plan.pace_q3,
        plan.pace_q4,
        plan.report_deadline_days,
    ]


def member_rows(plan: Plan):
    for member in plan.members.select_related("place__parent").prefetch_related("counties"):
        place, counties = member.place, list(member.counties.all())
        scope = COUNTY if place.parent_id else PART if counties else WHOLE
        yield [
            place.code or "",
            place.name,
            place.name_en,
            (place.parent.code or "") if place.parent_id else "",
            scope,
            "、".join(county.code or county.name for county in counties),
        ]


def corridor_rows(plan: Plan):
    for corridor in plan.corridors.prefetch_related("cities"):
        kind = str(corridor.get_kind_display())
        yield [corridor.slug, corridor.name, corridor.name_en, kind, names(corridor.cities.all())]


def area_rows(plan: Plan):
    for area in plan.areas.all():
        yield [area.number, area.name, area.name_en, area.summary, area.summary_en]


def task_rows(plan: Plan):
    tasks = (
        Task.objects.of_plan(plan)
        .select_related("area", "corridor", "lead_unit", "predecessor__area__plan")
        .prefetch_related("cities", "supporting_units")
    )
    for task in tasks:
        earlier = task.predecessor
        yield [
            task.code,
            task.title,
            task.title_en,
            task.description,
            amount(task.target),
            task.source_note,
            task.source_note_en,
            names(task.cities.all()),
            task.corridor.slug if task.corridor else "",
            task.lead_unit.name if task.lead_unit else "",
            names(task.supporting_units.all()),
            f"{earlier.area.plan.year}/{earlier.code}" if earlier else "",
        ]


def project_rows(plan: Plan):
    projects = (
        Project.objects.of_plan(plan)
        .select_related("task__area", "lead_unit")
        .prefetch_related("cities", "supporting_units")
        .order_by("task__area__number", "task__number", "pk")
    )
    for project in projects:
        yield [
            project.pk,
            project.task.code,
            project.name,
            project.national_code,
            project.description,
            names(project.cities.all()),
            str(project.get_goal_display()),
            amount(project.total_investment),
            amount(project.annual_investment),
            project.planned_start,
            project.planned_finish,
            project.lead_unit.name if project.lead_unit else "",
            names(project.supporting_units.all()),
            project.predecessor_id,
        ]


def milestone_rows(plan: Plan):
    milestones = (
        Milestone.objects.filter(task__area__plan=plan)
        .select_related("task__area", "city", "project")
        .order_by("task__area__number", "task__number", "pk")
    )
    for milestone in milestones:
        yield [
            milestone.task.code,
            milestone.name,
            str(milestone.get_kind_display()),
            milestone.city.name if milestone.city else "",
            milestone.due_quarter,
            milestone.project.name if milestone.project else "",
        ]


# Reading.


def choices(model_choices) -> dict[str, str]:
    """A choice by its stored value or its label in Chinese or English."""
    found = {}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            for value, label in model_choices:
                found[header_key(label)] = value
    return found | {header_key(value): value for value, _label in model_choices}


def parse_int(value) -> int:
    text = text_of(value)
    if (isinstance(value, float) and not value.is_integer()) or not re.fullmatch(r"\d{1,6}", text):
        raise ValueError
    return int(text)


def parse_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = re.fullmatch(
        r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?", text_of(value)
    )
    if not match:
        raise ValueError
    return date(*map(int, match.groups()))


def is_city_code(code: str) -> bool:
    """Whether a code of GB/T 2260 is a city's: a 地级市's ends in 00 (a province's in 0000),
    and a city the province governs directly (省直辖, 济源 419001) has 90 in its middle."""
    return (code.endswith("00") and not code.endswith("0000")) or code[2:4] == "90"


@dataclass(eq=False)
class Row:
    """One row of a sheet: its number in the sheet (the header is row 1), its cells by column,
    and what is wrong with it (`said`), each message naming its column."""

    sheet: str
    number: int
    cells: dict
    said: list[str] = field(default_factory=list)

    def label(self, column: str) -> str:
        return COLUMNS[self.sheet][column][0]

    def has(self, column: str) -> bool:
        """Whether the sheet has the column: one it lacks leaves its field as it is."""
        return column in self.cells

    def text(self, column: str) -> str:
        """A text as it is stored: stripped, as the admin's forms strip it, never folded."""
        value = self.cells.get(column)
        if value is None:
            return ""
        text = (value if isinstance(value, str) else text_of(value)).strip()
        if CONTROL_CHARACTERS.search(text):
            # What XML cannot hold would break every later workbook and Word file.
            self.said.append(control_character_error(self.label(column)).messages[0])
            return CONTROL_CHARACTERS.sub("", text)
        return text

    def word(self, column: str) -> str:
        """A code, a name or a choice: NFKC-folded and stripped."""
        return text_of(self.cells.get(column))

    def words(self, column: str) -> list[str]:
        return [word.strip() for word in SEPARATORS.split(self.word(column)) if word.strip()]

    def refuse(self, column: str, message: str, **words) -> None:
        self.said.append(message % {"label": self.label(column), **words})

    def parsed(self, column: str, parse):
        """The cell parsed; None when empty, or when not understood (and said so)."""
        value = self.cells.get(column)
        if value is None or text_of(value) == "":
            return None
        try:
            return parse(value)
        except (ValueError, InvalidOperation, TypeError):
            self.refuse(
                column, _("%(label)s: “%(value)s” is not understood."), value=text_of(value)
            )
            return None

    def amount(self, column: str) -> Decimal | None:
        """An amount in 亿元: a number, never negative (1e309 is no number)."""
        value = self.cells.get(column)
        if value is None or text_of(value) == "":
            return None
        try:
            found = parse_amount(value)
        except (ValueError, InvalidOperation):
            self.refuse(column, _("%(label)s: “%(value)s” is not a number."), value=text_of(value))
            return None
        if found < 0:
            self.refuse(column, _("%(label)s: an amount cannot be negative."))
            return None
        return found

    def choice(self, column: str, known: dict[str, str], words: str):
        """A choice by its value or label; None when empty or unknown (said so)."""
        word = self.word(column)
        if not word:
            return None
        found = known.get(header_key(word))
        if found is None:
            self.refuse(
                column,
                _("%(label)s: “%(value)s” is not one of %(words)s."),
                value=word,
                words=words,
            )
        return found


@dataclass
class Outcome:
    """What one sheet's rows do: the rows new and changed (with the columns that change),
    how many are unchanged, and what the plan holds that the sheet does not (kept)."""

    new: list[str] = field(default_factory=list)
    changed: list[tuple[str, str]] = field(default_factory=list)
    unchanged: int = 0
    kept: list[str] = field(default_factory=list)

    def counts(self) -> list[int]:
        return [len(self.new), len(self.changed), self.unchanged, len(self.kept)]


def read_rows(sheet: str, rows) -> list[Row]:
    """The sheet's rows after its header row, blank ones left out."""
    title = TITLES[sheet][0]
    try:
        lines = list(rows)  # At most MAX_ROWS of MAX_COLUMNS: the reader refuses more.
    except FileRefused as error:
        raise FileRefused(
            _("The sheet %(sheet)s: %(error)s") % {"sheet": title, "error": error}
        ) from error
    headers = {header_key(h): column for column, hs in COLUMNS[sheet].items() for h in hs}
    found = {}
    for index, name in enumerate(lines[0] if lines else []):
        column = headers.get(header_key(name))
        if column in found:
            raise FileRefused(
                _("The sheet %(sheet)s has the column %(name)s twice.")
                % {"sheet": title, "name": text_of(name)}
            )
        if column:
            found[column] = index
    missing = [COLUMNS[sheet][c][0] for c in REQUIRED[sheet] if c not in found]
    if missing:
        raise FileRefused(
            _("The sheet %(sheet)s lacks the columns %(missing)s.")
            % {"sheet": title, "missing": "、".join(missing)}
        )
    table = []
    for number, line in enumerate(lines[1:], start=2):
        cells = {column: line[i] if i < len(line) else None for column, i in found.items()}
        if any(text_of(value) for value in cells.values()):
            table.append(Row(sheet, number, cells))
    return table


# All sheets' rows together (a 2021-sized plan has about 90).
MAX_PLAN_ROWS = 400


class PlanWorkbook:
    """An uploaded plan workbook: `run` checks and saves every row, or none.

    The file as a whole is refused at once (`FileRefused`): not a workbook, too large, a sheet
    or a naming column missing. Its rows are checked by `run`; `errors` says what is wrong
    with each, naming its sheet, row and column."""

    def __init__(self, data: bytes, file_name: str = "") -> None:
        # The file's name goes into the history: never a control character, never unbounded.
        self.file_name = CONTROL_CHARACTERS.sub("", file_name)[:200]
        found = {}
        for title, rows in read_workbook(data).items():
            for sheet, titles in TITLES.items():
                if header_key(title) not in map(header_key, titles):
                    continue
                if sheet in found:
                    # Two sheets of tasks (任务 and Tasks): which one is meant is not guessed.
                    raise FileRefused(
                        _("The workbook has the sheet %(sheet)s twice.") % {"sheet": titles[0]}
                    )
                found[sheet] = rows
        missing = [titles[0] for sheet, titles in TITLES.items() if sheet not in found]
        if missing:
            raise FileRefused(
                _(
                    "The workbook lacks the sheets %(sheets)s; download a plan's workbook from "
                    "the admin to see every sheet and its columns."
                )
                % {"sheets": "、".join(missing)}
            )
        self.rows = {sheet: read_rows(sheet, found[sheet]) for sheet in TITLES}
        total = sum(len(rows) for rows in self.rows.values())
        if total > MAX_PLAN_ROWS:
            # Each row is checked and saved as the admin would (its history too): a few ms
            # each, so that a preview or a confirm stays within two seconds.
            raise FileRefused(
                _(
                    "The workbook has %(count)d rows; a plan workbook holds at most %(most)d. "
                    "Import a larger plan in several workbooks: rows a workbook leaves out are "
                    "kept."
                )
                % {"count": total, "most": MAX_PLAN_ROWS}
            )
        self.errors: list[str] = []
        self.outcomes = {sheet: Outcome() for sheet in TITLES}
        self.new_places: list[City] = []
        self.plan: Plan | None = None
        self.created = False
        self.user = None
        self.held: set[int] = set()
        self.places: dict[str, City] = {}
        self.places_by_name: dict[str, City] = {}
        self.place_index: dict[str, City] | None = None
        self.unit_index: dict[str, Unit] | None = None

    # The pass.

    def run(self, *, user=None, dry_run: bool, expected: dict | None = None) -> bool:
        """Check and save every row, or none; with `dry_run` (the preview), save nothing either
        way. `expected`, at a confirm, is what the preview counted: a plan changed meanwhile
        refuses the file. Whether the file passed."""
        self.user = user
        try:
            with transaction.atomic():
                self.save_all()
                if not self.errors and expected is not None and expected != self.fingerprint():
                    self.errors.append(
                        _(
                            "The plan changed after the preview, so the file would now do "
                            "something else. Nothing was imported: upload it again."
                        )
                    )
                passed = not self.errors
                if dry_run or not passed:
                    transaction.set_rollback(True)
        except IntegrityError:
            # Someone saved the same row (the same new plan, place or task) at this moment,
            # after this pass checked it.
            self.errors.append(
                _(
                    "Someone saved the plan at the same moment. Nothing was imported: upload "
                    "it again."
                )
            )
            return False
        return passed

    def counts(self) -> dict[str, list[int]]:
        return {sheet: outcome.counts() for sheet, outcome in self.outcomes.items()}

    def fingerprint(self) -> str:
        """What the pass does, row by row and column by column: a confirm must do what its
        preview showed, not merely as many things (a colleague's edit meanwhile would be
        undone unseen)."""
        done = {
            sheet: [outcome.new, outcome.changed, outcome.unchanged, outcome.kept]
            for sheet, outcome in self.outcomes.items()
        }
        text = json.dumps(done, ensure_ascii=False, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    def sheets(self) -> list[tuple[str, Outcome]]:
        """Each sheet's title and what its rows do, for the preview."""
        return [(TITLES[sheet][0], outcome) for sheet, outcome in self.outcomes.items()]

    def save_all(self) -> None:
        self.plan = plan = self.save_plan()
        if plan is None:
            return  # Every other sheet is the plan's.
        self.save_members(plan)
        self.save_corridors(plan)
        self.save_areas(plan)
        self.save_tasks(plan)
        self.save_projects(plan)
        self.save_milestones(plan)
        self.check_coverage(plan)

    def tell(self, row: Row) -> bool:
        """Move the row's messages to the file's, each with its sheet and row; whether it
        had none."""
        for message in row.said:
            self.errors.append(
                _("%(sheet)s sheet, row %(row)s: %(error)s")
                % {"sheet": TITLES[row.sheet][0], "row": row.number, "error": message}
            )
        fine, row.said = not row.said, []
        return fine

    def store(self, row: Row, obj, values: dict, related: dict, label: str) -> bool:
        """Save `obj` with `values` and its many-to-many `related` when they change it, through
        its full_clean; note what it did. Whether it stands (saved, or as it was)."""
        new = obj.pk is None
        changed = [name for name, value in values.items() if new or not same(obj, name, value)]
        changed += [
            name
            for name, rows in related.items()
            if new or {r.pk for r in getattr(obj, name).all()} != {r.pk for r in rows}
        ]
        outcome = self.outcomes[row.sheet]
        if not changed:
            outcome.unchanged += 1
            return True
        for name, value in values.items():
            setattr(obj, name, value)
        try:
            obj.full_clean()
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                row.said += [self.named(row.sheet, obj, name, message) for message in messages]
            return False
        if hasattr(obj, "history"):
            obj._change_reason = _("Imported from %(file)s") % {"file": self.file_name or "—"}
            if self.user is not None:
                obj._history_user = self.user
        obj.save()
        for name, rows in related.items():
            getattr(obj, name).set(rows)
        if new:
            outcome.new.append(label)
        else:
            columns = COLUMNS[row.sheet]
            said = "、".join(columns[name][0] for name in changed if name in columns)
            outcome.changed.append((label, said))
        return True

    @staticmethod
    def named(sheet: str, obj, name: str, message: str) -> str:
        """A model's message, with its column when it does not name one itself (the project's
        own messages start with their field, as 名称：…)."""
        if name == NON_FIELD_ERRORS or re.match(r"^[^，。,.]{1,20}[：:]", message):
            return message
        column = COLUMNS[sheet].get(name)
        label = column[0] if column else obj._meta.get_field(name).verbose_name
        return _("%(label)s: %(error)s") % {"label": label, "error": message}

    # 工作要点

    def save_plan(self) -> Plan | None:
        rows = self.rows[PLAN]
        if not rows:
            self.errors.append(
                _("The sheet 工作要点 has no plan: write it in the row under the headers.")
            )
            return None
        row = rows[0]
        for extra in rows[1:]:
            extra.said.append(_("The sheet 工作要点 holds one plan, in its second row."))
            self.tell(extra)
        year = row.parsed("year", parse_int)
        if year is None and not row.said:
            row.refuse("year", _("%(label)s: please fill it in."))
        elif year is not None and not 2000 <= year <= 2100:
            row.refuse("year", _("%(label)s: %(year)s is not a year from 2000 to 2100."), year=year)
        if not self.tell(row):
            return None
        plan = Plan.objects.filter(year=year).first()
        self.created = plan is None
        if plan is None:
            plan = Plan(year=year)
        values = {name: row.text(name) for name in ("title", "title_en", "source") if row.has(name)}
        if row.has("status"):
            words = "、".join(str(label) for _value, label in Plan.Status.choices)
            status = row.choice("status", choices(Plan.Status.choices), words)
            if status is not None:
                values["status"] = status
        if row.has("issued_on"):
            values["issued_on"] = issued = row.parsed("issued_on", parse_date)
            if issued is not None and issued.year != year:
                row.refuse(
                    "issued_on",
                    _("%(label)s: %(date)s is not in %(year)s; a plan is issued within its year."),
                    date=issued.isoformat(),
                    year=year,
                )
        if row.has("is_current"):
            current = row.choice("is_current", BOOLEANS, f"{YES}、{NO}")
            values["is_current"] = bool(current)
        for name in ("declared_area_count", "declared_task_count"):
            if row.has(name):
                values[name] = row.parsed(name, parse_int)
        for name in ("pace_q1", "pace_q2", "pace_q3", "pace_q4", "report_deadline_days"):
            if row.has(name):
                number = row.parsed(name, parse_int)
                if number is None and not row.word(name):
                    row.refuse(name, _("%(label)s: please fill it in."))
                elif number is not None:
                    values[name] = number
        if self.created:
            # A plan made from a workbook is the office's draft until she issues it.
            values |= {"status": Plan.Status.DRAFT, "is_current": False}
        if row.said or not self.store(row, plan, values, {}, plan.title or str(year)):
            self.tell(row)
            return None
        return plan

    # 成员

    def save_members(self, plan: Plan) -> None:
        self.places = {p.code: p for p in City.objects.select_related("parent") if p.code}
        self.places_by_name = {p.name: p for p in self.places.values()}
        self.places_by_name |= {p.name: p for p in City.objects.filter(code__isnull=True)}
        members = {
            member.place_id: member
            for member in plan.members.select_related("place__parent").prefetch_related("counties")
        }
        # Cities before counties, so that a county names a city the sheet has just added.
        rows = sorted(self.rows[MEMBERS], key=lambda row: bool(row.word("city_code")))
        read = {}
        for row in rows:
            found = self.read_member(row, read)
            if found is not None:
                read[found[0].pk] = (row, *found)
        self.check_holding(members, read)
        chosen = {row: (place, counties) for row, place, counties in read.values()}
        for row in self.rows[MEMBERS]:
            if row in chosen and not row.said:
                place, counties = chosen[row]
                member = members.get(place.pk) or Member(plan=plan, place=place)
                self.store(row, member, {}, {"counties": counties}, place.name)
            self.tell(row)
        self.outcomes[MEMBERS].kept = [m.place.name for pk, m in members.items() if pk not in read]
        self.held = set(City.objects.of_plan(plan).values_list("pk", flat=True))

    def read_member(self, row: Row, read: dict) -> tuple[City, list[City]] | None:
        code, name, city_code = row.word("code"), row.text("name"), row.word("city_code")
        for column, value in (("code", code), ("city_code", city_code)):
            if value and not PLACE_CODE.fullmatch(value):
                row.refuse(
                    column,
                    _("%(label)s: “%(code)s” is not a six-digit code of GB/T 2260 (410100)."),
                    code=value,
                )
        if row.said:
            return None
        parent = None
        if city_code:
            parent = self.places.get(city_code)
            if parent is None or parent.parent_id is not None:
                row.refuse(
                    "city_code",
                    _(
                        "%(label)s: no city has the code %(code)s; list the city on this sheet "
                        "too, or add it in the admin."
                    ),
                    code=city_code,
                )
                return None
        place = self.places.get(code) if code else self.places_by_name.get(name)
        if place is None:
            place = self.new_place(row, code, name, parent)
            if place is None:
                return None
        elif name and name != place.name:
            row.refuse(
                "name",
                _("%(label)s: %(code)s is the code of %(place)s, not of “%(name)s”."),
                code=code,
                place=place.name,
                name=name,
            )
        elif parent is not None and place.parent_id != parent.pk:
            self.wrong_city(row, place.name, code, parent)
        if row.said:
            return None
        if place.pk in read:
            row.refuse(
                "code",
                _(
                    "%(label)s: %(place)s is listed already, in row %(row)s; a place is a "
                    "member once: whole, in part or as a county."
                ),
                place=place.name,
                row=read[place.pk][0].number,
            )
            return None
        return place, self.member_counties(row, place)

    def new_place(self, row: Row, code: str, name: str, parent: City | None) -> City | None:
        """A place the plan is the first to hold, made from its code, name and city."""
        if not code:
            row.refuse("code", _("%(label)s: please fill it in."))
        elif not name:
            row.refuse("name", _("%(label)s: %(code)s is a new place; give its name."), code=code)
        elif parent is None and not is_city_code(code):
            row.refuse(
                "code",
                _(
                    "%(label)s: %(code)s is not a city's code (a city's ends in 00, such as "
                    "410300); for a county, give its 所属城市代码."
                ),
                code=code,
            )
        elif parent is not None and is_city_code(code):
            row.refuse(
                "code", _("%(label)s: %(code)s is a city's code, not a county's."), code=code
            )
        elif parent is not None and code[:4] != (parent.code or "")[:4]:
            self.wrong_city(row, name, code, parent)
        if row.said:
            return None
        name_en = row.text("name_en")
        slug = slugify(name_en) or f"place-{code}"
        if City.objects.filter(slug=slug).exists():
            slug = f"{slug}-{code}"
        order = (City.objects.aggregate(last=Max("order"))["last"] or 0) + 1
        place = City(code=code, name=name, name_en=name_en, parent=parent, slug=slug, order=order)
        try:
            place.full_clean()
        except ValidationError as error:
            for column, messages in error.message_dict.items():
                row.said += [self.named(MEMBERS, place, column, m) for m in messages]
            return None
        place.save()
        self.places[code] = self.places_by_name[name] = place
        self.new_places.append(place)
        return place

    def wrong_city(self, row: Row, name: str, code: str, city: City) -> None:
        row.refuse(
            "city_code",
            _("%(label)s: %(place)s (%(code)s) is not a county of %(city)s (%(city_code)s)."),
            place=name,
            code=code,
            city=city.name,
            city_code=city.code,
        )

    def member_counties(self, row: Row, place: City) -> list[City]:
        """The counties of a city held in part; none for a city held whole or a county."""
        words, word = row.words("counties"), row.word("scope")
        scope = SCOPES.get(header_key(word)) if word else None
        if word and scope is None:
            row.refuse(
                "scope",
                _("%(label)s: “%(value)s” is not one of %(words)s."),
                value=word,
                words=f"{WHOLE}、{PART}、{COUNTY}",
            )
            return []
        if scope is None:
            scope = COUNTY if place.parent_id else PART if words else WHOLE
        if scope == COUNTY and not place.parent_id:
            row.refuse(
                "scope",
                _("%(label)s: %(place)s is a city, held whole or in part."),
                place=place.name,
            )
        elif scope != COUNTY and place.parent_id:
            row.refuse(
                "scope", _("%(label)s: %(place)s is a county; write 县区."), place=place.name
            )
        if scope == PART and not words:
            row.refuse("counties", _("%(label)s: name the counties of a city held in part."))
        elif scope != PART and words:
            row.refuse("counties", _("%(label)s: only a city held in part (部分) names counties."))
        counties = []
        for word in words:
            county = self.places.get(word) or self.places_by_name.get(word)
            if county is None or county.parent_id is None:
                row.refuse("counties", _("%(label)s: no county has the code %(code)s."), code=word)
            elif county.parent_id != place.pk:
                row.refuse(
                    "counties",
                    _("%(label)s: %(county)s (%(code)s) is not a county of %(city)s."),
                    county=county.name,
                    code=word,
                    city=place.name,
                )
            elif county.retired_from is not None and county.retired_from <= self.plan.year:
                row.refuse(
                    "counties",
                    _("%(label)s: %(county)s is retired from %(year)d on."),
                    county=county.name,
                    year=county.retired_from,
                )
            else:
                counties.append(county)
        return counties

    def check_holding(self, members: dict, read: dict) -> None:
        """A county is a member on its own only while its city is none, whole or in part."""
        held = {pk: (member.place, None) for pk, member in members.items()}
        held |= {pk: (place, row) for pk, (row, place, _counties) in read.items()}
        for place, row in held.values():
            if place.parent_id not in held:
                continue
            city, city_row = held[place.parent_id]
            row = row or city_row
            if row is not None:
                row.refuse(
                    "code",
                    _(
                        "%(label)s: %(city)s is a member itself, whole or in part, so "
                        "%(county)s cannot also be one on its own; name it among %(city)s's "
                        "member counties (部分)."
                    ),
                    city=city.name,
                    county=place.name,
                )

    # 走廊

    def save_corridors(self, plan: Plan) -> None:
        corridors = {c.slug: c for c in plan.corridors.prefetch_related("cities")}
        last = max((c.order for c in corridors.values()), default=0)
        kinds = "、".join(str(label) for _value, label in Corridor.Kind.choices)
        seen = {}
        for row in self.rows[CORRIDORS]:
            slug = row.word("slug")
            if slug in seen:
                row.refuse(
                    "slug",
                    _("%(label)s: %(value)s is listed already, in row %(row)s."),
                    value=slug,
                    row=seen[slug],
                )
                self.tell(row)
                continue
            seen[slug] = row.number
            corridor = corridors.get(slug)
            if corridor is None:
                last += 1
                corridor = Corridor(plan=plan, slug=slug, order=last)
            values = {name: row.text(name) for name in ("name", "name_en") if row.has(name)}
            if row.has("kind"):
                values["kind"] = row.choice("kind", choices(Corridor.Kind.choices), kinds) or ""
            related = (
                {"cities": self.member_places(row, "cities", plan)} if row.has("cities") else {}
            )
            if not row.said:
                self.store(row, corridor, values, related, corridor.name or slug)
            self.tell(row)
        self.outcomes[CORRIDORS].kept = [
            c.name for slug, c in corridors.items() if slug not in seen
        ]

    def places_named(self, row: Row, column: str) -> list[City]:
        """The places a cell names, by name, code, slug or English name."""
        if self.place_index is None:
            self.place_index = {
                header_key(key): place
                for place in City.objects.all()
                for key in (place.name, place.code, place.slug, place.name_en)
                if key
            }
        found = []
        for word in row.words(column):
            place = self.place_index.get(header_key(word))
            if place is None:
                row.refuse(column, _("%(label)s: unknown place “%(value)s”."), value=word)
            elif place not in found:
                found.append(place)
        return found

    def member_places(self, row: Row, column: str, plan: Plan) -> list[City]:
        """The plan's members a cell names; a place the plan does not hold is refused."""
        places = self.places_named(row, column)
        if not places and not row.said:
            row.refuse(column, _("%(label)s: please fill it in."))
        outside = [place.name for place in places if place.pk not in self.held]
        if outside:
            row.refuse(
                column,
                _("%(label)s: %(places)s is not a member of the %(year)s plan (see 成员)."),
                places="、".join(outside),
                year=plan.year,
            )
        return places

    # 要点

    def save_areas(self, plan: Plan) -> None:
        areas = {area.number: area for area in plan.areas.all()}
        seen = {}
        for row in self.rows[AREAS]:
            number = row.parsed("number", parse_int)
            if number is None and not row.said:
                row.refuse("number", _("%(label)s: please fill it in."))
            elif number is not None and number in seen:
                row.refuse(
                    "number",
                    _("%(label)s: %(value)s is listed already, in row %(row)s."),
                    value=number,
                    row=seen[number],
                )
            if row.said:
                self.tell(row)
                continue
            seen[number] = row.number
            area = areas.get(number) or FocusArea(plan=plan, number=number)
            names = ("name", "name_en", "summary", "summary_en")
            values = {name: row.text(name) for name in names if row.has(name)}
            self.store(row, area, values, {}, f"{number}. {values.get('name', area.name)}")
            self.tell(row)
        self.outcomes[AREAS].kept = [str(a) for number, a in areas.items() if number not in seen]

    # 任务

    def save_tasks(self, plan: Plan) -> None:
        areas = {area.number: area for area in plan.areas.all()}
        tasks = {
            task.code: task
            for task in Task.objects.of_plan(plan)
            .select_related("area")
            .prefetch_related("cities", "supporting_units")
        }
        corridors = {}
        for corridor in plan.corridors.all():
            corridors |= {header_key(corridor.slug): corridor, header_key(corridor.name): corridor}
        seen, carried = {}, {}
        for row in self.rows[TASKS]:
            task = self.task_of_row(row, areas, tasks, seen)
            if task is None:
                self.tell(row)
                continue
            texts = ("title", "title_en", "description", "source_note", "source_note_en")
            values = {name: row.text(name) for name in texts if row.has(name)}
            if row.has("target"):
                values["target"] = row.amount("target")
            if row.has("corridor"):
                word = row.word("corridor")
                values["corridor"] = corridors.get(header_key(word)) if word else None
                if word and values["corridor"] is None:
                    row.refuse(
                        "corridor",
                        _("%(label)s: the %(year)s plan has no corridor “%(value)s”."),
                        year=plan.year,
                        value=word,
                    )
            if row.has("lead_unit"):
                values["lead_unit"] = self.unit(row)
            if row.has("predecessor"):
                values["predecessor"] = self.earlier_task(row, plan, task, carried)
            related = {}
            if row.has("cities"):
                related["cities"] = self.task_cities(row, plan, task)
            if row.has("supporting_units"):
                related["supporting_units"] = self.units(row)
            if not row.said:
                self.store(
                    row, task, values, related, f"{task.code} {values.get('title', task.title)}"
                )
            self.tell(row)
        self.outcomes[TASKS].kept = [str(t) for code, t in tasks.items() if code not in seen]

    def task_of_row(self, row: Row, areas: dict, tasks: dict, seen: dict) -> Task | None:
        code = row.word("code")
        match = TASK_CODE.match(code)
        if not code:
            row.refuse("code", _("%(label)s: please fill it in."))
            return None
        if not match:
            row.refuse(
                "code", _("%(label)s: “%(value)s” is not a task code such as 1.1."), value=code
            )
            return None
        number = int(match[1])
        code = f"{number}.{int(match[2])}"
        if code in seen:
            row.refuse(
                "code",
                _("%(label)s: task %(code)s is listed already, in row %(row)s."),
                code=code,
                row=seen[code],
            )
            return None
        seen[code] = row.number
        if number not in areas:
            row.refuse(
                "code",
                _("%(label)s: the plan has no focus area %(area)s; list it on the 要点 sheet."),
                area=number,
            )
            return None
        return tasks.get(code) or Task(area=areas[number], number=int(match[2]))

    def task_cities(self, row: Row, plan: Plan, task: Task) -> list[City]:
        """A task's cities: the plan's members; one with records in the task stays in it."""
        cities = self.member_places(row, "cities", plan)
        if task.pk is None:
            return cities
        for city in set(task.cities.all()) - set(cities):
            if records := task.rows_naming(city):
                message = _(
                    "%(city)s still has %(rows)s in this task, so it cannot leave the task."
                )
                row.refuse(
                    "cities",
                    _("%(label)s: %(error)s"),
                    error=message % {"city": city.name, "rows": _(", ").join(records)},
                )
        return cities

    def earlier_task(self, row: Row, plan: Plan, task: Task, carried: dict) -> Task | None:
        word = row.word("predecessor")
        if not word:
            return None
        match = PREDECESSOR_TASK.fullmatch(word)
        if not match:
            row.refuse(
                "predecessor",
                _("%(label)s: “%(value)s” is not a task of an earlier year, such as 2021/1.1."),
                value=word,
            )
            return None
        year = int(match[1])
        earlier = Task.objects.filter(area__plan__year=year).by_code(match[2]).first()
        if year >= plan.year:
            row.refuse(
                "predecessor",
                _("%(label)s: %(value)s is not of a year before %(year)s."),
                value=word,
                year=plan.year,
            )
        elif earlier is None:
            row.refuse(
                "predecessor",
                _("%(label)s: the %(year)s plan has no task %(code)s."),
                year=year,
                code=match[2],
            )
        else:
            self.carried_once(row, earlier, task, carried, word)
        return earlier

    def carried_once(self, row: Row, earlier, later, carried: dict, word: str) -> None:
        """What carries over `earlier` is `later` alone, in the file and in the database."""
        successor = type(earlier).objects.filter(predecessor=earlier).exclude(pk=later.pk).first()
        if earlier.pk in carried:
            row.refuse(
                "predecessor",
                _("%(label)s: %(value)s is carried over already, in row %(row)s."),
                value=word,
                row=carried[earlier.pk],
            )
        elif successor is not None:
            row.refuse(
                "predecessor",
                _("%(label)s: %(value)s is carried over already, by “%(later)s”."),
                value=word,
                later=str(successor),
            )
        carried[earlier.pk] = row.number

    # Units, by name.

    def unit(self, row: Row, column: str = "lead_unit") -> Unit | None:
        word = row.text(column)
        if not word:
            return None
        found = self.units_by_name().get(header_key(word))
        if found is None:
            row.refuse(
                column,
                _("%(label)s: no responsible unit is named “%(value)s”; add it in the admin."),
                value=word,
            )
        return found

    def units(self, row: Row) -> list[Unit]:
        found = []
        for word in row.words("supporting_units"):
            unit = self.units_by_name().get(header_key(word))
            if unit is None:
                row.refuse(
                    "supporting_units",
                    _("%(label)s: no responsible unit is named “%(value)s”; add it in the admin."),
                    value=word,
                )
            elif unit not in found:
                found.append(unit)
        return found

    def units_by_name(self) -> dict[str, Unit]:
        """Units by name, or by short name (the name wins where one is another's short name)."""
        if self.unit_index is None:
            units = list(Unit.objects.all())
            self.unit_index = {header_key(u.short_name): u for u in units if u.short_name}
            self.unit_index |= {header_key(u.name): u for u in units}
        return self.unit_index

    # 重点项目

    def save_projects(self, plan: Plan) -> None:
        tasks = {task.code: task for task in Task.objects.of_plan(plan).select_related("area")}
        projects = list(
            Project.objects.of_plan(plan)
            .select_related("task__area")
            .prefetch_related("cities", "supporting_units")
        )
        by_id = {project.pk: project for project in projects}
        by_name = {(project.task_id, project.name): project for project in projects}
        goals = "、".join(str(label) for _value, label in Project.Goal.choices)
        seen, carried = set(), {}
        for row in self.rows[PROJECTS]:
            project = self.project_of_row(row, tasks, by_id, by_name, seen)
            if project is None:
                self.tell(row)
                continue
            values = {name: row.text(name) for name in ("name", "description") if row.has(name)}
            if row.has("national_code"):
                # As the model stores it, so that a code typed full-width is no change.
                values["national_code"] = normalise(row.word("national_code"))
            if row.has("goal"):
                goal = row.choice("goal", choices(Project.Goal.choices), goals)
                values["goal"] = goal or Project.Goal.NOT_STATED
            for name in ("total_investment", "annual_investment"):
                if row.has(name):
                    values[name] = row.amount(name)
            for name in ("planned_start", "planned_finish"):
                if row.has(name):
                    values[name] = row.parsed(name, parse_date)
            if row.has("lead_unit"):
                values["lead_unit"] = self.unit(row)
            related = {}
            if row.has("cities"):
                related["cities"] = self.project_cities(row, project)
            if row.has("supporting_units"):
                related["supporting_units"] = self.units(row)
            if row.has("predecessor"):
                cities = related.get("cities")
                if cities is None:
                    cities = list(project.cities.all()) if project.pk else []
                earlier = self.earlier_project(row, plan, project, cities, carried)
                values["predecessor"] = earlier
                if earlier is not None and project.pk is None:
                    # A project carried over keeps its identity: its dates and place, and its
                    # national code unless the sheet has a column of codes.
                    kept = ["actual_start", "actual_finish", "latitude", "longitude"]
                    if not row.has("national_code"):
                        kept.append("national_code")
                    for name in kept:
                        values[name] = getattr(earlier, name)
            if not row.said:
                label = f"{project.task.code} {values.get('name', project.name)}"
                self.store(row, project, values, related, label)
            self.tell(row)
        self.outcomes[PROJECTS].kept = [
            f"{p.task.code} {p.name}" for p in projects if p.pk not in seen
        ]

    @staticmethod
    def task_and_name(row: Row, tasks: dict) -> Task | None:
        """The task a project's or milestone's row names by its code (refusing a code the plan
        lacks), and a name required beside it."""
        code = row.word("task")
        match = TASK_CODE.match(code)
        task = tasks.get(f"{int(match[1])}.{int(match[2])}") if match else None
        if not code:
            row.refuse("task", _("%(label)s: please fill it in."))
        elif task is None:
            row.refuse(
                "task",
                _("%(label)s: the plan has no task %(code)s; list it on the 任务 sheet."),
                code=code,
            )
        if not row.text("name"):
            row.refuse("name", _("%(label)s: please fill it in."))
        return task

    def project_of_row(self, row, tasks, by_id, by_name, seen) -> Project | None:
        """The project a row names: by its 项目编号, a project of this plan; else by its task
        and name, or a new one."""
        task, name, number = self.task_and_name(row, tasks), row.text("name"), row.word("id")
        if row.said:
            return None
        if not number:
            project = by_name.get((task.pk, name)) or Project(task=task)
        elif not is_id(number):
            row.refuse("id", _("%(label)s: “%(value)s” is not understood."), value=number)
            return None
        else:
            project = by_id.get(int(number))
            if project is None:
                self.not_this_plans(row, int(number))
                return None
            if project.task_id != task.pk:
                row.refuse(
                    "task",
                    _(
                        "%(label)s: key project %(id)s is under task %(code)s; the workbook "
                        "does not move a project to another task."
                    ),
                    id=number,
                    code=project.task.code,
                )
                return None
        if project.pk is not None and project.pk in seen:
            row.refuse(
                "id" if number else "name",
                _("%(label)s: key project “%(value)s” is listed already."),
                value=number or name,
            )
            return None
        if project.pk is not None:
            seen.add(project.pk)
        return project

    def not_this_plans(self, row: Row, number: int) -> None:
        other = Project.objects.filter(pk=number).select_related("task__area__plan").first()
        if other is None:
            row.refuse("id", _("%(label)s: there is no key project %(id)s."), id=number)
            return
        row.refuse(
            "id",
            _(
                "%(label)s: key project %(id)s is of the %(year)s plan. For a project carried "
                "over, leave %(label)s empty and write %(id)s under 上年项目."
            ),
            id=number,
            year=other.task.area.plan.year,
        )

    def project_cities(self, row: Row, project: Project) -> list[City]:
        """A project's cities lie within its task's; one that reported on it stays."""
        cities = self.places_named(row, "cities")
        if not cities and not row.said:
            row.refuse("cities", _("%(label)s: please fill it in."))
        outside = set(cities) - set(project.task.cities.all())
        if outside:
            message = _("%(cities)s does not take part in the project's task.")
            names = _(", ").join(city.name for city in cities if city in outside)
            row.said.append(self.named(PROJECTS, project, "cities", message % {"cities": names}))
        if project.pk is not None:
            removed = set(project.cities.all()) - set(cities)
            reported = [city.name for city in removed if city_records(project, city)]
            if reported:
                message = _(
                    "Cities: %(cities)s already reported on this project and cannot be removed."
                )
                row.said.append(message % {"cities": _(", ").join(reported)})
        return cities

    def earlier_project(self, row, plan, project, cities, carried) -> Project | None:
        word = row.word("predecessor")
        if not word:
            return None
        earlier = None
        if is_id(word):
            earlier = (
                Project.objects.filter(pk=int(word))
                .select_related("task__area__plan")
                .prefetch_related("cities")
                .first()
            )
        if earlier is None:
            row.refuse("predecessor", _("%(label)s: there is no key project %(id)s."), id=word)
            return None
        year = earlier.task.area.plan.year
        if year >= plan.year:
            row.refuse(
                "predecessor",
                _(
                    "%(label)s: key project %(id)s is of the %(year)s plan, not of a year "
                    "before %(plan)s."
                ),
                id=word,
                year=year,
                plan=plan.year,
            )
            return None
        theirs = list(earlier.cities.all())
        if cities and not set(theirs) & set(cities):
            row.refuse(
                "predecessor",
                _(
                    "%(label)s: %(project)s (%(year)s) lies in %(theirs)s, in none of this "
                    "project's cities (%(ours)s); a project carries on where it was."
                ),
                project=earlier.name,
                year=year,
                theirs="、".join(city.name for city in theirs) or "—",
                ours="、".join(city.name for city in cities),
            )
        self.carried_once(row, earlier, project, carried, word)
        return earlier

    # 工作节点

    def save_milestones(self, plan: Plan) -> None:
        tasks = {task.code: task for task in Task.objects.of_plan(plan).select_related("area")}
        rows = Milestone.objects.filter(task__area__plan=plan).select_related("task__area")
        existing = defaultdict(list)
        for milestone in rows.order_by("pk"):
            existing[(milestone.task_id, milestone.name)].append(milestone)
        projects = {
            (project.task_id, project.name): project for project in Project.objects.of_plan(plan)
        }
        kinds = "、".join(str(label) for _value, label in Milestone.Kind.choices)
        seen = {}
        for row in self.rows[MILESTONES]:
            cells = tuple(text_of(value) for value in row.cells.values())
            if cells in seen:
                # A row pasted twice: refused, never a second milestone of the same name.
                row.refuse("name", _("%(label)s: the same as row %(row)d."), row=seen[cells])
                self.tell(row)
                continue
            seen[cells] = row.number
            task, name = self.task_and_name(row, tasks), row.text("name")
            if row.said:
                self.tell(row)
                continue
            same_name = existing.get((task.pk, name))
            milestone = same_name.pop(0) if same_name else Milestone(task=task, name=name)
            values = {}
            if row.has("kind"):
                values["kind"] = row.choice("kind", choices(Milestone.Kind.choices), kinds) or ""
            if row.has("city"):
                places = self.places_named(row, "city")
                if len(places) > 1:
                    row.refuse("city", _("%(label)s: a milestone names one city at most."))
                values["city"] = places[0] if places else None
            if row.has("due_quarter"):
                values["due_quarter"] = row.parsed("due_quarter", parse_quarter)
            if row.has("project"):
                word = row.text("project")
                values["project"] = projects.get((task.pk, word)) if word else None
                if word and values["project"] is None:
                    row.refuse(
                        "project",
                        _("%(label)s: task %(code)s has no key project “%(value)s”."),
                        code=task.code,
                        value=word,
                    )
            if not row.said:
                self.store(row, milestone, values, {}, f"{task.code} {name}")
            self.tell(row)
        self.outcomes[MILESTONES].kept = [
            f"{m.task.code} {m.name}" for rest in existing.values() for m in rest
        ]

    # The plan as a whole.

    def check_coverage(self, plan: Plan) -> None:
        """The number of tasks the plan declares is not less than it lists (PlanForm's rule)."""
        listed = with_coverage(Plan.objects.filter(pk=plan.pk)).get().listed_task_count
        declared = plan.declared_task_count
        if declared is not None and declared < listed:
            row = self.rows[PLAN][0]
            row.refuse(
                "declared_task_count",
                _("%(label)s: %(error)s"),
                error=_(
                    "The plan already lists %(count)d tasks; the declared number cannot be less."
                )
                % {"count": listed},
            )
            self.tell(row)


def summary(workbook: PlanWorkbook) -> list[str]:
    """What the workbook does (or did): the plan, then each sheet's rows."""
    words = {"year": workbook.plan.year}
    if workbook.created:
        lines = [
            _("the %(year)s plan, new: a draft only the office sees until it is issued.") % words
        ]
    else:
        lines = [_("the %(year)s plan.") % words]
    for sheet, outcome in workbook.outcomes.items():
        new, changed, unchanged, kept = outcome.counts()
        lines.append(
            _(
                "%(sheet)s: %(new)d new, %(changed)d changed, %(unchanged)d unchanged, %(kept)d "
                "kept as they are (not in the file)."
            )
            % {
                "sheet": TITLES[sheet][0],
                "new": new,
                "changed": changed,
                "unchanged": unchanged,
                "kept": kept,
            }
        )
    if workbook.new_places:
        places = "、".join(f"{place.name}（{place.code}）" for place in workbook.new_places)
        lines.append(_("New places: %(places)s.") % {"places": places})
    return lines


def same(obj, name: str, value) -> bool:
    """Whether `obj`'s field `name` already holds `value` (a related row compared by id)."""
    field = obj._meta.get_field(name)
    if field.is_relation:
        return getattr(obj, field.attname) == (value.pk if value is not None else None)
    return getattr(obj, name) == value
