"""Spreadsheet files read safely, before django-import-export sees a row: a file beyond a
size, a row count or (for XLSX, a zip) an unpacked size is refused before it is read
whole (a small zip bomb expands to hundreds of megabytes); a CSV that is not UTF-8 text
(UTF-8 with a byte-order mark is fine) and an XLSX with formula cells are refused, each
with a reason a person can act on and the file's line."""

import csv
import io
import zipfile
from collections import Counter

import tablib
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export.formats import base_formats

KNOWN_BINARIES = [
    (b"%PDF", gettext_lazy("a PDF document")),
    (b"\x89PNG", gettext_lazy("a PNG image")),
    (b"\xff\xd8\xff", gettext_lazy("a JPEG image")),
    (b"GIF8", gettext_lazy("a GIF image")),
    (b"\xd0\xcf\x11\xe0", gettext_lazy("an old Excel or Word file (XLS, DOC): save it as XLSX or CSV UTF-8")),
]


class SpreadsheetError(ValueError):
    """The file cannot be read as a spreadsheet; the message says why, for a person."""


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


def names_in_short(names: list[str], most: int = 10) -> str:
    """``names`` for a message: the first ``most``, then how many more."""
    shown = ", ".join(names[:most])
    if len(names) <= most:
        return shown
    return _("%(names)s and %(count)s more") % {"names": shown, "count": len(names) - most}


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
    duplicated = sorted(name for name, count in Counter(names).items() if count > 1)  # linear: 90,000 names too
    if duplicated:
        raise SpreadsheetError(
            _("The first line names a column twice: %(names)s.") % {"names": names_in_short(duplicated)}
        )
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
    """XLSX read safely, written as a workbook a person opens (civicplan/workbooks.py)."""

    #: Dates and numbers go into the workbook as such, not as text (SpreadsheetAdmin asks
    #: the resource for them: django-import-export does only for its own XLSX class).
    native_types = True

    def create_dataset(self, in_stream):
        return read_xlsx(in_stream)

    def export_data(self, dataset, **kwargs):
        from .workbooks import workbook

        # A resource's dataset is titled with its model's name (PlanResource.export).
        return workbook([dataset], title=dataset.title or "civicplan")


FORMATS = [SafeCSV, SafeXLSX]


def read_spreadsheet(data: bytes, file_format: str) -> tablib.Dataset:
    readers = {"csv": read_csv, "xlsx": read_xlsx}
    if file_format not in readers:
        raise SpreadsheetError(_("Unknown format %(format)s: use CSV or XLSX.") % {"format": file_format})
    return readers[file_format](data)
