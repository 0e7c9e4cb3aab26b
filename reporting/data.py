"""The reports as plain data: frozen dataclasses built by ``reporting.builders``.

Every report (the page, its PDF, its spreadsheet, the board update, the annual report)
is drawn from these, so no second copy of the report's logic lives in a template or a
renderer. Nothing here touches the database.
"""

import datetime
import functools
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from initiatives.models import Status
from priorities.models import quarter_code

# Best last: a move to the right is "better". Not started sits between trouble and
# progress: starting is better than not starting, starting in trouble is worse.
STATUS_RANK = {
    Status.OFF_TRACK: 0,
    Status.AT_RISK: 1,
    Status.NOT_STARTED: 2,
    Status.ON_TRACK: 3,
    Status.COMPLETED: 4,
}
# The order in which statuses are counted and drawn: trouble first, so it is read first.
STATUS_ORDER = (Status.OFF_TRACK, Status.AT_RISK, Status.NOT_STARTED, Status.ON_TRACK, Status.COMPLETED)
NEEDS_ATTENTION = (Status.AT_RISK, Status.OFF_TRACK)


class Trend(models.TextChoices):
    BETTER = "better", _("Better")
    SAME = "same", _("Same")
    WORSE = "worse", _("Worse")
    NEW = "new", _("New")  # a status this quarter, none the quarter before
    NONE = "none", _("No approved update")  # no approved status this quarter


@dataclass(frozen=True)
class QuarterRef:
    number: int
    start: datetime.date
    end: datetime.date

    @property
    def code(self) -> str:
        return quarter_code(self.number)


@dataclass(frozen=True)
class QuarterEntry:
    """An initiative in one quarter as the reports read it: only an approved update has a
    status; ``review_state`` says what exists otherwise (None: no update at all)."""

    quarter: int
    status: str | None
    review_state: str | None
    narrative: str = ""
    risks: str = ""
    next_steps: str = ""


@dataclass(frozen=True)
class InitiativeRow:
    code: str
    title: str
    priority_number: int
    lead: str
    entries: tuple[QuarterEntry, ...]  # Q1 to the report's quarter, one each
    trend: str

    @property
    def current(self) -> QuarterEntry:
        return self.entries[-1]

    @property
    def status(self) -> str | None:
        return self.current.status

    def entry(self, quarter: int) -> QuarterEntry | None:
        return self.entries[quarter - 1] if 1 <= quarter <= len(self.entries) else None


@dataclass(frozen=True)
class IndicatorRow:
    code: str
    name: str
    unit: str
    direction: str
    baseline: Decimal
    target: Decimal | None  # None: not set yet (a plan rolled over into its next year)
    values: tuple[tuple[int, Decimal], ...]  # (quarter, value), Q1 to the report's quarter

    @property
    def target_to_set(self) -> bool:
        """No target yet: the reports flag it and measure no progress until one is set."""
        return self.target is None

    def value_at(self, quarter: int) -> tuple[int, Decimal] | None:
        """The latest value measured in or before ``quarter``."""
        known = [(q, v) for q, v in self.values if q <= quarter]
        return known[-1] if known else None

    def progress_at(self, quarter: int) -> float | None:
        """How far the indicator has come from baseline to target: 0 at the baseline, 1 at
        the target, whichever way the target lies (for an indicator that should go down,
        the target is below the baseline and the same formula holds). None without a
        value, or without a target to measure it by."""
        latest = self.value_at(quarter)
        if latest is None or self.target is None:
            return None
        return float((latest[1] - self.baseline) / (self.target - self.baseline))

    @property
    def latest(self) -> tuple[int, Decimal] | None:
        return self.values[-1] if self.values else None

    @functools.cached_property  # a report's page reads it several times per indicator
    def progress(self) -> float | None:
        return self.progress_at(self.values[-1][0]) if self.values else None

    @property
    def progress_percent(self) -> int | None:
        """The progress bar's width, 0-100 (moving away from the target shows as 0)."""
        progress = self.progress
        return None if progress is None else round(100 * min(max(progress, 0.0), 1.0))

    @property
    def reached(self) -> bool:
        return self.progress is not None and self.progress >= 1


@dataclass(frozen=True)
class ResultRow:
    code: str
    text: str
    indicators: tuple[IndicatorRow, ...]


@dataclass(frozen=True)
class EventRow:
    slug: str
    title: str
    kind: str
    quarter: int
    start: datetime.date | None
    end: datetime.date | None
    description: str
    priority_number: int | None
    initiative_code: str | None


@dataclass(frozen=True)
class StatusCounts:
    """How many initiatives stood at each status in a quarter; ``missing`` have no
    approved update."""

    quarter: int
    counts: tuple[tuple[str, int], ...]  # in STATUS_ORDER
    missing: int

    def count(self, status: str) -> int:
        return dict(self.counts)[status]

    @property
    def total(self) -> int:
        return sum(n for _, n in self.counts) + self.missing


@dataclass(frozen=True)
class Reflection:
    quarter: int
    text: str


