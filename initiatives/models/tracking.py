"""A quarter's tracking of an initiative or of an organisational priority: its update,
reviewed by an editor, and the revision rule that keeps an approved text for its readers
while a change waits."""

from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.query import ModelIterable
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from civicplan.models import NaturalKeyManager
from civicplan.permissions import sees_only_approved
from civicplan.validators import plain_text
from priorities.models import OrganisationalPriority, Quarter

from .work import Initiative


class Status(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    OFF_TRACK = "off_track", _("Off track")
    COMPLETED = "completed", _("Completed")


# At risk or off track, an update says why (its risks): on every path, the form included.
RISKS_NEEDED = _("Say what puts the initiative at risk or off track.")
ORGANISATIONAL_RISKS_NEEDED = _("Say what puts the organisational priority at risk or off track.")


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


# The text of an update that an editor approves, and what save() compares to tell a change.
APPROVED_TEXT = ("status", "narrative", "risks", "next_steps")
READ_BACK = (*APPROVED_TEXT, "review_state", "reviewed_at")


class ApprovedText(NamedTuple):
    status: str
    narrative: str
    risks: str
    next_steps: str


def _never_saved(*args, **kwargs):
    raise TypeError("An update read as approved is for reading only.")


class _ReadAsApproved(ModelIterable):
    def __iter__(self):
        for update in super().__iter__():
            yield update.read_as_approved()


class ReviewedUpdateQuerySet(models.QuerySet):
    def visible_to(self, user):
        """What ``user`` may read: a board member reads approved updates only, and while a
        revision of one waits, its approved text (the board reads what an editor has
        checked); staff and editors read every state, as written."""
        if sees_only_approved(user):
            return self.approved_only()
        return self

    def approved_only(self):
        approved = self.filter(Q(review_state=ReviewState.APPROVED) | Q(approved_at__isnull=False))
        approved._iterable_class = _ReadAsApproved
        return approved


class ReviewedUpdate(QuarterlyRecord):
    """Where one thing stands in a quarter, as its lead writes it and an editor reviews it:
    a status with its words, the review, and the approved text kept aside while a change to
    an approved update waits (the revision rule)."""

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
    # The approved text, kept aside while a change to an approved update (a revision) waits
    # for an editor: readers of approved updates (the reports, the board, its API) go on
    # reading it. Empty when there is no revision (an approved update is read as it stands).
    approved_status = models.CharField(_("approved status"), max_length=20, choices=Status.choices, blank=True)
    approved_narrative = models.TextField(_("approved progress"), blank=True)
    approved_risks = models.TextField(_("approved risks"), blank=True)
    approved_next_steps = models.TextField(_("approved next steps"), blank=True)
    approved_at = models.DateTimeField(
        _("approved"),
        null=True,
        blank=True,
        help_text=_("When the approved text kept aside was approved; empty when no revision waits."),
    )

    objects = ReviewedUpdateQuerySet.as_manager()
    risks_needed = RISKS_NEEDED  # what clean() says when risks are missing

    class Meta:
        abstract = True
        # Named after each concrete model: statusupdate_status_valid, ...
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=Status.values), name="%(class)s_status_valid"),
            models.CheckConstraint(
                condition=models.Q(review_state__in=ReviewState.values),
                name="%(class)s_review_state_valid",
            ),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="%(class)s_version_positive"),
        ]

    def save(self, *args, **kwargs):
        self._keep_approved_text()
        super().save(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # What the row held when read: save() compares with it (the revision rule).
        instance._as_read = {name: instance.__dict__[name] for name in READ_BACK if name in instance.__dict__}
        return instance

    def _keep_approved_text(self) -> None:
        """The revision rule, on every path (the site's services, the admin, an import):
        a change to an approved update keeps the approved text aside for its readers until
        an editor approves the change. A change that leaves the update marked approved
        (the admin, an import) is not approved by that: it waits, submitted."""
        read = getattr(self, "_as_read", {})
        was_approved = read.get("review_state") == ReviewState.APPROVED
        text_changed = any(name in read and read[name] != getattr(self, name) for name in APPROVED_TEXT)
        if self.review_state == ReviewState.APPROVED and was_approved and text_changed:
            self.review_state = ReviewState.SUBMITTED
            self.submitted_at = timezone.now()
        if self.review_state == ReviewState.APPROVED:
            self.approved_status = self.approved_narrative = self.approved_risks = self.approved_next_steps = ""
            self.approved_at = None
        elif was_approved and self.approved_at is None:
            self.approved_status, self.approved_narrative, self.approved_risks, self.approved_next_steps = (
                read.get(name, "") for name in APPROVED_TEXT
            )
            self.approved_at = read.get("reviewed_at") or timezone.now()
        self._as_read = {name: getattr(self, name) for name in READ_BACK}

    @property
    def is_revision(self) -> bool:
        """A change to an approved update, waiting: readers still read the approved text."""
        return self.approved_at is not None and self.review_state != ReviewState.APPROVED

    @property
    def approved_text(self) -> "ApprovedText | None":
        """What readers of approved updates read: the text as it stands once approved, the
        approved text kept aside while a revision waits, else nothing."""
        if self.review_state == ReviewState.APPROVED:
            return ApprovedText(self.status, self.narrative, self.risks, self.next_steps)
        if self.approved_at is not None:
            return ApprovedText(
                self.approved_status, self.approved_narrative, self.approved_risks, self.approved_next_steps
            )
        return None

    def read_as_approved(self) -> "ReviewedUpdate":
        """This update as a reader of approved updates sees it (in place: never saved)."""
        text = self.approved_text
        if text is not None and self.review_state != ReviewState.APPROVED:
            self.status, self.narrative, self.risks, self.next_steps = text
            self.review_state = ReviewState.APPROVED
            self.reviewed_at = self.approved_at
            self.save = _never_saved
        return self

    def clean(self):
        super().clean()
        if needs_risks(self.status) and not self.risks.strip():
            raise ValidationError({"risks": self.risks_needed})


class StatusUpdate(ReviewedUpdate):
    """Where an initiative stands in a quarter: one per initiative and quarter."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="status_updates", verbose_name=_("initiative")
    )
    quarter = models.ForeignKey(
        Quarter, on_delete=models.PROTECT, related_name="status_updates", verbose_name=_("quarter")
    )
    objects = NaturalKeyManager.from_queryset(ReviewedUpdateQuerySet)(
        "initiative__priority__annual_plan__slug",
        "initiative__priority__number",
        "initiative__number",
        "quarter__number",
    )
    history = HistoricalRecords()

    class Meta(ReviewedUpdate.Meta):
        verbose_name = _("status update")
        verbose_name_plural = _("status updates")
        ordering = ["initiative", "quarter__number"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "quarter"], name="statusupdate_once_per_quarter"),
            *ReviewedUpdate.Meta.constraints,
        ]
        permissions = [
            ("import_statusupdate", "Can import status updates from a spreadsheet"),
            ("export_statusupdate", "Can export status updates to a spreadsheet"),
        ]

    def __str__(self):
        return f"{self.initiative.code} {self.quarter.code}: {self.get_status_display()}"

    def get_absolute_url(self):
        return self.initiative.get_absolute_url()

    @property
    def subject(self) -> str:
        """What the update is about, as a list names it."""
        return f"{self.initiative.code} {self.initiative.title}"

    @property
    def review_url(self) -> str:
        return reverse("initiatives:review", args=[self.pk])

    def natural_key(self):
        return self.initiative.natural_key() + (self.quarter.number,)

    natural_key.dependencies = ["initiatives.initiative", "priorities.quarter"]

    def clean(self):
        super().clean()
        if self.initiative_id and self.quarter_id:
            if self.initiative.priority.annual_plan_id != self.quarter.annual_plan_id:
                raise ValidationError({"quarter": _("The quarter belongs to another annual plan.")})


class OrganisationalUpdate(ReviewedUpdate):
    """Where an organisational priority stands in a quarter: one per priority and quarter,
    written by its lead (or an editor) and reviewed as an initiative's update is."""

    organisational_priority = models.ForeignKey(
        OrganisationalPriority,
        on_delete=models.CASCADE,
        related_name="updates",
        verbose_name=_("organisational priority"),
    )
    quarter = models.ForeignKey(
        Quarter, on_delete=models.PROTECT, related_name="organisational_updates", verbose_name=_("quarter")
    )
    objects = NaturalKeyManager.from_queryset(ReviewedUpdateQuerySet)(
        "organisational_priority__annual_plan__slug", "organisational_priority__area", "quarter__number"
    )
    history = HistoricalRecords()
    risks_needed = ORGANISATIONAL_RISKS_NEEDED

    class Meta(ReviewedUpdate.Meta):
        verbose_name = _("organisational update")
        verbose_name_plural = _("organisational updates")
        ordering = ["organisational_priority__number", "quarter__number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisational_priority", "quarter"], name="organisationalupdate_once_per_quarter"
            ),
            *ReviewedUpdate.Meta.constraints,
        ]
        permissions = [
            ("import_organisationalupdate", "Can import organisational updates from a spreadsheet"),
            ("export_organisationalupdate", "Can export organisational updates to a spreadsheet"),
        ]

    def __str__(self):
        return f"{self.organisational_priority} {self.quarter.code}: {self.get_status_display()}"

    def get_absolute_url(self):
        priority = self.organisational_priority
        return reverse("initiatives:organisational", args=[priority.annual_plan.slug, priority.area])

    @property
    def subject(self) -> str:
        """What the update is about, as a list names it."""
        return self.organisational_priority.title

    @property
    def review_url(self) -> str:
        return reverse("initiatives:organisational_review", args=[self.pk])

    def natural_key(self):
        return self.organisational_priority.natural_key() + (self.quarter.number,)

    natural_key.dependencies = ["priorities.organisationalpriority", "priorities.quarter"]

    def clean(self):
        super().clean()
        if self.organisational_priority_id and self.quarter_id:
            if self.organisational_priority.annual_plan_id != self.quarter.annual_plan_id:
                raise ValidationError({"quarter": _("The quarter belongs to another annual plan.")})
