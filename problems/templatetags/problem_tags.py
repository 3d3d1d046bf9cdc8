from django import template

from problems.models import Colour

register = template.Library()


@register.filter
def colour_label(value: str) -> str:
    """The label of an escalation colour annotated on a problem (`with_colour`)."""
    return Colour(value).label
