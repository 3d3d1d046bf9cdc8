"""Production settings: the deployment checks pass, headers are set, logins are throttled,
sessions expire, and a database outage gives a clean 503."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.db import OperationalError
from django.test import Client

from tests.builders import LEADER_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
# The production environment as the README documents it.
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "dashboard.example.gov.cn",
    "CSRF_TRUSTED_ORIGINS": "https://dashboard.example.gov.cn",
    "ADMIN_PATH": "office-7f3k/",
}


TEST_ONLY = {"DJANGO_ALLOW_ASYNC_UNSAFE"}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # Not the test run's own settings (the browser tests allow async-unsafe calls).
    inherited = {k: v for k, v in os.environ.items() if k not in {*PRODUCTION, *TEST_ONLY}}
    environment = inherited | env
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_the_documented_production_environment():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = manage("check", **env)
    assert result.returncode != 0
    assert f"{missing} must be set when DEBUG is off" in result.stderr


def test_the_admin_moves_to_admin_path():
    result = manage(
        "shell",
        "-c",
        "from django.urls import reverse; print(reverse('admin:index'))",
        **PRODUCTION,
    )
    assert result.stdout.strip().splitlines()[-1] == "/office-7f3k/"


def test_pages_carry_a_strict_content_security_policy_and_security_headers(client, leader):
    client.force_login(leader)
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def sign_in(password: str) -> Client:
    browser = Client()
    browser.post("/accounts/login/", {"username": "leader", "password": password})
    return browser


def test_five_failed_sign_ins_lock_the_account_with_a_clear_message(db, leader, settings):
    for _attempt in range(5):
        sign_in("wrong")
    response = Client().post(
        "/accounts/login/", {"username": "leader", "password": LEADER_PASSWORD}
    )
    assert response.status_code == 429
    page = response.content.decode()
    assert "登录已锁定" in page
    assert "请稍后再试，或请都市圈办公室立即解锁。" in page


def test_the_office_unlocks_a_locked_account(db, leader, django_user_model):
    from axes.models import AccessAttempt

    from people.roles import OFFICE

    for _attempt in range(5):
        sign_in("wrong")
    assert AccessAttempt.objects.filter(username="leader").exists()
    clerk = django_user_model.objects.create_user("office-clerk", is_staff=True)
    clerk.groups.add(Group.objects.get(name=OFFICE))
    admin = Client()
    admin.force_login(clerk)
    assert "leader" in admin.get("/admin/axes/accessattempt/").content.decode()
    attempt = AccessAttempt.objects.get(username="leader")
    admin.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    response = sign_in(LEADER_PASSWORD).get("/2021/")
    assert response.status_code != 429
    assert not AccessAttempt.objects.filter(username="leader").exists()


def test_a_request_renews_the_session_at_most_once_a_minute(client, leader):
    client.force_login(leader)
    client.get("/")
    renewed = client.session["_renewed"]
    client.get("/")
    assert client.session["_renewed"] == renewed


def test_a_database_outage_gives_a_clean_503(leader, monkeypatch):
    from dashboard import views

    client = Client(raise_request_exception=False)
    client.force_login(leader)

    def down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(views, "figures_for", down)
    response = client.get("/2021/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "暂时无法访问" in page and "Traceback" not in page


def test_any_other_error_gives_a_plain_500(leader, monkeypatch):
    from dashboard import views

    client = Client(raise_request_exception=False)
    client.force_login(leader)
    monkeypatch.setattr(views, "figures_for", lambda *args: 1 / 0)
    response = client.get("/2021/")
    assert response.status_code == 500
    assert "出错了" in response.content.decode()
