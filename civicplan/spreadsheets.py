"""Spreadsheets in and out, safely: CSV and XLSX for django-import-export.

What the library does not do for us, done here once for every resource:
- read the files safely (civicplan/spreadsheet_files.py);
- say what is wrong, in words and with the file's line number, and import no row of
  a file that has any bad row;
- neutralise, on export, every cell that a spreadsheet program would run as a formula
  (``=``, ``+``, ``-``, ``@``, tab, carriage return), and undo it on import so that
  exporting then importing changes nothing. A CSV may be opened with another separator
  than the one it was written with (French spreadsheet programs split on ``;``), so a
  formula start after any separator inside a cell is escaped too;
- import thousands of rows at a bounded number of queries: the rows a file names that
  exist already are read in one query (:class:`ExistingRows`), the things rows name by
  number once per table (``cached_lookup``), and a resource with ``use_bulk`` writes its
  rows and their history in batches (:meth:`PlanResource.bulk_create`), all or none as
  before, a database refusal still told with its line.
"""

import copy
import re
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connections, models, router, transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from import_export import fields, resources, widgets
from import_export.instance_loaders import ModelInstanceLoader
from import_export.results import RowResult
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from . import versions
from .spreadsheet_files import SpreadsheetError, names_in_short, read_spreadsheet
from .translations import default_language_field, language_columns, translated_fields

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"
# Characters a spreadsheet program may split a CSV line on, whatever it was written with.
SEPARATORS = ",;\t|"
_FORMULA_CLASS = "[" + re.escape("".join(FORMULA_PREFIXES)) + "]"
# After a separator, a run of apostrophes then a formula start: one apostrophe is added
# on export and removed on import, so the mapping is reversible.
_INNER = re.compile(f"([{re.escape(SEPARATORS)}])(?='*{_FORMULA_CLASS})")
_INNER_ESCAPED = re.compile(f"([{re.escape(SEPARATORS)}]){ESCAPE}(?='*{_FORMULA_CLASS})")


_lookups: ContextVar[dict | None] = ContextVar("spreadsheet_lookups", default=None)


def cached_lookup(key: tuple, find):
    """``find()``, once per ``key`` within one import: a file names the same priority,
    quarter or initiative on many rows, and each would otherwise cost a query."""
    cache = _lookups.get()
    if cache is None:
        return find()
    if key not in cache:
        cache[key] = find()
    return cache[key]


def normalised(value):
    """A cell as the import reads it: text stripped, an export's formula escape undone."""
    return unneutralise(value.strip() if isinstance(value, str) else value)


def neutralise(value):
    """Make a text cell inert in a spreadsheet program: ``=1+1`` becomes ``'=1+1``, and
    ``note;=2*21`` becomes ``'note;'=2*21`` (inert whichever separator splits it)."""
    if not isinstance(value, str):
        return value
    inner = _INNER.sub(r"\1" + ESCAPE, value)
    if inner != value or value.startswith(FORMULA_PREFIXES + (ESCAPE,)):
        return ESCAPE + inner
    return value


def unneutralise(value):
    """Undo :func:`neutralise`, so that an exported file imports unchanged.

    A workbook's XML turns a carriage return into a line feed, so ``'\n`` is undone too.
    """
    if not (isinstance(value, str) and value.startswith(ESCAPE)):
        return value
    rest = value[1:]
    if rest.startswith(FORMULA_PREFIXES + (ESCAPE, "\n")) or _INNER_ESCAPED.search(rest):
        return _INNER_ESCAPED.sub(r"\1", rest)
    return value


def same_text(a, b) -> bool:
    """Equal but for line endings: browsers send \r\n, a workbook gives back \n."""
    if not (isinstance(a, str) and isinstance(b, str)):
        return False
    return a.replace("\r\n", "\n").replace("\r", "\n") == b.replace("\r\n", "\n").replace("\r", "\n")


class TextWidget(widgets.Widget):
    """Text: an empty cell is an empty text (not NULL), a number typed in it is its text."""

    def clean(self, value, row=None, **kwargs):
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value)

    def render(self, value, obj=None, **kwargs):
        return value if value is not None else ""


