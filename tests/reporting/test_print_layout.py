"""The reports on paper (issue 14, item 1): the demo's Q3 report and annual report as the board
receives them, read back with poppler's ``pdftotext -bbox`` (each word with its box, in points).

Every word is inside the page's text block (print.css: A4, margins 22 mm top and bottom,
18 mm left and right): no table runs off the page, no chart spills into a margin. The
margins hold the running header (plan and quarter, from the second page) and "page X of Y",
and nothing else. The quarterly report fits on 14 pages in French and in English, its cover
carries the organisation's name and logo, and no chart label is cut short.

The PDFs are rendered once for the module (a few seconds each), through the views, with the
demo plan and progress and an organisation set, in a transaction rolled back at the end.
"""

import html
import io
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from PIL import Image

from civicplan.models import Organisation
from tests.helpers import DEMO_FIXTURE, PLAN_FIXTURE

POINTS_PER_MM = 72 / 25.4
# print.css: @page { margin: 22mm 18mm 22mm 18mm }
MARGIN_TOP = MARGIN_BOTTOM = 22 * POINTS_PER_MM
MARGIN_SIDE = 18 * POINTS_PER_MM
# A glyph's box, as poppler reads it from the font, may stand a hair outside the line box
# that WeasyPrint laid out; a visually hidden table caption (1px, margin -1px) too.
TOLERANCE = 1.0
MAX_QUARTERLY_PAGES = 14
ORGANISATION = "CIVICUS"
PLAN_TITLE = {"fr": "Plan annuel 2022-2023", "en": "Annual Plan 2022-2023"}  # the plan's title in each language
RUNNING_TITLE = {"fr": "Plan annuel 2022-2023, T3", "en": "Annual Plan 2022-2023, Q3"}
PAGE_NUMBER = {"fr": r"page (\d+) sur (\d+)", "en": r"page (\d+) of (\d+)"}
PDFS = {
    "q3-fr": "/reports/2022-23/q3/pdf/?lang=fr",
    "q3-en": "/reports/2022-23/q3/pdf/?lang=en",
    "annual-fr": "/reports/2022-23/annual/pdf/?lang=fr",
}

# The tests read bytes only, but the module's PDFs are made from the test database: marked,
# so that pytest-django sets that database up (and nothing reaches another).
pytestmark = [pytest.mark.django_db, pytest.mark.documents]


@pytest.fixture(autouse=True, scope="module")
def _poppler() -> None:
    """poppler's tools, asked for first: without them the module skips (or fails, where
    CIVICPLAN_REQUIRE_POPPLER says they must be there, as in CI) before making PDFs."""
    if shutil.which("pdftotext") and shutil.which("pdfimages"):
        return
    reason = (
        "poppler's pdftotext and pdfimages are not installed (apt-get install poppler-utils): "
        "they read where each word is and which page draws an image"
    )
    if os.environ.get("CIVICPLAN_REQUIRE_POPPLER", "") not in ("", "0", "false", "no"):
        pytest.fail(f"{reason} (CIVICPLAN_REQUIRE_POPPLER is set: these tests may not be skipped)", pytrace=False)
    pytest.skip(reason)


