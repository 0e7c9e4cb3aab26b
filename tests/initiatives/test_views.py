"""The workspace pages per role, the quarterly form end to end, and constant queries."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from initiatives.models import Indicator, Initiative, ReviewState, Status, StatusUpdate
from priorities.models import Quarter
from tests.factories import (
    grow,
)
from tests.helpers import client_in

pytestmark = pytest.mark.django_db


def initiative(code: str) -> Initiative:
    priority, number = (int(n) for n in code.split("."))
    return Initiative.objects.get_by_natural_key("2022-23", priority, number)


def update_url(code: str, quarter: int) -> str:
    return reverse("initiatives:update", args=[initiative(code).pk, quarter])


def as_user(client, users, username):
    client.force_login(users[username])
    return client


READ_PAGES = [
    lambda: reverse("dashboard"),
    lambda: reverse("initiatives:plan", args=["2022-23"]),
    lambda: reverse("initiatives:priority", args=["2022-23", 3]),
    lambda: reverse("priorities:calendar", args=["2022-23"]),
    lambda: reverse("initiatives:detail", args=[initiative("2.1").pk]),
]


@pytest.mark.parametrize("page", READ_PAGES)
def test_anonymous_is_sent_to_sign_in(client, demo_progress, page):
    url = page()
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("username", ["staff", "staff2", "editor", "board", "admin"])
@pytest.mark.parametrize("page", READ_PAGES)
def test_every_role_reads_the_plan(client, users, username, page):
    assert as_user(client, users, username).get(page()).status_code == 200


def test_a_signed_in_user_without_a_role_reads_nothing(client, demo_progress, django_user_model):
    client.force_login(django_user_model.objects.create_user("visitor"))
    assert client.get(reverse("initiatives:plan", args=["2022-23"])).status_code == 403


class TestQuarterlyForm:
    def form_data(self, client, url, **changes):
        page = client.get(url)
        assert page.status_code == 200
        form = page.context["form"]
        data = {name: value for name, value in form.initial.items() if value is not None}
        data.update(changes)
        return data

    def test_staff_writes_their_own_initiative(self, client, users):
        as_user(client, users, "staff")
        url = update_url("1.1", 4)
        data = self.form_data(client, url, status=Status.AT_RISK, narrative="Retard.", risks="Budget.", submit="1")
        response = client.post(url, data)
        assert response.status_code == 302
        update = StatusUpdate.objects.get(initiative=initiative("1.1"), quarter__number=4)
        assert (update.status, update.review_state, update.risks) == (Status.AT_RISK, ReviewState.SUBMITTED, "Budget.")
        dashboard = client.get(reverse("dashboard")).content.decode()
        assert "Retard." not in dashboard  # the dashboard shows status, not narratives
        assert "submitted" in dashboard

    @pytest.mark.parametrize("username, code", [("staff", "2.1"), ("staff2", "1.1"), ("board", "1.1")])
    def test_others_get_403_on_get_and_post_and_nothing_changes(self, client, users, username, code):
        as_user(client, users, username)
        url = update_url(code, 3)
        before = StatusUpdate.objects.get(initiative=initiative(code), quarter__number=3)
        assert client.get(url).status_code == 403
        response = client.post(url, {"status": "completed", "narrative": "Forgé.", "fingerprint": "x"})
        assert response.status_code == 403
        after = StatusUpdate.objects.get(pk=before.pk)
        assert (after.narrative, after.version) == (before.narrative, before.version)

    def test_the_editor_writes_every_initiative(self, client, users):
        as_user(client, users, "editor")
        url = update_url("3.2", 3)
        response = client.post(url, self.form_data(client, url, status=Status.ON_TRACK, narrative="Repris."))
        assert response.status_code == 302
        assert StatusUpdate.objects.get(initiative=initiative("3.2"), quarter__number=3).narrative == "Repris."

    def test_one_bad_field_saves_nothing_and_keeps_what_was_typed(self, client, users):
        as_user(client, users, "staff")
        url = update_url("1.1", 4)
        indicator_field = next(name for name in client.get(url).context["form"].fields if name.startswith("indicator_"))
        data = self.form_data(client, url, status=Status.AT_RISK, narrative="Texte tapé.", risks="")
        data[indicator_field] = "-5"
        response = client.post(url, data)
        assert response.status_code == 400
        page = response.content.decode()
        assert "Texte tapé." in page
        assert "Say what puts the initiative at risk or off track." in page
        assert 'aria-invalid="true"' in page
        assert not StatusUpdate.objects.filter(initiative=initiative("1.1"), quarter__number=4).exists()

    def test_a_second_save_from_a_stale_form_is_refused_and_shows_the_other_change(self, client, users):
        editor = client_in("en")
        editor.force_login(users["editor"])
        as_user(client, users, "staff")
        url = update_url("1.2", 3)
        stale = self.form_data(client, url, narrative="Version de Samuel.")
        fresh = self.form_data(editor, url, narrative="Version de l'éditrice.", status=Status.OFF_TRACK, risks="R.")
        assert editor.post(url, fresh).status_code == 302

        response = client.post(url, stale)
        assert response.status_code == 409
        page = response.content.decode()
        assert "Someone else saved this update" in page
        assert "Version de l&#x27;éditrice." in page  # what the other person wrote
        assert "Version de Samuel." in page  # what this person typed, kept
        assert StatusUpdate.objects.get(initiative=initiative("1.2"), quarter__number=3).narrative == (
            "Version de l'éditrice."
        )

    def test_a_locked_quarter_is_shown_and_refuses(self, client, users):
        as_user(client, users, "editor").post(reverse("initiatives:lock", args=["2022-23", 3]), {"action": "lock"})
        assert Quarter.objects.get_by_natural_key("2022-23", 3).locked
        as_user(client, users, "staff")
        url = update_url("1.1", 3)
        data = self.form_data(client, url, narrative="Après le verrou.")
        response = client.post(url, data)
        assert response.status_code == 400
        assert "Q3 is locked" in response.content.decode()
        assert StatusUpdate.objects.get(initiative=initiative("1.1"), quarter__number=3).narrative != "Après le verrou."

    def test_htmx_saves_in_place(self, client, users):
        as_user(client, users, "staff")
        url = update_url("1.1", 4)
        data = self.form_data(client, url, status=Status.ON_TRACK, narrative="Par htmx.")
        response = client.post(url, data, headers={"HX-Request": "true"})
        assert response.status_code == 200
        assert response["HX-Redirect"] == reverse("initiatives:detail", args=[initiative("1.1").pk])
        bad = client.post(url, {**data, "narrative": ""}, headers={"HX-Request": "true"})
        assert bad.status_code == 400
        assert b"<html" not in bad.content  # only the form, swapped in place
        assert b'id="update-form"' in bad.content

    def test_a_post_without_csrf_token_is_refused(self, users):
        client = Client(enforce_csrf_checks=True)
        client.force_login(users["staff"])
        response = client.post(update_url("1.1", 4), {"status": "on_track", "narrative": "x", "fingerprint": "x"})
        assert response.status_code == 403
        assert not StatusUpdate.objects.filter(initiative=initiative("1.1"), quarter__number=4).exists()


class TestReviewAndLocks:
    def test_editor_approves_and_returns_and_the_author_sees_why(self, client, users):
        returned = StatusUpdate.objects.get(initiative=initiative("1.2"), quarter__number=3)
        assert returned.review_state == ReviewState.SUBMITTED
        as_user(client, users, "editor")
        response = client.post(
            reverse("initiatives:review", args=[returned.pk]), {"action": "return", "comment": "Chiffres ?"}
        )
        assert response.status_code == 302
        returned.refresh_from_db()
        assert (returned.review_state, returned.review_comment) == (ReviewState.RETURNED, "Chiffres ?")
        as_user(client, users, "staff")
        assert "Chiffres ?" in client.get(reverse("dashboard") + "?quarter=3").content.decode()

    @pytest.mark.parametrize("username", ["staff", "board"])
    def test_non_editors_get_403_on_review_and_lock(self, client, users, username):
        update = StatusUpdate.objects.filter(review_state=ReviewState.SUBMITTED).first()
        as_user(client, users, username)
        assert client.post(reverse("initiatives:review", args=[update.pk]), {"action": "approve"}).status_code == 403
        assert client.post(reverse("initiatives:lock", args=["2022-23", 1]), {"action": "lock"}).status_code == 403
        update.refresh_from_db()
        assert update.review_state == ReviewState.SUBMITTED
        assert not Quarter.objects.get_by_natural_key("2022-23", 1).locked

    def test_unlock_without_a_reason_is_refused(self, client, users):
        as_user(client, users, "editor")
        lock_url = reverse("initiatives:lock", args=["2022-23", 1])
        client.post(lock_url, {"action": "lock"})
        response = client.post(lock_url, {"action": "unlock", "reason": ""}, follow=True)
        assert Quarter.objects.get_by_natural_key("2022-23", 1).locked
        assert "This field is required." in response.content.decode()
        client.post(lock_url, {"action": "unlock", "reason": "Erreur de saisie"})
        assert not Quarter.objects.get_by_natural_key("2022-23", 1).locked


def test_the_initiative_page_shows_history(client, users):
    as_user(client, users, "staff")
    url = update_url("1.1", 3)
    data = TestQuarterlyForm().form_data(client, url, narrative="Nouveau récit.", status=Status.AT_RISK, risks="R")
    client.post(url, data)
    page = client.get(reverse("initiatives:detail", args=[initiative("1.1").pk])).content.decode()
    assert "History" in page
    assert "Samuel Mbeki" in page
    assert "changed" in page and "status update" in page

    # A second change names only what it changed, by its label.
    data = TestQuarterlyForm().form_data(client, url, narrative="Récit revu.")
    client.post(url, data)
    page = client.get(reverse("initiatives:detail", args=[initiative("1.1").pk])).content.decode()
    label = StatusUpdate._meta.get_field("narrative").verbose_name
    newest = re.search(r"changed\s+status update Q3(?: — ([^<]*?))?\s*</", page)
    assert newest and newest.group(1) == str(label), page


def test_board_sees_no_edit_control(client, users):
    as_user(client, users, "board")
    for url in (
        reverse("dashboard"),
        reverse("initiatives:plan", args=["2022-23"]),
        reverse("initiatives:detail", args=[initiative("1.1").pk]),
    ):
        page = client.get(url).content.decode()
        # No link to write a quarterly update (/initiatives/<id>/q<N>/); the reports' links
        # (/reports/<plan>/q<N>/) are the board's reading.
        assert not re.search(r"/initiatives/\d+/q\d/", page), url
        assert 'value="approve"' not in page and "Lock Q" not in page, url


class TestFilters:
    def test_filter_by_status_priority_and_lead(self, client, users):
        as_user(client, users, "board")
        url = reverse("initiatives:plan", args=["2022-23"])
        completed = client.get(url, {"status": "completed"}).content.decode()
        assert "1.3 State of Civil Society" in completed
        assert "1.1 CIVICUS Lens" not in completed
        prio2 = client.get(url, {"priority": "2"}).content.decode()
        assert "2.1 " in prio2 and "1.1 CIVICUS Lens" not in prio2
        by_staff2 = client.get(url, {"lead": "staff2"}).content.decode()
        assert "2.1 " in by_staff2 and "1.1 CIVICUS Lens" not in by_staff2


PAGES = {
    "dashboard": lambda: reverse("dashboard"),
    "plan": lambda: reverse("initiatives:plan", args=["2022-23"]),
    "plan-filtered": lambda: reverse("initiatives:plan", args=["2022-23"]) + "?status=at_risk",
    "priority": lambda: reverse("initiatives:priority", args=["2022-23", 1]),
    "initiative": lambda: reverse("initiatives:detail", args=[initiative("1.1").pk]),
    "update-form": lambda: update_url("1.1", 3),
}


# Queries per page for a signed-in staff member. Why each count is what it is:
# session + user + the user's groups (3), then the page's own reads (one per kind of
# thing shown). A change to these numbers needs a reason in its commit.
EXPECTED_QUERIES = {
    # 12, the quarter's published board update (linked from the dashboard), the
    # organisational priorities the user leads and their updates
    "dashboard": 15,
    "plan": 13,  # 11, and the organisational priorities with their leads, their updates
    "plan-filtered": 13,
    "priority": 17,
    "initiative": 20,
    "update-form": 21,
}


@pytest.mark.parametrize("page", PAGES)
def test_queries_do_not_grow_with_the_data(client, users, django_assert_num_queries, page):
    """The same exact number of queries with the seed plan and with a plan three times
    its size, so that no page hides a query per row."""
    as_user(client, users, "staff")
    with django_assert_num_queries(EXPECTED_QUERIES[page]):
        assert client.get(PAGES[page]()).status_code == 200
    grow(users)
    with django_assert_num_queries(EXPECTED_QUERIES[page]):
        assert client.get(PAGES[page]()).status_code == 200


def test_the_board_reads_approved_updates_only(client, users):
    """4.1's Q3 update is a draft: staff and editors read it, the board does not."""
    draft = StatusUpdate.objects.get(initiative=initiative("4.1"), quarter__number=3)
    assert draft.review_state == ReviewState.DRAFT
    page_url = reverse("initiatives:detail", args=[initiative("4.1").pk])
    api_url = reverse("initiatives:api-plan", args=["2022-23"])

    def latest_in_api(c):
        data = c.get(api_url).json()
        (row,) = [i for p in data["priorities"] for i in p["initiatives"] if i["code"] == "4.1"]
        return row["latest_status"]["quarter"]

    as_user(client, users, "board")
    assert draft.narrative not in client.get(page_url).content.decode()
    assert latest_in_api(client) == 2
    as_user(client, users, "editor")
    assert draft.narrative in client.get(page_url).content.decode()
    assert latest_in_api(client) == 3


