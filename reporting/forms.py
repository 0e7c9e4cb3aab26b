from django import forms

from civicplan.validators import TEXT_MAX, no_hidden_controls, no_markup

from .models import BoardUpdate


class BoardUpdateForm(forms.ModelForm):
    """The Secretary-General's words: plain text, like every text typed in civicplan."""

    class Meta:
        model = BoardUpdate
        fields = ["message", "highlights"]
        widgets = {"message": forms.Textarea(attrs={"rows": 10}), "highlights": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.max_length = TEXT_MAX
            field.validators += [forms.fields.validators.MaxLengthValidator(TEXT_MAX), no_hidden_controls, no_markup]
            field.widget.attrs["maxlength"] = TEXT_MAX
