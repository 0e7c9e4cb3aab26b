"""The plan's calendar: the page, its iCalendar feed, and the editors' changes to it.

Every test drives real requests with the demo accounts (editor, staff, board) over the
seed plan, and asserts the database before and after.
"""

import datetime

import icalendar
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from civicplan import editing
from civicplan.translations import texts_of
from initiatives.models import Initiative
from priorities import services
from priorities.models import AnnualPlan, Event, EventKind, StrategicPriority
from tests.factories import AnnualPlanFactory, EventFactory
from tests.helpers import field_block, form_as_shown

PLAN = "2022-23"
# The seed's dated events: slug -> (title, first day, last day).
DATED = {
    "q1-forum-politique-de-haut-niveau": (
        "Forum politique de haut niveau (FPHN)",
        datetime.date(2022, 7, 5),
        datetime.date(2022, 7, 15),
    ),
    "q1-assemblee-generale-de-l-onu": (
        "Assemblée générale de l'ONU",
        datetime.date(2022, 9, 20),
        datetime.date(2022, 9, 26),
    ),
    "q1-journee-internationale-de-la-jeunesse": (
        "Activités de réseautage pour la Journée internationale de la jeunesse",
        datetime.date(2022, 8, 12),
        datetime.date(2022, 8, 12),
    ),
    "q3-commission-condition-de-la-femme": (
        "Commission des Nations Unies sur la condition de la femme",
        datetime.date(2023, 3, 6),
        datetime.date(2023, 3, 17),
    ),
    "q3-journee-internationale-de-la-femme": (
        "Activités pour la Journée internationale de la femme",
        datetime.date(2023, 3, 8),
        datetime.date(2023, 3, 8),
    ),
}
FPHN = "q1-forum-politique-de-haut-niveau"
UNDATED = "q2-mois-des-membres"

CALENDAR = reverse("priorities:calendar", args=[PLAN])
FEED = reverse("priorities:calendar_ics", args=[PLAN])
NEW = reverse("priorities:event_create", args=[PLAN])


def edit_url(slug):
    return reverse("priorities:event_edit", args=[PLAN, slug])


def delete_url(slug):
    return reverse("priorities:event_delete", args=[PLAN, slug])


@pytest.fixture
def plan(demo_progress):
    return AnnualPlan.objects.get(slug=PLAN)


def signed_in(client, username):
    """The client signed in as a demo account, reading the interface in English (the
    messages asserted here are the English ones, whatever catalogues come later)."""
    client.force_login(get_user_model().objects.get(username=username))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def quarter(plan, number):
    return plan.quarters.get(number=number)


def form_data(plan, **overrides):
    """A valid new event in Q2, as the form posts it."""
    data = {
        "title_fr": "Atelier des membres",
        "quarter": quarter(plan, 2).pk,
        "kind": EventKind.NETWORK,
        "start_date": "2022-11-14",
        "end_date": "2022-11-15",
        "priority": StrategicPriority.objects.get(annual_plan=plan, number=5).pk,
        "initiative": "",
        "description_fr": "Deux jours avec les membres.",
    }
    data.update(overrides)
    return data


def event_form_data(event, **overrides):
    """The edit form of an existing event as it would be posted unchanged (with the
    fingerprint of the event as stored now, as the form carries it)."""
    data = {
        "fingerprint": editing.edit_fingerprint(event),
        **{name: value or "" for name, value in texts_of(event, "title").items()},
        "quarter": event.quarter_id,
        "kind": event.kind,
        "start_date": event.start_date.isoformat() if event.start_date else "",
        "end_date": event.end_date.isoformat() if event.end_date else "",
        "priority": event.priority_id or "",
        "initiative": event.initiative_id or "",
        **{name: value or "" for name, value in texts_of(event, "description").items()},
    }
    data.update(overrides)
    return data


def snapshot():
    """Every event of every plan, as stored."""
    return {e.pk: model_to_dict(e) | {"slug": e.slug} for e in Event.objects.all()}


