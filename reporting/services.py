"""Writes of the reporting app: board updates, drafted then published (frozen)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from civicplan.permissions import is_editor, require
from priorities.models import AnnualPlan, Quarter

from . import documents
from .builders import build_quarterly_report, changes_since
from .models import BoardUpdate
from .pdf import render_pdf


class AlreadyPublished(ValidationError):
    def __init__(self):
        super().__init__(_("This board update is published: it can no longer change."))


def board_update_save(*, user, quarter: Quarter, message: str, highlights: str = "") -> BoardUpdate:
    """Create or change the draft board update of ``quarter``."""
    require(is_editor(user))
    with transaction.atomic():
        update = BoardUpdate.objects.select_for_update().filter(quarter=quarter).first()
        if update is None:
            update = BoardUpdate(annual_plan_id=quarter.annual_plan_id, quarter=quarter, author=user)
        elif update.published:
            raise AlreadyPublished()
        update.message = message
        update.highlights = highlights
        update.full_clean()
        update.save()
    return update


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
    body = render_to_string("reporting/_board_body.html", context)
    fingerprint = documents.sha256(body)
    title = _("Board update, %(quarter)s %(plan)s") % {"quarter": report.quarter.code, "plan": report.plan_title}
    # The footer of every page: who published it and its fingerprint; a preview says draft.
    context |= {"fingerprint": fingerprint} if update.published else {"draft": True}
    return fingerprint, documents.document("reporting/_board_body.html", context, title=title, running_title=title)


def board_update_publish(*, user, update: BoardUpdate, plan: AnnualPlan) -> BoardUpdate:
    """Freeze the update: store the HTML and the PDF as delivered, with their SHA-256."""
    require(is_editor(user))
    with transaction.atomic():
        update = BoardUpdate.objects.select_for_update().select_related("quarter").get(pk=update.pk)
        if update.published:
            raise AlreadyPublished()
        update.since_quarter = previous_board_quarter(plan, update.quarter.number)
        update.state = BoardUpdate.State.PUBLISHED
        update.published_at = timezone.now()
        update.published_by = user
        update.language = translation.get_language()
        update.fingerprint, update.html = board_update_documents(update, plan)
        update.pdf = render_pdf(update.html)
        update.html_sha256 = documents.sha256(update.html)
        update.pdf_sha256 = documents.sha256(update.pdf)
        update.full_clean()
        update.save()
    return update
