"""The office builds a segment: criteria on the form, the live count following them (htmx, in a
polite live region), saving, the members, the exports (the downloads read back), the segment
following the data; and the form without JavaScript.

The data: in the district Fuhlenbrock a bakery (Paula with a newsletter consent, Peter without),
a metal works (Mara, consent) and a primary school (Sven, consent). The crm's joinery is in Mitte.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Download, Locator, Page, expect

from reallabor.actors.models import Person, Segment
from reallabor.core.testing.actors import affiliate, give_consent, make_crm, make_person
from reallabor.organisations.models import Organisation
from tests.browser.support import (
    MAIN_NAVIGATION,
    Site,
    assert_accessible_as_served,
    either,
    field_label,
    is_same_document,
    mark_document,
)

pytestmark = pytest.mark.browser

DISTRICT = "Fuhlenbrock"
NAME = "Betriebe in Fuhlenbrock"
WHO_MATCHES = either("Wer derzeit passt", "Who matches now", exact=True)
COUNT_LINK = re.compile(r"zählen|count the members", re.IGNORECASE)
MEMBERS_LINK = re.compile(r"Mitglieder|show the members", re.IGNORECASE)


@dataclass
class Fuhlenbrock:
    bakery: Organisation
    metal: Organisation
    school: Organisation
    paula: Person
    peter: Person
    mara: Person
    sven: Person


def organisation(name: str, slug: str, kind: str, **fields: str) -> Organisation:
    return Organisation.objects.create(
        name=name,
        slug=slug,
        kind=kind,
        district=DISTRICT,
        city="Bottrop",
        name_key=slug.replace("-", ""),
        **fields,
    )


def fuhlenbrock(site: Site) -> Fuhlenbrock:
    make_crm(site)
    bakery = organisation("Bäckerei Fuhlen", "baeckerei-fuhlen", Organisation.Kind.COMPANY)
    metal = organisation("Metallbau Fuhlen", "metallbau-fuhlen", Organisation.Kind.COMPANY)
    school = organisation(
        "Grundschule Fuhlenbrock",
        "grundschule-fuhlenbrock",
        Organisation.Kind.CIVIL_SOCIETY,
        sub_kind=Organisation.SubKind.SCHOOL,
    )
    paula = make_person(first_name="Paula", last_name="Brötchen", email="paula@baeckerei-fuhlen.example")
    peter = make_person(first_name="Peter", last_name="Teig", email="peter@baeckerei-fuhlen.example")
    mara = make_person(first_name="Mara", last_name="Schweiß", email="mara@metallbau-fuhlen.example")
    sven = make_person(first_name="Sven", last_name="Tafel", email="sven@grundschule-fuhlenbrock.example")
    affiliate(paula, bakery, "Inhaberin")
    affiliate(peter, bakery, "Geselle")
    affiliate(mara, metal, "Geschäftsführerin")
    affiliate(sven, school, "Schulleitung")
    for person in (paula, mara, sven):
        give_consent(person)
    return Fuhlenbrock(bakery, metal, school, paula, peter, mara, sven)


def count_region(page: Page) -> Locator:
    return page.get_by_role("region", name=WHO_MATCHES)


def criterion(page: Page, *legend: str) -> Locator:
    return page.get_by_role("group", name=either(*legend, exact=True))


def expect_counts(page: Page, organisations: int, people: int, reachable: int) -> None:
    region = count_region(page)
    expect(region).to_contain_text(
        either(f"{organisations} Organisationen passen", f"{organisations} organisations match")
    )
    expect(region).to_contain_text(
        either(f"{people} Personen arbeiten derzeit dort", f"{people} people work there now")
    )
    expect(region).to_contain_text(
        re.compile(rf"{reachable} (davon sind per E-Mail|of them can be reached by e-mail)")
    )


def downloaded(page: Page, link: Locator) -> tuple[Download, bytes]:
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.failure() is None
    return download, Path(download.path()).read_bytes()


def csv_rows(content: bytes) -> list[list[str]]:
    """A CSV export as German Excel opens it: UTF-8 with a byte order mark, semicolons."""
    assert content.startswith(b"\xef\xbb\xbf"), "without the BOM Excel garbles the umlauts"
    return list(csv.reader(io.StringIO(content[3:].decode("utf-8")), delimiter=";"))


def xlsx_rows(content: bytes) -> list[list[str]]:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    sheet = workbook.worksheets[0]
    rows = [["" if cell is None else str(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    return rows


def column(rows: list[list[str]], *names: str) -> list[str]:
    """The values of the column whose header is one of ``names`` (the header row first)."""
    index = next(i for i, header in enumerate(rows[0]) if header in names)
    return [row[index] for row in rows[1:]]


def test_building_a_segment_with_live_counts_and_exporting_it(
    new_page: Callable[..., Page], site: Site
) -> None:
    data = fuhlenbrock(site)
    page = new_page(role="coordinator")
    page.goto("/")
    page.get_by_role("navigation", name=MAIN_NAVIGATION).get_by_role(
        "link", name=either("Akteure", "Actors", exact=True)
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(either("Akteure", "Actors"))
    assert_accessible_as_served(page)
    page.get_by_role("main").get_by_role("link", name=either("Segmente", "Segments", exact=True)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(either("Segmente", "Segments"))
    assert_accessible_as_served(page)
    page.get_by_role("link", name=either("Neues Segment", "New segment", exact=True)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(either("Neues Segment", "New segment"))

    # The count is a polite live region: screen readers hear it change.
    live = count_region(page).locator("[aria-live]")
    expect(live).to_have_attribute("aria-live", "polite")
    assert_accessible_as_served(page)

    # Each criterion changes the count in place, without a page load.
    mark_document(page)
    criterion(page, "Stadtbezirk", "District").get_by_label(DISTRICT, exact=True).check()
    expect_counts(page, organisations=3, people=4, reachable=3)
    criterion(page, "Art der Organisation", "Kind of organisation").get_by_label(
        either("Unternehmen", "Company", exact=True)
    ).check()
    expect_counts(page, organisations=2, people=3, reachable=2)
    assert is_same_document(page), "the count reloaded the page instead of swapping the number"
    assert_accessible_as_served(page)

    # A number out of range: the count says what is wrong instead of counting; fixed, it counts again.
    days = page.get_by_label(
        field_label("Seit … Tagen kein Kontakt (oder noch nie)", "Not contacted for … days (or never)")
    )
    days.fill("-3")
    expect(count_region(page)).to_contain_text(
        either("Die Kriterien können nicht ausgewertet werden", "The criteria cannot be counted")
    )
    expect(count_region(page)).to_contain_text(either("ganze Zahl von Tagen", "whole number of days"))
    days.fill("")
    expect_counts(page, organisations=2, people=3, reachable=2)
    assert is_same_document(page)

    page.get_by_label(field_label("Name")).fill(NAME)
    page.get_by_role("button", name=either("Segment speichern", "Save segment", exact=True)).click()

    # The segment's page: the criteria in words, the counts, the members.
    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
    expect(page.locator(".messages")).to_contain_text(
        either(f"Das Segment „{NAME}“ wurde gespeichert.", f"The segment “{NAME}” was saved.")
    )
    segment = Segment.objects.get(name=NAME)
    assert segment.subject == Segment.Subject.ORGANISATIONS
    assert (segment.criteria.get("districts"), segment.criteria.get("kinds")) == ([DISTRICT], ["company"])
    criteria = page.get_by_role("region", name=either("Kriterien", "Criteria", exact=True))
    expect(criteria).to_contain_text(DISTRICT)
    expect(criteria).to_contain_text(either("Unternehmen", "Company"))
    expect_counts(page, organisations=2, people=3, reachable=2)
    members = page.get_by_role("region", name=either("Organisationen", "Organisations", exact=True))
    expect(members.get_by_role("rowheader")).to_have_text([data.bakery.name, data.metal.name])
    assert_accessible_as_served(page)

    # The exports: the organisations as .xlsx, the people there as CSV for German Excel.
    export = page.get_by_role("region", name=either("Export", exact=True))
    download, content = downloaded(page, export.get_by_role("link", name=either("Excel (.xlsx)", exact=True)))
    assert download.suggested_filename.endswith(".xlsx")
    rows = xlsx_rows(content)
    assert sorted(column(rows, "Name")) == [data.bakery.name, data.metal.name]
    assert set(column(rows, "Stadtbezirk", "District")) == {DISTRICT}

    download, content = downloaded(
        page, export.get_by_role("link", name=either("Personen dort (CSV)", "People there (CSV)", exact=True))
    )
    assert download.suggested_filename.endswith(".csv")
    rows = csv_rows(content)
    assert sorted(column(rows, "E-Mail", "E-mail")) == sorted(
        [data.paula.email, data.peter.email, data.mara.email]
    )
    assert "Brötchen" in column(rows, "Nachname", "Last name")  # the umlaut survived

    # A segment is a saved filter: a new bakery in Fuhlenbrock is a member at once.
    organisation("Konditorei Fuhlen", "konditorei-fuhlen", Organisation.Kind.COMPANY)
    page.reload()
    expect(members.get_by_role("rowheader")).to_have_text(
        [data.bakery.name, "Konditorei Fuhlen", data.metal.name]
    )
    expect_counts(page, organisations=3, people=3, reachable=2)

    # The list of segments counts it too.
    page.get_by_role("navigation", name=either("Brotkrümelnavigation", "Breadcrumbs")).get_by_role(
        "link", name=either("Segmente", "Segments", exact=True)
    ).click()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=NAME, exact=True))
    expect(row.get_by_role("cell").nth(1)).to_have_text("3")
    assert_accessible_as_served(page)


def test_without_javascript_the_segment_form_counts_on_request(
    new_page: Callable[..., Page], site: Site
) -> None:
    fuhlenbrock(site)
    segments = Segment.objects.count()
    page = new_page(role="administrator", javascript=False)
    page.goto("/")
    page.get_by_role("link", name=either("Akteure", "Actors", exact=True)).click()
    page.get_by_role("main").get_by_role("link", name=either("Segmente", "Segments", exact=True)).click()
    page.get_by_role("link", name=either("Neues Segment", "New segment", exact=True)).click()

    # A segment of people this time: the people in Fuhlenbrock.
    criterion(page, "Das Segment enthält", "The segment holds").get_by_label(
        either("Personen", "People", exact=True)
    ).check()
    criterion(page, "Stadtbezirk", "District").get_by_label(DISTRICT, exact=True).check()
    page.get_by_role("button", name=either("Erneut zählen", "Count again", exact=True)).click()
    region = count_region(page)
    expect(region).to_contain_text(either("4 Personen passen", "4 people match"))
    expect(region).to_contain_text(re.compile(r"3 (davon sind per E-Mail|of them can be reached by e-mail)"))
    # The choices stay, and nothing was saved by counting.
    expect(criterion(page, "Stadtbezirk", "District").get_by_label(DISTRICT, exact=True)).to_be_checked()
    assert Segment.objects.count() == segments

    # Saving without a name is refused with the field named.
    page.get_by_role("button", name=either("Segment speichern", "Save segment", exact=True)).click()
    name = page.get_by_label(field_label("Name"))
    expect(page.locator(".field--error").filter(has=name)).to_contain_text(either("erforderlich", "required"))
    assert Segment.objects.count() == segments

    name.fill("Menschen in Fuhlenbrock")
    page.get_by_role("button", name=either("Segment speichern", "Save segment", exact=True)).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Menschen in Fuhlenbrock")
    segment_url = page.url
    # With scripts its page loads counts and members by itself; without, links lead to them.
    page.get_by_role("region", name=WHO_MATCHES).get_by_role("link", name=COUNT_LINK).click()
    expect(count_region(page)).to_contain_text(either("4 Personen passen", "4 people match"))
    page.get_by_role("main").get_by_role("link", name=MEMBERS_LINK).click()
    members = page.get_by_role("region", name=either("Personen", "People", exact=True))
    expect(members.get_by_role("rowheader")).to_have_text(
        ["Paula Brötchen", "Mara Schweiß", "Sven Tafel", "Peter Teig"]
    )
    members_url = page.url

    # These pages pass axe too (axe needs scripts: a second page has them).
    checker = new_page(role="administrator")
    for url in (segment_url, members_url):
        checker.goto(url)
        expect(checker.get_by_role("main")).to_contain_text("Menschen in Fuhlenbrock")
        expect(checker.get_by_role("main")).to_contain_text("Paula Brötchen")
        assert_accessible_as_served(checker)
    segment = Segment.objects.get(name="Menschen in Fuhlenbrock")
    assert segment.subject == Segment.Subject.PEOPLE
    assert segment.criteria.get("districts") == [DISTRICT] and not segment.criteria.get("kinds")