def feed_events(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    parsed = icalendar.Calendar.from_ical(response.content)
    return parsed, {str(e["UID"]): e for e in parsed.walk("VEVENT")}


def uid(slug):
    return f"{PLAN}-{slug}@civicplan"


# --- The feed -------------------------------------------------------------------------


def test_feed_has_one_all_day_event_per_dated_event(client, plan):
    assert Event.objects.filter(annual_plan=plan, start_date__isnull=False).count() == len(DATED) == 5
    assert Event.objects.filter(annual_plan=plan, start_date__isnull=True).count() > 0

    client = signed_in(client, "staff")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"  # the seed's words: the plan's French
    calendar, events = feed_events(client.get(FEED))

    assert str(calendar["VERSION"]) == "2.0"
    assert "civicplan" in str(calendar["PRODID"])
    assert str(calendar["X-WR-CALNAME"]) == plan.title_fr
    assert len(calendar.walk("VEVENT")) == 5
    assert set(events) == {uid(slug) for slug in DATED}
    for slug, (title, first, last) in DATED.items():
        event = events[uid(slug)]
        assert str(event["SUMMARY"]) == title
        assert event["SUMMARY"].params["LANGUAGE"] == "fr"
        assert event["DTSTART"].dt == first
        assert type(event["DTSTART"].dt) is datetime.date, "an all-day event starts on a DATE"
        # iCalendar's DTEND of an all-day event is the day after the last day.
        assert event["DTEND"].dt == last + datetime.timedelta(days=1)
        assert type(event["DTEND"].dt) is datetime.date
        assert event["DTSTAMP"].dt is not None


def test_feed_says_kind_priority_and_initiative(client, plan):
    fphn = Event.objects.get(annual_plan=plan, slug=FPHN)
    Event.objects.filter(pk=fphn.pk).update(
        description_fr="Rendez-vous à New York.", initiative=Initiative.objects.get(priority=fphn.priority, number=1)
    )

    _, events = feed_events(signed_in(client, "board").get(FEED))

    event = events[uid(FPHN)]
    assert [str(c) for c in event["CATEGORIES"].cats] == ["International meeting"]
    description = str(event["DESCRIPTION"])
    assert "Rendez-vous à New York." in description
    assert f"Strategic priority 2: {fphn.priority.title}" in description
    assert "Initiative 2.1" in description


def test_undated_events_are_not_in_the_feed_but_on_the_page(client, plan):
    undated = Event.objects.get(annual_plan=plan, slug=UNDATED)
    assert undated.start_date is None
    client = signed_in(client, "staff")

    _, events = feed_events(client.get(FEED))
    page = client.get(CALENDAR).content.decode()

    assert uid(UNDATED) not in events
    assert escape(undated.title) in page
    assert "date to be set" in page


def test_uids_stay_the_same_across_requests_and_after_an_edit(client, plan):
    client = signed_in(client, "editor")
    _, first = feed_events(client.get(FEED))
    _, second = feed_events(client.get(FEED))
    assert set(first) == set(second) == {uid(slug) for slug in DATED}

    fphn = Event.objects.get(annual_plan=plan, slug=FPHN)
    response = client.post(
        edit_url(FPHN),
        event_form_data(
            fphn, title_en="High-Level Political Forum 2022", start_date="2022-07-11", end_date="2022-07-18"
        ),
    )
    assert response.status_code == 302

    _, after = feed_events(client.get(FEED))
    assert set(after) == set(first)
    assert str(after[uid(FPHN)]["SUMMARY"]) == "High-Level Political Forum 2022"  # the reader's English
    assert after[uid(FPHN)]["DTSTART"].dt == datetime.date(2022, 7, 11)
    assert after[uid(FPHN)]["DTEND"].dt == datetime.date(2022, 7, 19)
    assert Event.objects.get(pk=fphn.pk).slug == FPHN


def test_the_calendar_page_links_to_the_feed(client, plan):
    page = signed_in(client, "board").get(CALENDAR).content.decode()
    assert f'href="{FEED}"' in page


# --- Who may do what ------------------------------------------------------------------

EDIT_URLS = [NEW, edit_url(FPHN), delete_url(FPHN)]


@pytest.mark.parametrize("url", [CALENDAR, FEED, *EDIT_URLS])
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_is_sent_to_sign_in(client, plan, url, method):
    before = snapshot()
    response = getattr(client, method)(url, form_data(plan) if method == "post" else None)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")
    assert snapshot() == before


@pytest.mark.parametrize("username", ["staff", "board"])
def test_readers_read_the_page_and_the_feed(client, plan, username):
    client = signed_in(client, username)
    page = client.get(CALENDAR)
    assert page.status_code == 200
    assert "High-Level Political Forum" in page.content.decode()  # the plan's English, for an English reader
    _, events = feed_events(client.get(FEED))
    assert len(events) == 5


@pytest.mark.parametrize("username", ["staff", "board"])
def test_readers_see_no_editing_links(client, plan, username):
    page = signed_in(client, username).get(CALENDAR).content.decode()
    for url in EDIT_URLS:
        assert url not in page


def test_editors_see_the_editing_links(client, plan):
    page = signed_in(client, "editor").get(CALENDAR).content.decode()
    for url in EDIT_URLS:
        assert url in page


@pytest.mark.parametrize("username", ["staff", "board"])
@pytest.mark.parametrize("url", EDIT_URLS)
def test_readers_may_not_open_the_editing_pages(client, plan, username, url):
    assert signed_in(client, username).get(url).status_code == 403


@pytest.mark.parametrize("username", ["staff", "board"])
def test_readers_forged_posts_are_refused_and_change_nothing(client, plan, username):
    client = signed_in(client, username)
    fphn = Event.objects.get(annual_plan=plan, slug=FPHN)
    before = snapshot()

    assert client.post(NEW, form_data(plan)).status_code == 403
    assert client.post(edit_url(FPHN), event_form_data(fphn, title_fr="Piraté")).status_code == 403
    assert client.post(delete_url(FPHN)).status_code == 403

    assert snapshot() == before
    assert Event.objects.get(pk=fphn.pk).title == fphn.title


def test_services_refuse_a_non_editor(plan):
    staff = get_user_model().objects.get(username="staff")
    fphn = Event.objects.get(annual_plan=plan, slug=FPHN)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.event_create(user=staff, plan=plan, title_fr="X", quarter=quarter(plan, 1))
    with pytest.raises(PermissionDenied):
        services.event_update(user=staff, event=fphn, fingerprint=editing.edit_fingerprint(fphn), title_fr="X")
    with pytest.raises(PermissionDenied):
        services.event_delete(user=staff, event=fphn)
    assert snapshot() == before


# --- The editor's changes -------------------------------------------------------------


def test_editor_adds_an_event(client, plan):
    client = signed_in(client, "editor")
    assert client.get(NEW).status_code == 200
    count = Event.objects.count()

    response = client.post(NEW, form_data(plan), follow=True)

    assert response.redirect_chain[0] == (f"{CALENDAR}#quarter-2", 302)
    assert Event.objects.count() == count + 1
    event = Event.objects.get(annual_plan=plan, title_fr="Atelier des membres")
    assert event.quarter == quarter(plan, 2)
    assert event.slug == "q2-atelier-des-membres"
    assert (event.start_date, event.end_date) == (datetime.date(2022, 11, 14), datetime.date(2022, 11, 15))
    assert event.kind == EventKind.NETWORK
    assert event.priority.number == 5
    page = response.content.decode()
    assert "Event “Atelier des membres” added." in page
    assert 'id="event-q2-atelier-des-membres"' in page
    _, events = feed_events(client.get(FEED))
    assert events[uid(event.slug)]["DTEND"].dt == datetime.date(2022, 11, 16)


def test_a_new_event_with_a_taken_title_gets_a_slug_of_its_own(client, plan):
    client = signed_in(client, "editor")
    data = form_data(plan, title_fr="Conseil des droits de l'homme", start_date="", end_date="")

    assert client.post(NEW, data).status_code == 302
    assert client.post(NEW, data).status_code == 302

    slugs = set(Event.objects.filter(annual_plan=plan, title_fr=data["title_fr"]).values_list("slug", flat=True))
    # The seed already has this title in Q2 and Q4; each new one gets a free slug.
    assert slugs == {
        "q2-conseil-des-droits-de-l-homme",
        "q4-conseil-des-droits-de-l-homme",
        "q2-conseil-des-droits-de-l-homme-2",
        "q2-conseil-des-droits-de-l-homme-3",
    }


def test_the_add_form_starts_in_the_quarter_asked_for(client, plan):
    response = signed_in(client, "editor").get(NEW + "?quarter=3")
    assert f'<option value="{quarter(plan, 3).pk}" selected>' in response.content.decode()


def test_editor_edits_an_event_and_its_slug_stays(client, plan):
    client = signed_in(client, "editor")
    fphn = Event.objects.get(annual_plan=plan, slug=FPHN)
    form = client.get(edit_url(FPHN))
    assert form.status_code == 200
    assert 'value="2022-07-05"' in form.content.decode()

    response = client.post(
        edit_url(FPHN),
        event_form_data(fphn, title_en="FPHN 2022", kind=EventKind.GOVERNANCE, end_date="", priority=""),
        follow=True,
    )

    assert response.redirect_chain[0] == (f"{CALENDAR}#quarter-1", 302)
    assert "Event “FPHN 2022” saved." in response.content.decode()  # its title in the editor's language
    fphn.refresh_from_db()
    assert fphn.title_fr == "Forum politique de haut niveau (FPHN)"
    assert (fphn.title_en, fphn.kind, fphn.end_date, fphn.priority) == ("FPHN 2022", EventKind.GOVERNANCE, None, None)
    assert fphn.slug == FPHN


def test_editor_moves_an_event_to_another_quarter(client, plan):
    client = signed_in(client, "editor")
    undated = Event.objects.get(annual_plan=plan, slug=UNDATED)
    response = client.post(
        edit_url(UNDATED),
        event_form_data(undated, quarter=quarter(plan, 3).pk, start_date="2023-02-01"),
    )
    assert response.status_code == 302
    undated.refresh_from_db()
    assert (undated.quarter.number, undated.start_date, undated.slug) == (3, datetime.date(2023, 2, 1), UNDATED)


def test_editor_deletes_an_event_after_confirming(client, plan):
    client = signed_in(client, "editor")
    fphn = Event.objects.get(annual_plan=plan, slug=FPHN)
    count = Event.objects.count()

    confirm = client.get(delete_url(FPHN))
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert fphn.title in page
    assert f'<form method="post" action="{delete_url(FPHN)}">' in page
    assert Event.objects.count() == count, "asking is not deleting"

    response = client.post(delete_url(FPHN), follow=True)

    assert response.redirect_chain[0] == (f"{CALENDAR}#quarter-1", 302)
    assert "Event “High-Level Political Forum (HLPF)” deleted." in response.content.decode()
    assert Event.objects.count() == count - 1
    assert not Event.objects.filter(pk=fphn.pk).exists()
    _, events = feed_events(client.get(FEED))
    assert uid(FPHN) not in events


def test_an_unknown_event_is_not_found(client, plan):
    client = signed_in(client, "editor")
    assert client.get(edit_url("no-such-event")).status_code == 404
    assert client.post(delete_url("no-such-event")).status_code == 404


def test_an_event_of_another_plan_is_not_found_under_this_one(client, plan):
    other = AnnualPlanFactory(slug="2023-24", title_fr="Plan annuel 2023-2024", start_date=datetime.date(2023, 7, 1))
    EventFactory(annual_plan=other, slug="q1-only-next-year")
    client = signed_in(client, "editor")
    assert client.get(edit_url("q1-only-next-year")).status_code == 404
    assert client.post(delete_url("q1-only-next-year")).status_code == 404
    assert Event.objects.filter(slug="q1-only-next-year").exists()


# --- A bad field saves nothing --------------------------------------------------------


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        (
            {"start_date": "2023-01-10", "end_date": ""},
            "start_date",
            "2023-01-10 is outside Q2 (2022-10-01 to 2022-12-31).",
        ),
        ({"end_date": "2023-01-02"}, "end_date", "2023-01-02 is outside Q2 (2022-10-01 to 2022-12-31)."),
        ({"start_date": "2022-11-14", "end_date": "2022-11-10"}, "end_date", "The event ends before it starts."),
        ({"start_date": "", "end_date": "2022-11-10"}, "end_date", "An event with an end date needs a start date."),
        ({"title_fr": ""}, "title_fr", "This field is required."),
        ({"title_fr": "   "}, "title_fr", "This field is required."),
        ({"start_date": "14/13/2022"}, "start_date", "Enter a valid date."),
        ({"kind": "party"}, "kind", "Select a valid choice."),
    ],
)
def test_a_bad_new_event_is_refused_beside_its_field(client, plan, overrides, field, message):
    client = signed_in(client, "editor")
    before = snapshot()

    response = client.post(NEW, form_data(plan, **overrides))

    assert response.status_code == 400
    assert message in field_block(response, field)
    assert "Nothing was saved" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        (
            {"start_date": "2022-10-03", "end_date": ""},
            "start_date",
            "2022-10-03 is outside Q1 (2022-07-01 to 2022-09-30).",
        ),
        ({"end_date": "2022-07-01"}, "end_date", "The event ends before it starts."),
        ({"title_fr": ""}, "title_fr", "This field is required."),
    ],
)
def test_a_bad_edit_changes_nothing(client, plan, overrides, field, message):
    client = signed_in(client, "editor")
    fphn = Event.objects.get(annual_plan=plan, slug=FPHN)
    before = snapshot()

    response = client.post(edit_url(FPHN), event_form_data(fphn, **{"title_fr": "Changé", **overrides}))

    assert response.status_code == 400
    assert message in field_block(response, field)
    assert snapshot() == before
    # The page's heading names the event as stored, not as mistyped.
    assert f"Edit the event — {fphn.title}" in response.content.decode()


