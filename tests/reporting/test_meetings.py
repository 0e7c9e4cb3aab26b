"""Board meetings (reporting/meetings.py, meeting_views.py): the rules of a meeting and its
agenda, who reads and who writes, the pack's content (the published board update as the
board received it, the priority in depth, the agenda), its fixed number of queries, its PDF
read back, and the board's home."""

import datetime
import io

import pypdf
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils.html import escape

from initiatives.models import Initiative, LearningReflection, ReviewState, StatusUpdate
from priorities.models import AnnualPlan, LearningQuestion, Quarter, StrategicPriority
from reporting import documents
from reporting.meetings import board_meeting_save, build_meeting_pack
from reporting.models import AgendaItem, BoardMeeting, BoardUpdate
from reporting.services import board_update_publish, board_update_save
from tests.factories import AnnualPlanFactory, PriorityFactory, grow
from tests.helpers import table_rows

pytestmark = pytest.mark.django_db

PLAN = "2022-23"
AGENDA = [
    {"title": "Ouverture et adoption de l'ordre du jour", "presenter": "Présidence", "notes": ""},
    {"title": "Mise à jour de la Secrétaire générale", "presenter": "Secrétaire générale", "notes": ""},
    {"title": "Discussion approfondie : priorité 3", "presenter": "Sofía Ramírez", "notes": "Trente minutes."},
    {"title": "Questions diverses", "presenter": "", "notes": ""},
]
MESSAGE = "Chers membres du Conseil, un premier trimestre encourageant."


def plan() -> AnnualPlan:
    return AnnualPlan.objects.select_related("strategic_plan").get(slug=PLAN)


def quarter(number: int, slug: str = PLAN) -> Quarter:
    return Quarter.objects.get(annual_plan__slug=slug, number=number)


def priority(number: int, slug: str = PLAN) -> StrategicPriority:
    return StrategicPriority.objects.get(annual_plan__slug=slug, number=number)


def fields(**changes) -> dict:
    values = {
        "date": datetime.date(2023, 5, 11),
        "title": "Réunion du Conseil, mai 2023",
        "place": "En ligne",
        "quarter": quarter(3),
        "priority": priority(3),
    }
    return values | changes


def record(users, agenda=AGENDA, **changes) -> BoardMeeting:
    return board_meeting_save(user=users["editor"], plan=plan(), fields=fields(**changes), agenda=agenda)


def signed_in(client, users, username):
    client.force_login(users[username])
    return client


def url(name: str, meeting: BoardMeeting | None = None, slug: str = PLAN) -> str:
    return reverse(f"reporting:{name}", args=[slug] if meeting is None else [slug, meeting.pk])


def stand_in_publication(quarter_number: int, users, body: str = "") -> BoardUpdate:
    """A published board update without rendering a PDF: a stored page made by hand (with its
    SHA-256), as the tests of access and of the page need no real one."""
    update = board_update_save(user=users["editor"], quarter=quarter(quarter_number), message_fr=MESSAGE)
    html = f"<!doctype html><html><head><title>x</title></head><body><main>{body}</main></body></html>"
    BoardUpdate.objects.filter(pk=update.pk).update(
        state=BoardUpdate.State.PUBLISHED,
        published_at=datetime.datetime(2023, 4, 20, 9, tzinfo=datetime.UTC),
        published_by=users["editor"],
        language="fr",
        fingerprint="f" * 64,
        html=html,
        html_sha256=documents.sha256(html),
        pdf=b"%PDF-1.7 stand-in",
        pdf_sha256="b" * 64,
    )
    return BoardUpdate.objects.get(pk=update.pk)


# --- the rules, on every path ---------------------------------------------------------


def other_plan():
    other = AnnualPlanFactory(slug="2023-24", title="Plan annuel 2023-2024", start_date=datetime.date(2023, 7, 1))
    PriorityFactory(annual_plan=other, number=1)
    return other


def test_a_meeting_is_recorded_with_its_agenda_numbered_in_order(users):
    meeting = record(users)
    items = list(meeting.agenda_items.order_by("order"))
    assert [(i.order, i.title) for i in items] == [(n, a["title"]) for n, a in enumerate(AGENDA, 1)]
    assert (meeting.version, meeting.history.count(), AgendaItem.history.count()) == (1, 1, 4)


