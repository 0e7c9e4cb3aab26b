"""Texts that a spreadsheet program would run as formulas are exported inert (with a
leading apostrophe) and imported back as they were; numbers stay numbers."""

import csv
import datetime
import decimal
import io

import hypothesis
import openpyxl
import pytest
from hypothesis import strategies as st

from civicplan.spreadsheet_files import SafeCSV, SafeXLSX
from civicplan.spreadsheets import (
    ESCAPE,
    FORMULA_PREFIXES,
    SEPARATORS,
    import_spreadsheet,
    neutralise,
    unneutralise,
)
from initiatives.models import Indicator, IndicatorValue, Initiative, StatusUpdate
from initiatives.resources import (
    IndicatorResource,
    IndicatorValueResource,
    InitiativeResource,
    StatusUpdateResource,
)
from priorities.models import Event, ExpectedResult
from priorities.resources import EventResource, ExpectedResultResource
from tests.factories import (
    AnnualPlanFactory,
    EventFactory,
    ExpectedResultFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    InitiativeFactory,
    PriorityFactory,
    StatusUpdateFactory,
    quarter_of,
)
from tests.helpers import table_rows

RESOURCES = [
    (InitiativeResource, Initiative),
    (ExpectedResultResource, ExpectedResult),
    (EventResource, Event),
    (IndicatorResource, Indicator),
    (IndicatorValueResource, IndicatorValue),
    (StatusUpdateResource, StatusUpdate),
]

# The text cells of each export, by resource, as "column": suffix after the prefix. The
# plan's text is in each language's column; a reference to it (``indicator_name``,
# ``initiative_title``) is in the default language, French, whatever language is active.
TEXTS = {
    InitiativeResource: {
        "title_fr": 'HYPERLINK("http://x")',
        "title_en": 'HYPERLINK("http://y")',
        "description_fr": "1 rapport",
        "description_en": "1 report",
    },
    ExpectedResultResource: {"text_fr": "SUM(A1)", "text_en": "SUM(B1)"},
    EventResource: {
        "title_fr": "cmd|' /C calc'!A0",
        "title_en": "cmd|' /C notepad'!A0",
        "description_fr": "Réunion",
        "description_en": "Meeting",
    },
    IndicatorResource: {
        "name_fr": "2+3",
        "name_en": "4+5",
        "unit_fr": "",
        "unit_en": "",
        "description_fr": "Mesuré chaque trimestre",
        "description_en": "Measured every quarter",
    },
    IndicatorValueResource: {"note": "1 rapport", "indicator_name": "2+3"},
    StatusUpdateResource: {
        "initiative_title": 'HYPERLINK("http://x")',
        "narrative": "1 rapport",
        "risks": "",
        "next_steps": "SUM(A1)",
    },
}


def text(prefix: str, suffix: str) -> str:
    """``prefix`` + ``suffix``; a prefix alone ("-") when there is no suffix, except a space
    (a text of spaces only is not one a person writes, and an import strips it)."""
    if not suffix and prefix.isspace():
        return prefix + "fin"
    return prefix + suffix


def make_plan(prefix: str):
    """One object of each kind, every text (in each language) starting with ``prefix``;
    numbers negative."""
    texts = {
        resource: {column: text(prefix, suffix) for column, suffix in columns.items()}
        for resource, columns in TEXTS.items()
    }
    plan = AnnualPlanFactory()
    priority = PriorityFactory(annual_plan=plan, number=1)
    result = ExpectedResultFactory(priority=priority, number=1, **texts[ExpectedResultResource])
    initiative = InitiativeFactory(priority=priority, number=1, **texts[InitiativeResource])
    initiative.expected_results.add(result)
    StatusUpdateFactory(
        initiative=initiative,
        narrative=texts[StatusUpdateResource]["narrative"],
        risks=texts[StatusUpdateResource]["risks"],
        next_steps=texts[StatusUpdateResource]["next_steps"],
    )
    indicator = IndicatorFactory(
        expected_result=result,
        number=1,
        **texts[IndicatorResource],
        baseline=decimal.Decimal("-5"),
        target=decimal.Decimal("10.5"),
    )
    IndicatorValueFactory(indicator=indicator, value=decimal.Decimal("-3"), note=texts[IndicatorValueResource]["note"])
    EventFactory(
        annual_plan=plan,
        quarter=quarter_of(plan, 1),
        slug="q1-reunion",
        **texts[EventResource],
        start_date=datetime.date(2022, 7, 5),
    )


