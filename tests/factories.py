"""Test data: the minimum each test needs, made through the models."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import translation
from modeltranslation.settings import DEFAULT_LANGUAGE

from initiatives.models import (
    Indicator,
    IndicatorValue,
    Initiative,
    LearningReflection,
    Membership,
    Status,
    StatusUpdate,
)
from priorities.models import (
    AnnualPlan,
    Event,
    ExpectedResult,
    LearningQuestion,
    Quarter,
    StrategicPlan,
    StrategicPriority,
    quarter_bounds,
)


class ContentFactory(factory.django.DjangoModelFactory):
    """A part of the plan, its text (French here) written in the plan's language, the default
    one (``title`` is ``title_fr``), whatever language the test reads in: a factory makes no
    translation. A test that wants one names it (``title_en=...``)."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        with translation.override(DEFAULT_LANGUAGE):
            return super()._create(model_class, *args, **kwargs)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("pass-for-tests")


class StrategicPlanFactory(ContentFactory):
    class Meta:
        model = StrategicPlan
        django_get_or_create = ["slug"]

    slug = "2022-2027"
    title = "Plan stratégique 2022-2027"
    start_year = 2022
    end_year = 2027
    overall_goal = "Renforcer la société civile."


class AnnualPlanFactory(ContentFactory):
    """An annual plan with its four quarters."""

    class Meta:
        model = AnnualPlan
        django_get_or_create = ["slug"]
        skip_postgeneration_save = True

    strategic_plan = factory.SubFactory(StrategicPlanFactory)
    slug = "2022-23"
    title = "Plan annuel 2022-2023"
    start_date = datetime.date(2022, 7, 1)

    @factory.post_generation
    def quarters(plan, create, extracted, **kwargs):
        if not create:
            return
        for number in range(1, 5):
            start, end = quarter_bounds(plan.start_date, number)
            Quarter.objects.get_or_create(
                annual_plan=plan, number=number, defaults={"start_date": start, "end_date": end}
            )


class PriorityFactory(ContentFactory):
    class Meta:
        model = StrategicPriority

    annual_plan = factory.SubFactory(AnnualPlanFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.LazyAttribute(lambda p: f"Priorité {p.number}")
    short_title = factory.LazyAttribute(lambda p: f"Priorité {p.number}")
    statement = "Énoncé."


class ExpectedResultFactory(ContentFactory):
    class Meta:
        model = ExpectedResult

    priority = factory.SubFactory(PriorityFactory)
    number = factory.Sequence(lambda n: n + 1)
    text = factory.LazyAttribute(lambda r: f"Résultat {r.number}")


class LearningQuestionFactory(ContentFactory):
    class Meta:
        model = LearningQuestion

    priority = factory.SubFactory(PriorityFactory)
    number = 1
    text = "Qu'avons-nous appris ?"


class InitiativeFactory(ContentFactory):
    class Meta:
        model = Initiative

    priority = factory.SubFactory(PriorityFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.LazyAttribute(lambda i: f"Initiative {i.number}")
    description = "Description."


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    initiative = factory.SubFactory(InitiativeFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.LEAD


def quarter_of(plan: AnnualPlan, number: int) -> Quarter:
    return plan.quarters.get(number=number)


class StatusUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StatusUpdate

    initiative = factory.SubFactory(InitiativeFactory)
    quarter = factory.LazyAttribute(lambda u: quarter_of(u.initiative.priority.annual_plan, 1))
    status = Status.ON_TRACK
    narrative = "Avancement."


class IndicatorFactory(ContentFactory):
    class Meta:
        model = Indicator

    expected_result = factory.SubFactory(ExpectedResultFactory)
    number = factory.Sequence(lambda n: n + 1)
    name = factory.LazyAttribute(lambda i: f"Indicateur {i.number}")
    unit = "organisations"
    baseline = 10
    target = 20


class IndicatorValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorValue

    indicator = factory.SubFactory(IndicatorFactory)
    quarter = factory.LazyAttribute(lambda v: quarter_of(v.indicator.expected_result.priority.annual_plan, 1))
    value = 12


class LearningReflectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LearningReflection

    learning_question = factory.SubFactory(LearningQuestionFactory)
    quarter = factory.LazyAttribute(lambda r: quarter_of(r.learning_question.priority.annual_plan, 1))
    text = "Réflexion."


class EventFactory(ContentFactory):
    class Meta:
        model = Event

    annual_plan = factory.SubFactory(AnnualPlanFactory)
    quarter = factory.LazyAttribute(lambda e: quarter_of(e.annual_plan, 1))
    slug = factory.Sequence(lambda n: f"event-{n}")
    title = factory.Sequence(lambda n: f"Évènement {n}")


def grow(users, extra_per_priority=6):
    """Add initiatives with a team, updates in every quarter, indicators with values and events."""
    quarters = list(Quarter.objects.filter(annual_plan__slug="2022-23").order_by("number"))
    for priority in StrategicPriority.objects.filter(annual_plan__slug="2022-23"):
        result = priority.expected_results.first()
        for n in range(extra_per_priority):
            extra = InitiativeFactory(priority=priority, number=50 + n)
            extra.expected_results.add(result)
            MembershipFactory(initiative=extra, user=users["staff"], role=Membership.Role.MEMBER)
            MembershipFactory(initiative=extra, role=Membership.Role.LEAD)
            for quarter in quarters:
                StatusUpdateFactory(initiative=extra, quarter=quarter, status=Status.AT_RISK, risks="R")
        indicator = IndicatorFactory(expected_result=result, number=90)
        for quarter in quarters:
            IndicatorValueFactory(indicator=indicator, quarter=quarter)
        for quarter in quarters:
            EventFactory(annual_plan=priority.annual_plan, quarter=quarter, priority=priority)
