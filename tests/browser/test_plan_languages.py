"""The plan's own text in each reader's language, in a real Chromium (issue 16): an English
reader reads the English plan, a French reader the French, and a text with no English yet
shows the French, tagged and marked as French; axe-core finds nothing on either."""

import pytest
from playwright.sync_api import expect

from priorities.models import StrategicPriority
from tests.browser.conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PRIORITY = "/plans/2022-23/priorities/1/"
TITLE = {
    "en": "Generate timely knowledge and analyses",
    "fr": "Générer des connaissances et des analyses en temps opportun",
}


@pytest.mark.parametrize("language", ["en", "fr"])
def test_each_reader_reads_the_plan_in_their_language(new_page, live_server, demo_progress, language):
    page = new_page(language=language)
    login(page, live_server, "board")
    page.goto(live_server.url + PRIORITY)
    other = "fr" if language == "en" else "en"
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE[language])
    expect(page.locator("main")).not_to_contain_text(TITLE[other])
    expect(page.locator(".fallback-language")).to_have_count(0)
    page.goto(live_server.url + "/reports/2022-23/q2/")
    expect(page.locator("#priority-1-title")).to_contain_text(TITLE[language])
    assert_accessible(page, f"the quarterly report in {language}")


def test_a_missing_english_title_shows_the_french_marked_as_french(new_page, live_server, demo_progress):
    StrategicPriority.objects.filter(annual_plan__slug="2022-23", number=1).update(title_en="")
    page = new_page(language="en")
    login(page, live_server, "board")
    page.goto(live_server.url + PRIORITY)
    heading = page.get_by_role("heading", level=1)
    expect(heading.locator('span[lang="fr"]')).to_contain_text(TITLE["fr"])
    expect(heading.locator(".fallback-language")).to_have_text("(en français)")
    assert_accessible(page, "a priority whose title has no English")
