from django.urls import path

from exports import views
from figures.pages import PAGES

urlpatterns = [
    path("<int:year>/projects/export.xlsx", views.projects_file, name="projects-xlsx"),
    path("<int:year>/problems/export.xlsx", views.problems_file, name="problems-xlsx"),
    path("<int:year>/rankings/export.xlsx", views.rankings_file, name="rankings-xlsx"),
    path("<int:year>/units/<int:pk>/export.xlsx", views.unit_file, name="unit-xlsx"),
]
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
