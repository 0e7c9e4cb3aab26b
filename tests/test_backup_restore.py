"""Backup and restore: ``manage.py backup`` writes the whole database to one file, and
``manage.py restore`` brings every table's rows back into an emptied database. A file that
cannot be restored whole changes nothing.

The database is filled through the site's own code paths first, so that every table holds
rows (a table left empty would prove nothing; a new table makes ``test_every_table_is_filled``
fail until it gets rows here).
"""

import gzip
import json
import stat
from datetime import timedelta

import pytest
from axes.models import AccessAttempt, AccessAttemptExpiration, AccessFailureLog
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.urls import reverse
from django.utils import timezone

from civicplan import backups, versions
from civicplan.models import Organisation
from initiatives import services as initiative_services
from initiatives.models import Indicator, Initiative, OrganisationalUpdate, StatusUpdate
from initiatives.rounds import round_change_due_date
from priorities import services as plan_services
from priorities.models import AnnualPlan, Event, Quarter, ReportingRound
from reporting.meetings import board_meeting_save
from reporting.services import annual_review_save, board_update_publish, board_update_save
from tests import snapshots

# As `make backup` and `make restore` run: each command in its own transaction, committed.
pytestmark = pytest.mark.django_db(transaction=True)

# Made by migrate, not by data: the same in any database of this version of civicplan; and
# what is made from the data or is the work of the database it ran on (civicplan.backups:
# the data version, stored reports, background tasks), which a restored database makes anew.
NOT_BACKED_UP = {
    "django_migrations",
    "django_session",
    *(apps.get_model(label)._meta.db_table for label in backups.DERIVED),
    *(model._meta.db_table for label in backups.WORK for model in apps.get_app_config(label).get_models()),
}
# Tables the database itself fills (after an emptying too): compared by natural key, not id.
CONTENT_TYPES, PERMISSIONS = "django_content_type", "auth_permission"


# The full database as the first test in this process made it, put back by SQL in the next
# ones (as the worlds of transactional tests are: tests/snapshots.py).
_full: dict[str, snapshots.Snapshot] = {}


@pytest.fixture
def full_database(demo_progress, client):
    """The seed plan and its demo progress, a synthetic plan beside it, and a row in every
    table: history (of things deleted since, too), a published board update (its PDF
    bytes), a calendar address, a sign-in failure, an admin log entry, a person's own
    permission, a session."""
    if "full" not in _full or not snapshots.put_back(_full["full"]):
        _full["full"] = snapshots.taken_around(lambda: _fill_every_table(client))
    client.force_login(get_user_model().objects.get(username="staff"))
    return AnnualPlan.objects.get(slug="2022-23")


def _fill_every_table(client) -> None:
    users = {user.username: user for user in get_user_model().objects.all()}
    editor = users["editor"]
    call_command("generate_synthetic_plan", "--scale", "1", verbosity=0)
    plan = AnnualPlan.objects.get(slug="2022-23")
    quarter = Quarter.objects.get(annual_plan=plan, number=2)

    event = Event.objects.filter(annual_plan=plan).first()
    priority = plan.priorities.get(number=1)
    priority.title = f"{priority.title} (révisé)"
    priority.save()  # a history record
    # History of things deleted since: an indicator with its values, an expected result
    # with its indicators (their history records name them by an id nothing holds any more).
    indicator = Indicator.objects.filter(expected_result__priority=priority).exclude(values=None).first()
    initiative_services.indicator_delete(user=editor, indicator=indicator, values_seen=indicator.values.count())
    result = plan.priorities.get(number=2).expected_results.exclude(indicators=None).first()
    dependents = plan_services.expected_result_dependents(result)
    plan_services.expected_result_delete(
        user=editor, result=result, indicators_seen=dependents["indicators"], values_seen=dependents["values"]
    )
    initiative = Initiative.objects.filter(priority__annual_plan=plan).first()
    update = StatusUpdate.objects.filter(initiative=initiative, review_state="submitted").first()
    if update is not None:
        initiative_services.status_update_approve(user=editor, update=update)
    # And an organisational priority's (its history table, too).
    submitted = OrganisationalUpdate.objects.filter(quarter__annual_plan=plan, review_state="submitted").first()
    initiative_services.status_update_approve(user=editor, update=submitted)
    initiative_services.quarter_lock(user=editor, quarter=Quarter.objects.get(annual_plan=plan, number=1))
    q3_round = ReportingRound.objects.get(quarter__annual_plan=plan, quarter__number=3)
    round_change_due_date(user=editor, round_=q3_round, due_date=q3_round.due_date + timedelta(days=7))
    board_update_publish(
        user=editor,
        update=board_update_save(
            user=editor, quarter=quarter, message_fr="Très bonne année", highlights_fr="Une\nDeux"
        ),
        plan=plan,
    )
    annual_review_save(user=editor, plan=plan, lessons_fr="Ce que l'année nous a appris.")  # a draft: no PDF to make
    board_meeting_save(
        user=editor,
        plan=plan,
        fields={
            "date": quarter.end_date + timedelta(days=20),
            "title": "Conseil",
            "place": "En ligne",
            "quarter": quarter,
            "priority": priority,
        },
        agenda=[{"title": "Ouverture", "presenter": "La présidente", "notes": ""}],
    )
    Organisation.objects.create(name="Une alliance")
    plan_services.calendar_token_reset(user=users["board"])
    users["staff"].user_permissions.add(Permission.objects.get(codename="view_event"))
    LogEntry.objects.log_actions(
        user_id=users["admin"].pk,
        queryset=[event],
        action_flag=CHANGE,
        change_message="Titre changé",
        single_object=True,
    )
    client.post("/accounts/login/", {"username": "board", "password": "not the password"})
    # Two tables civicplan's sign-in settings leave empty (django-axes options that are off).
    AccessFailureLog.objects.create(username="board", ip_address="127.0.0.1", user_agent="test", path_info="/")
    AccessAttemptExpiration.objects.create(
        access_attempt=AccessAttempt.objects.get(), expires_at=timezone.now() + timedelta(minutes=15)
    )


