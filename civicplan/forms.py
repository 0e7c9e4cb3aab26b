"""The forms every edit page of the plan is made of: an edit form carries the fingerprint
of what it showed (civicplan/editing.py); a part of the structure is written in its plan's
language, as plain text of at most TEXT_MAX characters."""

from django import forms
from django.utils.text import capfirst

from .translations import language_name, translation_of
from .validators import TEXT_MAX


def label_languages(form: forms.ModelForm) -> None:
    """A translated text is edited in each language side by side ("Title (français)",
    "Title (English)"), each written in its own language: an editor never saves the text
    shown for a missing translation as if it were one."""
    labels = form._meta.labels or {}
    for name, field in form.fields.items():
        found = translation_of(form._meta.model, name)
        if found is None:
            continue
        base, language = found
        label = labels.get(base) or capfirst(form._meta.model._meta.get_field(base).verbose_name)
        field.label = f"{label} ({language_name(language)})"
        field.widget.attrs["lang"] = language


class EditForm(forms.ModelForm):
    """A form that edits what is stored, in the plan's calendar or structure. An edit form
    carries the fingerprint of the values it showed (``civicplan.editing.edit_fingerprint``), so
    that a save over someone else's change is refused instead of silently undoing it; a
    form that adds something has none."""

    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            del self.fields["fingerprint"]
        label_languages(self)

    def service_fields(self) -> dict:
        """The cleaned values, as the services take them."""
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class StructureForm(EditForm):
    """A part of the plan's structure, its texts in each language (EditForm.label_languages)."""

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        # The text rules are the model's (plain_text, plain_title), kept by every path; the
        # browser is told a long text's limit too.
        for name in self._meta.fields:
            field = self.fields[name]
            if isinstance(field, forms.CharField) and field.max_length is None:
                field.widget.attrs["maxlength"] = str(TEXT_MAX)
