"""Spreadsheets through the admin's own pages: who may import and export, the preview
that writes nothing, the confirmation that writes, and a refusal that says why."""

import csv
import io
import tempfile

import openpyxl
import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from civicplan.admin import SpreadsheetAdmin
from civicplan.spreadsheet_files import SafeCSV, SafeXLSX
from initiatives.models import StatusUpdate
from initiatives.resources import StatusUpdateResource
from tests.factories import UserFactory
from tests.helpers import table_rows

pytestmark = pytest.mark.django_db

PLAN = "2022-23"
CSV_FORMAT = str([f.__name__ for f in SpreadsheetAdmin.formats].index("SafeCSV"))
XLSX_FORMAT = str([f.__name__ for f in SpreadsheetAdmin.formats].index("SafeXLSX"))

MODELS = [
    ("initiatives", "initiative"),
    ("priorities", "expectedresult"),
    ("priorities", "event"),
    ("initiatives", "indicator"),
    ("initiatives", "indicatorvalue"),
    ("initiatives", "statusupdate"),
    ("initiatives", "organisationalupdate"),
]
MODEL_IDS = [name for _app, name in MODELS]


def url(app, model, view):
    return reverse(f"admin:{app}_{model}_{view}")


def db_state():
    return table_rows("priorities", "initiatives")


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def export_fields_data(resource_class) -> dict:
    """The export form's checkboxes, all ticked: ``<resource class name>_<field>``."""
    prefix = resource_class.__name__.lower()
    return {f"{prefix}_{name}": "on" for name in resource_class().get_export_order()}


@pytest.fixture
def staff_without_permissions(db):
    return UserFactory(username="staff-only", is_staff=True)


def staff_with(*codenames):
    user = UserFactory(username="staff-" + "-".join(codenames), is_staff=True)
    for codename in codenames:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return user


def test_the_formats_are_csv_then_xlsx():
    assert (CSV_FORMAT, XLSX_FORMAT) == ("0", "1")


# --- who may ---------------------------------------------------------------------------


@pytest.mark.parametrize(("app", "model"), MODELS, ids=MODEL_IDS)
def test_staff_without_the_permissions_get_403(client, seed_plan, staff_without_permissions, app, model):
    client.force_login(staff_without_permissions)
    before = db_state()
    upload = SimpleUploadedFile("plan.csv", b"plan,priority\r\n2022-23,1\r\n", content_type="text/csv")
    assert client.get(url(app, model, "import")).status_code == 403
    assert client.post(url(app, model, "import"), {"format": CSV_FORMAT, "import_file": upload}).status_code == 403
    confirm = {"import_file_name": "x", "original_file_name": "plan.csv", "format": CSV_FORMAT, "resource": "0"}
    assert client.post(url(app, model, "process_import"), confirm).status_code == 403
    assert client.get(url(app, model, "export")).status_code == 403
    assert client.post(url(app, model, "export"), {"format": CSV_FORMAT, "resource": "0"}).status_code == 403
    assert db_state() == before


@pytest.mark.parametrize(("app", "model"), MODELS, ids=MODEL_IDS)
def test_the_import_permission_opens_the_import_page_only(client, seed_plan, app, model):
    user = staff_with(f"import_{model}")
    client.force_login(user)
    response = client.get(url(app, model, "import"))
    assert response.status_code == 200
    assert 'name="import_file"' in response.content.decode()
    assert client.get(url(app, model, "export")).status_code == 403


@pytest.mark.parametrize(("app", "model"), MODELS, ids=MODEL_IDS)
def test_the_export_permission_opens_the_export_page_only(client, seed_plan, app, model):
    user = staff_with(f"export_{model}")
    client.force_login(user)
    response = client.get(url(app, model, "export"))
    assert response.status_code == 200
    assert client.get(url(app, model, "import")).status_code == 403


