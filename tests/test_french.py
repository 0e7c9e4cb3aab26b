"""French done right (issue 14, item 3): T1-T4 where French readers (and the plan) say
trimestre, months by their full names (juin and juillet cannot be told apart as "jui"),
numbers with a decimal comma and no needless decimals."""

import decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from initiatives.models import IndicatorValue
from priorities.models import quarter_code
from tests.helpers import client_in

pytestmark = pytest.mark.django_db


def french(users, username="staff") -> Client:
    client = client_in("fr")
    client.force_login(users[username])
    return client


def test_a_quarter_is_t_in_french_and_q_in_english():
    with translation.override("fr"):
        assert quarter_code(3) == "T3"
    with translation.override("en"):
        assert quarter_code(3) == "Q3"


def test_the_french_report_says_t1_to_t3(users):
    page = french(users, "board").get(reverse("reporting:quarterly", args=["2022-23", 3])).content.decode()
    assert '<th scope="col">T1</th><th scope="col">T2</th><th scope="col">T3</th>' in page
    assert '<th scope="col">Q1</th>' not in page


def test_months_are_written_whole_in_french(users):
    page = french(users).get(reverse("dashboard")).content.decode()
    assert "juillet 2022 – septembre 2022" in page
    assert "jui " not in page.lower() and "jui<" not in page.lower()


def test_numbers_have_a_decimal_comma_and_no_needless_decimals(users):
    value = IndicatorValue.objects.get_by_natural_key("2022-23", 1, 1, 1, 1)
    value.value = decimal.Decimal("15.50")
    value.save()
    page = french(users).get(reverse("initiatives:priority", args=["2022-23", 1])).content.decode()
    row = page.split('id="indicator-1-1"')[1].split("</tr>")[0]
    assert "<td>15,50</td>" in row and "<td>12</td>" in row  # the value; the baseline, 12.00
    assert ".00" not in row


def test_the_sites_language_wins_over_the_browsers(settings):
    """An English browser on a French site reads French until its reader chooses English
    with the switch; a browser's own language is not a choice made here."""
    settings.LANGUAGE_CODE = "fr"
    browser_in_english = Client(headers={"Accept-Language": "en-US,en;q=0.9"})
    page = browser_in_english.get(reverse("login"))
    assert '<html lang="fr">' in page.content.decode()
    assert page["Content-Language"] == "fr"
    assert "Cookie" in page["Vary"]

    browser_in_english.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert '<html lang="en">' in browser_in_english.get(reverse("login")).content.decode()


def test_an_unknown_language_choice_reads_the_sites(settings):
    settings.LANGUAGE_CODE = "fr"
    assert '<html lang="fr">' in client_in("xx").get(reverse("login")).content.decode()
    settings.LANGUAGE_CODE = "en"
    assert '<html lang="en">' in client_in("xx").get(reverse("login")).content.decode()
    assert '<html lang="fr">' in client_in("fr").get(reverse("login")).content.decode()
