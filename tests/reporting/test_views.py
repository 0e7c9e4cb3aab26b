"""The report pages per role, the board update's draft form, and constant queries."""

import io
import re

import openpyxl
import pytest
from django.urls import reverse
from django.utils.html import escape

from civicplan import versions
from initiatives.models import ReviewState, StatusUpdate
from reporting.models import BoardUpdate, ReportFile
from tests.factories import grow

pytestmark = pytest.mark.django_db


def signed_in(client, users, username):
    client.force_login(users[username])
    return client


def board_url(quarter=2, suffix=""):
    return reverse(f"reporting:board{suffix}", args=["2022-23", quarter])


# What the publication's confirmation page posts (reporting/views.py _confirm_publication).
CONFIRMED = {"confirm": "True", "language": "en"}


def publish(client, users, quarter=2, message="Chers membres du Conseil, un trimestre contrasté."):
    signed_in(client, users, "editor")
    assert client.post(board_url(quarter), {"message_fr": message, "highlights_fr": "Un\nDeux"}).status_code == 302
    assert client.post(board_url(quarter, "-publish"), CONFIRMED).status_code == 302
    return BoardUpdate.objects.get(quarter__number=quarter)


@pytest.mark.parametrize("username", ["staff", "editor", "board"])
def test_every_reader_opens_the_reports(client, users, username):
    signed_in(client, users, username)
    listing = client.get(reverse("reporting:list"))
    assert listing.status_code == 200
    for quarter in range(1, 5):
        assert reverse("reporting:quarterly", args=["2022-23", quarter]) in listing.content.decode()
    page = client.get(reverse("reporting:quarterly", args=["2022-23", 2]))
    assert page.status_code == 200
    assert "Generate timely knowledge" in page.content.decode()  # the plan's English, for an English reader
    assert client.get(reverse("reporting:annual", args=["2022-23"])).status_code == 200


def test_a_user_without_a_role_reads_no_report(client, django_user_model, demo_progress):
    client.force_login(django_user_model.objects.create_user("nobody", password="x"))
    assert client.get(reverse("reporting:list")).status_code == 403
    assert client.get(reverse("reporting:quarterly", args=["2022-23", 2])).status_code == 403


def test_unknown_quarter_or_plan_is_not_found(client, users):
    signed_in(client, users, "board")
    assert client.get("/reports/2022-23/q5/").status_code == 404
    assert client.get("/reports/2022-23/q0/").status_code == 404
    assert client.get("/reports/1999-00/q1/").status_code == 404


@pytest.mark.parametrize("extension", ["pdf", "xlsx"])
def test_an_unknown_plans_file_is_not_found_and_nothing_is_made(client, users, extension):
    """A stored file is looked for before the plan is read: an unknown plan has none, and
    is then not found, before anything is recorded as being made."""
    signed_in(client, users, "board")
    assert client.get(reverse(f"reporting:quarterly-{extension}", args=["1999-00", 1])).status_code == 404
    assert client.get(reverse(f"reporting:quarterly-{extension}", args=["2022-23", 5])).status_code == 404
    assert not ReportFile.objects.exists()


def test_the_report_reads_approved_updates_only(client, users):
    signed_in(client, users, "board")
    submitted = StatusUpdate.objects.filter(quarter__number=3, review_state=ReviewState.SUBMITTED).select_related(
        "initiative"
    )
    assert submitted, "the demo progress has Q3 updates waiting for review"
    page = client.get(reverse("reporting:quarterly", args=["2022-23", 3])).content.decode()
    annex = page[page.index('id="annex"') :]
    for update in submitted:
        assert escape(update.initiative.title) in annex
        assert escape(update.narrative[:60]) not in page


def test_language_is_the_readers_or_the_one_asked_for(client, users):
    signed_in(client, users, "board")
    url = reverse("reporting:quarterly", args=["2022-23", 2])
    english = client.get(url)
    assert english["Content-Language"] == "en" and "Quarterly trend report" in english.content.decode()
    french = client.get(url, {"lang": "fr"})
    assert french["Content-Language"] == "fr" and "Rapport trimestriel" in french.content.decode()
    # The plan's own words in the reader's language too (issue 16).
    assert "Targeted advocacy" in english.content.decode() and "Plaidoyer ciblé" not in english.content.decode()
    assert "Plaidoyer ciblé" in french.content.decode()
    assert client.get(url, {"lang": "xx"})["Content-Language"] == "en"


