from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("<int:year>/", views.plan_overview, name="plan-overview"),
    path("<int:year>/areas/<int:number>/", views.area_detail, name="area"),
    path("<int:year>/cities/<slug:slug>/", views.city_detail, name="city"),
    path("<int:year>/corridors/<slug:slug>/", views.corridor_detail, name="corridor"),
    path("<int:year>/tasks/<str:code>/", views.task_detail, name="task"),
]
