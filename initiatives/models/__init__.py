"""The work and its quarterly tracking: initiatives and organisational priorities, who
runs them, their quarterly updates, indicators and their values, and reflections on the
learning questions."""

from .indicators import Indicator, IndicatorValue, LearningReflection
from .tracking import (
    ORGANISATIONAL_RISKS_NEEDED,
    RISKS_NEEDED,
    ApprovedText,
    OrganisationalUpdate,
    QuarterlyRecord,
    ReviewedUpdate,
    ReviewState,
    Status,
    StatusUpdate,
    needs_risks,
)
from .work import Initiative, Membership, OrganisationalLead, organisational_lead

__all__ = [
    "ORGANISATIONAL_RISKS_NEEDED",
    "RISKS_NEEDED",
    "ApprovedText",
    "Indicator",
    "IndicatorValue",
    "Initiative",
    "LearningReflection",
    "Membership",
    "OrganisationalLead",
    "OrganisationalUpdate",
    "QuarterlyRecord",
    "ReviewState",
    "ReviewedUpdate",
    "Status",
    "StatusUpdate",
    "needs_risks",
    "organisational_lead",
]
