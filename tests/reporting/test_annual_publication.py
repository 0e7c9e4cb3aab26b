"""The annual report's lessons learned and its publication (issue 13): an editor writes the
lessons as a draft that only editors read, then publishes the report; from then on its
HTML and its PDF are the stored bytes, whatever happens to the plan."""

import re

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils.html import escape

from civicplan.validators import TEXT_MAX
from initiatives.models import Status
from priorities.models import AnnualPlan, StrategicPriority
from reporting import services
from reporting.models import AnnualReview
from tests.helpers import client_in, table_rows
from tests.reporting.test_report_documents import (
    ANNUAL_TITLE,
    BASE,
    CONFIRMED,
    PLAN,
    approved,
    assert_paged_document,
    pages,
    pdf_response,
    priorities,
    read,
    sha256,
)

pytestmark = pytest.mark.django_db

ANNUAL = f"{BASE}/annual/"
PDF = f"{BASE}/annual/pdf/"
PUBLISH = f"{BASE}/annual/publish/"
LESSONS = "Nous avons appris à écouter nos membres.\n\nLe plaidoyer ciblé demande du temps"
NOT_PUBLISHED = "Not published yet: the lessons learned are added when the editors publish the annual report."


@pytest.fixture
def login(demo_progress, django_user_model):
    def client_for(username: str) -> Client:
        client = client_in("en")
        client.force_login(django_user_model.objects.get(username=username))
        return client

    return client_for


def save_lessons(client: Client, lessons: str = LESSONS) -> AnnualReview:
    response = client.post(ANNUAL, {"lessons_fr": lessons})
    assert response.status_code == 302 and response.url == ANNUAL, response.content[:2000]
    return AnnualReview.objects.get(annual_plan__slug=PLAN)


def publish(client: Client):
    response = client.post(PUBLISH, CONFIRMED)
    assert response.status_code == 302 and response.url == "/reports/"
    return response


def last_message(response) -> str:
    return [str(message) for message in get_messages(response.wsgi_request)][-1]


def section(html: str, anchor: str) -> str:
    return html.split(f'id="{anchor}"')[1].split("</section>")[0]


def pdf_text(response) -> str:
    return " ".join(page.text for page in pages(pdf_response(response)))


# --- The draft ---------------------------------------------------------------------------


def test_an_editor_writes_lessons_that_only_editors_read_until_published(login):
    editor, board, staff = login("editor"), login("board"), login("staff")
    # Before any draft: the board reads that the lessons are still to come; the editor gets the form.
    page = board.get(ANNUAL).content.decode()
    assert NOT_PUBLISHED in section(page, "lessons") and 'name="lessons_fr"' not in page
    form = editor.get(ANNUAL).content.decode()
    assert 'name="lessons_fr"' in form and "Start the draft" in form and PUBLISH not in form

    review = save_lessons(editor)
    assert (review.state, review.lessons, review.author.username) == ("draft", LESSONS, "editor")
    assert review.published_at is None and review.html == "" and bytes(review.pdf) == b""

    page = editor.get(ANNUAL).content.decode()
    lessons = section(page, "lessons")
    assert "<p>Nous avons appris à écouter nos membres.</p>" in lessons  # paragraphs kept
    assert "Draft: only editors read these lessons" in lessons
    assert "Save the draft" in page and PUBLISH in page
    # Its own section, after the organisational priorities, before what the plan carries on.
    assert page.index('id="organisational"') < page.index('id="lessons"') < page.index('id="next-year"')
    contents = page.split('id="toc-title"')[1].split("</nav>")[0]
    assert re.search(r"Organisational priorities.*Lessons learned.*What the plan carries", contents, re.S)
    assert "Nous avons appris" in pdf_text(editor.get(PDF))

    for reader in (board, staff):
        page = reader.get(ANNUAL).content.decode()
        assert "Nous avons appris" not in page and NOT_PUBLISHED in section(page, "lessons")
        assert 'name="lessons_fr"' not in page and PUBLISH not in page
        text = pdf_text(reader.get(PDF))
        assert "Nous avons appris" not in text and "Not published yet" in text
    assert "not published yet" in board.get("/reports/").content.decode()


