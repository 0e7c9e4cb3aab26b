"""Workbooks a person opens (civicplan/workbooks.py): the quarterly report's workbook and
the admin's XLSX export, read back with openpyxl as a spreadsheet program would show
them, and opened by LibreOffice itself where it is installed."""

import csv
import datetime
import io
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
import tablib
from django.urls import reverse
from django.utils import timezone

from civicplan.admin import SpreadsheetAdmin
from civicplan.spreadsheet_files import SafeCSV
from civicplan.spreadsheets import import_spreadsheet
from civicplan.workbooks import MAX_WIDTH, MIN_WIDTH, PADDING, sheet_name, workbook
from initiatives.models import ReviewState, StatusUpdate
from priorities.models import Event
from priorities.resources import EventResource
from tests.helpers import client_in

pytestmark = pytest.mark.django_db

PLAN = "2022-23"
REPORT_URL = f"/reports/{PLAN}/q2/xlsx/"
REPORT_TITLE = "Annual Plan 2022-2023, Q2"  # the plan's English, for an English reader
REPORT_SHEETS = ["Initiatives", "Organisational priorities", "Status counts", "Indicators", "Events"]
CSV_FORMAT = str([f.__name__ for f in SpreadsheetAdmin.formats].index("SafeCSV"))
XLSX_FORMAT = str([f.__name__ for f in SpreadsheetAdmin.formats].index("SafeXLSX"))
# A narrative far wider than any column may be: it must wrap, and come back whole.
LONG = " ".join(f"Sentence {n} of a long narrative about the quarter's work." for n in range(1, 31))
FORMULA = "=1+1"
# LibreOffice mangles a column wider than this.
LIBREOFFICE_MAX_WIDTH = 255


# --- Reading workbooks back ------------------------------------------------------------


def load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def column(sheet, header: str) -> list:
    """The cells under ``header`` (row 1), from row 2 down."""
    names = [cell.value for cell in sheet[1]]
    index = names.index(header) + 1
    return [row[0] for row in sheet.iter_rows(min_row=2, min_col=index, max_col=index)]


def width(sheet, cell) -> float:
    """The width of ``cell``'s column (a file may give one width to a run of columns)."""
    for dimension in sheet.column_dimensions.values():
        if dimension.min <= cell.column <= dimension.max:
            return dimension.width
    raise AssertionError(f"{sheet.title}: no width for column {cell.column_letter}")


def assert_opens_well(data: bytes, *, title: str, sheets: list[str]) -> openpyxl.Workbook:
    """What every workbook a person downloads has: its title, creator and sheet names, a
    bold frozen header, every column as wide as its content within bounds, and no formula."""
    book = load(data)
    assert book.sheetnames == sheets
    assert book.properties.title == title
    assert book.properties.creator == "civicplan"
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            assert b"openpyxl" not in archive.read(name).lower(), name
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.print_title_rows == "$1:$1", sheet.title
        assert all(cell.font.bold for cell in sheet[1]), sheet.title
        for cell in sheet[1]:
            assert MIN_WIDTH <= width(sheet, cell) <= MAX_WIDTH < LIBREOFFICE_MAX_WIDTH, (sheet.title, cell.value)
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate)
    return book


# --- The files -------------------------------------------------------------------------


@pytest.fixture
def report_xlsx(users) -> bytes:
    """The Q2 report's workbook, with one approved narrative long and one risk formula-like."""
    update = StatusUpdate.objects.filter(
        initiative__priority__annual_plan__slug=PLAN,
        initiative__priority__number=1,
        initiative__number=1,
        quarter__number=2,
        review_state=ReviewState.APPROVED,
    ).get()
    StatusUpdate.objects.filter(pk=update.pk).update(narrative=LONG, risks=FORMULA)
    client = client_in("en")
    client.force_login(users["board"])
    response = client.get(REPORT_URL)
    assert response.status_code == 200
    return response.content


@pytest.fixture
def long_event(demo_progress) -> Event:
    """A dated Q3 event (in the Q2 report, as the next quarter's), with a long description and a
    formula-like title, in each language."""
    event = Event.objects.filter(annual_plan__slug=PLAN, quarter__number=3, start_date__isnull=False).exclude(
        priority=None
    )[0]
    Event.objects.filter(pk=event.pk).update(
        description_fr=LONG, description_en=LONG, title_fr=FORMULA, title_en=FORMULA
    )
    event.refresh_from_db()
    return event


def admin_export(superuser, file_format: str) -> bytes:
    client = client_in("en")
    client.force_login(superuser)
    fields = {f"eventresource_{name}": "on" for name in EventResource().get_export_order()}
    response = client.post(reverse("admin:priorities_event_export"), {"format": file_format, "resource": "0", **fields})
    assert response.status_code == 200
    return response.content


@pytest.fixture
def events_xlsx(long_event, superuser) -> bytes:
    return admin_export(superuser, XLSX_FORMAT)


# --- The quarterly report's workbook ---------------------------------------------------------


