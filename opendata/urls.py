from django.urls import path, register_converter

from opendata import views


class Kind:
    regex = "csv|xlsx|json"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(Kind, "kind")

urlpatterns = [
    path("opendata/", views.index, name="opendata"),
    path("opendata/catalog.jsonld", views.catalog_file, name="opendata-catalog"),
    path("opendata/fields/<slug:slug>.csv", views.fields_file, name="opendata-fields"),
    path("opendata/<int:year>/", views.index, name="opendata-year"),
    path("opendata/<int:year>/oc4ids.json", views.oc4ids_file, name="opendata-oc4ids"),
    path("opendata/<int:year>/<slug:slug>.<kind:kind>", views.dataset_file, name="opendata-file"),
]