@pytest.mark.parametrize(
    ("lessons", "error"),
    [
        ("", "This field is required."),
        ("   \n  ", "This field is required."),
        ("Ce que nous avons <b>appris</b>", "Write plain text"),
        ("x" * (TEXT_MAX + 1), f"at most {TEXT_MAX} characters"),
        ("Lu \u202edans l'autre sens", "direction-control characters"),
    ],
    ids=["empty", "blank", "markup", "too-long", "bidi"],
)
def test_lessons_that_are_not_plain_text_are_refused_and_nothing_is_written(login, lessons, error):
    editor = login("editor")
    response = editor.post(ANNUAL, {"lessons_fr": lessons})
    assert response.status_code == 400
    assert escape(error) in response.content.decode()
    assert not AnnualReview.objects.exists()
    # Over an existing draft, the draft stays as it was.
    review = save_lessons(editor)
    before = table_rows(AnnualReview)
    assert editor.post(ANNUAL, {"lessons_fr": lessons}).status_code == 400
    assert table_rows(AnnualReview) == before
    review.refresh_from_db()
    assert review.lessons == LESSONS


@pytest.mark.parametrize("username", ["staff", "board"])
def test_only_editors_write_or_publish_the_annual_report(login, username):
    reader = login(username)
    assert reader.post(ANNUAL, {"lessons_fr": "Pris la main"}).status_code == 403
    assert reader.get(PUBLISH).status_code == 403
    assert reader.post(PUBLISH, CONFIRMED).status_code == 403
    assert not AnnualReview.objects.exists()

    save_lessons(login("editor"))
    before = table_rows(AnnualReview)
    assert reader.post(ANNUAL, {"lessons_fr": "Pris la main"}).status_code == 403
    assert reader.get(PUBLISH).status_code == 403
    assert reader.post(PUBLISH, CONFIRMED).status_code == 403
    assert table_rows(AnnualReview) == before


def test_publishing_needs_lessons_written_first(login):
    editor = login("editor")
    assert editor.get(PUBLISH).status_code == 404
    assert editor.post(PUBLISH, CONFIRMED).status_code == 404
    assert not AnnualReview.objects.exists()


# --- Published: frozen --------------------------------------------------------------------