@pytest.mark.parametrize(
    ("field", "other"),
    [("quarter", lambda: quarter(3, "2023-24")), ("priority", lambda: priority(1, "2023-24"))],
)
def test_a_quarter_or_priority_of_another_plan_is_refused_and_nothing_saved(users, field, other):
    other_plan()
    before = table_rows(BoardMeeting, AgendaItem)
    with pytest.raises(ValidationError) as refused:
        record(users, **{field: other()})
    assert field in refused.value.message_dict
    assert "another annual plan" in refused.value.message_dict[field][0]
    assert table_rows(BoardMeeting, AgendaItem) == before
    # The admin's path: the model's own validation says the same.
    meeting = BoardMeeting(annual_plan=plan(), **fields(**{field: other()}))
    with pytest.raises(ValidationError) as again:
        meeting.full_clean()
    assert field in again.value.message_dict


def test_a_meeting_before_its_quarter_begins_is_refused(users):
    with pytest.raises(ValidationError) as refused:
        record(users, date=datetime.date(2022, 12, 1))  # Q3 begins in January
    assert "before" in refused.value.message_dict["date"][0]
    assert not BoardMeeting.objects.exists()


@pytest.mark.parametrize(
    ("where", "text"),
    [
        ("title", "<script>alert(1)</script>"),
        ("title", "x" * 301),
        ("place", "Salle \u202eA"),
        ("agenda", "<b>Ouverture</b>"),
        ("agenda", "y" * 301),
    ],
)
def test_text_is_plain_and_bounded_and_one_bad_field_saves_nothing(users, where, text):
    agenda = [dict(item) for item in AGENDA]
    changes = {}
    if where == "agenda":
        agenda[2]["title"] = text
    else:
        changes[where] = text
    with pytest.raises(ValidationError) as refused:
        record(users, agenda=agenda, **changes)
    assert where in refused.value.message_dict
    if where == "agenda":
        assert refused.value.message_dict["agenda"][0].startswith("Agenda item 3:")
    assert not BoardMeeting.objects.exists() and not AgendaItem.objects.exists()


@pytest.mark.parametrize("username", ["staff", "board"])
def test_only_editors_record_a_meeting(users, username):
    with pytest.raises(PermissionDenied):
        board_meeting_save(user=users[username], plan=plan(), fields=fields(), agenda=AGENDA)
    assert not BoardMeeting.objects.exists()


def test_a_change_reorders_removes_and_refuses_a_stale_version(users):
    meeting = record(users)
    first, second, third, fourth = meeting.agenda_items.order_by("order")
    changed = board_meeting_save(
        user=users["editor"],
        plan=plan(),
        meeting=meeting,
        version=1,
        fields=fields(title="Réunion du Conseil (modifiée)"),
        agenda=[
            {"pk": third.pk, "title": third.title, "presenter": "", "notes": ""},
            {"pk": first.pk, "title": first.title, "presenter": "", "notes": ""},
            {"title": "Nouveau point", "presenter": "", "notes": ""},
        ],
    )
    assert changed.version == 2 and changed.title == "Réunion du Conseil (modifiée)"
    assert [(i.pk, i.order) for i in changed.agenda_items.order_by("order")][:2] == [(third.pk, 1), (first.pk, 2)]
    assert changed.agenda_items.count() == 3
    assert not AgendaItem.objects.filter(pk__in=[second.pk, fourth.pk]).exists()
    before = table_rows(BoardMeeting, AgendaItem)
    with pytest.raises(ValidationError) as stale:
        board_meeting_save(user=users["editor"], plan=plan(), meeting=meeting, version=1, fields=fields(), agenda=[])
    assert stale.value.code == "stale"
    assert table_rows(BoardMeeting, AgendaItem) == before


