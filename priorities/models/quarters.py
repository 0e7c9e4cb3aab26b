"""A plan's four quarters, and the locks that close a quarter to changes once its report
has gone out."""

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicplan.models import NaturalKeyManager

from .plan import AnnualPlan


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
