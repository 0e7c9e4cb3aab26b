"""Writes of the reporting app: what editors write and publish for the board (board updates,
the annual report's lessons learned), drafted then published (frozen)."""

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from civicplan.editing import editable
from civicplan.permissions import is_editor, require
from civicplan.translations import in_each_language
from priorities.models import AnnualPlan, Quarter

from . import documents
from .builders import build_annual_report, build_quarterly_report, changes_since
from .models import AnnualReview, BoardUpdate, Published
from .pdf import render_pdf

ANNUAL_BODY = "reporting/_annual_body.html"
T = TypeVar("T", bound=Published)


class AlreadyPublished(ValidationError):
    def __init__(self, record: Published):
        if isinstance(record, AnnualReview):
            message = _("This annual report is published: it can no longer change.")
        else:
            message = _("This board update is published: it can no longer change.")
        super().__init__(message)


def _save_draft(model: type[T], *, user, where: dict, text: dict) -> T:
    """Create (with ``where``) or change the draft ``model`` record found by ``where``: its
    ``text`` fields, validated. A published record is refused."""
    require(is_editor(user))
    with transaction.atomic():
        record = model.objects.select_for_update().filter(**where).first()
        if record is None:
            record = model(**where, author=user)
        elif record.published:
            raise AlreadyPublished(record)
        for name, value in text.items():
            setattr(record, name, value)
        record.full_clean()
        record.save()
    return record


def publication_language(language: str | None) -> str:
    """The language a document is published in: one of settings.LANGUAGES, the site's own
    (LANGUAGE_CODE) when none is given; never whatever the publisher's browser asked for."""
    if language is None:
        language = settings.LANGUAGE_CODE
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("Choose the language to publish in."), code="language")
    return language


def _publish(record: T, *, user, language: str | None, render: Callable[[T], tuple[str, str]]) -> T:
    """Freeze ``record`` in ``language``, and in each other language of the site as its
    ``translations``: ``render(record)``, called in a language once the record is marked
    published and locked, gives its (fingerprint, HTML document) as it reads now; that HTML,
    its PDF and their SHA-256 are stored and never change again. Publishing twice is
    refused."""
    require(is_editor(user))
    language = publication_language(language)
    with transaction.atomic():
        record = type(record).objects.select_for_update().get(pk=record.pk)
        if record.published:
            raise AlreadyPublished(record)
        record.state = record.State.PUBLISHED
        record.published_at = timezone.now()
        record.published_by = user
        record.language = language
        record.fingerprint, record.html, record.pdf = _frozen_files(record, language, render)
        record.html_sha256 = documents.sha256(record.html)
        record.pdf_sha256 = documents.sha256(record.pdf)
        record.full_clean()
        record.save()
        # The same publication in each other language of the site, each its own document.
        for other, _name in settings.LANGUAGES:
            if other != language:
                fingerprint, html, pdf = _frozen_files(record, other, render)
                record.translations.create(
                    language=other,
                    fingerprint=fingerprint,
                    html=html,
                    html_sha256=documents.sha256(html),
                    pdf=pdf,
                    pdf_sha256=documents.sha256(pdf),
                )
    return record


def _frozen_files(record: T, language: str, render: Callable[[T], tuple[str, str]]) -> tuple[str, str, bytes]:
    """(fingerprint, HTML, PDF) of ``record`` as it reads now in ``language``."""
    with translation.override(language):
        fingerprint, html = render(record)
        return fingerprint, html, render_pdf(html)


def _frozen_document(record: Published, body_template: str, context: dict, *, title: str) -> tuple[str, str]:
    """(fingerprint, standalone HTML document) of what ``record`` publishes: the fingerprint
    is the SHA-256 of the body, printed in the footer of every page with who published it;
    a draft's footer says it is one."""
    fingerprint = documents.sha256(render_to_string(body_template, context))
    # document.html's footer names the publisher of ``update``: whatever the record is.
    context |= {"update": record, "fingerprint": fingerprint} if record.published else {"draft": True}
    return fingerprint, documents.document(body_template, context, title=title, running_title=title)


# Board updates ----------------------------------------------------------------------------


