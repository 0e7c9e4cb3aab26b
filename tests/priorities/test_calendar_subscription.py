"""A calendar program subscribes to the plan's calendar at a person's secret address,
without signing in; making a new address retires the old one."""

import icalendar
import pytest
from django.test import Client
from django.urls import reverse

from priorities.models import CalendarToken, Event
from tests.helpers import client_in

pytestmark = pytest.mark.django_db

CALENDAR = reverse("priorities:calendar", args=["2022-23"])
SUBSCRIBE = reverse("priorities:calendar_token", args=["2022-23"])


def signed_in(users, username):
    client = client_in("en")
    client.force_login(users[username])
    return client


def feed_url(key):
    return reverse("priorities:calendar_feed", args=["2022-23", key])


@pytest.mark.parametrize("username", ["staff", "editor", "board"])
def test_a_reader_makes_an_address_a_calendar_program_reads_without_signing_in(users, username):
    client = signed_in(users, username)
    page = client.get(CALENDAR).content.decode()
    assert "Make my subscription address" in page and "/calendar/" not in page.split('id="subscribe"')[1][:200]
    assert not CalendarToken.objects.exists()
    response = client.post(SUBSCRIBE)
    assert response.status_code == 302
    token = CalendarToken.objects.get(user=users[username])
    assert len(token.key) >= 40
    page = client.get(CALENDAR).content.decode()
    assert f"http://testserver{feed_url(token.key)}" in page

    anonymous = Client()
    response = anonymous.get(feed_url(token.key))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    # A shared cache never keeps it (a secret address); the calendar program asks again each
    # time, and an unchanged file is answered 304 (its ETag).
    assert {part.strip() for part in response["Cache-Control"].split(",")} == {"private", "no-cache"}
    assert anonymous.get(feed_url(token.key), headers={"If-None-Match": response["ETag"]}).status_code == 304
    calendar = icalendar.Calendar.from_ical(response.content)
    dated = Event.objects.filter(annual_plan__slug="2022-23", start_date__isnull=False).count()
    assert len(calendar.walk("VEVENT")) == dated > 0


def test_a_new_address_retires_the_old_one(users):
    client = signed_in(users, "board")
    client.post(SUBSCRIBE)
    old = CalendarToken.objects.get().key
    client.post(SUBSCRIBE)
    new = CalendarToken.objects.get().key
    assert new != old and CalendarToken.objects.count() == 1
    assert Client().get(feed_url(old)).status_code == 404
    assert Client().get(feed_url(new)).status_code == 200


def test_an_unknown_key_or_a_person_who_may_no_longer_read_finds_nothing(users):
    assert Client().get(feed_url("not-a-key")).status_code == 404
    client = signed_in(users, "staff")
    client.post(SUBSCRIBE)
    key = CalendarToken.objects.get().key
    users["staff"].is_active = False
    users["staff"].save()
    assert Client().get(feed_url(key)).status_code == 404
    users["staff"].is_active = True
    users["staff"].save()
    users["staff"].groups.clear()
    assert Client().get(feed_url(key)).status_code == 404


def test_making_an_address_needs_a_signed_in_reader_and_a_csrf_token(users, django_user_model):
    response = Client().post(SUBSCRIBE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    nobody = Client()
    nobody.force_login(django_user_model.objects.create_user("nobody", password="x"))
    assert nobody.post(SUBSCRIBE).status_code == 403
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(users["board"])
    assert strict.post(SUBSCRIBE).status_code == 403
    assert not CalendarToken.objects.exists()
