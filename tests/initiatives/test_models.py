"""Tracking rules held by the database: one update per initiative and quarter, known
statuses, a sensible indicator, one lead per initiative."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from initiatives.models import Indicator, IndicatorValue, Membership, StatusUpdate
from tests.factories import (
    AnnualPlanFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    InitiativeFactory,
    LearningReflectionFactory,
    MembershipFactory,
    StatusUpdateFactory,
)
from tests.helpers import refused_by_database

pytestmark = pytest.mark.django_db


def test_one_status_update_per_initiative_and_quarter():
    update = StatusUpdateFactory()
    assert refused_by_database(lambda: StatusUpdateFactory(initiative=update.initiative, quarter=update.quarter))
    q2 = update.initiative.priority.annual_plan.quarters.get(number=2)
    StatusUpdateFactory(initiative=update.initiative, quarter=q2)
    assert StatusUpdate.objects.filter(initiative=update.initiative).count() == 2


def test_an_unknown_status_is_refused():
    update = StatusUpdateFactory()
    assert refused_by_database(lambda: StatusUpdate.objects.filter(pk=update.pk).update(status="late"))
    update.status = "late"
    with pytest.raises(ValidationError) as error:
        update.full_clean()
    assert "status" in error.value.message_dict


def test_a_status_update_in_another_plans_quarter_is_refused_by_full_clean():
    update = StatusUpdateFactory()
    other_plan = AnnualPlanFactory(slug="2023-24", start_date=datetime.date(2023, 7, 1))
    update.quarter = other_plan.quarters.get(number=1)
    with pytest.raises(ValidationError) as error:
        update.full_clean()
    assert "quarter" in error.value.message_dict


def test_version_starts_at_one_and_zero_is_refused():
    update = StatusUpdateFactory()
    assert update.version == 1
    assert refused_by_database(lambda: StatusUpdate.objects.filter(pk=update.pk).update(version=0))


def test_an_indicator_whose_target_is_its_baseline_is_refused():
    indicator = IndicatorFactory(baseline=10, target=20)
    assert refused_by_database(lambda: Indicator.objects.filter(pk=indicator.pk).update(target=10))
    indicator.target = 10
    with pytest.raises(ValidationError) as error:
        indicator.full_clean()
    assert "target" in error.value.message_dict


def test_one_value_per_indicator_and_quarter():
    value = IndicatorValueFactory()
    assert refused_by_database(lambda: IndicatorValueFactory(indicator=value.indicator, quarter=value.quarter))
    assert IndicatorValue.objects.count() == 1


def test_one_reflection_per_question_and_quarter():
    reflection = LearningReflectionFactory()
    assert refused_by_database(
        lambda: LearningReflectionFactory(learning_question=reflection.learning_question, quarter=reflection.quarter)
    )


def test_an_initiative_has_one_lead_and_any_number_of_members():
    lead = MembershipFactory(role=Membership.Role.LEAD)
    initiative = lead.initiative
    assert refused_by_database(lambda: MembershipFactory(initiative=initiative, role=Membership.Role.LEAD))
    MembershipFactory(initiative=initiative, role=Membership.Role.MEMBER)
    MembershipFactory(initiative=initiative, role=Membership.Role.MEMBER)
    assert initiative.memberships.count() == 3
    assert refused_by_database(lambda: MembershipFactory(initiative=initiative, user=lead.user))


def test_initiative_numbers_are_unique_within_a_priority():
    initiative = InitiativeFactory(number=2)
    assert refused_by_database(lambda: InitiativeFactory(priority=initiative.priority, number=2))
    assert initiative.code == f"{initiative.priority.number}.2"