def _key_part(value):
    """What a key column's value is to the database: an object's primary key, else itself."""
    return value.pk if isinstance(value, models.Model) else value


class ExistingRows(ModelInstanceLoader):
    """The rows of the resource's model that the file names, read before its first row is
    imported: one query (per ``CHUNK`` keys) instead of one per row.

    Each data row's key columns are read as the import will read them (``key_values``);
    a row whose key cannot be read is left to its turn, which will say why. A key that was
    not asked here (a row that changes its key in ``before_import_row``) is looked up
    alone, as the library does."""

    CHUNK = 500

    def __init__(self, resource, dataset=None):
        super().__init__(resource, dataset)
        self.found: dict[tuple, models.Model] = {}
        self.asked: set[tuple] = set()
        self.read_rows: dict[int, tuple] = {}  # row number: (its cells, what its key columns name)
        if dataset is not None and dataset.headers:
            self._read(dataset)

    def _read(self, dataset) -> None:
        resource = self.resource
        model = resource._meta.model
        names = list(resource.get_import_id_fields())
        model_fields = [model._meta.get_field(resource.fields[name].attribute) for name in names]
        keys: dict[tuple, tuple] = {}
        for number, data in enumerate(dataset, 1):
            row = {header: normalised(value) for header, value in zip(dataset.headers, data, strict=False)}
            try:
                values = resource.key_values(row)
            except Exception:  # noqa: BLE001, S112 - the row says what is wrong when it is imported
                continue
            keys.setdefault(tuple(_key_part(v) for v in values), values)
            self.read_rows[number] = (tuple(row.values()), values)
        queryset = resource.get_queryset().order_by()
        joined = queryset.query.select_related
        if isinstance(joined, dict) and set(joined) <= {f.name for f in model_fields if f.is_relation}:
            # It joins only what the rows' key columns name: their objects are set below.
            queryset = queryset.select_related(None)
        pending = list(keys)
        for start in range(0, len(pending), self.CHUNK):
            chunk = pending[start : start + self.CHUNK]
            lookups = {f"{f.name}__in": {key[i] for key in chunk} for i, f in enumerate(model_fields)}
            for instance in queryset.filter(**lookups):
                key = tuple(getattr(instance, f.attname) for f in model_fields)
                if key in keys:
                    # The objects the row's widgets found, so that the row and the instance
                    # share them (no second copy, no query to read them again).
                    for f, value in zip(model_fields, keys[key], strict=True):
                        if f.is_relation and isinstance(value, models.Model):
                            f.set_cached_value(instance, value)
                    self.found[key] = instance
            self.asked.update(chunk)

    def key_values(self, number: int, row) -> tuple | None:
        """What row ``number``'s key columns name, read here already, if the row is as it was
        read (``before_import_row`` may change a row: then it is read again)."""
        cells, values = self.read_rows.get(number, (None, None))
        return values if cells is not None and cells == tuple(row.values()) else None

    def find(self, values: tuple, row):
        key = tuple(_key_part(v) for v in values)
        if key in self.asked:
            return self.found.get(key)
        return self.get_instance(row)


def _concrete_field(instance, name):
    """The model's column that a resource field writes (``initiative``), if it is one."""
    try:
        model_field = instance._meta.get_field(name)
    except Exception:  # noqa: BLE001 - not a model field: a property, a path
        return None
    return model_field if getattr(model_field, "concrete", False) and not model_field.many_to_many else None


def _copied_sharing_relations(instance) -> None:
    """Let the library's copy of ``instance`` (the row's "before", for its diff) share the
    related objects instead of copying them: the import rebinds them, it never changes
    them, and a deep copy of each row's initiative, priority, plan and quarter was most of
    a preview's time. Undone when the row is read into the instance (import_instance)."""

    def __deepcopy__(memo):
        duplicate = copy.copy(instance)  # its own fields and field cache, the same related objects
        duplicate.__dict__.pop("__deepcopy__", None)
        for name, value in duplicate.__dict__.items():
            if isinstance(value, dict):  # its own prefetched lists, its own "as read" (ReviewedUpdate)
                duplicate.__dict__[name] = dict(value)
        return duplicate

    instance.__deepcopy__ = __deepcopy__


