"""A close and a save of the same plan never cross (PostgreSQL, two connections): a close
waits for a save under way, and a save begun after a close waits and then finds the quarter
closed. SQLite holds the whole database from a write transaction's BEGIN, so there is no
race to test there.

The test's own rows are committed (each connection sees only committed rows) in a plan year
of their own, and removed afterwards.
"""

import threading
import time
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction

from investment.models import ProgressReport, QuarterClose
from investment.workflow import record
from people.models import Reporter
from people.roles import OFFICE, REPORTER
from plan.models import City, Plan
from tests.builders import make_area, make_member, make_task

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL race"),
]
YEAR = 2091


def in_thread(work, *args) -> threading.Thread:
    """Run `work` on a connection of its own; its exception, if any, on `thread.error`."""

    def run() -> None:
        try:
            thread.result = work(*args)
        except Exception as error:  # Asserted on by the test.
            thread.error = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.result = thread.error = None
    thread.start()
    return thread


def committed_world() -> dict:
    with transaction.atomic():
        plan = Plan.objects.create(
            year=YEAR,
            title="竞态",
            source="test",
            declared_area_count=1,
            declared_task_count=1,
            status=Plan.Status.ISSUED,  # A draft plan is the office's alone.
        )
        city = City.objects.create(slug="race-city", name="竞态市", name_en="Race", order=99)
        task = make_task(make_area(plan), 1, "100", [city])
        return {
            "plan": plan,
            "task": task,
            "city": city,
            "reporter": make_member("race-kf", REPORTER, city=city),
            "office": make_member("race-office", OFFICE),
        }


def remove(world: dict) -> None:
    with transaction.atomic():
        # The rows first, then their history (deleting a row writes a history record).
        ProgressReport.objects.filter(city=world["city"]).delete()
        ProgressReport.history.filter(city_id=world["city"].pk).delete()
        QuarterClose.objects.filter(plan=world["plan"]).delete()
        QuarterClose.history.filter(plan_id=world["plan"].pk).delete()
        Reporter.objects.filter(city=world["city"]).delete()
        get_user_model().objects.filter(username__startswith="race-").delete()
        world["task"].cities.clear()
        world["task"].delete()
        world["plan"].areas.all().delete()
        world["plan"].delete()
        world["city"].delete()
        for made in (world["task"], world["plan"], world["city"]):
            if hasattr(type(made), "history"):
                type(made).history.filter(id=made.pk).delete()


@pytest.fixture
def world():
    thread = in_thread(committed_world)
    thread.join()
    yield thread.result
    cleaning = in_thread(remove, thread.result)
    cleaning.join()
    assert cleaning.error is None
    # Nothing of the test's own is left for the tests that run after it on this database.
    plan = thread.result["plan"].pk
    assert not QuarterClose.history.filter(plan_id=plan).exists()
    assert not ProgressReport.history.filter(city_id=thread.result["city"].pk).exists()


def save_and_hold(world, saved: threading.Event, release: threading.Event) -> None:
    with transaction.atomic():
        report = ProgressReport(task=world["task"], city=world["city"], year=YEAR, quarter=1)
        report.amount = Decimal(5)
        record(report, world["reporter"])
        saved.set()
        release.wait(10)


def close(world) -> float:
    QuarterClose.close(world["plan"], 1, world["office"], "关账")
    return time.monotonic()


def test_a_close_waits_for_a_save_under_way(world):
    saved, release = threading.Event(), threading.Event()
    saving = in_thread(save_and_hold, world, saved, release)
    assert saved.wait(10)
    closing = in_thread(close, world)
    time.sleep(0.5)
    assert closing.is_alive()  # Waiting on the save's lock.
    released_at = time.monotonic()
    release.set()
    saving.join(10), closing.join(10)
    assert (saving.error, closing.error) == (None, None)
    assert closing.result >= released_at
    assert ProgressReport.objects.filter(city=world["city"]).count() == 1
    assert QuarterClose.objects.filter(plan=world["plan"]).count() == 1


def close_and_hold(world, closed: threading.Event, release: threading.Event) -> None:
    with transaction.atomic():
        QuarterClose.close(world["plan"], 1, world["office"], "关账")
        closed.set()
        release.wait(10)


def save(world) -> None:
    report = ProgressReport(task=world["task"], city=world["city"], year=YEAR, quarter=1)
    report.amount = Decimal(5)
    record(report, world["reporter"])


def test_a_save_begun_during_a_close_waits_and_finds_the_quarter_closed(world):
    closed, release = threading.Event(), threading.Event()
    closing = in_thread(close_and_hold, world, closed, release)
    assert closed.wait(10)
    saving = in_thread(save, world)
    time.sleep(0.5)
    assert saving.is_alive()  # Waiting on the close's lock.
    release.set()
    closing.join(10), saving.join(10)
    assert isinstance(saving.error, ValidationError)
    assert saving.error.message_dict == {"quarter": ["季度：都市圈办公室已锁定本季度。"]}
    assert not ProgressReport.objects.filter(city=world["city"]).exists()
