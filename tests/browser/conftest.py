"""Browser tests: a real Chromium driven through Playwright's sync API against Django's
live server.

Playwright cannot download its own browser here: it drives the Debian package
``chromium`` (``apt-get install -y chromium``; ``make browser`` does it when it can).
Without it the browser tests are skipped, unless ``CIVICPLAN_REQUIRE_BROWSER=1`` (CI),
which makes them fail instead.

Every browser test is marked ``browser`` and uses a transactional database (the live
server answers from another thread, so the data must be committed)::

    pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

A transactional test ends by emptying every table, so what the migrations wrote is gone
for the next one: ``seed_plan`` (tests/conftest.py) makes the role groups again.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings

# Playwright's sync API runs an event loop in the test's thread; Django refuses database
# work from a thread with a running loop unless told it is safe (it is: one thread here).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CIVICPLAN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
AXE_JS = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
# Where a page loads axe-core from: its own origin, answered by Playwright, never by the app.
AXE_PATH = "/__browser-tests__/axe.min.js"
TIMEOUT_MS = 15_000


def _require_browser() -> bool:
    return os.environ.get("CIVICPLAN_REQUIRE_BROWSER", "") not in ("", "0", "false", "no")


def _unavailable(reason: str):
    if _require_browser():
        pytest.fail(f"{reason} (CIVICPLAN_REQUIRE_BROWSER is set: browser tests may not be skipped)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole session."""
    if not os.path.exists(CHROMIUM):
        _unavailable(f"Chromium is not installed: apt-get install -y chromium (looked for {CHROMIUM})")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed: pip install -r requirements-dev.txt")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Open a page in a fresh context (its own cookies): ``new_page(phone=True)`` for a
    390x844 screen, ``java_script_enabled=False`` for a browser without JavaScript,
    ``language="en"`` for a user who chose English (the language cookie set_language sets),
    ``locale="fr-FR"`` for a browser set to French (its Accept-Language, which the site does
    not follow: the reader's choice or the site's LANGUAGE_CODE decide; Playwright's
    default is en-US), ``color_scheme="dark"`` for a system set to dark mode. Every context
    opened is closed at the end of the test, and the test fails if any page broke the
    Content-Security-Policy (Chromium reports each refusal on the console)."""
    contexts = []
    csp_violations = []

    def on_console(message):
        if message.type == "error" and "Content Security Policy" in message.text:
            csp_violations.append(f"{message.page.url if message.page else '?'}: {message.text}")

    def open_page(*, phone=False, java_script_enabled=True, language=None, locale=None, color_scheme="light"):
        context = browser.new_context(
            viewport=PHONE if phone else DESKTOP,
            java_script_enabled=java_script_enabled,
            base_url=live_server.url,
            locale=locale,
            color_scheme=color_scheme,
        )
        context.set_default_timeout(TIMEOUT_MS)
        if language:
            context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
        contexts.append(context)
        page = context.new_page()
        page.on("console", on_console)
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not csp_violations, "Content-Security-Policy violations:\n" + "\n".join(csp_violations)


@pytest.fixture
def page(new_page):
    """A desktop-size page (1280x900) in a new context."""
    return new_page()


@pytest.fixture
def phone_page(new_page):
    """A phone-size page (390x844) in a new context."""
    return new_page(phone=True)


def login(page, live_server, username: str, password: str | None = None):
    """Sign in through the real sign-in form; leaves the page on where it redirects."""
    page.goto(f"{live_server.url}/accounts/login/")
    form = page.locator("main form")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password or settings.DEMO_PASSWORD)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "/accounts/login/" not in page.url, f"{username} could not sign in"
    return page


def csrf_token(page) -> str:
    """The CSRF token of the page's context (the ``csrftoken`` cookie)."""
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    return cookies[settings.CSRF_COOKIE_NAME]


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core on the page as it stands; the violations of the given impacts.

    axe-core comes as a script file of the page's own origin (the CSP refuses an inline
    script, and the tests do not bypass it)."""
    origin = urlsplit(page.url)._replace(path="", query="", fragment="").geturl()
    page.route(f"{origin}{AXE_PATH}", lambda route: route.fulfill(path=AXE_JS, content_type="text/javascript"))
    page.add_script_tag(url=f"{origin}{AXE_PATH}")
    results = page.evaluate("async () => await axe.run()")
    return [v for v in results["violations"] if v.get("impact") in impacts]


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"]:
            lines.append(f"    {' > '.join(map(str, node['target']))}")
            if node.get("failureSummary"):
                lines.extend(f"      {line}" for line in node["failureSummary"].splitlines())
    return "\n".join(lines)


def assert_accessible(page, what: str):
    # Wait for the page to be complete (styles applied) before judging colours.
    page.wait_for_load_state("load")
    violations = axe_violations(page)
    assert not violations, f"axe-core on {what} ({page.url}):\n{format_violations(violations)}"
