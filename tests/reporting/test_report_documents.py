"""The reports as delivered, end to end through the views: real PDFs read back with pypdf,
real workbooks read back with openpyxl, hostile text from the database, the frozen board
update and who may read or write what."""

import hashlib
import io
import re
import unicodedata
import zlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import openpyxl
import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext as _
from pypdf import PdfReader
from pypdf.generic import StreamObject

from initiatives.models import (
    Indicator,
    Initiative,
    LearningReflection,
    OrganisationalUpdate,
    ReviewState,
    Status,
    StatusUpdate,
)
from priorities.models import AnnualPlan, Event, OrganisationalPriority, Quarter, StrategicPriority
from reporting import services
from reporting.models import BoardUpdate
from tests.helpers import Listener, client_in

pytestmark = pytest.mark.django_db

PLAN = "2022-23"
BASE = f"/reports/{PLAN}"
Q2_TITLE = "Annual Plan 2022-2023, Q2"  # the plan's English title, for an English reader
ANNUAL_TITLE = "Annual Plan 2022-2023: annual report"
PDF_TYPE = "application/pdf"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# print.css: @page { margin: 22mm 18mm 22mm 18mm }, in PDF points.
PAGE_MARGIN_PT = 22 / 25.4 * 72


# --- Reading documents back ---------------------------------------------------------------


def squash(text: str) -> str:
    """Line breaks and runs of spaces as one space, in NFC: a wrapped title reads as one line."""
    return unicodedata.normalize("NFC", " ".join(text.split()))


def read(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


@dataclass(frozen=True)
class Page:
    text: str  # the whole page
    top: str  # what is drawn in the top margin: the running header
    bottom: str  # ... and in the bottom margin: the footer and the page number


def pages(reader: PdfReader) -> list[Page]:
    """Each page's text, read once, with what its top and bottom margins hold (by position)."""
    found = []
    for page in reader.pages:
        height = float(page.mediabox.top)
        top, bottom = [], []

        def visit(text, cm, tm, font_dict, font_size, top=top, bottom=bottom, height=height):
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]  # the baseline, in points from the bottom
            if text.strip() and y > height - PAGE_MARGIN_PT:
                top.append(text)
            elif text.strip() and y < PAGE_MARGIN_PT:
                bottom.append(text)

        text = page.extract_text(visitor_text=visit)
        found.append(Page(squash(text), squash(" ".join(top)), squash(" ".join(bottom))))
    return found


def page_texts(reader: PdfReader) -> list[str]:
    return [page.text for page in pages(reader)]


def streams(pdf: bytes) -> list[bytes]:
    """Every stream of the PDF, decompressed: through pypdf, and through zlib on each raw stream."""
    reader = read(pdf)
    found = []
    for number in range(1, int(reader.trailer["/Size"])):
        try:
            obj = reader.get_object(number)
        except Exception:  # noqa: S112 - a free or unreadable slot holds nothing to search
            continue
        if isinstance(obj, StreamObject):
            found.append(obj.get_data())
    for raw in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.DOTALL):
        try:
            found.append(zlib.decompressobj().decompress(raw))
        except zlib.error:
            found.append(raw)
    return found


def passwd_markers() -> list[str]:
    lines = [line for line in Path("/etc/passwd").read_text().splitlines() if line.strip()]
    return ["root:x:0:0", *lines[:3]]


def assert_no_local_file(pdf: bytes) -> str:
    """Nothing of /etc/passwd anywhere in the PDF; returns the PDF's text."""
    reader = read(pdf)
    assert not reader.attachments, f"attachments: {list(reader.attachments)}"
    assert not any(page.images for page in reader.pages)
    text = " ".join(page_texts(reader))
    decompressed = streams(pdf)
    assert len(decompressed) > 10  # the search did look inside the document
    for marker in passwd_markers():
        assert marker not in text
        assert marker.encode() not in pdf
        assert not any(marker.encode() in data for data in decompressed), marker
    return text


def pdf_response(response) -> PdfReader:
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == PDF_TYPE
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response.content.startswith(b"%PDF-")
    return read(response.content)


def workbook(response) -> openpyxl.Workbook:
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    assert re.fullmatch(r'attachment; filename="civicplan-2022-23-q\d-en\.xlsx"', response["Content-Disposition"])
    return openpyxl.load_workbook(io.BytesIO(response.content))


def rows_by_header(sheet) -> list[dict]:
    header, *rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(header, row, strict=True)) for row in rows]


# --- Users and data -----------------------------------------------------------------------


