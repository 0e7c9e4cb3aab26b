"""The quarterly updates of the organisational priorities, in and out of spreadsheets: an
export imports back unchanged; an edited file creates and changes exactly what it says; a
file with one bad row imports nothing and says why, on which line; a change to an approved
update is a revision, its approved text kept for the board; and the admin's pages do the
same as the resource.

The seed plan has no organisational update: each test starts from four, made here (two of
them approved), over the seed's four organisational priorities."""

import csv
import io

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from civicplan.admin import SpreadsheetAdmin
from civicplan.spreadsheet_files import SafeCSV, SafeXLSX
from civicplan.spreadsheets import import_spreadsheet
from initiatives.models import OrganisationalUpdate, ReviewState, Status
from initiatives.resources import OrganisationalUpdateResource
from priorities.models import OrganisationalPriority, Quarter, QuarterLock
from tests.factories import UserFactory
from tests.helpers import table_rows
from tests.spreadsheets.files import csv_bytes, xlsx_bytes

pytestmark = pytest.mark.django_db

PLAN = "2022-23"
COLUMNS = ["plan", "area", "title", "quarter", "status", "narrative", "risks", "next_steps"]
BAD_LINE = 4  # line 1 names the columns; the bad row follows an update and a new row


def db_state():
    """Every row of the plan's apps, their history included."""
    return table_rows("priorities", "initiatives")


def make_update(area, quarter, *, approved=False, **texts) -> OrganisationalUpdate:
    update = OrganisationalUpdate(
        organisational_priority=OrganisationalPriority.objects.get_by_natural_key(PLAN, area),
        quarter=Quarter.objects.get_by_natural_key(PLAN, quarter),
        **texts,
    )
    if approved:
        update.review_state = ReviewState.APPROVED
        update.reviewed_at = timezone.now()
    update.full_clean()
    update.save()
    return update


@pytest.fixture
def updates(seed_plan):
    """Four updates: approved, submitted at risk, a draft with empty texts, approved."""
    made = {
        ("strategy", 1): make_update(
            "strategy",
            1,
            approved=True,
            status=Status.ON_TRACK,
            narrative="La stratégie est revue avec le Conseil.",
            next_steps="Consulter les membres.",
        ),
        ("people", 1): make_update(
            "people",
            1,
            status=Status.AT_RISK,
            narrative="Deux postes restent vacants.",
            risks="Départs non remplacés.",
            next_steps="Recruter en octobre.",
            review_state=ReviewState.SUBMITTED,
        ),
        ("systems", 2): make_update("systems", 2, status=Status.NOT_STARTED),
        ("sustainability", 2): make_update(
            "sustainability",
            2,
            approved=True,
            status=Status.COMPLETED,
            narrative="Le plan de financement est adopté.",
            risks="=SOMME(A1)",  # exported inert, imported back as written
            next_steps="Suivre les engagements.",
        ),
    }
    OrganisationalUpdate.history.all().delete()  # the tests read the history an import writes
    return made


def export_bytes(fmt) -> bytes:
    dataset = OrganisationalUpdateResource().export()
    return (SafeCSV() if fmt == "csv" else SafeXLSX()).export_data(dataset)


def exported_rows() -> list[dict]:
    dataset = OrganisationalUpdateResource().export()
    return [{h: "" if v is None else str(v) for h, v in zip(dataset.headers, row, strict=True)} for row in dataset]


def row_of(area, quarter) -> dict:
    (row,) = [r for r in exported_rows() if (r["area"], r["quarter"]) == (area, str(quarter))]
    return row


def good_rows() -> list[dict]:
    """[a row changing people Q1, a new row for systems Q3, two unchanged rows]."""
    return [
        row_of("people", 1) | {"narrative": "Un poste sur deux est pourvu.", "status": "on_track"},
        {
            "plan": PLAN,
            "area": "systems",
            "title": "",
            "quarter": "3",
            "status": "on_track",
            "narrative": "Le nouvel outil comptable est choisi.",
            "risks": "",
            "next_steps": "Former l'équipe.",
        },
        row_of("strategy", 1),
        row_of("sustainability", 2),
    ]


def file_with_bad_row(overrides, *, fmt="csv") -> bytes:
    rows = good_rows()
    bad = row_of("systems", 2) | {"narrative": "Changé.", "risks": "Texte.", "next_steps": "Texte."} | overrides
    rows = rows[:2] + [bad] + rows[2:]
    return csv_bytes(COLUMNS, rows) if fmt == "csv" else xlsx_bytes(COLUMNS, rows)


