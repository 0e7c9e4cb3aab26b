"""Spreadsheets in and out, safely: CSV and XLSX for django-import-export.

What the library does not do for us, done here once for every resource:
- refuse a file beyond a size, a row count or (for XLSX, a zip) an unpacked size,
  before reading it whole: a small zip bomb expands to hundreds of megabytes;
- refuse a CSV that is not UTF-8 text (UTF-8 with a byte-order mark is fine), and an
  XLSX with formula cells (without a cached value they would import as empty);
- say what is wrong, in words and with the file's line number, and import no row of
  a file that has any bad row;
- neutralise, on export, every cell that a spreadsheet program would run as a formula
  (``=``, ``+``, ``-``, ``@``, tab, carriage return), and undo it on import so that
  exporting then importing changes nothing.
"""

import csv
import io
import zipfile
from contextvars import ContextVar
from dataclasses import dataclass, field

import tablib
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from import_export import resources, widgets
from import_export.formats import base_formats

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
KNOWN_BINARIES = [
    (b"%PDF", gettext_lazy("a PDF document")),
    (b"\x89PNG", gettext_lazy("a PNG image")),
    (b"\xff\xd8\xff", gettext_lazy("a JPEG image")),
    (b"GIF8", gettext_lazy("a GIF image")),
    (b"\xd0\xcf\x11\xe0", gettext_lazy("an old Excel or Word file (XLS, DOC): save it as XLSX or CSV UTF-8")),
]
ESCAPE = "'"


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


class SpreadsheetError(ValueError):
    """The file cannot be read as a spreadsheet; the message says why, for a person."""


def neutralise(value):
    """Make a text cell inert in a spreadsheet program: ``=1+1`` becomes ``'=1+1``."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES + (ESCAPE,)):
        return ESCAPE + value
    return value


def unneutralise(value):
    """Undo :func:`neutralise`, so that an exported file imports unchanged.

    A workbook's XML turns a carriage return into a line feed, so ``'\n`` is undone too.
    """
    if isinstance(value, str) and value.startswith(ESCAPE) and value[1:].startswith(FORMULA_PREFIXES + (ESCAPE, "\n")):
        return value[1:]
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


def check_size(size: int) -> None:
    limit = settings.SPREADSHEET_MAX_BYTES
    if size > limit:
        raise SpreadsheetError(
            _("The file is %(size)s bytes; the limit is %(limit)s bytes. Split it into smaller files.")
            % {"size": size, "limit": limit}
        )


def _too_many_rows() -> SpreadsheetError:
    return SpreadsheetError(
        _("The file has more than %(limit)s rows. Split it into smaller files.")
        % {"limit": settings.SPREADSHEET_MAX_ROWS}
    )


def _dataset(headers: list, rows: list[list], lines: list[int]) -> tablib.Dataset:
    """A dataset from a header row and data rows, refusing what no import could use.

    ``lines`` gives each row's line in the file (blank lines are dropped, so the two
    differ), kept on the dataset as ``source_lines`` for the messages."""
    if not headers or all(h in (None, "") for h in headers):
        raise SpreadsheetError(_("The file is empty: the first line must name the columns."))
    names = [str(h).strip() if h is not None else "" for h in headers]
    for position, name in enumerate(names, 1):
        if not name:
            raise SpreadsheetError(_("Column %(position)s has no name in the first line.") % {"position": position})
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise SpreadsheetError(_("The first line names a column twice: %(names)s.") % {"names": ", ".join(duplicated)})
    if not rows:
        raise SpreadsheetError(_("The file has column names but no rows to import."))
    dataset = tablib.Dataset(*rows, headers=names)
    dataset.source_lines = lines
    return dataset


def read_csv(data: bytes) -> tablib.Dataset:
    check_size(len(data))
    if data.startswith(b"PK\x03\x04"):
        raise SpreadsheetError(_("This is an XLSX (or other zip) file, not CSV text: choose the XLSX format."))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SpreadsheetError(_('The file is UTF-16 text; civicplan reads UTF-8. Save it again as "CSV UTF-8".'))
    for magic, kind in KNOWN_BINARIES:
        if data.startswith(magic):
            raise SpreadsheetError(_("This is %(kind)s, not CSV text.") % {"kind": kind})
    if b"\x00" in data:
        raise SpreadsheetError(_("The file is not text (it holds NUL bytes): it is not a CSV file."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise SpreadsheetError(
            _(
                "The file is not UTF-8 text (byte 0x%(byte)s on line %(line)s): it was probably saved as "
                'Latin-1 or Windows-1252. Save it again as "CSV UTF-8".'
            )
            % {"byte": data[error.start : error.start + 1].hex(), "line": line}
        ) from None
    header_text = text.split("\n", 1)[0]
    # Spreadsheet programs in French save CSV with semicolons; accept both.
    delimiter = ";" if header_text.count(";") > header_text.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        headers = next(reader, [])
        rows, lines = [], []
        line = reader.line_num + 1
        for row in reader:
            first_line, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            if len(rows) >= settings.SPREADSHEET_MAX_ROWS:
                raise _too_many_rows()
            if len(row) != len(headers):
                raise SpreadsheetError(
                    _("Line %(line)s has %(cells)s cells where the first line names %(columns)s columns.")
                    % {"line": first_line, "cells": len(row), "columns": len(headers)}
                )
            rows.append(row)
            lines.append(first_line)
    except csv.Error as error:
        raise SpreadsheetError(
            _("Line %(line)s is not valid CSV: %(error)s.") % {"line": reader.line_num, "error": error}
        ) from None
    return _dataset(headers, rows, lines)


def _check_unpacked_size(archive: zipfile.ZipFile) -> None:
    """Refuse a zip that unpacks beyond the limit, counting real bytes, not the headers' word."""
    limit = settings.SPREADSHEET_MAX_UNPACKED_BYTES
    refusal = SpreadsheetError(
        _("The file unpacks to more than %(limit)s bytes: it is refused as a possible zip bomb.") % {"limit": limit}
    )
    members = archive.infolist()
    if len(members) > 1000 or sum(m.file_size for m in members) > limit:
        raise refusal
    total = 0
    for member in members:
        with archive.open(member) as stream:
            while chunk := stream.read(1024 * 1024):
                total += len(chunk)
                if total > limit:
                    raise refusal


