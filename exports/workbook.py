"""The leadership workbook of a page: its figures, sheet by sheet, as leadership reads them.

Every figure comes from a figures.Scope, the object the page itself renders, so a sheet and
its page cannot disagree. The pieces it is written with are in plan/spreadsheets.py.
"""

import tempfile
from collections import defaultdict

from django.utils import timezone
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import PatternFill

from exports.problems import problem_sheet
from exports.projects import project_sheet
from exports.reports import report_headers, report_rows, scope_reports
from figures.progress import Pace, Progress
from figures.rollups import Scope, pace_counts
from plan.money import yi
from plan.spreadsheets import (
    HEADER_FILL,
    PERCENT,
    RIGHT,
    SUBTOTAL_FILL,
    TITLE_FONT,
    WARNING_FILL,
    YI,
    Sheet,
    centred,
    sample_warning,
    serial,
    wan_cell,
)
from tasks.models import Milestone, Task

# The pages' pace colours; the cell also says the status in words.
PACE_FILLS = {
    Pace.ON_TRACK: PatternFill("solid", fgColor="E6F4EA"),
    Pace.AT_RISK: PatternFill("solid", fgColor="FFF4CE"),
    Pace.BEHIND: PatternFill("solid", fgColor="FDECEA"),
    Pace.NO_TARGET: PatternFill("solid", fgColor="F0F0F0"),
}
CHINESE_NUMERALS = "一二三四五六七八九十"


def scope_title(scope: Scope) -> str:
    subject = scope.subject
    if scope.kind == "plan":
        return str(scope.plan)
    if scope.kind == "area":
        return f"{scope.plan} · {subject.number}. {subject.display_name}"
    if scope.kind == "task":
        return f"{scope.plan} · {subject.code} {subject.display_title}"
    return f"{scope.plan} · {subject.display_name}"


def file_name(scope: Scope, extension: str) -> str:
    return subject_file_name(scope.plan, scope.as_of, scope.kind, scope.subject, extension)


def subject_file_name(plan, as_of: int, kind: str, subject, extension: str) -> str:
    """Plan year and as-of quarter first, so the files of a meeting sort together."""
    label = {
        "plan": "",
        "area": f"-{getattr(subject, 'number', '')}",
        "task": f"-{getattr(subject, 'code', '')}",
    }.get(kind, f"-{getattr(subject, 'slug', '')}")
    return f"zzmetro-{plan.year}Q{as_of}{label}.{extension}"


def as_of_line(scope: Scope) -> str:
    counted = (
        _("approved reports only")
        if scope.approved_only
        else _("submitted and approved reports count")
    )
    return _("Figures as of the end of %(year)s Q%(q)s (%(counted)s); exported %(when)s.") % {
        "year": scope.plan.year,
        "q": scope.as_of,
        "counted": counted,
        "when": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
    }


def workbook(scope: Scope, sample: bool, reader) -> tempfile.SpooledTemporaryFile:
    """The leadership workbook of one page's scope, ready to send to `reader`: its figures
    are everyone's, its problem list only what she may see."""
    book = Workbook(write_only=True)
    target_label = _("Allocation (亿元)") if scope.kind == "city" else _("Stated target (亿元)")
    summary_sheet(book, scope, sample, target_label)
    cities = task_cities(scope)  # Both the official table and the task sheet name them.
    official_sheet(book, scope, target_label, cities)
    breakdown_sheet(book, scope, target_label)
    if scope.task_cities is not None:
        task_city_sheet(book, scope)
    task_sheet(book, scope, target_label, cities)
    project_sheet(book, scope, scope_title(scope), sample)
    report_sheet(book, scope)
    milestone_sheet(book, scope)
    problem_sheet(book, scope, scope_title(scope), sample, reader)
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    book.save(out)
    out.seek(0)
    return out


