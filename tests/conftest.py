import gc
import shutil
import tempfile
from io import StringIO

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.core.management import call_command
from django.db import transaction
from django.utils import translation

from people.roles import VIEWER, sync_roles
from plan.models import City, Plan
from tests.builders import LEADER_PASSWORD, make_city


def pytest_configure(config) -> None:
    # At Python's default thresholds the cycle collector ran 4,400 times in 240 tests, 6% of
    # their time; at these, two dozen times in half that, for 8 MB more in a worker.
    gc.set_threshold(50_000, 20, 100)
    # A cache folder of the run's own, so tests never clear the one a local server uses.
    from django.conf import settings

    if settings.CACHES["default"]["BACKEND"].endswith("FileBasedCache"):
        settings.CACHES["default"]["LOCATION"] = tempfile.mkdtemp(prefix="zzmetro-test-cache-")
    # Files of the run's own too (kept uploads, photos a test does not place itself).
    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="zzmetro-test-media-")


def pytest_unconfigure(config) -> None:
    from django.conf import settings

    location = settings.CACHES["default"].get("LOCATION", "")
    if "zzmetro-test-cache-" in location:
        shutil.rmtree(location, ignore_errors=True)
    if "zzmetro-test-media-" in str(settings.MEDIA_ROOT):
        shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Tests create many users; the production hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def default_language():
    # A request in English activates English for the thread, and Django never deactivates it:
    # each test starts in the default language, as a new request would.
    translation.activate("zh-hans")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def uncached_figures(settings):
    # Tests of behaviour see each page computed; tests of the cache turn it on themselves.
    settings.FIGURES_CACHE_SECONDS = 0
    for name in settings.CACHES:
        caches[name].clear()


# The rows of the 2021 plan as load_plan makes them, and of the plan with its sample data.
PLAN_ROWS: list = []
SAMPLE_ROWS: list = []


def project_rows() -> list:
    """Every row of the project's own apps, history and many-to-many rows included."""
    return [
        (model, list(model._base_manager.all()))
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in settings.PROJECT_APPS
    ]


def restore(rows: list) -> None:
    # Foreign keys are checked at commit on both databases, so the order does not matter.
    # The rows keep their own dates: auto_now(_add) would stamp them with today's, and a
    # problem raised in 2021 would seem raised today.
    stamped = [
        field
        for model, _objects in rows
        for field in model._meta.concrete_fields
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    ]
    flags = [(field, field.auto_now, field.auto_now_add) for field in stamped]
    try:
        for field in stamped:
            field.auto_now = field.auto_now_add = False
        with transaction.atomic():
            for model, objects in rows:
                model._base_manager.bulk_create(objects)
    finally:
        for field, auto_now, auto_now_add in flags:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Loads the 2021 plan and its sample data once a session, keeping their rows.

    Tests of small worlds need an empty database (their own plan for 2021, their own cities),
    so the rows are put back only for the tests that ask for them, which costs a few inserts
    instead of a load.
    """
    with django_db_blocker.unblock():
        # The tables are made from the models (--no-migrations: the migrations are checked on
        # PostgreSQL by .ci/run); the roles' groups, which migrations would make, made here.
        sync_roles(apps)
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_plan", "2021", stdout=StringIO())
        PLAN_ROWS[:] = project_rows()
        call_command("load_sample_data", "2021", stdout=StringIO())
        SAMPLE_ROWS[:] = project_rows()
        transaction.set_rollback(True)


@pytest.fixture
def plan_2021(db) -> Plan:
    """The 2021 plan as loaded from fixtures/, for tests of the plan data itself."""
    restore(PLAN_ROWS)
    return Plan.objects.get(year=2021)


@pytest.fixture
def sample_world(db) -> Plan:
    """The 2021 plan with the sample data (load_sample_data 2021), as `make run` shows it."""
    restore(SAMPLE_ROWS)
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
