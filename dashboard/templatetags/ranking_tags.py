from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def signed(value: Decimal | None) -> str:
    """Points ahead of the pace with their sign (+1.5, -2.0, 0.0); a dash for none."""
    if value is None:
        return "—"
    return f"+{value}" if value > 0 else f"{value}"
