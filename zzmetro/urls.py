from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

admin.site.site_header = _("Zhengzhou Metropolitan Area integration: administration")
admin.site.site_title = _("zzmetro administration")
admin.site.index_title = _("Work plan and quarterly reports")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("investment.urls")),
]
