"""What every edit page of the plan does the same way (the structure, the indicators, the
calendar's events): a form whose service errors go beside their fields, a save over someone
else's change that shows what they changed, and a deletion confirmed with the counts of what
goes with it (civicplan/editing.py holds the rules these pages show)."""

import copy

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.shortcuts import redirect, render
from django.utils import formats
from django.utils.translation import ngettext

from .editing import DeleteConflict, EditConflict, edit_fingerprint, left_as_shown


def add_service_errors(form, error: ValidationError) -> None:
    """Put a service's validation errors beside the form's fields, the rest above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields and field != NON_FIELD_ERRORS else None, errors)


def shown_value(form, obj, name: str) -> str:
    """A stored value as the form offers it: a choice's label, a linked record's label in
    the form's list (a quarter's code and months, a priority's number and title), a date
    or number written the reader's way, a text as it is."""
    field = obj._meta.get_field(name)
    if field.choices:
        return getattr(obj, f"get_{name}_display")()
    value = getattr(obj, name)
    if value is None:
        return ""
    if field.is_relation:
        return form.fields[name].label_from_instance(value)
    return value if isinstance(value, str) else formats.localize(value)


def after_conflict(form, conflict: EditConflict) -> list[dict]:
    """The rows saying what someone else changed, with what they now hold (a text in the
    plan's language says so, as its input does), and the form merged: a field the editor
    left as it was shows the other person's value, one the editor changed too keeps the
    editor's (``yours``: saving again replaces theirs). The fingerprint moves on to what
    is stored now, so that saving again, knowingly, is not refused."""
    current = conflict.current
    untouched = left_as_shown(type(current), form.cleaned_data["fingerprint"], form.service_fields())
    form.data = form.data.copy()
    rows = []
    for name in conflict.changed:
        rows.append(
            {
                "label": form[name].label,
                "value": shown_value(form, current, name),
                "lang": form.fields[name].widget.attrs.get("lang", ""),
                "yours": name not in untouched,
            }
        )
        if name in untouched:
            value = form.fields[name].prepare_value(getattr(current, name))
            form.data[name] = "" if value is None else str(value)
    form.data["fingerprint"] = edit_fingerprint(current)
    return rows


def edit_form(request, *, priority, obj, form_class, save, done, context):
    """GET shows the form of ``obj`` (a new one when it has no pk); POST validates it and
    calls ``save(form)``, then ``done(saved)`` gives the success message and where to go.

    A failed POST shows the form again with what was typed and each error beside its field
    (400); a save over someone else's change shows what they changed (409)."""
    plan = priority.annual_plan
    editing = obj.pk is not None
    conflict = None
    if request.method == "POST":
        # A copy: the form changes its instance, and the page shows the part as it is stored.
        form = form_class(request.POST, instance=copy.copy(obj), plan=plan)
        if form.is_valid():
            try:
                saved = save(form)
            except EditConflict as error:
                conflict = error
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                message, url = done(saved)
                messages.success(request, message)
                return redirect(url)
    else:
        initial = {"fingerprint": edit_fingerprint(obj)} if editing else {}
        form = form_class(instance=obj, plan=plan, initial=initial)
    conflict_rows = after_conflict(form, conflict) if conflict is not None else []
    status = 409 if conflict is not None else (400 if request.method == "POST" else 200)
    return render(
        request,
        "priorities/structure_form.html",
        {"plan": plan, "priority": priority, "form": form, "conflict_rows": conflict_rows, **context},
        status=status,
    )


def count_seen(request, name: str) -> int | None:
    """A count the confirmation page showed, as its form posts it back; None if missing."""
    value = request.POST.get(name, "")
    return int(value) if value.isdigit() else None


def locked_values_sentence(dependents: dict) -> list[str]:
    locked = dependents["locked_values"]
    if not locked:
        return []
    return [
        ngettext(
            "%(count)s of those values is in a locked quarter: that quarter's report will no longer show it.",
            "%(count)s of those values are in locked quarters: those quarters' reports will no longer show them.",
            locked,
        )
        % {"count": locked}
    ]


def confirm_delete(request, *, priority, item, dependents, seen_names, delete, consequences, context, done_url):
    """GET asks for confirmation, saying what goes with the deletion; POST deletes, if what
    goes with it is still what the confirmation said (else it asks again, 409)."""
    status, stale = 200, False
    if request.method == "POST":
        seen = {name: count_seen(request, name) for name in seen_names}
        if None in seen.values():
            status = 400  # Not confirmed from this page: ask.
        else:
            try:
                message = delete(seen)
            except DeleteConflict as error:
                dependents, status, stale = error.dependents, 409, True
            except ValidationError as error:  # Someone else deleted it meanwhile.
                for text in error.messages:
                    messages.error(request, text)
                return redirect(done_url)
            else:
                messages.success(request, message)
                return redirect(done_url)
    return render(
        request,
        "priorities/structure_confirm_delete.html",
        {
            "plan": priority.annual_plan,
            "priority": priority,
            "item": item,
            "dependents": dependents,
            "consequences": consequences(dependents),
            "stale": stale,
            **context,
        },
        status=status,
    )
