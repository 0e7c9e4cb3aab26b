import decimal

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext_lazy as _
from modeltranslation.settings import DEFAULT_LANGUAGE

from civicplan.forms import StructureForm
from civicplan.translations import each_language, in_each_language, language_name, translation_of
from civicplan.validators import TEXT_MAX, no_hidden_controls, no_markup

from .models import ORGANISATIONAL_RISKS_NEEDED, RISKS_NEEDED, Indicator, Initiative, Status, needs_risks
from .services import QuarterlyInput, indicator_field


def text_field(label, help_text="", required=False, rows=4, plain_text=False):
    """A text of at most TEXT_MAX characters; ``plain_text`` refuses HTML tags too."""
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        max_length=TEXT_MAX,
        validators=[no_hidden_controls, *([no_markup] if plain_text else [])],
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def not_negative(indicator):
    """Refuses a negative value for an indicator that cannot be negative (the model's rule,
    Indicator.cannot_be_negative, with its words)."""

    def validate(value):
        if value is not None and value < 0:
            raise ValidationError(indicator.negative_refused(), code="negative")

    return validate


def indicator_help_text(indicator) -> str:
    # 12.00 from a DecimalField reads as 12, with the reader's decimal separator.
    if indicator.target is None:
        return _("Baseline %(baseline)s %(unit)s; target to set. Leave empty if not measured.") % {
            "baseline": floatformat(indicator.baseline, "-2"),
            "unit": indicator.unit,
        }
    return _("Baseline %(baseline)s, target %(target)s %(unit)s. Leave empty if not measured.") % {
        "baseline": floatformat(indicator.baseline, "-2"),
        "target": floatformat(indicator.target, "-2"),
        "unit": indicator.unit,
    }


class QuarterlyUpdateForm(forms.Form):
    """The quarter's update of one initiative: status and words, the values of its
    indicators, the reflection on its priority's learning question."""

    status = forms.ChoiceField(label=_("Status"), choices=Status.choices, widget=forms.RadioSelect)
    narrative = text_field(
        _("Progress this quarter"), _("What happened, in a few sentences."), required=True, plain_text=True
    )
    risks = text_field(_("Risks"), _("Needed when the initiative is at risk or off track."), rows=3, plain_text=True)
    next_steps = text_field(_("Next steps"), rows=3, plain_text=True)
    fingerprint = forms.CharField(widget=forms.HiddenInput)
    risks_needed = RISKS_NEEDED

    def __init__(self, *args, indicators=(), question=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = list(indicators)
        for indicator in self.indicators:
            self.fields[self.indicator_field(indicator)] = forms.DecimalField(
                label=f"{indicator.code} {indicator.name}",
                help_text=indicator_help_text(indicator),
                required=False,
                max_digits=14,
                decimal_places=2,
                # The message names the indicator (min_value's would not).
                validators=[not_negative(indicator)] if indicator.cannot_be_negative else [],
                localize=True,
            )
        self.question = question
        if question is not None:
            self.fields["reflection"] = text_field(
                _("Reflection on the learning question"), question.text, rows=4, plain_text=True
            )

    @staticmethod
    def indicator_field(indicator) -> str:
        return indicator_field(indicator.pk)

    def indicator_bound_fields(self):
        return [self[self.indicator_field(i)] for i in self.indicators]

    def clean(self):
        cleaned = super().clean()
        if needs_risks(cleaned.get("status", "")) and not cleaned.get("risks", "").strip():
            self.add_error("risks", self.risks_needed)
        return cleaned

    def to_input(self) -> QuarterlyInput:
        data = self.cleaned_data
        values: dict[int, decimal.Decimal | None] = {i.pk: data.get(self.indicator_field(i)) for i in self.indicators}
        return QuarterlyInput(
            status=data["status"],
            narrative=data["narrative"].strip(),
            risks=data["risks"].strip(),
            next_steps=data["next_steps"].strip(),
            indicator_values=values,
            reflection=data.get("reflection") if self.question is not None else None,
        )


class OrganisationalUpdateForm(QuarterlyUpdateForm):
    """The quarter's update of an organisational priority: its status and words."""

    risks = text_field(
        _("Risks"), _("Needed when the organisational priority is at risk or off track."), rows=3, plain_text=True
    )
    risks_needed = ORGANISATIONAL_RISKS_NEEDED


class ReturnForm(forms.Form):
    comment = text_field(_("Why it is returned"), required=True, rows=3)


class UnlockForm(forms.Form):
    reason = text_field(_("Why unlock this quarter"), required=True, rows=2)


class LockForm(forms.Form):
    reason = text_field(_("Note (optional)"), rows=2)


class InitiativeForm(forms.Form):
    """What an editor changes of an initiative: its words (in each language, side by side:
    the default language's title required, the others' optional), the results it serves,
    who runs it."""

    expected_results = forms.ModelMultipleChoiceField(
        label=_("Expected results it serves"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    lead = forms.ModelChoiceField(label=_("Lead"), queryset=None, required=False)
    members = forms.ModelMultipleChoiceField(
        label=_("Team members"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, initiative, people, **kwargs):
        super().__init__(*args, **kwargs)
        texts = {}
        for name in in_each_language("title", "description"):
            field, language = translation_of(Initiative, name)
            label = f"{_('Title') if field == 'title' else _('Description')} ({language_name(language)})"
            if field == "title":
                texts[name] = forms.CharField(
                    label=label,
                    max_length=300,
                    required=language == DEFAULT_LANGUAGE,
                    validators=[no_hidden_controls],
                )
            else:
                texts[name] = text_field(label, rows=6)
            texts[name].widget.attrs["lang"] = language
        self.fields = {**texts, **self.fields}
        self.fields["expected_results"].queryset = initiative.priority.expected_results.order_by("number")
        self.fields["expected_results"].label_from_instance = lambda r: f"{r.code} {r.text[:140]}"
        self.fields["lead"].queryset = people
        self.fields["members"].queryset = people
        for name in ("lead", "members"):
            self.fields[name].label_from_instance = lambda u: u.get_full_name() or u.username

    def clean(self):
        cleaned = super().clean()
        lead, members = cleaned.get("lead"), cleaned.get("members") or []
        if lead is not None and lead in members:
            self.add_error("members", _("The lead is already on the team: leave them out of the members."))
        return cleaned


class IndicatorForm(StructureForm):
    """An indicator of an expected result. Baseline and target are read in the reader's
    language ("12,5" in French), like the quarterly values; the model's clean() refuses a
    target equal to the baseline, beside the target."""

    class Meta:
        model = Indicator
        fields = [
            *in_each_language("name", "unit"),
            "baseline",
            "target",
            "direction",
            *in_each_language("description"),
        ]
        localized_fields = ["baseline", "target"]
        labels = {
            "name": _("Name"),
            "unit": _("Unit"),
            "baseline": _("Baseline"),
            "target": _("Target"),
            "direction": _("Direction"),
            "description": _("How it is measured"),
        }
        help_texts = {
            **each_language({"unit": _("For example: organisations, people, %. Leave empty for a plain number.")}),
            "baseline": _("Where it stood at the start."),
            "target": _(
                "Where it should be by the end of the year; it must differ from the baseline. "
                "Left empty, the indicator is flagged “target to set” on the plan's pages and in "
                "the reports, with no progress measured, until a target is given."
            ),
        }
        widgets = {
            "baseline": forms.TextInput(attrs={"inputmode": "decimal"}),
            "target": forms.TextInput(attrs={"inputmode": "decimal"}),
            **each_language({"description": forms.Textarea(attrs={"rows": 3})}),
        }
