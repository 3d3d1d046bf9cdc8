from django.urls import path

from problems import views

urlpatterns = [
    path("<int:year>/problems/", views.problem_list, name="problems"),
    path("<int:year>/problems/<int:pk>/", views.problem_detail, name="problem"),
    path("problem-attachments/<int:pk>/", views.problem_attachment, name="problem-attachment"),
]
