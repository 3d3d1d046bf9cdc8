from django import template

from plan import money

register = template.Library()
register.filter("yi", money.yi)
register.filter("exact", money.exact)
