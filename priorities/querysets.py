"""Reads of the plan: one function per screen, each a fixed number of queries."""

import datetime

from django.db.models import F, OuterRef, Prefetch, Subquery
from django.shortcuts import get_object_or_404

from .models import AnnualPlan, Event, ExpectedResult, Quarter, StrategicPriority, quarter_bounds


def reporting_quarter_number(plan: AnnualPlan, today: datetime.date) -> int:
    """The quarter whose updates are due: the last one that has ended (updates are written
    after a quarter's end), the first while it is running, the fourth once the year is over."""
    ended = [n for n in range(1, 5) if quarter_bounds(plan.start_date, n)[1] < today]
    return max(ended) if ended else 1


def current_plan(today: datetime.date) -> AnnualPlan | None:
    """The plan whose year holds today, else the latest that has started, else the first."""
    plans = list(AnnualPlan.objects.select_related("strategic_plan").order_by("start_date"))
    for plan in plans:
        if plan.start_date <= today <= plan.end_date:
            return plan
    started = [p for p in plans if p.start_date <= today]
    return started[-1] if started else (plans[0] if plans else None)


def plan_with_quarters(slug: str) -> AnnualPlan:
    return get_object_or_404(
        AnnualPlan.objects.select_related("strategic_plan").prefetch_related(
            Prefetch("quarters", queryset=Quarter.objects.select_related("lock").order_by("number"))
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