def test_an_item_of_another_meeting_cannot_be_moved_into_this_one(users):
    mine, other = record(users), record(users, date=datetime.date(2023, 5, 12))
    foreign = other.agenda_items.first()
    with pytest.raises(ValidationError) as refused:
        board_meeting_save(
            user=users["editor"],
            plan=plan(),
            meeting=mine,
            version=1,
            fields=fields(),
            agenda=[{"pk": foreign.pk, "title": "Volé", "presenter": "", "notes": ""}],
        )
    assert "not one of this meeting's" in refused.value.message_dict["agenda"][0]
    foreign.refresh_from_db()
    assert (foreign.meeting_id, foreign.title) == (other.pk, AGENDA[0]["title"])


# --- who reads, who writes --------------------------------------------------------------


def form_data(meeting=None, agenda=AGENDA, extra=3, **changes) -> dict:
    """What the meeting's form posts: the fields, then the agenda formset (existing items
    first, then ``agenda``'s new ones)."""
    values = fields(**changes)
    data = {
        "date": values["date"].isoformat(),
        "title": values["title"],
        "place": values["place"],
        "quarter": values["quarter"].pk,
        "priority": values["priority"].pk,
    }
    existing = list(meeting.agenda_items.order_by("order")) if meeting else []
    if meeting:
        data["version"] = meeting.version
    rows = [
        {"id": item.pk, "order": item.order, "title": item.title, "presenter": item.presenter, "notes": item.notes}
        for item in existing
    ] + [
        {"order": n, "title": item["title"], "presenter": item["presenter"], "notes": item["notes"]}
        for n, item in enumerate(agenda, len(existing) + 1)
    ]
    data |= {
        "agenda-TOTAL_FORMS": len(rows) + extra,
        "agenda-INITIAL_FORMS": len(existing),
        "agenda-MIN_NUM_FORMS": 0,
        "agenda-MAX_NUM_FORMS": 1000,
    }
    for n, row in enumerate(rows):
        data |= {f"agenda-{n}-{key}": value for key, value in row.items()}
    return data


def test_anonymous_visitors_are_sent_to_sign_in(client, users):
    meeting = record(users)
    for address in (url("meetings"), url("meeting", meeting), url("meeting-pdf", meeting), url("meeting-create")):
        response = client.get(address)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), address


@pytest.mark.parametrize("username", ["staff", "board"])
def test_staff_and_board_read_but_never_write(client, users, username):
    meeting = record(users)
    signed_in(client, users, username)
    listing = client.get(url("meetings")).content.decode()
    assert url("meeting", meeting) in listing and url("meeting-create") not in listing
    page = client.get(url("meeting", meeting))
    assert page.status_code == 200 and url("meeting-edit", meeting) not in page.content.decode()
    before = table_rows(BoardMeeting, AgendaItem)
    assert client.get(url("meeting-create")).status_code == 403
    assert client.post(url("meeting-create"), form_data()).status_code == 403
    assert client.get(url("meeting-edit", meeting)).status_code == 403
    assert client.post(url("meeting-edit", meeting), form_data(meeting, title="Piraté")).status_code == 403
    assert table_rows(BoardMeeting, AgendaItem) == before


def test_a_meeting_is_read_under_its_own_plan_only(client, users):
    other_plan()
    meeting = record(users)
    signed_in(client, users, "editor")
    for name in ("meeting", "meeting-pdf", "meeting-edit"):
        assert client.get(url(name, meeting, slug="2023-24")).status_code == 404
    assert client.post(url("meeting-edit", meeting, slug="2023-24"), form_data(meeting)).status_code == 404
    assert client.get(url("meeting", meeting)).status_code == 200


def test_an_editor_records_a_meeting_in_the_browser(client, users):
    signed_in(client, users, "editor")
    assert client.get(url("meeting-create")).status_code == 200
    response = client.post(url("meeting-create"), form_data())
    meeting = BoardMeeting.objects.get()
    assert response.status_code == 302 and response["Location"] == url("meeting", meeting)
    assert [i.title for i in meeting.agenda_items.order_by("order")] == [a["title"] for a in AGENDA]
    assert (meeting.quarter.number, meeting.priority.number, meeting.place) == (3, 3, "En ligne")


