"""The pages a phone (390x844) is used for: each role's home, the round's tracker, the
quarterly and annual reports.

On each: the page never scrolls sideways as a whole; the header, its menu folded, takes
at most a fifth of the screen; no text is smaller than 12px; axe-core finds nothing serious.
The menu opens by keyboard and by tap (a <details>, without a script); the dashboard names
the quarter of each status; a report's wide tables scroll in their own box.
"""

import pytest
from playwright.sync_api import expect

from .conftest import PHONE, TIMEOUT_MS, assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PLAN = "/plans/2022-23"
QUARTERLY = "/reports/2022-23/q3/"
ANNUAL = "/reports/2022-23/annual/"
SMALLEST_TEXT_PX = 12
HEADER_SHARE = 0.20

PAGES = [
    ("staff", "/"),
    ("editor", "/"),
    ("board", "/"),
    ("editor", f"{PLAN}/rounds/q3/"),
    ("board", f"{PLAN}/rounds/q3/"),
    ("board", QUARTERLY),
    ("board", ANNUAL),
]
IDS = ["home-staff", "home-editor", "home-board", "tracker-editor", "tracker-board", "quarterly", "annual"]

# Every text of the page, but a chart's (checked apart) and what is hidden from the eye.
SMALL_TEXTS = """(limit) => {
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, element = node.parentElement;
    if (!node.textContent.trim() || element.closest('svg, .visually-hidden, .skip-link')) continue;
    const box = element.getBoundingClientRect();
    const style = getComputedStyle(element);
    if (!box.width || !box.height || style.visibility === 'hidden') continue;
    if (parseFloat(style.fontSize) < limit) found.push(`${style.fontSize}: ${node.textContent.trim().slice(0, 40)}`);
  }
  return found;
}"""


def _phone(new_page, live_server, username: str, path: str):
    page = new_page(phone=True, language="en")
    login(page, live_server, username)
    page.goto(path)
    page.wait_for_load_state("load")
    return page


@pytest.mark.parametrize(("username", "path"), PAGES, ids=IDS)
def test_a_page_fits_a_phone(new_page, live_server, demo_progress, username, path):
    page = _phone(new_page, live_server, username, path)
    width = page.evaluate(
        "({scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth,"
        " inner: window.innerWidth})"
    )
    assert width["scroll"] <= width["inner"] and width["scroll"] <= width["client"], (
        f"{path} scrolls sideways on a phone: {width}"
    )
    header = page.locator("body > header").bounding_box()["height"]
    assert header <= PHONE["height"] * HEADER_SHARE, f"the header takes {header:.0f}px of {PHONE['height']}"
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports")).to_be_hidden()
    assert page.evaluate(SMALL_TEXTS, SMALLEST_TEXT_PX) == []
    assert_accessible(page, f"{path} of {username} at 390x844")


@pytest.mark.parametrize("username", ["staff", "editor"])
def test_the_dashboard_names_the_quarter_of_each_status(new_page, live_server, demo_progress, username):
    page = _phone(new_page, live_server, username, "/")
    table = page.locator("section[aria-labelledby=mine-heading] table")
    expect(table.locator("thead")).to_be_hidden()  # the header row, with the quarters, is not shown ...
    rows = table.locator("tbody tr")
    assert rows.count() >= 1
    for i in range(rows.count()):
        labels = rows.nth(i).locator(".cell-label")
        expect(labels).to_have_text(["Q1", "Q2", "Q3", "Q4"])  # ... each status says its quarter
        for j in range(4):
            expect(labels.nth(j)).to_be_visible()
            box, chip = labels.nth(j).bounding_box(), rows.nth(i).locator("td .status").nth(j).bounding_box()
            assert abs(box["y"] - chip["y"]) < box["height"], "a quarter's label stands apart from its status"
    switch = page.get_by_role("navigation", name="Show another quarter")
    for code in ["Q1", "Q2", "Q3", "Q4"]:
        expect(switch.get_by_role("link", name=code)).to_be_visible()


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_the_menu_opens_by_keyboard(new_page, live_server, demo_progress, js):
    page = new_page(phone=True, language="en", java_script_enabled=js)
    login(page, live_server, "staff")
    menu = page.get_by_role("navigation", name="Main")
    reports = menu.get_by_role("link", name="Reports")
    expect(reports).to_be_hidden()
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # civicplan
    page.keyboard.press("Tab")
    expect(menu.locator("summary")).to_be_focused()
    page.keyboard.press("Enter")
    expect(reports).to_be_visible()
    page.keyboard.press("Tab")
    expect(menu.get_by_role("link", name="My work")).to_be_focused()
    with page.expect_navigation():
        reports.focus()
        page.keyboard.press("Enter")
    assert page.url.endswith("/reports/")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    expect(page.get_by_role("navigation", name="Main").get_by_role("button", name="Sign out (Samuel)")).to_be_visible()
    header = page.locator("body > header").bounding_box()["height"]
    page.keyboard.press("Space")  # and folds again
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Reports")).to_be_hidden()
    assert page.locator("body > header").bounding_box()["height"] < header