def logo() -> bytes:
    """A small PNG logo, as an admin would upload it."""
    buffer = io.BytesIO()
    Image.new("RGB", (120, 48), (29, 78, 216)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def pdfs(django_db_setup, django_db_blocker) -> dict[str, bytes]:
    """The PDFs, by name, rendered once; what they were made from is rolled back."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("loaddata", PLAN_FIXTURE, verbosity=0)
        call_command("create_demo_users", "--force", verbosity=0)
        call_command("loaddata", DEMO_FIXTURE, verbosity=0)
        Organisation.objects.update_or_create(
            pk=Organisation.ONE, defaults={"name": ORGANISATION, "logo": logo(), "logo_type": "image/png"}
        )
        client = Client()
        client.force_login(get_user_model().objects.get(username="board"))
        rendered = {}
        for name, url in PDFS.items():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            assert response["Content-Type"] == "application/pdf"
            rendered[name] = response.content
        transaction.set_rollback(True)
    return rendered


@dataclass(frozen=True)
class Word:
    text: str
    x0: float
    y0: float  # from the top of the page
    x1: float
    y1: float


@dataclass(frozen=True)
class Page:
    number: int
    width: float
    height: float
    words: tuple[Word, ...]

    def text(self, words=None) -> str:
        return " ".join(word.text for word in (self.words if words is None else words))

    @property
    def top_margin(self) -> tuple[Word, ...]:
        return tuple(w for w in self.words if w.y1 <= MARGIN_TOP)

    @property
    def bottom_margin(self) -> tuple[Word, ...]:
        return tuple(w for w in self.words if w.y0 >= self.height - MARGIN_BOTTOM)

    @property
    def body(self) -> tuple[Word, ...]:
        return tuple(w for w in self.words if w not in self.top_margin and w not in self.bottom_margin)


def poppler(pdf: bytes, *options: str) -> str:
    command = ["pdftotext", *options, "-", "-"]  # noqa: S607 (poppler, found on PATH as the skip checks)
    result = subprocess.run(command, input=pdf, capture_output=True, check=True)  # noqa: S603 (our own PDF)
    return result.stdout.decode("utf-8")


def poppler_images(pdf: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:  # pdfimages reads a file, not a pipe
        file.write(pdf)
        file.flush()
        command = ["pdfimages", "-list", file.name]  # noqa: S607 (poppler, found on PATH as the skip checks)
        return subprocess.run(command, capture_output=True, check=True, text=True).stdout  # noqa: S603 (our own PDF)


PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')


def pages(pdf: bytes) -> list[Page]:
    """Each page with its words where poppler finds them (``pdftotext -bbox``)."""
    found = []
    for number, (width, height, body) in enumerate(PAGE.findall(poppler(pdf, "-bbox")), start=1):
        words = tuple(Word(html.unescape(text), *(float(v) for v in box)) for *box, text in WORD.findall(body))
        found.append(Page(number, float(width), float(height), words))
    assert found, "pdftotext found no page"
    return found


def outside_text_block(page: Page) -> list[str]:
    """The words of ``page`` that stand outside its text block, where each and by how much."""
    left, right = MARGIN_SIDE - TOLERANCE, page.width - MARGIN_SIDE + TOLERANCE
    top, bottom = MARGIN_TOP - TOLERANCE, page.height - MARGIN_BOTTOM + TOLERANCE
    return [
        f"page {page.number}: {word.text!r} at x {word.x0:.1f}-{word.x1:.1f}, y {word.y0:.1f}-{word.y1:.1f}"
        for word in page.body
        if word.x0 < left or word.x1 > right or word.y0 < top or word.y1 > bottom
    ]


@pytest.mark.parametrize("name", PDFS)
def test_every_word_is_inside_the_text_block_and_the_margins_hold_only_header_and_page_number(pdfs, name):
    language = name.rsplit("-", 1)[1]
    read = pages(pdfs[name])
    count = len(read)
    for page in read:
        assert (round(page.width), round(page.height)) == (595, 842), page.number  # A4 portrait
        assert outside_text_block(page) == []
        # The header and the footer stand over the text block's width, in their margins.
        for word in (*page.top_margin, *page.bottom_margin):
            assert word.x0 >= MARGIN_SIDE - TOLERANCE and word.x1 <= page.width - MARGIN_SIDE + TOLERANCE, word
        footer = re.fullmatch(PAGE_NUMBER[language], page.text(page.bottom_margin))
        assert footer and footer.groups() == (str(page.number), str(count)), page.text(page.bottom_margin)
        header = page.text(page.top_margin)
        if page.number == 1:
            assert header == ""  # the cover has no running header
        elif name.startswith("q3"):
            assert header == RUNNING_TITLE[language], page.number
        else:
            assert header.startswith(PLAN_TITLE[language]) and header.endswith("annuel"), header


@pytest.mark.parametrize("name", ["q3-fr", "q3-en"])
def test_the_quarterly_report_fits_on_fourteen_pages(pdfs, name):
    assert len(pages(pdfs[name])) <= MAX_QUARTERLY_PAGES


@pytest.mark.parametrize("name", PDFS)
def test_the_cover_carries_the_organisation_its_logo_and_the_report(pdfs, name):
    cover = pages(pdfs[name])[0]
    # The organisation's name opens the cover, beside its logo; the plan and the date follow.
    assert cover.text(cover.body).startswith(f"{ORGANISATION} ")
    assert PLAN_TITLE[name.rsplit("-", 1)[1]] in cover.text()
    assert re.search(r"(Généré le|Generated on) \d+ \w+ \d{4}", cover.text())
    # One image in the whole PDF, drawn on the cover: the logo, from the database (the charts
    # are vectors). pdfimages lists what each page draws: "page num type width height ...".
    drawn = [line.split() for line in poppler_images(pdfs[name]).splitlines()[2:] if line.strip()]
    assert [(row[0], row[2], row[3], row[4]) for row in drawn] == [("1", "image", "120", "48")]


@pytest.mark.parametrize("name", PDFS)
def test_no_label_is_cut_short_and_the_progress_axis_runs_from_0_to_100(pdfs, name):
    text = poppler(pdfs[name], "-raw")
    assert "…" not in text
    percent = r"0 ?% 25 ?% 50 ?% 75 ?% 100 ?%"
    assert re.search(percent, " ".join(text.split()))
    assert not re.search(r"-50 ?%|150 ?%", text)


@pytest.mark.parametrize("name", ["q3-fr", "q3-en"])
def test_the_running_header_is_read_neither_first_on_the_cover_nor_before_a_page(pdfs, name):
    """Its words were elements at the top of the body (read by ``string-set``): hidden text at
    the top of the cover, read first by a copy of the page or a screen reader. They are
    written into the page's margin now (documents._page_margins), which WeasyPrint keeps out
    of the PDF's tags and draws after the page's content."""
    title = RUNNING_TITLE[name.rsplit("-", 1)[1]]
    pdf = pdfs[name]
    assert title not in " ".join(pages(pdf)[0].text().split())
    second = " ".join(poppler(pdf, "-raw", "-f", "2", "-l", "2").split())  # in the order drawn
    assert not second.startswith(title) and second.index(title) > len(second) // 2
