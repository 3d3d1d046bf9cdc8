"""The list pages' tables as workbooks a leader forwards: the key projects list, the problem
list and the city rankings, each with the page's own rows (its filters and quarter) in the
official layout, printed on A4 landscape with its header row on every page."""

import tempfile

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook

from exports.problems import problem_sheet
from exports.projects import project_sheet
from figures.rankings import Measure, Rank, Rankings
from figures.rollups import Scope
from figures.sample import sample_data_exists
from plan.spreadsheets import TITLE_FONT, WARNING_FILL, WRAP, Sheet, centred, sample_warning


def saved(book: Workbook) -> tempfile.SpooledTemporaryFile:
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    book.save(out)
    out.seek(0)
    return out


def projects_workbook(scope: Scope, projects, sample: bool) -> tempfile.SpooledTemporaryFile:
    """The projects list as filtered, as of its quarter."""
    book = Workbook(write_only=True)
    project_sheet(book, scope, scope.plan.display_title, sample, projects)
    return saved(book)


def problems_workbook(
    scope: Scope, problems, sample: bool, reader
) -> tempfile.SpooledTemporaryFile:
    """The problem list as filtered, what `reader` may see, on the page's day."""
    book = Workbook(write_only=True)
    problem_sheet(book, scope, scope.plan.display_title, sample, reader, problems)
    return saved(book)


def unit_workbook(scope: Scope, unit, projects, problems, reader) -> tempfile.SpooledTemporaryFile:
    """A responsible unit's key projects and, for a signed-in reader, its problems she may
    see (an anonymous reader of a public dashboard sees no problem)."""
    book = Workbook(write_only=True)
    title = f"{scope.plan.display_title} · {unit.name}"
    sample = sample_data_exists()
    project_sheet(book, scope, title, sample, projects)
    if problems is not None:
        problem_sheet(book, scope, title, sample, reader, problems)
    return saved(book)


RANKING_WIDTHS = [12] + [10, 8, 8] * len(Measure)


def rankings_workbook(scope: Scope, found: Rankings, sample: bool) -> tempfile.SpooledTemporaryFile:
    """The cities ranked by completion, each measure's value, rank and change since the
    quarter before, and how each measure is defined, under the table."""
    book = Workbook(write_only=True)
    headers = [_("City")]
    for measure in Measure:
        headers += [
            f"{measure.label}\n{pgettext('ranking', 'Value')}",
            pgettext("ranking", "Rank"),
            pgettext("ranking", "Change"),
        ]
    sheet = Sheet(
        book,
        _("City rankings"),
        headers,
        RANKING_WIDTHS,
        header_row=3 if sample else 2,
        bordered=True,
    )
    heading = _("%(title)s: city rankings as of the end of Q%(q)s") % {
        "title": scope.plan.display_title,
        "q": scope.as_of,
    }
    sheet.banner([(centred(sheet, heading), len(RANKING_WIDTHS))], font=TITLE_FONT)
    if sample:
        notice = sheet.cell(sample_warning(), bold=True, fill=WARNING_FILL)
        notice.alignment = WRAP
        sheet.banner([(notice, len(RANKING_WIDTHS))])
    sheet.start_table()
    for row in found.ordered(Measure.COMPLETION):
        cells = [row.city.display_name]
        for measure in Measure:
            cells += rank_cells(sheet, row.rank(measure), signed=measure == Measure.PACE)
        sheet.append(cells)
    sheet.in_table = False
    sheet.append([])
    for line in definitions(found):
        cell = sheet.cell(line)
        cell.alignment = WRAP
        sheet.banner([(cell, len(RANKING_WIDTHS))])
    return saved(book)


def rank_cells(sheet: Sheet, rank: Rank, signed: bool) -> list:
    if rank.value is None:
        value = sheet.cell("—")
    else:
        value = sheet.cell(rank.value, "+0.0;-0.0;0.0" if signed else '0.0"%"')
    return [
        value,
        rank.rank if rank.rank is not None else _("not ranked"),
        rank.marker,
    ]


def definitions(found: Rankings) -> list[str]:
    """What each measure is, as the page says it (the rate defined where it is shown)."""
    day = found.rows[0].problems.day.isoformat() if found.rows else "—"
    return [
        _("Completion: investment completed against the city's allocations, as a percentage."),
        _(
            "Against pace (points): completion minus the share expected by the end of the "
            "quarter, in percentage points; positive is ahead."
        ),
        _(
            "Start rate: of the key projects to start this year, the share whose section in "
            "the city has started. Finish rate: of those to complete, the share completed."
        ),
        _(
            "Closure rate: of the problems the city raised that are due (closed, or open past "
            "their deadline) on %(day)s, the share closed on time."
        )
        % {"day": day},
        _(
            "Equal values share a rank and the next rank is skipped (1, 1, 3); a city without "
            "a value is not ranked. Change: ↑ up, ↓ down, — unchanged since the quarter before."
        ),
    ]