@pytest.fixture
def login(demo_progress, django_user_model):
    def client_for(username: str | None, **kwargs) -> Client:
        client = client_in("en", **kwargs)
        if username:
            client.force_login(django_user_model.objects.get(username=username))
        return client

    return client_for


def priorities() -> list[StrategicPriority]:
    return list(StrategicPriority.objects.filter(annual_plan__slug=PLAN).order_by("number"))


def approved(quarter: int):
    return StatusUpdate.objects.filter(
        initiative__priority__annual_plan__slug=PLAN, quarter__number=quarter, review_state=ReviewState.APPROVED
    )


def save_draft(client: Client, quarter: int, message: str, highlights: str = "") -> None:
    response = client.post(f"{BASE}/q{quarter}/board/", {"message_fr": message, "highlights_fr": highlights})
    assert response.status_code == 302, response.content[:2000]


# What the publication's confirmation page posts (reporting/views.py _confirm_publication).
CONFIRMED = {"confirm": "True", "language": "en"}


def publish(client: Client, quarter: int) -> None:
    response = client.post(f"{BASE}/q{quarter}/board/publish/", CONFIRMED)
    assert response.status_code == 302
    assert response.url == "/reports/"


def assert_paged_document(reader: PdfReader, running_title: str, toc: dict[str, str]) -> list[str]:
    """Numbered pages, the running header on every page but the first, a table of contents whose
    page numbers lead to the sections (``toc``: entry -> the section's heading)."""
    read_pages = pages(reader)
    texts = [page.text for page in read_pages]
    count = len(read_pages)
    assert count >= 5
    for number, page in enumerate(read_pages, start=1):
        assert page.bottom.endswith(f"page {number} of {count}"), number
        assert f"page {number} of {count}" in page.text
    # The first page is the cover: no running header; every later page has it in the top margin.
    assert read_pages[0].top == ""
    for number, page in enumerate(read_pages[1:], start=2):
        assert page.top == running_title, number

    contents = [text for text in texts if text.startswith("Contents")]
    assert len(contents) == 1
    contents_page = texts.index(contents[0])
    # The list itself: up to its last page number (the page may go on with the next section).
    listed = contents[0][: list(re.finditer(r"\.{3,} ?\d+\b", contents[0]))[-1].end()].casefold()

    def headings_on(page: int, heading: str) -> int:
        """How often ``heading`` is on page ``page`` (from 0), leaving out the contents' entries."""
        text = texts[page].casefold()
        return text.count(heading) - (listed.count(heading) if page == contents_page else 0)

    targets = []
    for entry, heading in toc.items():
        match = re.search(re.escape(entry) + r" ?\.{3,} ?(\d+)\b", contents[0])
        assert match, f"no page number after {entry!r} in {contents[0]!r}"
        target = int(match.group(1))
        assert 1 < target <= count
        # The section starts on that page: its heading is there, and not on the page before. The
        # sections follow one another (print.css), so one may start mid-page.
        wanted = heading.casefold()
        assert headings_on(target - 1, wanted) >= 1, (entry, target, texts[target - 1][:300])
        assert headings_on(target - 2, wanted) == 0, (entry, target, texts[target - 2][:300])
        targets.append(target)
    assert targets == sorted(targets)  # in order; two short sections may share a page
    return texts


# --- 1. The quarterly PDF ------------------------------------------------------------------


@pytest.mark.documents
def test_quarterly_pdf_is_a_paged_document_with_every_priority_and_its_charts(login):
    response = login("board").get(f"{BASE}/q2/pdf/")
    reader = pdf_response(response)
    assert response["Content-Disposition"] == 'attachment; filename="civicplan-2022-23-q2-en.pdf"'
    assert response["Content-Language"] == "en"
    assert reader.metadata.title == Q2_TITLE

    toc = {"The quarter at a glance": "The quarter at a glance"}
    for priority in priorities():
        toc[f"{priority.number}. {priority.short_title}"] = f"Strategic priority {priority.number} {priority.title}"
    toc |= {"Calendar": "Calendar", "Annex: updates missing or not yet approved": "Annex: updates missing"}
    texts = assert_paged_document(reader, Q2_TITLE, toc)
    text = " ".join(texts)

    titles = [squash(priority.title) for priority in priorities()]  # the English PDF: the plan's English
    assert len(titles) == 5  # (the accents of the French titles: test_quarterly_pdf_in_french)
    for title in titles:
        assert title in text, title
    assert "Generate timely knowledge and analyses" in text

    # The charts are drawn as vectors: their titles, axis labels and legends are text, not pixels.
    assert not any(page.images for page in reader.pages)
    assert "Q2 at a glance" in text  # the glance chart's title, nowhere else
    # Its axis labels whole, wrapped where long: no chart label is cut short.
    assert "2. Targeted advocacy 1. Timely knowledge and analyses 0 1 2 3 Q2 at a glance" in text
    assert "…" not in text
    # The progress charts' axis, from the baseline to the target; a value beyond either end is in its label.
    assert "0% 25% 50% 75% 100%" in text and "-50%" not in text and "150%" not in text
    priority_page = next(t for t in texts if t.startswith("Strategic priority 1".upper()))
    assert "Q1 Q2 1. Timely knowledge and analyses Off track At risk Not started On track" in squash(priority_page)

    # The report reads approved updates only, here all 14 of Q2.
    assert "Off track 1 At risk 6 Not started 0 On track 7 Completed 0 No approved update 0" in text
    assert approved(2).count() == 14


