"""Emails at the moment something becomes someone's to act on (a problem assigned to her unit
or answered, a report returned), to those who want them (Profile.notify).

Sent once the saving transaction commits: a step rolled back (an import's preview, a refused
save) tells nobody. A mail server that fails is logged, never the step's failure.
"""

import logging
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import translation

from people.models import Profile

logger = logging.getLogger(__name__)


def wanting(users: Iterable) -> list:
    """Those of `users` who are active, have an address and have not turned notices off."""
    users = [user for user in users if user.is_active and user.email]
    off = set(Profile.objects.filter(user__in=users, notify=False).values_list("user", flat=True))
    return [user for user in users if user.pk not in off]


def tell(users: Iterable, compose: Callable[[], tuple[str, str]], *, leaving_out=None) -> None:
    """Email what `compose()` writes (a subject and a body, in the site's language) to each of
    `users` who wants notices, but not to `leaving_out` (who took the step herself), once the
    transaction commits."""
    recipients = [user for user in wanting(users) if user != leaving_out]
    if not recipients:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = compose()
    messages = [(subject, body, None, [user.email]) for user in recipients]

    def send() -> None:
        try:
            send_mass_mail(messages, fail_silently=False)
        except Exception:  # The step is saved; a mail server down must not undo or hide it.
            logger.exception("Notice %r could not be sent", subject)

    transaction.on_commit(send)


def link(path: str) -> str:
    """An address in the site, for an email (SITE_URL, as the bulletin's PDF uses it)."""
    return f"{settings.SITE_URL.rstrip('/')}{path}"
