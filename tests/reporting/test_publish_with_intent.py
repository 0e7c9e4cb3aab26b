"""Publishing with intent (issue 14, item 5): the board update and the annual report are
published from a confirmation page that says publishing is final, shows what will be
published and asks in which language, preset to the site's language whatever the editor's
browser asks for; the document is frozen in the language chosen."""

import re

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext as _

from reporting import services
from reporting.models import AnnualReview, BoardUpdate
from tests.helpers import client_in, table_rows
from tests.reporting.test_report_documents import BASE, CONFIRMED, read, save_draft

pytestmark = pytest.mark.django_db

MESSAGE = "Chers membres du Conseil,\nle trimestre a été contrasté.\n\nTroisième ligne\nQuatrième ligne\nCinquième"
LESSONS = "Nous avons appris à écouter nos membres.\n\nLe plaidoyer ciblé demande du temps."


@pytest.fixture
def login(demo_progress, django_user_model):
    """A client whose browser asks for ``language``."""

    def client_for(username: str, language: str = "en") -> Client:
        client = client_in(language)
        client.force_login(django_user_model.objects.get(username=username))
        return client

    return client_for


def board_draft(editor: Client) -> str:
    save_draft(editor, 2, MESSAGE)
    return f"{BASE}/q2/board/publish/"


def annual_draft(editor: Client) -> str:
    assert editor.post(f"{BASE}/annual/", {"lessons_fr": LESSONS}).status_code == 302
    return f"{BASE}/annual/publish/"


DRAFTS = {"board-update": board_draft, "annual-report": annual_draft}


def record(kind: str):
    if kind == "board-update":
        return BoardUpdate.objects.select_related("quarter").get(annual_plan__slug="2022-23", quarter__number=2)
    return AnnualReview.objects.get(annual_plan__slug="2022-23")


def language_radios(html: str) -> dict[str, bool]:
    """The language choices of the page: value -> preselected."""
    radios = re.findall(r'<input type="radio" name="language"[^>]*>', html)
    return {re.search(r'value="([^"]*)"', radio).group(1): " checked" in radio for radio in radios}


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


# --- The confirmation page ----------------------------------------------------------------


@pytest.mark.parametrize("kind", DRAFTS)
@pytest.mark.parametrize(("site", "browser"), [("fr", "en"), ("en", "fr")], ids=["fr-site", "en-site"])
def test_the_confirmation_page_says_it_is_final_and_presets_the_sites_language(login, settings, kind, site, browser):
    settings.LANGUAGE_CODE = site
    editor = login("editor", browser)
    url = DRAFTS[kind](editor)
    before = table_rows("reporting")

    response = editor.get(url)

    assert response.status_code == 200
    html = response.content.decode()
    # The page speaks the editor's language; the choice it presets is the site's.
    assert f'<html lang="{browser}"' in html
    assert language_radios(html) == {"fr": site == "fr", "en": site == "en"}
    with translation.override(browser):
        assert _("Publishing is final.") in html
        if kind == "board-update":
            assert _("Publish the board update") in html
            assert (
                _(
                    "Once published, the board update can never change: the board will read exactly this, "
                    "as a page and as a PDF, whatever later happens to the plan."
                )
                in html
            )
            assert f"{record(kind).quarter.code}: " in html  # the quarter and its months
        else:
            assert _("Publish the annual report") in html
            # The plan's title in the editor's language.
            plan_title = {"fr": "Plan annuel 2022-2023", "en": "Annual Plan 2022-2023"}[browser]
            assert f"2022-23: {plan_title}" in html
            assert (
                _(
                    "Once published, the annual report can never change: everyone will read exactly this, "
                    "as a page and as a PDF, whatever later happens to the plan."
                )
                in html
            )
    # What will be published: the first lines of the text, not all of it.
    text = MESSAGE if kind == "board-update" else LESSONS
    lines = [line for line in text.splitlines() if line.strip()]
    assert all(line in html for line in lines[:4])
    assert "Cinquième" not in html
    assert 'name="confirm"' in html
    # Looking is not publishing.
    assert table_rows("reporting") == before
    assert not record(kind).published


def test_the_publish_buttons_lead_to_the_confirmation_page_not_to_a_post(login):
    editor = login("editor")
    board_draft(editor)
    annual_draft(editor)
    for page in (f"{BASE}/q2/board/", f"{BASE}/annual/"):
        url = f"{page}publish/"
        html = editor.get(page).content.decode()
        assert f'<a href="{url}" role="button"' in html
        assert f'action="{url}"' not in html