def test_the_menu_opens_by_tap(browser, live_server, demo_progress):
    """A touch screen (a context with touch events, as a phone's browser)."""
    context = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True, base_url=live_server.url)
    context.set_default_timeout(TIMEOUT_MS)
    refused = []
    page = context.new_page()
    page.on("console", lambda m: m.type == "error" and "Content Security Policy" in m.text and refused.append(m.text))
    try:
        login(page, live_server, "board")
        menu = page.get_by_role("navigation", name="Main")
        expect(menu.get_by_role("link", name="Reports")).to_be_hidden()
        menu.locator("summary").tap()
        expect(menu.get_by_role("link", name="Reports")).to_be_visible()
        with page.expect_navigation():
            menu.get_by_role("link", name="Reports").tap()
        assert page.url.endswith("/reports/")
    finally:
        context.close()
    assert refused == []


def test_on_a_desktop_the_menu_stands_open(page, live_server, demo_progress):
    login(page, live_server, "staff")
    menu = page.get_by_role("navigation", name="Main")
    expect(menu.locator("summary")).to_be_hidden()
    for name in ["My work", "The plan", "Calendar", "Reports", "Password"]:
        expect(menu.get_by_role("link", name=name)).to_be_visible()
    assert page.locator("body > header").bounding_box()["height"] < 120  # one line


@pytest.mark.parametrize("path", [QUARTERLY, ANNUAL], ids=["quarterly", "annual"])
def test_a_reports_wide_tables_scroll_in_their_box(new_page, live_server, demo_progress, path):
    page = _phone(new_page, live_server, "board", path)
    boxes = page.locator(".report .table-scroll")
    assert boxes.count() >= 5
    wide = 0
    for i in range(boxes.count()):
        box = boxes.nth(i)
        size = box.evaluate(
            "e => ({scroll: e.scrollWidth, client: e.clientWidth, right: e.getBoundingClientRect().right,"
            " overflow: getComputedStyle(e).overflowX, column: Math.min(...[...e.querySelectorAll('tbody tr')]"
            ".map((row) => row.firstElementChild).filter((cell) => cell && cell.colSpan === 1)"
            ".map((cell) => cell.getBoundingClientRect().width))})"
        )
        assert size["right"] <= PHONE["width"], f"table {i} stands out of the page: {size}"
        assert size["overflow"] in ("auto", "scroll"), f"table {i} is clipped: {size}"
        # Its first column (what the row is about) keeps a readable width, not a word a line.
        assert size["column"] >= 96, f"table {i}'s first column is squeezed: {size}"
        if size["scroll"] > size["client"]:
            wide += 1
            # Scrolled with the keyboard: the box takes the focus, the arrows move it.
            box.focus()
            page.keyboard.press("ArrowRight")
            page.keyboard.press("End")
            expect(box).not_to_have_js_property("scrollLeft", 0)
    assert wide >= 1, "no table is wider than a phone: nothing was checked"


@pytest.mark.parametrize("path", [QUARTERLY, ANNUAL], ids=["quarterly", "annual"])
def test_chart_legends_are_readable_on_a_phone(new_page, live_server, demo_progress, path):
    page = _phone(new_page, live_server, "board", path)
    sizes = page.evaluate(
        """() => [...document.querySelectorAll('.report .chart svg')].map((svg) => {
             const text = svg.querySelector('.legends text');
             if (!text) return null;
             const drawn = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
             const name = svg.querySelector('title')?.textContent || svg.closest('figure').textContent.trim();
             return [name, Math.round(parseFloat(text.getAttribute('font-size')) * drawn * 10) / 10];
           }).filter(Boolean)"""
    )
    assert sizes, "no chart with a legend"
    small = [(chart, px) for chart, px in sizes if px < SMALLEST_TEXT_PX]
    assert small == [], f"legends drawn smaller than {SMALLEST_TEXT_PX}px on a phone: {small}"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