def summary_sheet(book: Workbook, scope: Scope, sample: bool, target_label: str) -> None:
    # Its figures and the breakdown are framed; the chart beside them is not a table.
    sheet = Sheet(book, _("Summary"), [], [34, 22, 22], bordered=True)
    sheet.append([sheet.cell(scope_title(scope), bold=True)])
    sheet.append([as_of_line(scope)])
    if sample:
        sheet.append(
            [
                sheet.cell(
                    sample_warning(),
                    bold=True,
                    fill=WARNING_FILL,
                )
            ]
        )
    sheet.append([])
    sheet.in_table = True
    sheet.append([sheet.cell(target_label, bold=True), sheet.amount(scope.total.target)])
    sheet.append(
        [sheet.cell(_("Completed (亿元)"), bold=True), sheet.cell(scope.total.completed, YI)]
    )
    percent = scope.total.percent
    sheet.append(
        [
            sheet.cell(_("Completion"), bold=True),
            sheet.cell("—" if percent is None else percent / 100, PERCENT),
        ]
    )
    sheet.append([sheet.cell(_("Pace"), bold=True), pace_cell(sheet, scope.total.pace)])
    if scope.excluded:
        sheet.append(
            [
                sheet.cell(_("Completed outside the percentage (亿元)"), bold=True),
                sheet.cell(scope.excluded, YI),
            ]
        )
    counts = pace_counts(scope.tasks)
    for pace in Pace:
        sheet.append(
            [sheet.cell(_("Tasks: %(pace)s") % {"pace": pace.label}, bold=True), counts[pace.value]]
        )
    summary_projects(sheet, scope)
    summary_problems(sheet, scope)
    sheet.append([])
    rows = breakdown(scope)
    if not rows:
        return
    sheet.headers = [_("Breakdown"), _("Target or allocation (亿元)"), _("Completed (亿元)")]
    sheet.append([sheet.cell(text, bold=True, fill=HEADER_FILL) for text in sheet.headers])
    first = sheet.rows + 1
    for label, progress in rows:
        sheet.append(
            [label, sheet.cell(progress.target or 0, YI), sheet.cell(progress.completed, YI)]
        )
    # A native Excel chart over the rows above: leadership can restyle it as they like.
    chart = BarChart()
    chart.title = _("Target and completed")
    chart.y_axis.title = _("亿元")
    chart.height, chart.width = 9, 18
    data = Reference(sheet.ws, min_col=2, max_col=3, min_row=first - 1, max_row=sheet.rows)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(sheet.ws, min_col=1, min_row=first, max_row=sheet.rows))
    # Beside the rows, so figures, table and chart print on one landscape page.
    sheet.ws.add_chart(chart, "E2")


def rate_text(rate, done: int, total: int) -> str:
    return "—" if rate is None else f"{rate}% ({done}/{total})"


def summary_projects(sheet: Sheet, scope: Scope) -> None:
    """开工率, 竣工率 and the named projects' share, as the page shows them."""
    counts = scope.projects
    if counts is None:
        return
    share = scope.project_share
    for label, value in [
        (_("Start rate"), rate_text(counts.start_rate, counts.started, counts.to_start)),
        (_("Finish rate"), rate_text(counts.complete_rate, counts.completed, counts.to_complete)),
        (_("Key projects' share"), _("no amount reported") if share is None else f"{share}%"),
    ]:
        sheet.append([sheet.cell(label, bold=True), value])


def summary_problems(sheet: Sheet, scope: Scope) -> None:
    """Open, overdue and closed problems and 办结率, as of the page's day."""
    counts = scope.figures.problems(scope.subject, timezone.localdate())
    for label, value in [
        (_("Open problems"), counts.open),
        (_("Overdue problems"), counts.overdue),
        (_("Closed problems"), counts.closed),
        (_("Closure rate"), rate_text(counts.rate, counts.closed_on_time, counts.due)),
    ]:
        sheet.append([sheet.cell(label, bold=True), value])


def breakdown(scope: Scope) -> list[tuple[str, Progress]]:
    """The rows the page's bar chart shows."""
    if scope.kind in ("plan", "city"):
        return [
            (f"{row.area.number}. {row.area.display_name}", row.progress) for row in scope.areas
        ]
    if scope.task_cities is not None:
        return [(row.city.display_name, row.progress) for row in scope.task_cities]
    return [(row.city.display_name, row.progress) for row in scope.cities or []]


def breakdown_sheet(book: Workbook, scope: Scope, target_label: str) -> None:
    """分类汇总: the scope by focus area, by city and by corridor, one short table under another,
    so that they print on one page instead of three."""
    tables = [
        table
        for table in (area_table(scope, target_label), city_table(scope), corridor_table(scope))
        if table is not None
    ]
    if not tables:
        return
    sheet = Sheet(book, _("Breakdowns"), [], [30, 16, 16, 16, 16, 16])
    for number, (caption, headers, rows) in enumerate(tables):
        if number:
            sheet.append([])
        sheet.append([sheet.cell(caption, bold=True)])
        sheet.table(headers)
        for label, progress, after in rows:
            sheet.append([*label, *progress_cells(sheet, progress), *after])


def area_table(scope: Scope, target_label: str):
    if scope.areas is None:
        return None
    headers = [
        _("Focus area"),
        target_label,
        _("Completed (亿元)"),
        "%",
        _("Pace"),
        _("Completed outside the percentage (亿元)"),
    ]
    rows = [
        ([f"{row.area.number}. {row.area.display_name}"], row.progress, [wan_cell(row.excluded)])
        for row in scope.areas
    ]
    return _("By focus area"), headers, rows


