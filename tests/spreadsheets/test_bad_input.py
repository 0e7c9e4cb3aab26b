"""Spreadsheets that must be refused: every one says why, in words and with the file's
line for a bad row, and writes nothing, not even the good rows around the bad one.

Most cases are a file of good rows (one that updates an existing object, one that
creates a new one, some unchanged ones) with one bad row among them; the control test
``test_the_good_rows_alone_import`` proves those good rows would be written on their own.
"""

import io
import zipfile

import openpyxl
import pytest

from civicplan.spreadsheet_files import SafeXLSX
from civicplan.spreadsheets import import_spreadsheet
from initiatives.models import Initiative, StatusUpdate
from initiatives.resources import (
    InitiativeResource,
    StatusUpdateResource,
)
from priorities.models import Event, Quarter, QuarterLock
from tests.helpers import table_rows
from tests.spreadsheets.files import (
    BAD_LINE,
    MODELS,
    PDF,
    PDF_HEADER,
    PLAN,
    PNG,
    RESOURCES,
    bad_file,
    csv_bytes,
    exported,
    fill_optional_texts,
    find,
    good_rows,
    template,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db

# --- what must not change --------------------------------------------------------------


def db_state():
    """Every row of the plan's apps (their history included), in primary-key order."""
    return table_rows("priorities", "initiatives")


def assert_refused(kind, data, fmt, *fragments, line=None):
    """The file is refused, dry run and real, the errors say ``fragments`` (on ``line`` if
    given, and on no other line), and nothing at all was written."""
    before = db_state()
    for dry_run in (True, False):
        report = import_spreadsheet(RESOURCES[kind](), data, fmt, dry_run=dry_run)
        assert report.ok is False, report
        text = "\n".join(report.errors)
        if line is None:
            for fragment in fragments:
                assert fragment in text, (fragment, report.errors)
        else:
            prefix = f"Line {line}: "
            assert all(e.startswith(prefix) for e in report.errors), report.errors
            for fragment in fragments:
                assert fragment in text, (fragment, report.errors)
        assert report.summary().startswith("Nothing was imported")
        assert db_state() == before
    return report


def lock_q1():
    QuarterLock.objects.create(quarter=Quarter.objects.get_by_natural_key(PLAN, 1), reason="Rapport envoyé.")
    assert Quarter.objects.get_by_natural_key(PLAN, 1).locked


def blank_message(model, field):
    return str(model._meta.get_field(field).error_messages["blank"])


# --- the control: the good rows alone are imported -------------------------------------


@pytest.mark.parametrize("kind", list(RESOURCES))
def test_the_good_rows_alone_import(demo_progress, kind):
    """Without the bad row, the same file imports: one new, one updated, three unchanged.
    So when a bad row is added and nothing is written, the good rows were rolled back."""
    headers, rows = good_rows(kind)
    data = csv_bytes(headers, rows)
    before = MODELS[kind].objects.count()
    report = import_spreadsheet(RESOURCES[kind](), data, "csv", dry_run=True)
    assert report.ok, report.errors
    assert (report.new, report.updated, report.unchanged) == (1, 1, 3)
    assert MODELS[kind].objects.count() == before
    report = import_spreadsheet(RESOURCES[kind](), data, "csv", dry_run=False)
    assert report.ok, report.errors
    assert (report.new, report.updated, report.unchanged) == (1, 1, 3)
    assert MODELS[kind].objects.count() == before + 1


# --- one bad row among good ones -------------------------------------------------------

ROW_CASES = [
    pytest.param(
        "initiatives", {"priority": "9"}, ["There is no priority 9 in plan «2022-23»"], id="initiative-priority-9"
    ),
    pytest.param("results", {"priority": "9"}, ["There is no priority 9 in plan «2022-23»"], id="result-priority-9"),
    pytest.param("events", {"priority": "9"}, ["There is no priority 9 in plan «2022-23»"], id="event-priority-9"),
    pytest.param("updates", {"priority": "9"}, ["There is no priority 9 in plan «2022-23»"], id="update-priority-9"),
    pytest.param(
        "updates", {"priority": "1", "initiative": "9"}, ["Priority 1 has no initiative 9"], id="update-initiative-1.9"
    ),
    pytest.param(
        "updates",
        {"priority": "4", "initiative": "3"},
        ["Priority 4 has no initiative 3"],
        id="update-initiative-of-another-priority",
    ),
    pytest.param("updates", {"quarter": "5"}, ["Quarter 5 does not exist"], id="update-quarter-5"),
    pytest.param("values", {"quarter": "5"}, ["Quarter 5 does not exist"], id="value-quarter-5"),
    pytest.param("updates", {"quarter": "abc"}, ["Quarter «abc» is not a quarter"], id="update-quarter-abc"),
    pytest.param(
        "events",
        {"quarter": "1", "start_date": "2022-11-15", "end_date": ""},
        ["start_date: 2022-11-15 is outside Q1 (2022-07-01 to 2022-09-30)"],
        id="event-date-outside-quarter",
    ),
    pytest.param(
        "events",
        {"quarter": "1", "start_date": "2022-08-10", "end_date": "2022-08-01"},
        ["end_date: The event ends before it starts"],
        id="event-ends-before-start",
    ),
    pytest.param(
        "events",
        {"quarter": "3", "start_date": "2023-02-30", "end_date": ""},
        ["«2023-02-30» is not a date", "YYYY-MM-DD"],
        id="event-date-2023-02-30",
    ),
    pytest.param("events", {"start_date": "demain"}, ["«demain» is not a date"], id="event-date-demain"),
    pytest.param(
        "updates", {"status": "en retard"}, ["Status «en retard» is unknown", "on_track"], id="update-status-unknown"
    ),
    pytest.param("events", {"kind": "soirée"}, ["Kind «soirée» is unknown", "campaign"], id="event-kind-unknown"),
    pytest.param("events", {"plan": "2021-22"}, ["There is no annual plan «2021-22»"], id="event-plan-unknown"),
    pytest.param("updates", {"plan": "2021-22"}, ["plan «2021-22»"], id="update-plan-unknown"),
    # The text rules of the quarterly form hold in an import too (the models' own rules).
    pytest.param(
        "updates",
        {"status": "at_risk", "risks": ""},
        ["risks: Say what puts the initiative at risk or off track."],
        id="update-at-risk-without-risks",
    ),
    pytest.param("updates", {"narrative": "<b>Gras</b>"}, ["narrative: ", "<b"], id="update-markup"),
    pytest.param("updates", {"risks": "Pas\u202eici"}, ["risks: "], id="update-bidi-override"),
    pytest.param("updates", {"next_steps": "Tab\x0bvertical"}, ["next_steps: ", "U+000B"], id="update-control"),
    pytest.param("updates", {"narrative": "x" * 20_001}, ["narrative: ", "10000"], id="update-too-long"),
    pytest.param("values", {"value": "beaucoup"}, ["«beaucoup» is not a number"], id="value-not-a-number"),
    pytest.param(
        "indicators", {"target": "beaucoup"}, ["«beaucoup» is not a number"], id="indicator-target-not-a-number"
    ),
    pytest.param(
        "indicators",
        {"baseline": "30", "target": "30,00"},
        ["target: The target must differ from the baseline"],
        id="indicator-target-equals-baseline",
    ),
    pytest.param("initiatives", {"title_fr": "T" * 301}, ["title_fr: ", "300"], id="initiative-title-too-long"),
    pytest.param("initiatives", {"number": "deux"}, ["«deux» is not a whole number"], id="initiative-number-deux"),
    pytest.param("indicators", {"number": "2.5"}, ["«2.5» is not a whole number"], id="indicator-number-2.5"),
]


@pytest.mark.parametrize(("kind", "overrides", "fragments"), ROW_CASES)
def test_one_bad_row_refuses_the_whole_file(demo_progress, kind, overrides, fragments):
    assert_refused(kind, bad_file(kind, overrides), "csv", *fragments, line=BAD_LINE)


@pytest.mark.parametrize("cell", ["abc", "Quarter 1"])
def test_a_bad_quarter_is_quoted_as_written(demo_progress, cell):
    assert_refused("updates", bad_file("updates", {"quarter": cell}), "csv", f"«{cell}»", line=BAD_LINE)


@pytest.mark.parametrize(
    ("kind", "field", "model"),
    [
        pytest.param("initiatives", "title_fr", Initiative, id="initiative"),
        pytest.param("events", "title_fr", Event, id="event"),
    ],
)
def test_empty_title(demo_progress, kind, field, model):
    assert_refused(kind, bad_file(kind, {field: ""}), "csv", f"{field}: {blank_message(model, field)}", line=BAD_LINE)


@pytest.mark.parametrize(
    ("kind", "overrides", "fragment"),
    [
        pytest.param("updates", {"status": "en retard"}, "Status «en retard» is unknown", id="update-status"),
        pytest.param("values", {"quarter": 5}, "Quarter 5 does not exist", id="value-quarter-5"),
        pytest.param("events", {"start_date": "2023-02-30"}, "«2023-02-30» is not a date", id="event-date"),
    ],
)
def test_one_bad_row_in_an_xlsx_file(demo_progress, kind, overrides, fragment):
    fill_optional_texts()
    assert_refused(kind, bad_file(kind, overrides, fmt="xlsx"), "xlsx", fragment, line=BAD_LINE)


def test_the_same_status_update_twice_names_both_lines(demo_progress):
    headers, rows = good_rows("updates")
    again = dict(rows[0]) | {"narrative": "Une autre version du même rapport."}
    rows = rows[:3] + [again] + rows[3:]  # line 5 repeats line 2
    report = assert_refused(
        "updates", csv_bytes(headers, rows), "csv", "This row repeats line 2", "plan, priority, initiative, quarter"
    )
    assert report.errors == [e for e in report.errors if e.startswith("Line 5: ")]


def test_the_same_initiative_twice(demo_progress):
    headers, rows = good_rows("initiatives")
    rows = rows + [dict(rows[1]) | {"title_fr": "La même, autrement"}]  # line 7 repeats line 3 (the new one)
    report = assert_refused("initiatives", csv_bytes(headers, rows), "csv", "This row repeats line 3")
    assert all(e.startswith("Line 7: ") for e in report.errors), report.errors


def test_the_same_status_update_twice_with_the_quarter_written_differently(demo_progress):
    headers, rows = good_rows("updates")
    again = dict(rows[0]) | {"quarter": "Q1", "narrative": "Une autre version du même rapport."}
    rows = rows[:3] + [again] + rows[3:]
    assert_refused("updates", csv_bytes(headers, rows), "csv", "This row repeats line 2", line=5)


# --- a locked quarter ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "moved", "overrides"),
    [
        pytest.param(
            "updates",
            ({"priority": 1, "initiative": 1, "quarter": 2}, {"status": "at_risk", "risks": "Retard."}),
            {"quarter": "1", "status": "off_track", "risks": "Retard."},
            id="status-update",
        ),
        pytest.param(
            "values",
            ({"priority": 1, "result": 1, "indicator": 1, "quarter": 2}, {"value": "17"}),
            {"quarter": "1", "value": "99"},
            id="indicator-value",
        ),
    ],
)
def test_a_change_in_a_locked_quarter_is_refused(demo_progress, kind, moved, overrides):
    lock_q1()
    headers, rows = good_rows(kind)
    # The good rows: the updated one is in Q2 (Q1 is locked), the new one in Q4, and the
    # unchanged ones include Q1 rows (unchanged, so not refused).
    key, change = moved
    rows[0] = find(exported(kind)[1], **key) | change
    bad = template(kind) | overrides
    assert bad["quarter"] == "1"
    data = csv_bytes(headers, rows[:2] + [bad] + rows[2:])
    assert_refused(kind, data, "csv", "Q1 is locked: it takes no change", line=BAD_LINE)


