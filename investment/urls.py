from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("<int:year>/", views.plan_overview, name="plan-overview"),
]
