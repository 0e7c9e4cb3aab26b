"""The reporting round in a real browser (issue 12): each role's first screen from the
demo as `make run` loads it, the round page read by axe in French and English, and an
editor closing the round and locking the quarter without JavaScript. And the pages a
reader meets when something is refused or missing (403, 404), read by axe too."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from priorities.models import Quarter, ReportingRound
from tests.browser.conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROUND = "/plans/2022-23/rounds/q3/"


@pytest.fixture
def as_make_run(demo_progress):
    """The demo as `make run` has it: Q1 and Q2 locked too."""
    call_command("load_demo", verbosity=0)


def test_each_role_lands_on_something_meaningful(new_page, live_server, as_make_run):
    staff = new_page(language="en")
    login(staff, live_server, "staff")
    expect(staff.locator("section[aria-labelledby=round-heading]")).to_contain_text(
        "The Q3 round is open: updates are due on 15 April 2023."
    )
    due = staff.locator("section[aria-labelledby=due-heading] li")
    # 4.1 draft, 4.2 missing, and the organisational priority "Systems" (in English), a draft
    expect(due).to_have_count(3)
    expect(due.nth(2)).to_contain_text("Systems: draft, not submitted")

    editor = new_page(language="en")
    login(editor, live_server, "editor")
    editor.get_by_role("link", name="Follow the Q3 round: who has reported").click()
    expect(editor.locator("#tracker-heading + p")).to_contain_text("11 of 18 updates submitted or approved (61 %).")

    board = new_page(language="en")
    login(board, live_server, "board")
    expect(board.get_by_role("heading", name="The latest board update")).to_be_visible()
    expect(board.get_by_role("link", name="The Q1 board update")).to_be_visible()
    expect(board.get_by_role("link", name="The Q3 trend report")).to_be_visible()
    expect(board.get_by_text("My work")).to_have_count(0)


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("username", ["editor", "board"])
def test_the_round_page_is_accessible(new_page, live_server, as_make_run, language, username):
    page = new_page(language=language)
    login(page, live_server, username)
    page.goto(ROUND)
    assert_accessible(page, f"the Q3 round ({language}, {username})")
    page.goto("/plans/2022-23/rounds/q4/")
    assert_accessible(page, f"the Q4 round, not opened ({language}, {username})")


def test_the_board_home_is_accessible(new_page, live_server, as_make_run):
    page = new_page(language="fr")
    login(page, live_server, "board")
    assert_accessible(page, "the board's home")


def test_an_editor_closes_the_round_and_locks_the_quarter_without_javascript(new_page, live_server, as_make_run):
    page = new_page(java_script_enabled=False, language="en")
    login(page, live_server, "editor")
    page.goto(ROUND)
    page.get_by_label("Lock the quarter too").check()
    page.get_by_label("Why (recorded with the lock)").fill("Rapport T3 envoyé au Conseil.")
    page.get_by_role("button", name="Close the Q3 round").click()
    expect(page.get_by_role("status")).to_contain_text("The Q3 round is closed and the quarter locked.")
    assert not ReportingRound.objects.get(quarter__number=3).is_open
    assert Quarter.objects.get(annual_plan__slug="2022-23", number=3).locked

    page.goto("/plans/2022-23/rounds/q4/")
    page.get_by_label("Due date").fill("2023-07-14")
    page.get_by_role("button", name="Open the round").click()
    expect(page.get_by_role("status")).to_contain_text("The Q4 round is open.")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_error_pages_are_accessible(new_page, live_server, demo_progress, language):
    page = new_page(language=language)
    login(page, live_server, "board")
    page.goto("/plans/2022-23/nothing-here/")
    assert_accessible(page, f"the 404 page ({language})")
    page.goto("/initiatives/1/edit/")
    assert_accessible(page, f"the 403 page ({language})")
