"""Whom a problem's step tells, by email, at the moment it is taken (people/notices.py)."""

from datetime import timedelta

from django.contrib.auth.models import User
from django.utils.timezone import localdate

from people.models import Profile

from .helpers import assign_data, step_url


def with_email(username: str, address: str) -> User:
    user = User.objects.get(username=username)
    user.email = address
    user.first_name = {"office": "李主任", "zg": "王芳", "kf": "赵敏"}.get(username, "")
    user.save()
    return user


def test_assigning_tells_the_units_contacts_and_nobody_else(
    office, zg, kf, world, raised, mailoutbox, django_capture_on_commit_callbacks
):
    with_email("zg", "zg@example.cn")
    with_email("office", "office@example.cn")
    with_email("kf", "kf@example.cn")
    deadline = localdate() + timedelta(days=30)
    with django_capture_on_commit_callbacks(execute=True):
        office.post(step_url(raised, "assign"), assign_data(raised, world["ziguiju"], deadline))
    assert [mail.to for mail in mailoutbox] == [["zg@example.cn"]]
    mail = mailoutbox[0]
    assert mail.subject == "问题已交办：城际站点用地未落实（开封）"
    assert "李主任：已交办。" in mail.body
    assert f"责任单位：郑州市自然资源和规划局，办理期限 {deadline.isoformat()}" in mail.body
    assert f"/admin/problems/problem/{raised.pk}/change/" in mail.body


def test_answering_tells_the_office_and_closing_tells_who_raised_it(
    office, zg, kf, assigned, mailoutbox, django_capture_on_commit_callbacks
):
    with_email("office", "office@example.cn")
    with_email("kf", "kf@example.cn")
    with django_capture_on_commit_callbacks(execute=True):
        zg.post(step_url(assigned, "answer"), {"text": "已协调", "seen_version": assigned.version})
    assert [mail.to for mail in mailoutbox] == [["office@example.cn"]]
    assigned.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        office.post(step_url(assigned, "close"), {"text": "", "seen_version": assigned.version})
    assert [mail.to for mail in mailoutbox[1:]] == [["kf@example.cn"]]
    assert mailoutbox[1].subject == "问题已销号：跨市征迁协调（开封）"


def test_nobody_who_turned_notices_off_or_lacks_an_address_is_told(
    office, zg, world, raised, mailoutbox, django_capture_on_commit_callbacks
):
    user = with_email("zg", "zg@example.cn")
    Profile.objects.create(user=user, notify=False)
    deadline = localdate() + timedelta(days=30)
    with django_capture_on_commit_callbacks(execute=True):
        office.post(step_url(raised, "assign"), assign_data(raised, world["ziguiju"], deadline))
    assert mailoutbox == []


def test_a_refused_step_tells_nobody(
    office, zg, world, raised, mailoutbox, django_capture_on_commit_callbacks
):
    with_email("zg", "zg@example.cn")
    with django_capture_on_commit_callbacks(execute=True):
        office.post(
            step_url(raised, "assign"),
            assign_data(raised, world["ziguiju"], localdate() - timedelta(1)),
        )
    assert mailoutbox == []


def test_a_raiser_who_can_no_longer_read_the_problem_is_not_told(
    office, zg, kf, world, assigned, mailoutbox, django_capture_on_commit_callbacks
):
    from django.contrib.auth.models import Group

    from people.models import Reporter, UnitContact
    from people.roles import UNIT_CONTACT

    raiser = with_email("kf", "kf@example.cn")
    assigned.created_by = raiser
    assigned.save()
    # She has since become another unit's contact: the problem is no longer hers to read.
    Reporter.objects.filter(user=raiser).delete()
    raiser.groups.set([Group.objects.get(name=UNIT_CONTACT)])
    UnitContact.objects.create(user=raiser, unit=world["fagaiwei"])
    assigned.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        zg.post(step_url(assigned, "answer"), {"text": "已协调", "seen_version": assigned.version})
    assigned.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        office.post(
            step_url(assigned, "close"), {"text": "内部说明", "seen_version": assigned.version}
        )
    assert "kf@example.cn" not in [address for mail in mailoutbox for address in mail.to]