def test_a_form_with_one_bad_agenda_line_saves_nothing_and_says_so(client, users):
    signed_in(client, users, "editor")
    agenda = [dict(item) for item in AGENDA]
    agenda[1]["presenter"] = "<img src=x>"
    response = client.post(url("meeting-create"), form_data(agenda=agenda))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Nothing was saved: please correct the fields marked below." in page
    assert "Write plain text" in page
    assert not BoardMeeting.objects.exists() and not AgendaItem.objects.exists()


def test_a_bad_field_on_a_change_saves_nothing(client, users):
    other_plan()
    meeting = record(users)
    signed_in(client, users, "editor")
    before = table_rows(BoardMeeting, AgendaItem)
    data = form_data(meeting, agenda=[{"title": "Nouveau point", "presenter": "", "notes": ""}])
    data["priority"] = priority(1, "2023-24").pk
    response = client.post(url("meeting-edit", meeting), data)
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()  # only the plan's priorities are offered
    assert table_rows(BoardMeeting, AgendaItem) == before


def test_an_editor_reorders_and_removes_items_in_the_browser(client, users):
    meeting = record(users)
    signed_in(client, users, "editor")
    data = form_data(meeting, agenda=[])
    data |= {"agenda-0-order": 9, "agenda-3-DELETE": "on"}  # the opening goes last, "Questions diverses" goes
    assert client.post(url("meeting-edit", meeting), data).status_code == 302
    titles = [item.title for item in meeting.agenda_items.order_by("order")]
    assert titles == [AGENDA[1]["title"], AGENDA[2]["title"], AGENDA[0]["title"]]
    assert list(meeting.agenda_items.order_by("order").values_list("order", flat=True)) == [1, 2, 3]
    # The same form posted again is stale: someone (the editor) saved the meeting since.
    response = client.post(url("meeting-edit", meeting), data)
    assert response.status_code == 409 and "Someone else saved this meeting" in response.content.decode()


# --- the pack ---------------------------------------------------------------------------


def test_the_pack_reads_approved_updates_and_the_published_update_only(client, users):
    meeting = record(users)  # reviews Q3, priority 3 in depth
    submitted = StatusUpdate.objects.get(
        initiative=Initiative.objects.get_by_natural_key(PLAN, 3, 1), quarter__number=3
    )
    assert submitted.review_state == ReviewState.SUBMITTED
    board_update_save(user=users["editor"], quarter=quarter(3), message_fr="Brouillon secret du trimestre.")
    signed_in(client, users, "board")
    page = client.get(url("meeting", meeting)).content.decode()
    assert escape(submitted.narrative[:50]) not in page
    assert "Brouillon secret" not in page
    assert "No board update has been published for Q3: this pack has none to include." in page
    pack = build_meeting_pack(meeting)
    row = next(r for r in pack.deep_dive.initiatives if r.code == "3.1")
    assert [entry.status for entry in row.entries][2] is None  # submitted: not yet approved
    assert pack.draft_update is True and pack.board_update is None
    # Every quarter so far, every reflection so far, every indicator with a value a quarter.
    assert [len(r.entries) for r in pack.deep_dive.initiatives] == [3, 3, 3]
    reflections = LearningReflection.objects.filter(learning_question__priority=priority(3), quarter__number__lte=3)
    assert sum(len(q.reflections) for q in pack.deep_dive.questions) == reflections.count() > 0
    assert all(len(i.by_quarter) == 3 for r in pack.deep_dive.results for i in r.indicators)


def test_the_pack_opens_with_the_update_as_stored_headings_nested(client, users):
    body = (
        '<div class="report board-update"><h1>Point au Conseil</h1><h2 id="message-title">Message</h2>'
        "<p>Texte.</p></div>"
    )
    update = stand_in_publication(3, users, body)
    meeting = record(users)
    signed_in(client, users, "board")
    page = client.get(url("meeting", meeting)).content.decode()
    assert '<h2>Point au Conseil</h2><h3 id="message-title">Message</h3><p>Texte.</p>' in page
    assert update.html_sha256[:12] in page
    # A stored page that is not what its SHA-256 says is not shown: its message is, as published.
    BoardUpdate.objects.filter(pk=update.pk).update(html=update.html.replace("Texte.", "Autre."))
    page = client.get(url("meeting", meeting)).content.decode()
    assert "Autre." not in page and escape(MESSAGE) in page


