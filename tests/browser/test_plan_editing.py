"""An editor edits the plan's structure in a real Chromium, from the priority page, with
and without JavaScript; and axe-core on every editing page, with and without errors."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from civicplan import editing
from initiatives.models import Indicator
from priorities import services
from tests.browser.conftest import axe_violations, format_violations, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PRIORITY = "/plans/2022-23/priorities/1/"
JS = pytest.mark.parametrize("js", [True, False], ids=["javascript", "no-javascript"])


def indicator_1_1_1() -> Indicator:
    return Indicator.objects.get_by_natural_key("2022-23", 1, 1, 1)


def stored(indicator: Indicator) -> tuple:
    return (indicator.name, indicator.unit, indicator.baseline, indicator.target, indicator.direction)


@JS
def test_an_editor_changes_an_indicators_target_from_the_priority_page(new_page, live_server, demo_progress, js):
    page = new_page(java_script_enabled=js, language="en")
    login(page, live_server, "editor")
    page.goto(PRIORITY)
    row = page.locator("#indicator-1-1")
    expect(row.locator("td").nth(1)).to_have_text("30")

    with page.expect_navigation():
        page.get_by_role("link", name="Edit indicator 1.1.1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit indicator 1.1.1")
    target = page.get_by_label("Target")
    expect(target).to_have_value("30.00")
    target.fill("36")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the indicator").click()

    assert page.url == f"{live_server.url}{PRIORITY}#indicator-1-1"
    expect(page.get_by_role("status")).to_contain_text("Indicator 1.1.1 saved.")
    expect(page.locator("#indicator-1-1 td").nth(1)).to_have_text("36")
    assert indicator_1_1_1().target == 36
    assert indicator_1_1_1().history.first().history_user.username == "editor"


@JS
def test_a_bad_target_keeps_what_was_typed_and_shows_the_error(new_page, live_server, demo_progress, js):
    page = new_page(java_script_enabled=js, language="en")
    before = stored(indicator_1_1_1())
    login(page, live_server, "editor")
    page.goto(f"{PRIORITY}results/1/indicators/1/edit/")
    page.get_by_label("Name (français)").fill("Campagnes appuyées sur nos analyses")
    page.get_by_label("Target").fill("12")  # The baseline.
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Save the indicator").click()
    assert posted.value.status == 400

    target = page.get_by_label("Target")
    error = page.locator("#id_target_error")
    expect(error).to_have_text("The target must differ from the baseline.")
    # Beside the field, and tied to it for screen readers.
    expect(page.locator("#id_target ~ #id_target_error")).to_have_count(1)
    expect(target).to_have_attribute("aria-invalid", "true")
    expect(target).to_have_attribute("aria-describedby", re.compile(r"\bid_target_error\b"))
    expect(target).to_have_value("12")
    expect(page.get_by_label("Name (français)")).to_have_value("Campagnes appuyées sur nos analyses")
    assert stored(indicator_1_1_1()) == before

    # Not a number either: said beside the baseline, and still nothing saved.
    page.get_by_label("Baseline").fill("douze")
    page.get_by_label("Target").fill("40")
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Save the indicator").click()
    assert posted.value.status == 400
    expect(page.locator("#id_baseline_error")).to_have_text("Enter a number.")
    expect(page.get_by_label("Baseline")).to_have_value("douze")
    assert stored(indicator_1_1_1()) == before

    # Fixed, it saves what was typed.
    page.get_by_label("Baseline").fill("12")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the indicator").click()
    # The English page shows the English name, unchanged; the French one was saved as typed.
    expect(page.locator("#indicator-1-1 th")).to_contain_text("Alliance advocacy and campaign initiatives")
    assert (indicator_1_1_1().name_fr, indicator_1_1_1().target) == ("Campagnes appuyées sur nos analyses", 40)


def test_deleting_an_indicator_says_how_many_values_go_with_it(page, live_server, demo_progress):
    login(page, live_server, "editor")
    page.goto(f"{PRIORITY}results/2/indicators/2/edit/")
    with page.expect_navigation():
        page.get_by_role("link", name="Delete this indicator").click()
    expect(page.locator("#consequences")).to_contain_text("3")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.url == f"{live_server.url}{PRIORITY}#results-heading"
    expect(page.locator("#indicator-2-2")).to_have_count(0)
    assert not Indicator.objects.filter(expected_result__priority__number=1, expected_result__number=2, number=2)


EDIT_PAGES = [
    PRIORITY,
    f"{PRIORITY}edit/",
    f"{PRIORITY}results/new/",
    f"{PRIORITY}results/2/edit/",
    f"{PRIORITY}results/2/delete/",
    f"{PRIORITY}questions/1/edit/",
    f"{PRIORITY}results/2/indicators/new/",
    f"{PRIORITY}results/2/indicators/1/edit/",
    f"{PRIORITY}results/2/indicators/1/delete/",
]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_editing_pages_are_accessible(new_page, live_server, demo_progress, language):
    page = new_page(language=language)
    login(page, live_server, "editor")
    problems = []

    def check(what):
        page.wait_for_load_state("load")
        if violations := axe_violations(page):
            problems.append(f"{what} ({page.url}):\n{format_violations(violations)}")

    for path in EDIT_PAGES:
        page.goto(path)
        check(path)

    # With errors beside fields.
    page.goto(f"{PRIORITY}results/2/indicators/1/edit/")
    page.locator("input[name=baseline]").fill("abc")
    page.locator("input[name=name_fr]").fill("")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#id_baseline_error")).to_be_visible()
    check("the indicator form with errors")
    page.goto(f"{PRIORITY}edit/")
    page.locator("input[name=title_fr]").fill("")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#id_title_fr_error")).to_be_visible()
    check("the priority form with an error")

    # Someone else's change, refused with what they changed.
    page.goto(f"{PRIORITY}results/2/edit/")
    result = Indicator.objects.get_by_natural_key("2022-23", 1, 2, 1).expected_result
    services.expected_result_update(
        user=get_user_model().objects.get(username="admin"),
        result=result,
        fingerprint=editing.edit_fingerprint(result),
        text_fr="Leur version.",
    )
    page.locator("textarea[name=text_fr]").fill("Ma version.")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("main [role=alert]")).to_contain_text("Leur version.")
    check("the expected result form after a concurrent change")

    assert not problems, "axe-core:\n" + "\n".join(problems)