# --- Indicators whose target is not set yet (a plan rolled over leaves them so) -----------


def unset_targets(*codes: str) -> None:
    for code in codes:
        priority, result, number = (int(n) for n in code.split("."))
        Indicator.objects.filter(
            pk=Indicator.objects.get_by_natural_key("2022-23", priority, result, number).pk
        ).update(target=None)


def indicator_row(page: str, code: str) -> str:
    """The row of indicator ``code`` in the indicators table of a priority or initiative page."""
    match = re.search(rf'<tr[^>]*><th scope="row">{re.escape(code)} .*?</tr>', page, re.S)
    assert match, code
    return match.group(0)


def test_the_priority_and_initiative_pages_flag_an_indicator_without_a_target(client, users):
    unset_targets("1.1.1")
    as_user(client, users, "staff")
    for url in (
        reverse("initiatives:priority", args=["2022-23", 1]),
        reverse("initiatives:detail", args=[initiative("1.1").pk]),
    ):
        page = client.get(url).content.decode()
        assert '<td><span class="to-set">Target to set</span></td>' in indicator_row(page, "1.1.1"), url
        # Its values are still shown; the other indicators keep their targets.
        assert "<td>15</td><td>19</td><td>24</td>" in indicator_row(page, "1.1.1"), url
        assert "Target to set" not in indicator_row(page, "1.2.1") and "<td>200</td>" in indicator_row(page, "1.2.1")


