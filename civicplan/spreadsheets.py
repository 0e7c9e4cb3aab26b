"""Spreadsheets in and out, safely: CSV and XLSX for django-import-export.

What the library does not do for us, done here once for every resource:
- read the files safely (civicplan/spreadsheet_files.py);
- say what is wrong, in words and with the file's line number, and import no row of
  a file that has any bad row;
- neutralise, on export, every cell that a spreadsheet program would run as a formula
  (``=``, ``+``, ``-``, ``@``, tab, carriage return), and undo it on import so that
  exporting then importing changes nothing. A CSV may be opened with another separator
  than the one it was written with (French spreadsheet programs split on ``;``), so a
  formula start after any separator inside a cell is escaped too.
"""

import re
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from import_export import resources, widgets

from .spreadsheet_files import SpreadsheetError, names_in_short, read_spreadsheet

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


class PlanResource(resources.ModelResource):
    """The rules every civicplan spreadsheet follows.

    Subclasses declare their columns; ``required_columns`` must all be present, and a
    column that is not known is refused (a typo would otherwise be ignored silently).
    Rows are found by ``import_id_fields``, built from natural keys.
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

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        for declared in self.fields.values():
            if type(declared.widget) is widgets.Widget:
                declared.widget = TextWidget()

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
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(exclude=errors.keys(), validate_unique=validate_unique, validate_constraints=False)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def column_problems(self, headers) -> str:
        known = {f.column_name for f in self.get_import_fields()}
        present = set(headers)
        missing = [c for c in self.required_columns if c not in present]
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
            row[key] = unneutralise(value.strip() if isinstance(value, str) else value)
        self._line = self._source_lines[kwargs["row_number"] - 1]

    def get_or_init_instance(self, instance_loader, row):
        # Two rows naming the same object (by what their key columns resolve to, so that
        # quarter "Q1" and "1" are the same) would silently overwrite each other.
        key = tuple(_identity(self.fields[name].clean(row)) for name in self.get_import_id_fields())
        first = self._first_line_of_key.setdefault(key, self._line)
        if first != self._line:
            raise ValidationError(
                _("This row repeats line %(first)s: it names the same %(what)s (columns %(columns)s).")
                % {"what": self._meta.model._meta.verbose_name, "first": first, "columns": ", ".join(self.key_columns)}
            )
        return super().get_or_init_instance(instance_loader, row)

    def import_instance(self, instance, row, **kwargs):
        before = {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}
        try:
            super().import_instance(instance, row, **kwargs)
        finally:
            # A text that differs only by its line endings is not a change.
            for name, old in before.items():
                if same_text(old, getattr(instance, name)):
                    setattr(instance, name, old)

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