def test_unchanged_rows_of_a_locked_quarter_are_fine(demo_progress):
    """Re-importing an export of a plan whose Q1 is locked changes nothing and is not refused."""
    lock_q1()
    headers, rows = exported("updates")
    report = import_spreadsheet(StatusUpdateResource(), csv_bytes(headers, rows), "csv", dry_run=False)
    assert report.ok, report.errors
    assert report.unchanged == len(rows)


# --- line numbers after blank lines ----------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_bad_row_after_a_blank_line_is_named_by_its_own_line(demo_progress, fmt):
    fill_optional_texts()
    headers, rows = good_rows("updates")
    bad = template("updates") | {"status": "en retard"}
    if fmt == "csv":
        data = csv_bytes(headers, [rows[0], [""] * len(headers), bad, *rows[1:]])
    else:
        data = xlsx_bytes(headers, [rows[0], None, bad, *rows[1:]])
    assert_refused("updates", data, fmt, "Status «en retard» is unknown", line=4)


# --- files that are not what they claim ------------------------------------------------


def test_latin1_csv_is_refused_naming_utf8(demo_progress):
    headers, rows = good_rows("initiatives")
    rows = [rows[0] | {"description_fr": "Révisée à l'été."}, rows[1]]
    data = csv_bytes(headers, rows, encoding="latin-1")
    report = assert_refused("initiatives", data, "csv", "not UTF-8 text", "Latin-1", "CSV UTF-8")
    # The first accent is in the updated row's title: « édition », on line 2.
    assert "byte 0xe9 on line 2" in report.errors[0]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_utf16_csv_is_refused(demo_progress, encoding):
    headers, rows = good_rows("initiatives")
    data = csv_bytes(headers, rows, encoding=encoding)
    fragment = "UTF-16" if encoding == "utf-16" else "not text"
    assert_refused("initiatives", data, "csv", fragment)