def test_the_changelist_shows_the_buttons_the_user_may_use(client, seed_plan):
    user = staff_with("view_statusupdate", "import_statusupdate")
    client.force_login(user)
    page = client.get(url("initiatives", "statusupdate", "changelist")).content.decode()
    assert url("initiatives", "statusupdate", "import") in page
    assert url("initiatives", "statusupdate", "export") not in page


def test_not_signed_in_is_sent_to_the_login_page(client, seed_plan):
    response = client.get(url("initiatives", "statusupdate", "import"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- import: preview, then confirm -----------------------------------------------------


def status_updates_xlsx(changed_key, **changes) -> tuple[bytes, int]:
    """An XLSX of the status updates whose texts are all filled, with one row changed."""
    dataset = StatusUpdateResource().export()
    rows = [
        dict(zip(dataset.headers, row, strict=True))
        for row in dataset
        if all(row[dataset.headers.index(c)] for c in ("narrative", "risks", "next_steps"))
    ]
    assert len(rows) >= 3
    found = 0
    for row in rows:
        if (row["priority"], row["initiative"], row["quarter"]) == changed_key:
            row.update(changes)
            found += 1
    assert found == 1
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(dataset.headers)
    for row in rows:
        sheet.append([row[h] for h in dataset.headers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), len(rows)


def test_import_preview_writes_nothing_and_the_confirmation_writes(client, demo_progress, superuser):
    key = (1, 2, 2)  # 1.2 in Q2: at risk, with risks written
    update = StatusUpdate.objects.get_by_natural_key(PLAN, *key)
    assert update.risks and update.status == "at_risk"
    version = update.version
    data, total = status_updates_xlsx(key, status="off_track", narrative="Reporté à Q3 : « retard » confirmé.")
    client.force_login(superuser)
    before = db_state()

    assert client.get(url("initiatives", "statusupdate", "import")).status_code == 200
    upload = SimpleUploadedFile(
        "statuts.xlsx", data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response = client.post(
        url("initiatives", "statusupdate", "import"), {"resource": "0", "format": XLSX_FORMAT, "import_file": upload}
    )
    assert response.status_code == 200
    result = response.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert (result.totals["new"], result.totals["update"], result.totals["skip"]) == (0, 1, total - 1)
    assert [row.import_type for row in result.rows].count("update") == 1
    assert f"0 new, 1 changed, {total - 1} unchanged." in messages_of(response)
    confirm_form = response.context["confirm_form"]
    assert confirm_form is not None
    page = response.content.decode()
    assert url("initiatives", "statusupdate", "process_import") in page
    assert "Reporté à Q3" in page  # the preview shows the changed row
    assert db_state() == before  # the preview wrote nothing

    confirm = {name: confirm_form.initial[name] for name in ("import_file_name", "original_file_name", "format")}
    confirm["resource"] = confirm_form.initial.get("resource", "")
    response = client.post(url("initiatives", "statusupdate", "process_import"), confirm)
    assert response.status_code == 302
    assert response["Location"] == url("initiatives", "statusupdate", "changelist")
    update.refresh_from_db()
    assert update.status == "off_track"
    assert update.narrative == "Reporté à Q3 : « retard » confirmé."
    assert update.version == version + 1
    after = db_state()
    changed = sorted(label for label in after if after[label] != before[label])
    assert changed == ["initiatives.HistoricalStatusUpdate", "initiatives.StatusUpdate"]
    (record,) = StatusUpdate.history.all()
    assert (record.id, record.history_type, record.history_user) == (update.pk, "~", superuser)
    assert record.status == "off_track"
    assert len(after["initiatives.StatusUpdate"]) == len(before["initiatives.StatusUpdate"])
    rows = set(before["initiatives.StatusUpdate"]) ^ set(after["initiatives.StatusUpdate"])
    assert len(rows) == 2  # one object, before and after
    assert LogEntry.objects.filter(user=superuser, action_flag=CHANGE, object_id=str(update.pk)).exists()


def bad_status_updates_csv() -> bytes:
    """Good rows (an update, a new one) and, on line 4, an unknown status."""
    header = [
        "plan",
        "priority",
        "initiative",
        "initiative_title",
        "quarter",
        "status",
        "narrative",
        "risks",
        "next_steps",
    ]
    rows = [
        [PLAN, "1", "1", "CIVICUS Lens", "1", "at_risk", "Retard.", "Financement en retard.", ""],
        [PLAN, "1", "1", "CIVICUS Lens", "4", "not_started", "", "", ""],
        [PLAN, "2", "2", "Plaidoyer ciblé", "1", "en retard", "Texte.", "", ""],
        [PLAN, "2", "1", "Normes", "3", "on_track", "Texte.", "", ""],
    ]
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows([header, *rows])
    return out.getvalue().encode("utf-8")


def test_import_of_a_bad_file_says_why_and_writes_nothing(client, demo_progress, superuser):
    client.force_login(superuser)
    before = db_state()
    upload = SimpleUploadedFile("statuts.csv", bad_status_updates_csv(), content_type="text/csv")
    response = client.post(
        url("initiatives", "statusupdate", "import"), {"resource": "0", "format": CSV_FORMAT, "import_file": upload}
    )
    assert response.status_code == 200
    messages = messages_of(response)
    assert "Nothing was imported: 1 problem." in messages
    assert any(m.startswith("Line 4: ") and "Status «en retard» is unknown" in m for m in messages), messages
    page = response.content.decode()
    assert "Line 4: status: Status «en retard» is unknown" in page
    assert response.context.get("confirm_form") is None
    assert url("initiatives", "statusupdate", "process_import") not in page
    assert db_state() == before


def test_import_of_a_file_that_cannot_be_read_says_why_and_writes_nothing(client, demo_progress, superuser):
    client.force_login(superuser)
    before = db_state()
    data = bad_status_updates_csv().replace(b"at_risk", "à risque".encode("latin-1"))
    upload = SimpleUploadedFile("statuts.csv", data, content_type="text/csv")
    response = client.post(
        url("initiatives", "statusupdate", "import"), {"resource": "0", "format": CSV_FORMAT, "import_file": upload}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["import_file"]
    assert any("not UTF-8 text" in e and "line 2" in e for e in errors), errors
    page = response.content.decode()
    assert "not UTF-8 text (byte 0xe0 on line 2)" in page
    assert response.context.get("confirm_form") is None
    assert db_state() == before


def test_import_of_a_file_over_the_size_limit_is_refused_by_the_form(client, demo_progress, superuser, settings):
    settings.SPREADSHEET_MAX_BYTES = 100
    client.force_login(superuser)
    before = db_state()
    upload = SimpleUploadedFile("statuts.csv", bad_status_updates_csv(), content_type="text/csv")
    response = client.post(
        url("initiatives", "statusupdate", "import"), {"resource": "0", "format": CSV_FORMAT, "import_file": upload}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["import_file"]
    assert any("the limit is 100 bytes" in e for e in errors), errors
    assert response.context.get("confirm_form") is None
    assert db_state() == before


def test_confirming_a_file_that_became_bad_writes_nothing(client, demo_progress, superuser):
    """Between the preview and the confirmation the data changed (Q1 was locked): the
    confirmation is refused with the reason, and nothing is written."""
    from priorities.models import Quarter, QuarterLock

    key = (1, 2, 1)
    update = StatusUpdate.objects.get_by_natural_key(PLAN, *key)
    rows = StatusUpdateResource().export()
    header = list(rows.headers)
    row = dict(zip(header, rows[[r[1:3] + (r[4],) for r in rows].index(key)], strict=True))
    row["status"] = "off_track" if update.status != "off_track" else "on_track"
    row["risks"] = row["risks"] or "Financement en retard."  # off track says why
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows([header, [row[h] for h in header]])
    client.force_login(superuser)
    upload = SimpleUploadedFile("statuts.csv", out.getvalue().encode(), content_type="text/csv")
    response = client.post(
        url("initiatives", "statusupdate", "import"), {"resource": "0", "format": CSV_FORMAT, "import_file": upload}
    )
    confirm_form = response.context["confirm_form"]
    assert confirm_form is not None
    QuarterLock.objects.create(quarter=Quarter.objects.get_by_natural_key(PLAN, 1))
    before = db_state()
    confirm = {name: confirm_form.initial[name] for name in ("import_file_name", "original_file_name", "format")}
    confirm["resource"] = confirm_form.initial.get("resource", "")
    response = client.post(url("initiatives", "statusupdate", "process_import"), confirm)
    assert response.status_code == 302
    assert response["Location"] == url("initiatives", "statusupdate", "import")
    messages = messages_of(response)
    assert any(m.startswith("Line 2: ") and "Q1 is locked" in m for m in messages), messages
    assert db_state() == before


# --- export ----------------------------------------------------------------------------


def test_export_of_status_updates_as_csv(client, demo_progress, superuser):
    client.force_login(superuser)
    response = client.get(url("initiatives", "statusupdate", "export"))
    assert response.status_code == 200
    assert 'name="statusupdateresource_narrative"' in response.content.decode()
    data = {"format": CSV_FORMAT, "resource": "0", **export_fields_data(StatusUpdateResource)}
    response = client.post(url("initiatives", "statusupdate", "export"), data)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert ".csv" in response["Content-Disposition"]
    content = response.content
    assert content.startswith(b"\xef\xbb\xbf")
    assert "Plaidoyer ciblé".encode() in content
    text = content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == [
        "plan",
        "priority",
        "initiative",
        "initiative_title",
        "quarter",
        "status",
        "narrative",
        "risks",
        "next_steps",
    ]
    assert len(rows) - 1 == StatusUpdate.objects.count()
    assert "État de la Société Civile" in text
    # The admin's file is the resource's file.
    assert content == SafeCSV().export_data(StatusUpdateResource().export())


def test_export_of_status_updates_as_xlsx(client, demo_progress, superuser):
    client.force_login(superuser)
    data = {"format": XLSX_FORMAT, "resource": "0", **export_fields_data(StatusUpdateResource)}
    response = client.post(url("initiatives", "statusupdate", "export"), data)
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("plan", "priority", "initiative", "initiative_title")
    assert len(rows) - 1 == StatusUpdate.objects.count()
    assert "Plaidoyer ciblé" in {r[3] for r in rows[1:]}
    assert SafeXLSX().create_dataset(response.content).headers == list(rows[0])


def test_export_of_chosen_columns(client, demo_progress, superuser):
    client.force_login(superuser)
    chosen = {f"statusupdateresource_{name}": "on" for name in ("plan", "priority", "initiative", "quarter", "status")}
    response = client.post(
        url("initiatives", "statusupdate", "export"), {"format": CSV_FORMAT, "resource": "0", **chosen}
    )
    assert response.status_code == 200
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header == ["plan", "priority", "initiative", "quarter", "status"]


def test_a_refused_file_leaves_no_copy_on_disk(client, demo_progress, superuser, monkeypatch, tmp_path):
    """A file refused at the preview is never confirmed: its temporary copy is removed."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    data, _total = status_updates_xlsx((1, 2, 2), status="not a status")
    client.force_login(superuser)
    upload = SimpleUploadedFile("statuts.xlsx", data)
    response = client.post(
        url("initiatives", "statusupdate", "import"), {"resource": "0", "format": XLSX_FORMAT, "import_file": upload}
    )
    assert response.status_code == 200 and response.context["result"].has_validation_errors()
    assert list(tmp_path.iterdir()) == []
    # A file that passes the preview keeps its copy until it is confirmed.
    data, _total = status_updates_xlsx((1, 2, 2), status="off_track")
    upload = SimpleUploadedFile("statuts.xlsx", data)
    response = client.post(
        url("initiatives", "statusupdate", "import"), {"resource": "0", "format": XLSX_FORMAT, "import_file": upload}
    )
    assert response.context["confirm_form"] is not None
    assert len(list(tmp_path.iterdir())) == 1
