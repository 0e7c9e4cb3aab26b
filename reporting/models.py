"""Board updates: the Secretary-General's update to the board, written by an editor and,
once published, frozen: the HTML and the PDF the board received are stored with their
SHA-256 and served byte for byte from then on, whatever happens to the plan later."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from priorities.models import AnnualPlan, Quarter


class BoardUpdate(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    annual_plan = models.ForeignKey(
        AnnualPlan, on_delete=models.PROTECT, related_name="board_updates", verbose_name=_("annual plan")
    )
    quarter = models.OneToOneField(
        Quarter, on_delete=models.PROTECT, related_name="board_update", verbose_name=_("quarter")
    )
    message = models.TextField(_("message"), help_text=_("The Secretary-General's message to the board."))
    highlights = models.TextField(_("highlights"), blank=True, help_text=_("One highlight per line."))
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
    # Set once, by publishing.
    since_quarter = models.PositiveSmallIntegerField(
        _("compared with quarter"),
        null=True,
        blank=True,
        help_text=_("The quarter that “what changed” was computed against."),
    )
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

    history = HistoricalRecords(excluded_fields=["html", "pdf"])

    class Meta:
        verbose_name = _("board update")
        verbose_name_plural = _("board updates")
        ordering = ["annual_plan", "quarter__number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state__in=["draft", "published"]), name="boardupdate_state_valid"
            ),
            # A published update has everything a reader needs to check it.
            models.CheckConstraint(
                condition=models.Q(state="draft")
                | (
                    models.Q(published_at__isnull=False, published_by__isnull=False)
                    & ~models.Q(html="")
                    & ~models.Q(html_sha256="")
                    & ~models.Q(pdf_sha256="")
                    & ~models.Q(fingerprint="")
                ),
                name="boardupdate_published_is_complete",
            ),
        ]

    def __str__(self):
        return f"{self.annual_plan.slug} {self.quarter.code}: {self.get_state_display()}"

    @property
    def published(self) -> bool:
        return self.state == self.State.PUBLISHED

    @property
    def highlight_list(self) -> list[str]:
        return [line.strip() for line in self.highlights.splitlines() if line.strip()]
