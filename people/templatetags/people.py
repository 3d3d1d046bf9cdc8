from django import template

from people.models import display_name

register = template.Library()


@register.filter
def person(user) -> str:
    """A user as others read her: her real name, else her login name (never a query: pass the
    user, not her id)."""
    return display_name(user) if user is None or hasattr(user, "get_full_name") else "—"
