from django.urls import path

from investment import views

urlpatterns = [
    path("<int:year>/template.xlsx", views.entry_template, name="entry-template"),
    path("photos/<int:pk>/", views.project_photo, name="project-photo"),
]
