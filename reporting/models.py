"""What editors write for the board and publish: board updates (the Secretary-General's
update, one a quarter) and the annual report's lessons learned. Once published, either is
frozen: the HTML and the PDF as they read at that moment are stored with their SHA-256 and
served byte for byte from then on, whatever happens to the plan later. And the board's
meetings, with their agenda, which editors record."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from civicplan.translations import Text, translated
from civicplan.validators import plain_text
from priorities.models import TITLE_MAX, AnnualPlan, Quarter, StrategicPriority, max_length_check


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

    def frozen_in(self, language: str):
        """The files a reader of ``language`` is served: those the publication froze in that
        language (a ``FrozenDocument``), else the ones it was published in (this record's
        own: ``language`` is the publication's, or a publication made before every language
        was frozen)."""
        if language == self.language:
            return self
        return self.translations.filter(language=language).first() or self


class BoardUpdate(Published):
    annual_plan = models.ForeignKey(
        AnnualPlan, on_delete=models.PROTECT, related_name="board_updates", verbose_name=_("annual plan")
    )
    quarter = models.OneToOneField(
        Quarter, on_delete=models.PROTECT, related_name="board_update", verbose_name=_("quarter")
    )
    message = models.TextField(
        _("message"), help_text=_("The Secretary-General's message to the board."), validators=plain_text()
    )
    highlights = models.TextField(
        _("highlights"), blank=True, help_text=_("One highlight per line."), validators=plain_text()
    )
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
    def highlight_list(self) -> list[Text]:
        """The highlights, one a line, in the reader's language (or the default one, marked)."""
        highlights = translated(self, "highlights")
        return [Text(line.strip(), highlights.language) for line in highlights.splitlines() if line.strip()]


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
        validators=plain_text(),
    )

    history = HistoricalRecords(excluded_fields=["html", "pdf"])

    class Meta(Published.Meta):
        verbose_name = _("annual report")
        verbose_name_plural = _("annual reports")
        ordering = ["annual_plan__start_date"]

    def __str__(self):
        return f"{self.annual_plan.slug}: {self.get_state_display()}"


class FrozenDocument(models.Model):
    """A published board update or annual report in another of the site's languages than
    the one it was published in (``Published.language``): frozen by the same publication,
    at the same moment, and served byte for byte to the readers of that language."""

    board_update = models.ForeignKey(
        BoardUpdate, on_delete=models.PROTECT, null=True, blank=True, related_name="translations"
    )
    annual_review = models.ForeignKey(
        AnnualReview, on_delete=models.PROTECT, null=True, blank=True, related_name="translations"
    )
    language = models.CharField(_("language"), max_length=10)
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    html = models.TextField(_("HTML as published"))
    html_sha256 = models.CharField(_("SHA-256 of the HTML"), max_length=64)
    pdf = models.BinaryField(_("PDF as published"))
    pdf_sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64)

    class Meta:
        verbose_name = _("published document in another language")
        verbose_name_plural = _("published documents in other languages")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(board_update__isnull=False, annual_review__isnull=True)
                | models.Q(board_update__isnull=True, annual_review__isnull=False),
                name="frozendocument_of_one_publication",
            ),
            models.UniqueConstraint(fields=["board_update", "language"], name="frozendocument_board_update_language"),
            models.UniqueConstraint(fields=["annual_review", "language"], name="frozendocument_annual_review_language"),
        ]

    def __str__(self):
        return f"{self.board_update or self.annual_review} ({self.language})"


# Board meetings ---------------------------------------------------------------------------

AGENDA_MAX = 30  # items on one meeting's agenda
PLACE_MAX = 200
PRESENTER_MAX = 150


