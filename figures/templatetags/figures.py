"""How the pages write figures: amounts in 亿元, points against the pace with their sign, and a
problem's escalation colour in words. They format; they never query."""

from decimal import Decimal

from django import template

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
