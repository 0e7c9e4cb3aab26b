"""The interface's French and English catalogues: complete, and used by the pages.

The catalogues (locale/<lang>/LC_MESSAGES/django.po) are read with a small parser of
their own, so that a fuzzy or empty entry, which Django would silently skip, fails here.
The plan's own content is French data: it is never translated, whatever the language.
"""

import re
from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils.html import escape

from priorities.models import StrategicPriority

PLAN = "2022-23"
LANGUAGES = ["fr", "en"]
PLURAL_FORMS = {"fr": "nplurals=2; plural=(n > 1);", "en": "nplurals=2; plural=(n != 1);"}
# A named placeholder with its conversion: %(name)s, %(count)d, %(code)04X...
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")
ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


@dataclass
class Entry:
    line: int
    flags: set = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict = field(default_factory=dict)  # form index -> text; 0 for a singular entry


def unquote(text: str) -> str:
    """The value of one quoted PO string: "a \\"b\\"\\n" -> a "b" and a new line."""
    assert text.startswith('"') and text.endswith('"') and len(text) >= 2, text
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), "\\" + m.group(1)), text[1:-1])


def parse_po(path) -> list[Entry]:
    """The entries of a PO file, the header (msgid "") included, obsolete ones (#~) left out."""
    entries: list[Entry] = []
    entry: Entry | None = None
    target: tuple[str, int] | None = None  # the keyword the next continuation line extends

    def start(line_number: int) -> Entry:
        nonlocal entry
        if entry is None:
            entry = Entry(line=line_number)
            entries.append(entry)
        return entry

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            entry, target = None, None
        elif line.startswith("#,"):
            start(number).flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue  # translator, extracted, reference and obsolete (#~) comments
        elif line.startswith('"'):
            assert target is not None, f"{path}:{number}: a string continues nothing"
            keyword, form = target
            current = start(number)
            if keyword == "msgstr":
                current.msgstr[form] += unquote(line)
            else:
                setattr(current, keyword, getattr(current, keyword) + unquote(line))
        else:
            match = re.fullmatch(r"(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(\".*\")", line)
            assert match, f"{path}:{number}: cannot read {raw!r}"
            keyword, form, text = match.group(1), int(match.group(2) or 0), unquote(match.group(3))
            current = start(number)
            if keyword == "msgid" and current.msgstr:  # a new entry with no blank line before it
                entry = None
                current = start(number)
            if keyword == "msgstr":
                current.msgstr[form] = text
            else:
                setattr(current, keyword, text)
            target = (keyword, form)
    return entries


def catalogue(language: str) -> list[Entry]:
    return parse_po(settings.BASE_DIR / "locale" / language / "LC_MESSAGES" / "django.po")


def header(entries: list[Entry]) -> dict:
    first = entries[0]
    assert first.msgid == "" and first.msgctxt is None, "the catalogue does not start with its header"
    assert "fuzzy" not in first.flags, "the header is fuzzy: Django would ignore the whole catalogue"
    return dict(line.split(": ", 1) for line in first.msgstr[0].splitlines() if ": " in line)


def messages(entries: list[Entry]) -> list[Entry]:
    return [entry for entry in entries if entry.msgid != "" or entry.msgctxt is not None]


def placeholders(text: str) -> set[str]:
    return {match.group(0) for match in PLACEHOLDER.finditer(text)}


# The catalogues


