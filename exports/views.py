"""A page's figures as a workbook (export.xlsx) and its reports as CSV (reports.csv), at the
page's own address, for whoever may read the page (a city's only for the office, leaders and
that city's reporter)."""

from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

from exports import reports, workbook
from figures.pages import figures_for, page_subject
from figures.sample import sample_data_exists
from people.access import city_files_only, readers_only
from plan.spreadsheets import XLSX


@readers_only
def page_file(request: HttpRequest, year: int, kind: str, file_as: str, **key) -> HttpResponse:
    figures = figures_for(request, year)
    subject = page_subject(figures.plan, kind, *key.values())
    if kind == "city" and (refused := city_files_only(request, subject)):
        return refused
    page = figures.page(subject)
    if file_as == "xlsx":
        return FileResponse(
            workbook.workbook(page, sample_data_exists(), request.user),
            as_attachment=True,
            filename=workbook.file_name(page, "xlsx"),
            content_type=XLSX,
        )
    response = StreamingHttpResponse(
        reports.reports_csv(page), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(
        True, workbook.file_name(page, "csv")
    )
    return response
