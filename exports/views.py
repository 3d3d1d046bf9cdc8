"""A page's figures as a workbook (export.xlsx) and its reports as CSV (reports.csv), at the
page's own address, for whoever may read the page (a city's only for the office, leaders and
that city's reporter)."""

from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django.utils.timezone import localdate

from exports import lists, reports, workbook
from figures.pages import chosen_projects, figures_for, page_subject, project_filters
from figures.sample import sample_data_exists
from people.access import city_files_only, members_only, readers_only
from plan.models import Unit
from plan.spreadsheets import XLSX
from problems.views import chosen_filters as problem_filters
from problems.views import chosen_problems, seen_by
from tasks.models import Project


@readers_only
def page_file(request: HttpRequest, year: int, kind: str, file_as: str, **key) -> HttpResponse:
    figures = figures_for(request, year)
    subject = page_subject(figures.plan, kind, *key.values())
    if kind == "city" and (refused := city_files_only(request, subject)):
        return refused
    if file_as == "xlsx":
        page = figures.page(subject)
        return FileResponse(
            workbook.workbook(page, sample_data_exists(), request.user),
            as_attachment=True,
            filename=workbook.file_name(page, "xlsx"),
            content_type=XLSX,
        )
    response = StreamingHttpResponse(
        reports.reports_csv(figures, subject), content_type="text/csv; charset=utf-8"
    )
    name = workbook.subject_file_name(figures.plan, figures.as_of, kind, subject, "csv")
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def xlsx(data, name: str) -> FileResponse:
    return FileResponse(data, as_attachment=True, filename=name, content_type=XLSX)


@readers_only
def projects_file(request: HttpRequest, year: int) -> HttpResponse:
    """The key projects list as the page shows it (its quarter and filters)."""
    figures = figures_for(request, year)
    projects = chosen_projects(figures, project_filters(request, figures.plan))
    data = lists.projects_workbook(figures.page(figures.plan), projects, sample_data_exists())
    return xlsx(data, f"zzmetro-{year}Q{figures.as_of}-projects.xlsx")


@members_only
def problems_file(request: HttpRequest, year: int) -> HttpResponse:
    """The problem list as the page shows it: its day, its filters, what the reader may see."""
    figures = figures_for(request, year)
    day = figures.plan.as_of_day(figures.as_of)
    visible = seen_by(request.user, figures.plan, day)
    problems = chosen_problems(visible, problem_filters(request, figures.plan), day)
    scope = figures.page(figures.plan)
    data = lists.problems_workbook(scope, problems, sample_data_exists(), request.user)
    return xlsx(data, f"zzmetro-{year}Q{figures.as_of}-problems.xlsx")


@readers_only
def rankings_file(request: HttpRequest, year: int) -> HttpResponse:
    figures = figures_for(request, year)
    found = figures.rankings(localdate())
    data = lists.rankings_workbook(figures.page(figures.plan), found, sample_data_exists())
    return xlsx(data, f"zzmetro-{year}Q{figures.as_of}-rankings.xlsx")


@readers_only
def unit_file(request: HttpRequest, year: int, pk: int) -> HttpResponse:
    """A unit's page as a workbook: the key projects it leads or supports, and the problems
    assigned to it that the reader may see, on the page's day."""
    figures = figures_for(request, year)
    unit = get_object_or_404(Unit, pk=pk)
    projects = Project.objects.of_plan(figures.plan).of_unit(unit).listed()
    problems = None
    if request.user.is_authenticated:
        day = figures.plan.as_of_day(figures.as_of)
        problems = seen_by(request.user, figures.plan, day).filter(unit=unit)
    data = lists.unit_workbook(figures.page(figures.plan), unit, projects, problems, request.user)
    return xlsx(data, f"zzmetro-{year}Q{figures.as_of}-unit-{unit.pk}.xlsx")
