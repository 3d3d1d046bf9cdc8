from django.urls import path, register_converter

from opendata import views


class Kind:
    regex = "csv|xlsx|json"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class Year:
    """A plan year as its four digits: one address per file (not /opendata/02021/)."""

    regex = "[12][0-9]{3}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(Kind, "kind")
register_converter(Year, "year")

urlpatterns = [
    path("opendata/", views.index, name="opendata"),
    path("opendata/catalog.jsonld", views.catalog_file, name="opendata-catalog"),
    path("opendata/fields/<slug:slug>.csv", views.fields_file, name="opendata-fields"),
    path("opendata/<year:year>/", views.index, name="opendata-year"),
    path("opendata/<year:year>/oc4ids.json", views.oc4ids_file, name="opendata-oc4ids"),
    path("opendata/<year:year>/<slug:slug>.<kind:kind>", views.dataset_file, name="opendata-file"),
]
