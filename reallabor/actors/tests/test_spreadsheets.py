"""Reading CSV and .xlsx files as German Excel writes them (pure: real bytes, real workbooks)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator

import pytest
from django.utils import translation
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from reallabor.actors.spreadsheets import SpreadsheetError, cell_text, read_table, sniff_delimiter, write_csv


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Our msgids are English; the tests read them so, whatever the translations say."""
    with translation.override("en"):
        yield


def xlsx(rows: list[list[object]], *, sheets: int = 1) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Akteure"
    for row in rows:
        sheet.append(row)
    for number in range(1, sheets):
        workbook.create_sheet(f"Blatt {number + 1}").append(["x"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


GERMAN_EXCEL = (
    "Firma;PLZ;Ort;Umsatz\r\n"
    "Müller Bäckerei GmbH;46236;Bottrop;12,5\r\n"
    '"Schmidt; Söhne";46240;"Bottrop\r\nKirchhellen";1.234,50\r\n'
).encode("cp1252")


def test_german_excel_csv_in_windows_1252_with_semicolons_and_decimal_commas() -> None:
    table = read_table(GERMAN_EXCEL, "akteure.csv")
    assert table.format == "csv"
    assert table.encoding == "cp1252"
    assert table.delimiter == ";"
    assert table.headers == ["Firma", "PLZ", "Ort", "Umsatz"]
    assert table.rows == [
        (2, ["Müller Bäckerei GmbH", "46236", "Bottrop", "12,5"]),
        (3, ["Schmidt; Söhne", "46240", "Bottrop\r\nKirchhellen", "1.234,50"]),
    ]


def test_utf8_with_bom() -> None:
    content = "\ufeffName,PLZ\r\nCafé Ölmühle,46236\r\n".encode()
    table = read_table(content)
    assert (table.encoding, table.delimiter) == ("utf-8-sig", ",")
    assert table.headers == ["Name", "PLZ"]
    assert table.rows == [(2, ["Café Ölmühle", "46236"])]


def test_plain_utf8_and_tabs() -> None:
    table = read_table("Name\tPLZ\nStraßenbau Özdemir\t46236\n".encode())
    assert (table.encoding, table.delimiter) == ("utf-8", "\t")
    assert table.rows == [(2, ["Straßenbau Özdemir", "46236"])]


def test_utf16_as_excel_saves_unicode_text() -> None:
    table = read_table("Name\tOrt\r\nGrüne Gärten\tBottrop\r\n".encode("utf-16"))
    assert table.encoding == "utf-16"
    assert table.rows == [(2, ["Grüne Gärten", "Bottrop"])]


def test_header_is_the_first_non_empty_row_and_empty_rows_are_skipped() -> None:
    content = b";;\r\n;;\r\nFirma;PLZ;\r\nA;1;\r\n;;\r\n  ;  ;\r\nB;2;\r\n"
    table = read_table(content)
    assert table.header_row == 3
    assert table.headers == ["Firma", "PLZ"]
    assert table.rows == [(4, ["A", "1"]), (7, ["B", "2"])]


def test_duplicate_and_empty_headers_get_names() -> None:
    table = read_table(b"Telefon;;Telefon\r\n1;2;3\r\n")
    assert table.headers == ["Telefon", "Column 2", "Telefon (2)"]


def test_cells_beyond_the_header_get_columns() -> None:
    table = read_table(b"Firma;PLZ\r\nA;1;extra\r\n")
    assert table.headers == ["Firma", "PLZ", "Column 3"]
    assert table.rows == [(2, ["A", "1", "extra"])]


def test_a_byte_that_is_neither_utf8_nor_windows_1252_is_refused_naming_the_line() -> None:
    content = "Firma;Ort\r\nMüller;Bottrop\r\n".encode("cp1252") + b"Bad\x81;Ort\r\n"
    with pytest.raises(SpreadsheetError) as error:
        read_table(content)
    assert "line 3" in str(error.value)
    assert "0x81" in str(error.value)


def test_broken_utf8_after_a_bom_is_refused_naming_the_line() -> None:
    content = b"\xef\xbb\xbfFirma\r\nA\r\nB\xff\r\n"
    with pytest.raises(SpreadsheetError, match="line 3"):
        read_table(content)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"  \r\n ", "empty"),
        (b";;;\r\n;;\r\n", "no rows"),
        (b"Firma;PLZ\r\n", "only a header"),
        (b"Firma;PLZ\r\n;;\r\n", "only a header"),
        (b"\x00\x01\x02binary\x00", "not a CSV"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 50, ".xls"),
        (b"PK\x03\x04not really a zip", "not a readable Excel"),
    ],
)
def test_files_that_are_not_spreadsheets_say_why(content: bytes, message: str) -> None:
    with pytest.raises(SpreadsheetError, match=message):
        read_table(content)


