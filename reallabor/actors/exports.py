"""Writing spreadsheets (pure: a header and rows of plain values in, CSV or .xlsx out; no ORM).

Both formats are written as a stream, so exports of hundreds of thousands of rows need little
memory: CSV line by line (``iter_csv`` feeds a ``StreamingHttpResponse``), .xlsx through
openpyxl's write-only mode (rows go to a temporary file as they come).

**CSV as German Excel reads it.** UTF-8 with a byte order mark: without it Excel reads the file
as Windows-1252 and garbles every umlaut. Semicolons between the cells: German Excel splits a
CSV file at the list separator of the system's locale, which is the semicolon because the comma
is the decimal separator. Numbers with a decimal comma, dates as ISO ``2024-05-31`` (which
Excel reads as a date). Excel still interprets a CSV file as it opens it (it drops the leading
zero of a WZ code like ``01``, reads some texts as dates): whoever needs the exact text takes
the .xlsx file, where every text is stored as text.

**Cells a spreadsheet would run (CSV or formula injection, see OWASP).** A text that starts with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return may be taken for a formula (which can
fetch URLs or, in old Excel versions, run commands through DDE). ``is_formula_like`` is the one
definition of such a cell, shared with the import, which refuses them. Numbers (``-12,5``) and
phone numbers (``+49 2041 70-0``) are not formula-like: made of digits, spaces, brackets,
slashes, dashes and a leading sign only, they can at worst be computed as arithmetic, never call a
function or reach anything outside the sheet; they stay readable as they are. Every export
writes a formula-like text with a leading apostrophe (``'=SUM(A1)``), in CSV and in .xlsx alike,
so that the cell stays harmless when it is copied on into another sheet or file; in .xlsx every
text cell is in addition stored with the type "string", never as a formula.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import IO, Any

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {"csv": CSV_CONTENT_TYPE, "xlsx": XLSX_CONTENT_TYPE}

BOM = "\ufeff"
DELIMITER = ";"
DECIMAL_SEPARATOR = ","
TRIGGERS = frozenset("=+-@\t\r")
NEUTRALISER = "'"

# A number as people write it: 12, -12,5, +3.75, 1.234,56, 1,234.56, ,5, 1e-3 (ASCII digits only).
NUMBER = re.compile(
    r"[+-]?"
    r"(?:[0-9]+(?:[.,][0-9]+)?|[0-9]{1,3}(?:\.[0-9]{3})+(?:,[0-9]+)?|[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?"
    r"|[.,][0-9]+)"
    r"(?:[eE][+-]?[0-9]+)?"
)
# A phone number: +49 2041 70-0, (02041) 70-0, 02041/700.
PHONE = re.compile(r"\+?[0-9 ()/\-]+")

XLSX_MAX_CELL = 32767  # Excel's limit of characters in a cell
XLSX_MIN_WIDTH, XLSX_MAX_WIDTH = 10, 50
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def is_formula_like(text: str) -> bool:
    """Whether a spreadsheet could take ``text`` for a formula: it starts with ``=``, ``+``, ``-``,
    ``@``, a tab or a carriage return, and is neither a number nor a phone number."""
    if not text or text[0] not in TRIGGERS:
        return False
    return not (NUMBER.fullmatch(text) or PHONE.fullmatch(text))


def neutralise(text: str) -> str:
    """``text``, with a leading apostrophe when a spreadsheet would run it."""
    return NEUTRALISER + text if is_formula_like(text) else text


def _number_text(value: int | float | Decimal) -> str:
    if isinstance(value, int):
        return str(value)
    text = format(value, "f") if isinstance(value, Decimal) else repr(value)
    return text.replace(".", DECIMAL_SEPARATOR)


def csv_cell(value: Any) -> str:
    """The text of one CSV cell (neutralised)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return neutralise(str(value))
    if isinstance(value, int | float | Decimal):
        return _number_text(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return neutralise(str(value))


class _Line:
    """A file-like object for ``csv.writer`` that hands back what it is given (one line)."""

    def write(self, text: str) -> str:
        return text


def csv_lines(header: Sequence[Any], rows: Iterable[Sequence[Any]], *, bom: bool = True) -> Iterator[str]:
    """The CSV file as lines of text: the byte order mark and the header first."""
    writer = csv.writer(_Line(), delimiter=DELIMITER, lineterminator="\r\n")
    yield (BOM if bom else "") + writer.writerow([csv_cell(value) for value in header])
    for row in rows:
        yield writer.writerow([csv_cell(value) for value in row])


def iter_csv(
    header: Sequence[Any], rows: Iterable[Sequence[Any]], *, lines_per_chunk: int = 200
) -> Iterator[bytes]:
    """The CSV file as UTF-8 chunks (for a streaming response)."""
    chunk: list[str] = []
    for line in csv_lines(header, rows):
        chunk.append(line)
        if len(chunk) >= lines_per_chunk:
            yield "".join(chunk).encode("utf-8")
            chunk = []
    if chunk:
        yield "".join(chunk).encode("utf-8")


def write_csv(header: Sequence[Any], rows: Iterable[Sequence[Any]], stream: IO[bytes]) -> int:
    """Write the CSV file to a binary stream; returns the number of rows (without the header)."""
    counted = _Counter(rows)
    for chunk in iter_csv(header, counted):
        stream.write(chunk)
    return counted.count


class _Counter:
    """Passes rows through and counts them."""

    def __init__(self, rows: Iterable[Sequence[Any]]) -> None:
        self.rows = rows
        self.count = 0

    def __iter__(self) -> Iterator[Sequence[Any]]:
        for row in self.rows:
            self.count += 1
            yield row


def counting(rows: Iterable[Sequence[Any]]) -> _Counter:
    """Rows that count themselves as they pass (``.count`` after writing)."""
    return _Counter(rows)


def xlsx_text(value: str) -> str:
    """A text as an .xlsx cell takes it: neutralised, without characters XML forbids, not too long."""
    return neutralise(_ILLEGAL_XML.sub("", value))[:XLSX_MAX_CELL]


def write_xlsx(
    header: Sequence[Any], rows: Iterable[Sequence[Any]], stream: IO[bytes] | str, *, title: str = "Export"
) -> int:
    """Write an .xlsx workbook with one sheet: a bold, frozen header row with an auto filter;
    texts as text cells, numbers as numbers, dates as dates. Returns the number of rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_sheet_title(title))
    columns = max(len(header), 1)
    # Views and column widths are written before the first row: set them first.
    sheet.freeze_panes = "A2"
    for index, name in enumerate(header, start=1):
        width = min(max(len(str(name)) + 4, XLSX_MIN_WIDTH), XLSX_MAX_WIDTH)
        sheet.column_dimensions[get_column_letter(index)].width = width
    bold = Font(bold=True)

    def cell(value: Any, *, font: Font | None = None) -> WriteOnlyCell:
        item = WriteOnlyCell(sheet)
        if value is None:
            pass
        elif isinstance(value, bool):
            item.value = xlsx_text(str(value))
            item.data_type = "s"
        elif isinstance(value, int | float | Decimal | dt.date):
            item.value = value
        else:
            item.value = xlsx_text(str(value))
            item.data_type = "s"  # never "f" (a formula), whatever the text
        if font is not None:
            item.font = font
        return item

    sheet.append([cell(name, font=bold) for name in header])
    count = 0
    for row in rows:
        sheet.append([cell(value) for value in row])
        count += 1
    # The auto filter is written after the rows: now the last row is known.
    sheet.auto_filter.ref = f"A1:{get_column_letter(columns)}{count + 1}"
    workbook.save(stream)
    return count


def _sheet_title(title: str) -> str:
    """A valid sheet name: at most 31 characters, none of []:*?/\\."""
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", title).strip()[:31]
    return cleaned or "Export"
