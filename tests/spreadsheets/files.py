"""Real spreadsheet files for the import tests: the seed's rows as the export writes them,
good rows that update and add, one bad row among them, and files that are not what their
name says (a PDF, a PNG)."""

import csv
import io

import openpyxl

from initiatives.models import Indicator, IndicatorValue, Initiative, StatusUpdate
from initiatives.resources import (
    IndicatorResource,
    IndicatorValueResource,
    InitiativeResource,
    StatusUpdateResource,
)
from priorities.models import Event, ExpectedResult
from priorities.resources import EventResource, ExpectedResultResource

PLAN = "2022-23"

RESOURCES = {
    "initiatives": InitiativeResource,
    "results": ExpectedResultResource,
    "events": EventResource,
    "indicators": IndicatorResource,
    "values": IndicatorValueResource,
    "updates": StatusUpdateResource,
}
MODELS = {
    "initiatives": Initiative,
    "results": ExpectedResult,
    "events": Event,
    "indicators": Indicator,
    "values": IndicatorValue,
    "updates": StatusUpdate,
}

# Where the bad row goes in a file built by ``bad_file``: after the updated and the new
# row, so that it is the file's line 4 (line 1 names the columns).
BAD_LINE = 4


# --- building real files -------------------------------------------------------------


def cell_text(value) -> str:
    return "" if value is None else str(value)


def csv_bytes(headers, rows, *, delimiter=",", encoding="utf-8") -> bytes:
    """A CSV file written by the csv module; a row is a dict by column, or a list of cells."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        if isinstance(row, dict):
            writer.writerow([cell_text(row.get(h)) for h in headers])
        else:
            writer.writerow([cell_text(v) for v in row])
    return out.getvalue().encode(encoding)


def xlsx_value(value):
    """A cell as a person would type it: numbers as numbers, text as text, empty as empty."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value


