"""The plan as decided: the strategic plan and its key changes, the annual plan, its
priorities with their expected results and learning questions, and the organisational
priorities."""

import datetime

from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from civicplan.models import NaturalKeyManager
from civicplan.validators import plain_text, plain_title

TITLE_MAX = 300


def max_length_check(field: str, limit: int, name: str) -> models.CheckConstraint:
    """A database check on a text's length: SQLite ignores ``max_length`` otherwise."""
    return models.CheckConstraint(condition=LessThanOrEqual(Length(field), limit), name=name)


def quarter_bounds(plan_start: datetime.date, number: int) -> tuple[datetime.date, datetime.date]:
    """First and last day of quarter ``number`` (1-4) of a plan year starting on ``plan_start``.

    Q1 is the three months from the plan's start (July-September for a July start).
    """
    if not 1 <= number <= 4:
        raise ValueError(f"quarter number must be 1-4, not {number}")

    def month_start(months_after: int) -> datetime.date:
        month_index = plan_start.month - 1 + months_after
        return datetime.date(plan_start.year + month_index // 12, month_index % 12 + 1, 1)

    start = month_start(3 * (number - 1))
    end = month_start(3 * number) - datetime.timedelta(days=1)
    return start, end


class OrganisationalArea(models.TextChoices):
    STRATEGY = "strategy", _("Strategy")
    PEOPLE = "people", _("People")
    SYSTEMS = "systems", _("Systems")
    SUSTAINABILITY = "sustainability", _("Sustainability")


class StrategicPlan(models.Model):
    """The multi-year strategy (2022-2027) with its one overall goal."""

    slug = models.SlugField(_("slug"), unique=True)
    title = models.CharField(_("title"), max_length=TITLE_MAX, validators=plain_title())
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    overall_goal = models.TextField(
        _("overall goal"), help_text=_("The goal in one sentence."), validators=plain_text()
    )
    goal_description = models.TextField(_("goal explained"), blank=True, validators=plain_text())
    closing_statement = models.TextField(_("closing statement"), blank=True, validators=plain_text())

    objects = NaturalKeyManager("slug")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("strategic plan")
        verbose_name_plural = _("strategic plans")
        ordering = ["start_year"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_year__gte=models.F("start_year")),
                name="strategicplan_years_in_order",
            ),
            max_length_check("title", TITLE_MAX, "strategicplan_title_length"),
        ]

    def __str__(self):
        return self.title

    def natural_key(self):
        return (self.slug,)


