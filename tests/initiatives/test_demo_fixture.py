"""The demo progress fixture: it loads over the plan fixture, tells a believable story and
survives a reload of either fixture."""

import datetime
import io
import json

import pytest
from django.contrib.auth.models import User
from django.core import serializers
from django.core.management import call_command

from initiatives.models import (
    Indicator,
    IndicatorValue,
    Initiative,
    LearningReflection,
    OrganisationalLead,
    OrganisationalUpdate,
    ReviewState,
    Status,
    StatusUpdate,
)
from priorities.models import ExpectedResult, LearningQuestion, OrganisationalPriority
from tests.helpers import DEMO_FIXTURE, PLAN_FIXTURE

USERNAMES = ["admin", "editor", "staff", "staff2", "board"]
PROGRESS_MODELS = [StatusUpdate, OrganisationalUpdate, IndicatorValue, LearningReflection]


@pytest.fixture
def demo(db):
    for username in USERNAMES:
        User.objects.create_user(username)
    call_command("loaddata", str(PLAN_FIXTURE), str(DEMO_FIXTURE), verbosity=0)


def natural_dump(models):
    """Every object of ``models`` as natural-key JSON, in an order that does not depend on ids."""
    dump = {}
    for model in models:
        text = serializers.serialize(
            "json", model.objects.all(), use_natural_foreign_keys=True, use_natural_primary_keys=True
        )
        dump[model.__name__] = sorted(json.dumps(obj, sort_keys=True) for obj in json.loads(text))
    return dump


@pytest.mark.django_db
def test_every_initiative_has_q1_and_q2_most_have_q3_none_q4(demo):
    initiatives = list(Initiative.objects.filter(priority__annual_plan__slug="2022-23"))
    assert len(initiatives) == 14
    for initiative in initiatives:
        quarters = set(initiative.status_updates.values_list("quarter__number", flat=True))
        assert {1, 2} <= quarters, initiative.code
        assert 4 not in quarters, initiative.code
    q3 = StatusUpdate.objects.filter(quarter__number=3).count()
    assert 10 <= q3 < 14
    assert not StatusUpdate.objects.filter(quarter__number=4).exists()


@pytest.mark.django_db
def test_every_status_is_used_and_exactly_one_initiative_is_completed(demo):
    used = set(StatusUpdate.objects.values_list("status", flat=True))
    assert used == set(Status.values)
    completed = StatusUpdate.objects.filter(status=Status.COMPLETED)
    assert completed.values("initiative").distinct().count() == 1
    assert completed.get().quarter.number == 3


@pytest.mark.django_db
def test_updates_at_risk_or_off_track_name_their_risks(demo):
    troubled = StatusUpdate.objects.filter(status__in=[Status.AT_RISK, Status.OFF_TRACK])
    assert troubled.count() >= 4
    assert not troubled.filter(risks="").exists()


@pytest.mark.django_db
def test_review_states(demo):
    assert set(StatusUpdate.objects.filter(quarter__number__in=[1, 2]).values_list("review_state", flat=True)) == {
        ReviewState.APPROVED
    }
    q3_states = set(StatusUpdate.objects.filter(quarter__number=3).values_list("review_state", flat=True))
    assert q3_states == set(ReviewState.values)


@pytest.mark.django_db
def test_every_expected_result_has_an_indicator_with_values_for_q1_to_q3(demo):
    results = ExpectedResult.objects.filter(priority__annual_plan__slug="2022-23")
    assert results.count() == 11
    for result in results:
        measured = [
            indicator
            for indicator in result.indicators.all()
            if set(indicator.values.values_list("quarter__number", flat=True)) == {1, 2, 3}
        ]
        assert measured, result.code
    for indicator in Indicator.objects.all():
        assert indicator.baseline != indicator.target, indicator.code
    assert IndicatorValue.objects.count() == 3 * Indicator.objects.count()
    assert Indicator.objects.filter(direction=Indicator.Direction.DECREASE).count() >= 2


@pytest.mark.django_db
def test_one_reflection_per_learning_question_and_quarter(demo):
    assert LearningReflection.objects.count() == 15
    for question in LearningQuestion.objects.filter(priority__annual_plan__slug="2022-23"):
        assert set(question.reflections.values_list("quarter__number", flat=True)) == {1, 2, 3}, question.code


@pytest.mark.django_db
def test_records_keep_the_fixture_dates(demo):
    """loaddata saves raw: the dates are the fixture's, after the quarter they report on."""
    for model in PROGRESS_MODELS:
        for record in model.objects.select_related("quarter"):
            assert record.created_at.date() > record.quarter.end_date, record
            assert record.updated_at >= record.created_at, record
            assert record.author is not None, record


@pytest.mark.django_db
def test_every_object_passes_full_clean(demo):
    for model in [Indicator, *PROGRESS_MODELS]:
        for obj in model.objects.all():
            obj.full_clean()