# The columns django-simple-history adds to a history table, besides the model's own.
HISTORY_COLUMNS = {"history_id", "history_date", "history_change_reason", "history_type", "history_user"}


def history_copier(model):
    """A writer of the history of rows of ``model`` just written, or None if its history
    table is not of django-simple-history's usual shape (its own bulk functions are then
    used). It copies the rows into the history table in the database (INSERT ... SELECT),
    the history django-simple-history would write for them (``bulk_history_create``): the
    same columns, one date, the type ("+" new, "~" changed), the user and no reason. For
    thousands of rows, building a history object per row in Python cost as much as writing
    the rows themselves."""
    history_model = getattr(model, model._meta.simple_history_manager_attribute).model
    tracked = list(history_model.tracked_fields)
    columns = {f.name: f for f in history_model._meta.concrete_fields}
    if set(columns) != {f.name for f in tracked} | HISTORY_COLUMNS:
        return None  # columns of its own (a custom user field, extra fields): its way
    if not isinstance(columns["history_id"], models.AutoField):
        return None  # ids made in Python (SIMPLE_HISTORY_HISTORY_ID_USE_UUID)

    def copy_rows(pks, history_type, user, instance) -> None:
        if not getattr(settings, "SIMPLE_HISTORY_ENABLED", True):
            return
        if user is None:  # as django-simple-history: the request's user, if any (its middleware)
            user = history_model.get_default_history_user(instance)
        now = timezone.now()
        extra = {
            "history_date": models.Value(now, output_field=columns["history_date"]),
            "history_change_reason": models.Value(None, output_field=columns["history_change_reason"]),
            "history_type": models.Value(history_type, output_field=columns["history_type"]),
            "history_user": models.Value(getattr(user, "pk", None), output_field=columns["history_user"]),
        }
        using = router.db_for_write(history_model)
        quote = connections[using].ops.quote_name
        target = ", ".join(quote(columns[name].column) for name in [*(f.name for f in tracked), *extra])
        for start in range(0, len(pks), ExistingRows.CHUNK):
            rows = (
                model._base_manager.using(using)
                .filter(pk__in=pks[start : start + ExistingRows.CHUNK])
                .order_by()
                .annotate(**{f"_h_{name}": value for name, value in extra.items()})
                .values_list(*(f.name for f in tracked), *(f"_h_{name}" for name in extra))
            )
            select, params = rows.query.sql_with_params()
            with connections[using].cursor() as cursor:
                cursor.execute(f"INSERT INTO {quote(history_model._meta.db_table)} ({target}) {select}", params)

    return copy_rows


def _resolved_relations(instance) -> set[str]:
    """The foreign keys of ``instance`` that hold an object read from the database during
    this import (by a widget, or with the row itself): checking that it exists again would
    cost a query per row and per key. The database's constraints remain the last guard."""
    names = set()
    for f in instance._meta.concrete_fields:
        if not f.many_to_one or f.remote_field.limit_choices_to or not f.is_cached(instance):
            continue
        related = f.get_cached_value(instance)
        if related is not None and related.pk is not None and related.pk == getattr(instance, f.attname):
            names.add(f.name)
    return names


def _stored_fields(instance) -> list:
    """The columns of ``instance`` that hold what it is: each language's column of a
    translated text (``title_fr``, ``title_en``), not the field that reads one of them in
    the active language (``title``: writing it back would copy a fallback into a missing
    translation)."""
    translated = translated_fields(type(instance))
    return [f for f in instance._meta.concrete_fields if f.name not in translated]


def _columns_as_stored(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in _stored_fields(instance)}


