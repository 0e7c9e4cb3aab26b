"""The plan's structure: strategic plan, annual plan and quarters, priorities, results,
learning questions, organisational priorities and the calendar of events.

Every model that a fixture or a spreadsheet names has a natural key, so that fixtures
and spreadsheets never carry database ids, and loading a fixture twice changes nothing.
"""

from .calendar import CalendarToken, Event, EventKind
from .plan import (
    TITLE_MAX,
    AnnualPlan,
    ExpectedResult,
    KeyChange,
    LearningQuestion,
    OrganisationalArea,
    OrganisationalPriority,
    PriorityItem,
    StrategicPlan,
    StrategicPriority,
    max_length_check,
    quarter_bounds,
)
from .quarters import Quarter, QuarterLock, QuarterLockChange, ReportingRound, quarter_code

__all__ = [
    "quarter_code",
    "TITLE_MAX",
    "AnnualPlan",
    "CalendarToken",
    "Event",
    "EventKind",
    "ExpectedResult",
    "KeyChange",
    "LearningQuestion",
    "OrganisationalArea",
    "OrganisationalPriority",
    "PriorityItem",
    "Quarter",
    "QuarterLock",
    "QuarterLockChange",
    "ReportingRound",
    "StrategicPlan",
    "StrategicPriority",
    "max_length_check",
    "quarter_bounds",
]
