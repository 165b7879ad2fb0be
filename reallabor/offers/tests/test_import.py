"""``reallabor import-offers``: CSV, .xlsx and JSON, all or nothing, idempotent by the key."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.utils import translation

from conftest import Portfolio
from reallabor.offers.importing import import_offers
from reallabor.offers.models import Offer

HEADER = "Schlüssel;Anbieter;Art;Titel;Förderart;Förderbereich;Fördergebiet;Region;Größenklassen;Gewerke;Dimensionen;Betrag bis;Frist;Status"
GOOD = [
    "mid-digital;Handwerkskammer Münster;Förderung;MID Digital;Zuschuss;digitalisierung;Land;NW;1-4, 5-9;a;4, 2;15.000;31.12.2099;published",
    "fablab;fablab-hrw;training;FabLab-Kurs;sonstige;;Stadt;bottrop;;;2;;;published",
    "sprechstunde;wirtschaftsfoerderung-bottrop;consulting;Digitalsprechstunde;Beratung;beratung;Bund;;;;1;;;draft",
]


@pytest.fixture(autouse=True)
def _english() -> None:
    """The messages are asserted in English (the msgids), whatever the translations say."""
    translation.activate("en")


def csv_file(tmp_path: Path, lines: list[str], name: str = "offers.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return path


def test_csv_import_and_idempotent_reimport(portfolio: Portfolio, tmp_path: Path) -> None:
    path = csv_file(tmp_path, GOOD)
    out = io.StringIO()
    call_command("import_offers", str(path), stdout=out)
    assert "3 new offers, 0 updated" in out.getvalue()
    mid = Offer.objects.get(slug="mid-digital")
    assert (mid.kind, mid.funding_types, mid.region_level, mid.region_code) == (
        "funding",
        ["grant"],
        "state",
        "NW",
    )
    assert mid.headcount_bands == ["1-4", "5-9"] and mid.dimensions == ["2", "4"]
    assert str(mid.amount_max) == "15000.00"
    assert mid.provider.slug == "handwerkskammer-muenster"
    revisions = dict(Offer.objects.values_list("slug", "revision"))
    out = io.StringIO()
    call_command("import_offers", str(path), stdout=out)
    assert "0 new offers, 3 updated" in out.getvalue()
    assert Offer.objects.count() == 3
    assert dict(Offer.objects.values_list("slug", "revision")) == revisions  # nothing changed


def test_a_changed_row_updates_the_offer(portfolio: Portfolio, tmp_path: Path) -> None:
    call_command("import_offers", str(csv_file(tmp_path, GOOD)), stdout=io.StringIO())
    changed = [GOOD[0].replace("MID Digital", "MID-Digitalisierung"), *GOOD[1:]]
    call_command("import_offers", str(csv_file(tmp_path, changed)), stdout=io.StringIO())
    mid = Offer.objects.get(slug="mid-digital")
    assert (mid.title, mid.revision) == ("MID-Digitalisierung", 2)


def test_a_bad_row_imports_nothing_and_names_row_and_column(portfolio: Portfolio, tmp_path: Path) -> None:
    bad = [
        *GOOD,
        "kredit;Handwerkskammer Münster;Förderung;Kredit;Kredit;digitalisierung;Land;NW;;;4;;;published",
        "weltraum;Unbekannte GmbH;Förderung;Weltraum;Zuschuss;raumfahrt;Land;XX;;;9;;morgen;published",
        "mid-digital;fablab-hrw;training;Doppelt;sonstige;;Bund;;;;;;;published",
    ]
    err = io.StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("import_offers", str(csv_file(tmp_path, bad)), stdout=io.StringIO(), stderr=err)
    assert "Nothing was imported" in str(caught.value)
    lines = err.getvalue().splitlines()
    assert (
        "row 5, Förderart: “Kredit” is unknown; known: grant, loan, guarantee, equity, consulting, other"
        in lines
    )
    assert any(
        line.startswith("row 6, Anbieter: “Unbekannte GmbH” is no known organisation") for line in lines
    )
    assert any(
        line.startswith("row 6, Förderbereich: “raumfahrt” is unknown; known: arbeit,") for line in lines
    )
    assert any(line.startswith("row 6, Region: Fördergebiet Land: “XX” is unknown") for line in lines)
    assert any(
        line.startswith("row 6, Dimensionen: “9” is unknown; known: 1, 2, 3, 4, 5, 6") for line in lines
    )
    assert any(line.startswith("row 6, Frist: “morgen” is no date") for line in lines)
    assert any(
        line.startswith("row 7, Schlüssel: “mid-digital” appears twice in the file (also in row 2)")
        for line in lines
    )
    assert not Offer.objects.exists()


def test_dry_run_writes_nothing(portfolio: Portfolio, tmp_path: Path) -> None:
    out = io.StringIO()
    call_command("import_offers", str(csv_file(tmp_path, GOOD)), "--dry-run", stdout=out)
    assert "it would add 3 offers" in out.getvalue()
    assert not Offer.objects.exists()


def test_xlsx_and_json(portfolio: Portfolio, tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER.split(";"))
    sheet.append(GOOD[0].split(";"))
    path = tmp_path / "offers.xlsx"
    workbook.save(path)
    call_command("import_offers", str(path), stdout=io.StringIO())
    assert Offer.objects.get(slug="mid-digital").trades.get().code == "a"
    data = [
        {
            "slug": "json-offer",
            "provider": "fablab-hrw",
            "kind": "training",
            "title": "JSON",
            "funding_types": ["other"],
            "region_level": "city",
            "region_code": "bottrop",
            "dimensions": ["2", "5"],
            "needs": ["digitalisation"],
            "amount_max": 500,
            "is_example": True,
        }
    ]
    path = tmp_path / "offers.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    call_command("import_offers", str(path), stdout=io.StringIO())
    offer = Offer.objects.get(slug="json-offer")
    assert (offer.is_example, offer.dimensions, str(offer.amount_max)) == (True, ["2", "5"], "500.00")


def test_unknown_column_and_unreadable_file(portfolio: Portfolio, tmp_path: Path) -> None:
    path = tmp_path / "offers.csv"
    path.write_text("Titel;Anbieter;Art;Farbe\nA;fablab-hrw;training;rot\n", encoding="utf-8")
    report = import_offers(user=None, content=path.read_bytes(), filename="offers.csv")
    assert report.error_lines()[0].startswith("The column “Farbe” is unknown; known:")
    report = import_offers(user=None, content=b"[1, 2]", filename="offers.json")
    assert report.error_lines() == ['A JSON file holds a list of offers (objects), or {"offers": [...]}.']
    assert not Offer.objects.exists()


@pytest.mark.parametrize("role", ["reader", "partner", "outsider"])
def test_only_the_office_imports(portfolio: Portfolio, role: str, tmp_path: Path) -> None:
    with pytest.raises(PermissionDenied):
        import_offers(
            user=portfolio.users[role], content=csv_file(tmp_path, GOOD).read_bytes(), filename="o.csv"
        )
    assert not Offer.objects.exists()
    report = import_offers(
        user=portfolio.users["coordinator"], content=csv_file(tmp_path, GOOD).read_bytes(), filename="o.csv"
    )
    assert report.ok and len(report.created) == 3
