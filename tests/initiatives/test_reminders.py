"""``manage.py remind_missing_updates``: each lead gets one email listing the initiatives
whose quarterly update is missing, a draft or returned, and nothing else.

In the demo progress for Q3: 3.2, 4.2 and 5.3 have no update, 4.1 is a draft, 2.2 was
returned; the others are submitted or approved. staff leads 1.1-1.3, 4.1, 4.2 (and is a
team member of 5.2); staff2 leads the rest.
"""

import datetime
import io
import re

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from initiatives.models import Initiative, Membership, OrganisationalUpdate, ReviewState, StatusUpdate
from priorities.models import AnnualPlan, Quarter, QuarterLock
from tests.factories import InitiativeFactory, MembershipFactory, UserFactory

PLAN = "2022-23"
# plan, quarter (with its lock), initiatives, their leads, their update for the quarter,
# organisational priorities with their leads, their update for the quarter: whatever the
# data size.
COMMAND_QUERIES = 7


# 2.2's Q3 update was returned by the editor with this comment (fixtures/demo_progress_2022_23.json).
RETURNED_2_2 = (
    "returned: Merci de préciser l'effet des mesures prises sur le délai de réponse "
    "et de lister les demandes restées sans suite."
)


@pytest.fixture(autouse=True)
def english(settings):
    # The command writes in LANGUAGE_CODE; these tests read its English text.
    settings.LANGUAGE_CODE = "en"


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("remind_missing_updates", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def initiative(code: str) -> Initiative:
    priority, number = code.split(".")
    return Initiative.objects.get(priority__annual_plan__slug=PLAN, priority__number=priority, number=number)


def q3_update(code: str) -> StatusUpdate:
    return StatusUpdate.objects.get(initiative=initiative(code), quarter__number=3)


def listed(text: str) -> dict[str, str]:
    """The initiatives a reminder lists, code -> state in brackets."""
    return dict(re.findall(r"^\s*- (\d+\.\d+) .* \(([^()]*)\)$", text, flags=re.MULTILINE))


def by_recipient(mailoutbox) -> dict[str, object]:
    assert all(len(message.to) == 1 for message in mailoutbox)
    return {message.to[0]: message for message in mailoutbox}


def snapshot() -> dict:
    """Everything the command could conceivably touch, history included."""
    return {
        "updates": sorted(StatusUpdate.objects.values_list("pk", "review_state", "version", "updated_at")),
        "history": StatusUpdate.history.count(),
        "memberships": sorted(Membership.objects.values_list("pk", "initiative_id", "user_id", "role")),
        "users": sorted(User.objects.values_list("pk", "email", "last_login", "is_active")),
        "initiatives": Initiative.history.count(),
    }


@pytest.mark.django_db
def test_q3_sends_one_email_per_lead_listing_exactly_their_due_initiatives(demo_progress, mailoutbox):
    before = snapshot()

    out, err = run("--plan", PLAN, "--quarter", "3")

    assert err == ""
    mails = by_recipient(mailoutbox)
    assert sorted(mails) == ["staff2@example.org", "staff@example.org"]
    assert listed(mails["staff@example.org"].body) == {"4.1": "draft", "4.2": "no update"}
    assert listed(mails["staff2@example.org"].body) == {
        "2.2": RETURNED_2_2,
        "3.2": "no update",
        "5.3": "no update",
    }
    for message in mailoutbox:
        assert "Q3 2022-23" in message.subject
    for code in ["4.1", "4.2"]:
        assert reverse("initiatives:update", args=[initiative(code).pk, 3]) in mails["staff@example.org"].body
    for code in ["2.2", "3.2", "5.3"]:
        assert reverse("initiatives:update", args=[initiative(code).pk, 3]) in mails["staff2@example.org"].body
    # and the organisational priorities they lead: staff's is a draft, one of staff2's missing
    assert "\n- Systems (Systems) (draft)\n" in mails["staff@example.org"].body
    assert "\n- Sustainability (Sustainability) (no update)\n" in mails["staff2@example.org"].body
    assert "People" not in mails["staff2@example.org"].body  # submitted
    assert reverse("initiatives:organisational_update", args=[PLAN, "systems", 3]) in mails["staff@example.org"].body
    assert out.strip().splitlines()[-1] == ("2 reminders sent for Q3 2022-23: staff (3 updates), staff2 (4 updates)")
    assert snapshot() == before


@pytest.mark.django_db
def test_submitted_or_approved_updates_are_not_reminded_drafts_and_returned_are(demo_progress, mailoutbox):
    assert q3_update("1.2").review_state == ReviewState.SUBMITTED
    assert q3_update("1.1").review_state == ReviewState.APPROVED
    StatusUpdate.objects.filter(pk=q3_update("4.1").pk).update(review_state=ReviewState.SUBMITTED)
    StatusUpdate.objects.filter(pk=q3_update("2.2").pk).update(review_state=ReviewState.APPROVED)
    StatusUpdate.objects.filter(pk=q3_update("1.1").pk).update(
        review_state=ReviewState.RETURNED, review_comment="Ajoutez\nles chiffres de mars."
    )

    run("--plan", PLAN, "--quarter", "3")

    mails = by_recipient(mailoutbox)
    assert listed(mails["staff@example.org"].body) == {
        "1.1": "returned: Ajoutez les chiffres de mars.",
        "4.2": "no update",
    }
    assert listed(mails["staff2@example.org"].body) == {"3.2": "no update", "5.3": "no update"}


@pytest.mark.django_db
def test_team_members_are_not_reminded_only_the_lead(demo_progress, mailoutbox):
    assert Membership.objects.get(initiative=initiative("5.2"), user__username="staff").role == "member"
    StatusUpdate.objects.filter(pk=q3_update("5.2").pk).update(review_state=ReviewState.DRAFT)

    run("--plan", PLAN, "--quarter", "3")

    mails = by_recipient(mailoutbox)
    assert "5.2" not in listed(mails["staff@example.org"].body)
    assert listed(mails["staff2@example.org"].body)["5.2"] == "draft"


@pytest.mark.django_db
def test_a_quarter_with_every_update_submitted_or_approved_sends_nothing(demo_progress, mailoutbox):
    out, _ = run("--plan", PLAN, "--quarter", "2")

    assert mailoutbox == []
    assert out.strip() == "0 reminders sent for Q2 2022-23."


@pytest.mark.django_db
def test_dry_run_sends_nothing_and_prints_what_would_be_sent(demo_progress, mailoutbox):
    before = snapshot()

    dry, _ = run("--plan", PLAN, "--quarter", "3", "--dry-run")

    assert mailoutbox == []
    assert snapshot() == before
    assert listed(dry) == {
        "4.1": "draft",
        "4.2": "no update",
        "2.2": RETURNED_2_2,
        "3.2": "no update",
        "5.3": "no update",
    }
    assert dry.strip().splitlines()[-1] == (
        "Dry run: 2 reminders would be sent for Q3 2022-23: staff (3 updates), staff2 (4 updates)"
    )

    real, _ = run("--plan", PLAN, "--quarter", "3")

    assert real.splitlines()[:-1] == dry.splitlines()[:-1]
    for message in mailoutbox:
        for line in message.body.splitlines():
            if line.startswith(("- ", "  /")):
                assert line in dry


@pytest.mark.django_db
def test_an_initiative_without_a_lead_is_reported_not_mailed(demo_progress, mailoutbox):
    Membership.objects.filter(initiative=initiative("3.2"), role="lead").delete()
    # Without a lead but submitted: nothing to report.
    Membership.objects.filter(initiative=initiative("1.2"), role="lead").delete()

    out, _ = run("--plan", PLAN, "--quarter", "3")

    lines = [line for line in out.splitlines() if "no lead to remind" in line]
    assert lines == [f"3.2 {initiative('3.2').title}: no update, no lead to remind"]
    assert listed(by_recipient(mailoutbox)["staff2@example.org"].body) == {
        "2.2": RETURNED_2_2,
        "5.3": "no update",
    }


@pytest.mark.django_db
def test_a_lead_without_an_email_address_is_skipped_with_a_warning(demo_progress, mailoutbox):
    User.objects.filter(username="staff").update(email="")

    out, err = run("--plan", PLAN, "--quarter", "3")

    assert [m.to for m in mailoutbox] == [["staff2@example.org"]]
    assert "staff" in err and "no email address" in err and "4.1, 4.2, Systems" in err
    assert out.strip().splitlines()[-1] == "1 reminder sent for Q3 2022-23: staff2 (4 updates)"


@pytest.mark.django_db
def test_an_inactive_lead_is_skipped_with_a_warning(demo_progress, mailoutbox):
    User.objects.filter(username="staff2").update(is_active=False)

    _, err = run("--plan", PLAN, "--quarter", "3")

    assert [m.to for m in mailoutbox] == [["staff@example.org"]]
    assert "staff2" in err and "account inactive" in err


@pytest.mark.django_db
def test_defaults_are_the_current_plan_and_the_last_ended_quarter(demo_progress, mailoutbox, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: datetime.date(2023, 4, 15))

    out, _ = run()

    assert "reminders sent for Q3 2022-23" in out
    assert len(mailoutbox) == 2


@pytest.mark.django_db
def test_links_start_with_site_url_when_it_is_set(demo_progress, mailoutbox, settings):
    settings.SITE_URL = "https://plan.example.org/"

    run("--plan", PLAN, "--quarter", "3")

    path = reverse("initiatives:update", args=[initiative("4.2").pk, 3])
    assert f"  https://plan.example.org{path}" in by_recipient(mailoutbox)["staff@example.org"].body.splitlines()


@pytest.mark.django_db
def test_an_unknown_plan_or_quarter_is_refused(demo_progress, mailoutbox):
    with pytest.raises(CommandError, match="nope"):
        run("--plan", "nope")
    with pytest.raises(CommandError):
        run("--plan", PLAN, "--quarter", "5")
    assert mailoutbox == []


@pytest.mark.django_db
def test_no_plan_at_all_is_an_error(db, mailoutbox):
    assert not AnnualPlan.objects.exists()
    with pytest.raises(CommandError):
        run()


@pytest.mark.django_db
def test_query_count_is_the_same_whatever_the_quarter_and_the_data_size(
    demo_progress, mailoutbox, django_assert_num_queries
):
    with django_assert_num_queries(COMMAND_QUERIES):
        run("--plan", PLAN, "--quarter", "3")
    assert len(mailoutbox) == 2

    with django_assert_num_queries(COMMAND_QUERIES):
        run("--plan", PLAN, "--quarter", "2")
    assert len(mailoutbox) == 2

    priority = initiative("1.1").priority
    for number in range(10, 40):
        MembershipFactory(
            initiative=InitiativeFactory(priority=priority, number=number), user=UserFactory(username=f"lead{number}")
        )
    mailoutbox.clear()

    with django_assert_num_queries(COMMAND_QUERIES):
        run("--plan", PLAN, "--quarter", "3")
    assert len(mailoutbox) == 32

    mailoutbox.clear()
    with django_assert_num_queries(COMMAND_QUERIES):
        run("--quarter", "3")
    assert len(mailoutbox) == 32


@pytest.mark.django_db
def test_a_locked_quarter_reminds_nobody(demo_progress, mailoutbox):
    QuarterLock.objects.create(quarter=Quarter.objects.get(annual_plan__slug=PLAN, number=3), reason="Clos.")

    out, _ = run("--plan", PLAN, "--quarter", "3")

    assert mailoutbox == []
    assert out.strip() == "Q3 2022-23 is locked: no reminder sent."


@pytest.mark.django_db
def test_a_lead_with_one_initiative_due_gets_the_singular_wording(demo_progress, mailoutbox):
    StatusUpdate.objects.filter(pk=q3_update("4.1").pk).update(review_state=ReviewState.SUBMITTED)
    OrganisationalUpdate.objects.filter(organisational_priority__area="systems", quarter__number=3).update(
        review_state=ReviewState.SUBMITTED
    )

    out, _ = run("--plan", PLAN, "--quarter", "3")

    body = by_recipient(mailoutbox)["staff@example.org"].body
    assert listed(body) == {"4.2": "no update"} and "Systems" not in body
    assert "The Q3 2022-23 status update of this work you lead is not submitted yet:" in body
    assert "staff (1 update)," in out


def test_the_reminder_is_written_in_the_sites_language_and_as_plain_text(demo_progress, mailoutbox, settings):
    """The e-mail's words come from its template, translated; a title's apostrophe stays an
    apostrophe (plain text: nothing is escaped as for a web page)."""
    settings.LANGUAGE_CODE = "fr"
    call_command("remind_missing_updates", "--plan", "2022-23", "--quarter", "3")
    body = by_recipient(mailoutbox)["staff@example.org"].body
    assert body.startswith("Bonjour ")
    assert "de ces travaux dont vous êtes responsable ne sont pas encore soumis\u00a0:\n\n- 4.1 " in body
    assert "l'engagement du public" in body and "&#x27;" not in body
    assert body.endswith("Merci de les rédiger et de les soumettre depuis les liens ci-dessus.\n")
