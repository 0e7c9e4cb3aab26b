"""Reporting rounds (issue 12): editors open a quarter's round with a due date, change it
and close it (locking the quarter if they ask); the round page tracks who has reported;
the dashboards and the reminders follow the open round, never the calendar date.

The demo world (fixtures/demo_progress_2022_23.json): Q1 and Q2 rounds closed, the Q3
round open, due 15 April 2023: 4 approved, 5 submitted, 1 draft, 1 returned, 3 missing."""

import datetime
import hashlib
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from initiatives import rounds
from initiatives.models import ReviewState, StatusUpdate
from priorities.models import Quarter, QuarterLockChange, ReportingRound
from reporting.models import BoardUpdate
from tests.factories import grow
from tests.helpers import refused_by_database, table_rows

pytestmark = pytest.mark.django_db

PLAN = "2022-23"


def quarter(number: int) -> Quarter:
    return Quarter.objects.get(annual_plan__slug=PLAN, number=number)


def q3_round() -> ReportingRound:
    return ReportingRound.objects.get(quarter=quarter(3))


def round_url(number: int) -> str:
    return reverse("initiatives:round", args=[PLAN, number])


def signed_in(client, users, username):
    client.force_login(users[username])
    return client


# --- the rules, in the services --------------------------------------------------------


def test_the_demo_has_q1_and_q2_closed_and_q3_open(users):
    by_number = {r.quarter.number: r for r in ReportingRound.objects.select_related("quarter")}
    assert sorted(by_number) == [1, 2, 3]
    assert [by_number[n].is_open for n in (1, 2, 3)] == [False, False, True]
    assert by_number[3].due_date == datetime.date(2023, 4, 15)


@pytest.mark.parametrize(
    ("number", "due", "message"),
    [
        (4, datetime.date(2023, 7, 15), "The Q3 round is open: close it before opening the Q4 round."),
        (3, datetime.date(2023, 4, 30), "The Q3 round is open already."),
    ],
)
def test_a_second_open_round_is_refused_and_nothing_is_written(users, number, due, message):
    before = table_rows("priorities")
    with pytest.raises(ValidationError) as refused:
        rounds.round_open(user=users["editor"], quarter=quarter(number), due_date=due)
    assert refused.value.messages == [message]
    assert table_rows("priorities") == before


def test_the_database_itself_holds_one_open_round_a_plan(users):
    q4 = quarter(4)

    def second_open():
        ReportingRound.objects.create(
            quarter=q4, due_date=datetime.date(2023, 7, 15), opened_at=timezone.now(), opened_by=users["editor"]
        )

    assert refused_by_database(second_open)


@pytest.mark.parametrize(
    "due",
    [datetime.date(2023, 3, 31), datetime.date(2023, 10, 1), datetime.date(2021, 1, 1)],
    ids=["before the quarter", "after the next year's Q1", "years before"],
)
def test_a_due_date_outside_the_plans_reporting_year_is_refused(users, due):
    rounds.round_close(user=users["editor"], round_=q3_round(), lock=False)
    before = table_rows("priorities")
    with pytest.raises(ValidationError) as refused:
        rounds.round_open(user=users["editor"], quarter=quarter(4), due_date=due)
    assert "The due date must fall between the quarter's first day" in refused.value.messages[0]
    assert table_rows("priorities") == before


def test_the_q4_round_may_be_due_in_the_summer_after_the_year(users):
    rounds.round_close(user=users["editor"], round_=q3_round(), lock=False)
    opened = rounds.round_open(user=users["editor"], quarter=quarter(4), due_date=datetime.date(2023, 7, 14))
    assert opened.is_open and opened.annual_plan.slug == PLAN


def test_a_locked_quarters_round_is_not_opened(users):
    rounds.round_close(user=users["editor"], round_=q3_round(), lock=True, reason="Envoyé.")
    before = table_rows("priorities")
    with pytest.raises(ValidationError, match="Q3 is locked: unlock it before opening its round."):
        rounds.round_open(user=users["editor"], quarter=quarter(3), due_date=datetime.date(2023, 4, 30))
    assert table_rows("priorities") == before


@pytest.mark.parametrize("username", ["staff", "board"])
def test_only_editors_open_change_and_close(users, username):
    before = table_rows("priorities")
    with pytest.raises(PermissionDenied):
        rounds.round_change_due_date(user=users[username], round_=q3_round(), due_date=datetime.date(2023, 4, 20))
    with pytest.raises(PermissionDenied):
        rounds.round_close(user=users[username], round_=q3_round(), lock=True)
    with pytest.raises(PermissionDenied):
        rounds.round_open(user=users[username], quarter=quarter(4), due_date=datetime.date(2023, 7, 1))
    assert table_rows("priorities") == before


