from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from initiatives.forms import no_hidden_controls
from initiatives.models import Initiative

from .models import AnnualPlan, Event, Quarter, StrategicPriority


class QuarterChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, quarter):
        return f"{quarter.code} · {date_format(quarter.start_date, 'F Y')} – {date_format(quarter.end_date, 'F Y')}"


class DateInput(forms.DateInput):
    """The browser's date picker; its value is always ISO (YYYY-MM-DD), whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class EventForm(forms.ModelForm):
    """An event of one plan's calendar: the quarter, priority and initiative offered are
    that plan's only. The model's clean() says when a date falls outside the quarter."""

    quarter = QuarterChoiceField(label=_("Quarter"), queryset=Quarter.objects.none())

    class Meta:
        model = Event
        fields = ["title", "quarter", "kind", "start_date", "end_date", "priority", "initiative", "description"]
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
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, plan: AnnualPlan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        # The instance knows its plan before validation: Event.clean() compares with it.
        self.instance.annual_plan = plan
        self.fields["quarter"].queryset = Quarter.objects.filter(annual_plan=plan).order_by("number")
        self.fields["priority"].queryset = StrategicPriority.objects.filter(annual_plan=plan).order_by("number")
        self.fields["initiative"].queryset = (
            Initiative.objects.filter(priority__annual_plan=plan)
            .select_related("priority")
            .order_by("priority__number", "number")
        )
        for name in ("title", "description"):
            self.fields[name].validators.append(no_hidden_controls)
            # The plan's content stays in the language it is written in.
            self.fields[name].widget.attrs["lang"] = plan.language
        self.fields["priority"].empty_label = _("None")
        self.fields["initiative"].empty_label = _("None")

    def service_fields(self) -> dict:
        """The cleaned values, as the services take them."""
        return {name: self.cleaned_data[name] for name in self._meta.fields}