@pytest.mark.documents
def test_quarterly_pdf_in_french(login):
    response = login("board").get(f"{BASE}/q2/pdf/?lang=fr")
    reader = pdf_response(response)
    assert response["Content-Disposition"] == 'attachment; filename="civicplan-2022-23-q2-fr.pdf"'
    assert response["Content-Language"] == "fr"
    assert reader.trailer["/Root"]["/Lang"] == "fr"
    read_pages = pages(reader)
    text = " ".join(page.text for page in read_pages)
    # Translated in locale/fr: status labels (tables and chart legends) and dates.
    for label in ("En bonne voie", "À risque", "En retard", "Pas commencé", "Terminé"):
        assert label in text, label
    assert "octobre – décembre 2022" in text
    for english in ("On track", "At risk", "Off track", "Not started", "October"):
        assert english not in text, english
    # The page label is whatever the French catalogue says (not translated yet: "page"/"of").
    with translation.override("fr"):
        label, of = _("page"), _("of")
    count = len(read_pages)
    for number, page in enumerate(read_pages, start=1):
        assert page.bottom.endswith(f"{label} {number} {of} {count}")
    with translation.override("fr"):  # the French PDF has the plan's French
        titles = [squash(priority.title) for priority in priorities()]
    assert len(titles) == 5 and any("é" in title for title in titles)  # accents survive the PDF
    for title in titles:
        assert title in text


# --- 2. The annual PDF ---------------------------------------------------------------------


@pytest.mark.documents
def test_annual_pdf_covers_the_year(login):
    response = login("board").get(f"{BASE}/annual/pdf/")
    reader = pdf_response(response)
    assert response["Content-Disposition"] == 'attachment; filename="civicplan-2022-23-annual-en.pdf"'

    toc = {"The plan": "The plan", "The year at a glance": "The year at a glance"}
    for priority in priorities():
        toc[f"{priority.number}. {priority.short_title}"] = f"Strategic priority {priority.number} {priority.title}"
    toc["What the plan carries into next year"] = "What the plan carries into next year"
    toc["In closing"] = "In closing"
    texts = assert_paged_document(reader, ANNUAL_TITLE, toc)
    text = " ".join(texts)
    # It opens and closes with the plan's own words (issue 13): its context, the key changes,
    # the organisational priorities, how it is monitored, its closing statement.
    plan = AnnualPlan.objects.select_related("strategic_plan").get(slug=PLAN)
    for words in (plan.context, plan.monitoring, plan.strategic_plan.closing_statement):
        assert squash(" ".join(words.split()[:10])) in text
    for priority in plan.organisational_priorities.all():
        assert squash(priority.title) in text
    for priority in priorities():
        assert squash(priority.title) in text

    # The four quarters of the year: the cover's span, each table's columns, each quarter's events.
    assert "Annual report July 2022 – June 2023" in text
    assert text.count("Initiative Lead Q1 Q2 Q3 Q4 Trend") >= 5  # repeated on continued pages
    events = Event.objects.filter(annual_plan__slug=PLAN).exclude(priority=None, initiative=None)
    assert {event.quarter.number for event in events} == {1, 2, 3, 4}
    for event in events:
        assert squash(event.title) in text, event.title


# --- 3. The workbook -----------------------------------------------------------------------


