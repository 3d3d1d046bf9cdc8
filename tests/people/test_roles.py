"""The role groups hold exactly what the apps grant on their own models (AppConfig.grants)."""

import pytest
from django.contrib.auth.models import Group

from people.roles import OFFICE, REPORTER, UNIT_CONTACT, VIEWER, permissions


@pytest.mark.django_db
@pytest.mark.parametrize("name", [OFFICE, REPORTER, VIEWER, UNIT_CONTACT])
def test_each_role_holds_exactly_what_the_apps_grant(name):
    held = Group.objects.get(name=name).permissions.values_list(
        "content_type__app_label", "codename"
    )
    assert sorted(held) == sorted(permissions()[name])


def test_a_leader_only_reads_and_never_the_bindings_the_bulletins_drafts_or_history():
    held = permissions()[VIEWER]
    assert {codename.split("_")[0] for _app, codename in held} == {"view"}
    assert {app for app, _codename in held} == {"plan", "tasks", "investment", "problems"}
    assert not any("historical" in codename for _app, codename in held)


def test_a_unit_contact_answers_problems_and_holds_nothing_else():
    assert sorted(permissions()[UNIT_CONTACT]) == [
        ("problems", "add_problemattachment"),
        ("problems", "add_problementry"),
        ("problems", "change_problem"),
        ("problems", "change_problemattachment"),
        ("problems", "change_problementry"),
        ("problems", "view_problem"),
        ("problems", "view_problemattachment"),
        ("problems", "view_problementry"),
    ]


def test_only_the_office_may_bind_people_issue_bulletins_or_unlock_sign_ins():
    granted = {role: {codename for _app, codename in held} for role, held in permissions().items()}
    for codename in ("add_reporter", "add_unitcontact", "change_bulletin", "delete_accessattempt"):
        assert [role for role, held in granted.items() if codename in held] == [OFFICE]
