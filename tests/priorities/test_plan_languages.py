"""The plan's own text in French and English (issue 16): each reader reads the plan in their
language, a missing translation shows the French, marked as such, and an editor writes each
language in its own field, never the French into the English."""

import io

import pypdf
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from initiatives import rollover
from initiatives.models import Initiative
from priorities.models import AnnualPlan, StrategicPriority
from tests.helpers import client_in

FRENCH_TITLE = "Générer des connaissances et des analyses en temps opportun"
ENGLISH_TITLE = "Generate timely knowledge and analyses on civil society actions"

PAGES = {
    "plan": reverse("initiatives:plan", args=["2022-23"]),
    "priority": reverse("initiatives:priority", args=["2022-23", 1]),
    "quarterly report": reverse("reporting:quarterly", args=["2022-23", 2]),
}


def reader(users, language, username="board"):
    client = client_in(language)
    client.force_login(users[username])
    return client


def priority_one() -> StrategicPriority:
    return StrategicPriority.objects.get_by_natural_key("2022-23", 1)


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_fixture_loads_both_languages(seed_plan):
    priority = priority_one()
    assert priority.title_fr.startswith(FRENCH_TITLE)
    assert priority.title_en.startswith(ENGLISH_TITLE)
    # Every title has its English: no part of the plan reads as a fallback.
    assert not StrategicPriority.objects.filter(title_en__in=["", None]).exists()
    assert not Initiative.objects.filter(title_en__in=["", None]).exists()
    lens = Initiative.objects.get_by_natural_key("2022-23", 1, 1)
    assert (lens.title_fr, lens.title_en) == ("CIVICUS Lens", "CIVICUS Lens")
    plan = AnnualPlan.objects.get(slug="2022-23")
    assert (plan.title_fr, plan.title_en) == ("Plan annuel 2022-2023", "Annual Plan 2022-2023")


@pytest.mark.parametrize("name", PAGES)
def test_each_reader_reads_the_plan_in_their_language(users, name):
    english = page(reader(users, "en"), PAGES[name])
    french = page(reader(users, "fr"), PAGES[name])
    assert ENGLISH_TITLE in english and FRENCH_TITLE not in english
    assert FRENCH_TITLE in french and ENGLISH_TITLE not in french
    # The plan and the demo's indicators have all their English: nothing is shown as a fallback.
    assert "fallback-language" not in english


@pytest.mark.parametrize("name", PAGES)
def test_a_missing_english_title_shows_the_french_marked_as_french(users, name):
    StrategicPriority.objects.filter(pk=priority_one().pk).update(title_en="")
    english = page(reader(users, "en"), PAGES[name])
    assert f'<span lang="fr">{FRENCH_TITLE}' in english.replace("&#x27;", "'")
    marker = '<small class="muted fallback-language">(' + _in_french() + ")</small>"
    assert marker in english
    # The French reader reads their own text, unmarked.
    french = page(reader(users, "fr"), PAGES[name])
    assert FRENCH_TITLE in french and "fallback-language" not in french


def _in_french() -> str:
    """The marker, in the text's language (French), naming it in its own words."""
    with translation.override("fr"):
        return translation.gettext("in %(language)s") % {"language": "français"}


def test_an_english_editor_edits_both_languages_side_by_side(users):
    editor = reader(users, "en", "editor")
    url = reverse("priorities:priority_edit", args=["2022-23", 1])
    form = editor.get(url).context["form"]
    assert [name for name in form.fields if name.startswith("title")] == ["title_fr", "title_en"]
    assert (form.fields["title_fr"].label, form.fields["title_en"].label) == ("Title (français)", "Title (English)")
    assert form.fields["title_fr"].required and not form.fields["title_en"].required
    data = {name: form[name].value() or "" for name in form.fields}

    response = editor.post(url, data | {"title_fr": "Générer des savoirs", "title_en": "Generate knowledge"})
    assert response.status_code == 302
    priority = priority_one()
    assert (priority.title_fr, priority.title_en) == ("Générer des savoirs", "Generate knowledge")


def test_an_emptied_english_title_is_not_filled_with_the_french(users):
    editor = reader(users, "en", "editor")
    url = reverse("priorities:priority_edit", args=["2022-23", 1])
    form = editor.get(url).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    assert editor.post(url, data | {"title_en": ""}).status_code == 302
    priority = priority_one()
    assert priority.title_fr.startswith(FRENCH_TITLE)
    assert not priority.title_en  # missing, not a copy of the French
    # The next edit, by the same English editor, shows it missing: saving it again copies nothing.
    form = editor.get(url).context["form"]
    assert form["title_en"].value() in ("", None)
    data = {name: form[name].value() or "" for name in form.fields}
    assert editor.post(url, data | {"statement_fr": "Un nouvel énoncé."}).status_code == 302
    assert not priority_one().title_en