def city_table(scope: Scope):
    if scope.cities is None:
        return None
    headers = [
        _("City"),
        _("Allocation (亿元)"),
        _("Completed (亿元)"),
        "%",
        _("Pace"),
        _("Completed outside allocations (亿元)"),
    ]
    rows = [
        ([row.city.display_name], row.progress, [wan_cell(row.unallocated_completed)])
        for row in scope.cities
    ]
    return _("By city"), headers, rows


def task_city_sheet(book: Workbook, scope: Scope) -> None:
    headers = [
        _("City"),
        _("Allocation (亿元)"),
        "Q1",
        "Q2",
        "Q3",
        "Q4",
        _("Cumulative (亿元)"),
        "%",
        _("Pace"),
    ]
    sheet = Sheet(book, _("By city"), headers, [14, 16, 10, 10, 10, 10, 16, 10, 12])
    sheet.start_table()
    for row in scope.task_cities:
        target, completed, percent, pace = progress_cells(sheet, row.progress)
        quarters = [
            sheet.cell(amount, YI) if amount is not None and q < scope.as_of else None
            for q, amount in enumerate(row.quarters)
        ]
        sheet.append([row.city.display_name, target, *quarters, completed, percent, pace])


def corridor_table(scope: Scope):
    if scope.corridors is None:
        return None
    headers = [
        _("Corridor"),
        _("Kind"),
        _("Stated target (亿元)"),
        _("Completed (亿元)"),
        "%",
        _("Pace"),
    ]
    rows = [
        ([row.corridor.display_name, str(row.corridor.get_kind_display())], row.progress, [])
        for row in scope.corridors
    ]
    return _("By corridor"), headers, rows


def task_cities(scope: Scope) -> dict[int, str]:
    """The cities responsible for each task of the scope, read in one query."""
    names = defaultdict(list)
    english = get_language() == "en"
    links = Task.cities.through.objects.filter(
        task__in=Task.objects.filter(scope.tasks_filter).values("pk")
    ).order_by("city__order", "city__slug")
    for task, name, name_en in links.values_list("task", "city__name", "city__name_en"):
        names[task].append(name_en if english and name_en else name)
    return {task: "、".join(cities) for task, cities in names.items()}


def task_sheet(book: Workbook, scope: Scope, target_label: str, cities: dict[int, str]) -> None:
    headers = [
        _("Code"),
        _("Task"),
        _("Focus area"),
        _("Cities"),
        target_label,
        "Q1",
        "Q2",
        "Q3",
        "Q4",
        _("Cumulative (亿元)"),
        "%",
        _("Pace"),
    ]
    sheet = Sheet(
        book, pgettext("sheet", "Tasks"), headers, [6, 50, 12, 30, 12, 9, 9, 9, 9, 12, 8, 10]
    )
    sheet.start_table()
    quarters = scope.figures.task_quarters(scope.tasks_filter, scope.city)
    for row in scope.tasks:
        task = row.task
        target, completed, percent, pace = progress_cells(sheet, row.progress)
        amounts = [
            sheet.cell(amount, YI) if amount is not None else None for amount in quarters[task.pk]
        ]
        sheet.append(
            [
                task.code,
                sheet.wrapped(task.display_title),
                task.area.display_name,
                sheet.wrapped(cities.get(task.pk, "")),
                target,
                *amounts,
                completed,
                percent,
                pace,
            ]
        )


def report_sheet(book: Workbook, scope: Scope) -> None:
    sheet = Sheet(book, _("Reports"), report_headers(), [10, 10, 8, 8, 16, 50, 10, 14, 18, 10])
    sheet.start_table()
    for values in report_rows(scope_reports(scope)):
        values[4] = sheet.cell(values[4], YI)
        sheet.append(values)


def milestone_sheet(book: Workbook, scope: Scope) -> None:
    headers = [
        _("Code"),
        _("Task"),
        _("Milestone"),
        _("Kind"),
        _("City"),
        _("Due"),
        _("Status"),
        _("done on"),
    ]
    sheet = Sheet(book, _("Milestones"), headers, [6, 46, 60, 8, 8, 10, 8, 11])
    sheet.start_table()
    milestones = (
        Milestone.objects.filter(
            task__in=Task.objects.of_plan(scope.plan).filter(scope.tasks_filter).values("pk")
        )
        .select_related("task__area", "city")
        .order_by("task__area__number", "task__number", "pk")
    )
    for item in milestones:
        due = _("Q%(q)s") % {"q": item.due_quarter} if item.due_quarter else str(_("not stated"))
        sheet.append(
            [
                item.task.code,
                sheet.wrapped(item.task.display_title),
                sheet.wrapped(item.name),
                str(item.get_kind_display()),
                item.city.display_name if item.city else "",
                due,
                str(item.get_status_display()),
                item.done_on,
            ]
        )


