from django import forms

from .models import BoardUpdate


class BoardUpdateForm(forms.ModelForm):
    class Meta:
        model = BoardUpdate
        fields = ["message", "highlights"]
        widgets = {"message": forms.Textarea(attrs={"rows": 10}), "highlights": forms.Textarea(attrs={"rows": 5})}
