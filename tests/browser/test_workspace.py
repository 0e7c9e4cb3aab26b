"""The staff workspace in a real browser: signing in, writing and submitting a quarterly
update from the dashboard (with and without JavaScript), errors that keep what was typed,
who may not write, and the language switch. Each test asserts what the user sees and what
the database holds before and after."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from initiatives.models import IndicatorValue, Initiative, LearningReflection, ReviewState, Status, StatusUpdate
from tests.browser.conftest import csrf_token, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PLAN = "2022-23"
JS = pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])


def initiative(code: str) -> Initiative:
    priority, number = (int(part) for part in code.split("."))
    return Initiative.objects.get(priority__annual_plan__slug=PLAN, priority__number=priority, number=number)


def tracking(init: Initiative, quarter: int) -> dict:
    """Everything a quarterly update writes, as plain values, to compare before and after."""
    update = (
        StatusUpdate.objects.filter(initiative=init, quarter__number=quarter)
        .values("status", "narrative", "risks", "next_steps", "review_state", "version", "author_id", "updated_at")
        .first()
    )
    values = sorted(
        IndicatorValue.objects.filter(indicator__expected_result__initiatives=init, quarter__number=quarter)
        .distinct()
        .values_list("indicator_id", "value", "updated_at")
    )
    reflections = sorted(
        LearningReflection.objects.filter(
            learning_question__priority=init.priority, quarter__number=quarter
        ).values_list("learning_question_id", "text", "updated_at")
    )
    return {"update": update, "values": values, "reflections": reflections}


def update_url(init: Initiative, quarter: int) -> str:
    return f"/initiatives/{init.pk}/q{quarter}/"


def is_update_post(response) -> bool:
    return response.request.method == "POST" and re.search(r"/initiatives/\d+/q\d/$", response.url) is not None


@JS
def test_staff_submits_the_due_update_from_the_dashboard(new_page, live_server, demo_progress, js):
    page = new_page(java_script_enabled=js, language="en")
    # The demo's open round is Q3 (due 15 April 2023); 4.2, which staff leads, has no update.
    init, quarter = initiative("4.2"), 3
    assert tracking(init, quarter)["update"] is None

    login(page, live_server, "staff")
    assert page.url == f"{live_server.url}/"
    due = page.locator("section[aria-labelledby=due-heading]")
    expect(page.locator("section[aria-labelledby=round-heading]")).to_contain_text(
        "The Q3 round is open: updates are due on 15 April 2023."
    )
    link = due.get_by_role("link", name=re.compile(r"^4\.2 "))
    expect(link).to_have_attribute("href", update_url(init, quarter))
    link.click()
    page.wait_for_url(f"**{update_url(init, quarter)}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Q{quarter} update")

    page.get_by_role("radio", name="At risk").check()
    page.get_by_label("Progress this quarter").fill("Launched the Lens survey in three regions.")
    page.get_by_label("Risks").fill("Two partners may pull out before the survey closes.")
    with page.expect_response(is_update_post) as posted:
        page.get_by_role("button", name="Submit for review").click()
    response = posted.value
    # htmx posts it in place with JavaScript; without, the browser posts the form itself.
    assert (response.request.headers.get("hx-request") == "true") is js
    assert response.status == (200 if js else 302)

    page.wait_for_url(f"**/initiatives/{init.pk}/")
    expect(page.get_by_role("status")).to_contain_text("Update submitted for review.")
    row = page.locator(f"tr#q{quarter}")
    expect(row.locator(".status")).to_have_text("At risk")
    expect(row).to_contain_text("Launched the Lens survey in three regions.")
    expect(row).to_contain_text("Two partners may pull out before the survey closes.")
    expect(row).to_contain_text("Submitted")

    update = StatusUpdate.objects.get(initiative=init, quarter__number=quarter)
    assert update.review_state == ReviewState.SUBMITTED
    assert update.status == Status.AT_RISK
    assert update.narrative == "Launched the Lens survey in three regions."
    assert update.risks == "Two partners may pull out before the survey closes."
    assert update.author.username == "staff"
    assert update.submitted_at is not None

    page.get_by_role("link", name="My work").click()
    page.wait_for_url(f"{live_server.url}/")
    expect(
        page.locator("section[aria-labelledby=due-heading]").get_by_role("link", name=re.compile(r"^4\.2 "))
    ).to_have_count(0)
    mine = page.locator("section[aria-labelledby=mine-heading] tbody tr").filter(has_text="4.2 ")
    expect(mine.locator("td").nth(quarter - 1)).to_contain_text("At risk")


@JS
def test_a_bad_value_keeps_what_was_typed_and_saves_nothing(new_page, live_server, demo_progress, js):
    page = new_page(java_script_enabled=js, language="en")
    init, quarter = initiative("4.1"), 3  # staff's Q3 draft: there is something to leave unchanged
    before = tracking(init, quarter)
    assert before["update"] is not None and before["update"]["review_state"] == ReviewState.DRAFT

    login(page, live_server, "staff")
    page.goto(update_url(init, quarter))
    narrative = "Trust survey drafted; fieldwork moved to May."
    page.get_by_role("radio", name="At risk").check()
    page.get_by_label("Progress this quarter").fill(narrative)
    page.get_by_label("Risks").fill("")
    count = page.locator("input[name^=indicator_]").first
    count.fill("-5")
    with page.expect_response(is_update_post) as posted:
        page.get_by_role("button", name="Submit for review").click()
    assert posted.value.status == 400
    assert (posted.value.request.headers.get("hx-request") == "true") is js

    risks = page.get_by_label("Risks")
    risks_error = page.locator("#id_risks_error")
    expect(risks_error).to_be_visible()
    expect(risks_error).to_have_text("Say what puts the initiative at risk or off track.")
    # Beside the field, and tied to it for screen readers.
    expect(risks).to_have_attribute("aria-invalid", "true")
    expect(risks).to_have_attribute("aria-describedby", re.compile(r"\bid_risks_error\b"))
    expect(page.locator("#id_risks ~ #id_risks_error")).to_have_count(1)

    count = page.locator("input[name^=indicator_]").first
    count_id = count.get_attribute("id")
    expect(count).to_have_value("-5")
    expect(count).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"#{count_id}_error")).to_contain_text("greater than or equal to 0")

    expect(page.get_by_label("Progress this quarter")).to_have_value(narrative)
    expect(page.get_by_role("radio", name="At risk")).to_be_checked()
    assert tracking(init, quarter) == before

    # Fixing the mistakes saves it, with what was typed before.
    page.get_by_label("Risks").fill("The polling firm's contract is late.")
    count.fill("2")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(f"**/initiatives/{init.pk}/")
    expect(page.get_by_role("status")).to_contain_text("Draft saved.")
    update = StatusUpdate.objects.get(initiative=init, quarter__number=quarter)
    assert (update.status, update.narrative, update.review_state) == (Status.AT_RISK, narrative, ReviewState.DRAFT)
    assert update.risks == "The polling firm's contract is late."
    assert update.version == before["update"]["version"] + 1


@JS
def test_a_concurrent_edit_is_shown_and_keeps_what_was_typed(new_page, live_server, demo_progress, js):
    page = new_page(java_script_enabled=js, language="en")
    init, quarter = initiative("4.1"), 3
    login(page, live_server, "staff")
    page.goto(update_url(init, quarter))
    mine = "My version of the quarter."
    page.get_by_label("Progress this quarter").fill(mine)

    # Meanwhile an editor changes the same update.
    update = StatusUpdate.objects.get(initiative=init, quarter__number=quarter)
    update.narrative = "The editor's version."
    update.version += 1
    update.save()

    with page.expect_response(is_update_post) as posted:
        page.get_by_role("button", name="Save draft").click()
    assert posted.value.status == 409
    alert = page.locator("#update-form [role=alert]")
    expect(alert).to_contain_text("Someone else saved this update while you were writing.")
    # Only what the editor changed is named, by its label in the form, with its value now.
    expect(alert).to_contain_text("What they changed: Progress this quarter.")
    expect(alert.locator("dt")).to_have_text(["Progress this quarter"])
    expect(alert.locator("dd")).to_have_text(["The editor's version."])
    expect(page.get_by_label("Progress this quarter")).to_have_value(mine)
    assert StatusUpdate.objects.get(pk=update.pk).narrative == "The editor's version."

    # Saving again, knowingly, replaces theirs.
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(f"**/initiatives/{init.pk}/")
    assert StatusUpdate.objects.get(pk=update.pk).narrative == mine


def test_the_board_sees_no_edit_control_and_a_forged_post_is_refused(page, live_server, demo_progress):
    init, quarter = initiative("1.1"), 3
    before = tracking(init, quarter)
    login(page, live_server, "board")

    main = page.locator("main")
    expect(main.get_by_role("link", name=re.compile(r"update|edit|write", re.I))).to_have_count(0)
    page.goto(f"/initiatives/{init.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("1.1")
    expect(main.locator("form")).to_have_count(0)
    expect(main.get_by_role("button")).to_have_count(0)
    expect(main.get_by_role("link", name=re.compile(r"update|edit|write", re.I))).to_have_count(0)
    expect(main.locator(f"a[href*='/q{quarter}/']")).to_have_count(0)

    response = page.goto(update_url(init, quarter))
    assert response.status == 403

    token = csrf_token(page)
    forged = page.request.post(
        f"{live_server.url}{update_url(init, quarter)}",
        form={
            "csrfmiddlewaretoken": token,
            "status": Status.OFF_TRACK,
            "narrative": "Forged by the board.",
            "risks": "None.",
            "next_steps": "",
            "fingerprint": "x",
            "submit": "1",
        },
        headers={"Referer": f"{live_server.url}/initiatives/{init.pk}/"},
        max_redirects=0,
    )
    assert forged.status == 403
    # Refused for who the user is (civicplan's 403 page), not for a bad token (Django's CSRF page).
    assert "Not allowed" in forged.text() and "CSRF verification failed" not in forged.text()
    assert tracking(init, quarter) == before


def test_staff_may_not_write_another_leads_initiative(page, live_server, demo_progress):
    init, quarter = initiative("2.1"), 3  # led by staff2
    before = tracking(init, quarter)
    login(page, live_server, "staff")

    page.goto(f"/initiatives/{init.pk}/")
    expect(page.locator("main form")).to_have_count(0)
    expect(page.locator(f"main a[href*='/initiatives/{init.pk}/q']")).to_have_count(0)

    response = page.goto(update_url(init, quarter))
    assert response.status == 403

    forged = page.request.post(
        f"{live_server.url}{update_url(init, quarter)}",
        form={
            "csrfmiddlewaretoken": csrf_token(page),
            "status": Status.COMPLETED,
            "narrative": "Not mine to write.",
            "fingerprint": "x",
            "submit": "1",
        },
        headers={"Referer": f"{live_server.url}/initiatives/{init.pk}/"},
        max_redirects=0,
    )
    assert forged.status == 403
    assert "Not allowed" in forged.text() and "CSRF verification failed" not in forged.text()
    assert tracking(init, quarter) == before


def _french(text: str) -> str:
    with translation.override("fr"):
        return translation.gettext(text)


def _check_language(page, code: str, other: str, other_name: str):
    expect(page.locator("html")).to_have_attribute("lang", code)
    switch = page.locator("header form.language-switch button[name=language]")
    expect(switch).to_have_count(1)
    expect(switch).to_have_attribute("value", other)
    expect(switch).to_have_text(other_name)


def test_the_language_switch_goes_to_english_and_back(new_page, live_server, demo_progress):
    page = new_page(language="fr")  # a reader who chose French
    login(page, live_server, "staff")
    french_my_work = _french("My work")
    translated = french_my_work != "My work"  # a French catalogue is compiled
    nav = page.locator("header nav")

    _check_language(page, "fr", "en", "English")
    if translated:
        expect(nav).to_contain_text(french_my_work)

    with page.expect_navigation():
        page.locator("header form.language-switch button[name=language]").click()
    assert page.url == f"{live_server.url}/"  # back where the user was
    _check_language(page, "en", "fr", "Français")
    expect(nav.get_by_role("link", name="My work")).to_be_visible()

    with page.expect_navigation():
        page.locator("header form.language-switch button[name=language]").click()
    _check_language(page, "fr", "en", "English")
    if translated:
        expect(nav).to_contain_text(french_my_work)


def test_the_language_switch_works_before_signing_in(new_page, live_server, demo_progress):
    page = new_page(language="fr")
    page.goto("/accounts/login/")
    _check_language(page, "fr", "en", "English")
    with page.expect_navigation():
        page.locator("header form.language-switch button[name=language]").click()
    assert "/accounts/login/" in page.url
    _check_language(page, "en", "fr", "Français")
    login(page, live_server, "staff")
    expect(page.locator("html")).to_have_attribute("lang", "en")


@JS
def test_an_editor_reviews_in_place(new_page, live_server, demo_progress, js):
    """With JavaScript the review cell changes in place (no page load); without it the page
    reloads with the same result."""
    update = StatusUpdate.objects.get(initiative=initiative("1.2"), quarter__number=3)
    assert update.review_state == ReviewState.SUBMITTED
    page = login(new_page(java_script_enabled=js), live_server, "editor")
    page.goto(f"/initiatives/{update.initiative_id}/")
    cell = page.locator(f"#review-{update.pk}")
    if js:
        page.evaluate("window.notReloaded = true")
    cell.get_by_label("Or return it, saying why").fill("Merci d'ajouter les chiffres du trimestre.")
    cell.get_by_role("button", name="Return").click()
    expect(page.locator(f"#review-{update.pk}")).to_contain_text("Merci d'ajouter les chiffres du trimestre.")
    expect(page.locator(f"#review-{update.pk}")).to_contain_text("Returned")
    if js:
        assert page.evaluate("window.notReloaded") is True, "the page was reloaded"
    update.refresh_from_db()
    assert (update.review_state, update.review_comment) == (
        ReviewState.RETURNED,
        "Merci d'ajouter les chiffres du trimestre.",
    )
