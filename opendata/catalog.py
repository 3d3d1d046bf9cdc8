"""The open data catalogue in DCAT 3 (JSON-LD): one dataset series per plan year, each of its
datasets with a distribution per format and its field dictionary, so that a portal can harvest
everything from /opendata/catalog.jsonld alone."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

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
        entries = [oc4ids_entry(year, publisher, licence)]
        entries += [entry(dataset, year, publisher, licence) for dataset in DATASETS]
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


def described(year: OpenYear, key: str, title, description, publisher: dict, licence: dict):
    """What every dataset of the year says of itself: its row on the year's page, its series,
    its title and description in both languages, who publishes it under which licence, and the
    time it covers (through the last closed quarter; no end before one is closed)."""
    plan = year.plan
    page = url(reverse("opendata-year", args=[plan.year]))
    period = {"dcat:startDate": {"@type": "xsd:date", "@value": f"{plan.year}-01-01"}}
    if year.last:
        period["dcat:endDate"] = {"@type": "xsd:date", "@value": plan.quarter_end(year.last)}
    return {
        "@id": f"{page}#{plan.year}-{key}",
        "@type": "dcat:Dataset",
        "dcat:inSeries": {"@id": page},
        "dct:identifier": f"{plan.year}/{key}",
        "dct:title": [
            {"@language": "zh", "@value": f"{plan.year}年{in_language(title, 'zh-hans')}"},
            {"@language": "en", "@value": f"{plan.year}: {in_language(title, 'en')}"},
        ],
        "dct:description": [
            {"@language": "zh", "@value": in_language(description, "zh-hans")},
            {"@language": "en", "@value": in_language(description, "en")},
        ],
        "dct:publisher": publisher,
        "dct:license": licence,
        "dct:temporal": {"@type": "dct:PeriodOfTime", **period},
    }


def distribution(address: str, kind: str, licence: dict) -> dict:
    return {
        "@type": "dcat:Distribution",
        "dcat:downloadURL": {"@id": address},
        "dcat:mediaType": {"@id": IANA + MEDIA[kind]},
        "dct:format": {"@id": FILE_TYPE + kind.upper()},
        "dct:license": licence,
    }


def entry(dataset, year: OpenYear, publisher: dict, licence: dict) -> dict:
    plan = year.plan
    found = described(year, dataset.slug, dataset.title, dataset.description, publisher, licence)
    base = reverse("opendata-file", args=[plan.year, dataset.slug, "csv"])[: -len(".csv")]
    found["dct:accrualPeriodicity"] = {"@id": frequency(dataset)}
    found["dct:conformsTo"] = {"@id": url(reverse("opendata-fields", args=[dataset.slug]))}
    found["dcat:distribution"] = [
        distribution(url(f"{base}.{kind}"), kind, licence) for kind in FORMATS
    ]
    return found


OC4IDS = "https://standard.open-contracting.org/infrastructure/schema/0__9__5/project-package-schema.json"
OC4IDS_TITLE = _("Key projects (OC4IDS)")
OC4IDS_DESCRIPTION = _(
    "The key projects as an Open Contracting for Infrastructure Data Standard (OC4IDS 0.9) "
    "project package: budget, period, places, units, milestones, each closed quarter's "
    "approved investment, 形象进度 and photos."
)


def oc4ids_entry(year: OpenYear, publisher: dict, licence: dict) -> dict:
    """The key projects as an OC4IDS project package, one more dataset of the year."""
    found = described(year, "oc4ids", OC4IDS_TITLE, OC4IDS_DESCRIPTION, publisher, licence)
    found["dct:accrualPeriodicity"] = {"@id": QUARTERLY_IRI}
    found["dct:conformsTo"] = {"@id": OC4IDS}
    package = distribution(url(reverse("opendata-oc4ids", args=[year.plan.year])), "json", licence)
    found["dcat:distribution"] = [package | {"dct:conformsTo": {"@id": OC4IDS}}]
    return found


def in_language(text, language: str) -> str:
    """A translatable text in `language`: the catalogue says every text in both, whoever reads."""
    with translation.override(language):
        return str(text)
