"""A plan's four quarters, the reporting round of each, and the locks that close a
quarter to changes once its report has gone out."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext
from simple_history.models import HistoricalRecords

from civicplan.models import NaturalKeyManager

from .plan import AnnualPlan, quarter_bounds


def quarter_code(number: int) -> str:
    """A quarter's short name in the reader's language: Q3 in English, T3 ("trimestre") in
    French, as the plan itself writes it."""
    return pgettext("quarter", "Q%(number)s") % {"number": number}


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
        return f"{self.code} {self.annual_plan.slug}"

    def natural_key(self):
        return self.annual_plan.natural_key() + (self.number,)

    natural_key.dependencies = ["priorities.annualplan"]

    @property
    def code(self) -> str:
        return quarter_code(self.number)

    def contains(self, day: datetime.date) -> bool:
        return self.start_date <= day <= self.end_date

    @property
    def locked(self) -> bool:
        """Whether the quarter takes no more change (select_related("lock") to read it for free)."""
        try:
            return self.lock is not None
        except QuarterLock.DoesNotExist:
            return False

    @property
    def reporting_round(self) -> "ReportingRound | None":
        """The quarter's reporting round, or None (select_related("round") to read it for free)."""
        try:
            return self.round
        except ReportingRound.DoesNotExist:
            return None


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


class ReportingRound(models.Model):
    """A quarter's reporting round: an editor opens it with a due date, staff report, the
    editors chase and review, then close it (and may lock the quarter). At most one round
    of a plan is open at a time; the dashboards, the reminders and the default report
    follow it, never the calendar date."""

    quarter = models.OneToOneField(Quarter, on_delete=models.CASCADE, related_name="round", verbose_name=_("quarter"))
    # The quarter's plan, kept here so that the database itself holds "one open round a plan".
    annual_plan = models.ForeignKey(
        AnnualPlan, on_delete=models.CASCADE, related_name="rounds", editable=False, verbose_name=_("annual plan")
    )
    due_date = models.DateField(_("due date"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("opened by"),
    )
    opened_at = models.DateTimeField(_("opened at"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    history = HistoricalRecords()

    objects = NaturalKeyManager("quarter__annual_plan__slug", "quarter__number")

    class Meta:
        verbose_name = _("reporting round")
        verbose_name_plural = _("reporting rounds")
        ordering = ["annual_plan", "quarter__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["annual_plan"], condition=models.Q(closed_at__isnull=True), name="round_one_open_per_plan"
            ),
        ]

    def __str__(self):
        return f"{self.quarter}"

    def save(self, *args, **kwargs):
        self.annual_plan_id = self.quarter.annual_plan_id
        super().save(*args, **kwargs)

    def natural_key(self):
        return self.quarter.natural_key()

    natural_key.dependencies = ["priorities.quarter"]

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def is_past_due(self, today: datetime.date) -> bool:
        """Open after its due date: what is still owed is overdue (the one comparison with
        the calendar the rounds make; which quarter is reported never depends on it)."""
        return self.is_open and self.due_date < today

    def last_due_day(self) -> datetime.date:
        """The latest due date a round may have: the last day of the quarter after the
        plan's year (its Q4 is reported in the summer after it)."""
        start = self.quarter.annual_plan.start_date
        return quarter_bounds(start.replace(year=start.year + 1), 1)[1]

    def clean(self):
        if self.quarter_id is None or self.due_date is None:
            return
        self.annual_plan_id = self.quarter.annual_plan_id
        if not self.quarter.start_date <= self.due_date <= self.last_due_day():
            raise ValidationError(
                {
                    "due_date": _(
                        "The due date must fall between the quarter's first day (%(first)s) and the end of "
                        "the quarter after the plan's year (%(last)s)."
                    )
                    % {"first": date_format(self.quarter.start_date), "last": date_format(self.last_due_day())}
                }
            )
