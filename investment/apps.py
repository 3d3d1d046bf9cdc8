from django.apps import AppConfig
from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext_lazy as _


class InvestmentConfig(AppConfig):
    name = "investment"
    verbose_name = _("Investment progress")

    def ready(self) -> None:
        from plan.models import City, Corridor, FocusArea, Plan
        from tasks.models import CityAllocation, Milestone, Task

        from .models import FiguresVersion, ProgressReport, QuarterClose

        def figures_changed(sender, **kwargs) -> None:
            FiguresVersion.bump()

        # Everything a page's figures are computed from; a change to any clears them all.
        models = (ProgressReport, QuarterClose, CityAllocation, Milestone, Task)
        for model in (*models, Plan, FocusArea, City, Corridor):
            post_save.connect(figures_changed, sender=model, dispatch_uid=f"figures-{model}")
            post_delete.connect(figures_changed, sender=model, dispatch_uid=f"figures-d-{model}")
        for through in (Task.cities.through, Corridor.cities.through):
            m2m_changed.connect(figures_changed, sender=through, dispatch_uid=f"figures-{through}")

        # Signed-in users are kept under the version too (investment.backends).
        def account_changed(sender, update_fields=None, **kwargs) -> None:
            # Signing in stamps last_login, which nothing kept depends on; clearing every
            # cached figure at each sign-in would make the morning's first pages slow.
            if update_fields is None or set(update_fields) != {"last_login"}:
                FiguresVersion.bump()

        user = get_user_model()
        post_save.connect(account_changed, sender=user, dispatch_uid="figures-user")
        post_delete.connect(figures_changed, sender=user, dispatch_uid="figures-d-user")
