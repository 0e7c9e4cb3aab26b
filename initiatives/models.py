"""The work and its quarterly tracking: initiatives, who runs them, status updates,
indicators and their values, and reflections on the learning questions."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from civicplan.models import NaturalKeyManager
from civicplan.permissions import sees_only_approved
from civicplan.validators import plain_text
from priorities.models import (
    TITLE_MAX,
    ExpectedResult,
    LearningQuestion,
    Quarter,
    StrategicPriority,
    max_length_check,
)


class Initiative(models.Model):
    """A piece of work under a strategic priority, numbered within it ("2.3")."""

    priority = models.ForeignKey(
        StrategicPriority, on_delete=models.CASCADE, related_name="initiatives", verbose_name=_("priority")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    description = models.TextField(_("description"), blank=True)
    expected_results = models.ManyToManyField(
        ExpectedResult, blank=True, related_name="initiatives", verbose_name=_("expected results it serves")
    )
    # Who runs it lives in Membership, not here: the plan's text is reloaded from
    # fixtures and spreadsheets, and that must not forget who leads what.

    objects = NaturalKeyManager("priority__annual_plan__slug", "priority__number", "number")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        ordering = ["priority__annual_plan", "priority__number", "number"]
        constraints = [
            models.UniqueConstraint(fields=["priority", "number"], name="initiative_unique_number_in_priority"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="initiative_number_positive"),
            max_length_check("title", TITLE_MAX, "initiative_title_length"),
        ]
        permissions = [
            ("import_initiative", "Can import initiatives from a spreadsheet"),
            ("export_initiative", "Can export initiatives to a spreadsheet"),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    def get_absolute_url(self):
        return reverse("initiatives:detail", args=[self.pk])

    @property
    def lead(self):
        """The lead's user, or None: read from the team when it was prefetched."""
        return next((m.user for m in self.memberships.all() if m.role == Membership.Role.LEAD), None)

    def natural_key(self):
        return self.priority.natural_key() + (self.number,)

    natural_key.dependencies = ["priorities.strategicpriority", "priorities.expectedresult"]

    @property
    def code(self) -> str:
        return f"{self.priority.number}.{self.number}"


class Membership(models.Model):
    """A person on an initiative: its lead (one at most) or a team member."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead")
        MEMBER = "member", _("Team member")

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("initiative")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("person")
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team")
        ordering = ["initiative", "role", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "user"], name="membership_once_per_initiative"),
            models.UniqueConstraint(fields=["initiative"], condition=models.Q(role="lead"), name="membership_one_lead"),
            models.CheckConstraint(condition=models.Q(role__in=["lead", "member"]), name="membership_role_valid"),
        ]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()}) – {self.initiative}"


class Status(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OFF_TRACK = "off_track", _("Off track")
    COMPLETED = "completed", _("Completed")


# At risk or off track, an update says why (its risks): on every path, the form included.
RISKS_NEEDED = _("Say what puts the initiative at risk or off track.")


def needs_risks(status: str) -> bool:
    return status in {Status.AT_RISK, Status.OFF_TRACK}


class ReviewState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")


class QuarterlyRecord(models.Model):
    """What is written about one thing in one quarter, by someone, at some time."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True

    def clean(self):
        # Whatever the path (the site's services, the admin, an import): a locked quarter
        # takes no change. Its report has gone out; an editor unlocks it first, with a reason.
        if self.quarter_id and self.quarter.locked:
            raise ValidationError(
                {"quarter": _("%(quarter)s is locked: it takes no change.") % {"quarter": self.quarter.code}}
            )


class StatusUpdateQuerySet(models.QuerySet):
    def visible_to(self, user):
        """What ``user`` may read: a board member reads approved updates only (the board
        reads what an editor has checked); staff and editors read every state."""
        if sees_only_approved(user):
            return self.filter(review_state=ReviewState.APPROVED)
        return self


class StatusUpdate(QuarterlyRecord):
    """Where an initiative stands in a quarter: one per initiative and quarter."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="status_updates", verbose_name=_("initiative")
    )
    quarter = models.ForeignKey(
        Quarter, on_delete=models.PROTECT, related_name="status_updates", verbose_name=_("quarter")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED)
    narrative = models.TextField(_("progress"), blank=True, validators=plain_text())
    risks = models.TextField(_("risks"), blank=True, validators=plain_text())
    next_steps = models.TextField(_("next steps"), blank=True, validators=plain_text())
    review_state = models.CharField(_("review"), max_length=20, choices=ReviewState.choices, default=ReviewState.DRAFT)
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Raised by every save, so that a concurrent edit is detected.")
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    review_comment = models.TextField(
        _("review comment"), blank=True, help_text=_("Why the update was returned, for its author.")
    )

    objects = NaturalKeyManager.from_queryset(StatusUpdateQuerySet)(
        "initiative__priority__annual_plan__slug",
        "initiative__priority__number",
        "initiative__number",
        "quarter__number",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("status update")
        verbose_name_plural = _("status updates")
        ordering = ["initiative", "quarter__number"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "quarter"], name="statusupdate_once_per_quarter"),
            models.CheckConstraint(condition=models.Q(status__in=Status.values), name="statusupdate_status_valid"),
            models.CheckConstraint(
                condition=models.Q(review_state__in=ReviewState.values),
                name="statusupdate_review_state_valid",
            ),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="statusupdate_version_positive"),
        ]
        permissions = [
            ("import_statusupdate", "Can import status updates from a spreadsheet"),
            ("export_statusupdate", "Can export status updates to a spreadsheet"),
        ]

    def __str__(self):
        return f"{self.initiative.code} {self.quarter.code}: {self.get_status_display()}"

    def natural_key(self):
        return self.initiative.natural_key() + (self.quarter.number,)

    natural_key.dependencies = ["initiatives.initiative", "priorities.quarter"]

    def clean(self):
        super().clean()
        if self.initiative_id and self.quarter_id:
            if self.initiative.priority.annual_plan_id != self.quarter.annual_plan_id:
                raise ValidationError({"quarter": _("The quarter belongs to another annual plan.")})
        if needs_risks(self.status) and not self.risks.strip():
            raise ValidationError({"risks": RISKS_NEEDED})


class Indicator(models.Model):
    """A measure of an expected result, from a baseline towards a target."""

    class Direction(models.TextChoices):
        INCREASE = "increase", _("Higher is better")
        DECREASE = "decrease", _("Lower is better")

    expected_result = models.ForeignKey(
        ExpectedResult, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("expected result")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=TITLE_MAX)
    unit = models.CharField(_("unit"), max_length=50, blank=True)
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=2)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices, default=Direction.INCREASE)
    description = models.TextField(_("how it is measured"), blank=True)

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
            # A target equal to the baseline leaves nothing to measure progress by.
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
        if self.indicator_id and self.value is not None and self.value < 0:
            indicator = self.indicator
            if indicator.baseline >= 0 and indicator.target >= 0:
                # Same rule and words as the quarterly form (initiatives/forms.py, not_negative).
                raise ValidationError(
                    {
                        "value": _(
                            "%(indicator)s cannot be negative (its baseline and target are not): "
                            "enter a value greater than or equal to 0."
                        )
                        % {"indicator": f"{indicator.code} {indicator.name}"}
                    }
                )


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
