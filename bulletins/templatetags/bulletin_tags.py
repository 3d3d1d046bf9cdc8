from django import template

from bulletins import text as bulletin_text

register = template.Library()

for name in ("percent", "names", "points", "rank", "rank_change"):
    register.filter(name, getattr(bulletin_text, name))


@register.filter
def city_sentence(city: bulletin_text.CityLine, quarter: int) -> str:
    return city.sentence(quarter)