def test_csv_with_a_byte_order_mark_is_accepted(demo_progress):
    headers, rows = good_rows("updates")
    data = b"\xef\xbb\xbf" + csv_bytes(headers, rows)
    report = import_spreadsheet(StatusUpdateResource(), data, "csv", dry_run=False)
    assert report.ok, report.errors
    assert (report.new, report.updated, report.unchanged) == (1, 1, 3)
    update = StatusUpdate.objects.get_by_natural_key(PLAN, 1, 1, 1)
    assert (update.status, update.narrative) == ("at_risk", "Retard.")


def test_csv_separated_by_semicolons_is_accepted(demo_progress):
    headers, rows = good_rows("initiatives")
    data = csv_bytes(headers, rows, delimiter=";")
    assert data.startswith(b"plan;priority;number;title_fr;title_en;description_fr;description_en;")
    report = import_spreadsheet(InitiativeResource(), data, "csv", dry_run=False)
    assert report.ok, report.errors
    assert (report.new, report.updated, report.unchanged) == (1, 1, 3)
    assert Initiative.objects.get_by_natural_key(PLAN, 1, 1).title_fr == "CIVICUS Lens (édition révisée)"
    new = Initiative.objects.get_by_natural_key(PLAN, 1, 4)
    assert new.title_fr == "Nouvelle initiative d'analyse"
    assert sorted(new.expected_results.values_list("number", flat=True)) == [1, 2]