def test_the_report_workbook_opens_well(report_xlsx):
    book = assert_opens_well(report_xlsx, title=REPORT_TITLE, sheets=REPORT_SHEETS)
    initiatives = book["Initiatives"]
    # The long narrative is whole, in a column capped at the widest and wrapped.
    progress = column(initiatives, "Progress")
    long_cell = next(cell for cell in progress if cell.value == LONG)
    assert width(initiatives, long_cell) == MAX_WIDTH
    assert long_cell.alignment.wrap_text and long_cell.alignment.vertical == "top"
    # A column of short codes is as wide as its header, and its cells are not wrapped.
    codes = column(initiatives, "Initiative")
    assert width(initiatives, codes[0]) == len("Initiative") + PADDING
    assert not codes[0].alignment.wrap_text
    # Formula-like text stays text, behind its quote.
    assert "'" + FORMULA in [cell.value for cell in column(initiatives, "Risks")]
    # Numbers and dates are cells of their kind.
    counts = column(book["Status counts"], "On track")
    assert counts and all(cell.data_type == "n" and isinstance(cell.value, int) for cell in counts)
    assert any(cell.value > 0 for cell in counts)
    baselines = [cell for cell in column(book["Indicators"], "Baseline") if cell.value is not None]
    assert baselines and all(cell.data_type == "n" for cell in baselines)
    starts = [cell for cell in column(book["Events"], "Start") if cell.value is not None]
    assert starts and all(cell.is_date and cell.number_format == "yyyy-mm-dd" for cell in starts)
    report_starts = Event.objects.filter(annual_plan__slug=PLAN, quarter__number__in=[2, 3]).values_list(
        "start_date", flat=True
    )
    assert sorted(cell.value.date() for cell in starts) == sorted(d for d in report_starts if d)


# --- The admin's export ----------------------------------------------------------------


def test_the_admin_export_opens_well(events_xlsx, long_event):
    book = assert_opens_well(events_xlsx, title="Events", sheets=["Events"])
    sheet = book["Events"]
    events = Event.objects.order_by("pk")
    assert len(column(sheet, "slug")) == events.count()
    row = next(i for i, cell in enumerate(column(sheet, "slug")) if cell.value == long_event.slug)
    # Dates are dates (import-export writes them as text unless told otherwise).
    start = column(sheet, "start_date")[row]
    assert start.is_date and start.value.date() == long_event.start_date
    assert start.number_format == "yyyy-mm-dd"
    dated = [cell for cell in column(sheet, "start_date") if cell.value is not None]
    assert len(dated) == events.exclude(start_date=None).count()
    assert all(cell.is_date for cell in dated)
    # A number is a number.
    priority = column(sheet, "priority")[row]
    assert priority.data_type == "n" and priority.value == long_event.priority.number
    # The long description is whole and wrapped in a capped column; the formula-like title is
    # text: in each language's column.
    for language in ("fr", "en"):
        description = column(sheet, f"description_{language}")[row]
        assert description.value == LONG
        assert description.alignment.wrap_text and width(sheet, description) == MAX_WIDTH
        title = column(sheet, f"title_{language}")[row]
        assert (title.value, title.data_type) == ("'" + FORMULA, "s")


def test_the_admin_export_imports_back_unchanged(events_xlsx):
    """Dates written as date cells read back as the same dates: nothing changes."""
    report = import_spreadsheet(EventResource(), events_xlsx, "xlsx", dry_run=True)
    assert report.ok, report.errors
    assert (report.new, report.updated, report.unchanged) == (0, 0, Event.objects.count())


def test_the_admin_csv_export_keeps_its_text(long_event, superuser):
    """CSV has no cell types: dates stay ISO text, as the resource writes them."""
    data = admin_export(superuser, CSV_FORMAT)
    # The resource's own file, row for row (the admin lists them in its own order).
    assert sorted(data.splitlines()) == sorted(SafeCSV().export_data(EventResource().export()).splitlines())
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    row = next(r for r in rows if r["slug"] == long_event.slug)
    assert row["start_date"] == long_event.start_date.isoformat()
    assert row["title_fr"] == row["title_en"] == "'" + FORMULA


# --- The module on its own -------------------------------------------------------------


