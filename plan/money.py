"""Amounts in 亿元 as people read them; the template filters of the same names call these."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

CENT = Decimal("0.01")


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


def exact(value: Decimal) -> str:
    """An amount to its last significant digit (万元 precision): 100.0001, 100, 12.5."""
    text = format(Decimal(value), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