@pytest.mark.parametrize(
    ("data", "fmt", "fragment"),
    [
        pytest.param(b"", "csv", "The file is empty", id="empty-csv"),
        pytest.param(b"", "xlsx", "not an XLSX workbook", id="empty-xlsx"),
        pytest.param(b"\r\n\r\n", "csv", "The file is empty", id="blank-lines-csv"),
    ],
)
def test_empty_file(demo_progress, data, fmt, fragment):
    assert_refused("updates", data, fmt, fragment)


def test_empty_workbook(demo_progress):
    out = io.BytesIO()
    openpyxl.Workbook().save(out)
    assert_refused("updates", out.getvalue(), "xlsx", "The file is empty")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_header_only_file(demo_progress, fmt):
    headers, _rows = good_rows("updates")
    data = csv_bytes(headers, []) if fmt == "csv" else xlsx_bytes(headers, [])
    assert_refused("updates", data, fmt, "column names but no rows")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_unknown_column_names_the_unknown_and_the_missing(demo_progress, fmt):
    headers, rows = good_rows("initiatives")
    renamed = ["titre" if h == "title_fr" else h for h in headers]
    rows = [{("titre" if k == "title_fr" else k): v for k, v in row.items()} for row in rows]
    data = csv_bytes(renamed, rows) if fmt == "csv" else xlsx_bytes(renamed, rows)
    assert_refused("initiatives", data, fmt, "missing columns: title_fr;", "unknown columns: titre (known: ")


