"""What editors write for the board and publish: board updates (the Secretary-General's
update, one a quarter) and the annual report's lessons learned. Once published, either is
frozen: the HTML and the PDF as they read at that moment are stored with their SHA-256 and
served byte for byte from then on, whatever happens to the plan later."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from priorities.models import AnnualPlan, Quarter


class Published(models.Model):
    """A document an editor drafts and then publishes: what publishing records, and the
    files it freezes. Set by reporting/services.py ``publish``, never typed."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
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
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    language = models.CharField(_("language"), max_length=10, blank=True)
    fingerprint = models.CharField(
        _("fingerprint"),
        max_length=64,
        blank=True,
        help_text=_("SHA-256 of the published text, printed in the footer of both files."),
    )
    html = models.TextField(_("HTML as published"), blank=True)
    html_sha256 = models.CharField(_("SHA-256 of the HTML"), max_length=64, blank=True)
    pdf = models.BinaryField(_("PDF as published"), blank=True, default=bytes)
    pdf_sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64, blank=True)

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(condition=models.Q(state__in=["draft", "published"]), name="%(class)s_state_valid"),
            # A published document has everything a reader needs to check it.
            models.CheckConstraint(
                condition=models.Q(state="draft")
                | (
                    models.Q(published_at__isnull=False, published_by__isnull=False)
                    & ~models.Q(html="")
                    & ~models.Q(html_sha256="")
                    & ~models.Q(pdf_sha256="")
                    & ~models.Q(fingerprint="")
                ),
                name="%(class)s_published_is_complete",
            ),
        ]

    @property
    def published(self) -> bool:
        return self.state == self.State.PUBLISHED


class BoardUpdate(Published):
    annual_plan = models.ForeignKey(
        AnnualPlan, on_delete=models.PROTECT, related_name="board_updates", verbose_name=_("annual plan")
    )
    quarter = models.OneToOneField(
        Quarter, on_delete=models.PROTECT, related_name="board_update", verbose_name=_("quarter")
    )
    message = models.TextField(_("message"), help_text=_("The Secretary-General's message to the board."))
    highlights = models.TextField(_("highlights"), blank=True, help_text=_("One highlight per line."))
    # Set once, by publishing.
    since_quarter = models.PositiveSmallIntegerField(
        _("compared with quarter"),
        null=True,
        blank=True,
        help_text=_("The quarter that “what changed” was computed against."),
    )

    history = HistoricalRecords(excluded_fields=["html", "pdf"])

    class Meta(Published.Meta):
        verbose_name = _("board update")
        verbose_name_plural = _("board updates")
        ordering = ["annual_plan", "quarter__number"]

    def __str__(self):
        return f"{self.annual_plan.slug} {self.quarter.code}: {self.get_state_display()}"

    @property
    def highlight_list(self) -> list[str]:
        return [line.strip() for line in self.highlights.splitlines() if line.strip()]


class AnnualReview(Published):
    """The annual report's lessons learned, written by an editor, and the report's
    publication: until it is published the report is made live from the plan, and only
    editors read the lessons; once published, everyone reads the stored files."""

    annual_plan = models.OneToOneField(
        AnnualPlan, on_delete=models.PROTECT, related_name="annual_review", verbose_name=_("annual plan")
    )
    lessons = models.TextField(
        _("lessons learned"),
        help_text=_("What the year taught: plain text, a blank line between paragraphs."),
    )

    history = HistoricalRecords(excluded_fields=["html", "pdf"])

    class Meta(Published.Meta):
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        ordering = ["annual_plan__start_date"]

    def __str__(self):
        return f"{self.annual_plan.slug}: {self.get_state_display()}"
