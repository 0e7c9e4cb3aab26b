"""Writes of the plan's calendar: each a small keyword-only function that checks who may
do it, validates with full_clean() and writes in one transaction: all or nothing.

An event's slug is its name in fixtures, spreadsheets and the calendar feed (the feed's
UID is made from it), so it is made once, when the event is created, and never changes:
a calendar program that imported the event keeps recognising it after any edit.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.text import slugify

from initiatives.permissions import is_editor

from .models import AnnualPlan, Event

# What an editor may set on an event; the plan and the slug are never edited.
EDITABLE_FIELDS = frozenset(
    {"title", "quarter", "kind", "start_date", "end_date", "priority", "initiative", "description"}
)
SLUG_MAX = Event._meta.get_field("slug").max_length


def _editable(fields: dict) -> dict:
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"not editable on an event: {', '.join(sorted(unknown))}")
    return fields


def event_slug(*, plan: AnnualPlan, quarter, title: str) -> str:
    """A new event's identifier, from its quarter and title, unused in its plan:
    ``q3-journee-internationale-de-la-femme``, then ``...-2`` if that one is taken."""
    # Room for a "-NNN" suffix within the field's length.
    # An apostrophe separates words ("l'homme" -> "l-homme"), as in the plan's fixture.
    words = title.replace("'", " ").replace("\u2019", " ")
    base = slugify(f"q{quarter.number}-{words}")[: SLUG_MAX - 4].strip("-")
    taken = set(Event.objects.filter(annual_plan=plan, slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def event_create(*, user, plan: AnnualPlan, **fields) -> Event:
    """Add an event to the plan's calendar."""
    if not is_editor(user):
        raise PermissionDenied
    fields = _editable(fields)
    # Creations in one plan wait for each other, so two events with the same title never
    # both pick the same free slug (a no-op on SQLite, whose writes are serialised anyway).
    plan = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
    event = Event(annual_plan=plan, **fields)
    if event.quarter_id is not None and event.title:
        event.slug = event_slug(plan=plan, quarter=event.quarter, title=event.title)
    event.full_clean()
    event.save()
    return event


@transaction.atomic
def event_update(*, user, event: Event, **fields) -> Event:
    """Change an event's title, quarter, dates, kind, links or description; its slug stays."""
    if not is_editor(user):
        raise PermissionDenied
    fields = _editable(fields)
    event = Event.objects.select_for_update().get(pk=event.pk)
    for name, value in fields.items():
        setattr(event, name, value)
    event.full_clean()
    event.save()
    return event


@transaction.atomic
def event_delete(*, user, event: Event) -> None:
    """Take an event off the calendar."""
    if not is_editor(user):
        raise PermissionDenied
    Event.objects.filter(pk=event.pk).delete()