def test_a_column_named_twice(demo_progress):
    headers, rows = good_rows("initiatives")
    data = csv_bytes([*headers, "title_fr"], [[*(row[h] for h in headers), row["title_fr"]] for row in rows])
    assert_refused("initiatives", data, "csv", "names a column twice: title_fr")


def test_a_header_of_90000_columns_is_refused_in_one_short_message(demo_progress):
    """The checks of the first line are linear (they were quadratic: 90,000 names kept a
    worker busy past its timeout), and the message names ten, then says how many more."""
    headers, rows = good_rows("initiatives")
    extra = [f"col{n}" for n in range(90_000)]
    row = [rows[0][h] for h in headers]
    report = assert_refused("initiatives", csv_bytes([*headers, *extra], [[*row, *[""] * len(extra)]]), "csv")
    (message,) = report.errors
    assert "unknown columns: col0, col1, col2, col3, col4, col5, col6, col7, col8, col9 and 89990 more" in message
    assert len(message) < 1_000

    twice = csv_bytes([*headers, *extra, *extra], [[*row, *[""] * (2 * len(extra))]])
    report = assert_refused("initiatives", twice, "csv", "names a column twice: col0, col1,", "and 89990 more")
    assert len(report.errors[0]) < 1_000


@pytest.mark.parametrize(
    ("data", "fmt", "fragments"),
    [
        pytest.param(PDF, "csv", ["a PDF document", "not CSV text"], id="pdf-as-csv"),
        pytest.param(PDF_HEADER, "csv", ["a PDF document", "not CSV text"], id="pdf-header-as-csv"),
        pytest.param(PNG, "csv", ["a PNG image", "not CSV text"], id="png-as-csv"),
        pytest.param(PDF, "xlsx", ["not an XLSX workbook", "not a zip archive"], id="pdf-as-xlsx"),
        pytest.param(PNG, "xlsx", ["not an XLSX workbook", "not a zip archive"], id="png-as-xlsx"),
    ],
)
def test_binary_that_is_not_a_spreadsheet(demo_progress, data, fmt, fragments):
    assert_refused("updates", data, fmt, *fragments)


def test_xlsx_given_as_csv(demo_progress):
    headers, rows = good_rows("updates")
    assert_refused("updates", xlsx_bytes(headers, rows), "csv", "This is an XLSX", "choose the XLSX format")


def test_csv_given_as_xlsx(demo_progress):
    headers, rows = good_rows("updates")
    assert_refused("updates", csv_bytes(headers, rows), "xlsx", "not an XLSX workbook")


def test_zip_without_a_workbook(demo_progress):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    assert_refused("updates", out.getvalue(), "xlsx", "zip archive but not an XLSX workbook")