def test_the_english_title_keeps_the_rules_of_a_title(users):
    priority = priority_one()
    priority.title_en = "x" * 301
    with pytest.raises(ValidationError) as error:
        priority.full_clean()
    assert "title_en" in error.value.message_dict
    editor = reader(users, "en", "editor")
    url = reverse("priorities:priority_edit", args=["2022-23", 1])
    form = editor.get(url).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    response = editor.post(url, data | {"title_en": "<b>Generate</b> knowledge"})
    assert response.status_code == 400
    assert priority_one().title_en.startswith(ENGLISH_TITLE)


def test_the_rollover_copies_every_language(users):
    StrategicPriority.objects.filter(pk=priority_one().pk).update(short_title_en="")
    new = rollover.rollover_plan(user=users["editor"], source_slug="2022-23", target_slug="2023-24")
    copy = StrategicPriority.objects.get(annual_plan=new, number=1)
    assert copy.title_fr.startswith(FRENCH_TITLE) and copy.title_en.startswith(ENGLISH_TITLE)
    assert not copy.short_title_en  # a missing translation stays missing
    assert (new.title_fr, new.title_en) == ("Plan annuel 2023-2024", "Annual Plan 2023-2024")
    lens = Initiative.objects.get(priority=copy, number=1)
    assert lens.description_en and lens.description_en != lens.description_fr


def test_the_marker_says_in_french_that_the_text_is_french(users):
    StrategicPriority.objects.filter(pk=priority_one().pk).update(title_en="")
    english = page(reader(users, "en"), PAGES["priority"])
    assert '<small class="muted fallback-language">(en français)</small>' in english


def test_the_about_page_reads_in_the_readers_language(users):
    url = reverse("priorities:about", args=["2022-23"])
    english = page(reader(users, "en"), url)
    french = page(reader(users, "fr"), url)
    assert "Ahead of our annual planning process" in english and "One strategy" in english
    assert "Une stratégie" in french and "One strategy" not in french
    # The context has no English: its French is shown in a paragraph marked French, and said so.
    AnnualPlan.objects.filter(slug="2022-23").update(context_en="")
    english = page(reader(users, "en"), url)
    french_context = AnnualPlan.objects.get(slug="2022-23").context_fr.split("\n")[0]
    assert '<div lang="fr"><p>' + french_context[:40] in english.replace("&#x27;", "'")
    assert "(en français)" in english


def test_the_calendar_page_and_feed_read_in_the_readers_language(users):
    page_url = reverse("priorities:calendar", args=["2022-23"])
    feed_url = reverse("priorities:calendar_ics", args=["2022-23"])
    english, french = reader(users, "en"), reader(users, "fr")
    assert "UN General Assembly" in page(english, page_url)
    assert "Assemblée générale de l&#x27;ONU" in page(french, page_url)
    assert "SUMMARY;LANGUAGE=en:UN General Assembly" in english.get(feed_url).content.decode()
    assert "SUMMARY;LANGUAGE=fr:Assemblée générale de l'ONU" in french.get(feed_url).content.decode()


def test_the_quarterly_pdf_reads_in_the_language_asked(users):
    client = reader(users, "fr")
    texts = {}
    for language in ("fr", "en"):
        response = client.get(reverse("reporting:quarterly-pdf", args=["2022-23", 2]) + f"?lang={language}")
        assert response.status_code == 200
        body = b"".join(response.streaming_content) if response.streaming else response.content
        pdf = pypdf.PdfReader(io.BytesIO(body))
        texts[language] = " ".join(" ".join((p.extract_text() or "").split()) for p in pdf.pages)
    assert "Generate timely knowledge" in texts["en"] and "Générer des connaissances" not in texts["en"]
    assert "Générer des connaissances" in texts["fr"] and "Generate timely knowledge" not in texts["fr"]


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize(
    ("model", "field"),
    [
        (StrategicPriority, "title"),
        (StrategicPriority, "statement"),
        (Initiative, "title"),
        (Initiative, "description"),
    ],
)
def test_the_plan_text_is_plain_text_in_each_language_in_the_model(users, model, field, language):
    """The rule is the model's, so that the site, the admin and an import all keep it."""
    obj = model.objects.order_by("pk").first()
    setattr(obj, f"{field}_{language}", "Un <b>titre</b>")
    with pytest.raises(ValidationError) as error:
        obj.full_clean()
    assert error.value.message_dict[f"{field}_{language}"][0].startswith("Write plain text")
    setattr(obj, f"{field}_{language}", "Un titre\u202e")
    with pytest.raises(ValidationError) as error:
        obj.full_clean()
    assert "direction-control" in error.value.message_dict[f"{field}_{language}"][0]