def test_editor_writes_a_draft_the_board_cannot_see(client, users):
    signed_in(client, users, "board")
    assert client.get(board_url()).status_code == 404
    signed_in(client, users, "editor")
    assert client.get(board_url()).status_code == 200
    assert not BoardUpdate.objects.exists()
    response = client.post(board_url(), {"message_fr": "Un message", "highlights_fr": ""})
    assert response.status_code == 302
    update = BoardUpdate.objects.get()
    assert (update.state, update.message, update.author) == ("draft", "Un message", users["editor"])
    draft_page = client.get(board_url()).content.decode()
    assert "Un message" in draft_page and "Draft: not yet published" in draft_page
    signed_in(client, users, "board")
    assert client.get(board_url()).status_code == 404
    assert client.get(board_url(suffix="-pdf")).status_code == 404
    assert "Draft board update" not in client.get(reverse("reporting:list")).content.decode()


def test_a_draft_with_no_message_saves_nothing(client, users):
    signed_in(client, users, "editor")
    response = client.post(board_url(), {"message_fr": "", "highlights_fr": "Un point"})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not BoardUpdate.objects.exists()


@pytest.mark.parametrize("username", ["staff", "board"])
def test_only_editors_write_or_publish(client, users, username):
    signed_in(client, users, "editor")
    client.post(board_url(), {"message_fr": "Brouillon", "highlights_fr": ""})
    signed_in(client, users, username)
    assert client.post(board_url(), {"message_fr": "Piraté", "highlights_fr": ""}).status_code in (403, 404)
    assert client.get(board_url(suffix="-publish")).status_code == 403
    assert client.post(board_url(suffix="-publish"), CONFIRMED).status_code == 403
    update = BoardUpdate.objects.get()
    assert (update.message, update.state) == ("Brouillon", "draft")


def test_publishing_freezes_the_update_and_lists_it(client, users):
    update = publish(client, users)
    assert update.published and update.published_by == users["editor"] and update.since_quarter == 1
    signed_in(client, users, "board")
    listing = client.get(reverse("reporting:list")).content.decode()
    assert board_url() in listing and update.fingerprint[:12] in listing
    page = client.get(board_url())
    assert page.content == update.html.encode()
    # A published update takes no more change, even from an editor.
    signed_in(client, users, "editor")
    assert client.post(board_url(), {"message_fr": "Autre", "highlights_fr": ""}).status_code == 404
    update.refresh_from_db()
    assert update.message.startswith("Chers membres")


def test_what_changed_is_computed_from_the_previous_board_update(client, users):
    """Q3's update compares with Q1 when Q1 was the last published one, not with Q2."""
    publish(client, users, quarter=1, message="Premier")
    q3 = publish(client, users, quarter=3, message="Troisième")
    assert q3.since_quarter == 1
    assert "What changed since Q1" in q3.html


# Queries per report page, the first time it is made for this version of the data. Why:
# session + user + the user's groups (3), the request's savepoint and its release (2), the
# plan (1), the data version (1: reporting.stored), then the builder's own reads (quarters,
# initiatives, leads, updates, values, indicators, results, questions, reflections,
# events, priorities, organisational priorities and their updates: 13), and the organisation
# on the cover (+1: its row, whether there is one or not). The annual report
# reads the year's events and the plan's own words (key changes, organisational
# priorities) too (+3), and its lessons learned (+1: its row, whether it has one or not,
# the editor's form included); the draft
# board update reads the update and the previous published one (+3); a published board
# update or annual report reads only its row. A report file (PDF, workbook) is served
# outside the request's transaction (no savepoint: -2) and is stored once made: the version
# of the data (+1: what a second reader costs, served from memory), its row for that version
# (+1), claimed (a savepoint, the insert and its release: +3), filled (+1), and
# the older version's removed (+1); the workbook has no cover (-1). The list reads plans
# (with their annual reports), quarters and board updates. A change to these numbers needs
# a reason in its commit. (A second reading reads far less: tests/reporting/test_stored.py.)
PAGES = {
    "list": (lambda: reverse("reporting:list"), "board", 8),
    "quarterly": (lambda: reverse("reporting:quarterly", args=["2022-23", 2]), "board", 21),
    "quarterly-pdf": (lambda: reverse("reporting:quarterly-pdf", args=["2022-23", 2]), "board", 25),
    "quarterly-xlsx": (lambda: reverse("reporting:quarterly-xlsx", args=["2022-23", 2]), "board", 24),
    "annual": (lambda: reverse("reporting:annual", args=["2022-23"]), "board", 25),
    "annual-draft": (lambda: reverse("reporting:annual", args=["2022-23"]), "editor", 25),
    "annual-published": (lambda: reverse("reporting:annual", args=["2022-23"]), "board", 7),
    "annual-pdf-published": (lambda: reverse("reporting:annual-pdf", args=["2022-23"]), "board", 5),
    "board-draft": (lambda: board_url(), "editor", 22),
    "board-published": (lambda: board_url(), "board", 7),
}