def test_the_agenda_is_shown_in_order(client, users):
    meeting = record(users)
    signed_in(client, users, "staff")
    page = client.get(url("meeting", meeting)).content.decode()
    positions = [page.index(escape(item["title"])) for item in AGENDA]
    assert positions == sorted(positions)


# Queries of the meeting's page. Why: session + user + the user's groups (3), the request's
# savepoint and its release (2), the meeting with its plan, quarter and priority (1), then
# the pack's own reads (board update, initiatives, leads, updates, indicator values,
# indicators, results, learning questions, reflections, agenda: 10). A change to this
# number needs a reason in its commit.
MEETING_QUERIES = 16
# The list: 5, the plan (1), the meetings with their item counts (1). The board's home: as
# before, and the plan's meetings (1).
LIST_QUERIES = 7


def grow_the_priority(users, meeting):
    grow(users)
    for number in range(2, 5):
        question = LearningQuestion.objects.create(priority=priority(3), number=number, text=f"Question {number} ?")
        for q in (1, 2, 3):
            LearningReflection.objects.create(learning_question=question, quarter=quarter(q), text=f"Réflexion {q}.")
    for n in range(10):
        AgendaItem.objects.create(meeting=meeting, order=10 + n, title=f"Point {n}")


def test_the_meeting_page_runs_the_same_queries_whatever_the_size(client, users, django_assert_num_queries):
    stand_in_publication(3, users, "<p>Publié.</p>")
    meeting = record(users)
    signed_in(client, users, "board")
    with django_assert_num_queries(MEETING_QUERIES):
        small = client.get(url("meeting", meeting))
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(url("meetings")).status_code == 200
    grow_the_priority(users, meeting)
    record(users, date=datetime.date(2023, 6, 1))
    with django_assert_num_queries(MEETING_QUERIES):
        large = client.get(url("meeting", meeting))
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(url("meetings")).status_code == 200
    assert small.status_code == large.status_code == 200
    assert large.content.count(b'class="narrative"') == small.content.count(b'class="narrative"') + 6
    assert b"Question 4 ?" in large.content and b"Point 9" in large.content


# --- the board's home -------------------------------------------------------------------

# session + user + groups (3), savepoint and release (2), the current plan, the plan and
# its quarters (3), the published board updates, the events (2), the meetings (1).
HOME_QUERIES = 11


def test_the_board_home_names_the_next_meeting_from_the_round_not_the_date(client, users, django_assert_num_queries):
    """The demo's open round is Q3's: the next meeting is the first reviewing Q3 or later,
    whatever today's date; the last is the latest reviewing an earlier quarter."""
    signed_in(client, users, "board")
    with django_assert_num_queries(HOME_QUERIES):
        home = client.get("/").content.decode()
    assert "No board meeting reviewing Q3 or a later quarter is recorded yet." in home
    past = record(users, date=datetime.date(2022, 11, 17), quarter=quarter(1))
    later = record(users, date=datetime.date(2023, 9, 14), quarter=quarter(4), priority=priority(5))
    following = record(users, date=datetime.date(2023, 5, 11))
    with django_assert_num_queries(HOME_QUERIES):
        home = client.get("/").content.decode()
    section = home[home.index('id="meeting-heading"') : home.index('id="reports-heading"')]
    assert section.index(url("meeting", following)) < section.index(url("meeting", past))
    assert url("meeting-pdf", following) in section and url("meeting-pdf", past) in section
    assert url("meeting", later) not in section


# --- the PDF ----------------------------------------------------------------------------


