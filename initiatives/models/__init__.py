"""The work and its quarterly tracking: initiatives, who runs them, status updates,
indicators and their values, and reflections on the learning questions."""

from .indicators import Indicator, IndicatorValue, LearningReflection
from .tracking import (
    RISKS_NEEDED,
    ApprovedText,
    QuarterlyRecord,
    ReviewState,
    Status,
    StatusUpdate,
    needs_risks,
)
from .work import Initiative, Membership

__all__ = [
    "RISKS_NEEDED",
    "ApprovedText",
    "Indicator",
    "IndicatorValue",
    "Initiative",
    "LearningReflection",
    "Membership",
    "QuarterlyRecord",
    "ReviewState",
    "Status",
    "StatusUpdate",
    "needs_risks",
]