def assert_refused(data, fmt, *fragments, line=BAD_LINE):
    """Refused, dry run and real, every error on ``line`` and saying ``fragments``, and
    nothing at all written."""
    before = db_state()
    for dry_run in (True, False):
        report = import_spreadsheet(OrganisationalUpdateResource(), data, fmt, dry_run=dry_run)
        assert report.ok is False, report
        assert report.summary().startswith("Nothing was imported")
        assert report.errors and all(e.startswith(f"Line {line}: ") for e in report.errors), report.errors
        text = "\n".join(report.errors)
        for fragment in fragments:
            assert fragment in text, (fragment, report.errors)
        assert db_state() == before
    return report


def lock(quarter_number):
    QuarterLock.objects.create(quarter=Quarter.objects.get_by_natural_key(PLAN, quarter_number), reason="Envoyé.")


# --- export, then import -----------------------------------------------------------------


def test_the_export_names_each_update_by_plan_area_and_quarter(updates):
    dataset = OrganisationalUpdateResource().export()
    assert list(dataset.headers) == COLUMNS
    rows = exported_rows()
    # In the plan's order: the priorities' numbers, then the quarters.
    assert [(r["area"], r["quarter"]) for r in rows] == [
        ("strategy", "1"),
        ("people", "1"),
        ("systems", "2"),
        ("sustainability", "2"),
    ]
    assert rows[1] == {
        "plan": PLAN,
        "area": "people",
        "title": "Des personnes",
        "quarter": "1",
        "status": "at_risk",
        "narrative": "Deux postes restent vacants.",
        "risks": "Départs non remplacés.",
        "next_steps": "Recruter en octobre.",
    }
    assert rows[3]["risks"] == "'=SOMME(A1)"  # inert in a spreadsheet program


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_changes_nothing(updates, fmt):
    data = export_bytes(fmt)
    before = db_state()
    for dry_run in (True, False):
        report = import_spreadsheet(OrganisationalUpdateResource(), data, fmt, dry_run=dry_run)
        assert report.ok, report.errors
        assert (report.new, report.updated, report.unchanged) == (0, 0, 4)
        assert db_state() == before
    assert OrganisationalUpdate.objects.get(pk=updates["sustainability", 2].pk).risks == "=SOMME(A1)"


def test_unchanged_rows_of_a_locked_quarter_are_fine(updates):
    lock(1)
    report = import_spreadsheet(OrganisationalUpdateResource(), export_bytes("xlsx"), "xlsx", dry_run=False)
    assert report.ok, report.errors
    assert report.unchanged == 4


# --- an edited file ----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_import_creates_and_changes_exactly_what_the_file_says(updates, fmt):
    author = UserFactory(username="importer", is_staff=True)
    rows = good_rows()
    data = csv_bytes(COLUMNS, rows) if fmt == "csv" else xlsx_bytes(COLUMNS, rows)
    people = updates["people", 1]
    untouched = {key: update for key, update in updates.items() if key != ("people", 1)}

    report = import_spreadsheet(OrganisationalUpdateResource(), data, fmt, dry_run=True, user=author)
    assert report.ok, report.errors
    assert (report.new, report.updated, report.unchanged) == (1, 1, 2)
    assert OrganisationalUpdate.objects.count() == 4

    report = import_spreadsheet(OrganisationalUpdateResource(), data, fmt, dry_run=False, user=author)
    assert report.ok, report.errors
    assert (report.new, report.updated, report.unchanged) == (1, 1, 2)
    assert OrganisationalUpdate.objects.count() == 5

    changed = OrganisationalUpdate.objects.get(pk=people.pk)
    assert (changed.status, changed.narrative) == ("on_track", "Un poste sur deux est pourvu.")
    assert (changed.risks, changed.next_steps) == (people.risks, people.next_steps)
    assert changed.version == people.version + 1  # an edit open meanwhile sees the conflict
    assert changed.author_id == people.author_id  # the import does not rewrite who wrote it

    new = OrganisationalUpdate.objects.get_by_natural_key(PLAN, "systems", 3)
    assert (new.status, new.narrative, new.risks, new.next_steps) == (
        "on_track",
        "Le nouvel outil comptable est choisi.",
        "",
        "Former l'équipe.",
    )
    assert (new.version, new.review_state, new.author) == (1, ReviewState.DRAFT, author)

    for key, update in untouched.items():
        assert OrganisationalUpdate.objects.get(pk=update.pk).version == update.version, key
    history = sorted(OrganisationalUpdate.history.values_list("id", "history_type"))
    assert history == sorted([(people.pk, "~"), (new.pk, "+")])