def test_quarterly_workbook_matches_the_approved_updates(login):
    sheet_rows = {}
    book = workbook(login("board").get(f"{BASE}/q2/xlsx/"))
    assert book.sheetnames == ["Initiatives", "Organisational priorities", "Status counts", "Indicators", "Events"]
    for sheet in book.worksheets:
        sheet_rows[sheet.title] = rows_by_header(sheet)

    initiatives = sheet_rows["Initiatives"]
    assert len(initiatives) == Initiative.objects.filter(priority__annual_plan__slug=PLAN).count() == 14
    updates = {update.initiative.code: update for update in approved(2).select_related("initiative__priority")}
    assert len(updates) == 14
    assert [row["Initiative"] for row in initiatives] == [
        i.code
        for i in Initiative.objects.filter(priority__annual_plan__slug=PLAN).order_by("priority__number", "number")
    ]
    for row in initiatives:
        update = updates[row["Initiative"]]
        assert row["Q2"] == Status(update.status).label, row["Initiative"]
        assert row["Progress"] == (update.narrative or None)
    assert {row["Q2"] for row in initiatives} >= {"On track", "At risk", "Off track"}

    organisational = sheet_rows["Organisational priorities"]
    plan_order = OrganisationalPriority.objects.filter(annual_plan__slug=PLAN).order_by("number")
    assert [row["Title"] for row in organisational] == list(plan_order.values_list("title", flat=True))
    q2 = OrganisationalUpdate.objects.filter(
        organisational_priority__annual_plan__slug=PLAN, quarter__number=2, review_state=ReviewState.APPROVED
    ).select_related("organisational_priority")
    by_title = {update.organisational_priority.title: update for update in q2}
    assert len(by_title) == 4  # the demo's Q2 updates are all approved
    for row in organisational:
        assert row["Q2"] == Status(by_title[row["Title"]].status).label, row["Title"]
        assert row["Progress"] == by_title[row["Title"]].narrative

    for row in sheet_rows["Status counts"]:
        number, quarter = row["Priority"], int(row["Quarter"][1:])
        statuses = list(approved(quarter).filter(initiative__priority__number=number).values_list("status", flat=True))
        for status in Status:
            assert row[status.label] == statuses.count(status.value), (number, quarter, status)
    assert len(sheet_rows["Status counts"]) == 5 * 2
    assert len(sheet_rows["Indicators"]) == 17
    events = Event.objects.filter(annual_plan__slug=PLAN, quarter__number__in=[2, 3])
    assert sorted(row["Title"] for row in sheet_rows["Events"]) == sorted(events.values_list("title", flat=True))


def test_quarterly_workbook_reads_approved_updates_only(login):
    q3 = StatusUpdate.objects.filter(initiative__priority__annual_plan__slug=PLAN, quarter__number=3)
    pending = q3.exclude(review_state=ReviewState.APPROVED)
    assert pending.count() == 7  # draft, submitted, returned: written, not approved
    assert pending.exclude(narrative="").exists()
    statuses = {u.initiative.code: u.status for u in approved(3).select_related("initiative__priority")}
    assert len(statuses) == 4
    rows = rows_by_header(workbook(login("board").get(f"{BASE}/q3/xlsx/"))["Initiatives"])
    assert len(rows) == 14
    for row in rows:
        if row["Initiative"] in statuses:
            assert row["Q3"] == Status(statuses[row["Initiative"]]).label
        else:
            assert row["Q3"] == "No approved update"
            assert row["Progress"] is None


def test_quarterly_workbook_neutralises_formulas(login):
    update = approved(2).get(initiative__priority__number=1, initiative__number=1)
    StatusUpdate.objects.filter(pk=update.pk).update(
        narrative="=1+1", risks="@SUM(A1:A9)", next_steps="+CMD|' /C calc'!A0"
    )
    book = workbook(login("board").get(f"{BASE}/q2/xlsx/"))
    sheet = book["Initiatives"]
    header = [cell.value for cell in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[header.index("Initiative")].value == "1.1")
    cells = {name: row[header.index(name)] for name in ("Progress", "Risks", "Next steps")}
    assert cells["Progress"].value == "'=1+1"
    assert cells["Risks"].value == "'@SUM(A1:A9)"
    assert cells["Next steps"].value == "'+CMD|' /C calc'!A0"
    for sheet in book.worksheets:
        for line in sheet.iter_rows():
            for cell in line:
                assert cell.data_type != "f", cell.coordinate
                assert not (isinstance(cell.value, str) and cell.value.startswith(("=", "+", "@"))), cell.coordinate


# --- 3b. Indicators whose target is not set yet -------------------------------------------

# Both measured in Q1-Q3: 1.1.1 (baseline 12, target 30 in the demo) and 3.2.2.
NO_TARGET = ("1.1.1", "3.2.2")