def test_a_published_annual_report_is_served_byte_for_byte(login):
    editor, board = login("editor"), login("board")
    save_lessons(editor)
    done = publish(editor)
    assert last_message(done) == "Published in English. Everyone now reads this annual report exactly as it is."
    review = AnnualReview.objects.select_related("published_by").get(annual_plan__slug=PLAN)
    assert review.published and review.published_by.username == "editor" and review.language == "en"
    assert review.html_sha256 == sha256(review.html.encode())
    assert review.pdf_sha256 == sha256(bytes(review.pdf))
    published_at = review.published_at

    def fetch() -> tuple[bytes, bytes]:
        page = board.get(ANNUAL)
        assert page.status_code == 200 and page["Content-Type"] == "text/html; charset=utf-8"
        pdf = board.get(PDF)
        pdf_response(pdf)
        assert pdf["Content-Disposition"] == f'attachment; filename="civicplan-{PLAN}-annual.pdf"'
        return page.content, pdf.content

    html, pdf = fetch()
    assert html == review.html.encode() and sha256(html) == review.html_sha256
    assert sha256(pdf) == review.pdf_sha256
    # The board now reads the lessons, in the page and on paper, not as a draft.
    lessons = section(html.decode(), "lessons")
    assert "Nous avons appris à écouter nos membres." in lessons and "Draft" not in lessons
    reader = read(pdf)
    toc = {"The plan": "The plan", "The year at a glance": "The year at a glance"}
    for priority in priorities():
        toc[f"{priority.number}. {priority.short_title}"] = f"Strategic priority {priority.number} {priority.title}"
    toc["What the plan carries into next year"] = "What the plan carries into next year"
    texts = assert_paged_document(reader, ANNUAL_TITLE, toc)
    text = " ".join(texts)
    assert "Nous avons appris à écouter nos membres." in text
    assert re.search(r"Lessons learned \.{3,} ?\d+", next(t for t in texts if t.startswith("Contents")))
    # The fingerprint on every page, as a board update's.
    name = review.published_by.get_full_name()
    footer = f"by {name} · SHA-256 {review.fingerprint[:12]}"
    for page in pages(reader):
        # (A chart's labels may reach into the bottom margin of a page: the footer ends it.)
        assert re.search(r"Published \d+ \w+ \d{4} " + re.escape(footer) + r" page \d+ of \d+$", page.bottom)
    assert f"SHA-256 {review.fingerprint[:12]}" in html.decode()
    # Everyone reads the same bytes: an editor too. In French, the French document the same
    # publication froze, its own bytes.
    assert login("editor").get(ANNUAL).content == html and login("staff").get(PDF).content == pdf
    french = review.translations.get()
    assert french.language == "fr" and '<h2 id="lessons-title">Enseignements tirés</h2>' in french.html
    assert board.get(f"{ANNUAL}?lang=fr").content == french.html.encode()
    assert sha256(board.get(f"{PDF}?lang=fr").content) == french.pdf_sha256 != review.pdf_sha256

    listing = board.get("/reports/").content.decode()
    assert f"· SHA-256 {review.fingerprint[:12]}" in listing

    # The world moves on: an update changes, a priority is renamed...
    plan = AnnualPlan.objects.select_related("strategic_plan").get(slug=PLAN)
    changed = approved(2).filter(initiative__priority__number=1, initiative__number=1)
    assert changed.update(approved_status=Status.OFF_TRACK, approved_next_steps="Réécrit après la publication") == 1
    assert StrategicPriority.objects.filter(annual_plan=plan, number=1).update(
        title="Priorité renommée après la publication", short_title="Renommée après la publication"
    )
    # ...and a fresh render would now read differently...
    fresh = services.annual_report_document(plan, review)
    assert "Renommée après la publication" in fresh and "Renommée après la publication" not in review.html
    # ...but the report served is the one published.
    assert fetch() == (html, pdf)

    # Publishing again, or writing the lessons again, is refused with a message: nothing moves.
    before = table_rows(AnnualReview)
    again = editor.post(PUBLISH, CONFIRMED)
    assert again.status_code == 302
    assert last_message(again) == "This annual report is published: it can no longer change."
    rewrite = editor.post(ANNUAL, {"lessons_fr": "Réécrit"})
    assert rewrite.status_code == 302 and rewrite.url == "/reports/"
    assert last_message(rewrite) == "This annual report is published: it can no longer change."
    assert table_rows(AnnualReview) == before
    review.refresh_from_db()
    assert (review.lessons, review.published_at) == (LESSONS, published_at)
    assert fetch() == (html, pdf)


@pytest.mark.parametrize(("url", "field"), [(ANNUAL, "html_sha256"), (PDF, "pdf_sha256")], ids=["html", "pdf"])
def test_a_published_annual_report_is_answered_304_to_a_reader_who_has_it(login, url, field):
    """Its ETag is the SHA-256 recorded when it was published."""
    editor = login("editor")
    save_lessons(editor)
    publish(editor)
    board = login("board")
    first = board.get(url)
    review = AnnualReview.objects.get(annual_plan__slug=PLAN)
    assert first.status_code == 200 and first["ETag"] == f'"{getattr(review, field)}"'
    again = board.get(url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304 and again.content == b""
    assert board.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


def test_the_admin_leaves_a_published_annual_report_alone(login, django_user_model):
    editor = login("editor")
    review = save_lessons(editor)
    admin = Client()
    admin.force_login(django_user_model.objects.get(username="admin"))
    change = f"/admin/reporting/annualreview/{review.pk}/change/"
    # A draft may be corrected there...
    data = {"annual_plan": review.annual_plan_id, "lessons_fr": "Corrigé dans l'admin"}
    assert admin.post(change, data).status_code == 302
    review.refresh_from_db()
    assert review.lessons == "Corrigé dans l'admin"
    # ...a published report is read there, never changed, deleted or reverted.
    publish(editor)
    before = table_rows(AnnualReview)
    assert admin.get(change).status_code == 200
    assert admin.post(change, data | {"lessons_fr": "Réécrit"}).status_code == 403
    assert admin.post(f"/admin/reporting/annualreview/{review.pk}/delete/", {"post": "yes"}).status_code == 403
    first = review.history.order_by("history_id").first().history_id
    revert = f"/admin/reporting/annualreview/{review.pk}/history/{first}/"
    assert admin.post(revert, data).status_code == 403
    assert table_rows(AnnualReview) == before
