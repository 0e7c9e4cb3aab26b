from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from civicplan.validators import TEXT_MAX, no_hidden_controls, no_markup

from .models import AnnualReview, BoardUpdate


class PlainTextForm(forms.ModelForm):
    """Words an editor writes for the board: plain text, like every text typed in civicplan."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.max_length = TEXT_MAX
            field.validators += [forms.fields.validators.MaxLengthValidator(TEXT_MAX), no_hidden_controls, no_markup]
            field.widget.attrs["maxlength"] = TEXT_MAX


class BoardUpdateForm(PlainTextForm):
    """The Secretary-General's message and highlights."""

    class Meta:
        model = BoardUpdate
        fields = ["message", "highlights"]
        widgets = {"message": forms.Textarea(attrs={"rows": 10}), "highlights": forms.Textarea(attrs={"rows": 5})}


class AnnualReviewForm(PlainTextForm):
    """The annual report's lessons learned."""

    class Meta:
        model = AnnualReview
        fields = ["lessons"]
        widgets = {"lessons": forms.Textarea(attrs={"rows": 12})}


class PublishForm(forms.Form):
    """The publication's confirmation: the language to publish in, offered among the site's
    languages and preset to the site's own (not the editor's browser's), and the proof the
    editor went through the page that says publishing is final."""

    language = forms.ChoiceField(
        label=_("Language of the published document"),
        choices=settings.LANGUAGES,
        initial=settings.LANGUAGE_CODE,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the language to publish in."),
            "invalid_choice": _("Choose the language to publish in."),
        },
    )
    confirm = forms.BooleanField(
        widget=forms.HiddenInput,
        initial=True,
        error_messages={"required": _("Publish from the confirmation page, which says what publishing does.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Read when the page is made, not when the module was imported.
        self.fields["language"].choices = settings.LANGUAGES
        self.fields["language"].initial = settings.LANGUAGE_CODE

    @property
    def language_name(self) -> str:
        return str(dict(settings.LANGUAGES)[self.cleaned_data["language"]])