def test_an_area_and_a_quarter_may_be_written_as_people_write_them(updates):
    rows = good_rows()
    rows[1] |= {"area": "Systems", "quarter": "Q3"}
    report = import_spreadsheet(OrganisationalUpdateResource(), csv_bytes(COLUMNS, rows), "csv", dry_run=False)
    assert report.ok, report.errors
    assert OrganisationalUpdate.objects.get_by_natural_key(PLAN, "systems", 3).narrative.startswith("Le nouvel")


def test_a_change_to_an_approved_update_is_a_revision_that_keeps_the_approved_text(updates):
    approved = updates["strategy", 1]
    assert approved.review_state == ReviewState.APPROVED
    rows = [row_of("strategy", 1) | {"status": "at_risk", "risks": "Le Conseil tarde.", "narrative": "Retard."}]
    data = csv_bytes(COLUMNS, rows)

    report = import_spreadsheet(OrganisationalUpdateResource(), data, "csv", dry_run=False)
    assert report.ok, report.errors
    assert (report.new, report.updated, report.unchanged) == (0, 1, 0)

    revision = OrganisationalUpdate.objects.get(pk=approved.pk)
    assert (revision.status, revision.narrative, revision.risks) == ("at_risk", "Retard.", "Le Conseil tarde.")
    # Submitted for an editor; until approved, readers read the text that was approved.
    assert revision.review_state == ReviewState.SUBMITTED
    assert revision.is_revision
    assert revision.approved_text == (
        "on_track",
        "La stratégie est revue avec le Conseil.",
        "",
        "Consulter les membres.",
    )
    assert revision.version == approved.version + 1

    # The same file again changes nothing more.
    before = db_state()
    report = import_spreadsheet(OrganisationalUpdateResource(), data, "csv", dry_run=False)
    assert report.ok, report.errors
    assert (report.new, report.updated, report.unchanged) == (0, 0, 1)
    assert db_state() == before


def test_the_good_rows_alone_import(updates):
    """The control of the refusals below: without its bad row, the file imports."""
    report = import_spreadsheet(OrganisationalUpdateResource(), csv_bytes(COLUMNS, good_rows()), "csv", dry_run=True)
    assert report.ok, report.errors
    assert (report.new, report.updated, report.unchanged) == (1, 1, 2)


# --- one bad row: nothing imported -------------------------------------------------------

BAD_ROWS = [
    pytest.param(
        {"area": "finance"},
        ["Area «finance» is unknown: use one of strategy, people, systems, sustainability."],
        id="unknown-area",
    ),
    pytest.param({"area": ""}, ["The area is missing."], id="no-area"),
    pytest.param(
        {"status": "en retard"},
        ["status: Status «en retard» is unknown: use one of not_started, on_track"],
        id="unknown-status",
    ),
    pytest.param(
        {"status": "at_risk", "risks": ""},
        ["risks: Say what puts the organisational priority at risk or off track."],
        id="at-risk-without-risks",
    ),
    pytest.param(
        {"status": "off_track", "risks": "   "},
        ["risks: Say what puts the organisational priority at risk or off track."],
        id="off-track-with-blank-risks",
    ),
    pytest.param({"quarter": "5"}, ["Quarter 5 does not exist"], id="quarter-5"),
    pytest.param({"plan": "2021-22"}, ["There is no annual plan «2021-22»."], id="unknown-plan"),
    pytest.param({"narrative": "<b>Gras</b>"}, ["narrative: ", "<b"], id="markup"),
]


@pytest.mark.parametrize(("overrides", "fragments"), BAD_ROWS)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_one_bad_row_refuses_the_whole_file(updates, overrides, fragments, fmt):
    assert_refused(file_with_bad_row(overrides, fmt=fmt), fmt, *fragments)