def test_moving_an_event_to_a_quarter_its_dates_are_not_in_is_refused(client, plan):
    client = signed_in(client, "editor")
    fphn = Event.objects.get(annual_plan=plan, slug=FPHN)
    before = snapshot()

    response = client.post(edit_url(FPHN), event_form_data(fphn, quarter=quarter(plan, 2).pk))

    assert response.status_code == 400
    assert "2022-07-05 is outside Q2 (2022-10-01 to 2022-12-31)." in field_block(response, "start_date")
    assert snapshot() == before


def test_a_quarter_priority_or_initiative_of_another_plan_is_refused(client, plan):
    other = AnnualPlanFactory(slug="2023-24", title_fr="Plan annuel 2023-2024", start_date=datetime.date(2023, 7, 1))
    other_priority = StrategicPriority.objects.create(
        annual_plan=other, number=1, title_fr="Autre", short_title="Autre", statement="."
    )
    other_initiative = Initiative.objects.create(
        priority=other_priority, number=1, title_fr="Autre", description_fr="."
    )
    client = signed_in(client, "editor")
    before = snapshot()

    response = client.post(
        NEW,
        form_data(
            plan,
            quarter=other.quarters.get(number=2).pk,
            start_date="2023-11-14",
            end_date="",
            priority=other_priority.pk,
            initiative=other_initiative.pk,
        ),
    )

    assert response.status_code == 400
    for field in ("quarter", "priority", "initiative"):
        assert "Select a valid choice." in field_block(response, field)
    assert snapshot() == before


