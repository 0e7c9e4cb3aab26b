"""Workbooks a person opens: tablib sheets written with openpyxl so that a spreadsheet
program shows them whole.

Each column as wide as its content (within bounds: LibreOffice mangles widths over 255),
a long text wrapped in its capped column, the header row bold and frozen, dates and
numbers as cells of their kind, sheet names a spreadsheet program accepts, and the
document's title and creator ("civicplan") set. Text cells come already neutralised
(civicplan/spreadsheets.py ``neutralise``); a text is still never written as a formula.
"""

import copy
import datetime
import decimal
import io
import re
import zipfile
from collections.abc import Collection, Iterable

import tablib
from django.utils import timezone
from django.utils.translation import get_language
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.packaging.extended import ExtendedProperties
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter
from openpyxl.xml.constants import ARC_APP, ARC_CORE, DCTERMS_NS
from openpyxl.xml.functions import fromstring, tostring

CREATOR = "civicplan"
# Column widths, in characters: narrow enough columns still show a date or a short header;
# a long text stops at the cap and wraps (LibreOffice mangles widths over 255).
MIN_WIDTH = 10
MAX_WIDTH = 60
PADDING = 2
SHEET_NAME_MAX = 31
_SHEET_NAME_FORBIDDEN = re.compile(r"[\\/*?:\[\]]")
# How a native cell is shown (openpyxl's number formats for dates and times), for its width.
_SHOWN_LENGTH = {datetime.datetime: 19, datetime.date: 10, datetime.time: 8, bool: 5}
NATIVE = (str, bool, int, float, decimal.Decimal, datetime.date, datetime.time, datetime.timedelta)

_CLOCK_DATES = (f"{{{DCTERMS_NS}}}created", f"{{{DCTERMS_NS}}}modified")
_BOLD = Font(bold=True)
_TOP = Alignment(vertical="top")
_WRAP = Alignment(vertical="top", wrap_text=True)


def workbook(sheets: Iterable[tablib.Dataset], *, title: str) -> bytes:
    """The XLSX file of ``sheets`` (each a titled dataset with headers), titled ``title``."""
    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    for sheet in sheets:
        name = sheet_name(str(sheet.title or title), taken)
        taken.add(name.lower())
        _write_sheet(book.create_sheet(name), list(sheet.headers or []), [list(row) for row in sheet])
    properties = book.properties
    properties.title = str(title)
    properties.creator = CREATOR
    properties.lastModifiedBy = CREATOR
    properties.language = get_language()
    return _save(book)


def sheet_name(title: str, taken: Collection[str] = ()) -> str:
    """``title`` as a sheet name: at most 31 characters, none of ``\\ / * ? : [ ]``, no
    apostrophe at either end, and not one of ``taken`` (lower case: names are compared
    so), else numbered."""
    base = _SHEET_NAME_FORBIDDEN.sub("-", title).strip().strip("'").strip() or CREATOR
    name, number = base[:SHEET_NAME_MAX], 1
    while name.lower() in taken:
        number += 1
        suffix = f" ({number})"
        name = base[: SHEET_NAME_MAX - len(suffix)].rstrip() + suffix
    return name


def _value(value):
    """``value`` as a cell holds it: nothing for an empty text, a date or number as itself
    (a time-zone-aware moment in local time: cells have no zone), anything else as text
    without the control characters that a workbook cannot hold."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)
    if not isinstance(value, NATIVE):
        value = str(value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("\N{REPLACEMENT CHARACTER}", value)
    return value


def _shown_length(value) -> int:
    """About how many characters ``value`` takes on screen: its longest line for a text."""
    if value is None:
        return 0
    if isinstance(value, str):
        return max(len(line) for line in value.split("\n"))
    for kind, length in _SHOWN_LENGTH.items():
        if isinstance(value, kind):
            return length
    return len(str(value))


def _write_sheet(sheet, headers: list, rows: list[list]) -> None:
    headers = [_value(h) for h in headers]
    rows = [[_value(v) for v in row] for row in rows]
    columns = max([len(headers), *(len(row) for row in rows)], default=0)
    widths = [MIN_WIDTH] * columns
    for line in [headers, *rows]:
        for index, value in enumerate(line):
            widths[index] = max(widths[index], min(MAX_WIDTH, _shown_length(value) + PADDING))
    for index, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(index)].width = width

    if headers:
        for index, value in enumerate(headers, 1):
            cell = _put(sheet, 1, index, value)
            cell.font = _BOLD
            if _wraps(value, widths[index - 1]):
                cell.alignment = _WRAP
        sheet.freeze_panes = "A2"
        sheet.print_title_rows = "1:1"  # printed, the header heads every page
    first = 2 if headers else 1
    styles = {}
    for number, row in enumerate(rows, first):
        cells = [_put(sheet, number, index, value) for index, value in enumerate(row, 1)]
        wrapped = [_wraps(value, width) for value, width in zip(row, widths, strict=False)]
        if any(wrapped):
            # A row made tall by a wrapped text reads from the top in every column.
            for cell, wrap in zip(cells, wrapped, strict=True):
                _align(cell, _WRAP if wrap else _TOP, styles)


def _wraps(value, width: float) -> bool:
    return isinstance(value, str) and ("\n" in value or len(value) + PADDING > width)


def _align(cell, alignment: Alignment, styles: dict) -> None:
    # Setting a style looks it up in the workbook's tables, slow over thousands of cells:
    # a cell styled as one before takes a copy of that one's style (as openpyxl's own
    # worksheet copier does).
    key = (id(alignment), cell._style.tobytes() if cell._style is not None else b"")
    if key in styles:
        cell._style = copy.copy(styles[key])
    else:
        cell.alignment = alignment
        styles[key] = copy.copy(cell._style)


def _put(sheet, row: int, column: int, value):
    cell = sheet.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would take a text starting with "=" for a formula
    return cell


class _Archive(zipfile.ZipFile):
    """openpyxl names itself as the application that wrote the file, with no option to
    say otherwise: its extended properties are replaced as they are written. The same
    sheets make the same bytes (a stored report's ETag is its SHA-256): the clock's
    created and modified dates leave the core properties, and entries are dated as
    reproducible builds date them (zip's first day)."""

    def writestr(self, name, data, *args, **kwargs):
        if isinstance(name, str):
            if name == ARC_APP:
                properties = ExtendedProperties()
                properties.Application, properties.AppVersion = CREATOR, None
                data = tostring(properties.to_tree())
            elif name == ARC_CORE:
                core = fromstring(data)
                for dated in _CLOCK_DATES:
                    for element in core.findall(dated):
                        core.remove(element)
                data = tostring(core)
            name = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            name.compress_type = self.compression
        return super().writestr(name, data, *args, **kwargs)

    def write(self, filename, arcname=None, *args, **kwargs):
        # openpyxl writes each worksheet to a temporary file first, which zip would date.
        with open(filename, "rb") as written:
            self.writestr(arcname or str(filename), written.read())


def _save(book: Workbook) -> bytes:
    stream = io.BytesIO()
    # As openpyxl's save_workbook does, with our archive.
    with _Archive(stream, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(book, archive).write_data()
    return stream.getvalue()