def test_the_same_sheets_make_the_same_bytes():
    """A stored report's ETag is its file's SHA-256: nothing in the file may come from the
    clock, or a reader's copy would look changed whenever the file is made again."""
    sheet = tablib.Dataset(["Réseau", 12], headers=["Title", "Count"], title="Initiatives")
    made = workbook([sheet], title="Plan")
    archive = zipfile.ZipFile(io.BytesIO(made))
    assert {entry.date_time for entry in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    core = archive.read("docProps/core.xml").decode()
    assert "created" not in core and "modified" not in core and "<dc:title>Plan</dc:title>" in core
    assert workbook([sheet], title="Plan") == made


def test_sheet_names_are_ones_a_spreadsheet_program_accepts():
    assert sheet_name("Organisational priorities") == "Organisational priorities"
    assert sheet_name("Q2: plan [draft] / a*b? \\ c") == "Q2- plan -draft- - a-b- - c"
    assert len(sheet_name("x" * 40)) == 31
    assert sheet_name("'quoted'") == "quoted"
    assert sheet_name("") == "civicplan"
    assert sheet_name("Events", {"events"}) == "Events (2)"
    assert sheet_name("y" * 40, {"y" * 31}) == "y" * 27 + " (2)"


def test_cells_keep_their_kind_and_text_is_never_a_formula(settings):
    settings.TIME_ZONE = "Africa/Nairobi"
    moment = datetime.datetime(2023, 1, 15, 10, 0, tzinfo=datetime.UTC)
    rows = [[FORMULA, moment, 12.5, "", "two\nlines", "bell\x07"]]
    data = workbook([tablib.Dataset(*rows, headers=["a", "b", "c", "d", "e", "f"], title="T")], title="T")
    sheet = load(data)["T"]
    formula, when, number, empty, lines, bell = sheet[2]
    assert (formula.value, formula.data_type) == (FORMULA, "s")  # unneutralised, and still no formula
    with timezone.override("Africa/Nairobi"):
        assert when.value == datetime.datetime(2023, 1, 15, 13, 0)  # local time: cells have no zone
    assert (number.value, number.data_type) == (12.5, "n")
    assert empty.value is None
    assert lines.value == "two\nlines" and lines.alignment.wrap_text
    assert bell.value == "bell\N{REPLACEMENT CHARACTER}"


# --- Opened by LibreOffice -----------------------------------------------------------------


@pytest.fixture
def soffice() -> str:
    """LibreOffice's program, asked for first: a test without it skips before making files."""
    found = shutil.which("soffice")
    if found:
        return found
    reason = "LibreOffice is not installed (no soffice on PATH): apt-get install -y libreoffice-calc-nogui"
    if os.environ.get("CIVICPLAN_REQUIRE_LIBREOFFICE", "") not in ("", "0", "false", "no"):
        pytest.fail(f"{reason} (CIVICPLAN_REQUIRE_LIBREOFFICE is set: this test may not be skipped)", pytrace=False)
    pytest.skip(reason)


def convert(program: str, files: list[Path], target: str, outdir: Path, profile: Path) -> None:
    result = subprocess.run(  # noqa: S603 - our own program and files
        [
            program,
            f"-env:UserInstallation={profile.as_uri()}",  # its own profile: parallel tests do not share one
            "--headless",
            "--convert-to",
            target,
            "--outdir",
            str(outdir),
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# CSV, UTF-8, first line kept, cells "as shown" (so a cell too narrow would read "###"),
# every sheet to its own file <name>-<sheet>.csv.
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"


def read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def test_libreoffice_shows_both_workbooks_whole(soffice, report_xlsx, events_xlsx, long_event, tmp_path):
    program = soffice
    report, events = tmp_path / "report.xlsx", tmp_path / "events.xlsx"
    report.write_bytes(report_xlsx)
    events.write_bytes(events_xlsx)
    profile = tmp_path / "profile"
    convert(program, [report, events], CSV_FILTER, tmp_path / "csv", profile)
    shown = {path.name: path for path in (tmp_path / "csv").iterdir()}
    assert sorted(shown) == sorted([*(f"report-{name}.csv" for name in REPORT_SHEETS), "events-Events.csv"])
    for name, path in shown.items():
        assert "###" not in path.read_text(encoding="utf-8"), name

    initiatives = read_csv(shown["report-Initiatives.csv"])
    assert LONG in [row["Progress"] for row in initiatives]
    assert "'" + FORMULA in [row["Risks"] for row in initiatives]
    starts = {row["Start"] for row in read_csv(shown["report-Events.csv"])}
    assert long_event.start_date.isoformat() in starts

    row = next(r for r in read_csv(shown["events-Events.csv"]) if r["slug"] == long_event.slug)
    assert row["description_fr"] == row["description_en"] == LONG
    assert row["start_date"] == long_event.start_date.isoformat()
    assert row["title_fr"] == row["title_en"] == "'" + FORMULA  # text, not the 2 a formula would show

    # Saved again by LibreOffice: it kept every column's width and every date as a date.
    convert(program, [report, events], "xlsx", tmp_path / "again", profile)
    for ours, path in ((report_xlsx, report), (events_xlsx, events)):
        written, kept = load(ours), openpyxl.load_workbook(tmp_path / "again" / path.name)
        for sheet in written.worksheets:
            again = kept[sheet.title]
            for cell in sheet[1]:
                assert width(again, again[cell.coordinate]) == pytest.approx(width(sheet, cell), abs=0.5), (
                    path.name,
                    sheet.title,
                    cell.value,
                )
            for row in sheet.iter_rows(min_row=2):
                for cell in row:
                    if cell.is_date:
                        assert again[cell.coordinate].is_date, (path.name, sheet.title, cell.coordinate)