class KeyChange(models.Model):
    """One of the main changes the revised strategic plan brings (the seed lists three)."""

    strategic_plan = models.ForeignKey(
        StrategicPlan, on_delete=models.CASCADE, related_name="key_changes", verbose_name=_("strategic plan")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=TITLE_MAX, validators=plain_title())
    description = models.TextField(_("description"), validators=plain_text())

    objects = NaturalKeyManager("strategic_plan__slug", "number")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("key change")
        verbose_name_plural = _("key changes")
        ordering = ["strategic_plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["strategic_plan", "number"], name="keychange_unique_number"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="keychange_number_positive"),
            max_length_check("title", TITLE_MAX, "keychange_title_length"),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"

    def natural_key(self):
        return self.strategic_plan.natural_key() + (self.number,)

    natural_key.dependencies = ["priorities.strategicplan"]


class AnnualPlan(models.Model):
    """One year of the strategic plan, July to June, in four quarters."""

    strategic_plan = models.ForeignKey(
        StrategicPlan, on_delete=models.PROTECT, related_name="annual_plans", verbose_name=_("strategic plan")
    )
    slug = models.SlugField(_("slug"), unique=True, help_text=_("For example 2022-23."))
    title = models.CharField(_("title"), max_length=TITLE_MAX, validators=plain_title())
    start_date = models.DateField(_("start date"), help_text=_("The first day of Q1."))
    language = models.CharField(
        _("language of the content"), max_length=10, default="fr", help_text=_("The language the plan is written in.")
    )
    context = models.TextField(_("context"), blank=True, validators=plain_text())
    monitoring = models.TextField(_("how the plan is monitored"), blank=True, validators=plain_text())
    calendar_note = models.TextField(_("note on the calendar"), blank=True, validators=plain_text())

    objects = NaturalKeyManager("slug")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("annual plan")
        verbose_name_plural = _("annual plans")
        ordering = ["start_date"]
        constraints = [max_length_check("title", TITLE_MAX, "annualplan_title_length")]

    def __str__(self):
        return self.title

    def natural_key(self):
        return (self.slug,)

    natural_key.dependencies = ["priorities.strategicplan"]

    @property
    def end_date(self) -> datetime.date:
        return quarter_bounds(self.start_date, 4)[1]


class StrategicPriority(models.Model):
    """A strategic priority of the year (the seed has five), with its statement."""

    annual_plan = models.ForeignKey(
        AnnualPlan, on_delete=models.CASCADE, related_name="priorities", verbose_name=_("annual plan")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=TITLE_MAX, validators=plain_title())
    short_title = models.CharField(
        _("short title"),
        max_length=150,
        help_text=_("The key words of the title, as highlighted in the plan."),
        validators=plain_title(),
    )
    statement = models.TextField(_("statement"), validators=plain_text())

    objects = NaturalKeyManager("annual_plan__slug", "number")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("strategic priority")
        verbose_name_plural = _("strategic priorities")
        ordering = ["annual_plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["annual_plan", "number"], name="priority_unique_number_in_plan"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="priority_number_positive"),
            max_length_check("title", TITLE_MAX, "priority_title_length"),
            max_length_check("short_title", 150, "priority_short_title_length"),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"

    def get_absolute_url(self):
        # The page that follows the priority's initiatives is initiatives' (a URL name, not an import).
        return reverse("initiatives:priority", args=[self.annual_plan.slug, self.number])

    def natural_key(self):
        return self.annual_plan.natural_key() + (self.number,)

    natural_key.dependencies = ["priorities.annualplan"]


class PriorityItem(models.Model):
    """Something numbered within a strategic priority: an expected result, a learning question."""

    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("text"), validators=plain_text())

    objects = NaturalKeyManager("priority__annual_plan__slug", "priority__number", "number")

    class Meta:
        abstract = True
        ordering = ["priority", "number"]

    def __str__(self):
        return f"{self.code} {self.text[:80]}"

    def natural_key(self):
        return self.priority.natural_key() + (self.number,)

    natural_key.dependencies = ["priorities.strategicpriority"]

    @property
    def code(self) -> str:
        return f"{self.priority.number}.{self.number}"


class ExpectedResult(PriorityItem):
    priority = models.ForeignKey(
        StrategicPriority, on_delete=models.CASCADE, related_name="expected_results", verbose_name=_("priority")
    )
    history = HistoricalRecords()

    class Meta(PriorityItem.Meta):
        verbose_name = _("expected result")
        verbose_name_plural = _("expected results")
        constraints = [
            models.UniqueConstraint(fields=["priority", "number"], name="result_unique_number_in_priority"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="result_number_positive"),
        ]
        permissions = [
            ("import_expectedresult", "Can import expected results from a spreadsheet"),
            ("export_expectedresult", "Can export expected results to a spreadsheet"),
        ]


class LearningQuestion(PriorityItem):
    priority = models.ForeignKey(
        StrategicPriority, on_delete=models.CASCADE, related_name="learning_questions", verbose_name=_("priority")
    )
    history = HistoricalRecords()

    class Meta(PriorityItem.Meta):
        verbose_name = _("learning question")
        verbose_name_plural = _("learning questions")
        constraints = [
            models.UniqueConstraint(fields=["priority", "number"], name="question_unique_number_in_priority"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="question_number_positive"),
        ]


class OrganisationalPriority(models.Model):
    """How the organisation itself will change this year: strategy, people, systems, sustainability."""

    Area = OrganisationalArea

    annual_plan = models.ForeignKey(
        AnnualPlan, on_delete=models.CASCADE, related_name="organisational_priorities", verbose_name=_("annual plan")
    )
    area = models.CharField(_("area"), max_length=20, choices=Area.choices)
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=TITLE_MAX, validators=plain_title())
    description = models.TextField(_("description"), validators=plain_text())

    objects = NaturalKeyManager("annual_plan__slug", "area")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisational priority")
        verbose_name_plural = _("organisational priorities")
        ordering = ["annual_plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["annual_plan", "area"], name="orgpriority_unique_area"),
            models.UniqueConstraint(fields=["annual_plan", "number"], name="orgpriority_unique_number"),
            models.CheckConstraint(
                condition=models.Q(area__in=OrganisationalArea.values), name="orgpriority_area_valid"
            ),
            max_length_check("title", TITLE_MAX, "orgpriority_title_length"),
        ]

    def __str__(self):
        return self.title

    def natural_key(self):
        return self.annual_plan.natural_key() + (self.area,)

    natural_key.dependencies = ["priorities.annualplan"]
