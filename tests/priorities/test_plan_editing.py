"""Editors edit the plan's structure in the browser: a priority's words, its expected
results and learning question, the results' indicators. Nobody else can.

Every test drives real requests with the demo accounts over the seed plan and its demo
progress, and asserts the database before and after.
"""

import decimal
import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse
from django.utils import translation

from civicplan import editing
from initiatives import services as initiative_services
from initiatives.models import Indicator, IndicatorValue
from priorities import services
from priorities.models import ExpectedResult, LearningQuestion, QuarterLock, StrategicPriority
from tests.factories import ExpectedResultFactory, IndicatorFactory, IndicatorValueFactory
from tests.helpers import field_block, form_as_shown

pytestmark = pytest.mark.django_db

PLAN = "2022-23"


def url(name: str, *args) -> str:
    """A page of the plan: its structure's are the plan's (priorities), the priority page and
    the indicators' are the initiatives' (initiatives/urls.py)."""
    app = "initiatives" if name == "priority" or name.startswith("indicator_") else "priorities"
    return reverse(f"{app}:{name}", args=[PLAN, *args])


PRIORITY_PAGE = url("priority", 1)
# Priority 1 has results 1.1 (indicator 1.1.1) and 1.2 (indicators 1.2.1 and 1.2.2);
# every indicator has values in Q1-Q3.
EDIT_PAGES = {
    "priority_edit": lambda: url("priority_edit", 1),
    "expected_result_create": lambda: url("expected_result_create", 1),
    "expected_result_edit": lambda: url("expected_result_edit", 1, 2),
    "expected_result_delete": lambda: url("expected_result_delete", 1, 2),
    "learning_question_edit": lambda: url("learning_question_edit", 1, 1),
    "indicator_create": lambda: url("indicator_create", 1, 2),
    "indicator_edit": lambda: url("indicator_edit", 1, 2, 1),
    "indicator_delete": lambda: url("indicator_delete", 1, 2, 1),
}


@pytest.fixture
def plan(demo_progress):
    return PLAN


def user(username):
    return get_user_model().objects.get(username=username)


def signed_in(client, username):
    """The client signed in as a demo account, reading the interface in English."""
    client.force_login(user(username))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def priority(number=1) -> StrategicPriority:
    return StrategicPriority.objects.get_by_natural_key(PLAN, number)


def result(priority_number, number) -> ExpectedResult:
    return ExpectedResult.objects.get_by_natural_key(PLAN, priority_number, number)


def question(priority_number=1) -> LearningQuestion:
    return LearningQuestion.objects.get_by_natural_key(PLAN, priority_number, 1)


def indicator(priority_number, result_number, number) -> Indicator:
    return Indicator.objects.get_by_natural_key(PLAN, priority_number, result_number, number)


def snapshot():
    """The plan's structure and the indicator values, as stored."""
    return {
        model.__name__: {o.pk: model_to_dict(o) for o in model.objects.all()}
        for model in (StrategicPriority, ExpectedResult, LearningQuestion, Indicator, IndicatorValue)
    }


def history_count():
    return (
        sum(model.history.count() for model in (StrategicPriority, ExpectedResult, LearningQuestion, Indicator))
        + IndicatorValue.history.count()
    )


def valid_post(name):
    """A POST that would save on each editing page, from the form as an editor sees it now."""
    indicator_fields = {
        "name_fr": "Nouvel indicateur",
        "unit_fr": "rapports",
        "baseline": "1",
        "target": "5",
        "direction": "increase",
        "description_fr": "",
    }
    return {
        "priority_edit": {
            "title_fr": "Forgé",
            "short_title_fr": "Forgé",
            "statement_fr": "Forgé.",
            "fingerprint": editing.edit_fingerprint(priority()),
        },
        "expected_result_create": {"text_fr": "Forgé."},
        "expected_result_edit": {"text_fr": "Forgé.", "fingerprint": editing.edit_fingerprint(result(1, 2))},
        "expected_result_delete": {"indicators": "2", "values": "6"},
        "learning_question_edit": {"text_fr": "Forgé ?", "fingerprint": editing.edit_fingerprint(question())},
        "indicator_create": indicator_fields,
        "indicator_edit": {**indicator_fields, "fingerprint": editing.edit_fingerprint(indicator(1, 2, 1))},
        "indicator_delete": {"values": "3"},
    }[name]


