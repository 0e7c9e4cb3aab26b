"""A locked quarter takes no change through the admin either (issue 11): its records are
read there, not changed or deleted, directly, through an inline or a bulk deletion; its
lock is removed on the site only, with a reason. The rule is the model's (clean()), so an
inline that gets a change through is refused too."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from initiatives import services
from initiatives.models import IndicatorValue, LearningReflection, StatusUpdate
from priorities.models import Quarter, QuarterLock
from tests.helpers import table_rows

pytestmark = pytest.mark.django_db

PLAN = "2022-23"


@pytest.fixture
def locked_q2(users):
    quarter = Quarter.objects.get_by_natural_key(PLAN, 2)
    services.quarter_lock(user=users["editor"], quarter=quarter, reason="Rapport envoyé au Conseil.")
    return quarter


@pytest.fixture
def admin_client(client, users):
    client.force_login(users["admin"])
    return client


def records_of(quarter):
    return [
        StatusUpdate.objects.filter(quarter=quarter).first(),
        IndicatorValue.objects.filter(quarter=quarter).first(),
        LearningReflection.objects.filter(quarter=quarter).first(),
    ]


def admin_url(record, view):
    return reverse(f"admin:initiatives_{record._meta.model_name}_{view}", args=[record.pk])


def test_a_record_of_a_locked_quarter_is_read_only_in_the_admin(admin_client, locked_q2):
    for record in records_of(locked_q2):
        page = admin_client.get(admin_url(record, "change"))
        assert page.status_code == 200, record
        assert 'name="_save"' not in page.content.decode(), record  # a view page, no Save
        before = table_rows("initiatives")
        assert admin_client.post(admin_url(record, "change"), {}).status_code == 403, record
        assert admin_client.post(admin_url(record, "delete"), {"post": "yes"}).status_code == 403, record
        assert table_rows("initiatives") == before


def test_a_record_of_an_open_quarter_is_still_changed_in_the_admin(admin_client, locked_q2):
    update = StatusUpdate.objects.filter(quarter__number=3).first()
    page = admin_client.get(admin_url(update, "change"))
    assert 'name="_save"' in page.content.decode()


def test_a_bulk_deletion_that_takes_a_locked_record_is_refused(admin_client, locked_q2):
    updates = StatusUpdate.objects.filter(quarter__number__in=[2, 3])[:4]
    before = table_rows("initiatives")
    response = admin_client.post(
        reverse("admin:initiatives_statusupdate_changelist"),
        {"action": "delete_selected", "_selected_action": [u.pk for u in updates], "post": "yes"},
    )
    assert response.status_code in (200, 403)
    assert table_rows("initiatives") == before


@pytest.mark.parametrize("model", [StatusUpdate, IndicatorValue, LearningReflection])
def test_the_model_refuses_a_change_in_a_locked_quarter_whatever_the_path(locked_q2, model):
    record = model.objects.filter(quarter=locked_q2).first()
    with pytest.raises(ValidationError) as refused:
        record.full_clean()
    assert refused.value.message_dict["quarter"] == ["Q2 is locked: it takes no change."]


def test_the_lock_is_shown_but_not_removed_in_the_admin(admin_client, locked_q2):
    url = reverse("admin:priorities_quarter_change", args=[locked_q2.pk])
    page = admin_client.get(url).content.decode()
    assert "Rapport envoyé au Conseil." in page
    assert "lock-0-DELETE" not in page and 'name="lock-0-reason"' not in page
    admin_client.post(url, {"lock-TOTAL_FORMS": "1", "lock-INITIAL_FORMS": "1", "lock-0-DELETE": "on"})
    assert QuarterLock.objects.filter(quarter=locked_q2).exists()


def test_a_lock_is_neither_made_nor_changed_nor_removed_in_its_own_admin(admin_client, locked_q2):
    """Locks are made and removed on the plan page only, where the service asks for a
    reason and records who and when: the lock's own admin pages read, never write."""
    lock = QuarterLock.objects.get(quarter=locked_q2)
    change = reverse("admin:priorities_quarterlock_change", args=[lock.pk])
    assert admin_client.get(change).status_code == 200
    assert 'name="_save"' not in admin_client.get(change).content.decode()
    before = table_rows("priorities")
    delete = reverse("admin:priorities_quarterlock_delete", args=[lock.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert admin_client.post(change, {"reason": "", "quarter": locked_q2.pk}).status_code == 403
    bulk = admin_client.post(
        reverse("admin:priorities_quarterlock_changelist"),
        {"action": "delete_selected", "_selected_action": [lock.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    assert admin_client.get(reverse("admin:priorities_quarterlock_add")).status_code == 403
    assert table_rows("priorities") == before
