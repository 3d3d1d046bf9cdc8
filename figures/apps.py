from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


class FiguresConfig(AppConfig):
    name = "figures"

    def ready(self) -> None:
        from figures.cache import figures_changed
        from investment.models import ProgressReport, ProjectUpdate, QuarterClose
        from investment.workflow import recorded
        from plan.models import City, Corridor, FocusArea, Member, Plan, Unit
        from problems.models import Problem
        from tasks.models import CityAllocation, Milestone, Project, Task

        # Everything a page's figures are computed from; a change to any retires them all.
        models = (ProgressReport, ProjectUpdate, QuarterClose, CityAllocation, Milestone, Task)
        models += (Project, Problem)
        for model in (*models, Plan, FocusArea, City, Member, Corridor, Unit):
            post_save.connect(figures_changed, sender=model, dispatch_uid=f"figures-{model}")
            post_delete.connect(figures_changed, sender=model, dispatch_uid=f"figures-d-{model}")
        throughs = (Task.cities.through, Corridor.cities.through, Project.cities.through)
        for through in (*throughs, Member.counties.through):
            m2m_changed.connect(figures_changed, sender=through, dispatch_uid=f"figures-{through}")
        # The entry path writes its rows in bulk, which sends no post_save: it says so once.
        recorded.connect(figures_changed, dispatch_uid="figures-recorded")
