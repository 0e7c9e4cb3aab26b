"""Reads of the initiatives and their tracking for the pages: one function per screen, each
a fixed number of queries."""

from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404

from priorities.models import (
    AnnualPlan,
    Event,
    ExpectedResult,
    LearningQuestion,
    OrganisationalPriority,
    StrategicPriority,
)
from priorities.querysets import plan_with_quarters

from .models import (
    Indicator,
    IndicatorValue,
    Initiative,
    LearningReflection,
    Membership,
    OrganisationalUpdate,
    StatusUpdate,
)


def _updates(user):
    return Prefetch(
        "status_updates",
        queryset=StatusUpdate.objects.visible_to(user).select_related("quarter", "author").order_by("quarter__number"),
    )


def _team():
    return Prefetch(
        "memberships", queryset=Membership.objects.select_related("user").order_by("role", "user__username")
    )


def lead_prefetch() -> Prefetch:
    """Each initiative's lead membership (with its user), as ``initiative.leads``: a list of
    at most one."""
    return Prefetch(
        "memberships",
        queryset=Membership.objects.filter(role=Membership.Role.LEAD).select_related("user"),
        to_attr="leads",
    )


def initiatives_with_tracking(user):
    """Initiatives with their priority, their team and every status update ``user`` may read."""
    return Initiative.objects.select_related("priority__annual_plan").prefetch_related(_updates(user), _team())


def plan_page(slug: str, user) -> tuple[AnnualPlan, list[StrategicPriority]]:
    """The plan and its priorities with their initiatives; each priority counts its
    indicators whose target is not set yet (``targets_to_set``), in the same query."""
    plan = plan_with_quarters(slug)
    priorities = list(
        StrategicPriority.objects.filter(annual_plan=plan)
        .annotate(
            targets_to_set=Count(
                "expected_results__indicators", filter=Q(expected_results__indicators__target__isnull=True)
            )
        )
        .order_by("number")
        .prefetch_related(
            Prefetch("initiatives", queryset=initiatives_with_tracking(user).order_by("number")),
        )
    )
    return plan, priorities


def priority_page(slug: str, number: int, user) -> tuple[AnnualPlan, StrategicPriority]:
    plan = plan_with_quarters(slug)
    values = Prefetch("values", queryset=IndicatorValue.objects.select_related("quarter").order_by("quarter__number"))
    priority = get_object_or_404(
        StrategicPriority.objects.prefetch_related(
            Prefetch(
                "expected_results",
                queryset=ExpectedResult.objects.order_by("number").prefetch_related(
                    Prefetch("indicators", queryset=Indicator.objects.order_by("number").prefetch_related(values))
                ),
            ),
            Prefetch(
                "learning_questions",
                queryset=LearningQuestion.objects.order_by("number").prefetch_related(
                    Prefetch(
                        "reflections",
                        queryset=LearningReflection.objects.select_related("quarter", "author").order_by(
                            "quarter__number"
                        ),
                    )
                ),
            ),
            Prefetch("initiatives", queryset=initiatives_with_tracking(user).order_by("number")),
            Prefetch(
                "events", queryset=Event.objects.select_related("quarter").order_by("quarter__number", "start_date")
            ),
        ),
        annual_plan=plan,
        number=number,
    )
    return plan, priority


def organisational_with_tracking(user):
    """Organisational priorities with their lead and every update ``user`` may read."""
    updates = OrganisationalUpdate.objects.visible_to(user).select_related("quarter", "author")
    return OrganisationalPriority.objects.select_related("annual_plan", "leadership__user").prefetch_related(
        Prefetch("updates", queryset=updates.order_by("quarter__number"))
    )
