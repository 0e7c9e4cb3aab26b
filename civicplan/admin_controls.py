"""Names for the admin controls that Django's admin leaves without one.

axe-core finds them (tests/browser/test_admin_accessibility.py), and a screen reader says
only "edit text" or "combo box" on them:

- a tabular inline lays its fields out as a table: each input stands under its column's
  header, with no <label>. Each gets its field's name (aria-label), and the "Delete?" box
  the row's: "Delete <row>".
- a date and time field (AdminSplitDateTime): its <label> points at neither of its two
  inputs. They get "<field> (Date)" and "<field> (Time)", in Django's own words.
- an autocomplete field (select2): select2 names its box after the chosen item, which is
  nothing until one is chosen. select2 copies the <select>'s title onto its box: the title
  is the field's name.

The names are set through the admin's own hooks (``formfield_for_dbfield``, the inline's
formset), so every form the admin builds has them: change forms, inlines, history pages.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteMixin, RelatedFieldWidgetWrapper
from django.forms.models import BaseInlineFormSet
from django.utils.text import capfirst
from django.utils.translation import gettext as _


def _innermost(widget: forms.Widget) -> forms.Widget:
    # A foreign key's widget is wrapped in the "add another" and "change" links.
    while isinstance(widget, RelatedFieldWidgetWrapper):
        widget = widget.widget
    return widget


def _word(label: str) -> str:
    """Django's "Date:" without its colon (in French "Date :", with a no-break space)."""
    return str(label).rstrip(" :\u00a0\u202f")


def name_controls(formfield: forms.Field | None, *, in_table: bool = False) -> forms.Field | None:
    """Give ``formfield``'s inputs an accessible name from its label. ``in_table``: the
    field stands in a tabular inline's cell, where no <label> names it."""
    if formfield is None:
        return None
    widget = _innermost(formfield.widget)
    label = str(capfirst(formfield.label or ""))
    if not label or widget.is_hidden:
        return formfield
    if isinstance(widget, AutocompleteMixin):
        widget.attrs.setdefault("title", label)
    elif isinstance(widget, forms.SplitDateTimeWidget):
        for part, word in zip(widget.widgets, (_("Date:"), _("Time:")), strict=True):
            part.attrs.setdefault("aria-label", f"{label} ({_word(word)})")
    elif in_table:
        widget.attrs.setdefault("aria-label", label)
    return formfield


class NamedControlsAdmin:
    """A ModelAdmin (or stacked inline) mixin: date-and-time and autocomplete fields named."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return name_controls(super().formfield_for_dbfield(db_field, request, **kwargs))


class NamedRowsFormSet(BaseInlineFormSet):
    """An inline's rows whose "Delete?" box says which row it deletes."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        delete = form.fields.get("DELETE")
        if delete is not None:
            name = _("Delete %(row)s") % {"row": form.instance} if form.instance.pk else delete.label
            delete.widget.attrs["aria-label"] = str(name)


class NamedTabularInline(admin.TabularInline):
    """A tabular inline whose every input, and every row's "Delete?" box, has a name."""

    formset = NamedRowsFormSet

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return name_controls(super().formfield_for_dbfield(db_field, request, **kwargs), in_table=True)


class NamedStackedInline(NamedControlsAdmin, admin.StackedInline):
    formset = NamedRowsFormSet