def test_the_slug_cannot_be_set_through_the_form(client, plan):
    client = signed_in(client, "editor")
    fphn = Event.objects.get(annual_plan=plan, slug=FPHN)
    assert client.post(edit_url(FPHN), event_form_data(fphn, slug="hijacked", annual_plan=999)).status_code == 302
    fphn.refresh_from_db()
    assert (fphn.slug, fphn.annual_plan_id) == (FPHN, plan.pk)
    with pytest.raises(TypeError):
        services.event_update(
            user=get_user_model().objects.get(username="editor"),
            event=fphn,
            fingerprint=editing.edit_fingerprint(fphn),
            slug="hijacked",
        )


# --- No lost update ------------------------------------------------------------------


def user(username):
    return get_user_model().objects.get(username=username)


def stored_fields(event):
    """The event's editable fields as stored, as the service takes them."""
    event = Event.objects.get(pk=event.pk)
    return {name: getattr(event, name) for name in services.EDITABLE_FIELDS}


def test_only_the_edit_form_carries_a_fingerprint(client, plan):
    client = signed_in(client, "editor")
    fphn = Event.objects.get(annual_plan=plan, slug=FPHN)
    edit = client.get(edit_url(FPHN)).content.decode()
    assert f'<input type="hidden" name="fingerprint" value="{editing.edit_fingerprint(fphn)}"' in edit
    assert 'id="field-fingerprint"' not in edit
    assert 'name="fingerprint"' not in client.get(NEW).content.decode()


