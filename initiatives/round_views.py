"""A quarter's reporting round: its state and completion tracker, read by every role;
opened, re-dated, closed and reminded by editors (refused with 403 to anyone else)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from civicplan.permissions import can_read, is_editor, require
from priorities.forms import DateInput
from priorities.querysets import plan_with_quarters

from . import reminders, rounds
from .models import ReviewState


class DueDateForm(forms.Form):
    due_date = forms.DateField(label=gettext_lazy("Due date"), widget=DateInput())


class CloseForm(forms.Form):
    lock = forms.BooleanField(
        label=gettext_lazy("Lock the quarter too (its report has gone out: no more changes)"), required=False
    )
    reason = forms.CharField(label=gettext_lazy("Why (recorded with the lock)"), required=False, max_length=500)


STATE_LABELS = {
    rounds.MISSING: gettext_lazy("Missing"),
    ReviewState.DRAFT: gettext_lazy("Draft"),
    ReviewState.RETURNED: gettext_lazy("Returned"),
    ReviewState.SUBMITTED: gettext_lazy("Submitted"),
    ReviewState.APPROVED: gettext_lazy("Approved"),
}


def _quarter(slug: str, number: int):
    plan = plan_with_quarters(slug)
    quarter = next((q for q in plan.quarters.all() if q.number == number), None)
    if quarter is None:
        raise Http404
    return plan, quarter


def _act(request, quarter) -> tuple[str | None, list[str], object]:
    """Do the editor's action; (what was done, the errors, the form to show again)."""
    action = request.POST.get("action")
    round_ = quarter.reporting_round
    if action in ("open", "due"):
        form = DueDateForm(request.POST)
        if not form.is_valid():
            return None, [], form
        due = form.cleaned_data["due_date"]
        if action == "open":
            rounds.round_open(user=request.user, quarter=quarter, due_date=due)
            return _("The %(quarter)s round is open.") % {"quarter": quarter.code}, [], None
        if round_ is None:
            raise ValidationError(_("The %(quarter)s round is not open.") % {"quarter": quarter.code})
        rounds.round_change_due_date(user=request.user, round_=round_, due_date=due)
        return _("The due date is changed."), [], None
    if action == "close":
        if round_ is None:
            raise ValidationError(_("The %(quarter)s round is not open.") % {"quarter": quarter.code})
        form = CloseForm(request.POST)
        if not form.is_valid():
            raise ValidationError([error for errors in form.errors.values() for error in errors])
        lock = form.cleaned_data["lock"]
        rounds.round_close(user=request.user, round_=round_, lock=lock, reason=form.cleaned_data["reason"])
        if lock:
            return _("The %(quarter)s round is closed and the quarter locked.") % {"quarter": quarter.code}, [], None
        return _("The %(quarter)s round is closed.") % {"quarter": quarter.code}, [], None
    if action == "remind":
        if round_ is None or not round_.is_open or quarter.locked:
            raise ValidationError(_("Reminders are sent for an open round only."))
        found = reminders.reminders_for(plan=quarter.annual_plan, quarter=quarter)
        sent = reminders.send(found, today=timezone.localdate())
        done = ngettext("%(count)d reminder sent.", "%(count)d reminders sent.", sent) % {"count": sent}
        skipped = [
            _("%(user)s was not reminded (%(reason)s).") % {"user": r.lead.username, "reason": why}
            for r, why in found.skipped
        ]
        return done, skipped, None
    raise ValidationError(_("Unknown action."))


@require_http_methods(["GET", "HEAD", "POST"])
def round_detail(request, slug: str, number: int):
    """The round of quarter ``number``: open or closed, its due date, who opened and closed
    it, and the tracker of every update, initiatives' and organisational priorities'. The
    same number of queries whatever the plan's size (tests/initiatives/test_rounds.py; a
    row in make bench)."""
    require(can_read(request.user))
    plan, quarter = _quarter(slug, number)
    editor = is_editor(request.user)
    bound = None
    if request.method == "POST":
        require(editor)
        try:
            done, warnings, bound = _act(request, quarter)
        except ValidationError as error:
            done, warnings = None, []
            for message in error.messages:
                messages.error(request, message)
        if bound is None:
            if done:
                messages.success(request, done)
            for warning in warnings:
                messages.warning(request, warning)
            return redirect("initiatives:round", slug, number)
    state = request.GET.get("state", "")
    if state not in STATE_LABELS:
        state = ""
    priority = request.GET.get("priority", "")
    if priority != rounds.ORGANISATIONAL:
        priority = int(priority) if priority.isascii() and priority.isdigit() and len(priority) < 3 else None
    round_ = quarter.reporting_round
    found = reminders.owed(plan=plan, quarter=quarter)
    today = timezone.localdate()
    board = rounds.tracker(found, round_=round_, today=today, state=state, priority=priority)
    open_elsewhere = next(
        (q for q in plan.quarters.all() if q != quarter and q.reporting_round and q.reporting_round.is_open), None
    )
    due_form = (
        bound
        if isinstance(bound, DueDateForm)
        else DueDateForm(initial={"due_date": round_.due_date if round_ else None})
    )
    return render(
        request,
        "initiatives/round.html",
        {
            "plan": plan,
            "quarter": quarter,
            "round": round_,
            "editor": editor,
            "tracker": board,
            "states": [
                (key, label, board.counts.by_state.get(key, 0), board.counts.percent(key))
                for key, label in STATE_LABELS.items()
            ],
            "state_labels": STATE_LABELS,
            "priorities": list({i.group.pk: i.group for i in found if i.group is not None}.values()),
            "has_organisational": any(i.group is None for i in found),
            "organisational": rounds.ORGANISATIONAL,
            "chosen_state": state,
            "chosen_priority": priority,
            "open_elsewhere": open_elsewhere,
            "due_form": due_form,
            "close_form": CloseForm(),
            "overdue": round_ is not None and round_.is_past_due(today),
        },
        status=400 if bound is not None else 200,
    )
