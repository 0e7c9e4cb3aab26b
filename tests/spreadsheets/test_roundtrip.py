"""Export then import changes nothing; an edited export changes exactly what was edited."""

import csv
import datetime
import io
import json

import openpyxl
import pytest
from django.apps import apps
from django.core import serializers

from civicplan.spreadsheet_files import SafeCSV, SafeXLSX
from civicplan.spreadsheets import import_spreadsheet, neutralise
from initiatives.models import Indicator, IndicatorValue, Initiative, OrganisationalUpdate, Status, StatusUpdate
from initiatives.resources import (
    IndicatorResource,
    IndicatorValueResource,
    InitiativeResource,
    OrganisationalUpdateResource,
    StatusUpdateResource,
)
from priorities.models import Event, ExpectedResult
from priorities.resources import EventResource, ExpectedResultResource
from tests.factories import InitiativeFactory, PriorityFactory, StatusUpdateFactory
from tests.helpers import table_rows
from tests.spreadsheets import files

pytestmark = pytest.mark.django_db

PLAN = "2022-23"

RESOURCES = {
    "initiatives": (InitiativeResource, Initiative),
    "results": (ExpectedResultResource, ExpectedResult),
    "events": (EventResource, Event),
    "indicators": (IndicatorResource, Indicator),
    "values": (IndicatorValueResource, IndicatorValue),
    "updates": (StatusUpdateResource, StatusUpdate),
    "organisational": (OrganisationalUpdateResource, OrganisationalUpdate),
}

COLUMNS = {
    "initiatives": [
        "plan",
        "priority",
        "number",
        "title_fr",
        "title_en",
        "description_fr",
        "description_en",
        "expected_results",
    ],
    "results": ["plan", "priority", "number", "text_fr", "text_en"],
    "events": [
        "plan",
        "slug",
        "quarter",
        "title_fr",
        "title_en",
        "kind",
        "start_date",
        "end_date",
        "priority",
        "initiative",
        "description_fr",
        "description_en",
    ],
    "indicators": [
        "plan",
        "priority",
        "result",
        "number",
        "name_fr",
        "name_en",
        "unit_fr",
        "unit_en",
        "baseline",
        "target",
        "direction",
        "description_fr",
        "description_en",
    ],
    "values": ["plan", "priority", "result", "indicator", "indicator_name", "quarter", "value", "note"],
    "updates": [
        "plan",
        "priority",
        "initiative",
        "initiative_title",
        "quarter",
        "status",
        "narrative",
        "risks",
        "next_steps",
    ],
    "organisational": ["plan", "area", "title", "quarter", "status", "narrative", "risks", "next_steps"],
}


def export_bytes(resource_class, fmt) -> bytes:
    dataset = resource_class().export()
    return (SafeCSV() if fmt == "csv" else SafeXLSX()).export_data(dataset)


def natural_dump(model):
    text = serializers.serialize(
        "json", model.objects.all(), use_natural_foreign_keys=True, use_natural_primary_keys=True
    )
    return sorted(json.dumps(obj, sort_keys=True) for obj in json.loads(text))


def natural_objects(model) -> dict:
    """Every object of ``model`` as natural-key JSON, by its natural key: {key: fields}."""
    objects = {}
    for obj in model.objects.all():
        text = serializers.serialize("json", [obj], use_natural_foreign_keys=True, use_natural_primary_keys=True)
        objects[obj.natural_key()] = json.loads(text)[0]["fields"]
    return objects


def db_state():
    models = [m for label in ("priorities", "initiatives") for m in apps.get_app_config(label).get_models()]
    return {m._meta.label: (m.objects.count(), natural_dump(m)) for m in models}


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def xlsx_rows(data: bytes) -> list[tuple]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return list(book.worksheets[0].iter_rows(values_only=True))


def roundtrip_params():
    for fmt in ("csv", "xlsx"):
        for kind in RESOURCES:
            yield pytest.param(kind, fmt, id=f"{kind}-{fmt}")


