"""The figures cache, in the manner of djangoproject.com's dashboard (dashboard/utils.py):
every entry is filed under a generation number kept in the shared cache, and one new
generation retires them all at once. Saves reset it when they commit (see apps.py).
"""

import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from figures.rollups import Figures

GENERATION_KEY = "zzmetro:figures:generation"


def generation() -> int:
    found = cache.get(GENERATION_KEY)
    if found is None:
        found = secrets.randbelow(2**62)
        cache.add(GENERATION_KEY, found, timeout=None)
        found = cache.get(GENERATION_KEY, found)  # Another process may have added it first.
    return found


def reset_generation() -> None:
    # Random rather than +1: two databases sharing one cache never meet each other's numbers.
    cache.set(GENERATION_KEY, secrets.randbelow(2**62), timeout=None)


def figures_changed(**kwargs) -> None:
    """A signal receiver: once the saving transaction commits, no cached figure is served."""
    transaction.on_commit(reset_generation)


def cached(figures: Figures, name: str, build: Callable[[], Any]) -> Any:
    """`build()`, kept in the shared cache until anything the figures rest on changes.

    Only figures are kept, never text in the visitor's language: names and labels are read
    from the kept rows when the page is drawn.
    """
    if not settings.ROLLUP_CACHE_SECONDS:
        return build()
    key = f"zzmetro:figures:{figures.plan.pk}:{figures.as_of}:{int(figures.approved_only)}:{name}"
    return cache.get_or_set(key, build, settings.ROLLUP_CACHE_SECONDS, version=generation())