def _link_tables() -> set[str]:
    """The tables Django makes for many-to-many fields: a row's own id there means nothing,
    and a backup (Django's serialisation) keeps the links, not those ids."""
    return {
        field.remote_field.through._meta.db_table
        for model in apps.get_models()
        for field in model._meta.local_many_to_many
        if field.remote_field.through._meta.auto_created
    }


def snapshot() -> dict[str, list]:
    """Every table's rows, order aside; ids of content types and permissions (which the
    database makes itself) replaced by their natural keys wherever they appear, and the
    ids of many-to-many links left out."""
    links = _link_tables()
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, app_label, model FROM django_content_type")
        content_types = {pk: (app, model) for pk, app, model in cursor.fetchall()}
        cursor.execute("SELECT id, content_type_id, codename FROM auth_permission")
        permissions = {pk: (content_types[ct], codename) for pk, ct, codename in cursor.fetchall()}
        natural = {CONTENT_TYPES: content_types, PERMISSIONS: permissions}
        tables = {}
        for table in sorted(set(connection.introspection.table_names(cursor)) - NOT_BACKED_UP):
            relations = connection.introspection.get_relations(cursor, table)
            columns = [column.name for column in connection.introspection.get_table_description(cursor, table)]
            translate = {
                index: natural[relations[name][1]]
                for index, name in enumerate(columns)
                if name in relations and relations[name][1] in natural
            }
            if table in natural:  # its own id: compared through its natural key
                translate[columns.index("id")] = natural[table]
            skip = columns.index("id") if table in links else None
            # A table's name, as the database's own catalogue gives it: nothing typed by anyone.
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608  # nosec B608
            rows = [
                tuple(
                    translate[i].get(value)
                    if i in translate
                    else bytes(value)
                    if isinstance(value, memoryview)
                    else value
                    for i, value in enumerate(row)
                    if i != skip
                )
                for row in cursor.fetchall()
            ]
            tables[table] = sorted(rows, key=repr)
    return tables


def backup(path) -> str:
    call_command("backup", "--output", str(path), stdout=(out := _Output()))
    return out.text


def restore(path) -> str:
    call_command("restore", "--noinput", str(path), stdout=(out := _Output()))
    return out.text


class _Output:
    def __init__(self):
        self.text = ""

    def write(self, text):
        self.text += text

    def flush(self):
        pass


def test_every_table_is_filled(full_database):
    empty = [table for table, rows in snapshot().items() if not rows]
    assert empty == []


def test_a_restore_into_an_empty_database_brings_back_every_tables_rows(full_database, tmp_path):
    before = snapshot()
    path = tmp_path / "civicplan.json.gz"
    out = backup(path)
    assert f"to {path}" in out and "SHA-256" in out
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # everything is in it: its owner reads it only
    rows = json.loads(gzip.decompress(path.read_bytes()))
    assert not {row["model"] for row in rows} & {"sessions.session", "contenttypes.contenttype", "auth.permission"}

    call_command("flush", interactive=False, verbosity=0)
    emptied = snapshot()
    assert {table for table, rows in emptied.items() if rows} == {CONTENT_TYPES, PERMISSIONS}

    out = restore(path)
    assert f"Restored {len(rows)} records" in out
    after = snapshot()
    assert after.keys() == before.keys()
    for table in before:
        assert after[table] == before[table], table

    # The restored database goes on working: new rows get new ids (sequences moved on).
    editor = get_user_model().objects.get(username="editor")
    plan = AnnualPlan.objects.get(slug="2022-23")
    created = plan_services.event_create(
        user=editor, plan=plan, title_fr="Après la restauration", quarter=plan.quarters.get(number=4)
    )
    assert created.pk > max(row[0] for row in before["priorities_event"])