def test_the_pack_pdf_holds_the_update_the_priority_and_the_agenda_in_order(client, users):
    """Two PDFs rendered in all: the board update's, published for real, and the pack's."""
    update = board_update_save(user=users["editor"], quarter=quarter(3), message_fr=MESSAGE)
    board_update_publish(user=users["editor"], update=update, plan=plan(), language="fr")
    meeting = record(users)
    signed_in(client, users, "board")
    response = client.get(url("meeting-pdf", meeting))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "Chers membres du Conseil, un premier trimestre encourageant." in text
    for initiative in Initiative.objects.filter(priority=priority(3)):
        assert initiative.title in text
    agenda = text[text.rindex("Agenda") :]
    positions = [agenda.index(item["title"]) for item in AGENDA]
    assert positions == sorted(positions)
    assert (
        text.index(MESSAGE)
        < text.index(Initiative.objects.get_by_natural_key(PLAN, 3, 1).title)
        < text.rindex(AGENDA[0]["title"])
    )


# --- the admin --------------------------------------------------------------------------


def admin_data(meeting, items, **changes) -> dict:
    """The admin's change form as posted: the meeting's fields and its inline agenda."""
    data = {
        "annual_plan": meeting.annual_plan_id,
        "date": meeting.date.isoformat(),
        "title": meeting.title,
        "place": meeting.place,
        "quarter": meeting.quarter_id,
        "priority": meeting.priority_id,
        "agenda_items-TOTAL_FORMS": len(items),
        "agenda_items-INITIAL_FORMS": len(items),
        "agenda_items-MIN_NUM_FORMS": 0,
        "agenda_items-MAX_NUM_FORMS": 1000,
    } | changes
    for n, (item, order, title) in enumerate(items):
        data |= {
            f"agenda_items-{n}-id": item.pk,
            f"agenda_items-{n}-meeting": meeting.pk,
            f"agenda_items-{n}-order": order,
            f"agenda_items-{n}-title": title,
            f"agenda_items-{n}-presenter": item.presenter,
            f"agenda_items-{n}-notes": item.notes,
        }
    return data


def test_the_admin_keeps_the_same_rules_and_numbers_the_agenda(client, users, superuser):
    other_plan()
    meeting = record(users)
    items = list(meeting.agenda_items.order_by("order"))
    client.force_login(superuser)
    change = reverse("admin:reporting_boardmeeting_change", args=[meeting.pk])
    assert client.get(change).status_code == 200
    before = table_rows(BoardMeeting, AgendaItem)
    swapped = [(items[0], 2, items[0].title), (items[1], 1, items[1].title), (items[2], 3, items[2].title)]
    swapped.append((items[3], 4, "<script>x</script>"))
    for bad in (admin_data(meeting, swapped), admin_data(meeting, swapped[:3], priority=priority(1, "2023-24").pk)):
        response = client.post(change, bad)
        assert response.status_code == 200 and response.context["errors"], bad
    assert table_rows(BoardMeeting, AgendaItem) == before
    good = [(items[0], 7, items[0].title), (items[1], 1, items[1].title), (items[2], 3, items[2].title)]
    good.append((items[3], 3, items[3].title))
    assert client.post(change, admin_data(meeting, good)).status_code == 302
    stored = [(item.pk, item.order) for item in meeting.agenda_items.order_by("order")]
    assert stored == [(items[1].pk, 1), (items[2].pk, 2), (items[3].pk, 3), (items[0].pk, 4)]
    meeting.refresh_from_db()
    assert meeting.version == 2


# --- the demo ---------------------------------------------------------------------------


def test_the_demo_records_its_meetings_once(client, users):
    """load_demo publishes the Q1 update (one PDF) and records the meeting that reviewed Q1
    (priority 3 in depth, as the Q1 message proposes) and the next one, reviewing Q3."""
    call_command("load_demo", verbosity=0)
    call_command("load_demo", verbosity=0)
    reviewed, coming = BoardMeeting.objects.order_by("date")
    assert (reviewed.quarter.number, reviewed.priority.number, reviewed.agenda_items.count()) == (1, 3, 5)
    assert (coming.quarter.number, coming.priority.number, coming.agenda_items.count()) == (3, 4, 4)
    signed_in(client, users, "board")
    assert "Je vous propose d&#x27;approfondir la priorité 3" in client.get(url("meeting", reviewed)).content.decode()
    home = client.get("/").content.decode()
    assert home.index(url("meeting", coming)) < home.index(url("meeting", reviewed))
