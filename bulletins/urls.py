from django.urls import path

from bulletins import views

urlpatterns = [
    path("<int:year>/bulletins/", views.bulletin_list, name="bulletins"),
    path(
        "<int:year>/bulletins/export.xlsx",
        views.bulletin_list,
        {"file_as": "xlsx"},
        name="bulletins-xlsx",
    ),
    path("<int:year>/bulletin/", views.bulletin_detail, name="bulletin"),
    path(
        "<int:year>/bulletin/bulletin.docx",
        views.bulletin_detail,
        {"file_as": "docx"},
        name="bulletin-docx",
    ),
    path(
        "<int:year>/bulletin/bulletin.pdf",
        views.bulletin_detail,
        {"file_as": "pdf"},
        name="bulletin-pdf",
    ),
]