class PlanResource(resources.ModelResource):
    """The rules every civicplan spreadsheet follows.

    Subclasses declare their columns; ``required_columns`` must all be present (a text of
    the plan, in its default language: ``title`` asks for ``title_fr``), and a column that
    is not known is refused (a typo would otherwise be ignored silently). A text of the plan
    is a column per language (``title_fr``, ``title_en``).
    Rows are found by ``import_id_fields``, built from natural keys, all in one query
    (:class:`ExistingRows`).

    A subclass whose model has no many-to-many column and no ``save()`` rule that its
    resource does not apply itself may set ``use_bulk`` in its Meta: its rows are then
    written, with their history, ``batch_size`` at a time (each row is validated first, as
    always), and the data version is moved once (``civicplan.versions``), as the signals
    that bulk writes do not send would have moved it.
    """

    #: The columns that name the row's object (its natural key); two rows naming the
    #: same object are refused.
    key_columns: tuple[str, ...] = ()
    required_columns: tuple[str, ...] = ()

    class Meta:
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True
        instance_loader_class = ExistingRows
        batch_size = 500

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        for declared in self.fields.values():
            if type(declared.widget) is widgets.Widget:
                declared.widget = TextWidget()
        self._language_columns = self._text_in_each_language()

    def _text_in_each_language(self) -> dict[str, tuple[str, ...]]:
        """The plan's text (a ``title`` field) becomes a column per language, in its place:
        ``title_fr``, ``title_en``, each read and written as is, so that exporting then
        importing changes nothing and a text is never written into another language's
        column. A file may leave out a language's column: that language is left as it is.
        Returns each such field's columns, by the field's name."""
        translated = translated_fields(self._meta.model)
        columns = {}
        for name, declared in list(self.fields.items()):
            if declared.attribute not in translated:
                continue
            del self.fields[name]
            each = language_columns(name, declared.column_name, declared.attribute)
            for field_name, column, attribute in each:
                self.fields[field_name] = fields.Field(attribute=attribute, column_name=column, widget=TextWidget())
            columns[name] = tuple(field_name for field_name, _column, _attribute in each)
        return columns

    def _in_each_language(self, names) -> tuple[str, ...]:
        ordered = []
        for name in names:
            ordered += [each for each in self._language_columns.get(name, (name,)) if each not in ordered]
        return tuple(ordered)

    def get_import_order(self):
        return self._in_each_language(super().get_import_order())

    def get_export_order(self):
        return self._in_each_language(super().get_export_order())

    @property
    def needed_columns(self) -> tuple[str, ...]:
        """The columns a file must have: ``required_columns``, a text's in its default
        language (``title_fr``; the others may be left out)."""
        return tuple(
            default_language_field(name) if name in self._language_columns else name for name in self.required_columns
        )

    def import_data(self, dataset, **kwargs):
        # Messages name the file's lines; blank lines were dropped, so keep the map.
        self._source_lines = getattr(dataset, "source_lines", None) or [n + 1 for n in range(1, len(dataset) + 1)]
        problems = self.column_problems(dataset.headers or [])
        if problems:
            # Refused before any row is read: every row would fail the same way.
            result = self.get_result_class()()
            result.total_rows = len(dataset)
            result.append_base_error(self.get_error_result_class()(SpreadsheetError(problems)))
            return result
        self._first_line_of_key = {}
        self._import_user = kwargs.get("user")
        self._bulk_rows: dict[int, list] = {}  # id(instance): [row number, its RowResult]
        self._last_bulk = None
        self._bulk_wrote = False
        # Only a preview shows each row's diff (the library's admin page): an import that
        # writes makes none, nor the copy of each row it is made from. Unchanged rows are
        # still told and skipped, by what they held before (skip_row).
        self._meta = copy.copy(type(self)._meta)
        self._meta.skip_diff = type(self)._meta.skip_diff or not kwargs.get("dry_run", False)
        # All or nothing: without these the library commits the good rows of a bad file.
        kwargs["use_transactions"] = True
        kwargs["rollback_on_validation_errors"] = True
        token = _lookups.set({})
        try:
            result = super().import_data(dataset, **kwargs)
        finally:
            _lookups.reset(token)
        result.source_lines = self._source_lines
        return result

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # The model's constraints are left to the database: each has a friendlier check
        # in the fields or in clean(), and checking them here would cost a query apiece
        # on every row.
        # Nor is a foreign key that holds an object read in this import (a query apiece too).
        errors = dict(import_validation_errors or {})
        # A translated text is checked in each language's column (the original field reads
        # one of them), each its own column.
        exclude = set(errors) | _resolved_relations(instance) | translated_fields(type(instance))
        try:
            instance.full_clean(exclude=exclude, validate_unique=validate_unique, validate_constraints=False)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def column_problems(self, headers) -> str:
        known = {f.column_name for f in self.get_import_fields()}
        present = set(headers)
        missing = [c for c in self.needed_columns if c not in present]
        unknown = [h for h in headers if h not in known]
        problems = []
        if missing:
            problems.append(_("missing columns: %(names)s") % {"names": ", ".join(missing)})
        if unknown:
            problems.append(
                _("unknown columns: %(names)s (known: %(known)s)")
                % {"names": names_in_short(unknown), "known": ", ".join(sorted(known))}
            )
        if not problems:
            return ""
        return _("The columns do not fit: %(problems)s.") % {"problems": "; ".join(problems)}

    def before_import_row(self, row, **kwargs):
        for key, value in row.items():
            row[key] = normalised(value)
        self._row_number = kwargs["row_number"]
        self._line = self._source_lines[self._row_number - 1]

    def key_values(self, row) -> tuple:
        """What the row's key columns name (objects, numbers, text), as its widgets read them."""
        return tuple(self.fields[name].clean(row) for name in self.get_import_id_fields())

    def get_or_init_instance(self, instance_loader, row):
        # Two rows naming the same object (by what their key columns resolve to, so that
        # quarter "Q1" and "1" are the same) would silently overwrite each other.
        values = None
        if isinstance(instance_loader, ExistingRows):
            values = instance_loader.key_values(self._row_number, row)
        if values is None:
            values = self.key_values(row)
        key = tuple(_identity(v) for v in values)
        first = self._first_line_of_key.setdefault(key, self._line)
        if first != self._line:
            raise ValidationError(
                _("This row repeats line %(first)s: it names the same %(what)s (columns %(columns)s).")
                % {"what": self._meta.model._meta.verbose_name, "first": first, "columns": ", ".join(self.key_columns)}
            )
        if isinstance(instance_loader, ExistingRows):
            instance = instance_loader.find(values, row)
            instance, new = (instance, False) if instance is not None else (self.init_instance(row), True)
        else:
            instance, new = super().get_or_init_instance(instance_loader, row)
        if not self._meta.skip_diff:
            _copied_sharing_relations(instance)
        return instance, new

    def import_instance(self, instance, row, **kwargs):
        instance.__dict__.pop("__deepcopy__", None)  # the copy is made (_copied_sharing_relations)
        before = _columns_as_stored(instance)
        try:
            super().import_instance(instance, row, **kwargs)
        finally:
            # A text that differs only by its line endings is not a change, nor an empty cell
            # over a text never written (a translation left NULL).
            for name, old in before.items():
                new = getattr(instance, name)
                if new is not old and (same_text(old, new) or (old is None and new == "")):
                    setattr(instance, name, old)
            instance._import_before = before  # what skip_row and a bulk update compare with

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """Unchanged rows are skipped, as the library skips them, but without its copy of the
        row's object when it makes no diff (an import that writes): the columns are compared
        with what the object held before the row was read into it."""
        if original is not None or not self._meta.skip_unchanged or import_validation_errors:
            return super().skip_row(instance, original, row, import_validation_errors)
        before = getattr(instance, "_import_before", None)
        if instance.pk is None or before is None:
            return False  # a new object: every column names something (its key, at least)
        for column in self.get_import_fields():
            if column.attribute is None:
                continue  # a column only written (the plan's slug): nothing of the object
            if isinstance(column.widget, widgets.ManyToManyWidget):
                if column.column_name not in row:
                    continue
                # Not set on the object yet (save_m2m does): the row's against the database's.
                new = sorted(v.pk for v in column.clean(row))
                if new != sorted(v.pk for v in column.get_value(instance).all()):
                    return False
                continue
            model_field = _concrete_field(instance, column.attribute)
            if model_field is None or before[model_field.attname] != getattr(instance, model_field.attname):
                return False
        return True

    # Bulk writes (Meta.use_bulk) ------------------------------------------------------

    def save_instance(self, instance, is_create, row, **kwargs):
        if self._meta.use_bulk:
            # Which row an instance waiting for its batch came from, for the messages.
            self._bulk_rows[id(instance)] = [kwargs["row_number"], None]
            self._last_bulk = id(instance)
        super().save_instance(instance, is_create, row, **kwargs)

    def after_import_row(self, row, row_result, **kwargs):
        super().after_import_row(row, row_result, **kwargs)
        waiting = self._bulk_rows.get(self._last_bulk)
        if waiting is not None and waiting[0] == kwargs.get("row_number"):
            waiting[1] = row_result

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        instances, self.create_instances = self.create_instances, []
        self._bulk_write(instances, True, using_transactions, dry_run, raise_errors, result)

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        instances, self.update_instances = self.update_instances, []
        self._bulk_write(instances, False, using_transactions, dry_run, raise_errors, result)

    def _bulk_write(self, instances, create, using_transactions, dry_run, raise_errors, result) -> None:
        """Write ``instances`` (validated one by one already) and their history. A refusal
        by the database is told on its row's line, as a row-by-row import tells it: the
        batch is tried again row by row, in savepoints, to find which (the whole import is
        rolled back anyway)."""
        rows = [self._bulk_rows.pop(id(instance), (None, None)) for instance in instances]
        if not instances or (dry_run and not using_transactions):
            return
        model = self._meta.model
        fields = [] if create else self._changed_fields(instances)
        try:
            with transaction.atomic(using=self.get_db_connection_name()):
                self._write(model, instances, create, fields)
        except Exception as error:  # noqa: BLE001 - the rows are told, then rolled back
            if raise_errors:
                raise
            if not self._blame_rows(model, instances, rows, create, fields, result):
                self.handle_import_error(result, error, raise_errors)
            return
        self._bulk_wrote = True

    def _write(self, model, instances, create, fields) -> None:
        size = self._meta.batch_size or None
        manager = model._default_manager
        user = self._import_user if getattr(self._import_user, "is_authenticated", False) else None
        if not hasattr(model._meta, "simple_history_manager_attribute"):  # no history (django-simple-history)
            if create:
                manager.bulk_create(instances, batch_size=size)
            else:
                manager.bulk_update(instances, fields, batch_size=size)
            return
        copied = history_copier(model)
        returns_keys = connections[router.db_for_write(model)].features.can_return_rows_from_bulk_insert
        if create and copied is not None and returns_keys:
            manager.bulk_create(instances, batch_size=size)
            copied([instance.pk for instance in instances], "+", user, instances[0])
        elif create:  # the history is not of the usual shape, or the database gives no keys back
            bulk_create_with_history(instances, model, batch_size=size, default_user=user)
        elif copied is not None:
            manager.bulk_update(instances, fields, batch_size=size)
            copied([instance.pk for instance in instances], "~", user, instances[0])
        else:
            bulk_update_with_history(instances, model, fields, batch_size=size, default_user=user)

    @staticmethod
    def _changed_fields(instances) -> list[str]:
        """The columns a bulk update writes: those that any of ``instances`` changed (``save()``
        would write them all), and the ``auto_now`` dates, set as ``save()`` sets them."""
        names = set()
        for instance in instances:
            before = getattr(instance, "_import_before", {})
            for f in _stored_fields(instance):
                if f.primary_key:
                    continue
                if getattr(f, "auto_now", False):
                    f.pre_save(instance, add=False)
                    names.add(f.name)
                elif f.attname not in before or before[f.attname] != getattr(instance, f.attname):
                    names.add(f.name)
        return sorted(names)

    def _blame_rows(self, model, instances, rows, create, fields, result) -> bool:
        """Write each instance alone to find the rows the database refuses; mark them as
        errors of their rows. False if none is refused alone."""
        blamed = False
        manager = model._default_manager
        for instance, (number, row_result) in zip(instances, rows, strict=True):
            try:
                with transaction.atomic(using=self.get_db_connection_name()):
                    if create:
                        manager.bulk_create([instance])
                    else:
                        manager.bulk_update([instance], fields)
            except Exception as error:  # noqa: BLE001
                if number is None or row_result is None or result is None:
                    continue
                blamed = True
                failure = self.get_error_result_class()(error, number=number)
                row_result.errors.append(failure)
                if any(counted is row_result for counted in result.rows):
                    # A row of an earlier batch, counted already (the row being imported
                    # when its batch is written is counted next, by the library).
                    result.totals[row_result.import_type] -= 1
                    result.totals[RowResult.IMPORT_TYPE_ERROR] += 1
                    result.append_error_row(number, {}, [failure])
                row_result.import_type = RowResult.IMPORT_TYPE_ERROR
        return blamed

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        written = self._bulk_wrote and not (result.has_errors() or result.has_validation_errors())
        if written and not self._is_dry_run(kwargs):
            # Bulk writes send no post_save signal: the data version is moved here, once
            # (after the commit; an import rolled back for a bad row moves nothing).
            versions.changed(self.get_db_connection_name())

    def export(self, queryset=None, **kwargs):
        dataset = super().export(queryset, **kwargs)
        # A workbook's sheet and title: the model's name in the reader's language ("Events").
        dataset.title = str(capfirst(self._meta.model._meta.verbose_name_plural))
        return dataset

    def export_field(self, field, instance, **kwargs):
        value = super().export_field(field, instance, **kwargs)
        if isinstance(field.widget, (widgets.NumberWidget, widgets.DateWidget)):
            return value
        return neutralise(value)


