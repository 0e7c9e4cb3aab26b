from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from civicplan.forms import EditForm, StructureForm
from civicplan.translations import each_language, in_each_language
from civicplan.validators import TEXT_MAX

from .models import AnnualPlan, Event, ExpectedResult, LearningQuestion, Quarter, StrategicPriority
from .services import EDITABLE_FIELDS


class QuarterChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, quarter):
        return f"{quarter.code} · {date_format(quarter.start_date, 'F Y')} – {date_format(quarter.end_date, 'F Y')}"


class DateInput(forms.DateInput):
    """The browser's date picker; its value is always ISO (YYYY-MM-DD), whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class EventForm(EditForm):
    """An event of one plan's calendar: the quarter, priority and initiative offered are
    that plan's only. The model's clean() says when a date falls outside the quarter."""

    quarter = QuarterChoiceField(label=_("Quarter"), queryset=Quarter.objects.none())

    class Meta:
        model = Event
        fields = list(EDITABLE_FIELDS)
        labels = {
            "title": _("Title"),
            "kind": _("Kind"),
            "start_date": _("Start date"),
            "end_date": _("End date"),
            "priority": _("Strategic priority"),
            "initiative": _("Initiative"),
            "description": _("Description"),
        }
        help_texts = {
            "start_date": _("Leave empty while the date is to be set."),
            "end_date": _("The last day, for an event of several days. Leave empty for a one-day event."),
        }
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            **each_language({"description": forms.Textarea(attrs={"rows": 4})}),
        }

    def __init__(self, *args, plan: AnnualPlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        # The instance knows its plan before validation: Event.clean() compares with it.
        self.instance.annual_plan = plan
        self.fields["quarter"].queryset = Quarter.objects.filter(annual_plan=plan).order_by("number")
        self.fields["priority"].queryset = StrategicPriority.objects.filter(annual_plan=plan).order_by("number")
        self.fields["initiative"].queryset = (
            self.fields["initiative"]
            .queryset.filter(priority__annual_plan=plan)
            .select_related("priority")
            .order_by("priority__number", "number")
        )
        # The text rules are the model's (plain_text); the browser is told the limit too.
        for name in in_each_language("description"):
            self.fields[name].widget.attrs["maxlength"] = str(TEXT_MAX)
        self.fields["priority"].empty_label = _("None")
        self.fields["initiative"].empty_label = _("None")


class PriorityForm(StructureForm):
    class Meta:
        model = StrategicPriority
        fields = in_each_language("title", "short_title", "statement")
        labels = {"title": _("Title"), "short_title": _("Short title"), "statement": _("Statement")}
        widgets = each_language({"statement": forms.Textarea(attrs={"rows": 6})})


class ExpectedResultForm(StructureForm):
    class Meta:
        model = ExpectedResult
        fields = in_each_language("text")
        labels = {"text": _("Expected result")}
        widgets = each_language({"text": forms.Textarea(attrs={"rows": 4})})


class LearningQuestionForm(StructureForm):
    class Meta:
        model = LearningQuestion
        fields = in_each_language("text")
        labels = {"text": _("Learning question")}
        widgets = each_language({"text": forms.Textarea(attrs={"rows": 3})})