def test_the_parser_reads_multi_line_strings_plurals_and_flags(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: fr\\n"\n\n'
        '#: a.py:1\n#, python-format\nmsgid ""\n"Hello %(name)s,\\n"\n"bye \\"you\\""\n'
        'msgstr "Bonjour %(name)s,\\nau revoir « vous »"\n\n'
        '#, fuzzy\nmsgid "%(n)d day"\nmsgid_plural "%(n)d days"\nmsgstr[0] "%(n)d jour"\nmsgstr[1] ""\n'
        '"%(n)d jours"\n\n#~ msgid "Old"\n#~ msgstr "Vieux"\n',
        encoding="utf-8",
    )
    entries = parse_po(po)
    assert header(entries) == {"Language": "fr"}
    greeting, days = messages(entries)
    assert greeting.msgid == 'Hello %(name)s,\nbye "you"'
    assert greeting.msgstr == {0: "Bonjour %(name)s,\nau revoir « vous »"}
    assert greeting.flags == {"python-format"}
    assert days.msgid_plural == "%(n)d days"
    assert days.msgstr == {0: "%(n)d jour", 1: "%(n)d jours"}
    assert "fuzzy" in days.flags
    assert placeholders("%(code)04X and %(n)d, %(name)s; 100%") == {"%(code)04X", "%(n)d", "%(name)s"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_header_names_its_language_and_plural_forms(language):
    fields = header(catalogue(language))
    assert fields["Language"] == language
    assert fields["Plural-Forms"] == PLURAL_FORMS[language]
    assert fields["Content-Type"] == "text/plain; charset=UTF-8"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(language):
    entries = messages(catalogue(language))
    assert len(entries) > 300
    fuzzy = [entry.msgid for entry in entries if "fuzzy" in entry.flags]
    assert fuzzy == [], f"fuzzy entries, which Django ignores: {fuzzy}"
    untranslated = [
        entry.msgid
        for entry in entries
        if sorted(entry.msgstr) != ([0, 1] if entry.msgid_plural is not None else [0])
        or not all(text.strip() for text in entry.msgstr.values())
    ]
    assert untranslated == [], f"entries with an empty or missing msgstr: {untranslated}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_translation_keeps_the_placeholders_of_its_source(language):
    wrong = []
    for entry in messages(catalogue(language)):
        sources = [entry.msgid] if entry.msgid_plural is None else [entry.msgid, entry.msgid_plural]
        for form, source in enumerate(sources):
            missing = placeholders(source) - placeholders(entry.msgstr.get(form, ""))
            if missing:
                wrong.append((entry.msgid, form, sorted(missing)))
    assert wrong == [], f"translations that lose a placeholder: {wrong}"


def test_the_english_catalogue_repeats_its_source_strings():
    for entry in messages(catalogue("en")):
        expected = {0: entry.msgid} if entry.msgid_plural is None else {0: entry.msgid, 1: entry.msgid_plural}
        assert entry.msgstr == expected, entry.msgid


def test_both_catalogues_hold_the_same_messages():
    def keys(language):
        return {(entry.msgctxt, entry.msgid, entry.msgid_plural) for entry in messages(catalogue(language))}

    assert keys("fr") == keys("en")


def test_french_punctuation_is_spaced_as_french_typography_wants():
    """A no-break space before a colon and inside guillemets, a narrow one before ; ! ?, and
    a no-break space before %: never an ordinary space, which would let a line break there."""
    wrong = re.compile(r" [:;!?»]|« |\d %(?!\()")
    texts = [(entry.line, text) for entry in messages(catalogue("fr")) for text in entry.msgstr.values()]
    found = [f"line {line}: {text!r}" for line, text in texts if wrong.search(text)]
    assert not found, "\n".join(found)
    assert sum("\u00a0:" in text for _, text in texts) > 50  # the rule is applied, not vacuous


def test_the_french_catalogue_translates_the_interface_words():
    french = {entry.msgid: entry.msgstr[0] for entry in messages(catalogue("fr")) if entry.msgid_plural is None}
    assert french["My work"] == "Mon travail"
    assert french["Status"] == "Statut"
    assert french["On track"] == "En bonne voie"
    assert french["Sign in"] == "Se connecter"


# The pages


@pytest.fixture
def staff_client(demo_progress):
    """A browser that asks for no language: the site's default answers."""
    client = Client()
    client.force_login(get_user_model().objects.get(username="staff"))
    return client


@pytest.mark.parametrize(
    ("language", "shown", "not_shown"),
    [("fr", "Mon travail", "My work"), ("en", "My work", "Mon travail")],
)
def test_the_dashboard_speaks_the_language_the_reader_chose(staff_client, language, shown, not_shown):
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = staff_client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    assert shown in page
    assert not_shown not in page


def test_french_is_the_default_language(staff_client, settings):
    # The test settings read English; the product's default is French, unless LANGUAGE_CODE says.
    import os

    from civicplan.settings import base

    assert os.environ.get("LANGUAGE_CODE", "fr") == base.LANGUAGE_CODE
    settings.LANGUAGE_CODE = "fr"
    page = staff_client.get("/").content.decode()
    assert '<html lang="fr">' in page
    assert "Mon travail" in page


@pytest.mark.parametrize(("language", "heading"), [("fr", "Filtrer les initiatives"), ("en", "Filter the initiatives")])
def test_the_plans_own_french_text_is_the_same_in_both_languages(staff_client, language, heading):
    priority = StrategicPriority.objects.get(annual_plan__slug=PLAN, number=1)
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = staff_client.get(f"/plans/{PLAN}/")
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    assert escape(heading) in page  # the interface follows the language...
    assert "CIVICUS Lens" in page  # ...the plan's content does not
    assert escape(priority.title) in page
    assert escape(priority.statement) in page