def test_the_fingerprint_reads_links_by_their_id(plan, django_assert_num_queries):
    fphn = Event.objects.get(annual_plan=plan, slug=FPHN)
    with django_assert_num_queries(0):
        seen = editing.edit_fingerprint(fphn)
    assert seen == editing.edit_fingerprint(Event.objects.select_related("quarter", "priority").get(pk=fphn.pk))
    assert len(seen.split(".")) == len(services.EDITABLE_FIELDS)


def test_a_stale_fingerprint_is_refused_naming_what_changed(plan):
    fphn = Event.objects.get(annual_plan=plan, slug=FPHN)
    seen = editing.edit_fingerprint(fphn)
    other_priority = StrategicPriority.objects.get(annual_plan=plan, number=3)
    # Meanwhile another editor (the admin) renames it and links it to another priority.
    services.event_update(
        user=user("admin"), event=fphn, fingerprint=seen, title_fr="FPHN 2022", priority=other_priority
    )
    before, history = snapshot(), Event.history.count()

    with pytest.raises(editing.EditConflict) as conflict:
        services.event_update(user=user("editor"), event=fphn, fingerprint=seen, description_fr="Ma version.")

    assert conflict.value.changed == ["title_fr", "priority"]
    assert (conflict.value.current.title_fr, conflict.value.current.priority_id) == ("FPHN 2022", other_priority.pk)
    assert snapshot() == before
    assert Event.history.count() == history


