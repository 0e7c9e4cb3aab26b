"""The plan's structure: strategic plan, annual plan and quarters, priorities, results,
learning questions, organisational priorities and the calendar of events.

Every model that a fixture or a spreadsheet names has a natural key, so that fixtures
and spreadsheets never carry database ids, and loading a fixture twice changes nothing.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from civicplan.models import NaturalKeyManager

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


class EventKind(models.TextChoices):
    INTERNATIONAL = "international", _("International meeting")
    CAMPAIGN = "campaign", _("Campaign")
    PUBLICATION = "publication", _("Report or publication")
    NETWORK = "network", _("Network and membership")
    GOVERNANCE = "governance", _("Governance and planning")
    OTHER = "other", _("Other")


class StrategicPlan(models.Model):
    """The multi-year strategy (2022-2027) with its one overall goal."""

    slug = models.SlugField(_("slug"), unique=True)
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    overall_goal = models.TextField(_("overall goal"), help_text=_("The goal in one sentence."))
    goal_description = models.TextField(_("goal explained"), blank=True)
    closing_statement = models.TextField(_("closing statement"), blank=True)

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
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    description = models.TextField(_("description"))

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
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    start_date = models.DateField(_("start date"), help_text=_("The first day of Q1."))
    language = models.CharField(
        _("language of the content"), max_length=10, default="fr", help_text=_("The language the plan is written in.")
    )
    context = models.TextField(_("context"), blank=True)
    monitoring = models.TextField(_("how the plan is monitored"), blank=True)
    calendar_note = models.TextField(_("note on the calendar"), blank=True)

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


class Quarter(models.Model):
    """A quarter of an annual plan ("trimestre"): Q1 is the first three months of the year."""

    annual_plan = models.ForeignKey(
        AnnualPlan, on_delete=models.CASCADE, related_name="quarters", verbose_name=_("annual plan")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    start_date = models.DateField(_("first day"))
    end_date = models.DateField(_("last day"))

    objects = NaturalKeyManager("annual_plan__slug", "number")

    class Meta:
        verbose_name = _("quarter")
        verbose_name_plural = _("quarters")
        ordering = ["annual_plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["annual_plan", "number"], name="quarter_unique_number"),
            models.CheckConstraint(condition=models.Q(number__gte=1, number__lte=4), name="quarter_number_1_to_4"),
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="quarter_dates_in_order"
            ),
        ]

    def __str__(self):
        return f"Q{self.number} {self.annual_plan.slug}"

    def natural_key(self):
        return self.annual_plan.natural_key() + (self.number,)

    natural_key.dependencies = ["priorities.annualplan"]

    @property
    def code(self) -> str:
        return f"Q{self.number}"

    def contains(self, day: datetime.date) -> bool:
        return self.start_date <= day <= self.end_date

    @property
    def locked(self) -> bool:
        """Whether the quarter takes no more change (select_related("lock") to read it for free)."""
        try:
            return self.lock is not None
        except QuarterLock.DoesNotExist:
            return False


class QuarterLock(models.Model):
    """A quarter is locked while this row exists.

    The lock is kept apart from the quarter so that reloading the plan from its fixture,
    which rewrites every quarter, never unlocks one.
    """

    quarter = models.OneToOneField(
        Quarter, on_delete=models.CASCADE, primary_key=True, related_name="lock", verbose_name=_("quarter")
    )
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("locked by"),
    )
    locked_at = models.DateTimeField(_("locked at"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("quarter lock")
        verbose_name_plural = _("quarter locks")

    def __str__(self):
        return f"{self.quarter} 🔒"


class QuarterLockChange(models.Model):
    """Who locked or unlocked a quarter, when and why: unlocking needs a reason."""

    quarter = models.ForeignKey(
        Quarter, on_delete=models.CASCADE, related_name="lock_changes", verbose_name=_("quarter")
    )
    locked = models.BooleanField(_("locked"), help_text=_("True for a lock, false for an unlock."))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    changed_at = models.DateTimeField(_("when"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("quarter lock change")
        verbose_name_plural = _("quarter lock changes")
        ordering = ["-changed_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(locked=True) | ~models.Q(reason=""), name="quarterlockchange_unlock_has_reason"
            )
        ]

    def __str__(self):
        return f"{self.quarter}: {'locked' if self.locked else 'unlocked'}"


class StrategicPriority(models.Model):
    """A strategic priority of the year (the seed has five), with its statement."""

    annual_plan = models.ForeignKey(
        AnnualPlan, on_delete=models.CASCADE, related_name="priorities", verbose_name=_("annual plan")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    short_title = models.CharField(
        _("short title"), max_length=150, help_text=_("The key words of the title, as highlighted in the plan.")
    )
    statement = models.TextField(_("statement"))

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
    text = models.TextField(_("text"))

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
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    description = models.TextField(_("description"))

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


class Event(models.Model):
    """An event of the plan's calendar, in a quarter, with or without dates.

    The slug names the event in fixtures, spreadsheets and calendar feeds (its UID), so
    it stays the same when the title, the dates or even the quarter change.
    """

    Kind = EventKind

    annual_plan = models.ForeignKey(
        AnnualPlan, on_delete=models.CASCADE, related_name="events", verbose_name=_("annual plan")
    )
    quarter = models.ForeignKey(Quarter, on_delete=models.PROTECT, related_name="events", verbose_name=_("quarter"))
    slug = models.SlugField(_("identifier"), max_length=100)
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    priority = models.ForeignKey(
        StrategicPriority,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("strategic priority"),
    )
    initiative = models.ForeignKey(
        "initiatives.Initiative",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("initiative"),
    )

    objects = NaturalKeyManager("annual_plan__slug", "slug")
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["quarter__number", models.F("start_date").asc(nulls_last=True), "title"]
        constraints = [
            models.UniqueConstraint(fields=["annual_plan", "slug"], name="event_unique_slug_in_plan"),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(start_date__isnull=False),
                name="event_end_needs_start",
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="event_dates_in_order",
            ),
            models.CheckConstraint(condition=models.Q(kind__in=EventKind.values), name="event_kind_valid"),
            max_length_check("title", TITLE_MAX, "event_title_length"),
            # The dates inside the quarter are checked by a trigger (migration 0002):
            # a check constraint cannot read the quarter's row.
        ]
        permissions = [
            ("import_event", "Can import events from a spreadsheet"),
            ("export_event", "Can export events to a spreadsheet"),
        ]

    def __str__(self):
        return self.title

    def natural_key(self):
        return self.annual_plan.natural_key() + (self.slug,)

    natural_key.dependencies = ["priorities.annualplan", "priorities.quarter", "initiatives.initiative"]

    @property
    def last_day(self) -> datetime.date | None:
        return self.end_date or self.start_date

    def clean(self):
        errors = {}
        if self.end_date and not self.start_date:
            errors["end_date"] = _("An event with an end date needs a start date.")
        elif self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The event ends before it starts.")
        quarter = self.quarter if self.quarter_id else None
        if quarter is not None:
            if self.annual_plan_id and quarter.annual_plan_id != self.annual_plan_id:
                errors["quarter"] = _("The quarter belongs to another annual plan.")
            for field in ("start_date", "end_date"):
                day = getattr(self, field)
                if day and not quarter.contains(day) and field not in errors:
                    errors[field] = _("%(day)s is outside %(quarter)s (%(start)s to %(end)s).") % {
                        "day": day.isoformat(),
                        "quarter": quarter.code,
                        "start": quarter.start_date.isoformat(),
                        "end": quarter.end_date.isoformat(),
                    }
        if self.priority_id and self.annual_plan_id and self.priority.annual_plan_id != self.annual_plan_id:
            errors["priority"] = _("The priority belongs to another annual plan.")
        if (
            self.initiative_id
            and self.annual_plan_id
            and self.initiative.priority.annual_plan_id != self.annual_plan_id
        ):
            errors["initiative"] = _("The initiative belongs to another annual plan.")
        if errors:
            raise ValidationError(errors)


class CalendarToken(models.Model):
    """A person's secret address for the calendar feed. A calendar program (Outlook,
    Google Calendar) subscribes without signing in, so the address itself is the key:
    it reads the plan's calendar and nothing else, and resetting it makes the old one
    stop working."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token", verbose_name=_("person")
    )
    key = models.CharField(_("key"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar subscription address")
        verbose_name_plural = _("calendar subscription addresses")

    def __str__(self):
        return str(self.user)
