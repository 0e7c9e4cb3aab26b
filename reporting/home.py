"""The home page. Staff and editors find the reporting round, their initiatives and the
organisational priorities they lead, what is due from them and (editors) the review
queue; a board member finds a reader's page: the latest board update, the reports, what
is coming. The plan and the quarter follow the open reporting round, never the calendar
date."""

from django.db.models import F
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from civicplan.permissions import can_read, is_editor, require, sees_only_approved
from initiatives.models import OrganisationalUpdate, ReviewState, StatusUpdate
from initiatives.querysets import initiatives_with_tracking, organisational_with_tracking
from initiatives.rounds import is_written
from priorities.models import Event
from priorities.querysets import current_plan, plan_with_quarters, reporting_quarter

from .models import BoardMeeting, BoardUpdate


def _events_from(plan, number: int):
    return list(
        Event.objects.filter(annual_plan=plan, quarter__number__gte=number)
        .select_related("quarter")
        .order_by("quarter__number", F("start_date").asc(nulls_last=True), "title")[:8]
    )


@require_safe
def dashboard(request):
    require(can_read(request.user))
    plan = current_plan()
    if plan is None:
        return render(request, "reporting/dashboard.html", {"plan": None})
    plan = plan_with_quarters(plan.slug)
    quarters = list(plan.quarters.all())
    quarter = reporting_quarter(quarters)
    if sees_only_approved(request.user):
        return _board_home(request, plan, quarters, quarter)
    round_ = quarter.reporting_round
    chosen = request.GET.get("quarter", "")
    shown = next((q for q in quarters if str(q.number) == chosen), quarter)

    mine = list(
        initiatives_with_tracking(request.user)
        .filter(priority__annual_plan=plan, memberships__user=request.user)
        .distinct()
        .order_by("priority__number", "number")
    )
    led = list(
        organisational_with_tracking(request.user)
        .filter(annual_plan=plan, leadership__user=request.user)
        .order_by("number")
    )
    things = [
        (
            f"{i.code} {i.title}",
            i.get_absolute_url(),
            reverse("initiatives:update", args=[i.pk, shown.number]),
            i.status_updates,
        )
        for i in mine
    ] + [
        (
            p.title,
            reverse("initiatives:organisational", args=[plan.slug, p.area]),
            reverse("initiatives:organisational_update", args=[plan.slug, p.area, shown.number]),
            p.updates,
        )
        for p in led
    ]
    rows, due = [], []
    asking = round_ is not None and round_.is_open and shown == quarter and not shown.locked
    for label, page, form, updates in things:
        by_quarter = {u.quarter.number: u for u in updates.all()}
        this = by_quarter.get(shown.number)
        # by_quarter: (quarter, its update or None), for a cell that names its quarter (on a phone).
        cells = [(q, by_quarter.get(q.number)) for q in quarters]
        rows.append({"label": label, "page": page, "form": form, "by_quarter": cells})
        if asking and not is_written(this):
            due.append({"label": label, "form": form, "update": this})
    review_queue = []
    if is_editor(request.user):
        submitted = {"quarter__annual_plan": plan, "review_state": ReviewState.SUBMITTED}
        review_queue = list(
            StatusUpdate.objects.filter(**submitted)
            .select_related("initiative__priority", "quarter", "author")
            .order_by("quarter__number", "initiative__priority__number", "initiative__number")
        ) + list(
            OrganisationalUpdate.objects.filter(**submitted)
            .select_related("organisational_priority__annual_plan", "quarter", "author")
            .order_by("quarter__number", "organisational_priority__number")
        )
    board_update = (
        BoardUpdate.objects.filter(quarter=shown, state=BoardUpdate.State.PUBLISHED).only("pk", "published_at").first()
    )
    return render(
        request,
        "reporting/dashboard.html",
        {
            "board_update": board_update,
            "plan": plan,
            "quarters": quarters,
            "quarter": shown,
            "round": round_,
            "round_quarter": quarter,
            "asking": asking,
            "overdue": asking and round_.is_past_due(timezone.localdate()),
            "rows": rows,
            "due": due,
            "review_queue": review_queue,
            "events": _events_from(plan, shown.number),
            "editor": is_editor(request.user),
        },
    )


def _board_home(request, plan, quarters, quarter):
    """The board's home: what they read, nothing about "my work"."""
    published = list(
        BoardUpdate.objects.filter(quarter__annual_plan=plan, state=BoardUpdate.State.PUBLISHED)
        .select_related("quarter", "published_by")
        .defer("html", "pdf")
        .order_by("-quarter__number")
    )
    reported = [q for q in quarters if q.reporting_round is not None]
    next_meeting, last_meeting = board_meetings_for(plan, quarter)
    return render(
        request,
        "reporting/board_home.html",
        {
            "plan": plan,
            "quarter": quarter,
            "latest": published[0] if published else None,
            "published": published,
            "reported": reported,
            "events": _events_from(plan, quarter.number),
            "next_meeting": next_meeting,
            "last_meeting": last_meeting,
        },
    )


def board_meetings_for(plan, quarter) -> tuple[BoardMeeting | None, BoardMeeting | None]:
    """(next, last) of the plan's board meetings, from what is recorded and the reporting
    round, never the calendar date (one query). A quarter is reviewed by the board after its
    round, so the next meeting is the first by date of those that review the quarter being
    reported on (the open round's, else the last round's) or a later one; the last is the
    latest by date of those that review an earlier quarter. Either may be None."""
    meetings = list(
        BoardMeeting.objects.filter(annual_plan=plan).select_related("quarter", "priority").order_by("date", "pk")
    )
    upcoming = [meeting for meeting in meetings if meeting.quarter.number >= quarter.number]
    past = [meeting for meeting in meetings if meeting.quarter.number < quarter.number]
    return (upcoming[0] if upcoming else None), (past[-1] if past else None)
