from django.urls import path

from exports import views
from figures.pages import PAGES

urlpatterns = []
for kind, prefix, name in PAGES:
    urlpatterns += [
        path(
            f"{prefix}export.xlsx",
            views.page_file,
            {"kind": kind, "file_as": "xlsx"},
            name=f"{name}-xlsx",
        ),
        path(
            f"{prefix}reports.csv",
            views.page_file,
            {"kind": kind, "file_as": "csv"},
            name=f"{name}-csv",
        ),
    ]