# --- Who may ---------------------------------------------------------------------------


@pytest.mark.parametrize("page", EDIT_PAGES)
def test_anonymous_is_sent_to_sign_in(client, plan, page):
    before = snapshot()
    page_url = EDIT_PAGES[page]()
    for response in (client.get(page_url), client.post(page_url, valid_post(page))):
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next={page_url}"
    assert snapshot() == before


@pytest.mark.parametrize("username", ["staff", "board"])
@pytest.mark.parametrize("page", EDIT_PAGES)
def test_staff_and_board_get_403_on_get_and_post_and_nothing_changes(client, plan, username, page):
    """Staff lead initiatives of priority 1: that gives them no say on its structure."""
    client = signed_in(client, username)
    before, history_before = snapshot(), history_count()
    assert client.get(EDIT_PAGES[page]()).status_code == 403
    assert client.post(EDIT_PAGES[page](), valid_post(page)).status_code == 403
    assert snapshot() == before
    assert history_count() == history_before


def test_the_services_refuse_a_non_editor(plan):
    staff = user("staff")
    before = snapshot()
    target = indicator(1, 1, 1)
    calls = [
        lambda: services.priority_update(user=staff, priority=priority(), fingerprint="", title_fr="X"),
        lambda: services.expected_result_create(user=staff, priority=priority(), text_fr="X"),
        lambda: services.expected_result_update(user=staff, result=result(1, 1), fingerprint="", text_fr="X"),
        lambda: services.expected_result_delete(user=staff, result=result(1, 1), indicators_seen=1, values_seen=3),
        lambda: services.learning_question_update(user=staff, question=question(), fingerprint="", text_fr="X"),
        lambda: initiative_services.indicator_create(
            user=staff, result=result(1, 1), name_fr="X", baseline=1, target=2
        ),
        lambda: initiative_services.indicator_update(user=staff, indicator=target, fingerprint="", name_fr="X"),
        lambda: initiative_services.indicator_delete(user=staff, indicator=target, values_seen=3),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert snapshot() == before


def test_a_part_of_another_priority_or_plan_is_not_found(client, plan):
    client = signed_in(client, "editor")
    # 1.1.1 exists; 2.1 has one indicator only; there is no priority 9 nor plan 2031-32.
    assert client.get(url("indicator_edit", 1, 1, 1)).status_code == 200
    assert client.get(url("indicator_edit", 2, 1, 2)).status_code == 404
    assert client.get(url("expected_result_edit", 9, 1)).status_code == 404
    assert client.get(reverse("priorities:priority_edit", args=["2031-32", 1])).status_code == 404


# --- The priority page's links ----------------------------------------------------------

PAGE_LINKS = [
    url("priority_edit", 1),
    url("expected_result_create", 1),
    url("expected_result_edit", 1, 1),
    url("expected_result_edit", 1, 2),
    url("learning_question_edit", 1, 1),
    url("indicator_create", 1, 1),
    url("indicator_create", 1, 2),
    url("indicator_edit", 1, 1, 1),
    url("indicator_edit", 1, 2, 1),
    url("indicator_edit", 1, 2, 2),
]


def test_editors_see_an_edit_link_for_every_part(client, plan):
    page = signed_in(client, "editor").get(PRIORITY_PAGE).content.decode()
    for link in PAGE_LINKS:
        assert f'href="{link}"' in page
    assert "Edit indicator 1.2.2" in page and "Add an expected result" in page


@pytest.mark.parametrize("username", ["staff", "board"])
def test_staff_and_board_see_no_edit_link(client, plan, username):
    page = signed_in(client, username).get(PRIORITY_PAGE).content.decode()
    assert "/edit/" not in page and "/new/" not in page and "/delete/" not in page
    assert "Add an expected result" not in page


# Session, user, the request's savepoint, the user's groups, then the page's reads (see
# tests/initiatives/test_views.py::EXPECTED_QUERIES["priority"]): the links cost nothing.
PRIORITY_PAGE_QUERIES = 17


def grow(extra=6):
    """More results, indicators and values in priority 1, so that any per-row query shows."""
    prio = priority()
    quarters = list(prio.annual_plan.quarters.order_by("number"))
    for r in range(extra):
        extra_result = ExpectedResultFactory(priority=prio, number=20 + r)
        for i in range(3):
            extra_indicator = IndicatorFactory(expected_result=extra_result, number=i + 1)
            for q in quarters:
                IndicatorValueFactory(indicator=extra_indicator, quarter=q)
    for i in range(extra):
        extra_indicator = IndicatorFactory(expected_result=result(1, 2), number=10 + i)
        for q in quarters:
            IndicatorValueFactory(indicator=extra_indicator, quarter=q)


def test_the_priority_page_with_its_links_runs_a_fixed_number_of_queries(client, plan, django_assert_num_queries):
    client = signed_in(client, "editor")
    with django_assert_num_queries(PRIORITY_PAGE_QUERIES):
        small = client.get(PRIORITY_PAGE)
    grow()
    with django_assert_num_queries(PRIORITY_PAGE_QUERIES):
        large = client.get(PRIORITY_PAGE)
    assert small.content.decode().count("Edit indicator ") == 3
    assert large.content.decode().count("Edit indicator ") == 3 + 6 * 3 + 6


# Session, user, the request's savepoint, the user's groups, the part with its priority
# and plan (one join), the savepoint's release. A deletion's confirmation counts what goes
# with the part: one aggregate for an indicator, two for a result (its indicators and
# values; the initiatives that serve it).
FORM_PAGE_QUERIES = {
    "priority_edit": 6,
    "expected_result_create": 6,
    "expected_result_edit": 6,
    "expected_result_delete": 8,
    "learning_question_edit": 6,
    "indicator_create": 6,
    "indicator_edit": 6,
    "indicator_delete": 7,
}


@pytest.mark.parametrize("page", EDIT_PAGES)
def test_the_editing_pages_run_a_fixed_number_of_queries(client, plan, django_assert_num_queries, page):
    client = signed_in(client, "editor")
    with django_assert_num_queries(FORM_PAGE_QUERIES[page]):
        assert client.get(EDIT_PAGES[page]()).status_code == 200
    grow()
    with django_assert_num_queries(FORM_PAGE_QUERIES[page]):
        assert client.get(EDIT_PAGES[page]()).status_code == 200


# --- A priority ----------------------------------------------------------------------------


def test_the_editor_edits_a_priority(client, plan):
    client = signed_in(client, "editor")
    before = priority()
    assert before.title_fr.startswith("Générer des connaissances et des analyses en temps opportun")
    data = form_as_shown(
        client,
        url("priority_edit", 1),
        title_fr="Produire des connaissances et des analyses en temps utile",
        short_title_fr="Connaissances en temps utile",
    )
    response = client.post(url("priority_edit", 1), data)
    assert response.status_code == 302
    assert response["Location"] == PRIORITY_PAGE

    after = priority()
    assert after.title_fr == "Produire des connaissances et des analyses en temps utile"
    assert after.short_title_fr == "Connaissances en temps utile"
    assert after.statement_fr == before.statement_fr
    record = after.history.first()
    assert (record.history_type, record.history_user) == ("~", user("editor"))

    page = client.get(PRIORITY_PAGE).content.decode()
    assert "Strategic priority 1 saved." in page
    assert "1. Generate timely knowledge" in page  # the English, which the editor left as it was
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert "1. Produire des connaissances et des analyses en temps utile" in client.get(PRIORITY_PAGE).content.decode()


def test_an_empty_title_saves_nothing_and_keeps_what_was_typed(client, plan):
    client = signed_in(client, "editor")
    before, history_before = snapshot(), history_count()
    data = form_as_shown(client, url("priority_edit", 1), title_fr="", statement_fr="Un énoncé tout neuf.")
    response = client.post(url("priority_edit", 1), data)
    assert response.status_code == 400
    title = field_block(response, "title_fr")
    assert "This field is required." in title
    assert 'aria-invalid="true"' in title and 'aria-describedby="id_title_fr_error"' in title
    assert "Un énoncé tout neuf." in field_block(response, "statement_fr")
    assert "Nothing was saved" in response.content.decode()
    assert snapshot() == before
    assert history_count() == history_before


def test_quarter_locks_do_not_apply_to_the_structure(client, plan):
    """Plan structure is not quarterly data: with every quarter locked, it is still edited."""
    client = signed_in(client, "editor")
    for quarter in priority().annual_plan.quarters.all():
        QuarterLock.objects.create(quarter=quarter, locked_by=user("editor"))
    response = client.post(
        url("priority_edit", 1), form_as_shown(client, url("priority_edit", 1), short_title_fr="Savoir")
    )
    assert response.status_code == 302
    assert priority().short_title_fr == "Savoir"


# --- Expected results and the learning question --------------------------------------------


def test_the_editor_adds_an_expected_result_with_the_next_number(client, plan):
    client = signed_in(client, "editor")
    assert list(priority().expected_results.values_list("number", flat=True)) == [1, 2]
    response = client.post(
        url("expected_result_create", 1), {"text_fr": "Nos analyses sont traduites en trois langues."}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{PRIORITY_PAGE}#result-3"
    added = result(1, 3)
    assert added.text_fr == "Nos analyses sont traduites en trois langues."
    assert (added.history.first().history_type, added.history.first().history_user) == ("+", user("editor"))

    # The next free number is the one after the highest, whatever gaps deletions left.
    ExpectedResult.objects.filter(pk=result(1, 2).pk).delete()
    client.post(url("expected_result_create", 1), {"text_fr": "Encore un."})
    assert list(priority().expected_results.values_list("number", flat=True)) == [1, 3, 4]
    assert "Expected result 1.4 added." in client.get(PRIORITY_PAGE).content.decode()


def test_an_empty_expected_result_is_not_added(client, plan):
    client = signed_in(client, "editor")
    before = snapshot()
    response = client.post(url("expected_result_create", 1), {"text_fr": "   "})
    assert response.status_code == 400
    assert "This field is required." in field_block(response, "text_fr")
    assert snapshot() == before


def test_the_editor_edits_an_expected_result(client, plan):
    client = signed_in(client, "editor")
    target = result(1, 2)
    assert target.text_fr.startswith("Nos connaissances et nos analyses sont utilisées")
    data = form_as_shown(
        client, url("expected_result_edit", 1, 2), text_fr="Nos analyses sont citées par les décideurs."
    )
    response = client.post(url("expected_result_edit", 1, 2), data)
    assert response.status_code == 302
    assert response["Location"] == f"{PRIORITY_PAGE}#result-2"
    target.refresh_from_db()
    assert target.text_fr == "Nos analyses sont citées par les décideurs."
    assert target.history.first().history_user == user("editor")
    assert result(1, 1).text_fr.startswith("Nos connaissances et nos analyses sont de plus en")


def test_an_expected_result_with_markup_is_refused(client, plan):
    client = signed_in(client, "editor")
    before = snapshot()
    data = form_as_shown(client, url("expected_result_edit", 1, 2), text_fr="<script>alert(1)</script>")
    response = client.post(url("expected_result_edit", 1, 2), data)
    assert response.status_code == 400
    assert "Write plain text" in field_block(response, "text_fr")
    assert snapshot() == before


def test_the_editor_edits_the_learning_question(client, plan):
    client = signed_in(client, "editor")
    data = form_as_shown(client, url("learning_question_edit", 1, 1), text_fr="Nos analyses arrivent-elles à temps ?")
    response = client.post(url("learning_question_edit", 1, 1), data)
    assert response.status_code == 302
    assert response["Location"] == f"{PRIORITY_PAGE}#question-1"
    assert question().text_fr == "Nos analyses arrivent-elles à temps ?"
    assert question().history.first().history_user == user("editor")
    # Its reflections stay with it.
    assert question().reflections.count() == 3


def test_an_empty_learning_question_saves_nothing(client, plan):
    client = signed_in(client, "editor")
    before = snapshot()
    response = client.post(
        url("learning_question_edit", 1, 1), form_as_shown(client, url("learning_question_edit", 1, 1), text_fr="")
    )
    assert response.status_code == 400
    assert "This field is required." in field_block(response, "text_fr")
    assert snapshot() == before


def test_deleting_an_expected_result_asks_first_and_says_what_goes_with_it(client, plan):
    client = signed_in(client, "editor")
    target = result(1, 2)
    indicator_pks = list(target.indicators.values_list("pk", flat=True))
    assert len(indicator_pks) == 2 and IndicatorValue.objects.filter(indicator__in=indicator_pks).count() == 6
    page = client.get(url("expected_result_delete", 1, 2))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Its 2 indicators will be deleted with it." in text
    assert "6 recorded values of its indicators will be deleted too." in text
    assert "3 initiatives serve it; they will no longer." in text
    assert result(1, 2) == target  # Asking deleted nothing.

    # A POST that did not come from the confirmation deletes nothing.
    assert client.post(url("expected_result_delete", 1, 2)).status_code == 400
    assert ExpectedResult.objects.filter(pk=target.pk).exists()

    response = client.post(url("expected_result_delete", 1, 2), {"indicators": "2", "values": "6"})
    assert response.status_code == 302
    assert not ExpectedResult.objects.filter(pk=target.pk).exists()
    assert not Indicator.objects.filter(pk__in=indicator_pks).exists()
    assert not IndicatorValue.objects.filter(indicator__in=indicator_pks).exists()
    assert result(1, 1).indicators.count() == 1
    gone = ExpectedResult.history.get(id=target.pk, history_type="-")
    assert gone.history_user == user("editor")
    assert Indicator.history.filter(id__in=indicator_pks, history_type="-", history_user=user("editor")).count() == 2
    assert "Expected result 1.2 deleted." in client.get(PRIORITY_PAGE).content.decode()


# --- Indicators ------------------------------------------------------------------------------


def test_the_editor_adds_an_indicator_with_the_next_number(client, plan):
    client = signed_in(client, "editor")
    response = client.post(
        url("indicator_create", 1, 2),
        {
            "name_fr": "Rapports téléchargés",
            "unit_fr": "téléchargements",
            "baseline": "1000",
            "target": "2500.5",
            "direction": "increase",
            "description_fr": "Compteur du site.",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{PRIORITY_PAGE}#result-2"
    added = indicator(1, 2, 3)
    assert (added.name_fr, added.unit_fr, added.baseline, added.target, added.direction, added.description_fr) == (
        "Rapports téléchargés",
        "téléchargements",
        decimal.Decimal("1000.00"),
        decimal.Decimal("2500.50"),
        "increase",
        "Compteur du site.",
    )
    assert added.history.first().history_user == user("editor")
    page = client.get(PRIORITY_PAGE).content.decode()
    # No English name given: the English reader reads the French, marked as French.
    assert "Indicator 1.2.3 added." in page and '1.2.3 <span lang="fr">Rapports téléchargés</span>' in page


def test_a_new_indicator_whose_target_is_its_baseline_is_not_added(client, plan):
    client = signed_in(client, "editor")
    before = snapshot()
    response = client.post(
        url("indicator_create", 1, 2),
        {"name_fr": "Rapports", "unit_fr": "", "baseline": "10", "target": "10.00", "direction": "increase"},
    )
    assert response.status_code == 400
    assert "The target must differ from the baseline." in field_block(response, "target")
    assert snapshot() == before


def test_the_editor_edits_an_indicator(client, plan):
    client = signed_in(client, "editor")
    before = indicator(1, 1, 1)
    assert (before.target, before.direction) == (decimal.Decimal("30.00"), "increase")
    data = form_as_shown(client, url("indicator_edit", 1, 1, 1), target="36", unit_fr="initiatives de plaidoyer")
    response = client.post(url("indicator_edit", 1, 1, 1), data)
    assert response.status_code == 302
    assert response["Location"] == f"{PRIORITY_PAGE}#indicator-1-1"

    after = indicator(1, 1, 1)
    assert (after.target, after.unit_fr) == (decimal.Decimal("36.00"), "initiatives de plaidoyer")
    assert (after.name_fr, after.baseline) == (before.name_fr, before.baseline)
    assert after.values.count() == 3  # Its values stay.
    # The fixture wrote no history: the edit is the indicator's first record.
    (record,) = after.history.all()
    assert (record.history_type, record.history_user, record.target) == ("~", user("editor"), 36)
    page = client.get(PRIORITY_PAGE).content.decode()
    assert "Indicator 1.1.1 saved." in page
    assert "<td>36</td>" in page  # 36.00 reads as 36


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"target": "12"}, "target", "The target must differ from the baseline."),
        ({"baseline": "douze"}, "baseline", "Enter a number."),
        ({"name_fr": ""}, "name_fr", "This field is required."),
        ({"direction": "sideways"}, "direction", "Select a valid choice."),
    ],
    ids=["target-is-baseline", "baseline-not-a-number", "no-name", "bad-direction"],
)
def test_one_bad_indicator_field_saves_nothing(client, plan, changes, field, message):
    client = signed_in(client, "editor")
    before, history_before = snapshot(), history_count()
    data = form_as_shown(client, url("indicator_edit", 1, 1, 1), **({"name_fr": "Un autre nom"} | changes))
    response = client.post(url("indicator_edit", 1, 1, 1), data)
    assert response.status_code == 400
    block = field_block(response, field)
    assert message in block
    assert re.search(rf'aria-invalid="true" aria-describedby="[^"]*\bid_{field}_error"', block)
    if field != "name_fr":
        # What was typed stays in the form.
        assert 'value="Un autre nom"' in field_block(response, "name_fr")
    assert snapshot() == before
    assert history_count() == history_before