def exported_csv(resource_class) -> tuple[bytes, list[dict]]:
    data = SafeCSV().export_data(resource_class().export())
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    return data, rows


def exported_xlsx(resource_class) -> tuple[bytes, list[dict], list[dict]]:
    data = SafeXLSX().export_data(resource_class().export())
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    header = [c.value for c in sheet[1]]
    values = [dict(zip(header, (c.value for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
    kinds = [dict(zip(header, (c.data_type for c in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
    return data, values, kinds


PREFIX_IDS = {
    "=": "equals",
    "+": "plus",
    "-": "minus",
    "@": "at",
    "\t": "tab",
    "\r": "carriage-return",
    "'": "apostrophe",
}


def prefix_params(fmt):
    for prefix in (*FORMULA_PREFIXES, ESCAPE):
        yield pytest.param(prefix, id=PREFIX_IDS[prefix])


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", list(prefix_params("csv")))
def test_csv_export_neutralises_and_import_undoes_it(prefix):
    make_plan(prefix)
    for resource_class, model in RESOURCES:
        data, rows = exported_csv(resource_class)
        assert len(rows) == 1
        (row,) = rows
        for column, suffix in TEXTS[resource_class].items():
            assert row[column] == "'" + text(prefix, suffix), (resource_class.__name__, column, row[column])
        if resource_class is IndicatorResource:
            assert (row["baseline"], row["target"]) == ("-5.00", "10.50")
        if resource_class is IndicatorValueResource:
            assert row["value"] == "-3.00"
        if resource_class is EventResource:
            assert row["start_date"] == "2022-07-05"
        before = table_rows(model)
        report = import_spreadsheet(resource_class(), data, "csv", dry_run=False)
        assert report.ok, report.errors
        assert (report.new, report.updated, report.unchanged) == (0, 0, 1), resource_class.__name__
        assert table_rows(model) == before


@pytest.mark.django_db
@pytest.mark.parametrize("prefix", list(prefix_params("xlsx")))
def test_xlsx_export_neutralises_and_import_undoes_it(prefix):
    make_plan(prefix)
    for resource_class, model in RESOURCES:
        data, rows, kinds = exported_xlsx(resource_class)
        assert len(rows) == 1
        (row,), (kind,) = rows, kinds
        for column, suffix in TEXTS[resource_class].items():
            # A workbook's XML keeps no carriage return: it reads back as a line feed.
            expected = "'" + text(prefix, suffix).replace("\r", "\n")
            assert row[column] == expected, (resource_class.__name__, column, row[column])
            assert kind[column] == "s", (resource_class.__name__, column, kind[column])
        assert "f" not in kind.values()
        if resource_class is IndicatorResource:
            assert (row["baseline"], row["target"]) == (-5, 10.5)
            assert (kind["baseline"], kind["target"]) == ("n", "n")
        if resource_class is IndicatorValueResource:
            assert (row["value"], kind["value"]) == (-3, "n")
            assert (row["priority"], kind["priority"]) == (1, "n")
        before = table_rows(model)
        report = import_spreadsheet(resource_class(), data, "xlsx", dry_run=False)
        assert report.ok, report.errors
        assert (report.new, report.updated, report.unchanged) == (0, 0, 1), resource_class.__name__
        assert table_rows(model) == before


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_plain_texts_are_not_escaped(fmt):
    make_plan("")
    StatusUpdate.objects.update(narrative="Plaidoyer réussi : 3 rapports.", risks="Aucun.", next_steps="Suivre.")
    if fmt == "csv":
        _data, rows = exported_csv(StatusUpdateResource)
    else:
        _data, rows, _kinds = exported_xlsx(StatusUpdateResource)
    assert rows[0]["narrative"] == "Plaidoyer réussi : 3 rapports."
    assert rows[0]["initiative_title"] == 'HYPERLINK("http://x")'


@pytest.mark.django_db
def test_an_escaped_cell_written_by_hand_imports_without_its_apostrophe():
    make_plan("")
    data = (
        b"plan,priority,initiative,initiative_title,quarter,status,narrative,risks,next_steps\r\n"
        b"2022-23,1,1,x,1,on_track,'=1+1,'-,'@x\r\n"
    )
    report = import_spreadsheet(StatusUpdateResource(), data, "csv", dry_run=False)
    assert report.ok, report.errors
    update = StatusUpdate.objects.get()
    assert (update.narrative, update.risks, update.next_steps) == ("=1+1", "-", "@x")


# --- the functions themselves ----------------------------------------------------------


@pytest.mark.parametrize("prefix", FORMULA_PREFIXES)
def test_neutralise_escapes_every_formula_prefix(prefix):
    assert neutralise(prefix + "1+1") == "'" + prefix + "1+1"
    assert neutralise(prefix) == "'" + prefix
    assert unneutralise("'" + prefix + "1+1") == prefix + "1+1"


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1 rapport", "'+1 rapport"),
        ("-", "'-"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tindenté", "'\tindenté"),
        ("\rretour", "'\rretour"),
        ("'déjà entre apostrophes'", "''déjà entre apostrophes'"),
        ("'", "''"),
        ("''", "'''"),
        ("'=1+1", "''=1+1"),
        ("Plaidoyer", "Plaidoyer"),
        ("1+1=2", "1+1=2"),
        (" =1", " =1"),
        ("note;=2*21", "'note;'=2*21"),
        ("a,+1|@b\t-c", "'a,'+1|'@b\t'-c"),
        ("x;'=1", "'x;''=1"),
        ("=a;=b", "'=a;'=b"),
        ("l'équipe; 2 rapports", "l'équipe; 2 rapports"),
        ("", ""),
    ],
)
def test_neutralise_then_unneutralise(text, escaped):
    assert neutralise(text) == escaped
    assert unneutralise(escaped) == text
    assert unneutralise(neutralise(text)) == text


@hypothesis.given(st.text(alphabet=st.sampled_from("ab '\n" + SEPARATORS + "".join(FORMULA_PREFIXES))))
def test_any_text_round_trips_and_no_separator_uncovers_a_formula(value):
    escaped = neutralise(value)
    assert unneutralise(escaped) == value
    for separator in SEPARATORS:
        for piece in escaped.split(separator)[1:] + [escaped]:
            assert not piece.startswith(FORMULA_PREFIXES), (separator, escaped)


@pytest.mark.django_db
def test_a_csv_export_read_with_another_separator_holds_no_formula():
    """A French spreadsheet program opens a comma-separated file with ";" (or a tab): no
    cell it then makes starts a formula, and the file imports back unchanged."""
    make_plan("")
    StatusUpdate.objects.update(narrative="note;=2*21", risks="a\t+cmd|' /C calc'!A0", next_steps="b,@SUM(A1)")
    data, _rows = exported_csv(StatusUpdateResource)
    text_ = data.decode("utf-8-sig")
    for separator in SEPARATORS:
        for line in csv.reader(io.StringIO(text_, newline=""), delimiter=separator):
            for cell in line:
                assert not cell.startswith(FORMULA_PREFIXES), (separator, cell)
    before = table_rows(StatusUpdate)
    report = import_spreadsheet(StatusUpdateResource(), data, "csv", dry_run=False)
    assert report.ok, report.errors
    assert (report.new, report.updated, report.unchanged) == (0, 0, 1)
    assert table_rows(StatusUpdate) == before


@pytest.mark.parametrize("value", [None, 0, -5, 12.5, decimal.Decimal("-5.00"), datetime.date(2022, 7, 1), True])
def test_values_that_are_not_text_are_left_alone(value):
    assert neutralise(value) == value
    assert unneutralise(value) == value
    assert type(neutralise(value)) is type(value)


@pytest.mark.parametrize("text", ["'abc", "'", "'1 rapport", "l'équipe"])
def test_unneutralise_keeps_an_apostrophe_that_escapes_nothing(text):
    assert unneutralise(text) == text
