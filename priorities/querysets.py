"""Reads of the plan: one function per screen, each a fixed number of queries."""

from django.db.models import Exists, F, Max, OuterRef, Prefetch, Subquery
from django.shortcuts import get_object_or_404

from .models import AnnualPlan, Event, ExpectedResult, Quarter, ReportingRound, StrategicPriority


def current_plan() -> AnnualPlan | None:
    """The plan being reported on: the one whose round is open, else the one whose round
    was opened last, else the latest plan. Never the calendar date: a demo's year is long
    past, and an organisation reports on a quarter after it has ended. One query."""
    open_round = ReportingRound.objects.filter(annual_plan=OuterRef("pk"), closed_at__isnull=True)
    return (
        AnnualPlan.objects.select_related("strategic_plan")
        .annotate(has_open_round=Exists(open_round), last_opened=Max("rounds__opened_at"))
        .order_by(F("has_open_round").desc(), F("last_opened").desc(nulls_last=True), "-start_date")
        .first()
    )


def reporting_quarter(quarters: list[Quarter]) -> Quarter:
    """Of a plan's quarters (from :func:`plan_with_quarters`), the one reported on: the open
    round's, else the latest closed round's, else the first."""
    rounds = [q.reporting_round for q in quarters if q.reporting_round is not None]
    open_ = [r for r in rounds if r.is_open]
    if open_:
        return open_[0].quarter
    return max(rounds, key=lambda r: r.quarter.number).quarter if rounds else quarters[0]


# A plan's quarters with what every page says of them: locked, and the round's state.
QUARTERS = Quarter.objects.select_related("lock").order_by("number")


def plan_with_quarters(slug: str) -> AnnualPlan:
    return get_object_or_404(
        AnnualPlan.objects.select_related("strategic_plan").prefetch_related(
            Prefetch("quarters", queryset=QUARTERS.select_related("round__opened_by", "round__closed_by"))
        ),
        slug=slug,
    )


def calendar_events(plan: AnnualPlan):
    return list(
        Event.objects.filter(annual_plan=plan)
        .select_related("quarter", "priority", "initiative__priority")
        .order_by("quarter__number", F("start_date").asc(nulls_last=True), "title")
    )


def calendar_feed_events(plan: AnnualPlan):
    """The plan's dated events for the iCalendar feed, each with when it last changed
    (``last_changed``: None for an event never edited since it was loaded from a fixture)."""
    last_change = Event.history.filter(id=OuterRef("pk")).order_by("-history_date").values("history_date")[:1]
    return list(
        Event.objects.filter(annual_plan=plan, start_date__isnull=False)
        .select_related("priority", "initiative__priority")
        .annotate(last_changed=Subquery(last_change))
        .order_by("start_date", "title", "slug")
    )


def plan_event(plan: AnnualPlan, slug: str) -> Event:
    return get_object_or_404(
        Event.objects.select_related("quarter", "priority", "initiative__priority"), annual_plan=plan, slug=slug
    )


def plan_priority(slug: str, number: int) -> StrategicPriority:
    """A priority of a plan, with its plan (404 if there is none)."""
    return get_object_or_404(
        StrategicPriority.objects.select_related("annual_plan"), annual_plan__slug=slug, number=number
    )


def plan_result(slug: str, number: int, result: int) -> ExpectedResult:
    """An expected result of a plan's priority, with its priority and plan (404 if none)."""
    return get_object_or_404(
        ExpectedResult.objects.select_related("priority__annual_plan"),
        priority__annual_plan__slug=slug,
        priority__number=number,
        number=result,
    )


def plan_about(slug: str) -> AnnualPlan:
    """The plan with its own words: the strategic plan and its key changes, the
    organisational priorities. Three queries."""
    return get_object_or_404(
        AnnualPlan.objects.select_related("strategic_plan").prefetch_related(
            "strategic_plan__key_changes", "organisational_priorities"
        ),
        slug=slug,
    )
