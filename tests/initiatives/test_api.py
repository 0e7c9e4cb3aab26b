"""GET /api/plans/<slug>/: the plan as JSON, for signed-in readers only, in a fixed number
of queries; it answers in JSON when it refuses, too."""

import datetime

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from initiatives.models import (
    OrganisationalLead,
    OrganisationalUpdate,
    ReviewState,
    Status,
    StatusUpdate,
)
from priorities.models import OrganisationalPriority, Quarter, QuarterLock, StrategicPriority
from tests.factories import (
    ExpectedResultFactory,
    InitiativeFactory,
    MembershipFactory,
    StatusUpdateFactory,
    UserFactory,
    quarter_of,
)

PLAN = "2022-23"
URL = reverse("initiatives:api-plan", args=[PLAN])
PRIORITY_1_TITLE = (
    "Générer des connaissances et des analyses en temps opportun sur les actions de la société civile "
    "en relation avec l'espace civique et démocratique"
)
# session, user, savepoint and its release (ATOMIC_REQUESTS), groups; plan (with its
# strategic plan), quarters (with their lock), priorities, expected results, initiatives,
# leads, status updates; organisational priorities (with their lead), their updates: the
# last two came with the organisational priorities, whatever their number.
API_QUERIES = 14


def sign_in(client, username: str):
    client.force_login(User.objects.get(username=username))


def initiatives_of(data: dict) -> dict[str, dict]:
    return {i["code"]: i for p in data["priorities"] for i in p["initiatives"]}


def organisational_of(data: dict) -> dict[str, dict]:
    return {p["area"]: p for p in data["organisational_priorities"]}


def cache_directives(response) -> set[str]:
    return {part.strip() for part in response["Cache-Control"].split(",")}


@pytest.mark.django_db
def test_anonymous_gets_401_json_not_a_redirect(client, seed_plan):
    response = client.get(URL)

    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Sign in first."}
    assert {"private", "no-cache"} <= cache_directives(response)


@pytest.mark.django_db
def test_signed_in_without_a_role_gets_403_json(client, seed_plan):
    client.force_login(UserFactory(username="nobody"))

    response = client.get(URL)

    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()
    assert "priorities" not in response.json()
    assert {"private", "no-cache"} <= cache_directives(response)


@pytest.mark.django_db
def test_a_user_without_a_role_learns_nothing_about_which_plans_exist(client, seed_plan):
    client.force_login(UserFactory(username="nobody"))

    assert client.get(reverse("initiatives:api-plan", args=["no-such-plan"])).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["staff", "board", "editor", "admin"])