def test_a_backup_restores_into_the_database_it_was_made_from(full_database, tmp_path):
    """Restoring replaces what is there: rows made since the backup are gone."""
    before = snapshot()
    backup(path := tmp_path / "civicplan.json.gz")
    Event.objects.all().delete()
    get_user_model().objects.create_user("since", password="x" * 20)
    version = versions.current()
    restore(path)
    assert snapshot() == before
    # The data changed back: a report stored for the version before the restore is not served.
    assert versions.current() != version


def test_a_backup_never_overwrites_a_file(full_database, tmp_path):
    path = tmp_path / "civicplan.json.gz"
    path.write_text("kept")
    with pytest.raises(CommandError, match="exists already"):
        backup(path)
    assert path.read_text() == "kept"
    assert list(tmp_path.iterdir()) == [path]


def _dangling_parent(path, good):
    rows = json.loads(gzip.decompress(good.read_bytes()))
    event = next(row for row in rows if row["model"] == "priorities.event")
    event["fields"]["quarter"] = 999_999
    path.write_text(json.dumps(rows))


def _bad_date(path, good):
    rows = json.loads(gzip.decompress(good.read_bytes()))
    event = next(row for row in rows if row["model"] == "priorities.event")
    event["fields"]["start_date"] = "2023-02-30"
    path.write_text(json.dumps(rows))


def _unknown_person(path, good):
    rows = json.loads(gzip.decompress(good.read_bytes()))
    update = next(row for row in rows if row["model"] == "initiatives.statusupdate" and row["fields"].get("author"))
    update["fields"]["author"] = ["nobody-of-that-name"]
    path.write_text(json.dumps(rows))


def _rows(good) -> list[dict]:
    return json.loads(gzip.decompress(good.read_bytes()))


def _edited_board_update(path, good):
    """The published board update's message changed in its HTML, its SHA-256 left as it was."""
    rows = _rows(good)
    published = next(r for r in rows if r["model"] == "reporting.boardupdate" and r["fields"]["state"] == "published")
    published["fields"]["html"] = published["fields"]["html"].replace("Très bonne année", "Très mauvaise année")
    path.write_bytes(gzip.compress(json.dumps(rows).encode()))


def _edited_annual_report(path, good):
    """A published annual report whose HTML is not the one its SHA-256 was made from."""
    rows = _rows(good)
    review = next(r for r in rows if r["model"] == "reporting.annualreview")
    review["fields"] |= {"state": "published", "html": "<p>Modifié</p>", "html_sha256": "0" * 64}
    path.write_bytes(gzip.compress(json.dumps(rows).encode()))


def _with_a_session(path, good):
    rows = _rows(good)
    rows.append(
        {
            "model": "sessions.session",
            "pk": "x" * 32,
            "fields": {"session_data": "e30:1:abc", "expire_date": "2099-01-01T00:00:00Z"},
        }
    )
    path.write_bytes(gzip.compress(json.dumps(rows).encode()))


