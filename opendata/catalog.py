"""The open data catalogue in DCAT 3 (JSON-LD): one dataset series per plan year, each of its
datasets with a distribution per format and its field dictionary, so that a portal can harvest
everything from /opendata/catalog.jsonld alone."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from opendata.datasets import DATASETS, QUARTERLY, OpenYear
from opendata.files import FORMATS

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
QUARTERLY_IRI = "http://purl.org/cld/freq/quarterly"


def frequency(dataset) -> str:
    # Compared as the same object: a lazy text's hash is its translation's.
    if dataset.frequency is QUARTERLY:
        return QUARTERLY_IRI
    return "http://purl.org/cld/freq/irregular"


IANA = "http://www.iana.org/assignments/media-types/"
MEDIA = {"csv": "text/csv", "xlsx": FORMATS["xlsx"], "json": "application/json"}
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"


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
                found["dct:description"].insert(0, {"@language": "zh", "@value": SAMPLE})
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
        "@id": url(reverse("opendata-year", args=[plan.year])) + f"#{plan.year}-{dataset.slug}",
        "@type": "dcat:Dataset",
        "dcat:inSeries": {"@id": series_id},
        "dct:identifier": f"{plan.year}/{dataset.slug}",
        "dct:title": [
            {"@language": "zh", "@value": f"{plan.year}年{in_language(dataset.title, 'zh-hans')}"},
            {"@language": "en", "@value": f"{plan.year}: {in_language(dataset.title, 'en')}"},
        ],
        "dct:description": [
            {"@language": "zh", "@value": in_language(dataset.description, "zh-hans")},
            {"@language": "en", "@value": in_language(dataset.description, "en")},
        ],
        "dct:publisher": publisher,
        "dct:license": licence,
        "dct:accrualPeriodicity": {"@id": frequency(dataset)},
        "dct:conformsTo": {"@id": fields},
        # Covered through the last closed quarter; no end before one is closed.
        "dct:temporal": {
            "@type": "dct:PeriodOfTime",
            "dcat:startDate": {"@type": "xsd:date", "@value": f"{plan.year}-01-01"},
            **(
                {"dcat:endDate": {"@type": "xsd:date", "@value": plan.quarter_end(year.last)}}
                if year.last
                else {}
            ),
        },
        "dcat:distribution": [
            {
                "@type": "dcat:Distribution",
                "dcat:downloadURL": {"@id": url(f"{base}.{kind}")},
                "dcat:mediaType": {"@id": IANA + MEDIA[kind]},
                "dct:format": {"@id": FILE_TYPE + kind.upper()},
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
        "@id": url(reverse("opendata-year", args=[plan.year])) + f"#{plan.year}-oc4ids",
        "@type": "dcat:Dataset",
        "dcat:inSeries": {"@id": series_id},
        "dct:identifier": f"{plan.year}/oc4ids",
        "dct:title": [
            {"@language": "zh", "@value": f"{plan.year}年重点项目（OC4IDS）"},
            {"@language": "en", "@value": f"{plan.year}: key projects (OC4IDS)"},
        ],
        "dct:description": [
            {"@language": "zh", "@value": "以OC4IDS 0.9项目包提供的重点项目。"},
            {"@language": "en", "@value": "The key projects as an OC4IDS 0.9 project package."},
        ],
        "dct:publisher": publisher,
        "dct:license": licence,
        "dct:accrualPeriodicity": {"@id": QUARTERLY_IRI},
        "dct:conformsTo": {"@id": OC4IDS},
        "dcat:distribution": [
            {
                "@type": "dcat:Distribution",
                "dcat:downloadURL": {"@id": address},
                "dcat:mediaType": {"@id": IANA + "application/json"},
                "dct:format": {"@id": FILE_TYPE + "JSON"},
                "dct:conformsTo": {"@id": OC4IDS},
                "dct:license": licence,
            }
        ],
    }


def in_language(text, language: str) -> str:
    """A translatable text in `language`: the catalogue says every text in both, whoever reads."""
    with translation.override(language):
        return str(text)