@pytest.mark.parametrize(("kind", "fmt"), list(roundtrip_params()))
def test_export_then_import_changes_nothing(demo_progress, kind, fmt):
    resource_class, model = RESOURCES[kind]
    rows = model.objects.count()
    assert rows > 0
    data = export_bytes(resource_class, fmt)
    before = natural_dump(model)
    everything = db_state()
    for dry_run in (True, False):
        report = import_spreadsheet(resource_class(), data, fmt, dry_run=dry_run)
        assert report.ok, report.errors[:5]
        assert (report.new, report.updated, report.unchanged) == (0, 0, rows)
        assert natural_dump(model) == before
    assert db_state() == everything


@pytest.mark.parametrize("kind", list(RESOURCES))
def test_exported_headers_are_the_documented_columns(demo_progress, kind):
    resource_class, _model = RESOURCES[kind]
    csv_data = export_bytes(resource_class, "csv")
    assert csv_rows(csv_data)[0] == COLUMNS[kind]
    assert list(xlsx_rows(export_bytes(resource_class, "xlsx"))[0]) == COLUMNS[kind]


def test_an_export_holds_every_object_once(demo_progress):
    rows = csv_rows(export_bytes(StatusUpdateResource, "csv"))[1:]
    keys = [(r[0], r[1], r[2], r[4]) for r in rows]
    assert len(keys) == len(set(keys)) == StatusUpdate.objects.count() == 39
    assert ("2022-23", "1", "1", "1") in keys


# --- an edited export ------------------------------------------------------------------


def edit_status_update_xlsx(data: bytes, priority: int, initiative: int, quarter: int, **changes) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    columns = {name: index for index, name in enumerate(header)}
    found = 0
    for row in sheet.iter_rows(min_row=2):
        values = [c.value for c in row]
        if (values[columns["priority"]], values[columns["initiative"]], values[columns["quarter"]]) == (
            priority,
            initiative,
            quarter,
        ):
            for name, value in changes.items():
                row[columns[name]].value = value
            found += 1
    assert found == 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def edit_status_update_csv(data: bytes, priority: int, initiative: int, quarter: int, **changes) -> bytes:
    rows = csv_rows(data)
    header = rows[0]
    found = 0
    for row in rows[1:]:
        record = dict(zip(header, row, strict=True))
        if (record["priority"], record["initiative"], record["quarter"]) == tuple(
            str(n) for n in (priority, initiative, quarter)
        ):
            for name, value in changes.items():
                row[header.index(name)] = value
            found += 1
    assert found == 1
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def assert_exactly_one_update_changed(before: dict, key, status, narrative):
    after = natural_objects(StatusUpdate)
    assert after.keys() == before.keys()
    for other in before:
        if other != key:
            assert after[other] == before[other], other
    changed = {name for name in before[key] if before[key][name] != after[key][name]}
    # The update was approved: the change is a revision, submitted for an editor, and the
    # approved text is kept for the reports until it is approved (the site's rule).
    revision = {"review_state", "submitted_at", "approved_status", "approved_narrative", "approved_at"}
    assert changed <= {
        "status",
        "narrative",
        "version",
        "updated_at",
        *revision,
        "approved_next_steps",
        "approved_risks",
    }
    assert {"status", "narrative", "version", *revision} <= changed
    assert after[key]["status"] == status
    assert after[key]["narrative"] == narrative
    assert after[key]["version"] == before[key]["version"] + 1
    assert after[key]["review_state"] == "submitted"
    assert (after[key]["approved_status"], after[key]["approved_narrative"]) == (
        before[key]["status"],
        before[key]["narrative"],
    )


def check_one_edited_update(data: bytes, fmt: str):
    key = (PLAN, 1, 2, 2)
    original = StatusUpdate.objects.get_by_natural_key(*key)
    assert original.status != Status.OFF_TRACK
    total = StatusUpdate.objects.count()
    before = natural_objects(StatusUpdate)
    everything = db_state()
    assert not StatusUpdate.history.exists()  # loading fixtures leaves no history

    report = import_spreadsheet(StatusUpdateResource(), data, fmt, dry_run=True)
    assert report.ok, report.errors[:5]
    assert (report.new, report.updated, report.unchanged) == (0, 1, total - 1)
    assert db_state() == everything

    report = import_spreadsheet(StatusUpdateResource(), data, fmt, dry_run=False)
    assert report.ok, report.errors[:5]
    assert (report.new, report.updated, report.unchanged) == (0, 1, total - 1)
    assert_exactly_one_update_changed(before, key, "off_track", NEW_NARRATIVE)
    # The change is in the update's history, and nothing else changed anywhere.
    (record,) = StatusUpdate.history.all()
    assert (record.id, record.history_type) == (original.pk, "~")
    assert (record.status, record.narrative, record.version) == ("off_track", NEW_NARRATIVE, original.version + 1)
    assert record.review_state == "submitted" and record.approved_narrative == original.narrative
    for label, state in db_state().items():
        if label not in ("initiatives.StatusUpdate", "initiatives.HistoricalStatusUpdate"):
            assert state == everything[label], label


