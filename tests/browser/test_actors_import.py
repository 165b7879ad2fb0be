"""The office imports organisations and people: a CSV file as German Excel saves it (semicolons,
Windows-1252, decimal commas) with two bad rows is mapped, previewed and checked: the row report
names the rows, is downloadable, and nothing is written. The corrected file, as .xlsx, is then
imported (a row naming an existing organisation skipped as a duplicate), and the records are there.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db.models import Model
from openpyxl import Workbook
from playwright.sync_api import Locator, Page, expect

from reallabor.actors.models import Affiliation, Person
from reallabor.core.testing.actors import make_crm
from reallabor.organisations.models import Organisation
from tests.browser.support import (
    MAIN_NAVIGATION,
    Site,
    assert_accessible_as_served,
    either,
    field_label,
    is_same_document,
    mark_document,
    select_by_text,
)

pytestmark = pytest.mark.browser

HEADERS = ["Firma", "PLZ", "Ort", "Stadtteil", "Anrede", "Vorname", "Nachname", "E-Mail", "Umsatz"]
GOOD = ["Bäckerei Körner GmbH", "46236", "Bottrop", "Mitte", "Frau", "Jördis", "Körner",
        "joerdis@baeckerei-koerner.example", "12,5"]  # fmt: skip
BAD_EMAIL = ["Schlosserei Weiß", "46244", "Bottrop", "Kirchhellen", "Herr", "Jürgen", "Weiß",
             "juergen(at)schlosserei-weiss.example", "1.234,50"]  # fmt: skip
BAD_POSTCODE = ["Café Süß", "462400", "Bottrop", "Eigen", "", "", "", "", ""]
DUPLICATE = ["Tischlerei Beispiel GmbH", "46236", "Bottrop", "Mitte", "Herr", "Clemens", "Span",
             "clemens@tischlerei-beispiel.example", ""]  # fmt: skip


def german_excel_csv(rows: list[list[str]]) -> bytes:
    """What German Excel writes as “CSV (Trennzeichen-getrennt)”: semicolons, CRLF, Windows-1252."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows([HEADERS, *rows])
    return buffer.getvalue().encode("cp1252")


