"""Signing in and out, and changing or resetting a password, through Django's auth views."""

import re

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(django_user_model):
    return django_user_model.objects.create_user("amina", email="amina@example.org", password="old-secret-pass")


def test_sign_in_then_out(client, person):
    response = client.post(reverse("login"), {"username": "amina", "password": "old-secret-pass"})
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")
    assert client.session.get("_auth_user_id") == str(person.pk)
    client.post(reverse("logout"))
    assert "_auth_user_id" not in client.session


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(client, person):
    response = client.post(reverse("login"), {"username": "amina", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_change_password(client, person):
    client.force_login(person)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "old-secret-pass",
            "new_password1": "a-new-long-passphrase",
            "new_password2": "a-new-long-passphrase",
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password("a-new-long-passphrase")


def test_reset_password_by_email(client, person, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "amina@example.org"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mailoutbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0]
    response = client.post(
        set_url, {"new_password1": "reset-long-passphrase", "new_password2": "reset-long-passphrase"}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password("reset-long-passphrase")


def test_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mailoutbox == []


def test_reset_e_mails_to_one_address_are_limited_per_hour(client, person, mailoutbox, settings):
    """Three an hour to one address (PASSWORD_RESET_PER_ADDRESS); the fourth request gets
    the same answer and sends nothing."""
    assert settings.PASSWORD_RESET_PER_ADDRESS == 3
    for _request in range(4):
        response = client.post(reverse("password_reset"), {"email": "Amina@Example.org "})
        assert response.status_code == 302
        assert response["Location"] == reverse("password_reset_done")
    assert len(mailoutbox) == 3


def test_reset_requests_from_one_client_are_limited_per_hour(person, django_user_model, mailoutbox, settings):
    """Ten an hour from one client address (PASSWORD_RESET_PER_CLIENT), whatever the
    addresses asked for; another client is not held back by it."""
    settings.PASSWORD_RESET_PER_ADDRESS = 100
    for n in range(11):
        django_user_model.objects.create_user(f"p{n}", email=f"p{n}@example.org", password="x-long-passphrase")
    crowd = Client(REMOTE_ADDR="198.51.100.20")
    for n in range(11):
        assert crowd.post(reverse("password_reset"), {"email": f"p{n}@example.org"}).status_code == 302
    assert len(mailoutbox) == 10
    other = Client(REMOTE_ADDR="192.0.2.30")
    assert other.post(reverse("password_reset"), {"email": "amina@example.org"}).status_code == 302
    assert len(mailoutbox) == 11