def test_an_indicator_saved_without_a_target_is_flagged_until_one_is_given(client, plan):
    """An empty target is allowed (a plan rolled over starts so): the form says what it
    means, the priority page flags it, and a target given later clears the flag; a target
    equal to the baseline is still refused."""
    client = signed_in(client, "editor")
    edit_url = url("indicator_edit", 1, 1, 1)
    assert "flagged “target to set”" in field_block(client.get(edit_url), "target")
    assert indicator(1, 1, 1).baseline == 12

    response = client.post(edit_url, form_as_shown(client, edit_url, target=""))
    assert response.status_code == 302
    saved = indicator(1, 1, 1)
    assert (saved.target, saved.target_to_set) == (None, True)
    assert saved.history.first().target is None
    row = re.search(r'<tr id="indicator-1-1">.*?</tr>', client.get(PRIORITY_PAGE).content.decode(), re.DOTALL)
    assert '<span class="to-set">Target to set</span>' in row.group(0)

    before = snapshot()
    response = client.post(edit_url, form_as_shown(client, edit_url, target="12"))
    assert response.status_code == 400
    assert "The target must differ from the baseline." in field_block(response, "target")
    assert snapshot() == before

    assert client.post(edit_url, form_as_shown(client, edit_url, target="40")).status_code == 302
    assert indicator(1, 1, 1).target == 40
    row = re.search(r'<tr id="indicator-1-1">.*?</tr>', client.get(PRIORITY_PAGE).content.decode(), re.DOTALL)
    assert "Target to set" not in row.group(0) and "<td>40</td>" in row.group(0)


