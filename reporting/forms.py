from django import forms

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
