from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command

from investment.models import ProgressReport
from people.models import Reporter
from people.roles import REPORTER
from tests.builders import make_area, make_plan, make_report, make_task

pytestmark = pytest.mark.django_db


@pytest.fixture
def reporters(django_user_model, zhengzhou, kaifeng, xuchang):
    area = make_area(make_plan())
    rail = make_task(area, 1, "100", [zhengzhou, kaifeng], title="轨道")
    water = make_task(area, 2, "100", [kaifeng, xuchang], title="水网")
    make_report(rail, zhengzhou, 2, "1", ProgressReport.Status.SUBMITTED)
    make_report(water, kaifeng, 2, "1", ProgressReport.Status.DRAFT)
    for slug, city, email in [
        ("zz", zhengzhou, "zz@example.org"),
        ("kf", kaifeng, "kf@example.org"),
        ("xc", xuchang, ""),
    ]:
        user = django_user_model.objects.create_user(slug, email=email, is_staff=True)
        user.groups.add(Group.objects.get(name=REPORTER))
        Reporter.objects.create(user=user, city=city)


def remind(*args) -> str:
    out = StringIO()
    call_command("send_reminders", "--quarter", "2", *args, stdout=out)
    return out.getvalue()


def test_each_city_that_owes_figures_is_reminded_of_them(reporters):
    output = remind()
    assert [message.to for message in mail.outbox] == [["kf@example.org"]]
    body = mail.outbox[0].body
    assert "1.1 轨道" in body and "1.2 水网" in body
    assert "截止日期：2021-07-10。" in body
    assert mail.outbox[0].subject == "季度填报提醒：开封，2021 年第2季度"
    assert "xc 没有电子邮箱，未发送提醒。" in output
    assert "已发送 1 封提醒。" in output


def test_running_again_sends_the_same_reminders_and_changes_nothing(reporters):
    remind()
    reports = list(ProgressReport.objects.values_list("pk", "status", "version"))
    remind()
    assert len(mail.outbox) == 2
    assert list(ProgressReport.objects.values_list("pk", "status", "version")) == reports


def test_users_taken_out_of_the_reporter_role_are_not_reminded(reporters, django_user_model):
    django_user_model.objects.get(username="kf").groups.clear()
    assert "已发送 0 封提醒。" in remind()
    assert mail.outbox == []


def test_with_every_quarter_closed_nobody_is_reminded(reporters, django_user_model):
    from investment.models import QuarterClose
    from plan.models import Plan

    plan = Plan.objects.get()
    for quarter in range(1, 5):
        QuarterClose.objects.create(
            plan=plan, quarter=quarter, closed_by=django_user_model.objects.first()
        )
    out = StringIO()
    call_command("send_reminders", stdout=out)
    assert "没有未锁定的已结束季度，无需提醒。" in out.getvalue()