def test_truncated_xlsx(demo_progress):
    headers, rows = good_rows("updates")
    data = xlsx_bytes(headers, rows)
    assert_refused("updates", data[: len(data) // 2], "xlsx", "not an XLSX workbook")


def test_xlsx_with_a_damaged_workbook(demo_progress):
    headers, rows = good_rows("updates")
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes(headers, rows)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for member in source.infolist():
            content = source.read(member)
            archive.writestr(member, b"<workbook" if member.filename == "xl/workbook.xml" else content)
    assert_refused("updates", out.getvalue(), "xlsx", "The XLSX file is damaged")


def test_xlsx_with_a_formula_names_the_cell(demo_progress):
    headers, rows = good_rows("updates")
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(headers, rows)))
    assert book.active["D1"].value == "initiative_title"
    book.active["D2"] = "=1+1"
    out = io.BytesIO()
    book.save(out)
    assert_refused("updates", out.getvalue(), "xlsx", "Cell D2 (line 2) holds a formula")


def test_zip_bomb_is_refused(demo_progress, settings):
    settings.SPREADSHEET_MAX_UNPACKED_BYTES = 5 * 1024 * 1024
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\x00" * (20 * 1024 * 1024))
    data = out.getvalue()
    assert len(data) < 100 * 1024
    assert_refused("updates", data, "xlsx", "unpacks to more than 5242880 bytes", "zip bomb")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_over_the_row_limit(demo_progress, settings, fmt):
    settings.SPREADSHEET_MAX_ROWS = 5
    headers, rows = good_rows("updates")
    rows = rows + [find(exported("updates")[1], priority=3, initiative=2, quarter=1)]
    assert len(rows) == 6
    data = csv_bytes(headers, rows) if fmt == "csv" else xlsx_bytes(headers, rows)
    assert_refused("updates", data, fmt, "more than 5 rows")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_at_the_row_limit_is_accepted(demo_progress, settings, fmt):
    settings.SPREADSHEET_MAX_ROWS = 5
    fill_optional_texts()
    headers, rows = good_rows("updates")
    assert len(rows) == 5
    data = csv_bytes(headers, rows) if fmt == "csv" else xlsx_bytes(headers, rows)
    report = import_spreadsheet(StatusUpdateResource(), data, fmt, dry_run=True)
    assert report.ok, report.errors
    assert (report.new, report.updated, report.unchanged) == (1, 1, 3)


def test_over_the_byte_limit(demo_progress, settings):
    settings.SPREADSHEET_MAX_BYTES = 1000
    headers, rows = good_rows("updates")
    data = csv_bytes(headers, rows)
    data = data + b" " * (2000 - len(data)) if len(data) < 2000 else data[:2000]
    assert len(data) == 2000
    assert_refused("updates", data, "csv", "The file is 2000 bytes; the limit is 1000 bytes")


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        pytest.param(["de trop"], "Line 4 has 10 cells where the first line names 9 columns", id="more-cells"),
        pytest.param(None, "Line 4 has 8 cells where the first line names 9 columns", id="fewer-cells"),
    ],
)
def test_ragged_csv_line(demo_progress, extra, fragment):
    headers, rows = good_rows("updates")
    bad = [template("updates")[h] for h in headers]
    bad = bad + extra if extra else bad[:-1]
    assert_refused("updates", csv_bytes(headers, [rows[0], rows[1], bad, *rows[2:]]), "csv", fragment)


def test_unclosed_quote_in_csv(demo_progress):
    headers, rows = good_rows("updates")
    data = csv_bytes(headers, rows) + b'2022-23,3,1,"Titre,2,on_track,x,y,z\r\n'
    assert_refused("updates", data, "csv", "is not valid CSV")


def test_xlsx_values_beyond_the_named_columns(demo_progress):
    headers, rows = good_rows("indicators")
    bad = [*(template("indicators")[h] for h in headers), "de trop"]
    data = xlsx_bytes(headers, [rows[0], rows[1], bad, *rows[2:]])
    assert_refused("indicators", data, "xlsx", "Line 4 has values beyond the 13 named columns")


def test_xlsx_export_format_reads_the_same_as_read_xlsx(demo_progress):
    """The admin's XLSX format reads through read_xlsx, with its refusals."""
    with pytest.raises(ValueError, match="not an XLSX workbook"):
        SafeXLSX().create_dataset(PNG)
