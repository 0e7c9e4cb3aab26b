"""Rolling the plan over into its next year (issue 13, item 3): `manage.py rollover_plan
2022-23 2023-24` and the editors' page make the next plan from the demo's year: structure
copied, unfinished initiatives carried and linked, last values as new baselines, targets
to set; refused with a message and nothing written when it cannot be done, re-running
included."""

import datetime
import re

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from initiatives import rollover
from initiatives.models import (
    Indicator,
    IndicatorValue,
    Initiative,
    Membership,
    OrganisationalLead,
    ReviewState,
    Status,
    StatusUpdate,
)
from priorities.models import AnnualPlan, Event, ExpectedResult, LearningQuestion, StrategicPlan, StrategicPriority
from tests.factories import AnnualPlanFactory, grow
from tests.helpers import table_rows

pytestmark = pytest.mark.django_db

SOURCE, TARGET = "2022-23", "2023-24"


def snapshot() -> dict:
    return table_rows("priorities", "initiatives")


def roll(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("rollover_plan", *args, stdout=out)
    return out.getvalue()


def signed_in(client, users, username):
    client.force_login(users[username])
    return client


def page_url(slug=SOURCE) -> str:
    return reverse("initiatives:rollover", args=[slug])


def test_the_command_makes_the_next_year_from_the_demo(users):
    old = AnnualPlan.objects.get(slug=SOURCE)
    out = roll(SOURCE, TARGET)
    assert "Made 2023-24, «Annual Plan 2023-2024», from 2022-23." in out

    new = AnnualPlan.objects.get(slug=TARGET)
    assert (new.strategic_plan, new.title_fr, new.title_en, new.start_date, new.language) == (
        old.strategic_plan,
        "Plan annuel 2023-2024",
        "Annual Plan 2023-2024",
        datetime.date(2023, 7, 1),
        old.language,
    )
    assert [(q.number, q.start_date, q.end_date) for q in new.quarters.order_by("number")] == [
        (1, datetime.date(2023, 7, 1), datetime.date(2023, 9, 30)),
        (2, datetime.date(2023, 10, 1), datetime.date(2023, 12, 31)),
        (3, datetime.date(2024, 1, 1), datetime.date(2024, 3, 31)),
        (4, datetime.date(2024, 4, 1), datetime.date(2024, 6, 30)),
    ]
    # the structure, copied
    assert StrategicPriority.objects.filter(annual_plan=new).count() == 5
    assert ExpectedResult.objects.filter(priority__annual_plan=new).count() == 11
    assert list(
        LearningQuestion.objects.filter(priority__annual_plan=new).values_list("priority__number", "text")
    ) == list(LearningQuestion.objects.filter(priority__annual_plan=old).values_list("priority__number", "text"))
    assert {(o.area, o.leadership.user.username) for o in new.organisational_priorities.all()} == {
        (o.area, o.leadership.user.username) for o in old.organisational_priorities.all()
    }
    # each indicator: the year's last value as its baseline, no target yet
    indicators = Indicator.objects.filter(expected_result__priority__annual_plan=new)
    assert indicators.count() == 17
    for indicator in indicators:
        before = Indicator.objects.get_by_natural_key(SOURCE, *indicator.natural_key()[1:])
        last = IndicatorValue.objects.filter(indicator=before).order_by("-quarter__number").first()
        assert indicator.baseline == (last.value if last else before.baseline), indicator.code
        assert indicator.target is None and indicator.target_to_set
        assert (indicator.name, indicator.unit, indicator.direction) == (before.name, before.unit, before.direction)
    # the initiatives not completed, carried and linked, with their team and results
    carried = Initiative.objects.filter(priority__annual_plan=new).order_by("priority__number", "number")
    assert [i.code for i in carried] == [
        *["1.1", "1.2", "2.1", "2.2", "2.3", "3.1", "3.2", "3.3", "4.1", "4.2", "5.1", "5.2", "5.3"]
    ]  # 1.3 was completed in 2022-23: it stays there
    for initiative in carried:
        previous = initiative.previous
        assert previous.priority.annual_plan == old and previous.code == initiative.code
        assert previous.next_year == initiative
        assert set(initiative.memberships.values_list("user_id", "role")) == set(
            previous.memberships.values_list("user_id", "role")
        )
        assert sorted(r.code for r in initiative.expected_results.all()) == sorted(
            r.code for r in previous.expected_results.all()
        )
        assert {r.priority.annual_plan_id for r in initiative.expected_results.all()} <= {new.pk}
    # what stays behind
    assert not Event.objects.filter(annual_plan=new).exists()
    assert not StatusUpdate.objects.filter(quarter__annual_plan=new).exists()
    assert not new.rounds.exists()
    assert Initiative.objects.filter(priority__annual_plan=old).count() == 14  # the year itself is untouched


def test_running_it_again_is_refused_and_writes_nothing(users):
    roll(SOURCE, TARGET)
    before = snapshot()
    with pytest.raises(CommandError, match="The plan «2023-24» exists already: nothing was made."):
        roll(SOURCE, TARGET)
    with pytest.raises(CommandError, match="The year after «2022-23» has its plan already: «2023-24»"):
        roll(SOURCE, "2023-24-bis")
    assert snapshot() == before


@pytest.mark.parametrize(
    ("source", "target", "message"),
    [
        ("2021-22", TARGET, "There is no plan «2021-22»."),
        (SOURCE, "2023 24", "«2023 24» cannot name a plan: use letters, numbers and hyphens, for example 2023-24."),
        (SOURCE, "<script>", "«<script>» cannot name a plan"),
        (SOURCE, SOURCE, "The plan «2022-23» exists already: nothing was made."),
        (SOURCE, "x" * 51, "is too long to name a plan."),
    ],
    ids=["unknown-source", "space", "markup", "exists", "too-long"],
)
def test_a_bad_request_says_why_and_writes_nothing(users, source, target, message):
    before = snapshot()
    with pytest.raises(CommandError, match=re.escape(message)):
        roll(source, target)
    assert snapshot() == before


def test_a_plan_without_quarters_or_at_the_strategic_plans_end_is_refused(users):
    empty = AnnualPlanFactory(slug="vide", strategic_plan=StrategicPlan.objects.get())
    empty.quarters.all().delete()
    before = snapshot()
    with pytest.raises(CommandError, match="The plan «vide» has no quarters: it has no year to roll over."):
        roll("vide", "vide-2")
    assert snapshot() == before
    StrategicPlan.objects.update(end_year=2023)
    before = snapshot()
    with pytest.raises(CommandError, match="ends in 2023: «2022-23» is its last year."):
        roll(SOURCE, TARGET)
    assert snapshot() == before


def test_the_dry_run_says_what_would_be_made_and_writes_nothing(users):
    before = snapshot()
    out = roll(SOURCE, TARGET, "--dry-run")
    assert snapshot() == before
    assert "made: 4 quarters, 5 priorities, 11 expected results, 5 learning questions" in out
    assert "carried (not completed): 13 initiatives" in out
    assert "left in 2022-23 (completed): 1 initiative\n    1.3 " in out
    assert "Dry run: nothing was made." in out


def test_completed_in_an_approved_update_stays_behind_not_in_a_draft(users):
    q3 = {u.initiative.code: u for u in StatusUpdate.objects.filter(quarter__number=3).select_related("initiative")}
    approved, draft = q3["1.1"], q3["4.1"]
    assert (approved.review_state, draft.review_state) == (ReviewState.APPROVED, ReviewState.DRAFT)
    StatusUpdate.objects.filter(pk=approved.pk).update(status=Status.COMPLETED)
    StatusUpdate.objects.filter(pk=draft.pk).update(status=Status.COMPLETED)
    preview = rollover.rollover_preview(source_slug=SOURCE, target_slug=TARGET)
    assert sorted(row.initiative.code for row in preview.left) == ["1.1", "1.3"]
    assert "4.1" in [row.initiative.code for row in preview.carried]  # a draft is not what the year says


def test_only_editors_open_the_page(client, users):
    for username in ("staff", "board"):
        assert signed_in(client, users, username).get(page_url()).status_code == 403
        data = {"slug": TARGET, "title": "Plan", "action": "rollover"}
        assert signed_in(client, users, username).post(page_url(), data).status_code == 403
    assert not AnnualPlan.objects.filter(slug=TARGET).exists()


def test_an_editor_previews_then_makes_the_next_year_on_the_page(client, users):
    client = signed_in(client, users, "editor")
    page = client.get(page_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="2023-24"' in html and 'value="Plan annuel 2023-2024"' in html
    assert "Carried over: 13 initiatives not completed" in html
    assert "Left in this year: 1 initiative completed" in html

    before = snapshot()
    preview = client.post(page_url(), {"slug": "2023-24b", "title": "Autre titre", "action": "preview"})
    assert preview.status_code == 200 and "What will be made: 2023-24b" in preview.content.decode()
    assert snapshot() == before

    made = client.post(page_url(), {"slug": TARGET, "title": "Plan annuel 2023-2024", "action": "rollover"})
    assert made.status_code == 302 and made["Location"] == reverse("initiatives:plan", args=[TARGET])
    assert AnnualPlan.objects.filter(slug=TARGET).exists()

    after = snapshot()
    again = client.post(page_url(), {"slug": "2023-24c", "title": "Encore", "action": "rollover"})
    assert again.status_code == 400
    assert "The year after «2022-23» has its plan already: «2023-24». Nothing was made." in again.content.decode()
    assert snapshot() == after


def test_the_initiative_pages_link_the_two_years(client, users):
    roll(SOURCE, TARGET)
    old = Initiative.objects.get_by_natural_key(SOURCE, 1, 1)
    new = old.next_year
    client = signed_in(client, users, "staff")
    old_page = client.get(reverse("initiatives:detail", args=[old.pk])).content.decode()
    assert f'href="{reverse("initiatives:detail", args=[new.pk])}">Annual Plan 2023-2024 (1.1) →' in old_page
    new_page = client.get(reverse("initiatives:detail", args=[new.pk])).content.decode()
    assert f'href="{reverse("initiatives:detail", args=[old.pk])}">← Annual Plan 2022-2023 (1.1)' in new_page


def test_the_page_runs_the_same_queries_at_two_sizes(client, users, django_assert_num_queries):
    client = signed_in(client, users, "editor")
    with django_assert_num_queries(PAGE_QUERIES):
        assert client.get(page_url()).status_code == 200
    grow(users)
    with django_assert_num_queries(PAGE_QUERIES):
        page = client.get(page_url())
    assert "Carried over: 43 initiatives not completed" in page.content.decode()  # 13 + 5 x 6


def test_the_memberships_copied_are_new_rows(users):
    roll(SOURCE, TARGET)
    assert Membership.objects.filter(initiative__priority__annual_plan__slug=TARGET).count() == 14
    assert OrganisationalLead.objects.filter(organisational_priority__annual_plan__slug=TARGET).count() == 4


# session, user, groups; the plan; the preview: the plan, its quarters, the target's slug,
# the next year's plan, priorities with results, questions, initiatives, their teams and
# results, completed and year-end statuses, last values, indicators, organisational
# priorities, events; the test's savepoint (2).
PAGE_QUERIES = 22


def test_a_negative_value_of_a_carried_count_is_refused_by_the_model_too(users):
    """Every path (admin, import) runs the model's rule: a count whose target is not set
    yet still cannot be negative, and the message says why instead of failing."""
    from django.core.exceptions import ValidationError

    roll(SOURCE, TARGET)
    indicator = Indicator.objects.get_by_natural_key(TARGET, 1, 1, 1)
    assert indicator.target is None and indicator.baseline >= 0
    quarter = AnnualPlan.objects.get(slug=TARGET).quarters.get(number=1)
    with pytest.raises(ValidationError) as refused:
        IndicatorValue(indicator=indicator, quarter=quarter, value=-4).full_clean()
    assert "cannot be negative (its baseline is not, and its target is not set yet)" in str(refused.value)
