"""Odd input gets an answer, never a 500: digits that are not ASCII digits ("²": Python's
isdigit() says yes, int() says no), line breaks where a one-line value goes, and HEAD
(which HTTP requires wherever GET is answered)."""

import subprocess

import icalendar
import pytest
from django.conf import settings
from django.urls import reverse

from priorities.models import AnnualPlan
from priorities.resources import whole_number
from tests.helpers import table_rows

pytestmark = pytest.mark.django_db

PLAN = "2022-23"


def signed_in(client, users, username):
    client.force_login(users[username])
    return client


def test_a_quarter_written_as_a_superscript_digit_shows_the_dashboard(client, users):
    response = signed_in(client, users, "staff").get("/", {"quarter": "²"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("url", "posted"),
    [
        (reverse("priorities:expected_result_delete", args=[PLAN, 1, 1]), {"indicators": "²", "values": "²"}),
        (reverse("initiatives:indicator_delete", args=[PLAN, 1, 1, 1]), {"values": "²"}),
    ],
    ids=["expected-result", "indicator"],
)
def test_a_delete_confirmation_with_a_superscript_count_asks_again(client, users, url, posted):
    response = signed_in(client, users, "editor").post(url, posted)
    assert response.status_code == 400  # not confirmed from the page: it asks, and deletes nothing


def test_a_superscript_digit_in_a_number_column_is_refused_in_words():
    with pytest.raises(ValueError, match="«²» is not a whole number"):
        whole_number("²", "priority")


def test_a_plan_title_with_a_line_break_gives_a_one_line_calendar_name(client, users):
    AnnualPlan.objects.filter(slug=PLAN).update(title="Plan annuel\r\n2022-2023")
    response = signed_in(client, users, "board").get(reverse("priorities:calendar_ics", args=[PLAN]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "X-WR-CALNAME:Plan annuel 2022-2023\r\n" in body
    assert "\r" not in body.replace("\r\n", "")
    assert icalendar.Calendar.from_ical(response.content)["X-WR-CALNAME"] == "Plan annuel 2022-2023"


@pytest.mark.parametrize(
    "url",
    [
        "/healthz",
        reverse("priorities:calendar_ics", args=[PLAN]),
        reverse("initiatives:api-plan", args=[PLAN]),
        reverse("reporting:quarterly", args=[PLAN, 2]),
        reverse("reporting:annual-pdf", args=[PLAN]),
    ],
    ids=["healthz", "calendar", "api", "report", "pdf"],
)
def test_head_is_answered_where_get_is(client, users, url):
    signed_in(client, users, "board")
    get, head = client.get(url), client.head(url)
    assert (get.status_code, head.status_code) == (200, 200)
    assert head["Content-Type"] == get["Content-Type"]
    assert head.content == b""


@pytest.mark.parametrize(
    ("url", "status"),
    [
        # Django's own views look up a field named "" (a server error): refused as any
        # field the admin does not allow.
        ("/admin/priorities/event/1/change/?_to_field=", 400),
        ("/admin/axes/accessattempt/1/delete/?_to_field=", 400),
        # django-simple-history's History page looked up "abc" as a number.
        ("/admin/priorities/event/abc/history/", 404),
        ("/admin/priorities/event/:/history/", 404),
    ],
)
def test_odd_admin_addresses_are_refused_not_a_server_error(client, users, url, status):
    assert signed_in(client, users, "admin").get(url).status_code == status


@pytest.mark.parametrize(
    "form",
    [
        pytest.param({"narrative": "x" * (7 * 1024 * 1024)}, id="7 MB of text"),
        pytest.param({f"field{i}": "x" for i in range(1001)}, id="1001 fields"),
    ],
)
def test_an_oversized_request_is_refused_and_writes_nothing(client, users, form):
    """Beyond the documented body limits (docs/operations.md): 400, nothing written."""
    before = table_rows("initiatives")
    initiative = users["staff"].memberships.first().initiative
    url = reverse("initiatives:update", args=[initiative.pk, 3])
    response = signed_in(client, users, "staff").post(url, {"status": "on_track", "action": "draft", **form})
    assert response.status_code == 400
    assert table_rows("initiatives") == before


def test_a_missing_page_says_so_in_the_readers_language_with_a_way_back(client, users):
    response = signed_in(client, users, "staff").get("/plans/2022-23/nothing-here/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in page and 'href="/"' in page and "Sign out" in page
    client.cookies["django_language"] = "fr"
    french = client.get("/plans/2022-23/nothing-here/")
    assert "<h1>Page introuvable</h1>" in french.content.decode()


def test_a_refused_page_says_so_with_a_way_back(client, users):
    response = signed_in(client, users, "board").get(reverse("initiatives:edit", args=[1]))
    page = response.content.decode()
    assert response.status_code == 403
    assert "<h1>Not allowed</h1>" in page and 'href="/"' in page


def test_the_server_error_page_needs_no_request(settings):
    from django.template.loader import render_to_string

    page = render_to_string("500.html")
    assert "Something went wrong" in page and "Nothing you sent was saved." in page


def test_make_run_serves_the_sites_own_error_pages():
    """``make run`` is the demo people try: it serves with DEBUG off (static files still
    served, by runserver --insecure), so a wrong address shows the site's 404 page, not
    Django's debug page; RUN_DEBUG=true brings the debug pages back for a developer."""

    def runserver_line(*args):
        command = ["make", "-n", "run", *args]  # noqa: S607 (a dry run of our own Makefile)
        made = subprocess.run(command, cwd=settings.BASE_DIR, capture_output=True, text=True)  # noqa: S603
        assert made.returncode == 0, made.stderr
        return next(line for line in made.stdout.splitlines() if "runserver" in line)

    assert runserver_line().startswith("DEBUG=false ") and "--insecure" in runserver_line()
    assert runserver_line("RUN_DEBUG=true").startswith("DEBUG=true ")
    # With one background worker beside it (reporting/tasks.py), stopped with it.
    made = subprocess.run(["make", "-n", "run"], cwd=settings.BASE_DIR, capture_output=True, text=True)  # noqa: S603, S607
    worker = [line for line in made.stdout.splitlines() if "manage.py db_worker" in line]
    assert len(worker) == 1 and worker[0].rstrip(" \\").endswith("&"), worker
    assert "trap 'kill 0'" in made.stdout