# --- Publishing in the language chosen ----------------------------------------------------


@pytest.mark.parametrize("kind", DRAFTS)
def test_publishing_in_french_from_an_english_browser_freezes_it_in_french(login, kind):
    editor = login("editor", "en")
    url = DRAFTS[kind](editor)

    response = editor.post(url, {"confirm": "True", "language": "fr"})

    assert response.status_code == 302 and response.url == "/reports/"
    # The message names the language, in the editor's own.
    assert messages_of(response)[-1].startswith("Published in French.")
    published = record(kind)
    assert published.published and published.language == "fr"
    heading = "Update from the Secretary-General to the board" if kind == "board-update" else "Lessons learned"
    with translation.override("fr"):
        french = _(heading)
    assert french != heading
    assert '<html lang="fr">' in published.html
    assert french in published.html and heading not in published.html
    assert read(bytes(published.pdf)).trailer["/Root"]["/Lang"] == "fr"
    # Served as stored: in French to a French reader; the same publication froze the
    # English too, its own document, which an English reader gets.
    page = login("board", "fr").get(url.replace("publish/", ""))
    assert page.content == published.html.encode() and page["Content-Language"] == "fr"
    english = published.translations.get()
    assert english.language == "en" and '<html lang="en">' in english.html and heading in english.html
    page = login("board", "en").get(url.replace("publish/", ""))
    assert page.content == english.html.encode() and page["Content-Language"] == "en"


def test_the_default_choice_publishes_in_the_sites_language(login, settings):
    """What the page presets is what a plain confirmation publishes: the site's language."""
    settings.LANGUAGE_CODE = "fr"
    editor = login("editor", "en")
    url = board_draft(editor)
    radios = language_radios(editor.get(url).content.decode())
    chosen = next(language for language, checked in radios.items() if checked)
    assert editor.post(url, {"confirm": "True", "language": chosen}).status_code == 302
    assert record("board-update").language == "fr"


# --- Refused: nothing written -------------------------------------------------------------


@pytest.mark.parametrize("kind", DRAFTS)
@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({}, "Choose the language to publish in."),
        ({"language": "fr"}, "Publish from the confirmation page"),
        ({"confirm": "True"}, "Choose the language to publish in."),
        ({"confirm": "True", "language": ""}, "Choose the language to publish in."),
        ({"confirm": "True", "language": "de"}, "Choose the language to publish in."),
        ({"confirm": "True", "language": "xx-evil"}, "Choose the language to publish in."),
    ],
    ids=["empty", "no-confirmation", "no-language", "blank-language", "unknown-language", "junk-language"],
)
def test_a_publication_without_confirmation_or_language_is_refused_and_writes_nothing(login, kind, data, error):
    editor = login("editor")
    url = DRAFTS[kind](editor)
    before = table_rows("reporting")

    response = editor.post(url, data)

    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html and "Nothing was published." in html and error in html
    assert table_rows("reporting") == before
    assert not record(kind).published


def test_the_service_refuses_an_unknown_language_and_writes_nothing(login, users):
    editor = login("editor")
    board_draft(editor)
    update = record("board-update")
    before = table_rows("reporting")
    with pytest.raises(ValidationError, match="Choose the language to publish in."):
        services.board_update_publish(user=users["editor"], update=update, plan=update.annual_plan, language="xx")
    assert table_rows("reporting") == before


@pytest.mark.parametrize("kind", DRAFTS)
@pytest.mark.parametrize("username", ["staff", "board"])
def test_only_editors_see_the_confirmation_or_publish(login, kind, username):
    url = DRAFTS[kind](login("editor"))
    before = table_rows("reporting")
    reader = login(username)
    assert reader.get(url).status_code == 403
    assert reader.post(url, {"confirm": "True", "language": "fr"}).status_code == 403
    assert table_rows("reporting") == before


@pytest.mark.parametrize("kind", DRAFTS)
def test_a_published_document_is_not_offered_for_publication_again(login, kind):
    editor = login("editor")
    url = DRAFTS[kind](editor)
    assert editor.post(url, CONFIRMED).status_code == 302
    before = table_rows("reporting")
    for response in (editor.get(url), editor.post(url, {"confirm": "True", "language": "fr"})):
        assert response.status_code == 302 and response.url == "/reports/"
        assert messages_of(response)[-1].endswith("is published: it can no longer change.")
    assert table_rows("reporting") == before
    assert record(kind).language == "en"
