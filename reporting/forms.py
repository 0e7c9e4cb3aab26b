from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from civicplan.forms import label_languages
from civicplan.translations import each_language, in_each_language
from civicplan.validators import TEXT_MAX
from priorities.forms import DateInput, QuarterChoiceField
from priorities.models import AnnualPlan, Quarter, StrategicPriority

from .models import AGENDA_MAX, AgendaItem, AnnualReview, BoardMeeting, BoardUpdate


class PlainTextForm(forms.ModelForm):
    """Words an editor writes for the board, in each language side by side: plain text, like
    every text typed in civicplan (the model's rule); the browser is told the limit too."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        label_languages(self)
        for field in self.fields.values():
            field.widget.attrs["maxlength"] = TEXT_MAX


class BoardUpdateForm(PlainTextForm):
    """The Secretary-General's message and highlights."""

    class Meta:
        model = BoardUpdate
        fields = in_each_language("message", "highlights")
        widgets = each_language(
            {"message": forms.Textarea(attrs={"rows": 10}), "highlights": forms.Textarea(attrs={"rows": 5})}
        )


class AnnualReviewForm(PlainTextForm):
    """The annual report's lessons learned."""

    class Meta:
        model = AnnualReview
        fields = in_each_language("lessons")
        widgets = each_language({"lessons": forms.Textarea(attrs={"rows": 12})})


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


# Board meetings ---------------------------------------------------------------------------


class BoardMeetingForm(forms.ModelForm):
    """A board meeting of one plan: the quarters and priorities offered are that plan's
    only (the model refuses others, whatever is posted). ``version`` is the meeting's as
    the form showed it, so that a save over someone else's change is refused."""

    quarter = QuarterChoiceField(label=_("Quarter reviewed"), queryset=Quarter.objects.none())
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = BoardMeeting
        fields = ["date", "title", "place", "quarter", "priority"]
        labels = {"date": _("Date"), "title": _("Title"), "place": _("Place"), "priority": _("Priority in depth")}
        widgets = {"date": DateInput()}

    def __init__(self, *args, plan: AnnualPlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        # The instance knows its plan before validation: BoardMeeting.clean() compares with it.
        self.instance.annual_plan = plan
        self.fields["quarter"].help_text = BoardMeeting._meta.get_field("quarter").help_text
        self.fields["quarter"].queryset = Quarter.objects.filter(annual_plan=plan).order_by("number")
        self.fields["priority"].queryset = StrategicPriority.objects.filter(annual_plan=plan).order_by("number")
        if self.instance.pk is not None:
            self.fields["version"].initial = self.instance.version
            self.fields["version"].required = True
        for name in ("title", "place"):
            # The meeting is written in the plan's language, as the rest of its content.
            self.fields[name].widget.attrs["lang"] = plan.language


class AgendaItemForm(forms.ModelForm):
    """One item of the agenda; its number only says where it goes (the items are numbered
    1, 2, 3... on saving)."""

    class Meta:
        model = AgendaItem
        fields = ["order", "title", "presenter", "notes"]
        labels = {"order": _("No."), "title": _("Item"), "presenter": _("Presented by"), "notes": _("Notes")}
        widgets = {
            "order": forms.NumberInput(attrs={"min": 1}),
            "title": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, language: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].required = False
        self.fields["order"].help_text = ""
        notes = self.fields["notes"]
        notes.max_length = TEXT_MAX
        notes.widget.attrs["maxlength"] = TEXT_MAX
        for name in ("title", "presenter", "notes"):
            if language:
                self.fields[name].widget.attrs["lang"] = language


AgendaFormSet = forms.inlineformset_factory(
    BoardMeeting,
    AgendaItem,
    form=AgendaItemForm,
    extra=3,
    max_num=AGENDA_MAX,
    validate_max=True,
    can_delete=True,
)
