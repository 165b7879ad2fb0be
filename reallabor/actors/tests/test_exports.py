"""Spreadsheet writing (actors.exports, pure): CSV for German Excel, .xlsx, and neutralised formulas.

Every file is really written and read back with the csv module or openpyxl.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reallabor.actors.exports import (
    BOM,
    csv_cell,
    is_formula_like,
    iter_csv,
    neutralise,
    write_csv,
    write_xlsx,
)


@pytest.mark.parametrize(
    "text",
    [
        "=1+1",
        '=HYPERLINK("http://evil.example";"Klick")',
        "+SUM(A1:A3)",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(A1)",
        "\t=1",
        "\rfoo",
        "+",
        "- Stichpunkt",
        "+49 2041 70-0 (Zentrale)",
        "-١٢",  # Arabic-Indic digits are no ASCII number
        "=",
    ],
)
def test_formula_like_texts(text: str) -> None:
    assert is_formula_like(text)
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Tischlerei Beispiel GmbH",
        "1+1",
        "Bäckerei = Backstube",
        " =1",  # not at the start
        "'=1",
        "-12,5",
        "-12.5",
        "+3",
        "-1.234,56",
        "+1,234.56",
        "-,5",
        "-1e5",
        "+49 2041 70-0",
        "+49 (0) 2041 / 70-0",
        "-",
        "--",
        "(02041) 70-0",
    ],
)
def test_numbers_phone_numbers_and_plain_texts_are_not_formula_like(text: str) -> None:
    assert not is_formula_like(text)
    assert neutralise(text) == text


def test_csv_cells() -> None:
    assert csv_cell(None) == ""
    assert csv_cell(1921) == "1921"
    assert csv_cell(Decimal("12.50")) == "12,50"
    assert csv_cell(-0.5) == "-0,5"
    assert csv_cell(dt.date(2024, 5, 31)) == "2024-05-31"
    assert csv_cell(dt.datetime(2024, 5, 31, 14, 5)) == "2024-05-31 14:05"
    assert csv_cell("=1+1") == "'=1+1"
    assert csv_cell("-12,5") == "-12,5"


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(BOM.encode("utf-8"))
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";"))


def test_csv_is_utf8_with_bom_semicolons_and_quoted_where_needed() -> None:
    header = ["Name", "Ort", "Gründung", "Umsatz", "Seit"]
    rows: list[list[Any]] = [
        ["Bäckerei Korn; Söhne", "Bottrop-Kirchhellen", 1921, Decimal("12.5"), dt.date(2021, 3, 1)],
        ['Der "Laden"', "Zeile 1\nZeile 2", None, None, None],
        ["=cmd|' /C calc'!A0", "+49 2041 70-0", -3, None, None],
    ]
    stream = io.BytesIO()
    assert write_csv(header, rows, stream) == 3
    content = stream.getvalue()
    assert content.split(b"\r\n")[0] == BOM.encode() + "Name;Ort;Gründung;Umsatz;Seit".encode()
    assert read_csv(content) == [
        header,
        ["Bäckerei Korn; Söhne", "Bottrop-Kirchhellen", "1921", "12,5", "2021-03-01"],
        ['Der "Laden"', "Zeile 1\nZeile 2", "", "", ""],
        ["'=cmd|' /C calc'!A0", "+49 2041 70-0", "-3", "", ""],
    ]


def test_csv_streams_in_chunks() -> None:
    rows = ([f"Zeile {number}"] for number in range(1000))
    chunks = list(iter_csv(["Text"], rows, lines_per_chunk=100))
    assert len(chunks) == 11  # 1001 lines
    assert len(read_csv(b"".join(chunks))) == 1001


def read_xlsx(content: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(content)).active


def test_xlsx_has_a_bold_frozen_header_with_an_auto_filter_and_typed_cells() -> None:
    stream = io.BytesIO()
    rows: list[list[Any]] = [
        ["Bäckerei Korn", "01", 1921, Decimal("12.5"), dt.date(2021, 3, 1), "=SUM(A1:A2)"],
        ["Dachdecker Hoch", "43", None, None, None, "+49 2041 70-0"],
    ]
    count = write_xlsx(
        ["Name", "WZ", "Gründung", "Umsatz", "Seit", "Telefon"], rows, stream, title="Betriebe: 2024/05"
    )
    assert count == 2
    sheet = read_xlsx(stream.getvalue())
    assert sheet.title == "Betriebe  2024 05"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:F3"
    assert [cell.value for cell in sheet[1]] == ["Name", "WZ", "Gründung", "Umsatz", "Seit", "Telefon"]
    assert all(cell.font.b for cell in sheet[1])
    first = sheet[2]
    assert first[1].value == "01" and first[1].data_type == "s"  # text stays text: the leading zero too
    assert first[2].value == 1921 and first[2].data_type == "n"
    assert first[3].value == 12.5
    assert first[4].value == dt.datetime(2021, 3, 1)
    assert first[5].value == "'=SUM(A1:A2)" and first[5].data_type == "s"
    assert sheet["F3"].value == "+49 2041 70-0"
    assert sheet["C3"].value is None


def test_xlsx_drops_characters_xml_forbids_and_cuts_overlong_texts() -> None:
    stream = io.BytesIO()
    write_xlsx(["A", "B"], [["Hallo\x00\x07Welt", "x" * 40000]], stream)
    sheet = read_xlsx(stream.getvalue())
    assert sheet["A2"].value == "HalloWelt"
    assert len(sheet["B2"].value) == 32767


def test_xlsx_without_rows_still_has_the_header() -> None:
    stream = io.BytesIO()
    assert write_xlsx(["Name"], [], stream) == 0
    sheet = read_xlsx(stream.getvalue())
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [["Name"]]


TRIGGER_TEXT = st.builds(
    lambda start, rest: start + rest,
    st.sampled_from(["=", "+", "-", "@", "\t", "\r", ""]),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=20),
)
CELLS = st.one_of(
    TRIGGER_TEXT,
    st.from_regex(r"[+-]?[0-9]{1,6}([.,][0-9]{1,3})?", fullmatch=True),
    st.from_regex(r"\+?[0-9 ()/\-]{1,15}", fullmatch=True),
    st.integers(-(10**9), 10**9),
    st.none(),
)
ROWS = st.lists(st.lists(CELLS, min_size=3, max_size=3), max_size=6)


@settings(max_examples=150, deadline=None)
@given(ROWS)
def test_no_exported_csv_cell_is_formula_like(rows: list[list[Any]]) -> None:
    stream = io.BytesIO()
    write_csv(["A", "B", "C"], rows, stream)
    read = read_csv(stream.getvalue())[1:]
    assert len(read) == len(rows)
    for written, row in zip(read, rows, strict=True):
        for cell, value in zip(written, row, strict=True):
            assert not is_formula_like(cell)
            if isinstance(value, str):
                assert cell in (value, "'" + value)
                assert cell == value or is_formula_like(value)


@settings(max_examples=60, deadline=None)
@given(ROWS)
def test_no_exported_xlsx_cell_is_formula_like_or_a_formula(rows: list[list[Any]]) -> None:
    stream = io.BytesIO()
    write_xlsx(["A", "B", "C"], rows, stream)
    sheet = read_xlsx(stream.getvalue())
    read = list(sheet.iter_rows(min_row=2))
    assert len(read) <= len(rows)  # trailing rows without any value are not read back
    for cells in read:
        for cell in cells:
            assert cell.data_type != "f"
            if isinstance(cell.value, str):
                assert not is_formula_like(cell.value)
