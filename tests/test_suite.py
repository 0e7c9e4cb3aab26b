"""The suite's own machinery (tests/conftest.py): each test sees the world it asks for,
no more, and a query-count failure names the SQL that ran."""

import pytest
from django.contrib.auth import get_user_model

from initiatives.models import Initiative, StatusUpdate
from priorities.models import AnnualPlan
from tests import snapshots
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


def _every_row() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        return {table: sorted(rows, key=repr) for table, (_, rows) in snapshots._state(cursor).items()}


@pytest.mark.django_db(transaction=True)
def test_a_world_put_back_by_sql_is_the_world_its_fixtures_load():
    """A transactional test after the first gets the rows the first load left, put back
    (tests/snapshots.py): the same rows with the same ids, the database's own (content
    types, permissions, groups) included, sequences that go on after them and a data version
    of its own."""
    from django.contrib.auth.models import Group
    from django.contrib.sessions.models import Session
    from django.core.management import call_command
    from django.utils import timezone

    from civicplan import versions
    from tests.conftest import DEMO, _load_world

    snapshot = snapshots.taken_around(lambda: _load_world(DEMO))
    assert {"initiatives_statusupdate", "auth_permission", "auth_group"} <= set(snapshot.tables)
    loaded, version = _every_row(), versions.current()
    # As pytest-django empties the database after a transactional test: its post-migrate
    # makes content types and permissions again, with new ids.
    call_command("flush", interactive=False, verbosity=0, reset_sequences=False)
    assert snapshots.put_back(snapshot)
    put_back = _every_row()
    del loaded["civicplan_dataversion"], put_back["civicplan_dataversion"]
    assert put_back == loaded
    assert versions.current() != version
    # The sequences go on after the rows put back.
    users, groups = get_user_model().objects, Group.objects
    highest_user, highest_group = max(users.values_list("pk", flat=True)), max(groups.values_list("pk", flat=True))
    assert users.create_user("after", password="x" * 20).pk > highest_user
    assert groups.create(name="after").pk > highest_group
    # Over a database holding what the snapshot has no rows for: nothing written.
    Session.objects.create(session_key="x" * 32, session_data="", expire_date=timezone.now())
    before = _every_row()
    assert not snapshots.put_back(snapshot)
    assert _every_row() == before
