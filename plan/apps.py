from django.apps import AppConfig, apps
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanConfig(AppConfig):
    name = "plan"
    verbose_name = _("Work plan")

    def ready(self) -> None:
        from plan.forms import PlainText

        # One rule for every text the project stores, its own fields and those to come: no
        # control character, nothing XML cannot hold (plan.forms.CONTROL_CHARACTERS). Added to
        # the fields' validators here, not declared on each, so no field can be left out; a
        # migration never sees it (it is not a declared validator).
        for model in apps.get_models():
            if model._meta.app_label not in settings.PROJECT_APPS:
                continue
            for field in model._meta.local_fields:
                if isinstance(field, models.CharField | models.TextField):
                    if not any(isinstance(v, PlainText) for v in field.validators):
                        field.validators.append(PlainText(field.verbose_name))