def test_the_quarterly_form_takes_a_value_for_an_indicator_without_a_target(client, users):
    unset_targets("1.1.1")
    indicator = Indicator.objects.get_by_natural_key("2022-23", 1, 1, 1)
    as_user(client, users, "staff")
    url = update_url("1.1", 4)
    page = client.get(url)
    field = page.context["form"].fields[f"indicator_{indicator.pk}"]
    assert field.help_text == "Baseline 12 initiatives; target to set. Leave empty if not measured."
    assert "target to set" in page.content.decode()

    # A count stays a count: its baseline is not negative, so neither is its value.
    data = TestQuarterlyForm().form_data(client, url, status=Status.ON_TRACK, narrative="Mesuré.")
    response = client.post(url, {**data, f"indicator_{indicator.pk}": "-3"})
    assert response.status_code == 400
    assert "cannot be negative (its baseline is not, and its target is not set yet)" in response.content.decode()
    assert not indicator.values.filter(quarter__number=4).exists()

    response = client.post(url, {**data, f"indicator_{indicator.pk}": "21"})
    assert response.status_code == 302
    assert indicator.values.get(quarter__number=4).value == 21
    assert StatusUpdate.objects.get(initiative=initiative("1.1"), quarter__number=4).narrative == "Mesuré."


TARGETS_NOTICE = re.compile(r'<p class="to-set-notice" id="targets-to-set">(.*?)</p>', re.S)