def unit_cell(sheet: Sheet):
    return sheet.cell(_("Unit: 100 million yuan"), alignment=RIGHT)


def official_sheet(book: Workbook, scope: Scope, target_label: str, cities: dict[int, str]) -> None:
    """表式: the official table leadership prints, subtotals by focus area, A4 landscape."""
    headers = [
        _("No."),
        _("Task"),
        _("Responsible cities"),
        target_label,
        _("Completed to date (亿元)"),
        _("Completion"),
        _("Progress"),
    ]
    # 责任城市 holds all five cities on one line; 进展情况 the cities' notes in two or three.
    widths = [6, 44, 30, 12, 12, 9, 84]
    sheet = Sheet(book, _("Official table"), headers, widths, header_row=3, bordered=True)
    title = _("%(title)s: progress to the end of Q%(q)s") % {
        "title": scope_title(scope),
        "q": scope.as_of,
    }
    sheet.banner([(centred(sheet, title), len(widths))], font=TITLE_FONT)
    dates = _("Figures to the end of %(year)s Q%(q)s; prepared on %(day)s") % {
        "year": scope.plan.year,
        "q": scope.as_of,
        "day": timezone.localdate().isoformat(),
    }
    sheet.banner([(dates, 5), (unit_cell(sheet), 2)])
    sheet.start_table()
    notes = scope.figures.notes(scope.tasks_filter, scope.city)
    areas = {row.area.pk: (index, row) for index, row in enumerate(scope.areas or [])}
    current = None
    for number, row in enumerate(scope.tasks, 1):
        task = row.task
        if task.area_id in areas and task.area_id != current:
            current = task.area_id
            index, area = areas[current]
            label = (
                f"{CHINESE_NUMERALS[index] if index < 10 else index + 1}、{area.area.display_name}"
                + _(" (subtotal)")
            )
            remark = (
                _("Not in the percentage: %(amount)s (100 million yuan) on tasks without a target.")
                % {"amount": yi(area.excluded)}
                if area.excluded
                else ""
            )
            target, completed, percent, _pace = progress_cells(sheet, area.progress, bold=True)
            sheet.append(
                [
                    sheet.cell("", fill=SUBTOTAL_FILL),
                    sheet.cell(label, bold=True, fill=SUBTOTAL_FILL),
                    sheet.cell("", fill=SUBTOTAL_FILL),
                    target,
                    completed,
                    percent,
                    sheet.cell(remark, fill=SUBTOTAL_FILL),
                ]
            )
        target, completed, percent, _pace = progress_cells(sheet, row.progress)
        # "开封：……。；新乡：……" would stop twice: each note loses its own full stop.
        progress = "；".join(
            f"{city}：{note.rstrip('。；;. ')}" for city, note in notes.get(task.pk, [])
        )
        progress_cell = sheet.wrapped(progress)
        title_cell = sheet.wrapped(f"{task.code} {task.display_title}")
        cities_cell = sheet.wrapped(cities.get(task.pk, ""))
        sheet.append(
            [
                serial(sheet, number),
                title_cell,
                cities_cell,
                target,
                completed,
                percent,
                progress_cell,
            ]
        )
    target, completed, percent, _pace = progress_cells(sheet, scope.total, bold=True)
    remark = (
        _("Not in the percentage: %(amount)s (100 million yuan) on tasks without a target.")
        % {"amount": yi(scope.excluded)}
        if scope.excluded
        else ""
    )
    sheet.append(["", sheet.cell(_("Total"), bold=True), "", target, completed, percent, remark])


def progress_cells(sheet: Sheet, progress: Progress, bold=False) -> list[WriteOnlyCell]:
    """Target, completed, % and pace, as the pages show them."""
    percent = None if progress.percent is None else progress.percent / 100
    return [
        sheet.amount(progress.target, bold),
        sheet.cell(progress.completed, YI, bold),
        sheet.cell(percent if percent is not None else "—", PERCENT, bold),
        pace_cell(sheet, progress.pace),
    ]


def pace_cell(sheet: Sheet, pace: Pace) -> WriteOnlyCell:
    return sheet.cell(str(pace.label), fill=PACE_FILLS[pace])
