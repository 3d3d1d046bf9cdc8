"""The figures cache, in the manner of djangoproject.com's dashboard (dashboard/utils.py):
every entry is filed under a generation number kept in the shared cache, and one new
generation retires them all at once. Saves reset it when they commit (see apps.py).

Callers never name an entry: a function of the figures is marked `@kept`, and its key is made
from the function, the figures (plan, quarter, approved only) and its arguments.
"""

import hashlib
import secrets
from collections.abc import Callable
from datetime import date
from functools import partial, wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import models, transaction
from django.utils.timezone import localdate

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


def key_part(value: Any) -> str:
    """An argument as part of a cache key: a row by its model and pk, a day by its date."""
    if value is None:
        return "-"
    if isinstance(value, models.Model):
        return f"{value._meta.label_lower}.{value.pk}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return hashlib.sha256(value.encode()).hexdigest()[:16] if len(value) > 32 else value
    if isinstance(value, bool | int):
        return str(int(value))
    raise TypeError(f"{type(value).__name__} cannot name a cached figure")


def kept(function: Callable | None = None, *, daily: bool = False) -> Callable:
    """Keeps what `function(figures, ...)` returns in the shared cache until anything the
    figures rest on changes; `daily`, also only for the day (figures taken on today).

    Only figures are kept, never text in the visitor's language: names and labels are read
    from the kept rows when the page is drawn. FIGURES_CACHE_SECONDS=0 turns it off.
    """

    def decorate(function: Callable) -> Callable:
        name = f"{function.__module__}.{function.__qualname__}"

        @wraps(function)
        def wrapper(figures, *args, **kwargs) -> Any:
            parts = [figures.plan.pk, figures.as_of, int(figures.approved_only), name]
            parts += [key_part(arg) for arg in args]
            parts += [f"{key}={key_part(kwargs[key])}" for key in sorted(kwargs)]
            if daily:
                parts.append(localdate().isoformat())
            key = "zzmetro:figures:" + ":".join(map(str, parts))
            # Asked twice of one Figures (a page, then its overview), it is computed once.
            asked = figures.__dict__.setdefault("_kept", {})
            if key not in asked:
                build = partial(function, figures, *args, **kwargs)
                if settings.FIGURES_CACHE_SECONDS:
                    seconds = settings.FIGURES_CACHE_SECONDS
                    asked[key] = cache.get_or_set(key, build, seconds, version=generation())
                else:
                    asked[key] = build()
            return asked[key]

        return wrapper

    return decorate(function) if function is not None else decorate