NEW_NARRATIVE = "Le rapport thématique est reporté : « retard » confirmé par l'équipe."


def test_an_edited_xlsx_export_changes_exactly_the_edited_update(demo_progress):
    data = export_bytes(StatusUpdateResource, "xlsx")
    data = edit_status_update_xlsx(data, 1, 2, 2, status="off_track", narrative=NEW_NARRATIVE)
    check_one_edited_update(data, "xlsx")


def test_an_edited_xlsx_export_without_empty_texts_changes_exactly_the_edited_update(demo_progress):
    """The same as above once no text of any status update is empty: the edit path of XLSX
    works whether or not the file has empty cells."""
    for name in ("narrative", "risks", "next_steps"):
        StatusUpdate.objects.filter(**{name: ""}).update(**{name: "Rien à signaler."})
    data = export_bytes(StatusUpdateResource, "xlsx")
    data = edit_status_update_xlsx(data, 1, 2, 2, status="off_track", narrative=NEW_NARRATIVE)
    check_one_edited_update(data, "xlsx")


def test_an_edited_csv_export_changes_exactly_the_edited_update(demo_progress):
    data = export_bytes(StatusUpdateResource, "csv")
    data = edit_status_update_csv(data, 1, 2, 2, status="off_track", narrative=NEW_NARRATIVE)
    check_one_edited_update(data, "csv")


def test_a_new_event_with_an_empty_slug_gets_one(demo_progress):
    data = export_bytes(EventResource, "csv")
    rows = csv_rows(data)
    header = rows[0]
    new = {
        "plan": PLAN,
        "slug": "",
        "quarter": "2",
        "title_fr": "Atelier régional des membres à Dakar",
        "title_en": "Regional members' workshop in Dakar",
        "kind": "network",
        "start_date": "2022-11-15",
        "end_date": "2022-11-16",
        "priority": "3",
        "initiative": "1",
        "description_fr": "Deux jours d'échanges.",
        "description_en": "Two days of exchanges.",
    }
    rows.append([new[h] for h in header])
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    data = out.getvalue().encode("utf-8")
    total = Event.objects.count()
    before = natural_objects(Event)
    everything = db_state()

    report = import_spreadsheet(EventResource(), data, "csv", dry_run=True)
    assert report.ok, report.errors
    assert (report.new, report.updated, report.unchanged) == (1, 0, total)
    assert db_state() == everything

    report = import_spreadsheet(EventResource(), data, "csv", dry_run=False)
    assert report.ok, report.errors
    assert (report.new, report.updated, report.unchanged) == (1, 0, total)
    after = natural_objects(Event)
    assert {k: v for k, v in after.items() if k in before} == before
    (added,) = after.keys() - before.keys()
    assert added == (PLAN, "q2-atelier-regional-des-membres-a-dakar")  # from the French title
    event = Event.objects.get_by_natural_key(*added)
    assert (event.title_fr, event.title_en) == ("Atelier régional des membres à Dakar", new["title_en"])
    assert (event.description_fr, event.description_en) == (new["description_fr"], new["description_en"])
    assert event.quarter.number == 2
    assert (event.start_date, event.end_date) == (datetime.date(2022, 11, 15), datetime.date(2022, 11, 16))
    assert event.kind == "network"
    assert event.priority.number == 3
    assert event.initiative.code == "3.1"

    # The same title again, in a new file: a new event with its own slug.
    report = import_spreadsheet(EventResource(), data, "csv", dry_run=False)
    assert report.ok, report.errors
    assert (report.new, report.updated, report.unchanged) == (1, 0, total)
    assert Event.objects.filter(slug="q2-atelier-regional-des-membres-a-dakar-2").exists()