def test_a_new_indicator_may_wait_for_its_target(client, plan):
    client = signed_in(client, "editor")
    response = client.post(
        url("indicator_create", 1, 2),
        {"name_fr": "Rapports", "unit_fr": "", "baseline": "10", "target": "", "direction": "increase"},
    )
    assert response.status_code == 302
    assert indicator(1, 2, 3).target is None


def test_the_indicator_form_reads_numbers_in_french(client, plan):
    client = signed_in(client, "editor")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    page = client.get(url("indicator_edit", 1, 1, 1))
    assert 'value="30,00"' in field_block(page, "target")
    data = form_as_shown(client, url("indicator_edit", 1, 1, 1), target="32,5")
    assert client.post(url("indicator_edit", 1, 1, 1), data).status_code == 302
    assert indicator(1, 1, 1).target == decimal.Decimal("32.50")


def test_deleting_an_indicator_with_values_asks_first_and_says_how_many(client, plan):
    client = signed_in(client, "editor")
    target = indicator(1, 2, 2)
    value_pks = list(target.values.values_list("pk", flat=True))
    assert len(value_pks) == 3
    QuarterLock.objects.create(quarter=target.values.get(quarter__number=1).quarter, locked_by=user("editor"))
    page = client.get(url("indicator_delete", 1, 2, 2))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Its 3 recorded values will be deleted with it." in text
    assert "1 of those values is in a locked quarter" in text
    assert Indicator.objects.filter(pk=target.pk).exists()

    # Without the confirmation's count: asked again.
    response = client.post(url("indicator_delete", 1, 2, 2))
    assert response.status_code == 400
    assert "Nothing was deleted: confirm below." in response.content.decode()
    assert target.values.count() == 3

    response = client.post(url("indicator_delete", 1, 2, 2), {"values": "3"})
    assert response.status_code == 302
    assert not Indicator.objects.filter(pk=target.pk).exists()
    assert not IndicatorValue.objects.filter(pk__in=value_pks).exists()
    assert indicator(1, 2, 1).values.count() == 3  # Its neighbour keeps its own.
    assert Indicator.history.get(id=target.pk, history_type="-").history_user == user("editor")
    assert IndicatorValue.history.filter(id__in=value_pks, history_type="-").count() == 3
    assert "Indicator 1.2.2 deleted." in client.get(PRIORITY_PAGE).content.decode()