def xlsx_bytes(headers, rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(headers))
    for row in rows:
        if isinstance(row, dict):
            sheet.append([xlsx_value(row.get(h)) for h in headers])
        elif row is None:
            sheet.append([])
        else:
            sheet.append([xlsx_value(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def exported(kind):
    """The columns and the rows (as dicts of text) of an export of ``kind``."""
    dataset = RESOURCES[kind]().export()
    headers = list(dataset.headers)
    return headers, [{h: cell_text(v) for h, v in zip(headers, row, strict=True)} for row in dataset]


def find(rows, **columns):
    for row in rows:
        if all(row[c] == str(v) for c, v in columns.items()):
            return dict(row)
    raise AssertionError(f"no exported row with {columns}")


def good_rows(kind):
    """Columns and good rows for ``kind``: [a row updating an object, a new row, three unchanged rows]."""
    headers, rows = exported(kind)
    if kind == "initiatives":
        update = find(rows, priority=1, number=1) | {"title_fr": "CIVICUS Lens (édition révisée)"}
        new = {
            "plan": PLAN,
            "priority": "1",
            "number": "4",
            "title_fr": "Nouvelle initiative d'analyse",
            "title_en": "New analysis initiative",
            "description_fr": "Créée par un tableur.",
            "description_en": "Made by a spreadsheet.",
            "expected_results": "1, 2",
        }
        unchanged = [find(rows, priority=2, number=n) for n in (1, 2, 3)]
    elif kind == "results":
        update = find(rows, priority=1, number=1) | {"text_fr": "Nos analyses orientent davantage l'alliance."}
        new = {
            "plan": PLAN,
            "priority": "1",
            "number": "3",
            "text_fr": "Un troisième résultat attendu.",
            "text_en": "A third expected result.",
        }
        unchanged = [find(rows, priority=2, number=n) for n in (1, 2)] + [find(rows, priority=3, number=1)]
    elif kind == "events":
        update = find(rows, slug="q1-audit-financier-et-rapports-iita") | {"title_fr": "Audit financier révisé"}
        new = {
            "plan": PLAN,
            "slug": "",
            "quarter": "2",
            "title_fr": "Atelier régional des membres",
            "title_en": "Regional members' workshop",
            "kind": "network",
            "start_date": "2022-11-15",
            "end_date": "2022-11-16",
            "priority": "3",
            "initiative": "",
            "description_fr": "Deux jours à Johannesburg.",
            "description_en": "Two days in Johannesburg.",
        }
        unchanged = [
            find(rows, slug=slug)
            for slug in ("q2-mois-des-membres", "q3-journee-internationale-de-la-femme", "q4-elections-du-conseil")
        ]
    elif kind == "indicators":
        update = find(rows, priority=1, result=1, number=1) | {
            "name_fr": "Initiatives de l'alliance nourries par nos analyses"
        }
        new = {
            "plan": PLAN,
            "priority": "1",
            "result": "1",
            "number": "2",
            "name_fr": "Mobilisations communes",
            "name_en": "Joint mobilisations",
            "unit_fr": "mobilisations",
            "unit_en": "mobilisations",
            "baseline": "0",
            "target": "10",
            "direction": "increase",
            "description_fr": "Comptées par l'équipe de suivi.",
            "description_en": "Counted by the monitoring team.",
        }
        unchanged = [find(rows, priority=2, result=2, number=n) for n in (1, 2)] + [
            find(rows, priority=3, result=1, number=1)
        ]
    elif kind == "values":
        update = find(rows, priority=1, result=1, indicator=1, quarter=1) | {"value": "16"}
        new = find(rows, priority=1, result=1, indicator=1, quarter=3) | {
            "quarter": "4",
            "value": "27",
            "note": "Première mesure de Q4.",
        }
        unchanged = [find(rows, priority=2, result=1, indicator=1, quarter=q) for q in (1, 2, 3)]
    elif kind == "updates":
        update = find(rows, priority=1, initiative=1, quarter=1) | {
            "status": "at_risk",
            "narrative": "Retard.",
            "risks": "Financement en retard.",
        }
        new = find(rows, priority=1, initiative=1, quarter=3) | {
            "quarter": "4",
            "status": "not_started",
            "narrative": "Rien encore.",
            "risks": "Aucun.",
            "next_steps": "Démarrer en avril.",
        }
        unchanged = [find(rows, priority=2, initiative=1, quarter=q) for q in (1, 2, 3)]
    else:  # pragma: no cover
        raise ValueError(kind)
    return headers, [update, new, *unchanged]


# Text fields that may be empty. An empty cell of an XLSX file reads as "no value"; the
# XLSX cases that test something else fill them first, so that they test only what they
# name (test_roundtrip.py checks that empty texts go through an XLSX file).
OPTIONAL_TEXTS = {
    Initiative: ["description_fr"],
    Event: ["description_fr"],
    Indicator: ["unit_fr", "description_fr"],
    IndicatorValue: ["note"],
    StatusUpdate: ["narrative", "risks", "next_steps"],
}


def fill_optional_texts():
    for model, names in OPTIONAL_TEXTS.items():
        for name in names:
            model.objects.filter(**{name: ""}).update(**{name: "Texte."})


def template(kind) -> dict:
    """A valid row of ``kind`` (an existing object, changed), to make a bad row from."""
    headers, rows = exported(kind)
    if kind == "initiatives":
        return find(rows, priority=3, number=1) | {"description_fr": "Changée."}
    if kind == "results":
        return find(rows, priority=3, number=2) | {"text_fr": "Changé."}
    if kind == "events":
        return find(rows, slug="q1-retraite-innovation-for-change") | {"description_fr": "Changée."}
    if kind == "indicators":
        return find(rows, priority=3, result=2, number=1) | {"description_fr": "Changée."}
    if kind == "values":
        return find(rows, priority=3, result=1, indicator=1, quarter=2) | {"value": "99"}
    if kind == "updates":
        return find(rows, priority=3, initiative=1, quarter=2) | {"status": "off_track"}
    raise ValueError(kind)  # pragma: no cover


def bad_file(kind, overrides, *, fmt="csv"):
    """The good rows of ``kind`` with a bad row (``template`` + ``overrides``) at line 4."""
    headers, rows = good_rows(kind)
    bad = template(kind) | overrides
    rows = rows[:2] + [bad] + rows[2:]
    return csv_bytes(headers, rows) if fmt == "csv" else xlsx_bytes(headers, rows)


PDF = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"3 0 obj\n<< /Length 12 /Filter /FlateDecode >>\nstream\nx\x9c\x03\x00\x00\x00\x00\x01\nendstream\nendobj\n%%EOF\n"
)
PDF_HEADER = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