def _flipped_byte(path, good):
    data = bytearray(good.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def _bomb(path, good):
    """A small gzip that expands past RESTORE_MAX_BYTES (set to 1 MB by the test)."""
    path.write_bytes(gzip.compress(b"[" + b" " * (2 * 2**20) + b"]"))


BAD_FILES = {
    "damaged.json.gz": (lambda path, good: path.write_bytes(good.read_bytes()[:2000]), "damaged or not a backup"),
    "text.json.gz": (lambda path, good: path.write_bytes(gzip.compress(b"not json")), "it is not JSON"),
    "object.json": (lambda path, good: path.write_text('{"model": "auth.user"}'), "not a list of database rows"),
    "empty.json": (lambda path, good: path.write_text("[]"), "holds no rows"),
    "latin1.json": (lambda path, good: path.write_bytes('[{"model": "é"}]'.encode("latin-1")), "it is not JSON"),
    "unknown.json": (
        lambda path, good: path.write_text('[{"model": "shop.order", "pk": 1, "fields": {}}]'),
        "shop.order, which this version of civicplan does not have",
    ),
    "dangling.json": (_dangling_parent, "Nothing was restored, the database is as it was"),
    "date.json": (_bad_date, "Nothing was restored, the database is as it was"),
    "person.json": (_unknown_person, "Nothing was restored, the database is as it was"),
    "backup.csv": (lambda path, good: path.write_text("model\n"), "a backup's name ends in .json.gz"),
    "missing.json.gz": (lambda path, good: None, "there is no such file"),
    "edited.json.gz": (_edited_board_update, "the HTML of the published board update .* is not what was published"),
    "annual.json.gz": (_edited_annual_report, "the HTML of the published annual report .* is not what was published"),
    "session.json.gz": (_with_a_session, "sessions.session, which a restore never brings back"),
    "flipped.json.gz": (_flipped_byte, "damaged or not a backup"),
    "bomb.json.gz": (_bomb, "more than 1 MB of data once uncompressed"),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_a_file_that_cannot_be_restored_whole_changes_nothing(full_database, tmp_path, name, settings):
    backup(good := tmp_path / "good.json.gz")
    if name == "bomb.json.gz":
        settings.RESTORE_MAX_BYTES = 2**20
    make, message = BAD_FILES[name]
    make(path := tmp_path / name, good)
    before = snapshot()
    with pytest.raises(CommandError, match=message):
        restore(path)
    assert snapshot() == before


def test_a_database_behind_its_migrations_is_not_restored_into(full_database, tmp_path):
    backup(path := tmp_path / "civicplan.json.gz")
    applied = MigrationRecorder.Migration.objects.filter(app="reporting").order_by("-id").first()
    applied.delete()
    try:
        before = snapshot()
        with pytest.raises(CommandError, match="not up to date with civicplan's migrations"):
            restore(path)
        assert snapshot() == before
    finally:
        # A transactional test's database is emptied after it, but not its record of
        # migrations: put the row back, or every later restore in this process refuses.
        MigrationRecorder.Migration.objects.create(app=applied.app, name=applied.name)


def test_restoring_asks_first(full_database, tmp_path, monkeypatch):
    backup(path := tmp_path / "civicplan.json.gz")
    Event.objects.all().delete()
    before = snapshot()
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="Nothing was restored"):
        call_command("restore", str(path))
    assert snapshot() == before
    assert ContentType.objects.exists()


def test_a_backup_reads_one_snapshot(seed_plan, tmp_path):
    """In its own transaction, REPEATABLE READ on PostgreSQL."""
    assert not connection.in_atomic_block
    out = backup(path := tmp_path / "civicplan.json.gz")
    rows = json.loads(gzip.decompress(path.read_bytes()))
    assert f"Backed up {len(rows)} records" in out
    assert sum(row["model"] == "priorities.strategicpriority" for row in rows) == 5


def _delete_one_in_the_admin(client, model) -> bool:
    """Delete one row of ``model`` through its admin delete page (as an admin would, with
    its cascade): the first the admin lets go (a locked quarter's record or a published
    board update is refused, a protected one is not offered). True when one went."""
    info = model._meta.app_label, model._meta.model_name
    for pk in model._default_manager.order_by("-pk").values_list("pk", flat=True)[:20]:
        url = reverse(f"admin:{info[0]}_{info[1]}_delete", args=[pk])
        if client.get(url).status_code != 200:
            continue
        response = client.post(url, {"post": "yes"})
        if response.status_code == 302 and not model._default_manager.filter(pk=pk).exists():
            return True
    return False


def test_after_deleting_one_of_every_kind_a_backup_restores_whole(full_database, tmp_path, client):
    """An organisation deletes things every day: an event on the site, then, in the
    admin, one row of every kind it offers (a person who wrote updates, an initiative, a
    priority with all it holds...). The backup still succeeds and restores every row."""
    editor = get_user_model().objects.get(username="editor")
    plan_services.event_delete(user=editor, event=Event.objects.filter(annual_plan=full_database).first())
    client.force_login(get_user_model().objects.get(username="admin"))
    # The users last: the admin signed in must stay. A person who wrote updates goes.
    models = sorted(admin.site._registry, key=lambda model: model is get_user_model())
    deleted = {model._meta.label for model in models if _delete_one_in_the_admin(client, model)}
    assert deleted >= {
        "auth.User",
        "auth.Group",
        "initiatives.Initiative",
        "initiatives.StatusUpdate",
        "initiatives.Indicator",
        "priorities.StrategicPriority",
        "priorities.ExpectedResult",
        "priorities.Event",
    }, deleted
    before = snapshot()
    backup(path := tmp_path / "civicplan.json.gz")
    call_command("flush", interactive=False, verbosity=0)
    restore(path)
    assert snapshot() == before
