"""The open data catalogue in DCAT 3 (JSON-LD): one dataset series per plan year, each of its
datasets with a distribution per format and its field dictionary, so that a portal can harvest
everything from /opendata/catalog.jsonld alone."""

from django.conf import settings
from django.urls import reverse

from opendata.datasets import DATASETS, OpenYear
from opendata.files import FORMATS

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
FREQUENCY = "http://purl.org/cld/freq/quarterly"
MEDIA = {"csv": "text/csv", "xlsx": FORMATS["xlsx"], "json": "application/json"}


def url(path: str) -> str:
    return settings.SITE_URL + path


SAMPLE = "示例数据，不是真实数据：本站载有演示用的示例数据。"


def catalogue(years: list[OpenYear], sample: bool = False) -> dict:
    """The catalogue of `years`; with `sample`, every dataset says it holds made-up data."""
    publisher = {"@type": "foaf:Agent", "foaf:name": settings.OPEN_DATA_PUBLISHER}
    licence = {"@id": settings.OPEN_DATA_LICENSE_URL}
    series, datasets = [], []
    for year in years:
        plan = year.plan
        series_id = url(reverse("opendata-year", args=[plan.year]))
        series.append(
            {
                "@id": series_id,
                "@type": "dcat:DatasetSeries",
                "dct:title": {"@language": "zh", "@value": f"{plan.title} 开放数据"},
                "dct:publisher": publisher,
                "dct:temporal": {
                    "@type": "dct:PeriodOfTime",
                    "dcat:startDate": {"@type": "xsd:date", "@value": f"{plan.year}-01-01"},
                    "dcat:endDate": {"@type": "xsd:date", "@value": f"{plan.year}-12-31"},
                },
            }
        )
        entries = [oc4ids_entry(year, series_id, publisher, licence)]
        entries += [entry(d, year, series_id, publisher, licence) for d in DATASETS]
        for found in entries:
            if sample:
                found["dct:description"] = [
                    {"@language": "zh", "@value": SAMPLE},
                    found["dct:description"],
                ]
            datasets.append(found)
    return {
        "@context": CONTEXT,
        "@id": url(reverse("opendata-catalog")),
        "@type": "dcat:Catalog",
        "dct:title": {"@language": "zh", "@value": "郑州都市圈一体化发展工作要点 开放数据目录"},
        "dct:publisher": publisher,
        "dct:license": licence,
        "foaf:homepage": {"@id": url(reverse("opendata"))},
        "dcat:dataset": series + datasets,
    }


def entry(dataset, year: OpenYear, series_id: str, publisher: dict, licence: dict) -> dict:
    plan = year.plan
    base = reverse("opendata-file", args=[plan.year, dataset.slug, "csv"])[: -len(".csv")]
    fields = url(reverse("opendata-fields", args=[dataset.slug]))
    return {
        "@id": url(base),
        "@type": "dcat:Dataset",
        "dcat:inSeries": {"@id": series_id},
        "dct:identifier": f"{plan.year}/{dataset.slug}",
        "dct:title": [
            {"@language": "zh", "@value": f"{plan.year}年{title_zh(dataset)}"},
            {"@language": "en", "@value": f"{plan.year}: {title_en(dataset)}"},
        ],
        "dct:description": {"@language": "en", "@value": str(dataset.description)},
        "dct:publisher": publisher,
        "dct:license": licence,
        "dct:accrualPeriodicity": {"@id": FREQUENCY},
        "dct:conformsTo": {"@id": fields},
        "dct:temporal": {
            "@type": "dct:PeriodOfTime",
            "dcat:startDate": {"@type": "xsd:date", "@value": f"{plan.year}-01-01"},
            "dcat:endDate": {
                "@type": "xsd:date",
                "@value": plan.quarter_end(year.last).isoformat() if year.last else None,
            },
        },
        "dcat:distribution": [
            {
                "@type": "dcat:Distribution",
                "dcat:downloadURL": {"@id": url(f"{base}.{kind}")},
                "dcat:mediaType": MEDIA[kind],
                "dct:format": kind.upper(),
                "dct:license": licence,
            }
            for kind in FORMATS
        ],
    }


OC4IDS = "https://standard.open-contracting.org/infrastructure/schema/0__9__5/project-package-schema.json"


def oc4ids_entry(year: OpenYear, series_id: str, publisher: dict, licence: dict) -> dict:
    """The key projects as an OC4IDS project package, one more dataset of the year."""
    plan = year.plan
    address = url(reverse("opendata-oc4ids", args=[plan.year]))
    return {
        "@id": address,
        "@type": "dcat:Dataset",
        "dcat:inSeries": {"@id": series_id},
        "dct:identifier": f"{plan.year}/oc4ids",
        "dct:title": [
            {"@language": "zh", "@value": f"{plan.year}年重点项目（OC4IDS）"},
            {"@language": "en", "@value": f"{plan.year}: key projects (OC4IDS)"},
        ],
        "dct:description": {
            "@language": "en",
            "@value": "The key projects as an OC4IDS 0.9 project package.",
        },
        "dct:publisher": publisher,
        "dct:license": licence,
        "dct:accrualPeriodicity": {"@id": FREQUENCY},
        "dct:conformsTo": {"@id": OC4IDS},
        "dcat:distribution": [
            {
                "@type": "dcat:Distribution",
                "dcat:downloadURL": {"@id": address},
                "dcat:mediaType": "application/json",
                "dct:format": "JSON",
                "dct:conformsTo": {"@id": OC4IDS},
                "dct:license": licence,
            }
        ],
    }


def title_zh(dataset) -> str:
    from django.utils import translation

    with translation.override("zh-hans"):
        return str(dataset.title)


def title_en(dataset) -> str:
    from django.utils import translation

    with translation.override("en"):
        return str(dataset.title)
