"""Review and quarter locks answered in place for htmx, with the state before and after;
the same POST without htmx still reloads the page (JavaScript off)."""

import pytest
from django.test import Client
from django.urls import reverse

from initiatives.models import ReviewState, StatusUpdate
from priorities.models import Quarter, QuarterLockChange
from tests.helpers import client_in

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def editor(demo_progress, django_user_model):
    client = client_in("en")
    client.force_login(django_user_model.objects.get(username="editor"))
    return client


def submitted():
    return StatusUpdate.objects.filter(review_state=ReviewState.SUBMITTED).select_related("quarter").first()


def test_approve_in_place_answers_the_cell(editor):
    update = submitted()
    response = editor.post(reverse("initiatives:review", args=[update.pk]), {"action": "approve"}, headers=HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert f'<td id="review-{update.pk}">' in body
    assert "Update approved." in body and "<html" not in body
    update.refresh_from_db()
    assert update.review_state == ReviewState.APPROVED


def test_return_without_a_comment_keeps_the_form_and_changes_nothing(editor):
    update = submitted()
    url = reverse("initiatives:review", args=[update.pk])
    response = editor.post(url, {"action": "return", "comment": ""}, headers=HTMX)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode() and 'name="comment"' in response.content.decode()
    update.refresh_from_db()
    assert update.review_state == ReviewState.SUBMITTED
    response = editor.post(url, {"action": "return", "comment": "Précisez les chiffres."}, headers=HTMX)
    assert response.status_code == 200 and "Précisez les chiffres." in response.content.decode()
    update.refresh_from_db()
    assert (update.review_state, update.review_comment) == (ReviewState.RETURNED, "Précisez les chiffres.")


def test_without_htmx_the_page_reloads(editor):
    update = submitted()
    response = editor.post(reverse("initiatives:review", args=[update.pk]), {"action": "approve"})
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.review_state == ReviewState.APPROVED


@pytest.mark.parametrize(
    ("given", "followed"),
    [("/reports/", True), ("https://elsewhere.example/phish", False), ("//elsewhere.example/", False)],
    ids=["this-site", "another-site", "scheme-relative"],
)
def test_after_a_review_the_page_goes_back_only_to_this_site(editor, given, followed):
    update = submitted()
    response = editor.post(reverse("initiatives:review", args=[update.pk]), {"action": "approve", "next": given})
    assert response.status_code == 302
    assert response["Location"] == (given if followed else reverse("initiatives:detail", args=[update.initiative_id]))


def test_lock_and_unlock_in_place(editor):
    q4 = Quarter.objects.get(annual_plan__slug="2022-23", number=4)
    url = reverse("initiatives:lock", args=["2022-23", 4])
    response = editor.post(url, {"action": "lock"}, headers=HTMX)
    assert response.status_code == 200
    assert '<li id="quarter-lock-4">' in response.content.decode() and "Q4 locked." in response.content.decode()
    assert Quarter.objects.select_related("lock").get(pk=q4.pk).locked
    refused = editor.post(url, {"action": "unlock", "reason": ""}, headers=HTMX)
    assert refused.status_code == 400 and 'role="alert"' in refused.content.decode()
    assert Quarter.objects.select_related("lock").get(pk=q4.pk).locked
    unlocked = editor.post(url, {"action": "unlock", "reason": "Correction d'un chiffre"}, headers=HTMX)
    assert unlocked.status_code == 200 and "Q4 unlocked." in unlocked.content.decode()
    assert not Quarter.objects.select_related("lock").get(pk=q4.pk).locked
    assert QuarterLockChange.objects.filter(quarter=q4, locked=False, reason="Correction d'un chiffre").exists()


@pytest.mark.parametrize("username", ["staff", "board"])
def test_others_are_refused_in_place_too(demo_progress, django_user_model, username):
    client = Client()
    client.force_login(django_user_model.objects.get(username=username))
    update = submitted()
    assert (
        client.post(reverse("initiatives:review", args=[update.pk]), {"action": "approve"}, headers=HTMX).status_code
        == 403
    )
    assert (
        client.post(reverse("initiatives:lock", args=["2022-23", 4]), {"action": "lock"}, headers=HTMX).status_code
        == 403
    )
    update.refresh_from_db()
    assert update.review_state == ReviewState.SUBMITTED
    assert not Quarter.objects.select_related("lock").get(annual_plan__slug="2022-23", number=4).locked