@pytest.mark.django_db
def test_reloading_either_fixture_keeps_the_progress_intact(demo):
    before = natural_dump([Indicator, *PROGRESS_MODELS])
    counts = {model: model.objects.count() for model in [Indicator, *PROGRESS_MODELS]}

    call_command("loaddata", str(PLAN_FIXTURE), verbosity=0)
    assert natural_dump([Indicator, *PROGRESS_MODELS]) == before
    assert {model: model.objects.count() for model in counts} == counts

    call_command("loaddata", str(DEMO_FIXTURE), verbosity=0)
    assert natural_dump([Indicator, *PROGRESS_MODELS]) == before
    assert {model: model.objects.count() for model in counts} == counts


@pytest.mark.django_db
def test_organisational_priorities_are_reported_like_initiatives_q3_in_progress(demo):
    """Q1 and Q2 reviewed and approved for all four; Q3 as its round stands on the demo's
    day: strategy approved, people submitted, systems a draft, sustainability missing."""
    updates = OrganisationalUpdate.objects.filter(organisational_priority__annual_plan__slug="2022-23")
    by_quarter = {
        number: dict(
            updates.filter(quarter__number=number).values_list("organisational_priority__area", "review_state")
        )
        for number in (1, 2, 3, 4)
    }
    areas = set(OrganisationalPriority.objects.filter(annual_plan__slug="2022-23").values_list("area", flat=True))
    assert areas == {"strategy", "people", "systems", "sustainability"}
    assert by_quarter[1] == by_quarter[2] == dict.fromkeys(areas, ReviewState.APPROVED)
    assert by_quarter[3] == {
        "strategy": ReviewState.APPROVED,
        "people": ReviewState.SUBMITTED,
        "systems": ReviewState.DRAFT,
    }
    assert by_quarter[4] == {}
    assert set(updates.filter(review_state=ReviewState.APPROVED).values_list("reviewed_by__username", flat=True)) == {
        "editor"
    }
    assert not updates.exclude(review_state=ReviewState.APPROVED).exclude(reviewed_by=None).exists()
    at_risk_in_q3 = updates.get(quarter__number=3, status=Status.AT_RISK)
    assert at_risk_in_q3.organisational_priority.area == "people"
    troubled = updates.filter(status__in=[Status.AT_RISK, Status.OFF_TRACK])
    assert troubled.count() >= 2
    assert not troubled.filter(risks="").exists()


@pytest.mark.django_db
def test_organisational_updates_are_in_french_and_about_their_priority(demo):
    """Each tells of what the plan says of its priority, in the plan's language."""
    about = {
        "strategy": "feuille de route",
        "people": "cadre d'apprentissage et de développement",
        "systems": "gestion des contrats",
        "sustainability": "bailleurs",
    }
    for update in OrganisationalUpdate.objects.select_related("organisational_priority"):
        text = f"{update.narrative} {update.next_steps}".lower()
        assert about[update.organisational_priority.area] in text, update
        words = set(text.split())
        assert {"le", "la", "les", "des"} & words, update
        assert not {"the", "and", "of"} & words, update
        assert update.narrative.strip() and update.next_steps.strip(), update


@pytest.mark.django_db
def test_organisational_updates_are_written_inside_their_round(demo):
    """Written after the round opened, and nothing after the round was closed or, for the
    open Q3 round, after its due date (the demo's day is when the round falls due)."""
    for update in OrganisationalUpdate.objects.select_related("quarter__round"):
        round_ = update.quarter.round
        due = datetime.datetime.combine(round_.due_date, datetime.time.max, tzinfo=datetime.UTC)
        last = round_.closed_at or due
        stamps = [update.created_at, update.updated_at, update.submitted_at, update.reviewed_at]
        for stamp in filter(None, stamps):
            assert round_.opened_at <= stamp <= last, (update, stamp)
        assert update.updated_at >= update.created_at, update
        assert (update.submitted_at is None) == (update.review_state == ReviewState.DRAFT), update


@pytest.mark.django_db
def test_the_demo_accounts_lead_the_organisational_priorities_idempotently(demo_progress):
    def leads():
        return dict(
            OrganisationalLead.objects.filter(organisational_priority__annual_plan__slug="2022-23").values_list(
                "organisational_priority__area", "user__username"
            )
        )

    expected = {"strategy": "editor", "people": "staff2", "systems": "staff", "sustainability": "staff2"}
    assert leads() == expected
    # Every update is written by its priority's lead.
    for area, username in expected.items():
        authors = OrganisationalUpdate.objects.filter(organisational_priority__area=area)
        assert set(authors.values_list("author__username", flat=True)) == {username}, area
    pks = set(OrganisationalLead.objects.values_list("pk", flat=True))

    call_command("create_demo_users", "--force", verbosity=0, stdout=io.StringIO())

    assert leads() == expected
    assert set(OrganisationalLead.objects.values_list("pk", flat=True)) == pks
