"""Initiatives and who runs them."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from civicplan.models import NaturalKeyManager
from civicplan.validators import plain_text, plain_title
from priorities.models import (
    TITLE_MAX,
    ExpectedResult,
    OrganisationalPriority,
    StrategicPriority,
    max_length_check,
)


class Initiative(models.Model):
    """A piece of work under a strategic priority, numbered within it ("2.3")."""

    priority = models.ForeignKey(
        StrategicPriority, on_delete=models.CASCADE, related_name="initiatives", verbose_name=_("priority")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=TITLE_MAX, validators=plain_title())
    description = models.TextField(_("description"), blank=True, validators=plain_text())
    expected_results = models.ManyToManyField(
        ExpectedResult, blank=True, related_name="initiatives", verbose_name=_("expected results it serves")
    )
    # The same work in the year before, when the plan was rolled over into this year (an
    # initiative not completed is carried into the next year's plan).
    previous = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_year",
        verbose_name=_("the same initiative the year before"),
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


class OrganisationalLead(models.Model):
    """Who leads an organisational priority and writes its quarterly update. Kept apart
    from the priority, as an initiative's team is: the plan's text is reloaded from
    fixtures and spreadsheets, and that must not forget who leads what."""

    organisational_priority = models.OneToOneField(
        OrganisationalPriority,
        on_delete=models.CASCADE,
        related_name="leadership",
        verbose_name=_("organisational priority"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="organisational_leads",
        verbose_name=_("lead"),
    )

    class Meta:
        verbose_name = _("organisational priority lead")
        verbose_name_plural = _("organisational priority leads")
        ordering = ["organisational_priority__number"]

    def __str__(self):
        return f"{self.user} – {self.organisational_priority}"


def organisational_lead(priority: OrganisationalPriority):
    """The lead's user, or None (select ``leadership__user`` to read it without a query)."""
    try:
        return priority.leadership.user
    except OrganisationalLead.DoesNotExist:
        return None
