"""Reading CSV and Excel (.xlsx) files into rows of text (pure: no database).

Files as German Excel writes them work as they are: semicolon, comma or tab as separator (sniffed),
Windows-1252, UTF-8 with or without BOM (or UTF-16 as Excel's "Unicode text"), quoted fields with
line breaks. Every cell comes back as the text it holds, never evaluated: an .xlsx formula cell
comes back as its formula text (``=SUM(A1:A3)``), which the import refuses.

The first non-empty row is the header; empty rows are skipped; rows are numbered as a spreadsheet
shows them (the header of a file without leading empty rows is row 1).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
DELIMITERS = (";", ",", "\t")
# Bytes that Windows-1252 leaves undefined: a file holding them is neither UTF-8 nor Windows-1252.
_SNIFF_RECORDS = 50
_FIELD_LIMIT = 1024 * 1024  # one cell of at most 1 MB of text


class SpreadsheetError(ValueError):
    """The file cannot be read as a spreadsheet; the message says why (translated)."""


@dataclass
class Table:
    """A spreadsheet as text: unique headers and the non-empty rows below them."""

    headers: list[str]
    rows: list[tuple[int, list[str]]]
    """(row number as a spreadsheet shows it, cells: one per header, "" where empty)."""
    format: str  # "csv" or "xlsx"
    header_row: int = 1
    encoding: str = ""
    delimiter: str = ""
    sheet: str = ""
    notes: list[str] = field(default_factory=list)

    def column(self, header: str) -> int:
        return self.headers.index(header)


# Entry point -------------------------------------------------------------------------------------


def read_table(content: bytes, filename: str = "", *, max_bytes: int = DEFAULT_MAX_BYTES) -> Table:
    """A CSV or .xlsx file (recognised by its content, not its name) as a ``Table``.

    Raises ``SpreadsheetError`` with a message for people: too big, empty, not a spreadsheet,
    an unknown encoding (naming the line), a broken CSV (naming the line).
    """
    if len(content) > max_bytes:
        raise SpreadsheetError(
            _("The file is too large (%(size)s); at most %(limit)s can be imported at once.")
            % {"size": format_size(len(content)), "limit": format_size(max_bytes)}
        )
    if not content.strip():
        raise SpreadsheetError(_("The file is empty."))
    if content.startswith(b"PK\x03\x04"):
        return read_xlsx(content)
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise SpreadsheetError(
            _(
                "This is an Excel file in the old .xls format, which cannot be read. "
                "Save it as Excel workbook (.xlsx) or as CSV and upload it again."
            )
        )
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise SpreadsheetError(_("The file is named .xlsx but is not an Excel workbook."))
    return read_csv(content)


def format_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")
    if size >= 1024:
        return f"{size // 1024} KB"
    return f"{size} B"


# CSV ---------------------------------------------------------------------------------------------


def decode(content: bytes) -> tuple[str, str]:
    """The text and the encoding: BOM → UTF-8 (or UTF-16); valid UTF-8 → UTF-8; else Windows-1252.

    Never guesses silently: bytes that are neither UTF-8 nor defined in Windows-1252 give an
    error naming the line.
    """
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as error:
            raise _encoding_error(content, error.start, "UTF-16") from None
    if content.startswith(b"\xef\xbb\xbf"):
        try:
            return content[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as error:
            raise _encoding_error(content, error.start + 3, "UTF-8") from None
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:  # (the five bytes Windows-1252 leaves undefined are refused by the codec)
        return content.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as error:
        raise _encoding_error(content, error.start, "Windows-1252") from None


def _line_of(content: bytes, offset: int) -> int:
    return content.count(b"\n", 0, offset) + 1


def _encoding_error(content: bytes, offset: int, encoding: str) -> SpreadsheetError:
    return SpreadsheetError(
        _(
            "The file cannot be read as text: line %(line)s contains the byte 0x%(byte)02X, which is "
            "not valid %(encoding)s. Save the file as “CSV UTF-8” (or CSV in Windows-1252) and upload it again."
        )
        % {"line": _line_of(content, offset), "byte": content[offset], "encoding": encoding}
    )


def read_csv(content: bytes) -> Table:
    text, encoding = decode(content)
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise SpreadsheetError(
            _(
                "This is not a CSV or Excel file (line %(line)s holds binary data). "
                "Upload a CSV file or an Excel workbook (.xlsx)."
            )
            % {"line": line}
        )
    delimiter = sniff_delimiter(text)
    records = _parse_csv(text, delimiter)
    table = _table_from_records(records, "csv")
    table.encoding = encoding
    table.delimiter = delimiter
    return table


def _csv_reader(text: str, delimiter: str, *, strict: bool = False) -> Any:
    return csv.reader(
        io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', doublequote=True, strict=strict
    )


def sniff_delimiter(text: str) -> str:
    """The separator that splits the header into most columns and keeps the rows in line with it.

    A file of one column gives ``;`` (German Excel's separator).
    """
    best, best_score = ";", (0, 0, 0)
    for priority, delimiter in enumerate(reversed(DELIMITERS)):
        counts: list[int] = []
        try:
            for record in _csv_reader(text[: 256 * 1024], delimiter):
                if any(cell.strip() for cell in record):
                    counts.append(len(record))
                if len(counts) >= _SNIFF_RECORDS:
                    break
        except csv.Error:
            continue
        if not counts or counts[0] < 2:
            continue
        in_line = sum(1 for count in counts if count == counts[0])
        score = (in_line, counts[0], priority)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _parse_csv(text: str, delimiter: str) -> Iterable[tuple[int, list[str]]]:
    previous_limit = csv.field_size_limit(_FIELD_LIMIT)
    reader = _csv_reader(text, delimiter, strict=True)
    records: list[tuple[int, list[str]]] = []
    number = 0
    try:
        while True:
            start = reader.line_num + 1
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                if "unexpected end of data" in str(error):
                    raise SpreadsheetError(
                        _(
                            "The CSV file is broken: a quoted field that starts in line %(line)s is never closed "
                            '(a missing “"”).'
                        )
                        % {"line": start}
                    ) from None
                raise SpreadsheetError(
                    _("The CSV file is broken in line %(line)s: %(error)s") % {"line": start, "error": error}
                ) from None
            number += 1
            records.append((number, record))
    finally:
        csv.field_size_limit(previous_limit)
    return records


# Excel -------------------------------------------------------------------------------------------


def read_xlsx(content: bytes) -> Table:
    """The first worksheet of a workbook; cells as text, formulas as their formula text."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
        raise SpreadsheetError(
            _("The file is not a readable Excel workbook (.xlsx): %(error)s") % {"error": error}
        ) from None
    try:
        if not workbook.worksheets:
            raise SpreadsheetError(_("The workbook has no worksheet."))
        sheet = workbook.worksheets[0]
        records: list[tuple[int, list[str]]] = []
        try:
            for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
                records.append((number, [cell_text(value) for value in row]))
        except (KeyError, ValueError, TypeError, zipfile.BadZipFile) as error:
            raise SpreadsheetError(_("The worksheet cannot be read: %(error)s") % {"error": error}) from None
        table = _table_from_records(records, "xlsx")
        table.sheet = sheet.title
        if len(workbook.worksheets) > 1:
            table.notes.append(
                _("The workbook has %(count)s worksheets; only the first one, “%(sheet)s”, is read.")
                % {"count": len(workbook.worksheets), "sheet": sheet.title}
            )
        return table
    finally:
        workbook.close()


def cell_text(value: Any) -> str:
    """An .xlsx cell's value as text, never evaluated.

    Whole numbers without ``.0`` (a postcode 46236 stays 46236), other numbers with a decimal
    comma as German Excel shows them, dates as ISO dates, formulas as their formula text.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value).replace(".", ",")
    if isinstance(value, Decimal):
        return str(value).replace(".", ",")
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    text = getattr(value, "text", None)  # openpyxl's ArrayFormula and DataTableFormula
    if isinstance(text, str):
        return text if text.startswith("=") else "=" + text
    return str(value)


# Shared ------------------------------------------------------------------------------------------


def _table_from_records(records: Iterable[tuple[int, Sequence[str]]], format: str) -> Table:
    header: tuple[int, Sequence[str]] | None = None
    rows: list[tuple[int, list[str]]] = []
    width = 0
    for number, cells in records:
        if not any(cell.strip() for cell in cells):
            continue
        if header is None:
            header = (number, cells)
            continue
        # Trailing empty cells beyond the header (Excel's ";;;" at the end of a line) make no column.
        last = max(index for index, cell in enumerate(cells) if cell.strip())
        width = max(width, last + 1)
        rows.append((number, list(cells[: max(last + 1, len(header[1]))])))
    if header is None:
        raise SpreadsheetError(_("The file holds no rows."))
    header_number, header_cells = header
    headers = unique_headers(header_cells, width)
    if not rows:
        raise SpreadsheetError(_("The file holds only a header row and no data."))
    size = len(headers)
    padded = [(number, (cells + [""] * size)[:size]) for number, cells in rows]
    return Table(headers=headers, rows=padded, format=format, header_row=header_number)


def unique_headers(cells: Sequence[str], width: int = 0) -> list[str]:
    """Stripped header texts, made unique (“Telefon”, “Telefon (2)”); empty ones named by position.

    Empty trailing headers are dropped unless rows have values under them (``width``).
    """
    cells = list(cells)
    last = max((index for index, cell in enumerate(cells) if cell.strip()), default=-1)
    size = max(last + 1, width)
    cells = (cells + [""] * size)[:size]
    headers: list[str] = []
    seen: Counter[str] = Counter()
    for index, cell in enumerate(cells):
        name = " ".join(cell.split()) or _("Column %(number)s") % {"number": index + 1}
        seen[name.casefold()] += 1
        if seen[name.casefold()] > 1:
            name = f"{name} ({seen[name.casefold()]})"
        headers.append(name)
    return headers


def write_csv(rows: Iterable[Sequence[str]], *, delimiter: str = ";", encoding: str = "utf-8-sig") -> bytes:
    """Rows as CSV the way German Excel reads it (used for reports and in tests)."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)
