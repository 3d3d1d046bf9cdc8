"""The workbook's 问题清单 sheet: the scope's problems in the official table layout, the most
urgent first, each with its latest answer or decision.

A page's problems are those of its tasks; a city's, those the city raised. They are read as
of the workbook's day (its quarter's end, or today while it runs), as on the problem list.
"""

from datetime import date

from django.db.models import OuterRef, Subquery
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, PatternFill

from figures.rollups import Scope
from plan.spreadsheets import TITLE_FONT, WARNING_FILL, Sheet, centred, sample_warning, serial
from problems.models import Colour, Problem, ProblemEntry, ProblemQuerySet
from tasks.models import Task

WIDTHS = [5, 34, 28, 8, 24, 11, 11, 16, 42, 22]
DATE = "yyyy-mm-dd"
WRAP = Alignment(wrap_text=True, vertical="top")
# The list page's colours; the cell also says the colour in words.
COLOUR_FILLS = {
    Colour.YELLOW: PatternFill("solid", fgColor="FFF4CE"),
    Colour.ORANGE: PatternFill("solid", fgColor="FFE2C6"),
    Colour.RED: PatternFill("solid", fgColor="FDECEA"),
}
# What 办理情况 reports: the unit's answers and the office's decisions, not the raising itself
# or comments.
HANDLING = (
    ProblemEntry.Kind.ASSIGNED,
    ProblemEntry.Kind.ANSWERED,
    ProblemEntry.Kind.RETURNED,
    ProblemEntry.Kind.CLOSED,
    ProblemEntry.Kind.REFUSED,
)


def scope_problems(scope: Scope, today: date, reader, problems=None) -> ProblemQuerySet:
    """The scope's problems that `reader` may see (or `problems`, the problem list's,
    filtered), as the problem list shows them, each with its latest handling entry."""
    if problems is None:
        problems = Problem.objects.visible_to(reader).of_plan(scope.plan)
        if scope.city is not None:
            problems = problems.filter(city=scope.city)
        elif scope.kind != "plan":
            tasks = Task.objects.filter(scope.tasks_filter).values("pk")
            problems = problems.filter(task__in=tasks)
    # The latest entry that says something, read in the problems' own query.
    latest = (
        ProblemEntry.objects.filter(problem=OuterRef("pk"), kind__in=HANDLING)
        .exclude(text="")
        .order_by("-created_at", "-pk")
    )
    return (
        problems.raised_by(today)
        .listed(today)
        .annotate(
            latest_kind=Subquery(latest.values("kind")[:1]),
            latest_text=Subquery(latest.values("text")[:1]),
            latest_at=Subquery(latest.values("created_at")[:1]),
        )
        .prefetch_related("supporting_units")
    )


def problem_headers() -> list[str]:
    return [
        _("No."),
        _("Problem"),
        _("Task or project"),
        _("Raised by"),
        _("Responsible unit"),
        _("Assigned on"),
        _("Deadline"),
        _("Status"),
        _("Handling"),
        _("Warning"),
    ]


def problem_sheet(
    book: Workbook, scope: Scope, title: str, sample: bool, reader, problems=None
) -> None:
    """The problems `reader` may see, as on the problem list. A4 landscape, its header row on
    every page; a sample warning above it while sample data exists."""
    sheet = Sheet(
        book,
        _("Problem list"),
        problem_headers(),
        WIDTHS,
        header_row=3 if sample else 2,
        bordered=True,
    )
    # The workbook's other sheets are as of its quarter: this one reads the problems that day.
    today = scope.plan.as_of_day(scope.as_of)
    heading = _("%(title)s: problem list as of %(day)s") % {
        "title": title,
        "day": today.isoformat(),
    }
    sheet.banner([(centred(sheet, heading), len(WIDTHS))], font=TITLE_FONT)
    if sample:
        notice = sheet.cell(sample_warning(), bold=True, fill=WARNING_FILL)
        notice.alignment = WRAP
        sheet.banner([(notice, len(WIDTHS))])
    sheet.start_table()
    number = 0
    for number, problem in enumerate(scope_problems(scope, today, reader, problems), 1):
        sheet.append(
            [
                serial(sheet, number),
                wrapped(sheet, f"{problem.title}\n{problem.description}"),
                wrapped(sheet, subject(problem)),
                problem.city.display_name,
                wrapped(sheet, units(problem)),
                sheet.cell(problem.assigned_on, DATE),
                sheet.cell(problem.deadline, DATE),
                wrapped(sheet, status(problem)),
                wrapped(sheet, handling(problem)),
                warning(sheet, problem, today),
            ]
        )
    if not number:
        sheet.append(["", _("No problems.")])


def wrapped(sheet: Sheet, text: str):
    cell = sheet.cell(text)
    cell.alignment = WRAP
    return cell


def subject(problem: Problem) -> str:
    task = problem.task
    text = f"{task.code} {task.display_title}"
    return f"{text}\n{problem.project.name}" if problem.project else text


def units(problem: Problem) -> str:
    """The responsible unit, then the supporting units; empty until the problem is assigned."""
    supporting = [unit.name for unit in problem.supporting_units.all()]
    if problem.unit is None:
        return _(", ").join(supporting)
    if not supporting:
        return problem.unit.name
    return _(", ").join([_("%(unit)s (lead)") % {"unit": problem.unit.name}, *supporting])


def status(problem: Problem) -> str:
    label = str(problem.get_status_display())
    if problem.status in Problem.ENDED and problem.closed_on:
        return _("%(status)s (%(day)s)") % {"status": label, "day": problem.closed_on.isoformat()}
    return label


def handling(problem: Problem) -> str:
    """The latest answer or decision, with its date."""
    if not problem.latest_kind:
        return ""
    return _("%(day)s %(step)s: %(text)s") % {
        "day": localtime(problem.latest_at).date().isoformat(),
        "step": ProblemEntry.Kind(problem.latest_kind).label,
        "text": problem.latest_text,
    }


def warning(sheet: Sheet, problem: Problem, today: date):
    """The colour in words, and the days late; a closed problem's as it closed."""
    colour = Colour(problem.colour)
    text = str(colour.label)
    if late := problem.days_late(today):
        days = ngettext("%(counter)s day late", "%(counter)s days late", late)
        text = f"{text} · {days % {'counter': late}}"
    cell = sheet.cell(text, fill=COLOUR_FILLS.get(colour))
    cell.alignment = WRAP  # "红色：严重逾期 · 逾期40天" takes two lines.
    return cell
