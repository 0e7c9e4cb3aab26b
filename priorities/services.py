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

import hashlib
import secrets
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Count, Max, Q
from django.utils.text import slugify
from django.utils.translation import gettext as _

from initiatives.models import Indicator, IndicatorValue
from initiatives.permissions import can_read, is_editor, require

from .models import AnnualPlan, CalendarToken, Event, ExpectedResult, LearningQuestion, StrategicPriority

# What an editor may set on an event, in the order the form shows it; the plan and the
# slug are never edited.
EDITABLE_FIELDS = ("title", "quarter", "kind", "start_date", "end_date", "priority", "initiative", "description")
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
    _require_editor(user)
    fields = _editable(Event, fields)
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
def event_update(*, user, event: Event, fingerprint: str, **fields) -> Event:
    """Change an event's title, quarter, dates, kind, links or description; its slug stays.
    ``fingerprint`` is the :func:`edit_fingerprint` of what the editor started from."""
    _require_editor(user)
    return _update(event, fingerprint=fingerprint, fields=fields)


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
    StrategicPriority: ("title", "short_title", "statement"),
    ExpectedResult: ("text",),
    LearningQuestion: ("text",),
    Indicator: ("name", "unit", "baseline", "target", "direction", "description"),
}

# What each edit form changes, by model, in a fixed order: what its fingerprint is made of.
EDITED_FIELDS = {Event: EDITABLE_FIELDS, **STRUCTURE_FIELDS}


@dataclass
class EditConflict(Exception):
    """Someone else saved the same part of the plan (or the same event) since the form
    was opened."""

    current: models.Model  # as it is stored now
    changed: list[str]  # the names of the fields they changed


@dataclass
class DeleteConflict(Exception):
    """What goes with a deletion is no longer what the editor confirmed (someone recorded
    or deleted something meanwhile)."""

    dependents: dict


def _value_hash(value) -> str:
    return hashlib.sha256(str(value).encode()).hexdigest()[:16]


def _stored(obj, name: str):
    """A field's value as the row holds it: a foreign key's id, not the object it names."""
    return getattr(obj, obj._meta.get_field(name).attname)


def _as_stored(value):
    return value.pk if isinstance(value, models.Model) else value


def edit_fingerprint(obj) -> str:
    """What an edit form carries of the values it showed: a short hash per editable field
    (``EDITED_FIELDS``), so that a save can tell which fields someone else changed since."""
    return ".".join(_value_hash(_stored(obj, name)) for name in EDITED_FIELDS[type(obj)])


def changed_since(obj, fingerprint: str) -> list[str]:
    """The editable fields of ``obj`` whose stored value is not the one ``fingerprint`` was
    made from; all of them when ``fingerprint`` is not one."""
    names = EDITED_FIELDS[type(obj)]
    seen, now = fingerprint.split("."), edit_fingerprint(obj).split(".")
    if len(seen) != len(now):
        seen = [""] * len(now)
    return [name for name, before, after in zip(names, seen, now, strict=True) if before != after]


def left_as_shown(model, fingerprint: str, fields: dict) -> set[str]:
    """The names in ``fields`` (what an editor's form sent) whose value is still the one
    the form showed (``fingerprint``): the fields the editor did not change."""
    names = EDITED_FIELDS[model]
    seen = fingerprint.split(".")
    if len(seen) != len(names):
        return set()
    return {
        name
        for name, before in zip(names, seen, strict=True)
        if name in fields and _value_hash(_as_stored(fields[name])) == before
    }


def _require_editor(user) -> None:
    if not is_editor(user):
        raise PermissionDenied


def _editable(model, fields: dict) -> dict:
    unknown = set(fields) - set(EDITED_FIELDS[model])
    if unknown:
        raise TypeError(f"not editable on {model._meta.model_name}: {', '.join(sorted(unknown))}")
    return fields


def _locked_row(model, pk):
    """The row, locked until the transaction ends; refused if someone deleted it meanwhile."""
    try:
        return model.objects.select_for_update().get(pk=pk)
    except model.DoesNotExist:
        raise ValidationError(
            _("Someone else deleted this %(what)s meanwhile.") % {"what": model._meta.verbose_name}
        ) from None


def _next_number(items) -> int:
    return (items.aggregate(highest=Max("number"))["highest"] or 0) + 1


def _update(obj, *, fingerprint: str, fields: dict):
    """Save ``fields`` on ``obj`` (an event or a part of the structure), unless someone
    else changed it since the editor's form was made (``fingerprint``)."""
    model = type(obj)
    fields = _editable(model, fields)
    obj = _locked_row(model, obj.pk)
    changed = changed_since(obj, fingerprint)
    if changed:
        raise EditConflict(current=obj, changed=changed)
    if all(_stored(obj, name) == _as_stored(value) for name, value in fields.items()):
        return obj  # Nothing changed: nothing to record in the history.
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    return obj