def test_an_indicator_without_values_is_deleted_after_a_plain_confirmation(client, plan):
    client = signed_in(client, "editor")
    target = IndicatorFactory(expected_result=result(1, 1), number=2)
    assert "It has no recorded value." in client.get(url("indicator_delete", 1, 1, 2)).content.decode()
    assert client.post(url("indicator_delete", 1, 1, 2), {"values": "0"}).status_code == 302
    assert not Indicator.objects.filter(pk=target.pk).exists()


def test_a_value_recorded_after_the_confirmation_was_shown_stops_the_deletion(client, plan):
    client = signed_in(client, "editor")
    target = IndicatorFactory(expected_result=result(1, 1), number=2)
    page = client.get(url("indicator_delete", 1, 1, 2))
    assert page.context["dependents"]["values"] == 0
    quarter = target.expected_result.priority.annual_plan.quarters.get(number=3)
    IndicatorValueFactory(indicator=target, quarter=quarter, value=4)  # Someone records a value.

    response = client.post(url("indicator_delete", 1, 1, 2), {"values": "0"})
    assert response.status_code == 409
    text = response.content.decode()
    assert "Nothing was deleted: what goes with it changed" in text
    assert "Its 1 recorded value will be deleted with it." in text
    assert 'name="values" value="1"' in text
    assert Indicator.objects.filter(pk=target.pk).exists() and target.values.count() == 1

    assert client.post(url("indicator_delete", 1, 1, 2), {"values": "1"}).status_code == 302
    assert not Indicator.objects.filter(pk=target.pk).exists()


