"""/opendata/: each issued plan year's open datasets, as CSV, XLSX and JSON at stable
addresses, each with its field dictionary, and the DCAT catalogue. Open to whoever reads the
dashboard (everyone while DASHBOARD_PUBLIC is on), and the same for all of them: only closed
quarters and approved reports, never a draft plan (datasets.py)."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import render

from figures.sample import sample_data_exists
from opendata import catalog, files, oc4ids
from opendata.datasets import BY_SLUG, DATASETS, OpenYear
from people.access import reach, readers_only


def open_years(request: HttpRequest) -> list[OpenYear]:
    """The issued plans' years, the latest first: a draft's data is no one's to publish."""
    return OpenYear.of(reach(request.user).plans().issued())


def open_year(request: HttpRequest, year: int) -> OpenYear:
    plan = reach(request.user).plans().issued().filter(year=year).first()
    if plan is None:
        raise Http404
    return OpenYear(plan)


@readers_only
def index(request: HttpRequest, year: int | None = None) -> HttpResponse:
    years = open_years(request)
    if year is not None:
        years = [found for found in years if found.plan.year == year]
        if not years:
            raise Http404
    context = {
        "open_years": years,
        "datasets": [(dataset, files.dictionary_rows(dataset)) for dataset in DATASETS],
        "formats": list(files.FORMATS),
        "oc4ids_title": catalog.OC4IDS_TITLE,
        "oc4ids_description": catalog.OC4IDS_DESCRIPTION,
        "settings_publisher": settings.OPEN_DATA_PUBLISHER,
        "licence": settings.OPEN_DATA_LICENSE_URL,
    }
    return render(request, "opendata/index.html", context)


@readers_only
def dataset_file(request: HttpRequest, year: int, slug: str, kind: str) -> HttpResponse:
    dataset = BY_SLUG.get(slug)
    if dataset is None or kind not in files.FORMATS:
        raise Http404
    found = open_year(request, year)
    name = f"zzmetro-{year}-{slug}.{kind}"
    if kind == "xlsx":
        response = HttpResponse(files.as_xlsx(dataset, found), content_type=files.FORMATS[kind])
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    rows = files.as_csv(dataset, found) if kind == "csv" else files.as_json(dataset, found)
    response = StreamingHttpResponse(rows, content_type=files.FORMATS[kind])
    if kind == "csv":
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@readers_only
def oc4ids_file(request: HttpRequest, year: int) -> HttpResponse:
    found = open_year(request, year)
    uri = settings.SITE_URL + request.path
    return StreamingHttpResponse(oc4ids.package(found, uri), content_type=files.FORMATS["json"])


@readers_only
def fields_file(request: HttpRequest, slug: str) -> HttpResponse:
    dataset = BY_SLUG.get(slug)
    if dataset is None:
        raise Http404
    response = StreamingHttpResponse(
        files.dictionary_csv(dataset), content_type=files.FORMATS["csv"]
    )
    response["Content-Disposition"] = f'attachment; filename="zzmetro-{slug}-fields.csv"'
    return response


@readers_only
def catalog_file(request: HttpRequest) -> HttpResponse:
    return JsonResponse(
        catalog.catalogue(open_years(request), sample_data_exists()),
        content_type="application/ld+json; charset=utf-8",
        json_dumps_params={"ensure_ascii": False, "indent": 1},
        encoder=DjangoJSONEncoder,
    )
