"""The suite's own machinery (tests/conftest.py): each test sees the world it asks for,
no more, and a query-count failure names the SQL that ran."""

import pytest
from django.contrib.auth import get_user_model

from initiatives.models import Initiative, StatusUpdate
from priorities.models import AnnualPlan
from tests.helpers import DEMO_USERNAMES


def test_a_test_without_the_plan_sees_an_empty_plan(db):
    assert not AnnualPlan.objects.exists() and not Initiative.objects.exists()


def test_the_seed_plan_comes_without_the_demo_progress(seed_plan):
    assert AnnualPlan.objects.filter(slug="2022-23").exists()
    assert Initiative.objects.count() > 0
    assert not StatusUpdate.objects.exists()
    assert not get_user_model().objects.filter(username__in=DEMO_USERNAMES).exists()


@pytest.mark.parametrize("attempt", [1, 2])
def test_the_demo_progress_is_there_and_a_tests_writes_are_not_kept(demo_progress, attempt):
    """Run twice: the second finds the update the first deleted."""
    assert set(get_user_model().objects.values_list("username", flat=True)) >= set(DEMO_USERNAMES)
    count = StatusUpdate.objects.count()
    assert count > 0
    StatusUpdate.objects.all()[:1].get().delete()
    assert StatusUpdate.objects.count() == count - 1


def test_a_query_count_failure_lists_the_sql(db, django_assert_num_queries):
    with pytest.raises(pytest.fail.Exception) as failure, django_assert_num_queries(0):
        AnnualPlan.objects.filter(slug="no-such-plan").exists()
    assert "Expected 0 queries, 1 ran" in str(failure.value)
    assert "no-such-plan" in str(failure.value) or "priorities_annualplan" in str(failure.value)