@dataclass(frozen=True)
class PrioritySection:
    number: int
    title: str
    short_title: str
    statement: str
    initiatives: tuple[InitiativeRow, ...]
    counts: tuple[StatusCounts, ...]  # Q1 to the report's quarter
    results: tuple[ResultRow, ...]
    learning_question: str
    reflections: tuple[Reflection, ...]  # Q1 to the report's quarter, those written
    events: tuple[EventRow, ...]  # the report quarter's events linked to this priority

    @property
    def reflection(self) -> Reflection | None:
        """This quarter's reflection (the last quarter's is in ``reflections``)."""
        quarter = self.counts[-1].quarter
        return next((r for r in self.reflections if r.quarter == quarter), None)


@dataclass(frozen=True)
class QuarterlyReport:
    plan_slug: str
    plan_title: str
    strategic_plan_title: str
    overall_goal: str
    quarter: QuarterRef
    quarters: tuple[QuarterRef, ...]  # all four of the year
    generated_at: datetime.datetime
    priorities: tuple[PrioritySection, ...]
    totals: StatusCounts  # this quarter, plan-wide
    events: tuple[EventRow, ...]  # this quarter's
    next_events: tuple[EventRow, ...]  # next quarter's (none after Q4)
    # The organisational priorities, tracked as initiatives are (code: their area's label).
    organisational: tuple[InitiativeRow, ...] = ()

    @property
    def initiatives(self) -> tuple[InitiativeRow, ...]:
        return tuple(row for section in self.priorities for row in section.initiatives)

    @property
    def indicators(self) -> tuple[IndicatorRow, ...]:
        return tuple(ind for section in self.priorities for result in section.results for ind in result.indicators)

    @property
    def better(self) -> tuple[InitiativeRow, ...]:
        return tuple(row for row in self.initiatives if row.trend == Trend.BETTER)

    @property
    def worse(self) -> tuple[InitiativeRow, ...]:
        return tuple(row for row in self.initiatives if row.trend == Trend.WORSE)

    @property
    def needs_attention(self) -> tuple[InitiativeRow, ...]:
        """At risk or off track this quarter, worst first."""
        rows = [row for row in self.initiatives if row.status in NEEDS_ATTENTION]
        return tuple(sorted(rows, key=lambda row: STATUS_RANK[row.status]))

    @property
    def missing(self) -> tuple[InitiativeRow, ...]:
        """No approved update this quarter: none written, or not yet approved."""
        return tuple(row for row in self.initiatives if row.status is None)

    @property
    def organisational_missing(self) -> tuple[InitiativeRow, ...]:
        return tuple(row for row in self.organisational if row.status is None)

    @property
    def next_quarter(self) -> QuarterRef | None:
        return self.quarters[self.quarter.number] if self.quarter.number < len(self.quarters) else None


@dataclass(frozen=True)
class StatusChange:
    initiative: InitiativeRow
    before: str | None
    after: str | None


@dataclass(frozen=True)
class Changes:
    """What changed between two quarters of the same year, computed from report data."""

    since: int | None  # the quarter compared with; None when there is nothing before
    status_changes: tuple[StatusChange, ...]
    new_risks: tuple[InitiativeRow, ...]
    completed: tuple[InitiativeRow, ...]
    targets_crossed: tuple[IndicatorRow, ...]

    @property
    def empty(self) -> bool:
        return not (self.status_changes or self.new_risks or self.completed or self.targets_crossed)


def year_end_entry(row: InitiativeRow) -> QuarterEntry | None:
    """Where an initiative stood at the end of the year: its last approved status of the
    year, and completed if it was completed in any quarter (nothing is reported after)."""
    approved = [entry for entry in row.entries if entry.status is not None]
    completed = [entry for entry in approved if entry.status == Status.COMPLETED]
    return (completed or approved)[-1] if approved else None


@dataclass(frozen=True)
class PlanWords:
    """The plan's own words, which the annual report opens and closes with."""

    language: str
    goal_description: str
    context: str
    key_changes: tuple[tuple[str, str], ...]  # (title, description), in order
    organisational_priorities: tuple[tuple[int, str, str], ...]  # (number, title, description)
    monitoring: str
    closing_statement: str


@dataclass(frozen=True)
class AnnualReport:
    """The year rolled up: the fourth quarter's report (every quarter's statuses), each
    initiative's status at the year's end, and the year's whole calendar."""

    year: QuarterlyReport
    events: tuple[EventRow, ...]  # the whole year's, by quarter then date
    year_end_totals: StatusCounts  # plan-wide, by status at the year's end
    year_end_by_priority: tuple[StatusCounts, ...]  # one per priority, in order
    words: PlanWords

    @property
    def year_end(self) -> tuple[tuple[InitiativeRow, QuarterEntry | None], ...]:
        return tuple((row, year_end_entry(row)) for row in self.year.initiatives)

    @property
    def organisational_year_end(self) -> tuple[tuple[InitiativeRow, QuarterEntry | None], ...]:
        """Each organisational priority with where it stood at the year's end."""
        return tuple((row, year_end_entry(row)) for row in self.year.organisational)

    @property
    def carried_over(self) -> tuple[InitiativeRow, ...]:
        """What the plan carries into next year: every initiative not completed."""
        return tuple(row for row, _entry in self.carried_over_at_year_end)

    @property
    def carried_over_at_year_end(self) -> tuple[tuple[InitiativeRow, QuarterEntry | None], ...]:
        return tuple((row, entry) for row, entry in self.year_end if entry is None or entry.status != Status.COMPLETED)
