"""``reallabor import-offers``: a cell a spreadsheet would run as a formula is refused, nothing stored."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from conftest import Portfolio
from reallabor.offers.importing import import_offers
from reallabor.offers.models import Offer

HEADER = "Schlüssel;Anbieter;Art;Titel;Förderart;Fördergebiet;Region;Kontakt;Gründer"
GOOD = "mid-digital;Handwerkskammer Münster;Förderung;MID Digital;Zuschuss;Land;NW;+49 2041 70-0;-"


@pytest.fixture(autouse=True)
def _english() -> None:
    translation.activate("en")


def csv_bytes(*lines: str) -> bytes:
    return ("\n".join([HEADER, *lines]) + "\n").encode("utf-8")


@pytest.mark.parametrize(
    ("cell", "column", "value"),
    [
        (3, "Titel", '=HYPERLINK("http://example.invalid")'),
        (3, "Titel", "+A1*2"),
        (3, "Titel", "-2+3+cmd|' /C calc'!A0"),
        (3, "Titel", "@SUM(1)"),
        (7, "Kontakt", "=1+1"),
    ],
)
def test_a_formula_cell_in_a_csv_is_refused_naming_row_and_column(
    portfolio: Portfolio, cell: int, column: str, value: str
) -> None:
    bad = GOOD.split(";")
    bad[0] = "formel"
    bad[cell] = value
    report = import_offers(user=None, content=csv_bytes(GOOD, ";".join(bad)), filename="offers.csv")
    assert not report.ok
    assert report.error_lines() == [
        f"row 3, {column}: This is a spreadsheet formula; formulas are not imported. Enter the value as text."
    ]
    assert value not in "\n".join(report.error_lines())  # the cell is not quoted back
    assert report.created == [] and report.updated == []
    assert not Offer.objects.exists()  # the good row 2 is not stored either


def test_phone_numbers_negative_numbers_and_a_dash_are_not_formulas(portfolio: Portfolio) -> None:
    report = import_offers(user=None, content=csv_bytes(GOOD), filename="offers.csv")
    assert report.ok, report.error_lines()
    assert Offer.objects.get(slug="mid-digital").contact == "+49 2041 70-0"


def test_a_formula_in_an_xlsx_file_is_refused_and_the_command_stores_nothing(
    portfolio: Portfolio, tmp_path: Path
) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER.split(";"))
    sheet.append(GOOD.split(";"))
    row = GOOD.split(";")
    row[0], row[3] = "zweites", "=A2&B2"  # a real formula cell (openpyxl stores it as a formula)
    sheet.append(row)
    path = tmp_path / "offers.xlsx"
    workbook.save(path)
    assert openpyxl.load_workbook(path).active["D3"].data_type == "f"
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_offers", str(path), stdout=io.StringIO(), stderr=err)
    assert (
        "row 3, Titel: This is a spreadsheet formula; formulas are not imported. Enter the value as text."
        in err.getvalue()
    )
    assert not Offer.objects.exists()


def test_a_formula_in_a_json_file_and_in_a_list_value_is_refused(portfolio: Portfolio) -> None:
    data = [
        {
            "slug": "json-offer",
            "provider": "fablab-hrw",
            "kind": "training",
            "title": "JSON",
            "region_level": "city",
            "region_code": "bottrop",
            "dimensions": ["2", "=1+1"],
        }
    ]
    report = import_offers(user=None, content=json.dumps(data).encode(), filename="offers.json")
    assert report.error_lines() == [
        "row 1, dimensions: This is a spreadsheet formula; formulas are not imported. Enter the value as text."
    ]
    assert not Offer.objects.exists()


def test_the_message_is_translated(portfolio: Portfolio) -> None:
    bad = GOOD.split(";")
    bad[3] = "=1+1"
    with translation.override("de"):
        report = import_offers(user=None, content=csv_bytes(";".join(bad)), filename="offers.csv")
        lines = report.error_lines()
    assert lines == [
        "Zeile 2, Titel: Dies ist eine Tabellenformel; Formeln werden nicht importiert. "
        "Geben Sie den Wert als Text ein."
    ]
    assert not Offer.objects.exists()