BOARD_UPDATE_TEXTS = in_each_language("message", "highlights")
ANNUAL_REVIEW_TEXTS = in_each_language("lessons")


def board_update_save(*, user, quarter: Quarter, **texts: str) -> BoardUpdate:
    """Create or change the draft board update of ``quarter``; ``texts``: its message and
    highlights in each language (``message_fr``, ``message_en``, ``highlights_fr``...)."""
    return _save_draft(
        BoardUpdate,
        user=user,
        where={"annual_plan_id": quarter.annual_plan_id, "quarter": quarter},
        text=editable(BoardUpdate, texts, BOARD_UPDATE_TEXTS),
    )


def previous_board_quarter(plan: AnnualPlan, quarter: int) -> int | None:
    """The quarter "what changed" is measured from: that of the last published board update
    before this one, else the quarter before (none for Q1)."""
    earlier = (
        BoardUpdate.objects.filter(annual_plan=plan, state=BoardUpdate.State.PUBLISHED, quarter__number__lt=quarter)
        .order_by("-quarter__number")
        .values_list("quarter__number", flat=True)
        .first()
    )
    return earlier if earlier is not None else (quarter - 1 if quarter > 1 else None)


def board_update_context(update: BoardUpdate, plan: AnnualPlan) -> dict:
    """What the board update's body shows: the update, the quarter's report and what changed
    since the quarter it is compared with (fixed at publication, else computed now)."""
    since = update.since_quarter if update.published else previous_board_quarter(plan, update.quarter.number)
    report = build_quarterly_report(plan, update.quarter.number)
    return documents.board_context(update, report, changes_since(report, since))


def board_update_documents(update: BoardUpdate, plan: AnnualPlan) -> tuple[str, str]:
    """(fingerprint, HTML document) of ``update`` as it reads now."""
    context = board_update_context(update, plan)
    report = context["report"]
    title = _("Board update, %(quarter)s %(plan)s") % {"quarter": report.quarter.code, "plan": report.plan_title}
    return _frozen_document(update, "reporting/_board_body.html", context, title=title)


def board_update_publish(*, user, update: BoardUpdate, plan: AnnualPlan, language: str | None = None) -> BoardUpdate:
    """Freeze the update in ``language`` (the site's by default): store the HTML and the PDF
    as delivered, with their SHA-256."""

    def render(update: BoardUpdate) -> tuple[str, str]:
        # What "what changed" compares with is fixed now, under the lock.
        update.since_quarter = previous_board_quarter(plan, update.quarter.number)
        return board_update_documents(update, plan)

    return _publish(update, user=user, language=language, render=render)


# The annual report ------------------------------------------------------------------------


def annual_review_save(*, user, plan: AnnualPlan, **texts: str) -> AnnualReview:
    """Create or change the draft lessons learned of ``plan``'s annual report; ``texts``: the
    lessons in each language (``lessons_fr``, ``lessons_en``)."""
    return _save_draft(
        AnnualReview, user=user, where={"annual_plan": plan}, text=editable(AnnualReview, texts, ANNUAL_REVIEW_TEXTS)
    )


def _annual_report(plan: AnnualPlan, lessons: AnnualReview | None) -> tuple[dict, str]:
    """The annual report's body context, with ``lessons`` (None: none shown), and its title."""
    annual = build_annual_report(plan)
    title = _("%(plan)s: annual report") % {"plan": annual.year.plan_title}
    return documents.annual_context(annual, lessons), title


def annual_report_document(plan: AnnualPlan, lessons: AnnualReview | None) -> str:
    """The annual report as it reads now, as a standalone document (what its PDF is made
    from until it is published)."""
    context, title = _annual_report(plan, lessons)
    return documents.document(ANNUAL_BODY, context, title=title, running_title=title)


def annual_review_publish(*, user, review: AnnualReview, plan: AnnualPlan, language: str | None = None) -> AnnualReview:
    """Freeze the annual report with its lessons learned in ``language`` (the site's by
    default): store its HTML and its PDF as they read now, with their SHA-256."""

    def render(review: AnnualReview) -> tuple[str, str]:
        context, title = _annual_report(plan, review)
        return _frozen_document(review, ANNUAL_BODY, context, title=title)

    return _publish(review, user=user, language=language, render=render)
