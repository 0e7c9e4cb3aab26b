"""The plan in its own words (issue 13, item 2): every text the seed gives the plan,
stored in the database, is shown on /plans/<plan>/about/ to every reader."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from priorities.models import AnnualPlan
from tests.factories import grow

pytestmark = pytest.mark.django_db

URL = reverse("priorities:about", args=["2022-23"])


def first_words(text: str, n: int = 12) -> str:
    return escape(" ".join(text.split()[:n]))


@pytest.mark.parametrize("username", ["staff", "editor", "board"])
def test_every_reader_reads_the_plans_own_words(client, users, username):
    client.force_login(users[username])
    page = " ".join(client.get(URL).content.decode().split())
    plan = AnnualPlan.objects.select_related("strategic_plan").get(slug="2022-23")
    strategic = plan.strategic_plan
    for text in (
        strategic.overall_goal,
        strategic.goal_description,
        plan.context,
        plan.monitoring,
        strategic.closing_statement,
    ):
        assert text.strip(), "the seed gives every one of these"
        assert first_words(text) in page
    changes = list(strategic.key_changes.all())
    priorities = list(plan.organisational_priorities.all())
    assert (len(changes), len(priorities)) == (3, 4)
    for item in changes + priorities:
        assert escape(item.title) in page
        assert first_words(item.description) in page
    assert 'lang="fr"' in page  # the plan's words are marked as French in an English page


def test_a_signed_out_visitor_is_sent_to_sign_in(client, seed_plan):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_plan_page_links_to_it(client, users):
    client.force_login(users["board"])
    assert URL in client.get(reverse("initiatives:plan", args=["2022-23"])).content.decode()


def test_the_page_runs_the_same_queries_at_two_sizes(client, users, django_assert_num_queries):
    client.force_login(users["staff"])
    # session, user, the user's groups, the plan, its key changes, its organisational
    # priorities; and the test's savepoint around the request (2)
    with django_assert_num_queries(8):
        assert client.get(URL).status_code == 200
    grow(users)
    with django_assert_num_queries(8):
        assert client.get(URL).status_code == 200