@pytest.mark.parametrize("fingerprint", ["", "not-a-fingerprint"])
def test_a_missing_fingerprint_is_a_change_of_every_field(plan, fingerprint):
    fphn = Event.objects.get(annual_plan=plan, slug=FPHN)
    before = snapshot()
    with pytest.raises(editing.EditConflict) as conflict:
        services.event_update(user=user("editor"), event=fphn, fingerprint=fingerprint, title_fr="Sans empreinte")
    assert conflict.value.changed == list(services.EDITABLE_FIELDS)
    assert snapshot() == before


def test_a_fresh_fingerprint_saves_with_one_history_record(plan):
    fphn = Event.objects.get(annual_plan=plan, slug=FPHN)
    history = Event.history.count()
    services.event_update(
        user=user("editor"),
        event=fphn,
        fingerprint=editing.edit_fingerprint(fphn),
        **stored_fields(fphn) | {"title_fr": "FPHN 2022", "end_date": datetime.date(2022, 7, 16)},
    )
    fphn.refresh_from_db()
    assert (fphn.title_fr, fphn.end_date, fphn.slug) == ("FPHN 2022", datetime.date(2022, 7, 16), FPHN)
    assert Event.history.count() == history + 1


def test_saving_unchanged_values_records_no_history(client, plan):
    fphn = Event.objects.get(annual_plan=plan, slug=FPHN)
    history, before = Event.history.count(), snapshot()

    services.event_update(
        user=user("editor"), event=fphn, fingerprint=editing.edit_fingerprint(fphn), **stored_fields(fphn)
    )
    client = signed_in(client, "editor")
    assert client.post(edit_url(FPHN), form_as_shown(client, edit_url(FPHN))).status_code == 302

    assert Event.history.count() == history
    assert snapshot() == before


def test_an_event_deleted_meanwhile_is_refused_with_a_reason(plan):
    fphn = Event.objects.get(annual_plan=plan, slug=FPHN)
    seen = editing.edit_fingerprint(fphn)
    Event.objects.filter(pk=fphn.pk).delete()  # By someone else, since the page was opened.
    with (
        translation.override("en"),
        pytest.raises(ValidationError, match="Someone else deleted this event meanwhile."),
    ):
        services.event_update(user=user("editor"), event=fphn, fingerprint=seen, title_fr="Trop tard")
    assert not Event.objects.filter(pk=fphn.pk).exists()


