from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("<int:year>/", views.plan_overview, name="plan-overview"),
    path("<int:year>/areas/<int:number>/", views.area_detail, name="area"),
    path("<int:year>/cities/<slug:slug>/", views.city_detail, name="city"),
    path("<int:year>/corridors/<slug:slug>/", views.corridor_detail, name="corridor"),
    path("<int:year>/tasks/<str:code>/", views.task_detail, name="task"),
    path("<int:year>/template.xlsx", views.entry_template, name="entry-template"),
]

# Each page's figures as a workbook and its reports as CSV, at the page's own address.
for prefix, kind in [
    ("<int:year>/", "plan"),
    ("<int:year>/areas/<int:key>/", "area"),
    ("<int:year>/cities/<slug:key>/", "city"),
    ("<int:year>/corridors/<slug:key>/", "corridor"),
    ("<int:year>/tasks/<str:key>/", "task"),
]:
    urlpatterns += [
        path(f"{prefix}export.xlsx", views.export_workbook, {"kind": kind}, name=f"{kind}-xlsx"),
        path(f"{prefix}reports.csv", views.export_reports, {"kind": kind}, name=f"{kind}-csv"),
    ]
