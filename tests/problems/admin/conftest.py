"""The world of the problem-list admin tests.

The cast: the office, the Kaifeng reporter "kf", the contact of 郑州资规局 "zg" and the contact of
开封发改委 "fg". The world: make_world (1.1 轨道 and 2.1 产业 in both cities, 1.2 政策 in Zhengzhou
only) with the projects 郑开城际 (1.1, both cities) and 郑州南站 (1.1, Zhengzhou only), and a
deactivated unit. Photos go to a folder of each test's own.
"""

from datetime import timedelta

import pytest
from django.utils.timezone import localdate

from people.roles import OFFICE, REPORTER, UNIT_CONTACT
from plan.models import Unit
from tests.builders import make_member, make_project, make_world, raise_problem

from .helpers import Status, signed_in


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def world(zhengzhou, kaifeng):
    world = make_world(zhengzhou, kaifeng)
    return {
        "world": world,
        "intercity": make_project(world.rail, "郑开城际", "complete", [zhengzhou, kaifeng]),
        "station": make_project(world.rail, "郑州南站", "complete", [zhengzhou]),
        "ziguiju": Unit.objects.create(
            name="郑州市自然资源和规划局", short_name="郑州资规局", kind="other"
        ),
        "fagaiwei": Unit.objects.create(
            name="开封市发展和改革委员会", short_name="开封发改委", kind="other"
        ),
        "closed_unit": Unit.objects.create(name="撤销的单位", kind="other", is_active=False),
    }


@pytest.fixture
def office(db):
    return signed_in(make_member("office", OFFICE))


@pytest.fixture
def kf(kaifeng):
    return signed_in(make_member("kf", REPORTER, city=kaifeng))


@pytest.fixture
def zg(world):
    return signed_in(make_member("zg", UNIT_CONTACT, unit=world["ziguiju"]))


@pytest.fixture
def fg(world):
    return signed_in(make_member("fg", UNIT_CONTACT, unit=world["fagaiwei"]))


@pytest.fixture
def raised(world, kaifeng):
    """Kaifeng's problem with 1.1 轨道, raised, awaiting assignment."""
    return raise_problem(world["world"].rail, kaifeng, "城际站点用地未落实")


@pytest.fixture
def assigned(world, kaifeng):
    """Kaifeng's problem with 1.1 轨道, assigned to 郑州资规局, due in twenty days."""
    return raise_problem(
        world["world"].rail,
        kaifeng,
        "跨市征迁协调",
        Status.ASSIGNED,
        world["ziguiju"],
        localdate() + timedelta(days=20),
    )
