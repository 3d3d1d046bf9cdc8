"""The workbook's 重点项目 sheet: the scope's key projects in the official table layout.

Its figures are the projects page's (Figures.project_rows); on a city's workbook, the city's own
sections, as on the city's page. What no one has stated or reported says so, never 0. The
national project code comes last, after the official layout's columns.
"""

from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import Cell

from figures.projects import ProjectRow
from figures.rollups import Scope
from plan.spreadsheets import (
    TITLE_FONT,
    WARNING_FILL,
    WRAP,
    YI,
    Sheet,
    centred,
    sample_warning,
    serial,
)
from tasks.models import Project

WIDTHS = [5, 28, 36, 16, 8, 10, 10, 10, 10, 40, 8, 26]


def field_label(name: str) -> str:
    """A project field's own name, as the admin shows it: 总投资(亿元), 年度计划投资(亿元)."""
    label = str(Project._meta.get_field(name).verbose_name)
    return label[:1].upper() + label[1:]


def project_headers() -> list[str]:
    return [
        _("No."),
        _("Project name"),
        _("Scope of works"),
        _("Responsible units"),
        _("The year's goal"),
        field_label("total_investment"),
        field_label("annual_investment"),
        _("This quarter (亿元)"),
        _("Cumulative (亿元)"),
        _("Physical progress"),
        _("Current stage"),
        field_label("national_code"),
    ]


def project_sheet(book: Workbook, scope: Scope, title: str, sample: bool, projects=None) -> None:
    """The scope's key projects (or `projects`, the projects list's, filtered). A4 landscape,
    its header row on every page; a sample warning above it while sample data exists."""
    sheet = Sheet(
        book,
        _("Key projects"),
        project_headers(),
        WIDTHS,
        header_row=3 if sample else 2,
        bordered=True,
    )
    heading = _("%(title)s: key projects to the end of Q%(q)s") % {"title": title, "q": scope.as_of}
    sheet.banner([(centred(sheet, heading), len(WIDTHS))], font=TITLE_FONT)
    if sample:
        notice = sheet.cell(sample_warning(), bold=True, fill=WARNING_FILL)
        notice.alignment = WRAP
        sheet.banner([(notice, len(WIDTHS))])
    sheet.start_table()
    projects = scope.project_set().listed() if projects is None else projects
    projects = projects.prefetch_related("supporting_units")
    rows = scope.figures.project_rows(projects, scope.city)
    for number, row in enumerate(rows, 1):
        project = row.project
        sheet.append(
            [
                serial(sheet, number),
                wrapped(sheet, project.name),
                wrapped(sheet, project.description or "—"),
                wrapped(sheet, units(project)),
                str(project.get_goal_display()),
                sheet.amount(project.total_investment),
                sheet.amount(project.annual_investment),
                reported(sheet, row.quarter_amount),
                reported(sheet, row.cumulative),
                wrapped(sheet, progress(row, scope)),
                str(row.stage_label) if row.stage else _("no stage reported"),
                project.national_code or _("not reported"),
            ]
        )
    if not rows:
        sheet.append(["", _("No projects.")])


def wrapped(sheet: Sheet, text: str) -> Cell:
    cell = sheet.cell(text)
    cell.alignment = WRAP
    return cell


def reported(sheet: Sheet, amount: Decimal | None) -> Cell:
    # None: no counted update states an amount, which is not the same as 0.
    return sheet.cell(_("not reported") if amount is None else amount, YI)


def units(project: Project) -> str:
    """The lead unit (marked as such beside supporting units), then the supporting units."""
    supporting = [unit.name for unit in project.supporting_units.all()]
    lead = project.lead_unit
    if lead is None and not supporting:
        return _("not specified")
    if lead is not None:
        name = _("%(unit)s (lead)") % {"unit": lead.name} if supporting else lead.name
        supporting.insert(0, name)
    return _(", ").join(supporting)


def progress(row: ProjectRow, scope: Scope) -> str:
    """The latest 形象进度, with the city that reported it where the project has several."""
    if not row.progress:
        return _("not reported")
    if scope.city is None and len(row.project.cities.all()) > 1:
        return f"{row.progress_city}：{row.progress}"
    return row.progress