def _plain(value):
    """A cell's value as the importer expects it: whole numbers as int, text stripped."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return value.strip()
    return value


def read_xlsx(data: bytes) -> tablib.Dataset:
    import openpyxl
    from openpyxl.utils import get_column_letter

    check_size(len(data))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise SpreadsheetError(_("The file is not an XLSX workbook (it is not a zip archive).")) from None
    with archive:
        if "xl/workbook.xml" not in archive.namelist():
            raise SpreadsheetError(_("The file is a zip archive but not an XLSX workbook."))
        try:
            _check_unpacked_size(archive)
        except (zipfile.BadZipFile, EOFError, OSError) as error:
            raise SpreadsheetError(_("The XLSX file is damaged: %(error)s.") % {"error": error}) from None
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        raise SpreadsheetError(_("The XLSX file is damaged: %(error)s.") % {"error": error}) from None
    try:
        sheet = book.worksheets[0]
        headers, rows, lines = None, [], []
        for line, cells in enumerate(sheet.iter_rows(), 1):
            values = []
            for column, cell in enumerate(cells, 1):
                if cell.data_type == "f":
                    raise SpreadsheetError(
                        _("Cell %(cell)s (line %(line)s) holds a formula; put its value instead.")
                        % {"cell": f"{get_column_letter(column)}{line}", "line": line}
                    )
                values.append(_plain(cell.value))
            if headers is None:
                headers = values
                while headers and headers[-1] in (None, ""):
                    headers.pop()
                continue
            if not any(v not in (None, "") for v in values):
                continue
            if len(rows) >= settings.SPREADSHEET_MAX_ROWS:
                raise _too_many_rows()
            extra = values[len(headers) :]
            if any(v not in (None, "") for v in extra):
                raise SpreadsheetError(
                    _("Line %(line)s has values beyond the %(columns)s named columns.")
                    % {"line": line, "columns": len(headers)}
                )
            values = values[: len(headers)] + [None] * (len(headers) - len(values))
            rows.append(values)
            lines.append(line)
    finally:
        book.close()
    return _dataset(headers or [], rows, lines)


class SafeCSV(base_formats.CSV):
    """CSV read as bytes (we decode it and say why it fails), written as UTF-8 with a BOM
    so that spreadsheet programs show the accents."""

    def is_binary(self):
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, str):
            in_stream = in_stream.encode("utf-8")
        return read_csv(in_stream)

    def export_data(self, dataset, **kwargs):
        return dataset.export("csv").encode("utf-8-sig")


class SafeXLSX(base_formats.XLSX):
    def create_dataset(self, in_stream):
        return read_xlsx(in_stream)


FORMATS = [SafeCSV, SafeXLSX]


def read_spreadsheet(data: bytes, file_format: str) -> tablib.Dataset:
    readers = {"csv": read_csv, "xlsx": read_xlsx}
    if file_format not in readers:
        raise SpreadsheetError(_("Unknown format %(format)s: use CSV or XLSX.") % {"format": file_format})
    return readers[file_format](data)


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
        missing = [c for c in self.required_columns if c not in headers]
        unknown = [h for h in headers if h not in known]
        problems = []
        if missing:
            problems.append(_("missing columns: %(names)s") % {"names": ", ".join(missing)})
        if unknown:
            problems.append(
                _("unknown columns: %(names)s (known: %(known)s)")
                % {"names": ", ".join(unknown), "known": ", ".join(sorted(known))}
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
