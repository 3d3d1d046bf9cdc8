from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from people.roles import ALL, OFFICE, READ


class BulletinsConfig(AppConfig):
    name = "bulletins"
    verbose_name = _("Bulletins")
    # The office writes and issues them; everyone else reads the issued ones on the pages.
    grants = {OFFICE: {"bulletin": ALL, "historicalbulletin": READ}}
