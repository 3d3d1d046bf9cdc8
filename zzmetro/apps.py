from django.contrib.admin.apps import AdminConfig


class ZzmetroAdminConfig(AdminConfig):
    default_site = "zzmetro.admin.ZzmetroAdminSite"
