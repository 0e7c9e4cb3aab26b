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
from django.views.generic import UpdateView

from .editing import DeleteConflict, EditConflict, edit_fingerprint, left_as_shown
from .permissions import is_editor, require


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


class EditorOnlyMixin:
    """403 to anyone but an editor, before anything is read."""

    def dispatch(self, request, *args, **kwargs):
        require(is_editor(request.user))
        return super().dispatch(request, *args, **kwargs)


class PlanPartFormView(EditorOnlyMixin, UpdateView):
    """Add or change one part of a plan through its service: GET shows the form (with the
    fingerprint of what it shows, when the part exists); POST validates it and saves with
    ``save(form)``, then says ``success_message(saved)`` and goes to
    ``success_url_for(saved)``. A failed POST shows the form again with what was typed and
    each error beside its field (400); a save over someone else's change shows what they
    changed (409).

    ``get_object`` gives the part, a new unsaved one to add; ``priority`` the priority the
    page is under; ``heading``, ``submit`` and the optional ``about``, ``delete_url`` and
    ``delete_label`` the page's words."""

    template_name = "priorities/structure_form.html"
    http_method_names = ["get", "post"]
    conflict = None

    def priority(self):
        raise NotImplementedError

    def save(self, form):
        raise NotImplementedError

    def success_message(self, saved) -> str:
        raise NotImplementedError

    def success_url_for(self, saved) -> str:
        raise NotImplementedError

    def page(self) -> dict:
        """The page's words: heading and submit, and about, delete_url, delete_label."""
        raise NotImplementedError

    def get_initial(self):
        return {"fingerprint": edit_fingerprint(self.object)} if self.object.pk is not None else {}

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs() | {"plan": self.priority().annual_plan}
        if self.request.method == "POST":
            # A copy: the form changes its instance, and the page shows the part as stored.
            kwargs["instance"] = copy.copy(self.object)
        return kwargs

    def form_valid(self, form):
        try:
            saved = self.save(form)
        except EditConflict as error:
            self.conflict = error
            return self.render_to_response(self.get_context_data(form=form), status=409)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message(saved))
        return redirect(self.success_url_for(saved))

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        priority = self.priority()
        conflict_rows = after_conflict(context["form"], self.conflict) if self.conflict else []
        return (
            context
            | self.page()
            | {
                "plan": priority.annual_plan,
                "priority": priority,
                "action": self.request.path,
                "conflict_rows": conflict_rows,
            }
        )


def count_seen(request, name: str) -> int | None:
    """A count the confirmation page showed, as its form posts it back; None if missing."""
    value = request.POST.get(name, "")
    return int(value) if value.isascii() and value.isdigit() else None


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