def test_two_editors_at_once_the_second_sees_what_the_first_changed(client, plan):
    mine = signed_in(client, "editor")
    other = signed_in(Client(), "admin")
    page_url = edit_url(FPHN)
    # Both open the form; the editor changes the kind and the description.
    my_form = form_as_shown(mine, page_url, kind=EventKind.GOVERNANCE, description_fr="Ma description.")
    other_priority = StrategicPriority.objects.get(annual_plan=plan, number=3)
    theirs = form_as_shown(other, page_url, title_fr="FPHN 2022", start_date="2022-07-06", priority=other_priority.pk)
    assert other.post(page_url, theirs).status_code == 302

    response = mine.post(page_url, my_form)

    assert response.status_code == 409
    text = response.content.decode()
    assert "Someone else saved a change here while you were editing." in text
    assert "What they changed: Title (français), Start date, Strategic priority." in text
    # Their values, as a reader reads them: the date written out, the priority by its title.
    assert '<dt>Title (français)</dt><dd lang="fr">FPHN 2022</dd>' in text
    assert "<dt>Start date</dt><dd>July 6, 2022</dd>" in text
    assert f"<dt>Strategic priority</dt><dd>3. {escape(other_priority.title)}</dd>" in text
    # The stored event is theirs, the heading names it as stored.
    stored = Event.objects.get(annual_plan=plan, slug=FPHN)
    assert (stored.title_fr, stored.start_date, stored.priority_id) == (
        "FPHN 2022",
        datetime.date(2022, 7, 6),
        other_priority.pk,
    )
    assert (stored.kind, stored.description) == (EventKind.INTERNATIONAL, "")
    assert stored.history.first().history_user == user("admin")
    # Their French title is in the form; the heading is the English reader's (unchanged).
    assert "Edit the event — High-Level Political Forum (HLPF)" in text
    assert "Nothing was saved: please correct" not in text

    # The form holds both: what the editor typed, and their values where the editor had
    # left a field as it was (so saving again does not undo them). Its fingerprint moved on.
    assert "You changed it too" not in text
    assert "The form below holds their changes and yours. Check it, then save again." in text
    form = response.context["form"]
    assert (form["kind"].value(), form["description_fr"].value()) == (EventKind.GOVERNANCE, "Ma description.")
    assert (form["title_fr"].value(), form["start_date"].value(), form["priority"].value()) == (
        "FPHN 2022",
        "2022-07-06",
        str(other_priority.pk),
    )
    assert 'name="title_fr" value="FPHN 2022"' in text
    again = {name: "" if form[name].value() is None else form[name].value() for name in form.fields}
    assert again["fingerprint"] == editing.edit_fingerprint(stored)
    assert f'name="fingerprint" value="{again["fingerprint"]}"' in text

    # Saving again keeps both people's changes.
    assert mine.post(page_url, again).status_code == 302
    stored.refresh_from_db()
    assert (stored.kind, stored.description) == (EventKind.GOVERNANCE, "Ma description.")
    assert (stored.title_fr, stored.start_date, stored.priority_id) == (
        "FPHN 2022",
        datetime.date(2022, 7, 6),
        other_priority.pk,
    )
    assert stored.slug == FPHN


def test_two_editors_changing_the_same_field_the_second_chooses(client, plan):
    mine = signed_in(client, "editor")
    other = signed_in(Client(), "admin")
    page_url = edit_url(FPHN)
    my_form = form_as_shown(mine, page_url, title_fr="FPHN, New York", description_fr="Ma description.")
    theirs = form_as_shown(other, page_url, title_fr="FPHN 2022", kind=EventKind.GOVERNANCE)
    assert other.post(page_url, theirs).status_code == 302

    response = mine.post(page_url, my_form)

    assert response.status_code == 409
    text = response.content.decode()
    assert "What they changed: Title (français), Kind." in text
    # The title both changed: theirs is shown, the editor's stays in the form and is marked.
    assert (
        '<dt>Title (français)</dt><dd lang="fr">FPHN 2022</dd>'
        "<dd><em>You changed it too: yours is in the form below, and saving replaces theirs.</em></dd>"
    ) in text
    assert f"<dt>Kind</dt><dd>{EventKind.GOVERNANCE.label}</dd>" in text
    assert text.count("You changed it too") == 1  # the kind: only they changed it, theirs is in the form
    form = response.context["form"]
    assert (form["title_fr"].value(), form["kind"].value(), form["description_fr"].value()) == (
        "FPHN, New York",
        EventKind.GOVERNANCE,
        "Ma description.",
    )

    again = {name: "" if form[name].value() is None else form[name].value() for name in form.fields}
    assert mine.post(page_url, again).status_code == 302
    stored = Event.objects.get(annual_plan=plan, slug=FPHN)
    assert (stored.title_fr, stored.kind, stored.description_fr) == (
        "FPHN, New York",
        EventKind.GOVERNANCE,
        "Ma description.",
    )


def test_a_conflict_shows_a_quarter_and_a_kind_by_their_labels(client, plan):
    client = signed_in(client, "editor")
    mine = form_as_shown(client, edit_url(UNDATED), description_fr="Ma description.")
    undated = Event.objects.get(annual_plan=plan, slug=UNDATED)
    services.event_update(
        user=user("admin"),
        event=undated,
        fingerprint=editing.edit_fingerprint(undated),
        **stored_fields(undated) | {"quarter": quarter(plan, 3), "kind": EventKind.CAMPAIGN},
    )

    response = client.post(edit_url(UNDATED), mine)

    assert response.status_code == 409
    text = response.content.decode()
    assert "What they changed: Quarter, Kind." in text
    assert "<dt>Quarter</dt><dd>Q3 · January 2023 – March 2023</dd>" in text
    assert f"<dt>Kind</dt><dd>{EventKind.CAMPAIGN.label}</dd>" in text
    assert Event.objects.get(pk=undated.pk).description == undated.description