def test_closing_with_a_lock_locks_the_quarter_and_records_who_and_when(users):
    editor = users["editor"]
    rounds.round_change_due_date(user=editor, round_=q3_round(), due_date=datetime.date(2023, 4, 21))
    closed = rounds.round_close(user=editor, round_=q3_round(), lock=True, reason="Rapport T3 envoyé.")
    assert not closed.is_open and closed.closed_by == editor
    assert quarter(3).locked
    change = QuarterLockChange.objects.get(quarter=quarter(3))
    assert (change.locked, change.changed_by, change.reason) == (True, editor, "Rapport T3 envoyé.")
    history = list(q3_round().history.order_by("history_date"))
    assert [(h.history_user, h.due_date, h.closed_at is None) for h in history[-2:]] == [
        (editor, datetime.date(2023, 4, 21), True),
        (editor, datetime.date(2023, 4, 21), False),
    ]


def test_a_closed_round_opens_again_with_a_new_due_date(users):
    rounds.round_close(user=users["editor"], round_=q3_round(), lock=False)
    reopened = rounds.round_open(user=users["editor"], quarter=quarter(3), due_date=datetime.date(2023, 4, 30))
    assert reopened.pk == q3_round().pk and reopened.is_open
    assert reopened.due_date == datetime.date(2023, 4, 30)


# --- the round page --------------------------------------------------------------------


def test_the_tracker_shows_the_demos_counts_to_the_board(client, users):
    page = signed_in(client, users, "board").get(round_url(3)).content.decode()
    # 14 initiatives and 4 organisational priorities (1 approved, 1 submitted, 1 draft, 1 missing)
    assert "11 of 18 updates submitted or approved (61 %)." in page
    counts = re.findall(r'href="\?state=(\w+)"[^>]*>(\d+)</a> <small>\((\d+)&nbsp;%\)', page)
    assert counts == [
        ("missing", "4", "22"),
        ("draft", "2", "11"),
        ("returned", "1", "6"),
        ("submitted", "6", "33"),
        ("approved", "5", "28"),
    ]
    assert 'name="action"' not in page  # the board reads; it changes nothing
    assert "/q3/" not in page.split("tracker-heading")[1]  # and is not sent to update forms


def test_the_tracker_filters_by_state_and_priority(client, users):
    client = signed_in(client, users, "editor")
    missing = client.get(round_url(3), {"state": "missing"}).content.decode()
    shown = re.findall(r'<th scope="row"><a [^>]*>(\d\.\d) ', missing)
    assert shown == ["3.2", "4.2", "5.3"]
    assert "Sustainability (Sustainability)</a>" in missing  # no update of it either
    assert missing.count("overdue</strong>") == 4  # due 15 April 2023, long past
    one = client.get(round_url(3), {"priority": "4"}).content.decode()
    assert re.findall(r'<th scope="row"><a [^>]*>(\d\.\d) ', one) == ["4.1", "4.2"]
    odd = client.get(round_url(3), {"priority": "²", "state": "<b>"})
    assert odd.status_code == 200
    assert len(re.findall(r'<th scope="row">', odd.content.decode())) == 14 + 4


def test_an_editor_opens_changes_and_closes_through_the_page(client, users):
    client = signed_in(client, users, "editor")
    closed = client.post(round_url(3), {"action": "close", "lock": "on", "reason": "Envoyé au Conseil."})
    assert closed.status_code == 302
    assert quarter(3).locked and not q3_round().is_open
    opened = client.post(round_url(4), {"action": "open", "due_date": "2023-07-14"}, follow=True)
    assert "The Q4 round is open." in opened.content.decode()
    changed = client.post(round_url(4), {"action": "due", "due_date": "2023-07-21"}, follow=True)
    assert "The due date is changed." in changed.content.decode()
    assert ReportingRound.objects.get(quarter=quarter(4)).due_date == datetime.date(2023, 7, 21)


def test_a_refused_action_says_why_and_writes_nothing(client, users):
    client = signed_in(client, users, "editor")
    before = table_rows("priorities")
    page = client.post(round_url(4), {"action": "open", "due_date": "2023-07-14"}, follow=True).content.decode()
    assert "The Q3 round is open: close it before opening the Q4 round." in page
    bad = client.post(round_url(3), {"action": "due", "due_date": "2023-02-30"})
    assert bad.status_code == 400
    assert "Enter a valid date." in bad.content.decode()
    assert table_rows("priorities") == before