def test_a_csv_named_xlsx_is_refused() -> None:
    with pytest.raises(SpreadsheetError, match="not an Excel workbook"):
        read_table(b"Firma\r\nA\r\n", "akteure.xlsx")


def test_too_big() -> None:
    with pytest.raises(SpreadsheetError, match="too large"):
        read_table(b"Firma\r\n" + b"A\r\n" * 100, max_bytes=50)


def test_an_unterminated_quote_is_refused_naming_its_line() -> None:
    with pytest.raises(SpreadsheetError, match="starts in line 3 is never closed"):
        read_table(b'Firma;Ort\r\nA;B\r\n"C;D\r\nE;F\r\n')


def test_a_quote_in_the_middle_of_a_cell_is_text() -> None:
    table = read_table(b'Firma;Ort\r\nGasthof "Zur Post";Bottrop\r\n')
    assert table.rows == [(2, ['Gasthof "Zur Post"', "Bottrop"])]


def test_xlsx_cells_come_back_as_text_and_formulas_as_their_formula() -> None:
    content = xlsx(
        [
            ["Firma", "PLZ", "Mitarbeiter", "Anteil", "Seit", "Aktiv", "Summe"],
            ["Tischlerei Holz", 46236, 12, 12.5, dt.datetime(2021, 3, 1), True, "=SUM(C2:C3)"],
            [None, None, None, None, None, None, None],
            ["Elektro Volt", "01067", 3.0, None, dt.date(2020, 1, 2), False, None],
        ]
    )
    table = read_table(content, "akteure.xlsx")
    assert table.format == "xlsx"
    assert table.sheet == "Akteure"
    assert table.headers == ["Firma", "PLZ", "Mitarbeiter", "Anteil", "Seit", "Aktiv", "Summe"]
    assert table.rows == [
        (2, ["Tischlerei Holz", "46236", "12", "12,5", "2021-03-01", "TRUE", "=SUM(C2:C3)"]),
        (4, ["Elektro Volt", "01067", "3", "", "2020-01-02", "FALSE", ""]),
    ]


def test_only_the_first_worksheet_is_read_and_the_table_says_so() -> None:
    table = read_table(xlsx([["Firma"], ["A"]], sheets=3))
    assert table.rows == [(2, ["A"])]
    assert table.notes and "3 worksheets" in table.notes[0]


def test_xlsx_with_only_a_header() -> None:
    with pytest.raises(SpreadsheetError, match="only a header"):
        read_table(xlsx([["Firma", "PLZ"]]))


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (7, "7"),
        (46236.0, "46236"),
        (0.1, "0,1"),
        (-12.5, "-12,5"),
        (dt.datetime(2024, 5, 6, 14, 30), "2024-05-06 14:30"),
        (dt.time(9, 15), "09:15:00"),
    ],
)
def test_cell_text(value: object, text: str) -> None:
    assert cell_text(value) == text


def test_sniffing_prefers_the_separator_that_keeps_rows_in_line() -> None:
    assert sniff_delimiter("Name;Umsatz\nA;1,5\nB;2,5\n") == ";"
    assert sniff_delimiter("Name,PLZ\nA,1\nB,2\n") == ","
    assert sniff_delimiter("Name\nA, B\n") == ";"


# Round trips ---------------------------------------------------------------------------------------

TEXT = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), max_size=40)


@settings(max_examples=200, deadline=None)
@given(cells=st.lists(TEXT, min_size=3, max_size=3).filter(lambda cells: any(c.strip() for c in cells)))
def test_any_text_cell_round_trips_through_utf8_csv(cells: list[str]) -> None:
    content = write_csv([["Firma", "Ort", "Notiz"], cells], delimiter=";", encoding="utf-8-sig")
    table = read_table(content)
    assert table.headers == ["Firma", "Ort", "Notiz"]
    assert table.rows[0][1][: len(cells)] == cells


def _valid_utf8(content: bytes) -> bool:
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


CP1252_TEXT = st.text(
    st.characters(codec="cp1252", exclude_categories=["Cs"], exclude_characters="\x00"), max_size=40
)


@settings(max_examples=200, deadline=None)
@given(
    cells=st.lists(CP1252_TEXT, min_size=2, max_size=2).filter(lambda cells: any(c.strip() for c in cells))
)
def test_any_windows_1252_text_round_trips_through_german_csv(cells: list[str]) -> None:
    content = write_csv([["Firma", "Notiz"], cells], delimiter=";", encoding="cp1252")
    # Bytes that are valid UTF-8 as well (“Ã¤” in Windows-1252 is “ä” in UTF-8) are read as UTF-8:
    # the one ambiguity of telling the two apart, which real German text does not hit.
    assume(not _valid_utf8(content) or content.isascii())
    table = read_table(content)
    assert table.rows[0][1][: len(cells)] == cells
