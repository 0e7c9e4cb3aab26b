"""The data version: a token that changes whenever anything a report reads changes.

Every write through Django's models moves it: a save, a delete or a many-to-many change of
a model of the plan's apps (``WATCHED_APPS``) or of a user (names are in the reports) sends
a signal, and the token is replaced once the write's transaction commits (once per
transaction, however many rows it wrote). That covers the site's services, the admin, the
spreadsheet imports, fixtures (``loaddata`` sends its signals too) and restores. A write
that sends no signal (``QuerySet.update``, ``bulk_create``, raw SQL) calls ``changed()``.

Replaced after the commit, never inside the transaction: a reader who reads the token then
the data always reads data at least as new as the token, so a report stored under a token
is never older than the data that token stands for (it may be newer, which is harmless: the
next write moves the token again). Nor does a writer hold a lock on the one row while its
transaction runs: concurrent writers never wait for each other here, and never deadlock.
"""

import uuid

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

WATCHED_APPS = frozenset({"priorities", "initiatives", "reporting", "civicplan"})
# What reports do not read, or what is made from the version itself.
IGNORED_MODELS = frozenset({"civicplan.dataversion", "reporting.reportfile"})


def current() -> str:
    """The token now (one query); made on first use."""
    from .models import DataVersion

    token = DataVersion.objects.filter(pk=DataVersion.ONE).values_list("token", flat=True).first()
    return token if token is not None else _replace()


def changed(using: str = "default") -> None:
    """The data changed: the token is replaced when the current transaction commits (now,
    outside one). Called any number of times in one transaction, it replaces it once."""
    if not settings.DATA_VERSION_AFTER_COMMIT:
        _replace()  # the test suite's (its tests run inside transactions that never commit)
        return
    connection = transaction.get_connection(using)
    if connection.in_atomic_block and any(callback is _replace for _, callback, _ in connection.run_on_commit):
        return
    transaction.on_commit(_replace, using=using)


def _replace() -> str:
    from .models import DataVersion

    token, now = uuid.uuid4().hex, timezone.now()
    if not DataVersion.objects.filter(pk=DataVersion.ONE).update(token=token, changed_at=now):
        DataVersion.objects.get_or_create(pk=DataVersion.ONE, defaults={"token": token, "changed_at": now})
    return token


def watched(model) -> bool:
    label = model._meta.label_lower
    return label not in IGNORED_MODELS and (model._meta.app_label in WATCHED_APPS or model is get_user_model())


# What of a user a report shows: their name. A sign-in (last_login) changes no report.
USER_FIELDS_SHOWN = frozenset({"username", "first_name", "last_name"})


def _on_write(sender, using="default", update_fields=None, **kwargs):
    if sender is get_user_model() and update_fields is not None and not USER_FIELDS_SHOWN & set(update_fields):
        return
    changed(using)


def _on_m2m(sender, action, using="default", **kwargs):
    if action.startswith("post_"):
        changed(using)


def connect() -> None:
    """Listen to the writes of every watched model (CivicplanConfig.ready), and of no other:
    a model with a delete signal is deleted row by row, read first (Django's Collector), so
    the others keep their one-query deletes."""
    for model in apps.get_models(include_auto_created=True):
        if watched(model):
            label = model._meta.label_lower
            post_save.connect(_on_write, sender=model, dispatch_uid=f"civicplan.versions.save.{label}")
            post_delete.connect(_on_write, sender=model, dispatch_uid=f"civicplan.versions.delete.{label}")
            if model._meta.auto_created:  # a many-to-many table
                m2m_changed.connect(_on_m2m, sender=model, dispatch_uid=f"civicplan.versions.m2m.{label}")