def test_a_part_deleted_meanwhile_is_refused_with_a_reason(plan):
    editor = user("editor")
    target = indicator(1, 2, 2)
    seen = editing.edit_fingerprint(target)
    Indicator.objects.filter(pk=target.pk).delete()  # By someone else, since the page was opened.
    with (
        translation.override("en"),
        pytest.raises(ValidationError, match="Someone else deleted this indicator meanwhile."),
    ):
        initiative_services.indicator_update(user=editor, indicator=target, fingerprint=seen, target=50)
    with translation.override("en"), pytest.raises(ValidationError, match="Someone else deleted"):
        initiative_services.indicator_delete(user=editor, indicator=target, values_seen=0)


# --- No lost update ------------------------------------------------------------------------


def test_a_save_over_someone_elses_change_is_refused_and_names_what_they_changed(client, plan):
    client = signed_in(client, "editor")
    page_url = url("indicator_edit", 1, 1, 1)
    mine = form_as_shown(client, page_url, target="40")

    # Meanwhile another editor (the admin) renames it and changes its unit.
    other = signed_in(Client(), "admin")
    theirs = form_as_shown(other, page_url, name_fr="Campagnes appuyées sur nos analyses", unit_fr="campagnes")
    assert other.post(page_url, theirs).status_code == 302

    response = client.post(page_url, mine)
    assert response.status_code == 409
    text = response.content.decode()
    assert "Someone else saved a change here while you were editing." in text
    assert "What they changed: Name (français), Unit (français)." in text
    assert "Campagnes appuyées sur nos analyses" in text
    stored = indicator(1, 1, 1)
    assert (stored.name_fr, stored.unit_fr, stored.target) == ("Campagnes appuyées sur nos analyses", "campagnes", 30)
    assert stored.history.first().history_user == user("admin")

    # The form holds what the editor typed and their name and unit; saving it keeps both.
    form = response.context["form"]
    assert (form["target"].value(), form["name_fr"].value(), form["unit_fr"].value()) == (
        "40",
        "Campagnes appuyées sur nos analyses",
        "campagnes",
    )
    again = {name: form[name].value() for name in form.fields}
    assert again["fingerprint"] == editing.edit_fingerprint(stored)
    assert client.post(page_url, again).status_code == 302
    saved = indicator(1, 1, 1)
    assert (saved.name_fr, saved.unit_fr, saved.target) == ("Campagnes appuyées sur nos analyses", "campagnes", 40)


