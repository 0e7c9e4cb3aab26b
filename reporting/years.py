"""Year over year: the annual plans of one strategic plan side by side, as plain data.

Per strategic priority (matched by its number), the status counts at each year's end;
each initiative carried from one year into the next (``Initiative.previous``), its path
across the years; each indicator (matched by its code) with its baseline, target and
year-end value in every year. A year's end is read as the annual report reads it: an
initiative's last approved status of the year, completed if completed in any quarter.
A fixed number of queries, whatever the number of years and their size.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from initiatives.models import Indicator, IndicatorValue, Initiative, Status, StatusUpdate
from priorities.models import AnnualPlan, StrategicPlan, StrategicPriority

from .data import STATUS_ORDER, StatusCounts


@dataclass(frozen=True)
class YearRef:
    slug: str
    title: str
    start: datetime.date


@dataclass(frozen=True)
class PriorityYears:
    number: int
    title: str  # the latest year's
    counts: tuple[StatusCounts | None, ...]  # one per year; None where the year has no such priority


@dataclass(frozen=True)
class Step:
    code: str
    title: str
    status: str | None  # at the year's end; None when nothing was approved that year


@dataclass(frozen=True)
class InitiativePath:
    """One piece of work carried across years: where it stood at the end of each."""

    steps: tuple[Step | None, ...]  # one per year; None where it was not in the plan

    @property
    def latest(self) -> Step:
        return next(step for step in reversed(self.steps) if step is not None)


@dataclass(frozen=True)
class IndicatorYear:
    baseline: Decimal
    target: Decimal | None
    value: Decimal | None  # the year's last value; None when nothing was measured


@dataclass(frozen=True)
class IndicatorYears:
    code: str
    name: str
    unit: str
    years: tuple[IndicatorYear | None, ...]  # one per year; None where the year has no such indicator


@dataclass(frozen=True)
class YearsReport:
    slug: str
    title: str
    overall_goal: str
    generated_at: datetime.datetime
    years: tuple[YearRef, ...]
    priorities: tuple[PriorityYears, ...]
    paths: tuple[InitiativePath, ...]
    indicators: tuple[IndicatorYears, ...]


def year_end_status(statuses: list[str]) -> str | None:
    """Where an initiative stood at the end of its year, from its approved statuses in
    quarter order: completed if completed in any quarter, else the last."""
    if Status.COMPLETED in statuses:
        return Status.COMPLETED
    return statuses[-1] if statuses else None


def build_years_report(strategic: StrategicPlan) -> YearsReport:
    """The comparison of ``strategic``'s annual plans: six queries."""
    plans = list(AnnualPlan.objects.filter(strategic_plan=strategic).order_by("start_date"))
    index = {plan.pk: n for n, plan in enumerate(plans)}
    approved = defaultdict(list)
    for update in (
        StatusUpdate.objects.approved_only()
        .filter(quarter__annual_plan__strategic_plan=strategic)
        .select_related("quarter")
        .order_by("quarter__number")
    ):
        approved[update.initiative_id].append(update.status)
    initiatives = list(
        Initiative.objects.filter(priority__annual_plan__strategic_plan=strategic)
        .select_related("priority")
        .order_by("priority__number", "number")
    )
    ends = {i.pk: year_end_status(approved[i.pk]) for i in initiatives}

    counted = defaultdict(list)  # (year, priority number) -> year-end statuses
    for initiative in initiatives:
        counted[(index[initiative.priority.annual_plan_id], initiative.priority.number)].append(ends[initiative.pk])
    priorities = {}
    for priority in StrategicPriority.objects.filter(annual_plan__strategic_plan=strategic).order_by(
        "annual_plan__start_date", "number"
    ):
        year = index[priority.annual_plan_id]
        row = priorities.setdefault(priority.number, {"title": priority.short_title or priority.title, "counts": {}})
        row["title"] = priority.short_title or priority.title
        statuses = counted[(year, priority.number)]
        row["counts"][year] = StatusCounts(
            quarter=4,
            counts=tuple((status, statuses.count(status)) for status in STATUS_ORDER),
            missing=statuses.count(None),
        )

    by_pk = {i.pk: i for i in initiatives}
    carried_into = {i.previous_id for i in initiatives if i.previous_id}
    paths = []
    for initiative in initiatives:
        if initiative.pk in carried_into or initiative.previous_id is None:
            continue  # a path is told once, from its last year; work never carried has none
        steps: list[Step | None] = [None] * len(plans)
        current = initiative
        while current is not None:
            steps[index[current.priority.annual_plan_id]] = Step(current.code, current.title, ends[current.pk])
            current = by_pk.get(current.previous_id)
        paths.append(InitiativePath(tuple(steps)))

    last_values = {}
    for value in IndicatorValue.objects.filter(quarter__annual_plan__strategic_plan=strategic).order_by(
        "quarter__number"
    ):
        last_values[value.indicator_id] = value.value
    indicators = {}
    for indicator in Indicator.objects.filter(
        expected_result__priority__annual_plan__strategic_plan=strategic
    ).select_related("expected_result__priority"):
        year = index[indicator.expected_result.priority.annual_plan_id]
        row = indicators.setdefault(indicator.code, {"name": indicator.name, "unit": indicator.unit, "years": {}})
        row["years"][year] = IndicatorYear(indicator.baseline, indicator.target, last_values.get(indicator.pk))

    def sort_key(code: str) -> tuple[int, ...]:
        return tuple(int(part) for part in code.split("."))

    return YearsReport(
        slug=strategic.slug,
        title=strategic.title,
        overall_goal=strategic.overall_goal,
        generated_at=timezone.now(),
        years=tuple(YearRef(plan.slug, plan.title, plan.start_date) for plan in plans),
        priorities=tuple(
            PriorityYears(number, row["title"], tuple(row["counts"].get(n) for n in range(len(plans))))
            for number, row in sorted(priorities.items())
        ),
        paths=tuple(sorted(paths, key=lambda path: sort_key(path.latest.code))),
        indicators=tuple(
            IndicatorYears(code, row["name"], row["unit"], tuple(row["years"].get(n) for n in range(len(plans))))
            for code, row in sorted(indicators.items(), key=lambda item: sort_key(item[0]))
        ),
    )
