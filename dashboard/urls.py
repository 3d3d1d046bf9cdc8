from django.urls import path

from dashboard import views

urlpatterns = [
    path("", views.home, name="home"),
    path("<int:year>/rankings/", views.rankings, name="rankings"),
    path("<int:year>/projects/", views.project_list, name="projects"),
    path("<int:year>/projects/<int:pk>/", views.project_detail, name="project"),
    path("<int:year>/units/<int:pk>/", views.unit_detail, name="unit"),
]

# Each page, with its figures as a workbook and its reports as CSV at the page's own address.
for prefix, view, name in [
    ("<int:year>/", views.plan_overview, "plan-overview"),
    ("<int:year>/areas/<int:number>/", views.area_detail, "area"),
    ("<int:year>/cities/<slug:slug>/", views.city_detail, "city"),
    ("<int:year>/corridors/<slug:slug>/", views.corridor_detail, "corridor"),
    ("<int:year>/tasks/<str:code>/", views.task_detail, "task"),
]:
    urlpatterns += [
        path(prefix, view, name=name),
        path(f"{prefix}export.xlsx", view, {"download_as": "xlsx"}, name=f"{name}-xlsx"),
        path(f"{prefix}reports.csv", view, {"download_as": "csv"}, name=f"{name}-csv"),
    ]