def unset_targets(*codes: str) -> None:
    """Empty the targets of the indicators ``codes``, as a plan rolled over leaves them."""
    for code in codes:
        priority, result, number = (int(n) for n in code.split("."))
        indicator = Indicator.objects.get_by_natural_key(PLAN, priority, result, number)
        assert indicator.values.filter(quarter__number__lte=2).exists(), code
        Indicator.objects.filter(pk=indicator.pk).update(target=None)


def indicator_row(html: str, code: str) -> str:
    """The report's table row of indicator ``code``."""
    match = re.search(rf'<tr>\s*<th scope="row"><span class="code">{re.escape(code)}</span>.*?</tr>', html, re.S)
    assert match, code
    return match.group(0)


def assert_flagged_without_progress(html: str) -> None:
    for code in NO_TARGET:
        row = indicator_row(html, code)
        assert '<span class="to-set">Target to set</span>' in row, row
        assert "measured once a target is set" in row
        assert 'class="bar"' not in row and "%" not in row
    # Another indicator of the same section keeps its target and its bar.
    other = indicator_row(html, "1.2.1")
    assert "Target to set" not in other and 'class="bar"' in other
    # The progress charts leave them out and say why.
    for code in NO_TARGET:
        assert re.search(rf"{re.escape(code)} [^<]*: target to set, so no progress is measured yet\.", html), code
        assert not re.search(rf"{re.escape(code)} [^<(]*\(-?\d+%\)", html), code


def test_the_quarterly_report_flags_an_indicator_without_a_target(login):
    unset_targets(*NO_TARGET)
    response = login("board").get(f"{BASE}/q2/")
    assert response.status_code == 200
    assert_flagged_without_progress(response.content.decode())


@pytest.mark.documents
def test_the_quarterly_pdf_flags_an_indicator_without_a_target(login):
    unset_targets(*NO_TARGET)
    text = " ".join(page_texts(pdf_response(login("board").get(f"{BASE}/q2/pdf/"))))
    assert text.count("Target to set") == 2
    assert text.count("measured once a target is set") == 2
    # No bar label in a progress chart for either: the chart labels read "code name (NN%)".
    for code in NO_TARGET:
        assert not re.search(rf"{re.escape(code)} [^()]*\(-?\d+%\)", text), code
    assert re.search(r"1\.2\.1 [^()]*\(\d+%\)", text)  # the others keep theirs


def test_the_annual_report_flags_an_indicator_without_a_target(login):
    unset_targets(*NO_TARGET)
    response = login("board").get(f"{BASE}/annual/")
    assert response.status_code == 200
    assert_flagged_without_progress(response.content.decode())


def test_the_workbook_leaves_target_and_progress_empty_without_a_target(login):
    unset_targets(*NO_TARGET)
    rows = {
        row["Indicator"]: row for row in rows_by_header(workbook(login("board").get(f"{BASE}/q2/xlsx/"))["Indicators"])
    }
    assert len(rows) == 17
    for code in NO_TARGET:
        row = rows[code]
        assert (row["Target"], row["Progress towards target (%)"]) == (None, None), row
        assert row["Quarter of value"] == "Q2" and row["Latest value"] is not None  # still measured
    assert rows["1.2.1"]["Target"] == 200
    assert isinstance(rows["1.2.1"]["Progress towards target (%)"], int)


# --- 4. Hostile text, end to end ----------------------------------------------------------


@pytest.fixture
def listener(monkeypatch):
    # Were anything fetched, it must reach this socket, not a proxy.
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    server = Listener()
    yield server
    server.close()


def payload(port: int) -> str:
    return (
        "<script>alert(1)</script> "
        '<img src="file:///etc/passwd"> '
        f'<img src="http://127.0.0.1:{port}/z"> '
        '<link rel="attachment" href="file:///etc/passwd"> '
        f"<style>body{{background:url(http://127.0.0.1:{port}/x)}}</style> "
        f"url(http://127.0.0.1:{port}/y)"
    )


RAW = (
    "<script>alert",
    "<script",
    '<img src="file:',
    '<img src="http',
    '<link rel="attachment"',
    "<style>body{background:url(http",
)
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
LONG_MARKER = "fin-du-long-récit"