@transaction.atomic
def priority_update(*, user, priority: StrategicPriority, fingerprint: str, **fields) -> StrategicPriority:
    """Change a priority's title, short title or statement; ``fingerprint`` is the
    :func:`edit_fingerprint` of what the editor started from."""
    _require_editor(user)
    return _update(priority, fingerprint=fingerprint, fields=fields)


@transaction.atomic
def expected_result_create(*, user, priority: StrategicPriority, text: str) -> ExpectedResult:
    """Add an expected result to a priority, numbered after its last one."""
    _require_editor(user)
    # Additions to one priority wait for each other, so that two never take the same number.
    priority = _locked_row(StrategicPriority, priority.pk)
    result = ExpectedResult(priority=priority, number=_next_number(priority.expected_results), text=text)
    result.full_clean()
    result.save()
    return result


@transaction.atomic
def expected_result_update(*, user, result: ExpectedResult, fingerprint: str, text: str) -> ExpectedResult:
    _require_editor(user)
    return _update(result, fingerprint=fingerprint, fields={"text": text})


def expected_result_dependents(result: ExpectedResult) -> dict:
    """What goes with an expected result when it is deleted: its indicators, their values
    (and how many of those are in locked quarters), and the initiatives that serve it."""
    counts = ExpectedResult.objects.filter(pk=result.pk).aggregate(
        indicators=Count("indicators", distinct=True), initiatives=Count("initiatives", distinct=True)
    )
    return counts | IndicatorValue.objects.filter(indicator__expected_result=result).aggregate(
        values=Count("pk"), locked_values=Count("pk", filter=Q(quarter__lock__isnull=False))
    )


@transaction.atomic
def expected_result_delete(*, user, result: ExpectedResult, indicators_seen: int, values_seen: int) -> None:
    """Delete an expected result with its indicators and their values; refused unless the
    editor confirmed the numbers of indicators and values that go with it now."""
    _require_editor(user)
    result = _locked_row(ExpectedResult, result.pk)
    # Locked too: a value being recorded meanwhile waits for the end (its foreign key does).
    list(Indicator.objects.select_for_update().filter(expected_result=result))
    dependents = expected_result_dependents(result)
    if (dependents["indicators"], dependents["values"]) != (indicators_seen, values_seen):
        raise DeleteConflict(dependents=dependents)
    result.delete()


@transaction.atomic
def learning_question_update(*, user, question: LearningQuestion, fingerprint: str, text: str) -> LearningQuestion:
    _require_editor(user)
    return _update(question, fingerprint=fingerprint, fields={"text": text})


@transaction.atomic
def indicator_create(*, user, result: ExpectedResult, **fields) -> Indicator:
    """Add an indicator to an expected result, numbered after its last one."""
    _require_editor(user)
    fields = _editable(Indicator, fields)
    # Additions to one result wait for each other, so that two never take the same number.
    result = _locked_row(ExpectedResult, result.pk)
    indicator = Indicator(expected_result=result, number=_next_number(result.indicators), **fields)
    indicator.full_clean()
    indicator.save()
    return indicator


@transaction.atomic
def indicator_update(*, user, indicator: Indicator, fingerprint: str, **fields) -> Indicator:
    """Change an indicator's name, unit, baseline, target, direction or description; the
    model refuses a target equal to the baseline."""
    _require_editor(user)
    return _update(indicator, fingerprint=fingerprint, fields=fields)


def indicator_dependents(indicator: Indicator) -> dict:
    """What goes with an indicator when it is deleted: its values, and how many of them are
    in locked quarters."""
    return indicator.values.aggregate(
        values=Count("pk"), locked_values=Count("pk", filter=Q(quarter__lock__isnull=False))
    )


@transaction.atomic
def indicator_delete(*, user, indicator: Indicator, values_seen: int) -> None:
    """Delete an indicator with its values; refused unless the editor confirmed the number
    of values that go with it now."""
    _require_editor(user)
    # The row lock holds back a value being recorded meanwhile (its foreign key waits for it).
    indicator = _locked_row(Indicator, indicator.pk)
    dependents = indicator_dependents(indicator)
    if dependents["values"] != values_seen:
        raise DeleteConflict(dependents=dependents)
    indicator.delete()


def calendar_token_reset(*, user) -> CalendarToken:
    """Give ``user`` a new secret calendar address; the previous one stops working."""
    require(can_read(user))
    token, _created = CalendarToken.objects.update_or_create(user=user, defaults={"key": secrets.token_urlsafe(32)})
    return token
