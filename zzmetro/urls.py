from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def healthz(request: HttpRequest) -> HttpResponse:
    """For the load balancer: the process answers. Touches no database, so it stays cheap."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path(settings.ADMIN_PATH, admin.site.urls),
    path("healthz", healthz),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("investment.urls")),
]
