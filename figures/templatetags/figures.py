"""How the pages write figures: amounts in 亿元, points against the pace with their sign, a
problem's escalation colour in words, and a moment for a `<time datetime>`. They format; they
never query."""

import datetime
from decimal import Decimal

from django import template
from django.utils import timezone

from plan import money
from problems.models import Colour

register = template.Library()
register.filter("yi", money.yi)
register.filter("exact", money.exact)


@register.filter
def signed(value: Decimal | None) -> str:
    """Points ahead of the pace with their sign (+1.5, -2.0, 0.0); a dash for none."""
    if value is None:
        return "—"
    return f"+{value}" if value > 0 else f"{value}"


@register.filter
def signed_yi(value: Decimal | None) -> str:
    """A change of an amount in 亿元 with its sign (+12.5, -3, 0); a dash for none."""
    if value is None:
        return "—"
    return f"+{money.yi(value)}" if value > 0 else money.yi(value)


@register.filter
def colour_label(value: str) -> str:
    """The label of an escalation colour annotated on a problem (`with_colour`)."""
    return Colour(value).label


@register.filter
def machine_time(value: datetime.date | str | None) -> str:
    """A day or a moment as a `<time datetime>` wants it: in the site's time zone, to the second.

    Django's `date:'c'` writes microseconds, and HTML allows at most three fractional digits."""
    if not isinstance(value, datetime.date):
        return ""  # None, or a missing variable ("")
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(microsecond=0).isoformat()
    return value.isoformat()