def test_a_change_in_a_locked_quarter_refuses_the_whole_file(updates):
    lock(1)
    rows = good_rows()
    rows[0] = row_of("systems", 2) | {"narrative": "Changé au deuxième trimestre."}  # Q2 is open
    bad = row_of("people", 1) | {"narrative": "Réécrit après l'envoi du rapport."}
    data = csv_bytes(COLUMNS, rows[:2] + [bad] + rows[2:])  # rows[2] is strategy Q1, unchanged: fine
    assert_refused(data, "csv", "quarter: Q1 is locked: it takes no change.")


def test_a_new_update_in_a_locked_quarter_is_refused(updates):
    lock(3)
    assert_refused(csv_bytes(COLUMNS, good_rows()), "csv", "quarter: Q3 is locked: it takes no change.", line=3)


def test_a_plan_without_a_priority_in_the_area(updates):
    rows = good_rows()[:2] + [row_of("systems", 2) | {"area": "sustainability", "narrative": "Texte."}]
    OrganisationalPriority.objects.get_by_natural_key(PLAN, "sustainability").delete()
    assert_refused(
        csv_bytes(COLUMNS, rows), "csv", "Plan «2022-23» has no organisational priority in the area sustainability."
    )


def test_the_same_update_twice_names_both_lines(updates):
    rows = good_rows()
    again = rows[0] | {"area": "People", "quarter": "Q1", "narrative": "Une autre version."}
    assert_refused(csv_bytes(COLUMNS, rows + [again]), "csv", "This row repeats line 2", "plan, area, quarter", line=6)


def test_a_missing_column_is_named(updates):
    columns = [c for c in COLUMNS if c != "area"]
    report = import_spreadsheet(OrganisationalUpdateResource(), csv_bytes(columns, good_rows()), "csv", dry_run=True)
    assert report.errors == ["The columns do not fit: missing columns: area."]


# --- through the admin -------------------------------------------------------------------

CSV_FORMAT = str([f.__name__ for f in SpreadsheetAdmin.formats].index("SafeCSV"))
XLSX_FORMAT = str([f.__name__ for f in SpreadsheetAdmin.formats].index("SafeXLSX"))


def admin_url(view):
    return reverse(f"admin:initiatives_organisationalupdate_{view}")


def test_the_admin_imports_after_a_preview_that_writes_nothing(client, updates, superuser):
    client.force_login(superuser)
    book = openpyxl.Workbook()
    book.active.append(COLUMNS)
    for row in good_rows():
        book.active.append([row[c] or None for c in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    before = db_state()

    upload = SimpleUploadedFile("organisation.xlsx", out.getvalue())
    response = client.post(admin_url("import"), {"resource": "0", "format": XLSX_FORMAT, "import_file": upload})
    assert response.status_code == 200
    assert "1 new, 1 changed, 2 unchanged." in [str(m) for m in get_messages(response.wsgi_request)]
    assert db_state() == before  # the preview wrote nothing

    form = response.context["confirm_form"]
    confirm = {name: form.initial[name] for name in ("import_file_name", "original_file_name", "format")}
    confirm["resource"] = form.initial.get("resource", "")
    response = client.post(admin_url("process_import"), confirm)
    assert response.status_code == 302
    assert OrganisationalUpdate.objects.count() == 5
    new = OrganisationalUpdate.objects.get_by_natural_key(PLAN, "systems", 3)
    assert new.author == superuser
    assert new.history.get().history_user == superuser


def test_the_admin_refuses_a_bad_file_and_says_why(client, updates, superuser):
    client.force_login(superuser)
    before = db_state()
    upload = SimpleUploadedFile("organisation.csv", file_with_bad_row({"area": "finance"}), content_type="text/csv")
    response = client.post(admin_url("import"), {"resource": "0", "format": CSV_FORMAT, "import_file": upload})
    assert response.status_code == 200
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert "Nothing was imported: 1 problem." in messages
    assert any(m.startswith("Line 4: ") and "Area «finance» is unknown" in m for m in messages), messages
    assert response.context.get("confirm_form") is None
    assert db_state() == before


def test_the_admin_export_is_the_resource_export(client, updates, superuser):
    client.force_login(superuser)
    fields = {f"organisationalupdateresource_{name}": "on" for name in COLUMNS}
    response = client.post(admin_url("export"), {"format": CSV_FORMAT, "resource": "0", **fields})
    assert response.status_code == 200
    assert response.content == export_bytes("csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    assert rows[0] == COLUMNS and len(rows) == 5
