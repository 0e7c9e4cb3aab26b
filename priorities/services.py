"""Writes of the plan's calendar and of its structure (a priority's words, its expected
results, its learning question, the results' indicators): each a small keyword-only
function that checks who may do it, validates with full_clean() and writes in one
transaction: all or nothing. Every save goes through the model, so that
django-simple-history records it, with the request's user.

An event's slug is its name in fixtures, spreadsheets and the calendar feed (the feed's
UID is made from it), so it is made once, when the event is created, and never changes:
a calendar program that imported the event keeps recognising it after any edit.

An edit form (of an event or of a part of the structure) carries the fingerprint of the
values it showed (:func:`edit_fingerprint`); a save over someone else's change since is
refused with :class:`EditConflict`, naming the fields they changed, instead of silently
undoing it.
"""

import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.utils.text import slugify

from civicplan.editing import (
    EDITED_FIELDS,
    DeleteConflict,
    editable,
    locked_row,
    next_number,
    require_editor,
    update_fields,
)
from civicplan.permissions import can_read, is_editor, require
from civicplan.translations import in_default_language, in_each_language

from .models import AnnualPlan, CalendarToken, Event, ExpectedResult, LearningQuestion, StrategicPriority

# What an editor may set on an event, in the order the form shows it; the plan and the
# slug are never edited.
EDITABLE_FIELDS = (
    *in_each_language("title"),
    "quarter",
    "kind",
    "start_date",
    "end_date",
    "priority",
    "initiative",
    *in_each_language("description"),
)
SLUG_MAX = Event._meta.get_field("slug").max_length


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
    require_editor(user)
    fields = editable(Event, fields)
    # Creations in one plan wait for each other, so two events with the same title never
    # both pick the same free slug (a no-op on SQLite, whose writes are serialised anyway).
    plan = AnnualPlan.objects.select_for_update().get(pk=plan.pk)
    event = Event(annual_plan=plan, **fields)
    title = in_default_language(event, "title")
    if event.quarter_id is not None and title:
        event.slug = event_slug(plan=plan, quarter=event.quarter, title=title)
    event.full_clean()
    event.save()
    return event


@transaction.atomic
def event_update(*, user, event: Event, fingerprint: str, **fields) -> Event:
    """Change an event's title, quarter, dates, kind, links or description; its slug stays.
    ``fingerprint`` is the :func:`edit_fingerprint` of what the editor started from."""
    require_editor(user)
    return update_fields(event, fingerprint=fingerprint, fields=fields)


@transaction.atomic
def event_delete(*, user, event: Event) -> None:
    """Take an event off the calendar."""
    if not is_editor(user):
        raise PermissionDenied
    Event.objects.filter(pk=event.pk).delete()


# --- The plan's structure -------------------------------------------------------------
#
# Plan structure is not quarterly data: a quarter's lock does not apply to it. An editor
# changes a priority, its results, its learning question and its indicators whether or not
# the year's quarters are locked (what the board was sent is stored as it was delivered).

# What an editor may change of each part of the structure, in the order the forms show
# it. Numbers and parents are never edited: they name the parts in fixtures, spreadsheets
# and addresses.
STRUCTURE_FIELDS = {
    StrategicPriority: in_each_language("title", "short_title", "statement"),
    ExpectedResult: in_each_language("text"),
    LearningQuestion: in_each_language("text"),
}

EDITED_FIELDS.update({Event: EDITABLE_FIELDS, **STRUCTURE_FIELDS})


@transaction.atomic
def priority_update(*, user, priority: StrategicPriority, fingerprint: str, **fields) -> StrategicPriority:
    """Change a priority's title, short title or statement; ``fingerprint`` is the
    :func:`edit_fingerprint` of what the editor started from."""
    require_editor(user)
    return update_fields(priority, fingerprint=fingerprint, fields=fields)


@transaction.atomic
def expected_result_create(*, user, priority: StrategicPriority, **texts) -> ExpectedResult:
    """Add an expected result to a priority, numbered after its last one; ``texts``: its
    text in each language (``text_fr``, ``text_en``)."""
    require_editor(user)
    texts = editable(ExpectedResult, texts)
    # Additions to one priority wait for each other, so that two never take the same number.
    priority = locked_row(StrategicPriority, priority.pk)
    result = ExpectedResult(priority=priority, number=next_number(priority.expected_results), **texts)
    result.full_clean()
    result.save()
    return result


@transaction.atomic
def expected_result_update(*, user, result: ExpectedResult, fingerprint: str, **texts) -> ExpectedResult:
    require_editor(user)
    return update_fields(result, fingerprint=fingerprint, fields=texts)


def expected_result_dependents(result: ExpectedResult) -> dict:
    """What goes with an expected result when it is deleted: its indicators, their values
    (and how many of those are in locked quarters), and the initiatives that serve it."""
    counts = ExpectedResult.objects.filter(pk=result.pk).aggregate(
        indicators=Count("indicators", distinct=True), initiatives=Count("initiatives", distinct=True)
    )
    # Named apart from "values": an aggregate's name would hide the relation in the filter.
    values = result.indicators.aggregate(
        all=Count("values"), locked=Count("values", filter=Q(values__quarter__lock__isnull=False))
    )
    return counts | {"values": values["all"], "locked_values": values["locked"]}


@transaction.atomic
def expected_result_delete(*, user, result: ExpectedResult, indicators_seen: int, values_seen: int) -> None:
    """Delete an expected result with its indicators and their values; refused unless the
    editor confirmed the numbers of indicators and values that go with it now."""
    require_editor(user)
    result = locked_row(ExpectedResult, result.pk)
    # Locked too: a value being recorded meanwhile waits for the end (its foreign key does).
    list(result.indicators.select_for_update())
    dependents = expected_result_dependents(result)
    if (dependents["indicators"], dependents["values"]) != (indicators_seen, values_seen):
        raise DeleteConflict(dependents=dependents)
    result.delete()


@transaction.atomic
def learning_question_update(*, user, question: LearningQuestion, fingerprint: str, **texts) -> LearningQuestion:
    require_editor(user)
    return update_fields(question, fingerprint=fingerprint, fields=texts)


def calendar_token_reset(*, user) -> CalendarToken:
    """Give ``user`` a new secret calendar address; the previous one stops working."""
    require(can_read(user))
    token, _created = CalendarToken.objects.update_or_create(user=user, defaults={"key": secrets.token_urlsafe(32)})
    return token
