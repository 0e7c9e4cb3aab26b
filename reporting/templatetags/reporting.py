"""Labels for report data: the data carries codes ("at_risk", "better"), pages show words."""

import functools

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from initiatives.models import ReviewState, Status
from priorities.models import EventKind
from reporting import documents
from reporting.data import Trend

register = template.Library()


@register.filter
def status_label(value: str | None) -> str:
    return Status(value).label if value else _("No approved update")


@register.filter
def status_chip(value: str | None) -> str:
    """A status as the reports show it: a chip of its colour with its words (a filter, not
    an included template, made once per status and language: a report of a large plan shows
    a thousand)."""
    return _chip(value or None, get_language())


@functools.cache
def _chip(value: str | None, language: str) -> str:
    return format_html('<span class="status status-{}">{}</span>', value or "missing", status_label(value))


@register.simple_tag(takes_context=True)
def priority_section(context, view) -> str:
    """``{% priority_section view %}``: a priority's section of the report in ``context``
    (annual if ``annual`` is set), kept once made (documents.section_html)."""
    return documents.section_html(view, context["report"].quarter, annual=bool(context.get("annual")))


@register.filter
def percent(value: float) -> str:
    """A share (0.5) as a whole percentage in the reader's language ("50%", "50 %")."""
    return _("%(percent)s%%") % {"percent": round(100 * value)}


@register.filter
def review_label(value: str | None) -> str:
    return ReviewState(value).label if value else _("No update written")


@register.filter
def kind_label(value: str) -> str:
    return EventKind(value).label


TREND_SYMBOLS = {Trend.BETTER: "↑", Trend.SAME: "→", Trend.WORSE: "↓", Trend.NEW: "•", Trend.NONE: "–"}


@register.filter
def trend_symbol(value: str) -> str:
    return TREND_SYMBOLS[value]


@register.filter
def trend_label(value: str) -> str:
    return Trend(value).label


@register.filter
def short_sha(value: str) -> str:
    return value[:12]
