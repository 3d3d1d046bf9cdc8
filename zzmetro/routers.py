"""Reads of the read-only pages go to the replica, when one is configured; all else the primary.

The pages mark themselves with `reading_from_replica()`; anything outside it (the admin, the
imports, every write) keeps to the primary, so a clerk always sees what she has just saved.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

_replica = ContextVar("zzmetro_replica", default=False)


def has_replica() -> bool:
    return "replica" in settings.DATABASES


@contextmanager
def reading_from_replica() -> Iterator[None]:
    token = _replica.set(has_replica())
    try:
        yield
    finally:
        _replica.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints) -> str:
        return "replica" if _replica.get() else "default"

    def db_for_write(self, model, **hints) -> str:
        return "default"

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # One database, copied: rows from either side are the same rows.

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == "default"
