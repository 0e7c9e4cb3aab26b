"""Reports made once per version of the data (issue 15): the data version moves on every
write path and on no read; report files are made once per version, language and audience,
served stored with their SHA-256 as ETag, never stale and never across audiences; a file
being made is not made twice; a failure says so and the next request tries again; the
background task prepares what readers then download without a making."""

import datetime
import io
import logging

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.test.signals import template_rendered
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from civicplan import versions
from civicplan.spreadsheets import import_spreadsheet
from initiatives import services
from initiatives.models import ReviewState, StatusUpdate
from priorities.models import Event, Quarter
from priorities.resources import EventResource
from reporting import files, stored, tasks
from reporting.models import AnnualReview, ReportFile
from tests.factories import EventFactory
from tests.helpers import PLAN_FIXTURE, client_in, form_as_shown
from tests.spreadsheets.files import csv_bytes, exported

pytestmark = pytest.mark.django_db

PLAN = "2022-23"
Q2_PDF = reverse("reporting:quarterly-pdf", args=[PLAN, 2])
Q2_PAGE = reverse("reporting:quarterly", args=[PLAN, 2])
ANNUAL_PDF = reverse("reporting:annual-pdf", args=[PLAN])


def reader(users, username="board", language="en"):
    client = client_in(language)
    client.force_login(users[username])
    return client


@pytest.fixture
def renders(monkeypatch):
    """The PDFs WeasyPrint really made during the test, counted."""
    made = []
    real = files.render_pdf

    def counted(html):
        made.append(html)
        return real(html)

    monkeypatch.setattr(files, "render_pdf", counted)
    return made


