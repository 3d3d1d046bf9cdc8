from datetime import date

import pytest

from people.models import ApiKey


def key_for(user, name: str = "省项目平台对接", expires_on: date = date(2099, 1, 1)) -> str:
    """A usable key acting as `user`, issued by a superuser office: the secret, as sent."""
    from django.contrib.auth import get_user_model

    office = get_user_model().objects.filter(is_superuser=True).first()
    office = office or get_user_model().objects.create_superuser("key-office", password="x")
    return ApiKey.objects.issue(user, name, expires_on, office)[1]


def bearer(secret: str, **more) -> dict:
    return {"Authorization": f"Bearer {secret}", **more}


@pytest.fixture
def leader_key(leader) -> dict:
    return bearer(key_for(leader))


@pytest.fixture
def office_key(office) -> dict:
    return bearer(key_for(office))
