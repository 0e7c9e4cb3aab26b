"""Background work: report files prepared ahead of their readers (reporting.stored).

After an approval, a lock or a round's end (``connect``), the quarter's report PDF and the
annual report's, in every language, are prepared by a worker (``manage.py db_worker``), so
that the first reader is served a stored file too. A task that finds its file made, or
being made, for the version of the data it reads does nothing: a run of twenty approvals
costs one making, by the first task that runs after them.
"""

import logging
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone
from django_tasks import task

from initiatives.models import ReviewState
from priorities.models import Quarter

from . import files, stored

logger = logging.getLogger(__name__)

# Approvals come in runs: the task waits that long, so that it reads the run's last one.
SETTLE = timedelta(seconds=30)


@task()
def prepare_reports(quarter_id: int) -> None:
    quarter = Quarter.objects.select_related("annual_plan__strategic_plan").filter(pk=quarter_id).first()
    if quarter is None:
        return
    plan, number = quarter.annual_plan, quarter.number
    for language, _name in settings.LANGUAGES:
        stored.prepare(
            files.quarterly_pdf(plan.slug, number, language), partial(files.make_quarterly_pdf, plan, number, language)
        )
        stored.prepare(files.annual_pdf(plan, language, None), partial(files.make_annual_pdf, plan, language, None))


def enqueue(quarter_id: int) -> None:
    """Prepare the quarter's reports once the current transaction commits (and a little later)."""

    def send():
        try:
            prepare_reports.using(run_after=timezone.now() + SETTLE).enqueue(quarter_id)
        except Exception:  # the reports are made on first reading anyway
            logger.exception("The reports of quarter %s could not be queued", quarter_id)

    transaction.on_commit(send)


def _approved(sender, instance, raw=False, **kwargs):
    if not raw and instance.review_state == ReviewState.APPROVED:
        enqueue(instance.quarter_id)


def _locked(sender, instance, raw=False, **kwargs):
    if not raw:
        enqueue(instance.quarter_id)


def _round_closed(sender, instance, raw=False, **kwargs):
    if not raw and instance.closed_at is not None:
        enqueue(instance.quarter_id)


def connect() -> None:
    """ReportingConfig.ready: what makes the reports worth preparing."""
    from initiatives.models import OrganisationalUpdate, StatusUpdate
    from priorities.models import QuarterLock, ReportingRound

    for model in (StatusUpdate, OrganisationalUpdate):
        post_save.connect(_approved, sender=model, dispatch_uid=f"reporting.tasks.approved.{model.__name__}")
    post_save.connect(_locked, sender=QuarterLock, dispatch_uid="reporting.tasks.locked")
    post_save.connect(_round_closed, sender=ReportingRound, dispatch_uid="reporting.tasks.round_closed")
