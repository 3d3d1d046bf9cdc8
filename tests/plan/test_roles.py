"""The role groups hold exactly the permissions plan/roles.py lists."""

import pytest
from django.contrib.auth.models import Group

from people.roles import OFFICE, PERMISSIONS, REPORTER, VIEWER


@pytest.mark.django_db
@pytest.mark.parametrize("name", [OFFICE, REPORTER, VIEWER])
def test_each_role_holds_exactly_the_listed_permissions(name):
    held = Group.objects.get(name=name).permissions.values_list(
        "content_type__app_label", "codename"
    )
    assert sorted(held) == sorted(PERMISSIONS[name])