# --- texts a spreadsheet program may change -------------------------------------------


@pytest.fixture
def small_plan(db):
    """A plan with one status update whose texts are all filled, made through factories."""
    initiative = InitiativeFactory(priority=PriorityFactory(number=1), number=1, title="Plaidoyer régional")
    return StatusUpdateFactory(
        initiative=initiative, narrative="Avancement.", risks="Aucun risque.", next_steps="Continuer."
    )


def test_an_xlsx_row_with_an_empty_optional_text_imports(small_plan):
    StatusUpdate.objects.filter(pk=small_plan.pk).update(risks="")
    data = export_bytes(StatusUpdateResource, "xlsx")
    report = import_spreadsheet(StatusUpdateResource(), data, "xlsx", dry_run=False)
    assert report.ok, report.errors
    assert report.unchanged == 1


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_windows_line_breaks_survive_the_round_trip(small_plan, fmt):
    StatusUpdate.objects.filter(pk=small_plan.pk).update(narrative="Premier point.\r\nSecond point.")
    before = natural_dump(StatusUpdate)
    data = export_bytes(StatusUpdateResource, fmt)
    report = import_spreadsheet(StatusUpdateResource(), data, fmt, dry_run=False)
    assert report.ok, report.errors
    assert (report.new, report.updated, report.unchanged) == (0, 0, 1)
    assert natural_dump(StatusUpdate) == before


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_unix_line_breaks_survive_the_round_trip(small_plan, fmt):
    StatusUpdate.objects.filter(pk=small_plan.pk).update(narrative="Premier point.\nSecond point.")
    before = natural_dump(StatusUpdate)
    data = export_bytes(StatusUpdateResource, fmt)
    report = import_spreadsheet(StatusUpdateResource(), data, fmt, dry_run=False)
    assert report.ok, report.errors
    assert (report.new, report.updated, report.unchanged) == (0, 0, 1)
    assert natural_dump(StatusUpdate) == before


# --- an indicator whose target is not set yet -------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_empty_target_cell_imports_as_no_target(demo_progress, fmt):
    """A plan rolled over leaves targets to set: an empty target cell imports as no target
    (an update and a new row alike), and such an export goes back in unchanged."""
    headers, (update, new, *unchanged) = files.good_rows("indicators")
    rows = [update | {"target": ""}, new | {"target": ""}, *unchanged]
    data = files.csv_bytes(headers, rows) if fmt == "csv" else files.xlsx_bytes(headers, rows)
    report = import_spreadsheet(IndicatorResource(), data, fmt, dry_run=False)
    assert report.ok, report.errors
    assert (report.new, report.updated, report.unchanged) == (1, 1, 3)
    updated = Indicator.objects.get_by_natural_key(PLAN, 1, 1, 1)
    added = Indicator.objects.get_by_natural_key(PLAN, 1, 1, 2)
    assert (updated.target, added.target) == (None, None)
    assert updated.name_fr == "Initiatives de l'alliance nourries par nos analyses"
    assert Indicator.objects.get_by_natural_key(PLAN, 1, 2, 1).target == 200  # not in the file's changes

    before = natural_dump(Indicator)
    again = export_bytes(IndicatorResource, fmt)
    report = import_spreadsheet(IndicatorResource(), again, fmt, dry_run=False)
    assert report.ok, report.errors
    assert (report.new, report.updated) == (0, 0)
    assert natural_dump(Indicator) == before


# --- the plan's text in each language -------------------------------------------------

# Each language's column of an initiative's text.
TEXT_COLUMNS = ("title_fr", "title_en", "description_fr", "description_en")
# Initiatives given English of their own (line breaks, quotes, a formula-like start), and
# one left without English.
ENGLISH = {
    (1, 1): ("CIVICUS Lens: the English edition", "Analysis of world events.\nFrom civil society's point of view."),
    (2, 1): ("Advocacy at the UN, in «Geneva» & New York", "=Regional hubs + members' voices"),
}
NO_ENGLISH = (3, 1)
MISSING = [pytest.param(None, id="english-null"), pytest.param("", id="english-empty")]


