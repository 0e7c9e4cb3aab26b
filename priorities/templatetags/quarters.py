"""``{{ number|quarter }}``: a quarter's short name in the reader's language (Q3, T3)."""

from django import template

from priorities.models import quarter_code

register = template.Library()


@register.filter
def quarter(number: int) -> str:
    return quarter_code(number)
