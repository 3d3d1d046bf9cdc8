"""Sessions live in the database and are read with the figures' version in one statement."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from investment.models import FiguresVersion
from investment.sessions import SessionStore

PAGE = "/2021/?as_of=2021Q1"


pytestmark = pytest.mark.usefixtures("kept_pages")


def test_a_stored_session_is_read_back_with_the_version(leader):
    store = SessionStore()
    store["chosen"] = "开封"
    store.create()
    version = FiguresVersion.objects.get().version
    with FiguresVersion.read_once(), CaptureQueriesContext(connection) as captured:
        assert SessionStore(store.session_key)["chosen"] == "开封"
        assert FiguresVersion.current() == version
    assert len(captured) == 1


def test_an_unknown_session_key_reads_as_an_empty_session(db):
    store = SessionStore("no-such-session-key-1234")
    assert store.load() == {}
    assert store.session_key is None


def test_an_expired_session_is_not_read(leader):
    store = SessionStore()
    store["chosen"] = "开封"
    store.create()
    Session.objects.filter(pk=store.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    expired = SessionStore(store.session_key)
    assert expired.load() == {}
    assert expired.session_key is None  # Saving it makes a new session, never revives this one.


def test_before_anything_was_ever_saved_the_version_reads_as_zero(db):
    FiguresVersion.objects.all().delete()
    with FiguresVersion.read_once():
        SessionStore("no-such-session-key-1234").load()
        assert FiguresVersion.current() == 0


def test_a_signed_out_session_cannot_be_replayed_from_a_copied_cookie(client, leader):
    client.force_login(leader)
    assert client.get(PAGE).status_code == 200
    assert client.get(PAGE).status_code == 200  # The page is kept for this session now.
    copy = Client()
    copy.cookies = client.cookies.__class__(client.cookies)
    client.post("/accounts/logout/")
    assert copy.get(PAGE).status_code == 302


def test_sessions_are_read_from_the_primary_even_on_a_replica_page(monkeypatch, leader):
    from zzmetro import routers
    from zzmetro.routers import ReplicaRouter, reading_from_replica

    asked = []

    class Connections:
        def __getitem__(self, alias: str):
            asked.append(alias)
            return connection  # The test database, whichever alias was asked for.

    monkeypatch.setattr(routers, "has_replica", lambda: True)
    monkeypatch.setattr("django.db.router.routers", [ReplicaRouter()])
    monkeypatch.setattr("investment.sessions.connections", Connections())
    with reading_from_replica():
        SessionStore("no-such-session-key-1234").load()
    assert asked == ["default"]  # A session just begun is not yet on the replica.
