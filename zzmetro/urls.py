from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from .views import healthz

handler500 = "zzmetro.views.server_error"

urlpatterns = [
    path(settings.ADMIN_PATH, admin.site.urls),
    path("healthz", healthz),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("investment.urls")),
]
