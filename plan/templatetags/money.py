from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.translation import gettext as _

register = template.Library()

CENT = Decimal("0.01")


@register.filter
def yi(value: Decimal | None) -> str:
    """An amount in 亿元 for reading: two decimals, whole numbers without them.

    None is an amount the source does not state, which is shown as such and never as 0.
    """
    if value is None:
        return _("not stated")
    rounded = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    if rounded == rounded.to_integral_value():
        return f"{rounded:.0f}"
    return f"{rounded:.2f}"
