"""send_reminders for problems: each unit's contacts hear of their problems due soon or
overdue, at most once a day, and the office gets a digest of the red ones at most weekly."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command

from people.models import UnitContact
from people.roles import OFFICE, UNIT_CONTACT
from plan.models import Unit
from problems.models import Problem, ProblemDigest, ProblemReminder
from tests.builders import make_world

Status = Problem.Status
TODAY = date(2021, 6, 15)


@pytest.fixture
def today(monkeypatch):
    """The day send_reminders runs on; set `today.day` to move it."""

    class Clock:
        day = TODAY

    clock = Clock()
    monkeypatch.setattr("problems.management.commands.send_reminders.localdate", lambda: clock.day)
    return clock


def user(django_user_model, username: str, email: str, group: str):
    account = django_user_model.objects.create_user(username, email=email)
    account.groups.add(Group.objects.get(name=group))
    return account


@pytest.fixture
def world(zhengzhou, kaifeng, django_user_model):
    """On 15 June 2021, with warnings 7 days ahead and red past 30 days late:

    资规局 (two contacts, one without email): 用地 due 20 June (yellow), 站房 due 1 May (red),
    规划 due 30 June (not yet due), 拆迁 answered and overdue (awaits the office), 旧账 closed.
    发改委 (one contact): 资金 due 10 June (orange), 审批 answered, due 10 May (red).
    环保局 (no contact): 环评 due 14 June (orange).
    The office: one user with an email, one without.
    """
    world = make_world(zhengzhou, kaifeng)
    land = Unit.objects.create(name="郑州市自然资源和规划局", kind="other")
    reform = Unit.objects.create(name="开封市发展和改革委员会", kind="other")
    environment = Unit.objects.create(name="郑州市生态环境局", kind="other")
    for username, email, unit in [
        ("zg", "zg@example.org", land),
        ("zg2", "", land),
        ("fg", "fg@example.org", reform),
    ]:
        account = user(django_user_model, username, email, UNIT_CONTACT)
        UnitContact.objects.create(user=account, unit=unit)
    user(django_user_model, "bangongshi", "office@example.org", OFFICE)
    user(django_user_model, "bangongshi2", "", OFFICE)
    for title, city, unit, status, deadline, closed_on in [
        ("用地", zhengzhou, land, Status.ASSIGNED, date(2021, 6, 20), None),
        ("站房", zhengzhou, land, Status.ASSIGNED, date(2021, 5, 1), None),
        ("规划", kaifeng, land, Status.ASSIGNED, date(2021, 6, 30), None),
        ("拆迁", kaifeng, land, Status.ANSWERED, date(2021, 6, 1), None),
        ("旧账", zhengzhou, land, Status.CLOSED, date(2021, 4, 1), date(2021, 5, 20)),
        ("资金", kaifeng, reform, Status.ASSIGNED, date(2021, 6, 10), None),
        ("审批", zhengzhou, reform, Status.ANSWERED, date(2021, 5, 10), None),
        ("环评", zhengzhou, environment, Status.ASSIGNED, date(2021, 6, 14), None),
    ]:
        Problem.objects.create(
            task=world.rail,
            city=city,
            title=title,
            description=f"{title}问题",
            kind="land",
            unit=unit,
            status=status,
            assigned_on=date(2021, 4, 1),
            deadline=deadline,
            closed_on=closed_on,
        )
    return world


def remind() -> str:
    out = StringIO()
    call_command("send_reminders", "--quarter", "2", stdout=out)
    return out.getvalue()


def sent_to(address: str) -> list:
    return [message for message in mail.outbox if message.to == [address]]


def test_each_unit_contact_hears_of_the_problems_awaiting_her_answer(world, today):
    output = remind()
    [land] = sent_to("zg@example.org")
    assert land.subject == "问题办理提醒：郑州市自然资源和规划局，2 个问题临近时限或已逾期"
    assert land.body == "\n".join(
        [
            "截至2021-06-15，郑州市自然资源和规划局有以下问题待答复，"
            "已临近办理时限（7天内）或已逾期：",
            "",
            "1. [红色：严重逾期 · 逾期45天] 站房",
            "   所属任务：1.1 轨道；提出城市：郑州；办理时限：2021-05-01",
            "2. [黄色：临近时限] 用地",
            "   所属任务：1.1 轨道；提出城市：郑州；办理时限：2021-06-20",
            "",
            "请登录系统，在“问题清单”中答复。",
        ]
    )
    [reform] = sent_to("fg@example.org")
    assert "1. [橙色：已逾期 · 逾期5天] 资金" in reform.body
    assert "审批" not in reform.body  # Answered: it awaits the office, not the unit.
    assert "zg2 没有电子邮箱，未发送提醒。" in output
    assert (
        "郑州市生态环境局没有留有电子邮箱的联络员，1 个临近时限或已逾期的问题未发送提醒。" in output
    )
    assert "已向责任单位联络员发送 2 封问题办理提醒。" in output


def test_a_problem_is_reminded_at_most_once_a_day(world, today):
    remind()
    assert len(sent_to("zg@example.org")) == 1
    assert "已向责任单位联络员发送 0 封问题办理提醒。" in remind()
    assert len(sent_to("zg@example.org")) == 1
    reminded = ProblemReminder.objects.values_list("problem__title", "sent_on", "recipients")
    assert set(reminded) == {("站房", TODAY, 1), ("用地", TODAY, 1), ("资金", TODAY, 1)}
    today.day = TODAY + timedelta(days=1)
    remind()
    assert len(sent_to("zg@example.org")) == 2


def test_a_problem_added_later_the_same_day_is_reminded_alone(world, today, zhengzhou):
    remind()
    Problem.objects.create(
        task=world.rail,
        city=zhengzhou,
        title="新问题",
        description="新问题",
        kind="land",
        unit=Unit.objects.get(name="郑州市自然资源和规划局"),
        status=Status.ASSIGNED,
        deadline=TODAY,
    )
    remind()
    latest = sent_to("zg@example.org")[-1]
    assert latest.subject.endswith("1 个问题临近时限或已逾期")
    assert "新问题" in latest.body and "站房" not in latest.body


def test_reminders_change_no_problem_and_write_no_history(world, today):
    before = list(Problem.objects.values_list("pk", "status", "version", "updated_at"))
    history = Problem.history.count()
    remind()
    assert list(Problem.objects.values_list("pk", "status", "version", "updated_at")) == before
    assert Problem.history.count() == history


def test_the_office_gets_a_digest_of_the_red_problems(world, today):
    output = remind()
    [digest] = sent_to("office@example.org")
    assert digest.subject == "问题清单周报：2 个问题严重逾期（红色预警）"
    assert digest.body == "\n".join(
        [
            "截至2021-06-15，以下问题逾期超过30天：",
            "",
            "1. [红色：严重逾期 · 逾期45天] 站房",
            "   所属任务：1.1 轨道；提出城市：郑州；责任单位：郑州市自然资源和规划局；"
            "办理时限：2021-05-01；状态：已交办",
            "2. [红色：严重逾期 · 逾期36天] 审批",
            "   所属任务：1.1 轨道；提出城市：郑州；责任单位：开封市发展和改革委员会；"
            "办理时限：2021-05-10；状态：已答复",
            "",
            "下一期周报最早于2021-06-22发送。",
        ]
    )
    assert "已向都市圈办公室 1 人发送问题清单周报（2 个红色预警问题）。" in output
    assert list(ProblemDigest.objects.values_list("sent_on", "problems", "recipients")) == [
        (TODAY, 2, 1)
    ]


def test_the_digest_goes_out_at_most_once_a_week(world, today):
    remind()
    today.day = TODAY + timedelta(days=6)
    assert "问题清单周报已于2021-06-15发送，下一期于2021-06-22起发送。" in remind()
    assert len(sent_to("office@example.org")) == 1
    today.day = TODAY + timedelta(days=7)
    remind()
    assert len(sent_to("office@example.org")) == 2


def test_without_red_problems_or_office_addresses_no_digest_is_sent_or_recorded(
    world, today, django_user_model
):
    Problem.objects.filter(title__in=["站房", "审批"]).update(status=Status.REFUSED)
    assert "没有红色预警问题，不发送周报。" in remind()
    Problem.objects.filter(title="站房").update(status=Status.ASSIGNED)
    django_user_model.objects.filter(username="bangongshi").update(email="")
    assert "都市圈办公室没有留有电子邮箱的用户，未发送周报。" in remind()
    assert sent_to("office@example.org") == [] and not ProblemDigest.objects.exists()
