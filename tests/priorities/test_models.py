"""The plan's rules, held by the database itself (so they hold on PostgreSQL and SQLite,
whatever path the write takes) and explained by full_clean()."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from priorities.models import AnnualPlan, Event, Quarter, StrategicPriority, quarter_bounds
from tests.factories import AnnualPlanFactory, EventFactory, PriorityFactory
from tests.helpers import refused_by_database

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "number, expected",
    [
        (1, (datetime.date(2022, 7, 1), datetime.date(2022, 9, 30))),
        (2, (datetime.date(2022, 10, 1), datetime.date(2022, 12, 31))),
        (3, (datetime.date(2023, 1, 1), datetime.date(2023, 3, 31))),
        (4, (datetime.date(2023, 4, 1), datetime.date(2023, 6, 30))),
    ],
)
def test_quarters_run_july_to_june(number, expected):
    assert quarter_bounds(datetime.date(2022, 7, 1), number) == expected


def test_quarter_bounds_refuse_a_fifth_quarter():
    with pytest.raises(ValueError, match="1-4"):
        quarter_bounds(datetime.date(2022, 7, 1), 5)


def test_a_plan_year_starting_in_january_ends_in_december():
    plan_start = datetime.date(2024, 1, 1)
    assert quarter_bounds(plan_start, 4) == (datetime.date(2024, 10, 1), datetime.date(2024, 12, 31))


def test_priority_numbers_are_unique_within_a_plan_not_across_plans():
    first = PriorityFactory(number=1)
    assert refused_by_database(lambda: PriorityFactory(annual_plan=first.annual_plan, number=1))
    other_plan = AnnualPlanFactory(slug="2023-24", start_date=datetime.date(2023, 7, 1))
    PriorityFactory(annual_plan=other_plan, number=1)
    assert StrategicPriority.objects.filter(number=1).count() == 2


def test_priority_number_zero_is_refused():
    plan = AnnualPlanFactory()
    assert refused_by_database(lambda: PriorityFactory(annual_plan=plan, number=0))


def test_a_fifth_quarter_is_refused():
    plan = AnnualPlanFactory()
    assert plan.quarters.count() == 4
    assert refused_by_database(
        lambda: Quarter.objects.create(
            annual_plan=plan, number=5, start_date=datetime.date(2023, 7, 1), end_date=datetime.date(2023, 9, 30)
        )
    )
    assert plan.quarters.count() == 4


def test_a_quarter_ending_before_it_starts_is_refused():
    plan = AnnualPlanFactory()
    assert refused_by_database(
        lambda: Quarter.objects.filter(annual_plan=plan, number=1).update(end_date=datetime.date(2022, 6, 1))
    )


def test_a_title_over_its_length_is_refused_by_the_database():
    """SQLite ignores max_length; the check constraint makes both databases refuse."""
    priority = PriorityFactory()
    assert refused_by_database(lambda: StrategicPriority.objects.filter(pk=priority.pk).update(title="x" * 5000))
    priority.refresh_from_db()
    assert len(priority.title) < 300
    priority.title = "x" * 5000
    with pytest.raises(ValidationError) as error:
        priority.full_clean()
    assert "title" in error.value.message_dict


class TestEventDates:
    def test_dates_inside_the_quarter_are_kept(self):
        event = EventFactory(start_date=datetime.date(2022, 7, 5), end_date=datetime.date(2022, 7, 15))
        event.full_clean()
        assert Event.objects.get(pk=event.pk).end_date == datetime.date(2022, 7, 15)

    def test_an_undated_event_is_kept(self):
        event = EventFactory(start_date=None, end_date=None)
        event.full_clean()

    @pytest.mark.parametrize(
        "start, end",
        [
            (datetime.date(2022, 11, 15), None),  # Q2 date on a Q1 event
            (datetime.date(2022, 9, 20), datetime.date(2022, 10, 2)),  # runs past the quarter
            (datetime.date(2022, 6, 30), None),  # before the plan year
        ],
    )
    def test_a_date_outside_the_quarter_is_refused_by_the_database(self, start, end):
        plan = AnnualPlanFactory()
        q1 = plan.quarters.get(number=1)
        assert refused_by_database(
            lambda: Event.objects.create(
                annual_plan=plan, quarter=q1, slug="hors", title="Hors trimestre", start_date=start, end_date=end
            )
        )
        assert not Event.objects.filter(slug="hors").exists()

    def test_moving_a_dated_event_to_another_quarter_is_refused_by_the_database(self):
        event = EventFactory(start_date=datetime.date(2022, 8, 12))
        q2 = event.annual_plan.quarters.get(number=2)
        assert refused_by_database(lambda: Event.objects.filter(pk=event.pk).update(quarter=q2))

    def test_full_clean_names_the_quarter(self):
        event = EventFactory.build(
            annual_plan=AnnualPlanFactory(),
            start_date=datetime.date(2022, 11, 15),
        )
        event.quarter = event.annual_plan.quarters.get(number=1)
        with pytest.raises(ValidationError) as error:
            event.full_clean()
        assert "2022-11-15" in str(error.value.message_dict["start_date"])
        assert "Q1" in str(error.value.message_dict["start_date"])

    def test_an_end_before_the_start_is_refused(self):
        plan = AnnualPlanFactory()
        q1 = plan.quarters.get(number=1)
        assert refused_by_database(
            lambda: Event.objects.create(
                annual_plan=plan,
                quarter=q1,
                slug="envers",
                title="À l'envers",
                start_date=datetime.date(2022, 8, 10),
                end_date=datetime.date(2022, 8, 1),
            )
        )

    def test_an_end_without_a_start_is_refused(self):
        plan = AnnualPlanFactory()
        q1 = plan.quarters.get(number=1)
        assert refused_by_database(
            lambda: Event.objects.create(
                annual_plan=plan, quarter=q1, slug="fin", title="Fin seule", end_date=datetime.date(2022, 8, 1)
            )
        )

    def test_slugs_are_unique_within_a_plan(self):
        event = EventFactory(slug="assemblee")
        assert refused_by_database(lambda: EventFactory(annual_plan=event.annual_plan, slug="assemblee"))

    def test_an_unknown_kind_is_refused(self):
        event = EventFactory()
        assert refused_by_database(lambda: Event.objects.filter(pk=event.pk).update(kind="party"))


def test_natural_keys_find_what_they_name():
    priority = PriorityFactory(number=3)
    plan = priority.annual_plan
    assert AnnualPlan.objects.get_by_natural_key(*plan.natural_key()) == plan
    assert StrategicPriority.objects.get_by_natural_key(*priority.natural_key()) == priority
    assert priority.natural_key() == ("2022-23", 3)
    q2 = plan.quarters.get(number=2)
    assert Quarter.objects.get_by_natural_key("2022-23", 2) == q2