def text_of(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


# --- The data version ------------------------------------------------------------------------


def test_reading_leaves_the_version_and_a_staff_members_update_moves_it(users):
    before = versions.current()
    staff = reader(users, "staff")
    for url in (Q2_PAGE, reverse("dashboard"), f"/plans/{PLAN}/"):
        assert staff.get(url).status_code == 200
    assert versions.current() == before

    initiative = users["staff"].memberships.first().initiative
    url = reverse("initiatives:update", args=[initiative.pk, 3])
    data = form_as_shown(staff, url, narrative="Un nouveau récit.", status="on_track")
    assert staff.post(url, {**data, "action": "draft"}).status_code in (200, 302)
    assert StatusUpdate.objects.filter(initiative=initiative, quarter__number=3, narrative="Un nouveau récit.").exists()
    assert versions.current() != before


def test_the_admin_an_import_and_a_fixture_move_it(users):
    admin = reader(users, "admin")
    event = Event.objects.first()
    before = versions.current()
    delete = reverse("admin:priorities_event_delete", args=[event.pk])
    assert admin.post(delete, {"post": "yes"}).status_code == 302
    assert versions.current() != before

    headers, rows = exported("events")
    rows[0]["title_fr"] = "Un événement renommé"
    before = versions.current()
    report = import_spreadsheet(
        EventResource(), csv_bytes(headers, [list(r.values()) for r in rows]), "csv", dry_run=True
    )
    assert report.ok, report.errors[:3]
    assert versions.current() == before  # a dry run writes nothing
    assert import_spreadsheet(
        EventResource(), csv_bytes(headers, [list(r.values()) for r in rows]), "csv", dry_run=False
    ).ok
    assert versions.current() != before

    before = versions.current()
    call_command("loaddata", str(PLAN_FIXTURE), verbosity=0)
    assert versions.current() != before

    # A restore: tests/test_backup_restore.py (a transactional test).


@pytest.mark.django_db(transaction=True)
@override_settings(DATA_VERSION_AFTER_COMMIT=True)
def test_the_version_moves_once_when_the_writes_commit_and_not_for_a_rollback():
    events = EventFactory.create_batch(3)
    before = versions.current()
    with transaction.atomic():
        for event in events:
            event.title += " (revu)"
            event.save()
        assert versions.current() == before  # not before the commit: a reader would store old data under it
    after = versions.current()
    assert after != before

    with pytest.raises(RuntimeError), transaction.atomic():
        event = Event.objects.first()
        event.title = "Jamais enregistré"
        event.save()
        raise RuntimeError
    assert versions.current() == after


# --- Files made once per version -----------------------------------------------------------


def test_a_pdf_is_made_once_and_served_stored_to_every_reader(users, renders, django_assert_num_queries):
    first = reader(users).get(Q2_PDF)
    assert first.status_code == 200 and len(renders) == 1
    record = ReportFile.objects.get(document="quarterly-pdf/2022-23/q2/en/readers")
    assert first["ETag"] == f'"{record.sha256}"' and first["Last-Modified"]
    again = reader(users, "staff").get(Q2_PDF)
    assert again.content == first.content and len(renders) == 1
    board = reader(users)
    # The session, the user, their groups, the version of the data; the file is in this
    # process's memory: not the plan, which only making the file needs.
    with django_assert_num_queries(4):
        assert board.get(Q2_PDF).content == first.content
    with django_assert_num_queries(4):  # the same, without the file's bytes
        assert board.get(Q2_PDF, headers={"If-None-Match": first["ETag"]}).status_code == 304
    # Another server process (its memory empty) reads the file's row once, then keeps it.
    stored.memory.clear()
    with django_assert_num_queries(5):
        assert board.get(Q2_PDF).content == first.content
    with django_assert_num_queries(4):
        assert board.get(Q2_PDF).content == first.content
    assert len(renders) == 1


def test_the_memory_of_files_keeps_the_last_read_within_its_budget():
    memory = stored.FileMemory(budget=10)
    files = {name: ReportFile(document=name, version="v", content=b"x" * size) for name, size in (("a", 4), ("b", 4))}
    memory.keep(("a", "v"), files["a"])
    memory.keep(("b", "v"), files["b"])
    assert memory.get(("a", "v")) is files["a"]  # read last: "b" is now the oldest
    memory.keep(("c", "v"), ReportFile(document="c", version="v", content=b"x" * 4))
    assert memory.get(("b", "v")) is None and memory.get(("a", "v")) is files["a"] and memory.used == 8
    memory.keep(("d", "v"), ReportFile(document="d", version="v", content=b"x" * 11))  # larger than the budget
    assert memory.get(("d", "v")) is None and memory.used == 8
    assert memory.get(("a", "other version")) is None


def test_a_change_makes_the_next_download_new(users, renders):
    first = reader(users).get(Q2_PDF).content
    update = StatusUpdate.objects.filter(quarter__number=2, review_state=ReviewState.APPROVED).first()
    StatusUpdate.objects.filter(pk=update.pk).update(narrative="Une narration entièrement nouvelle.")
    versions.changed()  # QuerySet.update sends no signal: a code path using it says so
    second = reader(users).get(Q2_PDF).content
    assert len(renders) == 2 and second != first
    assert "entièrement nouvelle" in text_of(second)
    assert ReportFile.objects.filter(document="quarterly-pdf/2022-23/q2/en/readers").count() == 1  # the old one gone


def test_languages_and_audiences_never_share_a_file(users, renders):
    lessons = "Nous avons appris une leçon secrète."
    AnnualReview.objects.create(annual_plan_id=Quarter.objects.get(number=2).annual_plan_id, lessons_fr=lessons)
    english = reader(users, language="en").get(ANNUAL_PDF).content
    french = reader(users, language="fr").get(ANNUAL_PDF).content
    editor = reader(users, "editor", language="en").get(ANNUAL_PDF).content
    board_again = reader(users, language="en").get(ANNUAL_PDF).content
    assert len(renders) == 3 and board_again == english
    assert "leçon secrète" in text_of(editor)
    assert "leçon secrète" not in text_of(english) and "leçon secrète" not in text_of(french)
    assert "Annual report" in text_of(english) and "Rapport annuel" in text_of(french)


def test_the_page_body_is_made_once_and_the_second_view_reads_little(users, django_assert_num_queries):
    board = reader(users)
    assert board.get(Q2_PAGE).status_code == 200
    # The session, the user, their groups, the plan, the version (and the request's savepoint
    # and its release): nothing of the report.
    with django_assert_num_queries(7):
        page = board.get(Q2_PAGE)
    assert "Generate timely knowledge" in page.content.decode()
    event = Event.objects.filter(quarter__number=2).first()
    event.title = "Un événement au nouveau nom"
    event.save()
    assert "Un événement au nouveau nom" in board.get(Q2_PAGE).content.decode()


@pytest.fixture
def sections_made():
    """The priorities' sections made (their template rendered) during the test, by number."""
    made = []

    def rendered(sender, template, context, **kwargs):
        if template.name == "reporting/_priority_section.html":
            made.append(context["view"].section.number)

    template_rendered.connect(rendered)
    yield made
    template_rendered.disconnect(rendered)


def test_after_a_change_to_one_priority_only_its_section_is_made_again(users, sections_made):
    board = reader(users)
    board.get(Q2_PAGE)
    assert sorted(sections_made) == [1, 2, 3, 4, 5]
    sections_made.clear()
    text = _priority()  # priority 1's statement

    page = board.get(Q2_PAGE).content.decode()

    assert text in page
    assert sections_made == [1]
    # The other sections are the same as when they were made: every priority is there, in order.
    assert [page.index(f'id="priority-{n}"') for n in range(1, 6)] == sorted(
        page.index(f'id="priority-{n}"') for n in range(1, 6)
    )


def test_a_section_is_kept_per_language_and_report(users, sections_made):
    for language in ("en", "fr"):
        reader(users, language=language).get(Q2_PAGE)
    reader(users).get(reverse("reporting:quarterly", args=[PLAN, 3]))
    reader(users).get(reverse("reporting:annual", args=[PLAN]))
    assert sorted(sections_made) == sorted([1, 2, 3, 4, 5] * 4)
    sections_made.clear()
    reader(users, language="fr").get(Q2_PAGE)
    versions.changed()
    reader(users, language="fr").get(Q2_PAGE)
    assert sections_made == []  # the body made again from its kept sections


def test_a_translation_written_as_the_text_it_stood_in_for_drops_the_marker(users):
    """A Text's repr carries its language: a priority's English title written the same as
    its French one (no longer a stand-in) is a new section, without "(in French)"."""
    from priorities.models import StrategicPriority

    priority = StrategicPriority.objects.get(annual_plan__slug=PLAN, number=1)
    priority.title_en = ""
    priority.save()
    heading = 'id="priority-1-title"'
    board = reader(users)
    page = board.get(Q2_PAGE).content.decode()
    assert 'lang="fr"' in page[page.index(heading) : page.index("</h2>", page.index(heading))]
    priority.title_en = priority.title_fr
    priority.save()
    page = board.get(Q2_PAGE).content.decode()
    assert 'lang="fr"' not in page[page.index(heading) : page.index("</h2>", page.index(heading))]


def test_a_file_someone_is_making_is_not_made_twice(users, renders):
    document = files.quarterly_pdf(Quarter.objects.get(number=2).annual_plan.slug, 2, "en")
    ReportFile.objects.create(document=document.name, version=stored.version(), started_at=timezone.now())
    waiting = reader(users).get(Q2_PDF)
    assert waiting.status_code == 503 and waiting["Retry-After"] == "5"
    assert "being prepared" in waiting.content.decode() and renders == []

    # Its maker died: after STALE_AFTER the next reader makes it.
    old = timezone.now() - stored.STALE_AFTER - datetime.timedelta(seconds=1)
    ReportFile.objects.filter(document=document.name).update(started_at=old)
    assert reader(users).get(Q2_PDF).status_code == 200 and len(renders) == 1


def test_a_failure_is_said_logged_and_tried_again(users, monkeypatch, caplog):
    def broken(html):
        raise OSError("no fonts left")

    monkeypatch.setattr(files, "render_pdf", broken)
    with caplog.at_level(logging.ERROR, logger="reporting.stored"):
        failed = reader(users).get(Q2_PDF)
    assert failed.status_code == 503 and "could not be made" in failed.content.decode()
    assert "no fonts left" in ReportFile.objects.get(document="quarterly-pdf/2022-23/q2/en/readers").error
    assert any("no fonts left" in (r.exc_text or "") or r.exc_info for r in caplog.records)
    monkeypatch.undo()
    again = reader(users).get(Q2_PDF)
    assert again.status_code == 200 and again.content.startswith(b"%PDF")


# --- Prepared in the background --------------------------------------------------------------


def test_an_approval_queues_the_quarters_reports(users, django_capture_on_commit_callbacks):
    from django_tasks import default_task_backend

    default_task_backend.clear()
    update = StatusUpdate.objects.filter(quarter__number=3, review_state=ReviewState.SUBMITTED).first()
    with django_capture_on_commit_callbacks(execute=True):
        services.status_update_approve(user=users["editor"], update=update)
    queued = [r for r in default_task_backend.results if r.task.func is tasks.prepare_reports.func]
    assert [r.args for r in queued] == [[update.quarter_id]]


@override_settings(LANGUAGES=[("en", "English")])
def test_the_worker_prepares_what_readers_then_download_without_a_making(users, renders):
    quarter = Quarter.objects.get(number=2)
    tasks.prepare_reports.call(quarter.pk)
    assert len(renders) == 2  # the quarter's report and the annual report, in the one language
    assert reader(users).get(Q2_PDF).status_code == 200
    assert reader(users).get(ANNUAL_PDF).status_code == 200
    assert len(renders) == 2
    tasks.prepare_reports.call(quarter.pk)  # made already for this version: nothing to do
    assert len(renders) == 2


def _reflection():
    from initiatives.models import LearningReflection

    record = LearningReflection.objects.filter(quarter__number=3).first()
    record.text = "Une réflexion toute neuve"
    record.save()
    return "Une réflexion toute neuve"


def _priority():
    from priorities.models import StrategicPriority

    record = StrategicPriority.objects.get(annual_plan__slug=PLAN, number=1)
    record.statement = "Un énoncé tout neuf"
    record.save()
    return "Un énoncé tout neuf"


def _indicator():
    from initiatives.models import Indicator

    record = Indicator.objects.filter(expected_result__priority__annual_plan__slug=PLAN).first()
    record.name = "Un indicateur tout neuf"
    record.save()
    return "Un indicateur tout neuf"


def _lead_name():
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="staff2")
    user.first_name, user.last_name = "Ada", "Nouvellenom"
    user.save()
    return "Nouvellenom"


def _event():
    record = Event.objects.filter(quarter__number=3).first()
    record.title = "Un événement tout neuf"
    record.save()
    return "Un événement tout neuf"


@pytest.mark.parametrize("change", [_reflection, _priority, _indicator, _lead_name, _event])
def test_every_kind_of_change_reaches_the_next_reader(users, change):
    """The stored report is never stale: whatever a report reads, once it changes, the next
    reader reads the change."""
    url = reverse("reporting:quarterly", args=[PLAN, 3])
    board = reader(users)
    board.get(url)
    text = change()
    assert text in board.get(url).content.decode()
