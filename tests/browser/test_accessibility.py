"""axe-core on every page of the workspace: no violation of impact "serious" or "critical".

On failure the message lists each violation (rule, impact, help) and the elements it
found, so that it can be fixed in the templates or in static/civicplan/civicplan.css.
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from civicplan import editing
from initiatives.models import Initiative
from priorities import services
from priorities.models import AnnualPlan, Event, Quarter
from reporting import services as reporting_services
from tests.browser.conftest import assert_accessible, axe_violations, format_violations, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PLAN = "/plans/2022-23"
FPHN = "q1-forum-politique-de-haut-niveau"


def initiative_pk(priority: int, number: int) -> int:
    return Initiative.objects.get(priority__annual_plan__slug="2022-23", priority__number=priority, number=number).pk


def test_sign_in(page, live_server, demo_progress):
    page.goto("/accounts/login/")
    assert_accessible(page, "the sign-in page")


def test_sign_in_with_an_error(page, live_server, demo_progress):
    page.goto("/accounts/login/")
    page.locator("main form input[name=username]").fill("staff")
    page.locator("main form input[name=password]").fill("not the password")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator("main [role=alert]")).to_be_visible()
    assert_accessible(page, "the sign-in page with an error")


@pytest.mark.parametrize("username", ["staff", "editor", "board"])
def test_dashboard(page, live_server, demo_progress, username):
    login(page, live_server, username)
    page.goto("/")
    assert_accessible(page, f"the dashboard of {username}")


def test_dashboard_on_a_phone(phone_page, live_server, demo_progress):
    login(phone_page, live_server, "staff")
    phone_page.goto("/")
    assert_accessible(phone_page, "the dashboard at 390x844")


@pytest.mark.parametrize(
    "path",
    [
        f"{PLAN}/",
        f"{PLAN}/?status=at_risk",
        f"{PLAN}/?priority=2&status=&lead=staff2",
        f"{PLAN}/?status=completed&lead=staff2",  # nothing matches
        f"{PLAN}/calendar/",
        f"{PLAN}/about/",
    ],
    ids=["plan", "plan-at-risk", "plan-priority-lead", "plan-no-match", "calendar", "about"],
)
def test_plan_pages(page, live_server, demo_progress, path):
    login(page, live_server, "editor")  # editors see the most controls (quarter locks)
    page.goto(path)
    assert_accessible(page, path)


@pytest.mark.parametrize("number", [1, 2, 3, 4, 5])
def test_priority(page, live_server, demo_progress, number):
    login(page, live_server, "staff")
    page.goto(f"{PLAN}/priorities/{number}/")
    assert_accessible(page, f"priority {number}")


@pytest.mark.parametrize("username", ["staff", "editor"])
def test_initiative(page, live_server, demo_progress, username):
    login(page, live_server, username)
    page.goto(f"/initiatives/{initiative_pk(1, 2)}/")  # 1.2 has a submitted update: the editor's review form shows
    assert_accessible(page, f"initiative 1.2 as {username}")


def test_update_form(page, live_server, demo_progress):
    login(page, live_server, "staff")
    page.goto(f"/initiatives/{initiative_pk(4, 1)}/q3/")
    assert_accessible(page, "the Q3 update form of 4.1")


def test_update_form_with_errors(page, live_server, demo_progress):
    login(page, live_server, "staff")
    page.goto(f"/initiatives/{initiative_pk(4, 1)}/q3/")
    page.locator("input[name=status][value=at_risk]").check()
    page.locator("textarea[name=narrative]").fill("")
    page.locator("textarea[name=risks]").fill("")
    page.locator("input[name^=indicator_]").first.fill("-5")
    page.locator("button[name=submit]").click()
    expect(page.locator("#id_risks_error")).to_be_visible()
    expect(page.locator("#id_narrative_error")).to_be_visible()
    # The errors are announced and focused (a keyboard user is not sent back to the top).
    summary = page.locator(".error-summary[role=alert]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Nothing was saved")
    expect(summary.get_by_role("link", name="Risks")).to_have_attribute("href", "#id_risks")
    assert_accessible(page, "the Q3 update form of 4.1 with its errors")


@pytest.mark.parametrize(
    ("username", "path", "language"),
    [
        ("editor", f"{PLAN}/organisation/people/", "en"),  # submitted: the review form, and the lead form
        ("editor", f"{PLAN}/organisation/people/", "fr"),
        ("staff", f"{PLAN}/organisation/systems/q3/", "en"),
        ("staff", f"{PLAN}/organisation/systems/q3/", "fr"),
        ("editor", f"{PLAN}/rollover/", "en"),
        ("editor", f"{PLAN}/rollover/", "fr"),
        ("board", "/reports/2022-2027/years/", "en"),
        ("board", "/reports/2022-2027/years/", "fr"),
    ],
    ids=["page-en", "page-fr", "form-en", "form-fr", "rollover-en", "rollover-fr", "years-en", "years-fr"],
)
def test_pages_of_the_organisation_and_the_years(new_page, live_server, demo_progress, username, path, language):
    page = new_page(language=language)
    login(page, live_server, username)
    page.goto(path)
    expect(page.locator("html")).to_have_attribute("lang", language)
    assert_accessible(page, f"{path} in {language}")


def test_dark_mode(new_page, live_server, demo_progress):
    """Pico follows the system's dark mode: civicplan's own colours must stay readable on it."""
    page = new_page(color_scheme="dark")
    login(page, live_server, "editor")
    problems = []
    for path in ["/", f"{PLAN}/", f"{PLAN}/priorities/3/", f"/initiatives/{initiative_pk(1, 2)}/", f"{PLAN}/calendar/"]:
        page.goto(path)
        page.wait_for_load_state("load")
        if violations := axe_violations(page):
            problems.append(f"{path}:\n{format_violations(violations)}")
    page.goto(f"/initiatives/{initiative_pk(4, 1)}/q3/")
    page.locator("textarea[name=risks]").fill("")
    page.locator("input[name=status][value=at_risk]").check()
    page.locator("button[name=submit]").click()
    expect(page.locator("#id_risks_error")).to_be_visible()
    if violations := axe_violations(page):
        problems.append(f"{page.url} (with errors):\n{format_violations(violations)}")
    assert not problems, "axe-core in dark mode:\n" + "\n".join(problems)


@pytest.mark.parametrize(
    "path",
    ["initiative-edit", f"{PLAN}/calendar/events/new/", "/accounts/password_change/"],
    ids=["initiative-edit", "event-new", "password-change"],
)
def test_editor_forms(page, live_server, demo_progress, path):
    if path == "initiative-edit":
        path = f"/initiatives/{initiative_pk(1, 1)}/edit/"
    login(page, live_server, "editor")
    page.goto(path)
    assert_accessible(page, path)


def test_event_form_after_a_concurrent_change(page, live_server, demo_progress):
    """The edit form of an event, refused because someone else saved it meanwhile: what
    they changed is listed above the form, which keeps what the editor typed."""
    login(page, live_server, "editor")
    page.goto(f"{PLAN}/calendar/events/{FPHN}/edit/")
    event = Event.objects.get(annual_plan__slug="2022-23", slug=FPHN)
    services.event_update(
        user=get_user_model().objects.get(username="admin"),
        event=event,
        fingerprint=editing.edit_fingerprint(event),
        title_fr="FPHN 2022",
        start_date=datetime.date(2022, 7, 6),
    )
    page.locator("textarea[name=description_fr]").fill("Ma description.")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main [role=alert]")).to_contain_text("FPHN 2022")
    expect(page.locator("textarea[name=description_fr]")).to_have_value("Ma description.")
    assert_accessible(page, "the event form after a concurrent change")


def test_annual_report_with_the_lessons_form(page, live_server, demo_progress):
    """The annual report as an editor reads it: the form for the lessons learned above it,
    empty, then refused with its error, then the draft shown in the report."""
    login(page, live_server, "editor")
    page.goto("/reports/2022-23/annual/")
    assert_accessible(page, "the annual report with the lessons form")
    lessons = page.locator("textarea[name=lessons_fr]")
    lessons.fill("Ce que <b>l'année</b> nous a appris.")
    page.get_by_role("button", name="Start the draft").click()
    expect(page.locator("#id_lessons_fr_error")).to_be_visible()
    assert_accessible(page, "the lessons form with its error")
    lessons.fill("Ce que l'année nous a appris.")
    page.get_by_role("button", name="Start the draft").click()
    expect(page.locator("#lessons")).to_contain_text("Ce que l'année nous a appris.")
    assert_accessible(page, "the annual report with draft lessons and the publish button")


@pytest.mark.parametrize("kind", ["board-update", "annual-report"])
def test_publication_confirmation(page, live_server, demo_progress, kind):
    """The page that confirms a publication and asks its language: as it opens, refused
    with its error (no language chosen), then French chosen by its label."""
    editor = get_user_model().objects.get(username="editor")
    if kind == "board-update":
        quarter = Quarter.objects.get(annual_plan__slug="2022-23", number=2)
        reporting_services.board_update_save(user=editor, quarter=quarter, message_fr="Chers membres du Conseil.")
        draft, button = "/reports/2022-23/q2/board/", "Publish to the board"
    else:
        plan = AnnualPlan.objects.get(slug="2022-23")
        reporting_services.annual_review_save(user=editor, plan=plan, lessons_fr="Ce que l'année nous a appris.")
        draft, button = "/reports/2022-23/annual/", "Publish the annual report"
    login(page, live_server, "editor")
    page.goto(draft)
    page.get_by_role("button", name=button).click()
    expect(page.locator("main")).to_contain_text("Publishing is final.")
    assert_accessible(page, f"the {kind} publication's confirmation")
    # No language chosen (the choice is preset: unset it as a tampered form would).
    page.evaluate("document.querySelectorAll('input[name=language]').forEach(radio => { radio.checked = false; })")
    page.get_by_role("button", name="Publish, for good").click()
    expect(page.locator("main [role=alert]")).to_contain_text("Choose the language to publish in.")
    assert_accessible(page, f"the {kind} publication's confirmation with its error")
    page.get_by_label("French").check()
    expect(page.get_by_label("English")).not_to_be_checked()
    if kind == "board-update":  # the annual report's PDF takes longer to make than a click waits
        page.get_by_role("button", name="Publish, for good").click()
        expect(page.locator(".messages")).to_contain_text("Published in French.")