@pytest.mark.parametrize("page", PAGES)
def test_queries_do_not_grow_with_the_data(client, users, django_assert_num_queries, page):
    url, username, expected = PAGES[page]
    if page == "board-draft":
        signed_in(client, users, "editor").post(board_url(), {"message_fr": "Brouillon", "highlights_fr": ""})
    if page == "board-published":
        publish(client, users)
    if page.startswith("annual-"):
        signed_in(client, users, "editor").post(reverse("reporting:annual", args=["2022-23"]), {"lessons_fr": "Appris"})
        if page.endswith("-published"):
            assert client.post(reverse("reporting:annual-publish", args=["2022-23"]), CONFIRMED).status_code == 302
    signed_in(client, users, username)
    with django_assert_num_queries(expected):
        assert client.get(url()).status_code == 200
    grow(users)
    with django_assert_num_queries(expected):
        assert client.get(url()).status_code == 200


def test_the_workbook_cuts_a_text_longer_than_a_cell_can_hold(client, users):
    update = StatusUpdate.objects.filter(quarter__number=2, review_state=ReviewState.APPROVED).first()
    StatusUpdate.objects.filter(pk=update.pk).update(narrative="x" * 40_000)
    signed_in(client, users, "board")
    response = client.get(reverse("reporting:quarterly-xlsx", args=["2022-23", 2]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))["Initiatives"]
    long_cells = [cell.value for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)]
    longest = max(long_cells, key=len)
    assert len(longest) == 32_767 and longest.endswith("…")


