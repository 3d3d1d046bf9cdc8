from io import StringIO

import pytest
from django.core.management import call_command

from plan.models import Plan


@pytest.fixture
def plan_2021(db) -> Plan:
    """The 2021 plan as loaded from fixtures/, for tests of the plan data itself."""
    call_command("load_plan", "2021", stdout=StringIO())
    return Plan.objects.get(year=2021)


@pytest.fixture
def office(django_user_model):
    """The metropolitan-area office, which edits the plan in the admin."""
    return django_user_model.objects.create_superuser("office", password="unused-in-tests")