def initiative(key) -> Initiative:
    return Initiative.objects.get_by_natural_key(PLAN, *key)


def set_english(key, title, description):
    Initiative.objects.filter(pk=initiative(key).pk).update(title_en=title, description_en=description)


def english_and_none(missing):
    """The initiatives of ENGLISH get their English, NO_ENGLISH has none (``missing``)."""
    for key, (title, description) in ENGLISH.items():
        set_english(key, title, description)
    set_english(NO_ENGLISH, missing, missing)


def texts() -> dict:
    """Every initiative's text in every language, by (priority, number)."""
    return {
        (row[0], row[1]): row[2:] for row in Initiative.objects.values_list("priority__number", "number", *TEXT_COLUMNS)
    }


def exported_initiatives() -> tuple[list[str], list[dict]]:
    """The columns and rows (dicts of text) of a CSV export of the initiatives."""
    header, *rows = csv_rows(export_bytes(InitiativeResource, "csv"))
    return header, [dict(zip(header, row, strict=True)) for row in rows]


def row_of(rows, key) -> dict:
    (row,) = [r for r in rows if (r["priority"], r["number"]) == tuple(str(n) for n in key)]
    return row


@pytest.mark.parametrize("missing", MISSING)
def test_an_xlsx_export_in_both_languages_imports_back_unchanged(demo_progress, missing):
    """Initiatives with their title and description in French and English, and one without
    English, go out to an XLSX file and back in: nothing changes, in any language's column."""
    english_and_none(missing)
    data = export_bytes(InitiativeResource, "xlsx")
    header, *cells = xlsx_rows(data)
    rows = {(row[1], row[2]): dict(zip(header, row, strict=True)) for row in cells}
    for key, (title, description) in ENGLISH.items():
        shown = [rows[key][column] for column in TEXT_COLUMNS]
        assert shown == [initiative(key).title_fr, title, initiative(key).description_fr, neutralise(description)]
    assert rows[NO_ENGLISH]["title_fr"] == initiative(NO_ENGLISH).title_fr
    assert (rows[NO_ENGLISH]["title_en"], rows[NO_ENGLISH]["description_en"]) == (None, None)  # empty cells
    total = Initiative.objects.count()
    before, everything = texts(), table_rows("priorities", "initiatives")

    for dry_run in (True, False):
        report = import_spreadsheet(InitiativeResource(), data, "xlsx", dry_run=dry_run)
        assert report.ok, report.errors[:5]
        assert (report.new, report.updated, report.unchanged) == (0, 0, total)
        assert texts() == before
        assert table_rows("priorities", "initiatives") == everything


@pytest.mark.parametrize("missing", MISSING)
def test_a_file_without_the_english_columns_leaves_the_english_as_it_was(demo_progress, missing):
    """A file in French only (title_fr and description_fr, no title_en nor description_en)
    changes the French it changes and leaves every English text as it was, a missing one
    missing."""
    english_and_none(missing)
    header, rows = exported_initiatives()
    french = [h for h in header if not h.endswith("_en")]
    assert "title_en" not in french and "title_fr" in french
    row_of(rows, (1, 1))["title_fr"] = "CIVICUS Lens (édition révisée)"
    row_of(rows, NO_ENGLISH)["title_fr"] = "Une initiative renommée"
    before, everything = texts(), table_rows("priorities", "initiatives")

    report = import_spreadsheet(InitiativeResource(), files.csv_bytes(french, rows), "csv", dry_run=False)
    assert report.ok, report.errors[:5]
    assert (report.new, report.updated, report.unchanged) == (0, 2, len(rows) - 2)
    after = texts()
    assert after[(1, 1)] == ("CIVICUS Lens (édition révisée)", *before[(1, 1)][1:])
    assert after[NO_ENGLISH] == ("Une initiative renommée", *before[NO_ENGLISH][1:])
    assert (after[NO_ENGLISH][1], after[NO_ENGLISH][3]) == (missing, missing)
    assert {k: v for k, v in after.items() if k not in ((1, 1), NO_ENGLISH)} == {
        k: v for k, v in before.items() if k not in ((1, 1), NO_ENGLISH)
    }
    for label, state in table_rows("priorities", "initiatives").items():
        if label not in ("initiatives.Initiative", "initiatives.HistoricalInitiative"):
            assert state == everything[label], label