class BoardMeeting(models.Model):
    """A meeting of the board: the quarter it reviews (whose published board update opens
    its pack) and the strategic priority it discusses in depth, as the plan asks ("une
    discussion plus détaillée de chaque objectif dans les ordres du jour des réunions du
    Conseil d'administration"), with its agenda (``AgendaItem``). Written by editors, through
    reporting/meetings.py ``board_meeting_save`` on the site and the same rules in the admin."""

    annual_plan = models.ForeignKey(
        AnnualPlan, on_delete=models.PROTECT, related_name="board_meetings", verbose_name=_("annual plan")
    )
    date = models.DateField(_("date"))
    title = models.CharField(
        _("title"),
        max_length=TITLE_MAX,
        validators=plain_text(),
        help_text=_("As the invitation names it, for example “Board meeting, November 2022”."),
    )
    place = models.CharField(
        _("place"),
        max_length=PLACE_MAX,
        blank=True,
        validators=plain_text(),
        help_text=_("A city, a room or “online”; leave empty if it is not decided."),
    )
    quarter = models.ForeignKey(
        Quarter,
        on_delete=models.PROTECT,
        related_name="board_meetings",
        verbose_name=_("quarter reviewed"),
        help_text=_("Its published board update opens the meeting's pack."),
    )
    priority = models.ForeignKey(
        StrategicPriority,
        on_delete=models.PROTECT,
        related_name="board_meetings",
        verbose_name=_("strategic priority in depth"),
        help_text=_("The priority the board discusses in depth at this meeting."),
    )
    version = models.PositiveIntegerField(
        _("version"), default=1, help_text=_("Raised by every save, so that a concurrent edit is detected.")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("board meeting")
        verbose_name_plural = _("board meetings")
        ordering = ["annual_plan", "date", "pk"]
        constraints = [
            max_length_check("title", TITLE_MAX, "board_meeting_title_length"),
            max_length_check("place", PLACE_MAX, "board_meeting_place_length"),
        ]

    def __str__(self):
        return f"{self.date.isoformat()} {self.title}"

    def clean(self):
        """The quarter and the priority are the meeting's plan's; a meeting cannot review a
        quarter that has not begun by its date."""
        errors = {}
        quarter = self.quarter if self.quarter_id else None
        if self.annual_plan_id and quarter is not None and quarter.annual_plan_id != self.annual_plan_id:
            errors["quarter"] = _("The quarter belongs to another annual plan.")
        if self.annual_plan_id and self.priority_id and self.priority.annual_plan_id != self.annual_plan_id:
            errors["priority"] = _("The priority belongs to another annual plan.")
        if quarter is not None and "quarter" not in errors and self.date and self.date < quarter.start_date:
            errors["date"] = _(
                "The meeting is on %(day)s, before %(quarter)s begins (%(start)s): it cannot review it."
            ) % {
                "day": self.date.isoformat(),
                "quarter": quarter.code,
                "start": quarter.start_date.isoformat(),
            }
        if errors:
            raise ValidationError(errors)


class AgendaItem(models.Model):
    """One item of a board meeting's agenda, in its place (``order``: 1, 2, 3...)."""

    meeting = models.ForeignKey(
        BoardMeeting, on_delete=models.CASCADE, related_name="agenda_items", verbose_name=_("board meeting")
    )
    order = models.PositiveSmallIntegerField(
        _("order"), validators=[MinValueValidator(1)], help_text=_("Its place on the agenda: 1 comes first.")
    )
    title = models.CharField(_("item"), max_length=TITLE_MAX, validators=plain_text())
    presenter = models.CharField(_("presented by"), max_length=PRESENTER_MAX, blank=True, validators=plain_text())
    notes = models.TextField(_("notes"), blank=True, validators=plain_text())

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        # Two items never share a place once saved (the service numbers them 1, 2, 3...);
        # the id keeps the order stable while an admin form is being saved.
        ordering = ["meeting", "order", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(order__gte=1), name="agenda_item_order_positive"),
            max_length_check("title", TITLE_MAX, "agenda_item_title_length"),
            max_length_check("presenter", PRESENTER_MAX, "agenda_item_presenter_length"),
        ]

    def __str__(self):
        return f"{self.order}. {self.title}"


class ReportFile(models.Model):
    """A report document (a PDF, a workbook) made once for one version of the data
    (civicplan.versions) and served to every reader after the first (reporting.stored).

    ``document`` names what it is: the report, its plan and quarter, the language and the
    audience (``quarterly-pdf/2022-23/q3/fr/readers``); with ``version``, the data it was
    made from. While it is being made its state says so, and other readers wait for it
    rather than make it a second time; a failure is kept, with its reason, until the next
    attempt."""

    class State(models.TextChoices):
        PREPARING = "preparing", _("being prepared")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    document = models.CharField(max_length=200)
    version = models.CharField(max_length=80)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PREPARING)
    content = models.BinaryField(default=b"", editable=False)
    sha256 = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    started_at = models.DateTimeField()
    made_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("stored report")
        verbose_name_plural = _("stored reports")
        constraints = [models.UniqueConstraint(fields=["document", "version"], name="report_file_once_per_version")]

    def __str__(self):
        return f"{self.document} ({self.state})"
