"""Labels for report data: the data carries codes ("at_risk", "better"), pages show words."""

from django import template
from django.utils.translation import gettext as _

from initiatives.models import ReviewState, Status
from priorities.models import EventKind
from reporting.data import Trend

register = template.Library()


@register.filter
def status_label(value: str | None) -> str:
    return Status(value).label if value else _("No approved update")


@register.filter
def review_label(value: str | None) -> str:
    return ReviewState(value).label if value else _("No update written")


@register.filter
def kind_label(value: str) -> str:
    return EventKind(value).label


TREND_LABELS = {
    Trend.BETTER: ("↑", lambda: _("Better")),
    Trend.SAME: ("→", lambda: _("Same")),
    Trend.WORSE: ("↓", lambda: _("Worse")),
    Trend.NEW: ("•", lambda: _("New")),
    Trend.NONE: ("–", lambda: _("No approved update")),
}


@register.filter
def trend_symbol(value: str) -> str:
    return TREND_LABELS[value][0]


@register.filter
def trend_label(value: str) -> str:
    return TREND_LABELS[value][1]()


@register.filter
def short_sha(value: str) -> str:
    return value[:12]
