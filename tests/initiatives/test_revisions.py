"""Revisions of approved updates (issue 12, and issue 11's "same rule on every path"): a
change to an approved update keeps the approved text for its readers (the reports, the
board's pages and API) until an editor approves the change; the form says so before
saving; the initiative page shows both. The site, the admin and an import follow the
same rule (it is the model's)."""

import re

import pytest
from django.urls import reverse

from civicplan.spreadsheets import import_spreadsheet
from initiatives import rounds, services
from initiatives.models import ReviewState, Status, StatusUpdate
from initiatives.resources import StatusUpdateResource
from tests.helpers import form_as_shown

pytestmark = pytest.mark.django_db

PLAN = "2022-23"
NEW = "Le rapport a pris du retard : la relecture par les membres est repoussée."


def q2_update(code="1.1") -> StatusUpdate:
    priority, number = (int(n) for n in code.split("."))
    return StatusUpdate.objects.get_by_natural_key(PLAN, priority, number, 2)


def signed_in(client, users, username):
    client.force_login(users[username])
    return client


def report(client, users, quarter=2) -> str:
    return signed_in(client, users, "board").get(reverse("reporting:quarterly", args=[PLAN, quarter])).content.decode()


def revise_in_the_site(client, users, **changes):
    """staff changes 1.1's approved Q2 update through its form and submits it."""
    client = signed_in(client, users, "staff")
    url = reverse("initiatives:update", args=[q2_update().initiative_id, 2])
    data = form_as_shown(client, url, narrative=NEW, **changes)
    response = client.post(url, {**data, "submit": "1"})
    assert response.status_code == 302, response.content.decode()[:2000]


def test_the_form_of_an_approved_update_says_a_change_is_a_revision(client, users):
    url = reverse("initiatives:update", args=[q2_update().initiative_id, 2])
    page = signed_in(client, users, "staff").get(url).content.decode()
    assert "This update is approved. A change you save is a revision" in page


def test_the_reports_read_the_approved_text_until_an_editor_approves_the_change(client, users):
    approved = q2_update()
    assert approved.review_state == ReviewState.APPROVED
    old = approved.narrative
    revise_in_the_site(client, users, status=Status.AT_RISK, risks="La relecture est repoussée.")

    update = q2_update()
    assert update.review_state == ReviewState.SUBMITTED and update.is_revision
    assert (update.approved_narrative, update.approved_status) == (old, approved.status)
    page = report(client, users)
    assert old in page and NEW not in page

    services.status_update_approve(user=users["editor"], update=update)
    update = q2_update()
    assert not update.is_revision and update.approved_at is None
    page = report(client, users)
    assert NEW in page and old not in page


def test_the_board_reads_the_approved_text_staff_read_both(client, users):
    old = q2_update().narrative
    revise_in_the_site(client, users)
    detail = reverse("initiatives:detail", args=[q2_update().initiative_id])
    board_page = signed_in(client, users, "board").get(detail).content.decode()
    assert old in board_page and NEW not in board_page
    staff_page = signed_in(client, users, "staff").get(detail).content.decode()
    assert NEW in staff_page and old in staff_page
    assert "The approved version, which the reports and the board read" in staff_page


def test_the_api_gives_the_board_the_approved_status(client, users):
    revise_in_the_site(client, users, status=Status.OFF_TRACK, risks="Retard.")
    api = reverse("initiatives:api-plan", args=[PLAN])

    def latest(username):
        data = signed_in(client, users, username).get(api).json()
        (row,) = [i for p in data["priorities"] for i in p["initiatives"] if i["code"] == "1.1"]
        return row["latest_status"]

    board = latest("board")
    assert board["quarter"] == 3  # 1.1's Q3 update is approved: the latest the board reads
    editor = latest("editor")
    assert editor["quarter"] == 3 and editor["approved_status"] == editor["status"]


def test_a_returned_revision_still_leaves_the_approved_text_to_the_readers(client, users):
    old = q2_update().narrative
    revise_in_the_site(client, users)
    services.status_update_return(user=users["editor"], update=q2_update(), comment="Précisez la date.")
    assert q2_update().review_state == ReviewState.RETURNED
    assert old in report(client, users)


def test_a_change_in_the_admin_waits_for_an_editor_too(client, users):
    update = q2_update()
    old = update.narrative
    client = signed_in(client, users, "admin")
    url = reverse("admin:initiatives_statusupdate_change", args=[update.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {name: "" if value is None else value for name, value in data.items()}
    data.update(narrative=NEW, review_state=ReviewState.APPROVED)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    update = q2_update()
    assert update.review_state == ReviewState.SUBMITTED and update.is_revision
    assert update.narrative == NEW and update.approved_narrative == old
    assert old in report(client, users) and NEW not in report(client, users)


def test_a_change_by_import_waits_for_an_editor_too(client, users):
    update = q2_update()
    old = update.narrative
    data = StatusUpdateResource().export(queryset=StatusUpdate.objects.filter(pk=update.pk))
    row = list(data[0])
    row[data.headers.index("narrative")] = NEW
    data[0] = row
    result = import_spreadsheet(StatusUpdateResource(), data.export("csv").encode(), "csv", dry_run=False)
    assert result.ok, result.errors
    update = q2_update()
    assert update.review_state == ReviewState.SUBMITTED and update.narrative == NEW
    assert update.approved_narrative == old
    assert old in report(client, users) and NEW not in report(client, users)


def test_an_unchanged_approved_update_stays_approved_on_every_save(users):
    update = q2_update()
    update.save()
    assert q2_update().review_state == ReviewState.APPROVED and not q2_update().is_revision


def test_a_revision_counts_as_reported_in_the_round(client, users):
    """The Q3 round: 1.1's approved update revised as a draft is still reported (its
    readers have the approved text); the tracker says a change waits."""
    update = StatusUpdate.objects.get_by_natural_key(PLAN, 1, 1, 3)
    update.narrative = NEW
    update.review_state = ReviewState.DRAFT
    update.save()
    assert update.is_revision and rounds.is_written(update)
    page = signed_in(client, users, "editor").get(reverse("initiatives:round", args=[PLAN, 3])).content.decode()
    assert "11 of 18 updates submitted or approved" in page  # as before the revision
    assert re.search(r"1\.1 CIVICUS Lens.*?a change waits \(draft\)", page, re.S)
    dashboard = signed_in(client, users, "staff").get("/").content.decode()
    due = dashboard.split('id="due-heading"')[1].split("</section>")[0]
    assert "1.1 " not in due