@pytest.mark.parametrize("username", ["staff", "board"])
def test_only_editors_post_to_the_round_page(client, users, username):
    before = table_rows("priorities")
    for action in ("open", "due", "close", "remind"):
        response = signed_in(client, users, username).post(
            round_url(3), {"action": action, "due_date": "2023-04-20", "lock": "on"}
        )
        assert response.status_code == 403
    assert table_rows("priorities") == before


def test_remind_those_missing_sends_one_email_per_lead_and_says_how_many(client, users, mailoutbox):
    page = signed_in(client, users, "editor").post(round_url(3), {"action": "remind"}, follow=True)
    assert "2 reminders sent." in page.content.decode()
    assert sorted(m.to[0] for m in mailoutbox) == ["staff2@example.org", "staff@example.org"]
    assert all(m.subject == "Overdue: quarterly update for Q3 2022-23" for m in mailoutbox)
    assert "They were due on 15 April 2023: they are overdue." in mailoutbox[0].body


# session, user, the user's groups, plan, quarters with their rounds, initiatives, leads,
# the quarter's updates, organisational priorities with their leads, their updates; and
# the test's savepoint around the request (2).
ROUND_QUERIES = 12


@pytest.mark.parametrize("username", ["editor", "board"])
def test_the_round_page_runs_the_same_queries_at_two_sizes(client, users, django_assert_num_queries, username):
    client = signed_in(client, users, username)
    with django_assert_num_queries(ROUND_QUERIES):
        assert client.get(round_url(3)).status_code == 200
    grow(users)
    with django_assert_num_queries(ROUND_QUERIES):
        page = client.get(round_url(3))
    # 14 initiatives + 5 x 6 more, and the 4 organisational priorities
    assert re.search(r"\d+ of 48 updates submitted or approved", page.content.decode())


# --- the home pages follow the round ---------------------------------------------------


def test_staff_land_on_the_open_round(client, users):
    page = signed_in(client, users, "staff").get("/").content.decode()
    assert "The Q3 round is open: updates are due on 15 April 2023." in page
    due = page.split('id="due-heading"')[1].split("</section>")[0]
    assert re.findall(r">(\d\.\d) ", due) == ["4.1", "4.2"]


def test_with_no_round_open_the_dashboard_shows_the_latest_closed_and_asks_nothing(client, users):
    rounds.round_close(user=users["editor"], round_=q3_round(), lock=False)
    page = signed_in(client, users, "staff").get("/").content.decode()
    assert "No round is open. Shown: Q3, the latest round, closed." in page
    assert "No round is open for Q3: nothing is asked of you." in page


def test_with_no_round_at_all_the_dashboard_says_so(client, users):
    ReportingRound.objects.all().delete()
    page = signed_in(client, users, "staff").get("/").content.decode()
    assert "No round has been opened yet: no update is asked for." in page


def test_the_board_lands_on_a_readers_home(client, users):
    page = signed_in(client, users, "board").get("/").content.decode()
    assert "My work" not in page and "Still due" not in page
    assert "The latest board update" in page and "The Q3 trend report" in page
    assert ">Home</a>" in page


# --- reminders by command --------------------------------------------------------------


def test_the_command_reminds_for_the_open_round_by_default(users, mailoutbox):
    call_command("remind_missing_updates", stdout=(out := _Out()))
    assert "2 reminders sent for Q3 2022-23" in out.text
    assert len(mailoutbox) == 2


def test_the_command_with_no_round_open_asks_for_a_quarter(users, mailoutbox):
    rounds.round_close(user=users["editor"], round_=q3_round(), lock=False)
    with pytest.raises(CommandError, match="No reporting round of 2022-23 is open"):
        call_command("remind_missing_updates")
    assert mailoutbox == []


def test_load_demo_locks_the_closed_rounds_quarters_once(users):
    call_command("load_demo", verbosity=0)
    assert [quarter(n).locked for n in (1, 2, 3, 4)] == [True, True, False, False]
    before = table_rows("priorities", "initiatives")
    call_command("load_demo", verbosity=0)
    assert table_rows("priorities", "initiatives") == before
    assert StatusUpdate.objects.filter(quarter__number=3, review_state=ReviewState.APPROVED).count() == 4
    (published,) = BoardUpdate.objects.filter(state=BoardUpdate.State.PUBLISHED)
    assert (published.quarter.number, published.language) == (1, "fr")
    assert published.pdf_sha256 == hashlib.sha256(bytes(published.pdf)).hexdigest()


class _Out:
    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass
