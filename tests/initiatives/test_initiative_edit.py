"""Editors change an initiative's words, results and team in the browser; nobody else can."""

import pytest
from django.urls import reverse

from civicplan.translations import texts_of
from initiatives.models import Initiative, Membership

pytestmark = pytest.mark.django_db


def lens():
    return Initiative.objects.get_by_natural_key("2022-23", 1, 1)


def team(initiative):
    return sorted(initiative.memberships.values_list("user__username", "role"))


def form_for(initiative, **changes):
    data = {
        # Each language's words side by side; the demo's English is the fixture's.
        **{name: value or "" for name, value in texts_of(initiative, "title", "description").items()},
        "expected_results": [r.pk for r in initiative.expected_results.all()],
        "lead": "",
        "members": [],
    }
    data.update(changes)
    return data


def test_the_editor_changes_words_results_and_team(client, users):
    initiative = lens()
    first_result = initiative.priority.expected_results.get(number=1)
    assert team(initiative) == [("staff", "lead")]
    client.force_login(users["editor"])
    url = reverse("initiatives:edit", args=[initiative.pk])
    assert client.get(url).status_code == 200

    response = client.post(
        url,
        form_for(
            initiative,
            title_fr="CIVICUS Lens (analyses)",
            expected_results=[first_result.pk],
            lead=users["staff2"].pk,
            members=[users["staff"].pk],
        ),
    )
    assert response.status_code == 302
    initiative.refresh_from_db()
    assert (initiative.title_fr, initiative.title_en) == ("CIVICUS Lens (analyses)", "CIVICUS Lens")
    assert list(initiative.expected_results.all()) == [first_result]
    assert team(initiative) == [("staff", "member"), ("staff2", "lead")]
    assert initiative.history.first().history_user == users["editor"]


@pytest.mark.parametrize("username", ["staff", "staff2", "board"])
def test_others_get_403_and_nothing_changes(client, users, username):
    initiative = lens()
    client.force_login(users[username])
    url = reverse("initiatives:edit", args=[initiative.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, form_for(initiative, title_fr="Forgé", lead=users[username].pk)).status_code == 403
    initiative.refresh_from_db()
    assert initiative.title == "CIVICUS Lens"
    assert team(initiative) == [("staff", "lead")]


def test_one_bad_field_saves_nothing(client, users):
    initiative = lens()
    client.force_login(users["editor"])
    url = reverse("initiatives:edit", args=[initiative.pk])
    response = client.post(url, form_for(initiative, title_fr="", lead=users["staff2"].pk))
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    initiative.refresh_from_db()
    assert initiative.title == "CIVICUS Lens"
    assert team(initiative) == [("staff", "lead")]


def test_a_result_of_another_priority_is_not_offered(client, users):
    initiative = lens()
    other = Initiative.objects.get_by_natural_key("2022-23", 2, 1).priority.expected_results.first()
    client.force_login(users["editor"])
    response = client.post(
        reverse("initiatives:edit", args=[initiative.pk]), form_for(initiative, expected_results=[other.pk])
    )
    assert response.status_code == 400
    assert initiative.expected_results.filter(pk=other.pk).count() == 0


def test_the_board_is_not_offered_as_lead(client, users):
    client.force_login(users["editor"])
    page = client.get(reverse("initiatives:edit", args=[lens().pk])).content.decode()
    assert "Samuel Mbeki" in page and "Bongani Ndlovu" not in page
    assert Membership.objects.filter(user=users["board"]).count() == 0
