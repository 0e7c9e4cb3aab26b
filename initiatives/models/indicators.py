"""Indicators of the expected results and their values each quarter, and the reflections
on the learning questions."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from civicplan.models import NaturalKeyManager
from civicplan.validators import plain_text, plain_title
from priorities.models import (
    TITLE_MAX,
    ExpectedResult,
    LearningQuestion,
    Quarter,
    max_length_check,
)

from .tracking import QuarterlyRecord


class Indicator(models.Model):
    """A measure of an expected result, from a baseline towards a target."""

    class Direction(models.TextChoices):
        INCREASE = "increase", _("Higher is better")
        DECREASE = "decrease", _("Lower is better")

    expected_result = models.ForeignKey(
        ExpectedResult, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("expected result")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=TITLE_MAX, validators=plain_title())
    unit = models.CharField(_("unit"), max_length=50, blank=True, validators=plain_title())
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=2)
    # Empty until an editor sets it: a plan rolled over into its next year starts so (the
    # last value as the new baseline, the target to set), and the pages flag it meanwhile.
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2, null=True, blank=True)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices, default=Direction.INCREASE)
    description = models.TextField(_("how it is measured"), blank=True, validators=plain_text())

    objects = NaturalKeyManager(
        "expected_result__priority__annual_plan__slug",
        "expected_result__priority__number",
        "expected_result__number",
        "number",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["expected_result", "number"]
        constraints = [
            models.UniqueConstraint(fields=["expected_result", "number"], name="indicator_unique_number_in_result"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="indicator_number_positive"),
            models.CheckConstraint(
                condition=models.Q(direction__in=["increase", "decrease"]), name="indicator_direction_valid"
            ),
            # A target equal to the baseline leaves nothing to measure progress by (an empty
            # target passes: SQL's NULL is not false).
            models.CheckConstraint(
                condition=~models.Q(target=models.F("baseline")), name="indicator_target_differs_from_baseline"
            ),
            max_length_check("name", TITLE_MAX, "indicator_name_length"),
        ]
        permissions = [
            ("import_indicator", "Can import indicators from a spreadsheet"),
            ("export_indicator", "Can export indicators to a spreadsheet"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def natural_key(self):
        return self.expected_result.natural_key() + (self.number,)

    natural_key.dependencies = ["priorities.expectedresult"]

    @property
    def code(self) -> str:
        return f"{self.expected_result.code}.{self.number}"

    @property
    def target_to_set(self) -> bool:
        """No target yet: progress cannot be measured until an editor sets one."""
        return self.target is None

    @property
    def cannot_be_negative(self) -> bool:
        """A count or a share whose baseline and target are not negative cannot be. A target
        not set yet (a plan rolled over) does not lift the rule: the baseline, last year's
        value, says what kind of number it is."""
        return self.baseline >= 0 and (self.target is None or self.target >= 0)

    def negative_refused(self) -> str:
        """What a negative value of an indicator that :attr:`cannot_be_negative` is told."""
        if self.target is None:
            message = _(
                "%(indicator)s cannot be negative (its baseline is not, and its target is not set yet): "
                "enter a value greater than or equal to 0."
            )
        else:
            message = _(
                "%(indicator)s cannot be negative (its baseline and target are not): "
                "enter a value greater than or equal to 0."
            )
        return message % {"indicator": f"{self.code} {self.name}"}

    def clean(self):
        if self.baseline is not None and self.target is not None and self.baseline == self.target:
            raise ValidationError({"target": _("The target must differ from the baseline.")})


class IndicatorValue(QuarterlyRecord):
    """An indicator's measured value at the end of a quarter: one per indicator and quarter."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="values", verbose_name=_("indicator")
    )
    quarter = models.ForeignKey(
        Quarter, on_delete=models.PROTECT, related_name="indicator_values", verbose_name=_("quarter")
    )
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    note = models.TextField(_("note"), blank=True, validators=plain_text())

    objects = NaturalKeyManager(
        "indicator__expected_result__priority__annual_plan__slug",
        "indicator__expected_result__priority__number",
        "indicator__expected_result__number",
        "indicator__number",
        "quarter__number",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        ordering = ["indicator", "quarter__number"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "quarter"], name="indicatorvalue_once_per_quarter"),
        ]
        permissions = [
            ("import_indicatorvalue", "Can import indicator values from a spreadsheet"),
            ("export_indicatorvalue", "Can export indicator values to a spreadsheet"),
        ]

    def __str__(self):
        return f"{self.indicator.code} {self.quarter.code}: {self.value}"

    def natural_key(self):
        return self.indicator.natural_key() + (self.quarter.number,)

    natural_key.dependencies = ["initiatives.indicator", "priorities.quarter"]

    def clean(self):
        super().clean()
        if self.indicator_id and self.quarter_id:
            if self.indicator.expected_result.priority.annual_plan_id != self.quarter.annual_plan_id:
                raise ValidationError({"quarter": _("The quarter belongs to another annual plan.")})
        if self.indicator_id and self.value is not None and self.value < 0 and self.indicator.cannot_be_negative:
            # Same rule and words as the quarterly form (initiatives/forms.py, not_negative).
            raise ValidationError({"value": self.indicator.negative_refused()})


class LearningReflection(QuarterlyRecord):
    """What was learned on a priority's learning question in a quarter."""

    learning_question = models.ForeignKey(
        LearningQuestion, on_delete=models.CASCADE, related_name="reflections", verbose_name=_("learning question")
    )
    quarter = models.ForeignKey(
        Quarter, on_delete=models.PROTECT, related_name="reflections", verbose_name=_("quarter")
    )
    text = models.TextField(_("reflection"), validators=plain_text())

    objects = NaturalKeyManager(
        "learning_question__priority__annual_plan__slug",
        "learning_question__priority__number",
        "learning_question__number",
        "quarter__number",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("learning reflection")
        verbose_name_plural = _("learning reflections")
        ordering = ["learning_question", "quarter__number"]
        constraints = [
            models.UniqueConstraint(fields=["learning_question", "quarter"], name="reflection_once_per_quarter"),
        ]

    def __str__(self):
        return f"{self.learning_question.code} {self.quarter.code}"

    def natural_key(self):
        return self.learning_question.natural_key() + (self.quarter.number,)

    natural_key.dependencies = ["priorities.learningquestion", "priorities.quarter"]

    def clean(self):
        super().clean()
        if self.learning_question_id and self.quarter_id:
            if self.learning_question.priority.annual_plan_id != self.quarter.annual_plan_id:
                raise ValidationError({"quarter": _("The quarter belongs to another annual plan.")})