def test_a_stale_priority_form_is_refused_too(client, plan):
    client = signed_in(client, "editor")
    title = priority().title_fr
    mine = form_as_shown(client, url("priority_edit", 1), title_fr="Mon titre")
    services.priority_update(
        user=user("admin"),
        priority=priority(),
        fingerprint=editing.edit_fingerprint(priority()),
        statement_fr="Leur énoncé.",
    )
    response = client.post(url("priority_edit", 1), mine)
    assert response.status_code == 409
    assert "What they changed: Statement (français)." in response.content.decode()
    assert (priority().title_fr, priority().statement_fr) == (title, "Leur énoncé.")


def test_a_form_without_its_fingerprint_is_refused(client, plan):
    client = signed_in(client, "editor")
    before = snapshot()
    data = form_as_shown(client, url("expected_result_edit", 1, 1), text_fr="Sans empreinte.", fingerprint="")
    assert client.post(url("expected_result_edit", 1, 1), data).status_code == 409
    assert snapshot() == before


def test_a_change_to_another_part_does_not_stop_a_save(client, plan):
    client = signed_in(client, "editor")
    mine = form_as_shown(client, url("indicator_edit", 1, 2, 1), target="250")
    other = indicator(1, 2, 2)
    initiative_services.indicator_update(
        user=user("admin"), indicator=other, fingerprint=editing.edit_fingerprint(other), target=50
    )
    assert client.post(url("indicator_edit", 1, 2, 1), mine).status_code == 302
    assert indicator(1, 2, 1).target == 250


def test_saving_an_unchanged_form_records_no_history(client, plan):
    client = signed_in(client, "editor")
    history_before = history_count()
    assert (
        client.post(url("indicator_edit", 1, 1, 1), form_as_shown(client, url("indicator_edit", 1, 1, 1))).status_code
        == 302
    )
    assert history_count() == history_before


# --- CSRF ------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", EDIT_PAGES)
def test_a_post_without_csrf_token_is_refused(plan, page):
    client = signed_in(Client(enforce_csrf_checks=True), "editor")
    before = snapshot()
    assert client.post(EDIT_PAGES[page](), valid_post(page)).status_code == 403
    assert snapshot() == before
