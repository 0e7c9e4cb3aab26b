"""The plan's calendar of events, and each reader's secret subscription address."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from civicplan.models import NaturalKeyManager
from civicplan.validators import plain_text, plain_title

from .plan import TITLE_MAX, AnnualPlan, StrategicPriority, max_length_check
from .quarters import Quarter


class EventKind(models.TextChoices):
    INTERNATIONAL = "international", _("International meeting")
    CAMPAIGN = "campaign", _("Campaign")
    PUBLICATION = "publication", _("Report or publication")
    NETWORK = "network", _("Network and membership")
    GOVERNANCE = "governance", _("Governance and planning")
    OTHER = "other", _("Other")


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
    title = models.CharField(_("title"), max_length=TITLE_MAX, validators=plain_title())
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True, validators=plain_text())
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