def plan_notice(client) -> str | None:
    match = TARGETS_NOTICE.search(client.get(reverse("initiatives:plan", args=["2022-23"])).content.decode())
    return " ".join(match.group(1).split()) if match else None


def test_the_plan_page_tells_editors_how_many_indicators_have_no_target(client, users):
    as_user(client, users, "editor")
    assert plan_notice(client) is None  # every indicator of the demo has its target

    unset_targets("1.1.1", "1.2.2", "3.2.2")
    notice = plan_notice(client)
    assert notice.startswith("3 indicators have no target yet. Set them on the pages of their priorities:")
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a> \((\d+)\)', notice)
    priority_url = reverse("initiatives:priority", args=["2022-23", 1])
    assert [(href, title[:3], count) for href, title, count in links] == [
        (f"{priority_url}#results-heading", "1. ", "2"),
        (f"{reverse('initiatives:priority', args=['2022-23', 3])}#results-heading", "3. ", "1"),
    ]
    # The filters narrow the initiatives, not the notice.
    page = client.get(reverse("initiatives:plan", args=["2022-23"]), {"priority": "2"}).content.decode()
    assert "3 indicators have no target yet" in page

    for username in ("staff", "board"):
        as_user(client, users, username)
        assert plan_notice(client) is None, username

    as_user(client, users, "editor")
    Indicator.objects.exclude(pk=Indicator.objects.get_by_natural_key("2022-23", 3, 2, 2).pk).filter(
        target=None
    ).update(target=99)
    assert plan_notice(client).startswith("1 indicator has no target yet. Set it on the page of its priority:")


@pytest.mark.parametrize("username", ["staff", "editor"])
def test_indicators_without_a_target_add_no_query(client, users, django_assert_num_queries, username):
    """The plan, priority and initiative pages with targets to set, at two sizes: the
    editors' notice is counted by the plan page's query of the priorities, no query more."""
    unset_targets("1.1.1", "3.2.2")
    as_user(client, users, username)
    for page in ("plan", "priority", "initiative"):
        with django_assert_num_queries(EXPECTED_QUERIES[page]):
            assert client.get(PAGES[page]()).status_code == 200
    grow(users)
    Indicator.objects.filter(number=90).update(target=None)  # grow()'s own, one per priority
    for page in ("plan", "priority", "initiative"):
        with django_assert_num_queries(EXPECTED_QUERIES[page]):
            response = client.get(PAGES[page]())
        assert response.status_code == 200
        if page == "plan" and username == "editor":
            assert "7 indicators have no target yet" in response.content.decode()
