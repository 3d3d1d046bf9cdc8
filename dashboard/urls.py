from django.urls import path

from dashboard import views
from figures.pages import PAGES

urlpatterns = [
    path("", views.home, name="home"),
    path("<int:year>/rankings/", views.rankings, name="rankings"),
    path("<int:year>/projects/", views.project_list, name="projects"),
    path("<int:year>/projects/<int:pk>/", views.project_detail, name="project"),
    path("<int:year>/units/<int:pk>/", views.unit_detail, name="unit"),
]

# The pages about one subject; their workbooks and CSV files are exports.urls'.
views_of = {
    "plan": views.plan_overview,
    "area": views.area_detail,
    "city": views.city_detail,
    "corridor": views.corridor_detail,
    "task": views.task_detail,
}
urlpatterns += [path(prefix, views_of[kind], name=name) for kind, prefix, name in PAGES]