@pytest.mark.parametrize(("suffix", "field"), [("", "html_sha256"), ("-pdf", "pdf_sha256")], ids=["html", "pdf"])
def test_a_published_board_update_is_answered_304_to_a_reader_who_has_it(client, users, suffix, field):
    """Its ETag is the SHA-256 recorded when it was published: the bytes never change."""
    publish(client, users)
    signed_in(client, users, "board")
    first = client.get(board_url(suffix=suffix))
    update = BoardUpdate.objects.get(quarter__annual_plan__slug="2022-23", quarter__number=2)
    assert first.status_code == 200 and first["ETag"] == f'"{getattr(update, field)}"'
    again = client.get(board_url(suffix=suffix), headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304 and again.content == b""
    assert client.get(board_url(suffix=suffix), headers={"If-None-Match": '"other"'}).status_code == 200


@pytest.mark.parametrize(
    "url",
    [
        reverse("reporting:quarterly-pdf", args=["2022-23", 2]),
        reverse("reporting:quarterly-xlsx", args=["2022-23", 2]),
        reverse("reporting:annual-pdf", args=["2022-23"]),
    ],
    ids=["quarterly-pdf", "quarterly-xlsx", "annual-pdf"],
)
def test_a_report_file_the_reader_has_already_answers_304(client, users, url):
    """The same data makes the same bytes: the ETag tells a reader's client its copy is
    current; a change to what the report reads changes it."""
    client = signed_in(client, users, "board")
    first = client.get(url)
    etag = first["ETag"]
    assert first.status_code == 200 and "private" in first["Cache-Control"] and "no-cache" in first["Cache-Control"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    update = StatusUpdate.objects.filter(quarter__number=2, review_state=ReviewState.APPROVED).first()
    update.narrative += " Complété."
    update.review_state = ReviewState.SUBMITTED
    update.save()  # a revision: the report still reads the approved text, unchanged
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    StatusUpdate.objects.filter(pk=update.pk).update(review_state=ReviewState.DRAFT, approved_at=None)
    versions.changed()  # QuerySet.update sends no signal: a code path using it says so
    changed = client.get(url, headers={"If-None-Match": etag})  # no approved text any more
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_the_annual_report_reads_each_initiatives_status_at_the_years_end(client, users):
    """Issue 13: the demo's year stops in Q3; every initiative has an approved update in
    Q1 and Q2, so each has a year-end status, and 1.3 (completed in Q3) is not carried
    into next year. The old report counted Q4 only: 14 "no approved update"."""
    page = signed_in(client, users, "board").get(reverse("reporting:annual", args=["2022-23"])).content.decode()
    glance = page.split('id="glance"')[1].split("</section>")[0]
    counts = dict(re.findall(r'<span class="status status-(\w+)".*?</dt><dd>(\d+)</dd>', glance, re.S))
    assert counts["completed"] == "1" and counts["missing"] == "0", counts
    carried = page.split('id="next-year"')[1].split("</section>")[0]
    codes = re.findall(r'<span class="code">(\d\.\d)</span>', carried)
    assert len(codes) == 13 and "1.3" not in codes


# --- The board update in each language ---------------------------------------------------

BOARD_TEXTS = {
    "message_fr": "Chers membres du Conseil.",
    "message_en": "Dear Board members.",
    "highlights_fr": "Un point",
    "highlights_en": "One point",
}


def test_the_editor_writes_the_board_update_in_each_language_side_by_side(client, users):
    signed_in(client, users, "editor")
    form = client.get(board_url()).context["form"]
    assert list(form.fields) == ["message_fr", "message_en", "highlights_fr", "highlights_en"]
    assert [form.fields[name].label for name in form.fields] == [
        "Message (français)",
        "Message (English)",
        "Highlights (français)",
        "Highlights (English)",
    ]
    assert form.fields["message_fr"].required and not form.fields["message_en"].required
    texts = BOARD_TEXTS
    assert client.post(board_url(), texts).status_code == 302
    update = BoardUpdate.objects.get(quarter__number=2)
    assert {name: getattr(update, name) for name in texts} == texts


@pytest.mark.parametrize(
    ("language", "message", "highlight"),
    [("en", "Dear Board members.", "One point"), ("fr", "Chers membres du Conseil.", "Un point")],
)
def test_a_board_update_published_in_a_language_carries_its_words_in_that_language(
    client, users, language, message, highlight
):
    signed_in(client, users, "editor")
    texts = BOARD_TEXTS
    assert client.post(board_url(), texts).status_code == 302
    assert client.post(board_url(suffix="-publish"), {"confirm": "True", "language": language}).status_code == 302
    update = BoardUpdate.objects.get(quarter__number=2)
    assert update.language == language
    assert f"<p>{message}</p>" in update.html and f"<li>{highlight}</li>" in update.html
    other = set(texts.values()) - {message, highlight}
    assert not any(text in update.html for text in other)


def test_a_board_update_published_in_english_without_its_english_shows_the_french_marked(client, users):
    signed_in(client, users, "editor")
    assert client.post(board_url(), {"message_fr": "Chers membres du Conseil.", "highlights_fr": ""}).status_code == 302
    assert client.post(board_url(suffix="-publish"), {"confirm": "True", "language": "en"}).status_code == 302
    html = BoardUpdate.objects.get(quarter__number=2).html
    assert '<div lang="fr"><p>Chers membres du Conseil.</p></div>' in html
    assert "(en français)" in html


def test_the_report_list_offers_each_report_in_each_language(client, users):
    publish(client, users)  # the Q2 board update: frozen in each language by one publication
    signed_in(client, users, "board")
    page = client.get(reverse("reporting:list")).content.decode()
    for url in (
        reverse("reporting:quarterly-pdf", args=["2022-23", 2]),
        reverse("reporting:annual-pdf", args=["2022-23"]),
        reverse("reporting:board-pdf", args=["2022-23", 2]),
    ):
        assert f'href="{url}?lang=fr" hreflang="fr" lang="fr" download>français</a>' in page
        assert f'href="{url}?lang=en" hreflang="en" lang="en" download>English</a>' in page
    update = BoardUpdate.objects.get(quarter__number=2)
    for frozen in (update, update.translations.get()):
        pdf = client.get(reverse("reporting:board-pdf", args=["2022-23", 2]), {"lang": frozen.language})
        assert pdf["ETag"] == f'"{frozen.pdf_sha256}"' and pdf.content == bytes(frozen.pdf)
