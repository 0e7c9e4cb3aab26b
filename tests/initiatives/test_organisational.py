"""Organisational priorities tracked like initiatives (issue 12, item 4): a lead writes the
quarterly update in the browser, an editor reviews it, the round's tracker and the lead's
home page count it, the reports read its approved text in their own section; the rules
(who may write, locks, "at risk needs risks", revisions) hold as for an initiative."""

import pytest
from django.urls import reverse

from initiatives import services
from initiatives.models import OrganisationalLead, OrganisationalUpdate, ReviewState, Status
from priorities.models import OrganisationalPriority, Quarter
from tests.helpers import form_as_shown, table_rows

pytestmark = pytest.mark.django_db

PLAN = "2022-23"
NEW = "La feuille de route est validée par le conseil ; sa diffusion aux membres commence."


def signed_in(client, users, username):
    client.force_login(users[username])
    return client


def led_by(username) -> OrganisationalPriority:
    lead = OrganisationalLead.objects.select_related("organisational_priority").filter(user__username=username)
    return lead.order_by("organisational_priority__number").first().organisational_priority


def form_url(priority, quarter) -> str:
    return reverse("initiatives:organisational_update", args=[PLAN, priority.area, quarter])


def page_url(priority) -> str:
    return reverse("initiatives:organisational", args=[PLAN, priority.area])


def report(client, users, quarter) -> str:
    page = signed_in(client, users, "board").get(reverse("reporting:quarterly", args=[PLAN, quarter]))
    assert page.status_code == 200
    html = page.content.decode()
    start = html.index('<section id="organisational"')
    return html[start : html.index("</section>", start)]


def update_of(priority, quarter) -> OrganisationalUpdate | None:
    return OrganisationalUpdate.objects.filter(organisational_priority=priority, quarter__number=quarter).first()


def test_the_lead_writes_an_editor_approves_and_the_board_reads_it(client, users):
    priority = led_by("staff")
    client = signed_in(client, users, "staff")
    data = form_as_shown(client, form_url(priority, 3), status=Status.ON_TRACK, narrative=NEW, risks="")
    response = client.post(form_url(priority, 3), {**data, "submit": "1"})
    assert response.status_code == 302 and response["Location"] == page_url(priority)

    update = update_of(priority, 3)
    assert (update.narrative, update.review_state, update.author) == (NEW, ReviewState.SUBMITTED, users["staff"])
    assert NEW not in report(client, users, 3)  # submitted, not approved: not in the board's report

    editor = signed_in(client, users, "editor")
    response = editor.post(reverse("initiatives:organisational_review", args=[update.pk]), {"action": "approve"})
    assert response.status_code == 302 and response["Location"] == page_url(priority)
    assert update_of(priority, 3).review_state == ReviewState.APPROVED
    section = report(client, users, 3)
    assert NEW in section and priority.title in section


def test_the_page_shows_the_lead_the_quarters_and_the_history(client, users):
    priority = led_by("staff")
    page = signed_in(client, users, "staff").get(page_url(priority)).content.decode()
    assert priority.title in page and "Led by Samuel Mbeki" in page
    assert f'href="{form_url(priority, 3)}"' in page  # the lead may write
    page = signed_in(client, users, "board").get(page_url(priority)).content.decode()
    assert priority.title in page and f'href="{form_url(priority, 3)}"' not in page


@pytest.mark.parametrize("username", ["staff2", "board"])
def test_someone_who_does_not_lead_it_cannot_write_it(client, users, username):
    priority = led_by("staff")
    assert not OrganisationalLead.objects.filter(organisational_priority=priority, user__username=username).exists()
    before = table_rows(OrganisationalUpdate)
    client = signed_in(client, users, username)
    assert client.get(form_url(priority, 3)).status_code == 403
    data = {"status": Status.ON_TRACK, "narrative": NEW, "risks": "", "next_steps": "", "fingerprint": "x"}
    assert client.post(form_url(priority, 3), {**data, "submit": "1"}).status_code == 403
    assert table_rows(OrganisationalUpdate) == before


def test_at_risk_without_risks_saves_nothing(client, users):
    priority = led_by("staff")
    client = signed_in(client, users, "staff")
    data = form_as_shown(client, form_url(priority, 3), status=Status.AT_RISK, narrative=NEW, risks="")
    before = table_rows(OrganisationalUpdate)
    response = client.post(form_url(priority, 3), {**data, "submit": "1"})
    assert response.status_code == 400
    assert "Say what puts the organisational priority at risk or off track." in response.content.decode()
    assert table_rows(OrganisationalUpdate) == before


