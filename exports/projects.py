"""The workbook's 重点项目 sheet: the scope's key projects in the official table layout.

Its figures are the projects page's (Figures.project_rows); on a city's workbook, the city's own
sections, as on the city's page. What no one has stated or reported says so, never 0. The
national project code comes last, after the official layout's columns.
"""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count
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
        notice = sheet.cell(sample_warning(), bold=True, fill=WARNING_FILL, alignment=WRAP)
        sheet.banner([(notice, len(WIDTHS))])
    sheet.start_table()
    projects = scope.project_set().listed() if projects is None else projects
    # The supporting units and the cities are read in one query each for all the rows, not
    # prefetched: Django's prefetching makes a queryset for every project, which took longer
    # than writing the rows at a few thousand projects.
    projects = projects.select_related(None).prefetch_related(None).select_related("lead_unit")
    supporting = supporting_units(projects)
    several = set() if scope.city is not None else with_several_cities(projects)
    rows = scope.figures.project_rows(projects, scope.city)
    # The words the rows repeat, translated once.
    goals = {goal.value: str(goal.label) for goal in Project.Goal}
    stages = {stage.value: str(stage.label) for stage in Project.Stage}
    not_reported, no_stage = _("not reported"), _("no stage reported")
    for number, row in enumerate(rows, 1):
        project = row.project
        sheet.append(
            [
                serial(sheet, number),
                sheet.wrapped(project.name),
                sheet.wrapped(project.description or "—"),
                sheet.wrapped(units(project, supporting[project.pk])),
                goals[project.goal],
                sheet.amount(project.total_investment),
                sheet.amount(project.annual_investment),
                reported(sheet, row.quarter_amount, not_reported),
                reported(sheet, row.cumulative, not_reported),
                sheet.wrapped(progress(row, project.pk in several) or not_reported),
                stages[row.stage] if row.stage else no_stage,
                project.national_code or not_reported,
            ]
        )
    if not rows:
        sheet.append(["", _("No projects.")])


def reported(sheet: Sheet, amount: Decimal | None, not_reported: str) -> Cell:
    # None: no counted update states an amount, which is not the same as 0.
    return sheet.cell(not_reported if amount is None else amount, YI)


def supporting_units(projects) -> dict[int, list[str]]:
    """The names of each project's supporting units, in the units' order (by name)."""
    names = defaultdict(list)
    links = Project.supporting_units.through.objects.filter(project__in=projects.values("pk"))
    for project, name in links.order_by("unit__name").values_list("project", "unit__name"):
        names[project].append(name)
    return names


def with_several_cities(projects) -> set[int]:
    """The projects that run through more than one city."""
    links = Project.cities.through.objects.filter(project__in=projects.values("pk"))
    counted = links.order_by().values("project").annotate(cities=Count("city"))
    return set(counted.filter(cities__gt=1).values_list("project", flat=True))


def units(project: Project, supporting: list[str]) -> str:
    """The lead unit (marked as such beside supporting units), then the supporting units."""
    lead = project.lead_unit
    if lead is None and not supporting:
        return _("not specified")
    if lead is not None:
        name = _("%(unit)s (lead)") % {"unit": lead.name} if supporting else lead.name
        supporting = [name, *supporting]
    return _(", ").join(supporting)


def progress(row: ProjectRow, several_cities: bool) -> str:
    """The latest 形象进度, with the city that reported it where the project has several
    (on a city's workbook, the city's own); empty where none is reported."""
    if not row.progress:
        return ""
    if several_cities:
        return f"{row.progress_city}：{row.progress}"
    return row.progress
