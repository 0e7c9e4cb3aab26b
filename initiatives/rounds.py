"""Reporting rounds: an editor opens a quarter's round with a due date, may change the
date, and closes it (locking the quarter if asked). Each write checks who may do it,
validates, and writes in one transaction; the round's history (django-simple-history)
records who did what and when.

Rules (refused with a message, nothing written): a locked quarter's round is not opened;
a plan has at most one open round (the database holds it too); the due date falls
between the quarter's first day and the end of the quarter after the plan's year.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicplan.editing import require_editor
from priorities.models import AnnualPlan, Quarter, ReportingRound

from .models import ReviewedUpdate, ReviewState
from .services import quarter_lock


def _with_user(round_: ReportingRound, user) -> ReportingRound:
    round_._history_user = user  # the history's "by", on every path (commands too)
    return round_


@transaction.atomic
def round_open(*, user, quarter: Quarter, due_date) -> ReportingRound:
    """Open the quarter's round (or open it again once closed), due on ``due_date``."""
    require_editor(user)
    # The plan's row is the queue: two editors opening rounds of one plan go one at a time.
    AnnualPlan.objects.select_for_update().get(pk=quarter.annual_plan_id)
    quarter = Quarter.objects.select_related("annual_plan", "lock").get(pk=quarter.pk)
    if quarter.locked:
        raise ValidationError(
            _("%(quarter)s is locked: unlock it before opening its round.") % {"quarter": quarter.code}
        )
    other = (
        ReportingRound.objects.filter(annual_plan=quarter.annual_plan_id, closed_at__isnull=True)
        .select_related("quarter")
        .first()
    )
    if other is not None:
        if other.quarter_id == quarter.pk:
            raise ValidationError(_("The %(quarter)s round is open already.") % {"quarter": quarter.code})
        raise ValidationError(
            _("The %(other)s round is open: close it before opening the %(quarter)s round.")
            % {"other": other.quarter.code, "quarter": quarter.code}
        )
    round_ = ReportingRound.objects.filter(quarter=quarter).first() or ReportingRound(quarter=quarter)
    round_.quarter = quarter
    round_.due_date = due_date
    round_.opened_by, round_.opened_at = user, timezone.now()
    round_.closed_by, round_.closed_at = None, None
    round_.full_clean()
    _with_user(round_, user).save()
    return round_


@transaction.atomic
def round_change_due_date(*, user, round_: ReportingRound, due_date) -> ReportingRound:
    require_editor(user)
    round_ = (
        ReportingRound.objects.select_for_update(of=("self",)).select_related("quarter__annual_plan").get(pk=round_.pk)
    )
    if not round_.is_open:
        raise ValidationError(_("The %(quarter)s round is closed.") % {"quarter": round_.quarter.code})
    round_.due_date = due_date
    round_.full_clean()
    _with_user(round_, user).save()
    return round_


@transaction.atomic
def round_close(*, user, round_: ReportingRound, lock: bool, reason: str = "") -> ReportingRound:
    """Close the round; with ``lock``, lock its quarter too (as the plan page does)."""
    require_editor(user)
    round_ = ReportingRound.objects.select_for_update(of=("self",)).select_related("quarter__lock").get(pk=round_.pk)
    if not round_.is_open:
        raise ValidationError(_("The %(quarter)s round is closed already.") % {"quarter": round_.quarter.code})
    round_.closed_by, round_.closed_at = user, timezone.now()
    round_.full_clean()
    _with_user(round_, user).save()
    if lock and not round_.quarter.locked:
        quarter_lock(user=user, quarter=round_.quarter, reason=reason)
    return round_


# --- where a round stands ----------------------------------------------------------------

MISSING = "missing"
STATES = [MISSING, ReviewState.DRAFT, ReviewState.RETURNED, ReviewState.SUBMITTED, ReviewState.APPROVED]
# Written: nothing more is asked of the initiative's team (an editor may still review it).
WRITTEN = (ReviewState.SUBMITTED, ReviewState.APPROVED)


def state_of(update: ReviewedUpdate | None) -> str:
    """An update's state in a round; a revision of an approved update counts as approved
    (its readers have the approved text; the revision is the editors' business)."""
    if update is None:
        return MISSING
    return ReviewState.APPROVED if update.is_revision else update.review_state


def is_written(update: ReviewedUpdate | None) -> bool:
    """Nothing more is owed: submitted, approved, or a revision of an approved update."""
    return state_of(update) in WRITTEN


def is_overdue(round_: ReportingRound | None, state: str, today) -> bool:
    """Still owed after the due date: missing, a draft or returned, in an open round."""
    return round_ is not None and state not in WRITTEN and round_.is_past_due(today)


@dataclass
class Counts:
    total: int
    by_state: dict

    def percent(self, state: str) -> int:
        return round(100 * self.by_state.get(state, 0) / self.total) if self.total else 0

    @property
    def written(self) -> int:
        return sum(self.by_state.get(state, 0) for state in WRITTEN)

    @property
    def written_percent(self) -> int:
        return round(100 * self.written / self.total) if self.total else 0


def count_states(states: list[str]) -> Counts:
    return Counts(total=len(states), by_state={state: states.count(state) for state in STATES})


@dataclass
class TrackedGroup:
    """A strategic priority's rows, or (``priority`` None) the organisational priorities'."""

    priority: object
    rows: list
    counts: Counts


@dataclass
class Tracker:
    """Where each update of a quarter stands, by priority, with the counts."""

    priorities: list[TrackedGroup]
    counts: Counts
    overdue: int


ORGANISATIONAL = "organisation"  # the priority filter's value for the organisational priorities


def tracker(items: list, *, round_: ReportingRound | None, today, state: str = "", priority=None) -> Tracker:
    """The completion tracker of a quarter from :func:`initiatives.reminders.owed`'s items.
    ``state`` and ``priority`` (a strategic priority's number, or ``ORGANISATIONAL``) filter
    the rows shown; the counts are always the whole round's. Each row is the item with its
    ``state`` and ``overdue``."""
    groups: dict[object, list] = {}
    for item in items:
        item.state = state_of(item.update)
        item.overdue = is_overdue(round_, item.state, today)
        groups.setdefault(item.group, []).append(item)
    shown_groups = []
    for owner, rows in groups.items():
        key = owner.number if owner is not None else ORGANISATIONAL
        shown = [r for r in rows if (not state or r.state == state) and (priority is None or key == priority)]
        if shown:
            shown_groups.append(TrackedGroup(owner, shown, count_states([r.state for r in rows])))
    return Tracker(shown_groups, count_states([i.state for i in items]), sum(i.overdue for i in items))
