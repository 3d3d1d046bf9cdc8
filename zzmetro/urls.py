from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from zzmetro.views import healthz, keepalive

handler400 = "zzmetro.views.bad_request"
handler404 = "zzmetro.views.not_found"
handler500 = "zzmetro.views.server_error"

urlpatterns = [
    path(settings.ADMIN_PATH, admin.site.urls),
    path("healthz", healthz),
    path("session/keepalive", keepalive, name="keepalive"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("investment.urls")),
    path("", include("problems.urls")),
    path("", include("bulletins.urls")),
    path("", include("exports.urls")),
    path("", include("api.urls")),
    path("", include("opendata.urls")),
    path("", include("dashboard.urls")),
]
# Nothing here serves MEDIA_URL or MEDIA_ROOT (no static() of them, not even with DEBUG on): a
# photo is served only by investment.views.project_photo, which checks who may see its update.
