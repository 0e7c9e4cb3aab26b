"""Helpers shared by several test modules: reading the plan's edit forms back from their
pages, a local socket that counts the connections made to it, and the role groups."""

import importlib
import re
import socket
import threading
import time

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.test import Client

PLAN_FIXTURE = settings.BASE_DIR / "fixtures" / "annual_plan_2022_23.json"
DEMO_FIXTURE = settings.BASE_DIR / "fixtures" / "demo_progress_2022_23.json"
DEMO_USERNAMES = ["admin", "editor", "staff", "staff2", "board"]


def client_in(language: str, **kwargs) -> Client:
    """A browser whose reader chose ``language`` with the language switch (the cookie that
    Django's set_language sets). A browser's Accept-Language is not a choice: the site's
    LANGUAGE_CODE wins over it (civicplan.middleware.SiteLanguageMiddleware)."""
    client = Client(**kwargs)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def form_as_shown(client, page_url, **changes):
    """What the edit form at ``page_url`` posts back when the editor changes ``changes``:
    the values it showed (with its fingerprint), as a browser sends them."""
    response = client.get(page_url)
    assert response.status_code == 200
    form = response.context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {name: "" if value is None else value for name, value in data.items()}
    data.update(changes)
    return data


def field_block(response, name) -> str:
    """The HTML of one field of a form page: its label, input, help and errors."""
    html = response.content.decode()
    match = re.search(
        rf'<div class="form-field" id="field-{name}">(.*?)</div>\s*(?=<div class="form-field"|<div class="grid")',
        html,
        re.S,
    )
    assert match, f"no field {name} on the page"
    return match.group(1)


class Listener:
    """A real TCP socket on 127.0.0.1 that counts every connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.05)
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _address = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted += 1
            conn.close()  # An immediate hang-up: a fetcher fails fast instead of waiting 10 s.

    def connections(self) -> int:
        time.sleep(0.3)  # A connection made at the very end of a render still gets counted.
        return self.accepted

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


def recreate_roles() -> None:
    """The role groups and their permissions, made by the same code as their data migrations.
    A transactional test (a browser test, a restore) ends with a flush that takes them away,
    and pytest-django runs those tests after the others, one after another."""
    from django.apps import apps

    importlib.import_module("initiatives.migrations.0003_roles").create_groups(apps, None)
    importlib.import_module("reporting.migrations.0002_board_update_permissions").grant(apps, None)
    importlib.import_module("reporting.migrations.0004_annual_review_permissions").grant(apps, None)
    importlib.import_module("initiatives.migrations.0008_roles_for_organisational_tracking").grant(apps, None)
    importlib.import_module("reporting.migrations.0006_board_meeting_permissions").grant(apps, None)


def table_rows(*models_or_app_labels) -> dict:
    """Every row of the given models (or of every model of the given apps, their history
    included), column by column, in primary-key order: one query a table. Two equal
    snapshots mean nothing was added, changed or deleted in between. A translated text is
    read in each language's column as stored (``title_fr``, ``title_en``), whatever language
    is active: django-modeltranslation reads ``title`` in the active language, falling back
    to the default one, which cannot tell an English text from a missing one, nor NULL from
    an empty text."""
    from django.apps import apps

    from civicplan.translations import translated_fields

    models = []
    for each in models_or_app_labels:
        models += list(apps.get_app_config(each).get_models()) if isinstance(each, str) else [each]
    rows = {}
    for model in models:
        translated = translated_fields(model)
        names = [f.attname for f in model._meta.concrete_fields if f.name not in translated]
        rows[model._meta.label] = list(model._base_manager.order_by("pk").values_list(*names))
    return rows


def refused_by_database(write):
    """Run ``write`` in its own savepoint and tell whether the database refused it."""
    try:
        with transaction.atomic():
            write()
    except (IntegrityError, DatabaseError):
        return True
    return False
