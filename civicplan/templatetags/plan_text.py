"""``{{ priority|translated:"title" }}`` or ``{{ row.title|translated }}``: the plan's text in the
reader's language; a text shown in another language (its translation missing) is marked
as such: ``<span lang="fr">…</span> <small class="muted">(en français)</small>``. Not for an
attribute or the page's <title>: those take the plain text (``{{ priority.title }}``).
``{% paragraphs plan "context" %}``: a longer text as paragraphs (``linebreaks``), in a
``<div lang>`` of the language it is in, marked the same way when it is a fallback."""

from django import template
from django.template.defaultfilters import linebreaks_filter
from django.utils.html import conditional_escape, format_html

from civicplan.translations import Text, fallback_marker, translated

register = template.Library()


MARKER = '<small class="muted fallback-language">{}</small>'


@register.filter(name="translated")
def translated_filter(value, field: str | None = None):
    text = translated(value, field) if field else value
    if not isinstance(text, Text) or not text.is_fallback:
        return conditional_escape("" if text is None else text)
    return format_html('<span lang="{}">{}</span> ' + MARKER, text.language, str(text), fallback_marker(text.language))


@register.simple_tag
def paragraphs(obj, field: str):
    text = translated(obj, field)
    if not text:
        return ""
    body = linebreaks_filter(str(text), autoescape=True)
    if not text.is_fallback:
        return body
    return format_html(
        '<div lang="{}">{}</div><p>' + MARKER + "</p>", text.language, body, fallback_marker(text.language)
    )
