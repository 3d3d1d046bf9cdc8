from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.core.management import call_command

from plan.models import VIEWER, City, Plan
from tests.builders import LEADER_PASSWORD, make_city


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Tests create many users; the production hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def uncached_figures(settings):
    # Tests of behaviour see each page computed; tests of the cache turn it on themselves.
    settings.ROLLUP_CACHE_SECONDS = 0
    for name in settings.CACHES:
        caches[name].clear()


@pytest.fixture
def plan_2021(db) -> Plan:
    """The 2021 plan as loaded from fixtures/, for tests of the plan data itself."""
    call_command("load_plan", "2021", stdout=StringIO())
    return Plan.objects.get(year=2021)


@pytest.fixture
def office(django_user_model):
    """The metropolitan-area office, which edits the plan in the admin."""
    return django_user_model.objects.create_superuser("office", password="unused-in-tests")


@pytest.fixture
def leader(django_user_model):
    """A leader of the metropolitan area, who reads the pages and signs in with a password."""
    user = django_user_model.objects.create_user("leader", password=LEADER_PASSWORD)
    user.groups.add(Group.objects.get(name=VIEWER))
    return user


@pytest.fixture
def zhengzhou(db) -> City:
    return make_city("zhengzhou", "郑州", 1)


@pytest.fixture
def kaifeng(db) -> City:
    return make_city("kaifeng", "开封", 2)


@pytest.fixture
def xuchang(db) -> City:
    return make_city("xuchang", "许昌", 5)