def test_an_edit_form_without_its_fingerprint_is_refused(client, plan):
    client = signed_in(client, "editor")
    fphn = Event.objects.get(annual_plan=plan, slug=FPHN)
    before = snapshot()
    response = client.post(edit_url(FPHN), event_form_data(fphn, title_fr="Sans empreinte", fingerprint=""))
    assert response.status_code == 409
    assert (
        "What they changed: Title (français), Title (English), Quarter, Kind, Start date, End date"
        in response.content.decode()
    )
    assert snapshot() == before


def test_an_event_deleted_while_its_form_was_open_is_refused_beside_the_form(client, plan, monkeypatch):
    client = signed_in(client, "editor")
    data = form_as_shown(client, edit_url(FPHN), title_fr="Trop tard")
    # The event is deleted between the page finding it and the service locking it.
    update = services.event_update

    def deleted_first(*, event, **kwargs):
        Event.objects.filter(pk=event.pk).delete()
        return update(event=event, **kwargs)

    monkeypatch.setattr(services, "event_update", deleted_first)
    response = client.post(edit_url(FPHN), data)
    assert response.status_code == 400
    assert "Someone else deleted this event meanwhile." in response.content.decode()
    assert not Event.objects.filter(annual_plan=plan, slug=FPHN).exists()


# --- CSRF -----------------------------------------------------------------------------


def test_a_post_without_csrf_token_is_refused(plan):
    client = signed_in(Client(enforce_csrf_checks=True), "editor")
    before = snapshot()

    assert client.post(NEW, form_data(plan)).status_code == 403
    assert client.post(delete_url(FPHN)).status_code == 403

    assert snapshot() == before


# --- Constant queries -----------------------------------------------------------------


def add_events(plan, count):
    """``count`` more events, dated and undated, over the four quarters, each linked to a
    priority and half of them to an initiative, so that any per-event query shows."""
    quarters = list(plan.quarters.order_by("number"))
    priorities = list(StrategicPriority.objects.filter(annual_plan=plan).order_by("number"))
    initiatives = list(Initiative.objects.filter(priority__annual_plan=plan).order_by("pk"))
    for i in range(count):
        q = quarters[i % 4]
        dated = i % 5 != 0
        EventFactory(
            annual_plan=plan,
            quarter=q,
            start_date=q.start_date + datetime.timedelta(days=i) if dated else None,
            end_date=q.start_date + datetime.timedelta(days=i + 2) if dated and i % 2 else None,
            priority=priorities[i % len(priorities)],
            initiative=initiatives[i % len(initiatives)] if i % 2 else None,
            kind=EventKind.values[i % len(EventKind.values)],
            description=f"Description {i}",
        )


# Session, user, the request's savepoint (ATOMIC_REQUESTS), the user's groups, the plan,
# its quarters (with their locks), the events (with their priority and initiative), the
# savepoint's release.
CALENDAR_QUERIES = 9  # 8, and the reader's calendar subscription address
# The same, with the dated events and when each last changed in place of all the events.
FEED_QUERIES = 8


@pytest.mark.parametrize("username", ["editor", "board"])
def test_the_calendar_page_runs_a_fixed_number_of_queries(client, plan, django_assert_num_queries, username):
    client = signed_in(client, username)
    with django_assert_num_queries(CALENDAR_QUERIES):
        small = client.get(CALENDAR)
    assert small.status_code == 200

    add_events(plan, 40)
    with django_assert_num_queries(CALENDAR_QUERIES):
        large = client.get(CALENDAR)
    assert large.status_code == 200
    assert large.content.decode().count('<li id="event-') == Event.objects.filter(annual_plan=plan).count()


def test_the_feed_runs_a_fixed_number_of_queries(client, plan, django_assert_num_queries):
    client = signed_in(client, "staff")
    with django_assert_num_queries(FEED_QUERIES):
        _, small = feed_events(client.get(FEED))
    assert len(small) == 5

    add_events(plan, 40)
    # Some events changed through the service, so that their history is read too.
    editor = get_user_model().objects.get(username="editor")
    for event in Event.objects.filter(annual_plan=plan, start_date__isnull=False)[:5]:
        services.event_update(
            user=editor, event=event, fingerprint=editing.edit_fingerprint(event), description_fr="Modifié."
        )
    with django_assert_num_queries(FEED_QUERIES):
        _, large = feed_events(client.get(FEED))
    assert len(large) == 5 + 32
