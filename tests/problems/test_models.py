"""The problem list's model: the steps a problem takes, who may take them, and its colour."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils.timezone import localdate

from people.models import UnitContact
from people.roles import REPORTER, UNIT_CONTACT
from plan.models import Unit
from problems.models import Problem, ProblemEntry
from tests.builders import make_member, make_world, raise_problem

Status, Colour = Problem.Status, Problem.colour


@pytest.fixture
def world(zhengzhou, kaifeng):
    return make_world(zhengzhou, kaifeng)


@pytest.fixture
def unit(db):
    return Unit.objects.create(name="郑州市自然资源和规划局", short_name="郑州资规局", kind="other")


@pytest.fixture
def contact(django_user_model, unit):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("unit-contact", password="x")
    user.groups.add(Group.objects.get(name=UNIT_CONTACT))
    UnitContact.objects.create(user=user, unit=unit)
    return user


@pytest.fixture
def problem(world, zhengzhou):
    return Problem.objects.create(
        task=world.rail,
        city=zhengzhou,
        title="用地指标不足",
        description="站房用地未落实",
        kind="land",
    )


def step(problem, entry, version=None):
    problem.record(entry, problem.version if version is None else version)
    problem.refresh_from_db()


def test_a_problem_goes_from_raised_to_closed_with_a_thread(problem, office, contact, unit):
    step(problem, problem.assign(office, unit, localdate() + timedelta(days=20), "请资规局办理"))
    assert (problem.status, problem.unit, problem.assigned_on) == (
        Status.ASSIGNED,
        unit,
        localdate(),
    )
    step(problem, problem.answer(contact, "已调剂指标"))
    step(problem, problem.close(office))
    assert (problem.status, problem.closed_on) == (Status.CLOSED, localdate())
    assert list(problem.entries.values_list("kind", "text")) == [
        ("assigned", "请资规局办理"),
        ("answered", "已调剂指标"),
        ("closed", ""),
    ]
    assert list(problem.history.values_list("status", flat=True)) == [
        "closed",
        "answered",
        "assigned",
        "raised",
    ]


def test_a_deadline_before_the_day_it_is_assigned_is_refused(problem, office, unit):
    with pytest.raises(ValidationError) as error:
        problem.assign(office, unit, localdate() - timedelta(days=1))
    assert list(error.value.message_dict) == ["deadline"]
    problem.refresh_from_db()
    assert problem.status == Status.RAISED


def test_an_inactive_unit_cannot_be_assigned(problem, office, unit):
    unit.is_active = False
    unit.save()
    with pytest.raises(ValidationError):
        problem.assign(office, unit, localdate())


def test_a_contact_of_another_unit_cannot_answer(problem, office, unit, contact):
    other = Unit.objects.create(name="开封市发展和改革委员会", kind="other")
    problem.assign(office, other, localdate())
    problem.save()
    with pytest.raises(ValidationError):
        problem.answer(contact, "已办理")


def test_an_unanswered_problem_cannot_be_closed(problem, office):
    with pytest.raises(ValidationError):
        problem.close(office)


def test_a_stale_step_is_refused(problem, office, unit):
    seen = problem.version
    step(problem, problem.assign(office, unit, localdate()))
    entry = problem.refuse(office, "不属于都市圈事项")
    with pytest.raises(ValidationError):
        problem.record(entry, seen)
    assert ProblemEntry.objects.filter(kind="refused").count() == 0


@pytest.mark.parametrize(
    ("deadline_in", "status", "closed_in", "colour"),
    [
        (None, Status.RAISED, None, "normal"),
        (8, Status.ASSIGNED, None, "normal"),
        (7, Status.ASSIGNED, None, "yellow"),
        (0, Status.ASSIGNED, None, "yellow"),
        (-1, Status.ANSWERED, None, "orange"),
        (-30, Status.ASSIGNED, None, "orange"),
        (-31, Status.ASSIGNED, None, "red"),
        (-40, Status.CLOSED, -35, "orange"),
        (-40, Status.CLOSED, -5, "red"),
        (-5, Status.CLOSED, -6, "normal"),
        (3, Status.CLOSED, 0, "normal"),
    ],
)
def test_the_colour_in_python_and_in_the_database_agree(
    problem, deadline_in, status, closed_in, colour
):
    today = localdate()
    problem.deadline = None if deadline_in is None else today + timedelta(days=deadline_in)
    problem.closed_on = None if closed_in is None else today + timedelta(days=closed_in)
    problem.status = status
    problem.save()
    assert problem.colour(today) == colour
    assert Problem.objects.with_colour(today).get().colour == colour


def test_who_sees_which_problem(problem, office, leader, contact, unit, world, kaifeng, zhengzhou):
    assigned = raise_problem(world.rail, kaifeng, "开封征迁", Status.ASSIGNED, unit, localdate())
    other_unit = Unit.objects.create(name="开封市发展和改革委员会", kind="other")
    elsewhere = raise_problem(world.rail, kaifeng, "开封资金", Status.CLOSED, other_unit)
    zz = make_member("zz", REPORTER, city=zhengzhou)

    def seen(user) -> list[str]:
        return sorted(Problem.objects.visible_to(user).values_list("title", flat=True))

    assert seen(office) == sorted([problem.title, assigned.title, elsewhere.title])
    # Leaders read every problem once assigned; one still to assign is not yet theirs.
    assert seen(leader) == sorted([assigned.title, elsewhere.title])
    assert seen(zz) == [problem.title]
    assert seen(contact) == [assigned.title]


def test_a_reporter_raises_a_problem_for_her_city_only_and_its_description_opens_the_thread(
    zhengzhou, kaifeng
):
    world = make_world(zhengzhou, kaifeng)
    kf = make_member("kf-raises", REPORTER, city=kaifeng)
    problem = Problem(task=world.rail, city=zhengzhou, title="用地", description="站房用地未落实")
    problem.kind = Problem.Kind.LAND
    with pytest.raises(ValidationError) as error:
        problem.raised_by(kf)
    assert error.value.message_dict == {"city": ["您不能为这个城市填报。"]}
    problem.city = kaifeng
    problem.record(problem.raised_by(kf), None)
    entry = problem.entries.get()
    assert (entry.kind, entry.author, entry.text) == ("raised", kf, "站房用地未落实")
    assert (problem.status, problem.created_by, problem.updated_by) == ("raised", kf, kf)
