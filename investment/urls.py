from django.urls import path

from . import bulletin_views, problem_views, project_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("<int:year>/template.xlsx", views.entry_template, name="entry-template"),
    path("<int:year>/rankings/", views.rankings, name="rankings"),
    path("<int:year>/projects/", project_views.project_list, name="projects"),
    path("<int:year>/projects/<int:pk>/", project_views.project_detail, name="project"),
    path("<int:year>/units/<int:pk>/", project_views.unit_detail, name="unit"),
    path("photos/<int:pk>/", project_views.project_photo, name="project-photo"),
    path("<int:year>/problems/", problem_views.problem_list, name="problems"),
    path("<int:year>/problems/<int:pk>/", problem_views.problem_detail, name="problem"),
    path("<int:year>/bulletins/", bulletin_views.bulletin_list, name="bulletins"),
    path("<int:year>/bulletin/", bulletin_views.bulletin_detail, name="bulletin"),
    path(
        "<int:year>/bulletin/bulletin.docx",
        bulletin_views.bulletin_detail,
        {"file_as": "docx"},
        name="bulletin-docx",
    ),
    path(
        "<int:year>/bulletin/bulletin.pdf",
        bulletin_views.bulletin_detail,
        {"file_as": "pdf"},
        name="bulletin-pdf",
    ),
    path(
        "problem-attachments/<int:pk>/", problem_views.problem_attachment, name="problem-attachment"
    ),
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
