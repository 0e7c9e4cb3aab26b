"""Edits that two people may make at once, and deletions that take other records with
them, made safe the same way for every part of the site.

An edit form carries the fingerprint of the values it showed (:func:`edit_fingerprint`):
a short hash per field the form edits (``EDITED_FIELDS``, filled by each app's services
for its models). A save over someone else's change since is refused with
:class:`EditConflict`, naming the fields they changed, instead of silently undoing it;
:func:`left_as_shown` tells the fields the editor did not change, so that the form can
show the other person's value there. A deletion confirms the counts of what goes with it
(:class:`DeleteConflict` when they changed meanwhile).
"""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Max
from django.utils.translation import gettext as _

from .permissions import is_editor

# What each edit form changes, by model, in a fixed order: what its fingerprint is made of.
EDITED_FIELDS: dict[type[models.Model], tuple[str, ...]] = {}


@dataclass
class EditConflict(Exception):
    """Someone else saved the same thing (a part of the plan, an event, a quarterly update)
    since the form was opened."""

    current: object  # as it is stored now: the model, or the quarterly state
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
    # An empty text is one whether stored as NULL or "" (a language's column of a translated
    # text is nullable: a translation not written is NULL, a form sends "").
    if value is None:
        return ""
    return value.pk if isinstance(value, models.Model) else value


def fingerprint(values: Mapping[str, object]) -> str:
    """What an edit form carries of the values it showed: a short hash per named value
    (a model's field, an indicator's value...), so that a save can tell which of them
    someone else changed since."""
    return ".".join(f"{name}:{_value_hash(_as_stored(value))}" for name, value in values.items())


def _seen(fingerprint: str) -> dict[str, str]:
    pairs = (part.partition(":") for part in fingerprint.split("."))
    return {name: hashed for name, colon, hashed in pairs if colon}


def changed_fields(fingerprint: str, values: Mapping[str, object]) -> list[str]:
    """The names of ``values`` (as stored now) whose value is not the one ``fingerprint``
    was made from; all of them when ``fingerprint`` is not one."""
    seen = _seen(fingerprint)
    return [name for name, value in values.items() if seen.get(name) != _value_hash(_as_stored(value))]


def _edited(obj) -> dict:
    return {name: _stored(obj, name) for name in EDITED_FIELDS[type(obj)]}


def edit_fingerprint(obj) -> str:
    """The :func:`fingerprint` of the fields an edit form of ``obj`` shows (``EDITED_FIELDS``)."""
    return fingerprint(_edited(obj))


def changed_since(obj, fingerprint: str) -> list[str]:
    """The edited fields of ``obj`` whose stored value is not the one ``fingerprint`` was
    made from; all of them when ``fingerprint`` is not one."""
    return changed_fields(fingerprint, _edited(obj))


def left_as_shown(model, fingerprint: str, fields: dict) -> set[str]:
    """The names in ``fields`` (what an editor's form sent) whose value is still the one
    the form showed (``fingerprint``): the fields the editor did not change."""
    sent = {name: value for name, value in fields.items() if name in EDITED_FIELDS[model]}
    return set(sent) - set(changed_fields(fingerprint, sent))


def require_editor(user) -> None:
    if not is_editor(user):
        raise PermissionDenied


def editable(model, fields: dict, allowed: tuple[str, ...] | None = None) -> dict:
    """``fields`` as given, refused (TypeError) when one is not among ``allowed`` (by default
    what ``model``'s edit forms show, ``EDITED_FIELDS``): a caller never writes a column the
    service does not mean to, such as the bare ``title`` of a translated text, which would
    go into whatever language is active."""
    unknown = set(fields) - set(EDITED_FIELDS[model] if allowed is None else allowed)
    if unknown:
        raise TypeError(f"not editable on {model._meta.model_name}: {', '.join(sorted(unknown))}")
    return fields


def locked_row(model, pk):
    """The row, locked until the transaction ends; refused if someone deleted it meanwhile."""
    try:
        return model.objects.select_for_update().get(pk=pk)
    except model.DoesNotExist:
        raise ValidationError(
            _("Someone else deleted this %(what)s meanwhile.") % {"what": model._meta.verbose_name}
        ) from None


def next_number(items) -> int:
    return (items.aggregate(highest=Max("number"))["highest"] or 0) + 1


def update_fields(obj, *, fingerprint: str, fields: dict):
    """Save ``fields`` on ``obj`` (an event or a part of the structure), unless someone
    else changed it since the editor's form was made (``fingerprint``)."""
    model = type(obj)
    fields = editable(model, fields)
    obj = locked_row(model, obj.pk)
    changed = changed_since(obj, fingerprint)
    if changed:
        raise EditConflict(current=obj, changed=changed)
    if all(_as_stored(_stored(obj, name)) == _as_stored(value) for name, value in fields.items()):
        return obj  # Nothing changed: nothing to record in the history.
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    return obj