@dataclass
class ImportReport:
    """What an import did, or would do: counts, and every problem with its file line."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            return ngettext(
                "Nothing was imported: %(count)s problem.",
                "Nothing was imported: %(count)s problems.",
                len(self.errors),
            ) % {"count": len(self.errors)}
        return _("%(new)s new, %(updated)s changed, %(unchanged)s unchanged.") % {
            "new": self.new,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }


def _identity(value):
    return value.pk if hasattr(value, "pk") else str(value).strip().lower()


def _messages(error) -> list[str]:
    if isinstance(error, ValidationError):
        return error.messages
    return [str(error)]


def report_from_result(result) -> ImportReport:
    """Turn an import-export result into a report whose lines are the file's lines
    (the first line names the columns, so data row N is line N + 1)."""
    totals = result.totals
    report = ImportReport(new=totals.get("new", 0), updated=totals.get("update", 0), unchanged=totals.get("skip", 0))
    for error in result.base_errors:
        report.errors.extend(_messages(error.error))
    lines = getattr(result, "source_lines", None)

    def line_of(number):
        return lines[number - 1] if lines else number + 1

    for row in result.error_rows:
        for error in row.errors:
            for message in _messages(error.error):
                report.errors.append(
                    _("Line %(line)s: %(message)s") % {"line": line_of(row.number), "message": message}
                )
    for row in result.invalid_rows:
        for field_name, messages in row.error_dict.items():
            for message in messages:
                if field_name == NON_FIELD_ERRORS:
                    text = message
                else:
                    text = f"{field_name}: {message}"
                report.errors.append(_("Line %(line)s: %(message)s") % {"line": line_of(row.number), "message": text})
    return report


def import_spreadsheet(resource, data: bytes, file_format: str, *, dry_run: bool, user=None) -> ImportReport:
    """Read ``data`` and import it with ``resource``: every row, or none if any is bad."""
    try:
        dataset = read_spreadsheet(data, file_format)
    except SpreadsheetError as error:
        return ImportReport(errors=[str(error)])
    result = resource.import_data(dataset, dry_run=dry_run, raise_errors=False, user=user)
    return report_from_result(result)