def test_a_locked_quarter_takes_no_change(client, users):
    priority = led_by("staff")
    client = signed_in(client, users, "staff")
    data = form_as_shown(client, form_url(priority, 3), status=Status.ON_TRACK, narrative=NEW)
    services.quarter_lock(user=users["editor"], quarter=Quarter.objects.get(annual_plan__slug=PLAN, number=3))
    before = table_rows(OrganisationalUpdate)
    response = client.post(form_url(priority, 3), {**data, "submit": "1"})
    assert response.status_code == 400
    assert "Q3 is locked" in response.content.decode()
    assert table_rows(OrganisationalUpdate) == before


def test_a_change_to_an_approved_update_waits_and_the_report_keeps_the_approved_text(client, users):
    priority = led_by("staff")
    approved = update_of(priority, 2)
    assert approved.review_state == ReviewState.APPROVED  # the demo's Q2 is approved
    page = signed_in(client, users, "staff").get(form_url(priority, 2)).content.decode()
    assert "This update is approved. A change you save is a revision" in page
    data = form_as_shown(client, form_url(priority, 2), narrative=NEW)
    assert client.post(form_url(priority, 2), {**data, "submit": "1"}).status_code == 302

    revision = update_of(priority, 2)
    assert revision.is_revision and revision.approved_narrative == approved.narrative
    section = report(client, users, 2)
    assert NEW not in section and approved.narrative in section
    services.status_update_approve(user=users["editor"], update=revision)
    section = report(client, users, 2)
    assert NEW in section and approved.narrative not in section


def test_an_editor_names_the_lead_and_no_one_else_can(client, users):
    priority = OrganisationalPriority.objects.filter(annual_plan__slug=PLAN).order_by("number").first()
    staff2 = users["staff2"]
    assert signed_in(client, users, "staff").post(page_url(priority), {"lead": staff2.pk}).status_code == 403
    assert not OrganisationalLead.objects.filter(organisational_priority=priority, user=staff2).exists()
    response = signed_in(client, users, "editor").post(page_url(priority), {"lead": staff2.pk})
    assert response.status_code == 302
    assert OrganisationalLead.objects.get(organisational_priority=priority).user == staff2
    # and now staff2 writes its update
    assert signed_in(client, users, "staff2").get(form_url(priority, 3)).status_code == 200


def test_the_tracker_counts_them_in_their_own_group(client, users):
    url = reverse("initiatives:round", args=[PLAN, 3])
    page = signed_in(client, users, "editor").get(url).content.decode()
    titles = list(OrganisationalPriority.objects.filter(annual_plan__slug=PLAN).values_list("title", flat=True))
    assert "<h3>Organisational priorities" in page
    assert all(title in page for title in titles)
    only = signed_in(client, users, "editor").get(url, {"priority": "organisation"}).content.decode()
    assert all(title in only for title in titles)
    # filtered: the organisational priorities' rows only, no initiative's
    assert 'href="/initiatives/' not in only.split("Organisational priorities</option>")[1]
    assert 'href="/initiatives/' in page.split("Organisational priorities</option>")[1]


def test_the_leads_home_lists_it_and_says_when_it_is_due(client, users):
    priority = led_by("staff")
    update = update_of(priority, 3)
    if update is not None:
        update.delete()
    page = signed_in(client, users, "staff").get(reverse("dashboard")).content.decode()
    due = page.split('id="due-heading"')[1].split("</section>")[0]
    assert priority.title in due and form_url(priority, 3) in due
    mine = page.split('id="mine-heading"')[1].split("</section>")[0]
    assert priority.title in mine


def test_the_page_runs_the_same_queries_whatever_its_history(client, users, django_assert_num_queries):
    priority = led_by("staff")
    client = signed_in(client, users, "staff")
    with django_assert_num_queries(PAGE_QUERIES):
        assert client.get(page_url(priority)).status_code == 200
    for round_trip in range(5):
        data = form_as_shown(client, form_url(priority, 4), status=Status.ON_TRACK, narrative=f"{NEW} {round_trip}")
        assert client.post(form_url(priority, 4), data).status_code == 302
    with django_assert_num_queries(PAGE_QUERIES):
        assert client.get(page_url(priority)).status_code == 200


# session, user, groups; the priority with its lead and its updates (2), the plan, its
# quarters, the updates' history; the test's savepoint around the request (2).
PAGE_QUERIES = 10