def test_every_role_reads_the_whole_plan(client, demo_progress, username):
    sign_in(client, username)

    response = client.get(URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert {"private", "no-cache"} <= cache_directives(response)
    data = response.json()
    assert set(data) == {"plan", "quarters", "priorities", "organisational_priorities"}
    assert data["plan"] == {
        "slug": PLAN,
        "title_fr": "Plan annuel 2022-2023",
        "title_en": "Annual Plan 2022-2023",
        "start_date": "2022-07-01",
        "end_date": "2023-06-30",
        "strategic_plan": {
            "slug": "2022-2027",
            "title_fr": "Plan stratégique 2022-2027",
            "title_en": "Strategic Plan 2022-2027",
            "overall_goal_fr": (
                "Renforcer la société civile et l'action civique pour un espace civique et démocratique élargi."
            ),
            "overall_goal_en": "Strengthen civil society and citizen action for expanded civic and democratic space.",
        },
    }
    assert data["quarters"] == [
        {"number": 1, "start_date": "2022-07-01", "end_date": "2022-09-30", "locked": False},
        {"number": 2, "start_date": "2022-10-01", "end_date": "2022-12-31", "locked": False},
        {"number": 3, "start_date": "2023-01-01", "end_date": "2023-03-31", "locked": False},
        {"number": 4, "start_date": "2023-04-01", "end_date": "2023-06-30", "locked": False},
    ]
    priorities = data["priorities"]
    assert [p["number"] for p in priorities] == [1, 2, 3, 4, 5]
    assert priorities[0]["title_fr"] == PRIORITY_1_TITLE
    assert priorities[0]["title_en"].startswith("Generate timely knowledge")
    assert priorities[0]["short_title_fr"] == "Connaissances et analyses en temps opportun"
    assert priorities[0]["short_title_en"] == "Timely knowledge and analyses"
    assert set(priorities[0]) == {
        *("number", "expected_results", "initiatives"),
        *("title_fr", "title_en", "short_title_fr", "short_title_en", "statement_fr", "statement_en"),
    }
    assert priorities[0]["statement_fr"] and priorities[0]["statement_en"]
    assert sum(len(p["expected_results"]) for p in priorities) == 11
    for priority in priorities:
        assert [r["number"] for r in priority["expected_results"]] == sorted(
            r["number"] for r in priority["expected_results"]
        )
        assert all(
            set(r) == {"number", "text_fr", "text_en"} and r["text_fr"] and r["text_en"]
            for r in priority["expected_results"]
        )
        assert [i["number"] for i in priority["initiatives"]] == sorted(i["number"] for i in priority["initiatives"])

    initiatives = initiatives_of(data)
    assert len(initiatives) == 14
    assert initiatives["1.3"] == {
        "code": "1.3",
        "number": 3,
        "title_fr": "État de la Société Civile",
        "title_en": "State of Civil Society",
        "lead": "staff",
        "latest_status": {
            "quarter": 3,
            "status": "completed",
            "review_state": "approved",
            "approved_status": "completed",
            "updated_at": "2023-04-06T16:16:00+00:00",
        },
    }
    # The latest is the highest quarter the reader may read: 3.2 has nothing for Q3; 4.1's Q3
    # update is a draft, read by staff and editors, while the board reads approved updates only.
    assert initiatives["3.2"]["latest_status"]["quarter"] == 2
    if username == "board":
        assert initiatives["4.1"]["latest_status"]["review_state"] == "approved"
        assert initiatives["4.1"]["latest_status"]["quarter"] == 2
    else:
        assert initiatives["4.1"]["latest_status"]["review_state"] == "draft"
    assert initiatives["5.2"]["lead"] == "staff2"
    assert {i["lead"] for i in initiatives.values()} == {"staff", "staff2"}

    organisational = data["organisational_priorities"]
    assert [(p["number"], p["area"], p["title_fr"]) for p in organisational] == [
        (1, "strategy", "Une stratégie"),
        (2, "people", "Des personnes"),
        (3, "systems", "Des systèmes"),
        (4, "sustainability", "Durabilité"),
    ]
    by_area = organisational_of(data)
    assert {area: p["lead"] for area, p in by_area.items()} == {
        "strategy": "editor",
        "people": "staff2",
        "systems": "staff",
        "sustainability": "staff2",
    }
    assert by_area["strategy"]["latest_status"] == {
        "quarter": 3,
        "status": "on_track",
        "review_state": "approved",
        "approved_status": "on_track",
        "updated_at": "2023-04-06T10:30:00+00:00",
    }
    # Sustainability has nothing for Q3; people's Q3 update is submitted and systems' a
    # draft: read by staff and editors, while the board reads their approved Q2 updates.
    assert by_area["sustainability"]["latest_status"]["quarter"] == 2
    if username == "board":
        assert [by_area[a]["latest_status"]["quarter"] for a in ("people", "systems")] == [2, 2]
        assert {p["latest_status"]["review_state"] for p in organisational} == {"approved"}
    else:
        assert by_area["people"]["latest_status"] == {
            "quarter": 3,
            "status": "at_risk",
            "review_state": "submitted",
            "approved_status": None,
            "updated_at": "2023-04-10T16:05:00+00:00",
        }
        assert by_area["systems"]["latest_status"]["review_state"] == "draft"


@pytest.mark.django_db
def test_an_initiative_without_lead_or_update_has_nulls_and_a_locked_quarter_says_so(client, demo_progress):
    priority = StrategicPriority.objects.get(annual_plan__slug=PLAN, number=2)
    InitiativeFactory(priority=priority, number=9, title="Nouvelle initiative")
    QuarterLock.objects.create(quarter=Quarter.objects.get(annual_plan__slug=PLAN, number=1))
    sign_in(client, "board")

    data = client.get(URL).json()

    assert initiatives_of(data)["2.9"] == {
        "code": "2.9",
        "number": 9,
        "title_fr": "Nouvelle initiative",
        "title_en": None,  # no translation: missing, not the French
        "lead": None,
        "latest_status": None,
    }
    assert [q["locked"] for q in data["quarters"]] == [True, False, False, False]


@pytest.mark.django_db
def test_an_organisational_priority_without_lead_or_update_has_nulls(client, demo_progress):
    priority = OrganisationalPriority.objects.get(annual_plan__slug=PLAN, area="sustainability")
    OrganisationalLead.objects.filter(organisational_priority=priority).delete()
    priority.updates.all().delete()
    sign_in(client, "staff")

    data = client.get(URL).json()

    assert organisational_of(data)["sustainability"] == {
        "area": "sustainability",
        "number": 4,
        "title_fr": "Durabilité",
        "title_en": "Sustainability",
        "lead": None,
        "latest_status": None,
    }


@pytest.mark.django_db
def test_while_a_revision_waits_the_board_reads_the_approved_organisational_status(client, demo_progress):
    update = OrganisationalUpdate.objects.get(
        organisational_priority__annual_plan__slug=PLAN, organisational_priority__area="strategy", quarter__number=3
    )
    assert (update.status, update.review_state) == (Status.ON_TRACK, ReviewState.APPROVED)
    update.status = Status.AT_RISK
    update.risks = "Le cadrage budgétaire 2023-2024 arrive tard."
    update.full_clean()
    update.save()  # a change to an approved update: it waits, its approved text kept aside

    def strategy(username):
        sign_in(client, username)
        return organisational_of(client.get(URL).json())["strategy"]["latest_status"]

    board = strategy("board")
    assert (board["quarter"], board["status"], board["review_state"]) == (3, "on_track", "approved")
    assert board["approved_status"] == "on_track"
    for username in ("staff", "editor"):
        written = strategy(username)
        assert (written["quarter"], written["status"], written["review_state"]) == (3, "at_risk", "submitted")
        assert written["approved_status"] == "on_track"


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_only_get_and_head_are_allowed(client, demo_progress, method):
    sign_in(client, "editor")
    before = list(StatusUpdate.objects.values_list("pk", "status", "version"))

    response = getattr(client, method)(URL, data={}, content_type="application/json")

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert response["Content-Type"] == "application/json"
    assert list(StatusUpdate.objects.values_list("pk", "status", "version")) == before


@pytest.mark.django_db
def test_an_unknown_plan_is_404_json(client, demo_progress):
    sign_in(client, "staff")

    response = client.get(reverse("initiatives:api-plan", args=["2030-31"]))

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert "detail" in response.json()


@pytest.mark.django_db
def test_query_count_is_the_same_at_two_data_sizes(client, demo_progress, django_assert_num_queries):
    # The smaller plan keeps one organisational priority (a plan has one per area, four at
    # most): the larger one gets the other three back, with their leads and more updates.
    removed = list(
        OrganisationalPriority.objects.filter(annual_plan__slug=PLAN)
        .exclude(area="strategy")
        .values("area", "number", "title", "description")
    )
    OrganisationalPriority.objects.filter(annual_plan__slug=PLAN).exclude(area="strategy").delete()
    sign_in(client, "staff")
    with django_assert_num_queries(API_QUERIES):
        response = client.get(URL)
    assert len(initiatives_of(response.json())) == 14
    assert list(organisational_of(response.json())) == ["strategy"]

    for priority in StrategicPriority.objects.filter(annual_plan__slug=PLAN):
        ExpectedResultFactory(priority=priority, number=20 + priority.number)
    priority = StrategicPriority.objects.get(annual_plan__slug=PLAN, number=3)
    plan = priority.annual_plan
    for number in range(10, 40):
        initiative = InitiativeFactory(priority=priority, number=number)
        MembershipFactory(initiative=initiative, user=UserFactory(username=f"lead{number}"))
        StatusUpdateFactory(initiative=initiative, quarter=quarter_of(plan, 1))
        StatusUpdateFactory(initiative=initiative, quarter=quarter_of(plan, 2), status=Status.AT_RISK)
    for fields in removed:
        organisational = OrganisationalPriority.objects.create(annual_plan=plan, **fields)
        OrganisationalLead.objects.create(
            organisational_priority=organisational, user=UserFactory(username=f"org-{fields['area']}")
        )
        for number in (1, 2, 3, 4):
            OrganisationalUpdate.objects.create(
                organisational_priority=organisational, quarter=quarter_of(plan, number), status=Status.ON_TRACK
            )

    client.force_login(User.objects.get(username="staff"))
    with django_assert_num_queries(API_QUERIES):
        response = client.get(URL)
    organisational = organisational_of(response.json())
    assert len(organisational) == 4
    assert organisational["people"]["lead"] == "org-people"
    assert organisational["people"]["latest_status"]["quarter"] == 4
    initiatives = initiatives_of(response.json())
    assert len(initiatives) == 44
    assert initiatives["3.39"]["lead"] == "lead39"
    assert initiatives["3.39"]["latest_status"]["quarter"] == 2
    assert initiatives["3.39"]["latest_status"]["status"] == "at_risk"
    assert datetime.datetime.fromisoformat(initiatives["3.39"]["latest_status"]["updated_at"]).tzinfo is not None


@pytest.mark.django_db
def test_an_unchanged_plan_is_answered_304_and_a_change_gets_the_new_one(client, demo_progress):
    sign_in(client, "board")
    first = client.get(URL)
    etag = first["ETag"]
    again = client.get(URL, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    first_data = first.json()
    StatusUpdate.objects.filter(review_state="approved", status="on_track").update(status="completed")
    changed = client.get(URL, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert changed.json() != first_data
