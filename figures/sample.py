from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from investment.models import ProgressReport, ProjectUpdate
from problems.models import Problem
from tasks.models import CityAllocation


def sample_data_exists() -> bool:
    # One query whatever the data, so page query budgets stay fixed. UNION ALL, so the
    # database stops at the first sample row instead of collecting every one to de-duplicate.
    reports = ProgressReport.objects.sample().values("pk")
    updates = ProjectUpdate.objects.sample().values("pk")
    problems = Problem.objects.sample().values("pk")
    allocations = CityAllocation.objects.sample().values("pk")
    return allocations.union(reports, updates, problems, all=True).exists()


def sample_data(request: HttpRequest) -> dict:
    # Lazy, so a template that shows no banner costs no query.
    return {"sample_data_exists": SimpleLazyObject(sample_data_exists)}
