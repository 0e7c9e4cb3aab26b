"""The admin's spreadsheet export page (django-import-export's) under civicplan's
Content-Security-Policy: its "Select all" box works through civicplan's script, as the
page's inline handler cannot."""

import re

import pytest
from django.conf import settings

from .conftest import DESKTOP, TIMEOUT_MS, login

pytestmark = pytest.mark.browser

# What the CSP refuses on this page, all of it django-import-export's template: two inline
# style attributes (cosmetic) and the inline onchange handler that admin_export.js replaces.
KNOWN_REFUSALS = (
    re.compile(r"^Applying inline style violates"),
    re.compile(r"^Executing inline event handler violates"),
)


def test_select_all_on_the_export_page(browser, live_server, demo_progress):
    context = browser.new_context(viewport=DESKTOP, base_url=live_server.url)
    context.set_default_timeout(TIMEOUT_MS)
    refusals = []
    page = context.new_page()
    page.on(
        "console",
        lambda message: (
            message.type == "error" and "Content Security Policy" in message.text and refusals.append(message.text)
        ),
    )
    try:
        login(page, live_server, "admin", settings.DEMO_PASSWORD)
        page.goto(f"{live_server.url}/admin/priorities/event/export/")
        fields = page.locator('.selectable-field-export-row input[type="checkbox"]:visible')
        assert fields.count() > 3
        assert all(fields.nth(i).is_checked() for i in range(fields.count()))

        page.get_by_label("Select all").uncheck()
        assert not any(fields.nth(i).is_checked() for i in range(fields.count()))
        page.get_by_label("Select all").check()
        assert all(fields.nth(i).is_checked() for i in range(fields.count()))
    finally:
        context.close()
    unexpected = [text for text in refusals if not any(known.search(text) for known in KNOWN_REFUSALS)]
    assert unexpected == [], "\n".join(refusals)
