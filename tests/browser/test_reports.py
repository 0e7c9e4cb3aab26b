"""The board reads its reports in a real Chromium: the list, a quarterly report, its PDF,
a published board update; axe-core on every report page."""

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.browser.conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REPORTS = "/reports/2022-23"


def test_board_member_opens_the_list_reads_a_report_and_downloads_its_pdf(page, live_server, demo_progress):
    login(page, live_server, "board")
    page.get_by_role("link", name="Reports").first.click()
    expect(page.get_by_role("heading", level=1, name="Reports")).to_be_visible()
    page.get_by_role("link", name="Report Q2").click()
    expect(page.get_by_role("heading", level=2, name="The quarter at a glance")).to_be_visible()
    # The plan's own text in the reader's language: the English, and none of the French.
    expect(page.locator("#priority-2-title")).to_contain_text("Coordinate targeted advocacy")
    expect(page.locator("main")).not_to_contain_text("Coordonner un plaidoyer ciblé")
    expect(page.locator("#priority-1 table.initiatives")).to_contain_text("CIVICUS Monitor")
    # The board sees no control to change anything on a report.
    expect(page.locator("main form:not(.language-switch) button, main textarea")).to_have_count(0)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download PDF").click()
    download = download_info.value
    assert download.suggested_filename == "civicplan-2022-23-q2-en.pdf"
    reader = PdfReader(download.path())
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert "Targeted advocacy" in text and "Plaidoyer ciblé" not in text
    assert f"page 1 of {len(reader.pages)}" in text


def test_editor_publishes_a_board_update_the_board_then_reads(new_page, live_server, demo_progress):
    editor = new_page()
    login(editor, live_server, "editor")
    editor.goto("/reports/")
    editor.get_by_role("link", name="Write the board update").nth(1).click()
    editor.get_by_label("Message (français)").fill("Chers membres du Conseil, le trimestre a été contrasté.")
    editor.get_by_label("Highlights (français)").fill("Lancement du rapport\nCOP27")
    editor.get_by_role("button", name="Start the draft").click()
    expect(editor.locator(".preview")).to_contain_text("le trimestre a été contrasté")
    editor.get_by_role("button", name="Publish to the board").click()
    expect(editor.locator("h1")).to_have_text("Publish the board update")  # a confirmation first
    editor.get_by_role("button", name="Publish, for good").click()
    expect(editor.locator(".messages")).to_contain_text("Published in English")

    board = new_page()
    login(board, live_server, "board")
    board.goto("/reports/")
    board.get_by_role("link", name="Board update", exact=True).click()
    expect(board.locator("h1")).to_contain_text("Update from the Secretary-General to the board")
    expect(board.locator("body")).to_contain_text("le trimestre a été contrasté")
    expect(board.locator(".running-footer")).to_contain_text("SHA-256")


@pytest.mark.parametrize(
    "path",
    ["/reports/", f"{REPORTS}/q2/", f"{REPORTS}/q3/", f"{REPORTS}/annual/"],
    ids=["list", "quarterly-q2", "quarterly-q3", "annual"],
)
def test_report_pages_are_accessible(page, live_server, demo_progress, path):
    login(page, live_server, "board")
    page.goto(path)
    assert_accessible(page, path)


def test_board_update_pages_are_accessible(page, live_server, demo_progress):
    login(page, live_server, "editor")
    page.goto(f"{REPORTS}/q2/board/")
    assert_accessible(page, "an empty board update form")
    page.get_by_label("Message (français)").fill("Un message.")
    page.get_by_role("button", name="Start the draft").click()
    assert_accessible(page, "a draft board update with its preview")
    page.get_by_role("button", name="Publish to the board").click()
    page.get_by_role("button", name="Publish, for good").click()
    expect(page.locator(".messages")).to_contain_text("Published")
    page.goto(f"{REPORTS}/q2/board/")
    assert_accessible(page, "a published board update")


def test_report_on_a_phone(phone_page, live_server, demo_progress):
    login(phone_page, live_server, "board")
    phone_page.goto(f"{REPORTS}/q2/")
    assert_accessible(phone_page, "a quarterly report at 390x844")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, f"the report scrolls sideways on a phone ({width}px wide)"