@pytest.fixture
def hostile(demo_progress, listener):
    """Hostile text in every field a report prints, written straight to the database."""
    text = payload(listener.port)
    assert len(text) <= 300  # an event title
    q2 = approved(2)
    assert q2.update(narrative=text, risks=text, next_steps=text) == 14
    words = "Texte très long, encore et encore. "
    long_text = (words * (200_000 // len(words) + 1))[: 200_000 - len(LONG_MARKER)] + LONG_MARKER
    assert len(long_text) == 200_000
    q2.filter(initiative__priority__number=1, initiative__number=3).update(narrative=long_text)
    # An approved Q4 update, so that the annual report prints its next steps (carried over).
    initiative = Initiative.objects.get(priority__annual_plan__slug=PLAN, priority__number=2, number=2)
    StatusUpdate.objects.create(
        initiative=initiative,
        quarter=Quarter.objects.get(annual_plan__slug=PLAN, number=4),
        status=Status.AT_RISK,
        review_state=ReviewState.APPROVED,
        narrative=text,
        risks=text,
        next_steps=text,
    )
    assert LearningReflection.objects.filter(learning_question__priority__annual_plan__slug=PLAN).update(text=text)
    # Events of Q2 (this quarter), Q3 (the next) and of the year, linked to a priority.
    events = Event.objects.filter(annual_plan__slug=PLAN).exclude(priority=None, initiative=None)
    assert events.update(title=text, description=text) >= 10
    return {"text": text, "long": long_text}


def assert_escaped(html: str) -> None:
    assert ESCAPED in html
    assert "&lt;link rel=&quot;attachment&quot; href=&quot;file:///etc/passwd&quot;&gt;" in html
    for raw in RAW:
        assert raw not in html.replace('<script src="/static/', ""), raw


@pytest.mark.renderer  # what the renderer does with hostile text: laid out every time
def test_hostile_text_in_the_quarterly_report(login, hostile, listener):
    client = login("board")
    response = client.get(f"{BASE}/q2/")
    assert response.status_code == 200
    html = response.content.decode()
    assert_escaped(html)
    assert html.count(ESCAPED) >= 14 * 2 + 1  # narratives and risks, the reflection, the events
    assert LONG_MARKER in html

    response = client.get(f"{BASE}/q2/pdf/")
    reader = pdf_response(response)
    assert listener.connections() == 0
    text = assert_no_local_file(response.content)
    assert "<script>alert(1)</script>" in text  # printed as the text it is
    assert "fin-du-long-récit" in text.replace("- ", "-").replace(" ", "")  # the 200,000 characters all made it
    assert len(reader.pages) > 40


@pytest.mark.renderer  # what the renderer does with hostile text: laid out every time
def test_hostile_text_in_the_annual_report(login, hostile, listener):
    client = login("board")
    response = client.get(f"{BASE}/annual/")
    assert response.status_code == 200
    html = response.content.decode()
    assert_escaped(html)

    response = client.get(f"{BASE}/annual/pdf/")
    pdf_response(response)
    assert listener.connections() == 0
    text = assert_no_local_file(response.content)
    assert '<link rel="attachment" href="file:///etc/passwd">' in text


@pytest.mark.renderer  # what the renderer does with hostile text: laid out every time
def test_hostile_text_in_the_board_update(login, hostile, listener):
    editor = login("editor")
    text = hostile["text"]
    # The site's form refuses markup outright (plain text only) and saves nothing...
    refused = editor.post(f"{BASE}/q2/board/", {"message_fr": f"Chers membres,\n{text}", "highlights_fr": ""})
    assert refused.status_code == 400 and not BoardUpdate.objects.exists()
    # ...and text that reached the database another way (the admin, an older version) is inert.
    q2 = Quarter.objects.get(annual_plan__slug=PLAN, number=2)
    BoardUpdate.objects.create(
        annual_plan=q2.annual_plan,
        quarter=q2,
        message_fr=f"Chers membres,\n{text}",
        highlights_fr=f"{text}\nDeuxième point {text}",
    )
    response = editor.get(f"{BASE}/q2/board/")
    assert response.status_code == 200
    assert_escaped(response.content.decode())

    # Publishing checks the draft by the model's rules, as every path does: refused, said why,
    # nothing frozen. Made plain, it publishes; the plan's own hostile text stays inert in it.
    refused = editor.post(f"{BASE}/q2/board/publish/", CONFIRMED, follow=True)
    assert "Write plain text" in refused.content.decode()
    assert not BoardUpdate.objects.get(quarter=q2).published
    BoardUpdate.objects.filter(quarter=q2).update(message_fr="Chers membres,", highlights_fr="Un point")
    publish(editor, 2)
    assert listener.connections() == 0
    update = BoardUpdate.objects.get(quarter__annual_plan__slug=PLAN, quarter__number=2)
    assert update.published
    assert_escaped(update.html)
    assert update.html.count(ESCAPED) >= 1  # the risks of what needs attention

    board = login("board")
    response = board.get(f"{BASE}/q2/board/")
    assert response.status_code == 200
    assert_escaped(response.content.decode())
    response = board.get(f"{BASE}/q2/board/pdf/")
    pdf_response(response)
    assert response.content == bytes(update.pdf)
    assert "<script>alert(1)</script>" in assert_no_local_file(response.content)


# --- 5. A published board update never changes ---------------------------------------------


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def test_a_published_board_update_is_served_byte_for_byte(login):
    editor, board = login("editor"), login("board")
    message = "Très bonne année, chère Conseil"
    save_draft(editor, 2, message, "Première réussite\nDeuxième réussite")
    publish(editor, 2)
    update = BoardUpdate.objects.select_related("quarter", "annual_plan").get(quarter__number=2)
    assert update.published and update.language == "en"
    assert update.html_sha256 == sha256(update.html.encode())
    assert update.pdf_sha256 == sha256(bytes(update.pdf))
    published_at = update.published_at

    def fetch() -> tuple[bytes, bytes]:
        page = board.get(f"{BASE}/q2/board/")
        assert page.status_code == 200
        assert page["Content-Type"] == "text/html; charset=utf-8"
        pdf = board.get(f"{BASE}/q2/board/pdf/")
        pdf_response(pdf)
        assert pdf["Content-Disposition"] == 'attachment; filename="civicplan-2022-23-q2-board.pdf"'
        return page.content, pdf.content

    html, pdf = fetch()
    assert html == update.html.encode()
    assert sha256(html) == update.html_sha256
    assert sha256(pdf) == update.pdf_sha256
    assert message in html.decode()
    read_pages = pages(read(pdf))
    text = " ".join(page.text for page in read_pages)
    assert message in text
    assert "SHA-256" in text
    assert update.fingerprint[:12] in text
    footer = f"by {update.published_by.get_full_name()} · SHA-256 {update.fingerprint[:12]}"
    for page in read_pages:
        assert re.fullmatch(r"Published \d+ \w+ \d{4} " + re.escape(footer) + r" page \d+ of \d+", page.bottom)
    # In French: the same publication's French document, frozen with it, each its own bytes.
    french = update.translations.get()
    assert french.language == "fr" and french.html_sha256 != update.html_sha256

    def fetch_french() -> tuple[bytes, bytes]:
        page = board.get(f"{BASE}/q2/board/?lang=fr")
        assert (page["ETag"], page["Content-Language"]) == (f'"{french.html_sha256}"', "fr")
        pdf = board.get(f"{BASE}/q2/board/pdf/?lang=fr")
        return page.content, pdf.content

    french_files = fetch_french()
    assert french_files[0] == french.html.encode() and sha256(french_files[1]) == french.pdf_sha256
    assert "<title>Point au Conseil, T2 Plan annuel 2022-2023</title>" in french.html
    assert f"SHA-256 {french.fingerprint[:12]}" in " ".join(page.text for page in pages(read(french_files[1])))

    # The world moves on.
    plan = AnnualPlan.objects.select_related("strategic_plan").get(slug=PLAN)
    assert approved(2).filter(initiative__priority__number=1, initiative__number=1).update(status=Status.OFF_TRACK) == 1
    assert StrategicPriority.objects.filter(annual_plan=plan, number=1).update(
        title="Priorité renommée après la publication", short_title="Renommée après la publication"
    )
    assert Event.objects.filter(annual_plan=plan, quarter__number=3).update(title="Évènement déplacé") >= 1
    # ... and a fresh render would now read differently.
    _fingerprint, fresh = services.board_update_documents(update, plan)
    assert "Renommée après la publication" in fresh and "Évènement déplacé" in fresh
    assert "Renommée après la publication" not in update.html
    assert "Renommée après la publication" in login("staff").get(f"{BASE}/q2/").content.decode()

    assert fetch() == (html, pdf)
    assert fetch_french() == french_files

    # Publishing again, or saving a draft over it, changes nothing.
    publish(editor, 2)
    response = editor.post(f"{BASE}/q2/board/", {"message_fr": "Réécrit", "highlights_fr": ""})
    assert response.status_code == 404
    update.refresh_from_db()
    assert (update.message, update.published_at) == (message, published_at)
    assert (update.html_sha256, update.pdf_sha256) == (sha256(html), sha256(pdf))
    assert update.html.encode() == html and bytes(update.pdf) == pdf
    assert fetch() == (html, pdf)
    assert BoardUpdate.objects.count() == 1


# --- 6. Who may read and write ----------------------------------------------------------


READ_URLS = [
    "/reports/",
    f"{BASE}/q2/",
    f"{BASE}/q2/pdf/",
    f"{BASE}/q2/xlsx/",
    f"{BASE}/annual/",
    f"{BASE}/annual/pdf/",
    f"{BASE}/q2/board/",
    f"{BASE}/q2/board/pdf/",
]


def test_anonymous_visitors_are_sent_to_the_login_page(login, django_user_model):
    # A published update exists, so the board URLs have something to give away.
    editor = django_user_model.objects.get(username="editor")
    BoardUpdate.objects.create(
        annual_plan=AnnualPlan.objects.get(slug=PLAN),
        quarter=Quarter.objects.get(annual_plan__slug=PLAN, number=2),
        message_fr="Secret",
        state=BoardUpdate.State.PUBLISHED,
        published_at="2023-01-15T10:00:00Z",
        published_by=editor,
        language="en",
        fingerprint="f" * 64,
        html="<p>Stored secret</p>",
        html_sha256="a" * 64,
        pdf=b"%PDF-1.7 stored secret",
        pdf_sha256="b" * 64,
    )
    assert login("board").get(f"{BASE}/q2/board/").content == b"<p>Stored secret</p>"  # it is there to read
    anonymous = login(None)
    for url in READ_URLS:
        response = anonymous.get(url)
        assert response.status_code == 302, url
        assert response.url == f"/accounts/login/?next={quote(url, safe='/')}", url
        assert b"secret" not in response.content
    for url in (f"{BASE}/q2/board/", f"{BASE}/q2/board/publish/"):
        response = anonymous.post(url, {"message_fr": "x"} | CONFIRMED)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/?next="), url
    assert BoardUpdate.objects.get().message == "Secret"


@pytest.mark.parametrize("username", ["board", "staff"])
def test_a_draft_board_update_is_hidden_from_readers(login, username):
    editor = login("editor")
    save_draft(editor, 2, "Brouillon confidentiel")
    assert editor.get(f"{BASE}/q2/board/").status_code == 200
    reader = login(username)
    assert reader.get(f"{BASE}/q2/").status_code == 200  # a reader of the reports...
    assert reader.get(f"{BASE}/q2/board/").status_code == 404  # ...who does not see the draft
    assert reader.get(f"{BASE}/q2/board/pdf/").status_code == 404
    assert "Brouillon confidentiel" not in reader.get("/reports/").content.decode()


@pytest.mark.parametrize("username", ["staff", "board"])
def test_readers_cannot_write_or_publish_board_updates(login, username):
    reader = login(username)
    # No update yet: writing one is refused and writes nothing.
    response = reader.post(f"{BASE}/q2/board/", {"message_fr": "Pris la main", "highlights_fr": ""})
    assert response.status_code in (403, 404)
    assert BoardUpdate.objects.count() == 0

    save_draft(login("editor"), 2, "Brouillon de la rédaction")
    draft = BoardUpdate.objects.get()
    response = reader.post(f"{BASE}/q2/board/", {"message_fr": "Pris la main", "highlights_fr": ""})
    assert response.status_code in (403, 404)
    assert reader.get(f"{BASE}/q2/board/publish/").status_code == 403
    response = reader.post(f"{BASE}/q2/board/publish/", CONFIRMED)
    assert response.status_code == 403
    assert BoardUpdate.objects.count() == 1
    after = BoardUpdate.objects.get()
    assert (after.message, after.state, after.updated_at) == ("Brouillon de la rédaction", "draft", draft.updated_at)
    assert after.published_at is None and after.html == "" and bytes(after.pdf) == b""


def test_posts_without_a_csrf_token_are_refused(login):
    editor = login("editor", enforce_csrf_checks=True)
    response = editor.post(f"{BASE}/q2/board/", {"message_fr": "Sans jeton", "highlights_fr": ""})
    assert response.status_code == 403
    assert BoardUpdate.objects.count() == 0

    save_draft(login("editor"), 2, "Avec jeton")
    response = editor.post(f"{BASE}/q2/board/publish/", CONFIRMED)
    assert response.status_code == 403
    response = editor.post(f"{BASE}/q2/board/", {"message_fr": "Sans jeton", "highlights_fr": ""})
    assert response.status_code == 403
    update = BoardUpdate.objects.get()
    assert (update.message, update.state, update.published_at) == ("Avec jeton", "draft", None)

    # With the token the same client may write: the 403 was the missing token, not the user.
    page = editor.get(f"{BASE}/q2/board/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    response = editor.post(f"{BASE}/q2/board/", {"message_fr": "Avec le jeton", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert BoardUpdate.objects.get().message == "Avec le jeton"