@pytest.mark.parametrize(
    ("key", "missing"),
    [
        pytest.param((1, 1), None, id="replaces-the-english"),
        pytest.param(NO_ENGLISH, None, id="adds-the-english"),
        pytest.param(NO_ENGLISH, "", id="adds-the-english-to-an-empty-one"),
    ],
)
def test_an_english_title_sets_title_en_and_leaves_title_fr(demo_progress, key, missing):
    """An import that writes an initiative's English title writes title_en, and nothing else:
    its French, its description in each language and every other row are as they were."""
    english_and_none(missing)
    header, rows = exported_initiatives()
    row_of(rows, key)["title_en"] = "Civic space briefs, in English"
    before, everything = texts(), table_rows("priorities", "initiatives")
    assert not Initiative.history.exists()  # loading fixtures leaves no history

    report = import_spreadsheet(InitiativeResource(), files.csv_bytes(header, rows), "csv", dry_run=False)
    assert report.ok, report.errors[:5]
    assert (report.new, report.updated, report.unchanged) == (0, 1, len(rows) - 1)
    after = texts()
    title_fr, _title_en, description_fr, description_en = before[key]
    assert after[key] == (title_fr, "Civic space briefs, in English", description_fr, description_en)
    assert {k: v for k, v in after.items() if k != key} == {k: v for k, v in before.items() if k != key}
    (record,) = Initiative.history.all()
    assert (record.id, record.history_type) == (initiative(key).pk, "~")
    assert (record.title_fr, record.title_en) == (title_fr, "Civic space briefs, in English")
    for label, state in table_rows("priorities", "initiatives").items():
        if label not in ("initiatives.Initiative", "initiatives.HistoricalInitiative"):
            assert state == everything[label], label


BAD_ENGLISH_TITLES = [
    pytest.param("T" * 301, "Ensure this value has at most 300 characters (it has 301).", id="too-long"),
    pytest.param(
        "<script>alert(1)</script>",
        "Write plain text: the text contains an HTML tag («<script…»), and tags are not allowed. "
        "A “<” followed by a space or a number is fine.",
        id="markup",
    ),
    pytest.param(
        "Civic space\u202e",
        "The text contains invisible direction-control characters (U+202E), which can make it read "
        "differently from what is stored; remove them.",
        id="direction-control",
    ),
]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(("title", "message"), BAD_ENGLISH_TITLES)
def test_one_bad_english_title_imports_no_row(demo_progress, fmt, title, message):
    """An English title that breaks a title's rules (its length, plain text), among good rows:
    no row is written, and the message names the file's line and the title_en column."""
    files.fill_optional_texts()
    data = files.bad_file("initiatives", {"title_en": title}, fmt=fmt)
    everything = table_rows("priorities", "initiatives")
    for dry_run in (True, False):
        report = import_spreadsheet(InitiativeResource(), data, fmt, dry_run=dry_run)
        assert not report.ok
        assert report.summary().startswith("Nothing was imported")
        assert report.errors == [f"Line {files.BAD_LINE}: title_en: {message}"]
        assert table_rows("priorities", "initiatives") == everything


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_old_file_with_a_title_column_is_refused(demo_progress, fmt):
    """A file made before the plan's text had a column per language (title, description) is
    refused as a whole: title_fr is missing, title and description are unknown."""
    _header, rows = exported_initiatives()
    old = ["plan", "priority", "number", "title", "description", "expected_results"]
    rows = [row | {"title": row["title_fr"], "description": row["description_fr"]} for row in rows]
    data = files.csv_bytes(old, rows) if fmt == "csv" else files.xlsx_bytes(old, rows)
    everything = table_rows("priorities", "initiatives")
    for dry_run in (True, False):
        report = import_spreadsheet(InitiativeResource(), data, fmt, dry_run=dry_run)
        assert not report.ok
        assert report.summary().startswith("Nothing was imported")
        assert report.errors == [
            "The columns do not fit: missing columns: title_fr; unknown columns: title, description (known: "
            "description_en, description_fr, expected_results, number, plan, priority, title_en, title_fr)."
        ]
        assert table_rows("priorities", "initiatives") == everything