def xlsx(rows: list[list[str]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Akteure"
    for row in [HEADERS, *rows]:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def snapshot() -> dict[str, list[dict[str, Any]]]:
    models: tuple[type[Model], ...] = (Organisation, Person, Affiliation)
    return {model._meta.label: list(model._default_manager.order_by("pk").values()) for model in models}


def fact(scope: Page | Locator, *term: str) -> Locator:
    """The value (``<dd>``) of a term (``<dt>``) of a description list."""
    return scope.locator("dt", has_text=either(*term, exact=True)).locator("xpath=following-sibling::dd[1]")


def column_choice(page: Page, header: str) -> Locator:
    return page.get_by_label(field_label(header))


def upload(page: Page, file: Path, content: bytes) -> None:
    """Choose the file in the upload form and send it. From a real file on disk: Chromium then
    takes it without scripts (a file made in memory would need JavaScript in the page)."""
    file.write_bytes(content)
    name = file.name
    page.get_by_label(field_label("Datei", "File")).set_input_files(file)
    page.get_by_role(
        "button", name=either("Hochladen und Spalten zuordnen", "Upload and map the columns")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        either(f"Spalten von „{name}“ zuordnen", f"Map the columns of “{name}”")
    )


def test_importing_a_german_excel_csv_with_bad_rows_then_the_corrected_xlsx(
    new_page: Callable[..., Page], site: Site, tmp_path: Path
) -> None:
    make_crm(site)
    before = snapshot()
    page = new_page(role="coordinator")
    page.goto("/")
    page.get_by_role("navigation", name=MAIN_NAVIGATION).get_by_role(
        "link", name=either("Akteure", "Actors", exact=True)
    ).click()
    page.get_by_role("main").get_by_role(
        "link", name=either("Organisationen und Personen importieren", "Import organisations and people")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        either("Organisationen und Personen importieren", "Import organisations and people")
    )
    assert_accessible_as_served(page)

    # The CSV as German Excel saves it.
    upload(page, tmp_path / "akteure.csv", german_excel_csv([GOOD, BAD_EMAIL, BAD_POSTCODE]))
    main = page.get_by_role("main")
    expect(main).to_contain_text(either("3 Zeilen", "3 rows"))
    expect(main).to_contain_text(re.compile(r"1252"))  # the encoding it recognised
    expect(main).to_contain_text("“;”")

    # The suggested mapping, from the column names; the turnover column is not imported.
    def chosen(header: str) -> str:
        return column_choice(page, header).evaluate("select => select.selectedOptions[0].textContent").strip()

    assert re.fullmatch(either("Organisation: Name", "Organisation: name"), chosen("Firma"))
    assert re.fullmatch(either("— nicht importieren —", "— do not import —"), chosen("Umsatz"))
    preview = page.get_by_role("region", name=either("Vorschau", "Preview", exact=True))
    expect(preview).to_have_attribute("aria-live", "polite")
    table = preview.get_by_role("table")
    expect(table.get_by_role("row").filter(has_text="Jördis")).to_contain_text("Bäckerei Körner GmbH")
    expect(preview).to_contain_text(either("Nicht importiert: Umsatz", "Not imported: Umsatz"))
    assert_accessible_as_served(page)

    # Changing a column's field updates the preview in place.
    mark_document(page)
    column_choice(page, "Stadtteil").select_option(index=0)
    expect(preview).to_contain_text(
        either("Nicht importiert: Stadtteil, Umsatz", "Not imported: Stadtteil, Umsatz")
    )
    expect(table.get_by_role("columnheader", name=re.compile("Stadtteil"))).to_have_count(0)
    assert is_same_document(page), "the preview reloaded the page instead of swapping in place"
    select_by_text(
        column_choice(page, "Stadtteil"),
        either("Organisation: Stadtbezirk", "Organisation: district", exact=True),
    )
    expect(preview).to_contain_text(either("Nicht importiert: Umsatz", "Not imported: Umsatz"))
    expect(preview).not_to_contain_text("Stadtteil, Umsatz")

    # The check: every bad row named with its column; nothing written.
    page.get_by_role("button", name=either("Datei prüfen", "Check the file", exact=True)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        either("Prüfung von „akteure.csv“", "Check of “akteure.csv”")
    )
    expect(page.get_by_role("heading", level=2)).to_contain_text(
        either("2 Fehler: Es wird nichts importiert", "2 errors: nothing is imported")
    )
    errors = page.get_by_role("table")
    expect(errors.get_by_role("rowheader")).to_have_text(["3", "4"])
    email_error, postcode_error = errors.get_by_role("row").nth(1), errors.get_by_role("row").nth(2)
    expect(email_error.get_by_role("cell").first).to_have_text("E-Mail")
    expect(postcode_error.get_by_role("cell").first).to_have_text("PLZ")
    expect(page.get_by_role("button", name=either("Jetzt importieren", "Import now"))).to_have_count(0)
    assert_accessible_as_served(page)
    assert snapshot() == before

    # The row report as a file, for whoever corrects the spreadsheet.
    with page.expect_download() as info:
        page.get_by_role(
            "link", name=either("Bericht herunterladen (CSV)", "Download the report (CSV)")
        ).click()
    report = Path(info.value.path()).read_bytes().decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(report), delimiter=";"))
    assert [line[:2] for line in lines[1:]] == [["3", "E-Mail"], ["4", "PLZ"]]

    # The corrected file, now as .xlsx, with a row for a business that exists already.
    fixed_email = [*BAD_EMAIL[:7], "juergen@schlosserei-weiss.example", BAD_EMAIL[8]]
    fixed_postcode = ["Café Süß", "46240", *BAD_POSTCODE[2:]]
    page.get_by_role("link", name=either("Korrigierte Datei hochladen", "Upload a corrected file")).click()
    upload(page, tmp_path / "akteure-korrigiert.xlsx", xlsx([GOOD, fixed_email, fixed_postcode, DUPLICATE]))
    expect(page.get_by_role("main")).to_contain_text("Akteure")  # the worksheet's name
    assert_accessible_as_served(page)
    page.get_by_role("button", name=either("Datei prüfen", "Check the file", exact=True)).click()

    main = page.get_by_role("main")
    expect(fact(main, "Zeilen", "Rows")).to_have_text("4")
    expect(fact(main, "Neue Organisationen", "New organisations")).to_have_text("3")
    expect(fact(main, "Neue Personen", "New people")).to_have_text("3")
    duplicates = page.get_by_role(
        "region", name=either("Dubletten vorhandener Datensätze", "Duplicates of existing records")
    )
    expect(duplicates.get_by_role("row").filter(has_text="Tischlerei Beispiel GmbH")).to_have_count(1)
    expect(
        duplicates.get_by_role(
            "group", name=either("Dubletten ohne eigene Auswahl", "Duplicates without an own choice")
        ).get_by_role("radio", name=either("Überspringen", "Skip"))
    ).to_be_checked()
    assert_accessible_as_served(page)
    assert snapshot() == before  # checking writes nothing either

    page.get_by_role("button", name=either("Jetzt importieren", "Import now", exact=True)).click()
    expect(page.locator(".messages")).to_contain_text(
        either("Die Datei wurde importiert.", "The file has been imported.")
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(
        either("Import von „akteure-korrigiert.xlsx“", "Import of “akteure-korrigiert.xlsx”")
    )
    main = page.get_by_role("main")
    expect(fact(main, "Neue Organisationen", "New organisations")).to_have_text("3")
    expect(fact(main, "Neue Personen", "New people")).to_have_text("3")
    assert_accessible_as_served(page)

    # The records are there, the umlauts intact; the existing joinery was not doubled.
    weiss = Organisation.objects.get(name="Schlosserei Weiß")
    assert (weiss.postcode, weiss.district) == ("46244", "Kirchhellen")
    juergen = Person.objects.get(email="juergen@schlosserei-weiss.example")
    assert (juergen.first_name, juergen.last_name) == ("Jürgen", "Weiß")
    assert list(juergen.organisations.all()) == [weiss]
    assert Organisation.objects.get(name="Café Süß").postcode == "46240"
    assert Organisation.objects.filter(name="Tischlerei Beispiel GmbH").count() == 1
    clemens = Person.objects.get(email="clemens@tischlerei-beispiel.example")
    assert [organisation.name for organisation in clemens.organisations.all()] == ["Tischlerei Beispiel GmbH"]

    # … and the office finds them in the list.
    main.get_by_role("link", name=either("Organisationen", "Organisations", exact=True)).click()
    page.get_by_label(field_label("Suche", "Search")).fill("Schlosserei")
    found = page.get_by_role("main").get_by_role("link", name="Schlosserei Weiß", exact=True)
    expect(found).to_be_visible()
    assert_accessible_as_served(page)
    found.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Schlosserei Weiß")
    expect(page.get_by_role("main").get_by_role("link", name="Jürgen Weiß")).to_be_visible()
    assert_accessible_as_served(page)


def test_without_javascript_the_mapping_preview_updates_on_request(
    new_page: Callable[..., Page], site: Site, tmp_path: Path
) -> None:
    make_crm(site)
    before = snapshot()
    page = new_page(role="administrator", javascript=False)
    page.goto("/")
    page.get_by_role("link", name=either("Akteure", "Actors", exact=True)).click()
    page.get_by_role("main").get_by_role(
        "link", name=either("Organisationen und Personen importieren", "Import organisations and people")
    ).click()
    upload(page, tmp_path / "akteure.csv", german_excel_csv([GOOD, BAD_EMAIL]))

    column_choice(page, "Stadtteil").select_option(index=0)
    page.get_by_role(
        "button", name=either("Vorschau aktualisieren", "Update the preview", exact=True)
    ).click()
    preview = page.get_by_role("region", name=either("Vorschau", "Preview", exact=True))
    expect(preview).to_contain_text(
        either("Nicht importiert: Stadtteil, Umsatz", "Not imported: Stadtteil, Umsatz")
    )
    expect(column_choice(page, "Stadtteil")).to_have_value("")  # the choice is kept

    page.get_by_role("button", name=either("Datei prüfen", "Check the file", exact=True)).click()
    expect(page.get_by_role("heading", level=2)).to_contain_text(
        either("1 Fehler: Es wird nichts importiert", "1 error: nothing is imported")
    )
    expect(page.get_by_role("table").get_by_role("rowheader")).to_have_text(["3"])
    assert snapshot() == before
