"""manage.py generate_synthetic_plan: a plan N times the seed's size, with a full year of
tracking, valid by the models' rules, and never built twice over the same slug."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count, Q

from civicplan.roles import EDITORS, STAFF
from initiatives.models import (
    Indicator,
    IndicatorValue,
    Initiative,
    LearningReflection,
    Membership,
    ReviewState,
    Status,
    StatusUpdate,
)
from priorities.models import (
    AnnualPlan,
    Event,
    ExpectedResult,
    LearningQuestion,
    OrganisationalPriority,
    Quarter,
    StrategicPriority,
)
from reporting.models import BoardUpdate
from tests.factories import AnnualPlanFactory, InitiativeFactory, PriorityFactory

pytestmark = pytest.mark.django_db


def generate(*args):
    call_command("generate_synthetic_plan", *args, verbosity=0)


def counts(slug: str) -> dict[str, int]:
    """What the plan holds, model by model."""
    return {
        "priorities": StrategicPriority.objects.filter(annual_plan__slug=slug).count(),
        "expected results": ExpectedResult.objects.filter(priority__annual_plan__slug=slug).count(),
        "learning questions": LearningQuestion.objects.filter(priority__annual_plan__slug=slug).count(),
        "organisational priorities": OrganisationalPriority.objects.filter(annual_plan__slug=slug).count(),
        "initiatives": Initiative.objects.filter(priority__annual_plan__slug=slug).count(),
        "indicators": Indicator.objects.filter(expected_result__priority__annual_plan__slug=slug).count(),
        "events": Event.objects.filter(annual_plan__slug=slug).count(),
        "memberships": Membership.objects.filter(initiative__priority__annual_plan__slug=slug).count(),
        "status updates": StatusUpdate.objects.filter(quarter__annual_plan__slug=slug).count(),
        "indicator values": IndicatorValue.objects.filter(quarter__annual_plan__slug=slug).count(),
        "reflections": LearningReflection.objects.filter(quarter__annual_plan__slug=slug).count(),
    }


def per_quarter(queryset) -> dict[int, int]:
    return dict(queryset.values_list("quarter__number").annotate(n=Count("pk")).order_by("quarter__number"))


SEED = {
    "priorities": 5,
    "expected results": 11,
    "learning questions": 5,
    "organisational priorities": 4,
    "initiatives": 14,
    "indicators": 17,
    "events": 21,
    "memberships": 42,
    "status updates": 56,
    "indicator values": 68,
    "reflections": 20,
}


def test_scale_1_is_the_seeds_size_with_a_full_year_of_tracking():
    generate("--scale", "1")

    plan = AnnualPlan.objects.get(slug="synthetic-x1")
    assert plan.start_date == datetime.date(2022, 7, 1)
    assert list(plan.quarters.values_list("number", flat=True)) == [1, 2, 3, 4]
    assert counts("synthetic-x1") == SEED
    # Every quarter has its updates, values, reflections and events.
    assert per_quarter(StatusUpdate.objects.filter(quarter__annual_plan=plan)) == {1: 14, 2: 14, 3: 14, 4: 14}
    assert per_quarter(IndicatorValue.objects.filter(quarter__annual_plan=plan)) == {1: 17, 2: 17, 3: 17, 4: 17}
    assert per_quarter(LearningReflection.objects.filter(quarter__annual_plan=plan)) == {1: 5, 2: 5, 3: 5, 4: 5}
    assert per_quarter(Event.objects.filter(annual_plan=plan)) == {1: 6, 2: 6, 3: 5, 4: 4}
    # The seed's mix: 3, 3, 3, 2 and 3 initiatives, 2, 2, 3, 2 and 2 results.
    assert list(
        plan.priorities.annotate(n=Count("initiatives", distinct=True), r=Count("expected_results", distinct=True))
        .order_by("number")
        .values_list("number", "n", "r")
    ) == [(1, 3, 2), (2, 3, 2), (3, 3, 3), (4, 2, 2), (5, 3, 2)]


def test_the_tracking_mixes_statuses_and_review_states_mostly_approved():
    generate("--scale", "1")

    updates = StatusUpdate.objects.filter(quarter__annual_plan__slug="synthetic-x1")
    reviews = dict(updates.values_list("review_state").annotate(n=Count("pk")))
    assert reviews == {
        ReviewState.APPROVED: 46,
        ReviewState.SUBMITTED: 6,
        ReviewState.DRAFT: 2,
        ReviewState.RETURNED: 2,
    }
    assert set(updates.values_list("status", flat=True)) == set(Status.values)
    # What the quarterly form would refuse is not there: at risk or off track says why.
    assert not updates.filter(status__in=[Status.AT_RISK, Status.OFF_TRACK], risks="").exists()
    assert not updates.exclude(review_state=ReviewState.DRAFT).filter(submitted_at=None).exists()
    assert not updates.filter(review_state=ReviewState.APPROVED, reviewed_by=None).exists()
    assert not updates.filter(review_state=ReviewState.RETURNED, review_comment="").exists()


def test_each_initiative_has_a_lead_and_a_team_of_staff():
    generate("--scale", "1")

    initiatives = Initiative.objects.filter(priority__annual_plan__slug="synthetic-x1")
    roles = initiatives.annotate(
        leads=Count("memberships", filter=Q(memberships__role=Membership.Role.LEAD)),
        members=Count("memberships", filter=Q(memberships__role=Membership.Role.MEMBER)),
    ).values_list("leads", "members")
    assert set(roles) == {(1, 2)}
    people = get_user_model().objects.filter(memberships__initiative__in=initiatives).distinct()
    assert people.count() == 10
    assert set(people.values_list("groups__name", flat=True)) == {STAFF}
    assert not any(person.has_usable_password() for person in people)
    reviewers = get_user_model().objects.filter(pk__in=StatusUpdate.objects.values("reviewed_by"))
    assert list(reviewers.values_list("username", "groups__name")) == [("synthetic-editor", EDITORS)]


def test_scale_3_is_three_times_the_seed_in_the_same_five_priorities():
    generate("--scale", "3")

    assert counts("synthetic-x3") == {
        "priorities": 5,
        "expected results": 33,
        "learning questions": 15,
        "organisational priorities": 4,
        "initiatives": 42,
        "indicators": 51,
        "events": 63,
        "memberships": 126,
        "status updates": 168,
        "indicator values": 204,
        "reflections": 60,
    }
    # A priority's page grows too: priority 3 holds three times the seed's.
    priority = StrategicPriority.objects.get(annual_plan__slug="synthetic-x3", number=3)
    assert (priority.initiatives.count(), priority.expected_results.count(), priority.learning_questions.count()) == (
        9,
        9,
        3,
    )
    # An initiative serves the results of its own block, as in the seed.
    initiative = Initiative.objects.get(priority=priority, number=4)
    assert list(initiative.expected_results.values_list("number", flat=True).order_by("number")) == [4, 5, 6]


def test_synthetic_plans_share_their_people_and_their_strategic_plan():
    generate("--scale", "1")
    generate("--scale", "3")

    staff = get_user_model().objects.filter(username__startswith="synthetic-staff-")
    assert staff.count() == 30
    assert (
        AnnualPlan.objects.get(slug="synthetic-x1").strategic_plan
        == AnnualPlan.objects.get(slug="synthetic-x3").strategic_plan
    )


def test_every_sampled_object_passes_its_complete_full_clean():
    generate("--scale", "2")

    plan = AnnualPlan.objects.get(slug="synthetic-x2")
    querysets = [
        AnnualPlan.objects.filter(pk=plan.pk),
        Quarter.objects.filter(annual_plan=plan),
        OrganisationalPriority.objects.filter(annual_plan=plan),
        StrategicPriority.objects.filter(annual_plan=plan),
        ExpectedResult.objects.filter(priority__annual_plan=plan),
        LearningQuestion.objects.filter(priority__annual_plan=plan),
        Initiative.objects.filter(priority__annual_plan=plan),
        Membership.objects.filter(initiative__priority__annual_plan=plan),
        Indicator.objects.filter(expected_result__priority__annual_plan=plan),
        StatusUpdate.objects.filter(quarter__annual_plan=plan),
        IndicatorValue.objects.filter(quarter__annual_plan=plan),
        LearningReflection.objects.filter(quarter__annual_plan=plan),
        Event.objects.filter(annual_plan=plan),
    ]
    for queryset in querysets:
        objects = list(queryset.order_by("pk"))
        # The first, the last and every seventh: both blocks, every quarter, every kind.
        for obj in {*objects[::7], objects[0], objects[-1]}:
            obj.full_clean()  # fields, clean(), unique and check constraints, foreign keys
    # Dated events fall inside their quarter (the model's clean() and the database agree).
    dated = Event.objects.filter(annual_plan=plan, start_date__isnull=False).select_related("quarter")
    assert dated.count() == 2 * 7
    assert all(e.quarter.contains(e.start_date) and e.quarter.contains(e.last_day) for e in dated)


def test_the_history_records_the_synthetic_tracking():
    generate("--scale", "1")

    updates = StatusUpdate.objects.filter(quarter__annual_plan__slug="synthetic-x1")
    history = StatusUpdate.history.filter(id__in=updates.values("pk"))
    assert history.count() == 56
    first = history.select_related("history_user").order_by("history_date").first()
    assert first.history_user is not None
    assert first.history_date.date() > datetime.date(2022, 9, 30)  # after Q1's end


def test_running_again_over_the_same_slug_is_refused_and_changes_nothing():
    generate("--scale", "1")
    before = counts("synthetic-x1")

    with pytest.raises(CommandError, match="'synthetic-x1' exists already: give --replace"):
        generate("--scale", "1")

    assert counts("synthetic-x1") == before


def test_replace_builds_the_plan_anew_even_with_a_board_update():
    generate("--scale", "1", "--slug", "try-me")
    plan = AnnualPlan.objects.get(slug="try-me")
    old_initiatives = set(Initiative.objects.filter(priority__annual_plan=plan).values_list("pk", flat=True))
    BoardUpdate.objects.create(annual_plan=plan, quarter=plan.quarters.get(number=2), message_fr="Chers membres…")

    generate("--scale", "3", "--slug", "try-me", "--replace")

    plan = AnnualPlan.objects.get(slug="try-me")
    assert counts("try-me")["initiatives"] == 42
    assert counts("try-me")["status updates"] == 168
    assert not Initiative.objects.filter(pk__in=old_initiatives).exists()
    assert not BoardUpdate.objects.exists()
    assert AnnualPlan.objects.filter(slug="try-me").count() == 1


def test_replace_never_deletes_a_plan_that_is_not_synthetic():
    real = AnnualPlanFactory(slug="2022-23")
    InitiativeFactory(priority=PriorityFactory(annual_plan=real, number=1), number=1)

    with pytest.raises(CommandError, match="'2022-23' is not a synthetic plan"):
        generate("--scale", "1", "--slug", "2022-23", "--replace")

    assert Initiative.objects.filter(priority__annual_plan=real).count() == 1


def test_a_scale_below_one_is_refused():
    with pytest.raises(CommandError, match="--scale must be 1 or more"):
        generate("--scale", "0")
    assert not AnnualPlan.objects.exists()


def test_a_slug_the_model_refuses_is_refused_and_nothing_is_written():
    with pytest.raises(CommandError, match="failed its model's validation.*slug"):
        generate("--scale", "1", "--slug", "not a slug")
    assert not AnnualPlan.objects.exists()
    assert not get_user_model().objects.exists()
