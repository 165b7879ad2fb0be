"""Importing actors through the services, the pages and the CLI: real files, all or nothing."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook

from conftest import ROLES, Portfolio
from reallabor.actors.models import Affiliation, Consent, ImportJob, Person, Purpose
from reallabor.actors.services import imports as services
from reallabor.actors.services.people import person_state
from reallabor.actors.spreadsheets import write_csv
from reallabor.core.testing.actors import Crm, consent_text
from reallabor.history.models import Version
from reallabor.labs.models import LabOrganisation
from reallabor.organisations.models import Organisation
from reallabor.organisations.services import organisation_state
from reallabor.taxonomy.models import Tag

pytestmark = pytest.mark.django_db

ALLOWED = ("coordinator", "administrator")
DENIED = ("anonymous", "reader", "partner", "outsider")


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def english_client(portfolio: Portfolio, role: str) -> Any:
    """A page client asking for English, so the assertions hold whatever the translations say."""
    client = portfolio.client(role)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def texts(crm: Crm) -> None:
    for purpose in (Purpose.NEWSLETTER, Purpose.PHOTOS):
        consent_text(purpose)


def digest() -> dict[str, list[dict[str, Any]]]:
    """Every row an import can write (one query per table)."""
    models: tuple[type[Model], ...] = (
        Organisation, Person, Affiliation, Consent, Tag, Version, LabOrganisation, ImportJob,
    )  # fmt: skip
    return {model._meta.label: list(model._default_manager.order_by("pk").values()) for model in models}


HEADERS = [
    "Firma", "Art", "Branche", "Gewerk", "Mitarbeiter", "Gründungsjahr", "Straße", "PLZ", "Ort", "Stadtteil",
    "Homepage", "Bedarfe", "Motivation", "Reallabor", "Anrede", "Vorname", "Nachname", "Funktion", "E-Mail",
    "Telefon", "Newsletter", "Umsatz",
]  # fmt: skip
ROWS = [
    ["Bäckerei Korn GmbH", "Unternehmen", "10", "", "7", "1987", "Hauptstraße 1", "46236", "Bottrop", "Mitte",
     "www.baeckerei-korn.example", "Fachkräfte; Digitalisierung", "Image", "Digitale Koproduktion im Handwerk",
     "Frau", "Karla", "Korn", "Inhaberin", "karla@baeckerei-korn.example", "02041 12345", "ja 01.03.2024", "12,5"],
    ["Bäckerei Korn GmbH", "", "", "", "", "", "", "46236", "", "", "", "", "", "", "Herr", "Kurt", "Korn",
     "Meister", "kurt@baeckerei-korn.example", "", "", "1.234,50"],
    ["Dachdeckerei Ziegel", "", "43", "Dachdecker", "20-49", "", "", "46244", "Bottrop", "Kirchhellen", "", "",
     "", "", "", "", "", "", "", "", "", ""],
    ["", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "Olga", "Ohnefirma", "", "olga@example.org", "",
     "x", ""],
]  # fmt: skip


def result(**counts: int) -> dict[str, int]:
    return {**dict.fromkeys(services.RESULT_KEYS, 0), **counts}


def german_csv(rows: list[list[str]] = ROWS, headers: list[str] = HEADERS) -> bytes:
    return write_csv([headers, *rows], delimiter=";", encoding="cp1252")


def xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# The services ---------------------------------------------------------------------------------------


def test_a_german_excel_csv_imports_organisations_people_consents_needs_and_lab_roles(
    portfolio: Portfolio, texts: None
) -> None:
    coordinator = portfolio.users["coordinator"]
    assert coordinator is not None
    outcome = services.import_file(user=coordinator, filename="akteure.csv", content=german_csv())
    assert outcome.ok, outcome.report["errors"]
    assert outcome.report["file"]["encoding"] == "cp1252"
    assert outcome.report["ignored_columns"] == ["Umsatz"]
    assert outcome.report["result"] == result(
        created_organisations=2, created_people=3, affiliations=2, consents=2, tags=3, lab_roles=1
    )
    korn = Organisation.objects.get(name="Bäckerei Korn GmbH")
    assert (korn.slug, korn.kind, korn.sector.code if korn.sector else None) == (
        "baeckerei-korn-gmbh",
        "company",
        "10",
    )
    assert (korn.headcount_band, korn.founding_year, korn.street, korn.postcode, korn.city, korn.district) == (
        "5-9", 1987, "Hauptstraße 1", "46236", "Bottrop", "Mitte",
    )  # fmt: skip
    assert (korn.website, korn.web_domain, korn.name_key) == (
        "https://www.baeckerei-korn.example",
        "baeckerei-korn.example",
        "baeckereikorn",
    )
    ziegel = Organisation.objects.get(name="Dachdeckerei Ziegel")
    assert ziegel.trade is not None and ziegel.trade.name == "Dachdecker"
    assert (ziegel.headcount_band, ziegel.district) == ("20-49", "Kirchhellen")
    karla = Person.objects.get(last_name="Korn", first_name="Karla")
    assert (karla.salutation, karla.function, karla.email, karla.phone) == (
        "Frau", "Inhaberin", "karla@baeckerei-korn.example", "02041 12345",
    )  # fmt: skip
    assert karla.created_by == coordinator
    assert list(karla.affiliations.values_list("organisation__name", "role")) == [
        ("Bäckerei Korn GmbH", "Inhaberin")
    ]
    assert Person.objects.get(first_name="Kurt").affiliations.get().organisation == korn
    olga = Person.objects.get(last_name="Ohnefirma")
    assert not olga.affiliations.exists()
    consent = karla.consents.get()
    assert (consent.purpose, consent.source, consent.given_at.date().isoformat(), consent.recorded_by) == (
        "newsletter", "import", "2024-03-01", coordinator,
    )  # fmt: skip
    assert consent.text == consent_text(Purpose.NEWSLETTER)
    assert olga.consents.get().purpose == "newsletter"
    needs = Tag.objects.filter(
        content_type=ContentType.objects.get_for_model(Organisation), object_id=korn.pk
    )
    assert sorted(needs.values_list("term__vocabulary__family", "term__code", "created_by")) == [
        ("motivations", "image", coordinator.pk),
        ("needs", "digitalisation", coordinator.pk),
        ("needs", "skilled-workers", coordinator.pk),
    ]
    assert LabOrganisation.objects.filter(lab=portfolio.handwerk, organisation=korn, role="partner").exists()
    job = outcome.job
    assert job is not None and job.status == ImportJob.Status.IMPORTED and job.created_by == coordinator


def test_the_history_of_every_imported_record_is_complete(portfolio: Portfolio, texts: None) -> None:
    services.import_file(user=portfolio.users["administrator"], filename="a.csv", content=german_csv())
    for organisation in Organisation.objects.filter(name__in=["Bäckerei Korn GmbH", "Dachdeckerei Ziegel"]):
        version = Version.objects.get(
            content_type=ContentType.objects.get_for_model(Organisation), object_id=organisation.pk
        )
        assert (version.action, version.revision, version.user) == (
            "created",
            1,
            portfolio.users["administrator"],
        )
        assert version.data == organisation_state(organisation)
        # (PostgreSQL's jsonb keeps no key order.)
        assert sorted(version.changes, key=lambda change: change["field"]) == [
            {"field": key, "old": None, "new": value} for key, value in sorted(version.data.items())
        ]
    for person in Person.objects.filter(last_name__in=["Korn", "Ohnefirma"]):
        version = Version.objects.get(
            content_type=ContentType.objects.get_for_model(Person), object_id=person.pk
        )
        assert version.action == "created"
        assert version.data == person_state(person)
    handwerk = Version.objects.filter(
        content_type=ContentType.objects.get_for_model(portfolio.handwerk), object_id=portfolio.handwerk.pk
    ).first()
    assert handwerk is not None
    assert {"organisation": "baeckerei-korn-gmbh", "role": "partner"} in handwerk.data["organisations"]


def test_utf8_with_bom_and_commas(portfolio: Portfolio, crm: Crm) -> None:
    content = "\ufeffCompany,Zip code,City,Employees\r\nGrüne Gärten,46236,Bottrop,3\r\n".encode()
    outcome = services.import_file(user=None, filename="a.csv", content=content)
    assert outcome.ok
    assert Organisation.objects.get(name="Grüne Gärten").headcount_band == "1-4"


def test_one_broken_row_writes_nothing_and_the_report_names_rows_and_columns(
    portfolio: Portfolio, crm: Crm, texts: None
) -> None:
    rows = [list(row) for row in ROWS]
    rows[1][18] = "kurt(at)korn"
    rows[2][7] = "462"
    before = digest()
    outcome = services.import_file(user=None, filename="a.csv", content=german_csv(rows))
    assert not outcome.ok
    assert outcome.job is None
    assert services.error_lines(outcome.report) == [
        "Row 3, column “E-Mail”: This is not a valid e-mail address.",
        "Row 4, column “PLZ”: “462” is not a German postcode of five digits.",
    ]
    assert outcome.report["error_rows"] == [3, 4]
    assert digest() == before


def test_a_formula_cell_in_an_xlsx_file_is_refused_and_nothing_is_written(
    portfolio: Portfolio, crm: Crm
) -> None:
    content = xlsx(
        [
            ["Firma", "PLZ", "Mitarbeiter"],
            ["Holz GmbH", 46236, 12],
            ["Span GmbH", 46236, "=SUM(C2:C2)"],
        ]
    )
    before = digest()
    outcome = services.import_file(user=None, filename="akteure.xlsx", content=content)
    assert services.error_lines(outcome.report) == [
        "Row 3, column “Mitarbeiter”: This is a spreadsheet formula; formulas are not imported. "
        "Enter the value as text."
    ]
    assert digest() == before


def test_xlsx_numbers_and_dates_are_imported_as_text(portfolio: Portfolio, crm: Crm) -> None:
    import datetime as dt

    content = xlsx(
        [
            ["Firma", "PLZ", "Gründungsjahr", "Mitglied Wirtschaftsallianz seit"],
            ["Holz GmbH", 1067, 1998, dt.datetime(2020, 5, 1)],
        ]
    )
    outcome = services.import_file(user=None, filename="akteure.xlsx", content=content)
    assert outcome.ok, outcome.report["errors"]
    holz = Organisation.objects.get(name="Holz GmbH")
    assert (holz.postcode, holz.founding_year, holz.alliance_status) == ("01067", 1998, "member")
    assert holz.alliance_since == dt.date(2020, 5, 1)


def test_missing_required_columns_and_files_without_data_change_nothing(
    portfolio: Portfolio, crm: Crm
) -> None:
    before = digest()
    with pytest.raises(ValidationError) as error:
        services.import_file(user=None, filename="a.csv", content=b"Ort;PLZ\r\nBottrop;46236\r\n")
    assert "organisation's name" in error.value.message_dict["mapping"][0]
    with pytest.raises(ValidationError) as error:
        services.import_file(user=None, filename="a.csv", content=b"Firma;PLZ\r\n")
    assert error.value.message_dict == {"file": ["The file holds only a header row and no data."]}
    with pytest.raises(ValidationError) as error:
        services.import_file(user=None, filename="a.csv", content=b"Firma\r\nM\xfcller\x81\r\n")
    assert "line 2" in error.value.message_dict["file"][0]
    assert digest() == before


def test_a_dry_run_checks_everything_and_writes_nothing(portfolio: Portfolio, crm: Crm, texts: None) -> None:
    before = digest()
    outcome = services.import_file(user=None, filename="a.csv", content=german_csv(), dry_run=True)
    assert outcome.ok and outcome.job is None
    assert outcome.report["counts"]["new_organisations"] == 2
    assert digest() == before


def test_slugs_are_unique(portfolio: Portfolio, crm: Crm) -> None:
    content = write_csv([["Firma", "PLZ"], ["Tischlerei Beispiel", "10115"], ["Neu", ""], ["Neu", "46236"]])
    services.import_file(user=None, filename="a.csv", content=content)
    assert sorted(
        Organisation.objects.filter(name__in=["Tischlerei Beispiel", "Neu"]).values_list("slug", flat=True)
    ) == [
        "neu-2",  # “neu” is reserved for the page that adds an organisation
        "neu-3",
        "tischlerei-beispiel-2",
    ]


# Duplicates of existing records --------------------------------------------------------------------

DUPLICATE_HEADERS = ["Firma", "PLZ", "Telefon Firma", "Gründungsjahr", "Bedarfe", "Vorname", "Nachname", "E-Mail", "Mobil", "Fotos", "Newsletter"]  # fmt: skip


def duplicate_file() -> bytes:
    return write_csv(
        [
            DUPLICATE_HEADERS,
            # The crafts business of the CRM by name and postcode, with anna (by e-mail) and a new person.
            ["Tischlerei Beispiel", "46236", "02041 999", "1990", "Fachkräfte", "Anna", "Schreiner",
             "ANNA@tischlerei-beispiel.example", "0170 1234", "ja", "ja"],
            ["Tischlerei Beispiel", "46236", "", "", "", "Nina", "Neu", "nina@example.org", "", "", ""],
        ]
    )  # fmt: skip


def test_duplicates_are_skipped_by_default(portfolio: Portfolio, crm: Crm, texts: None) -> None:
    tischlerei, anna = crm.tischlerei, crm.anna
    outcome = services.import_file(user=None, filename="a.csv", content=duplicate_file())
    assert outcome.ok
    assert [(d["key"], d["existing"], d["reasons"]) for d in outcome.report["duplicates"]] == [
        (
            "organisation:2",
            {"slug": "tischlerei-beispiel", "name": "Tischlerei Beispiel GmbH"},
            ["name_postcode"],
        ),
        ("person:2", {"uuid": str(anna.uuid), "name": "Anna Schreiner"}, ["email", "name_at_organisation"]),
    ]
    assert outcome.report["result"] == result(
        skipped_organisations=1, created_people=1, affiliations=1, skipped_people=1
    )
    refreshed = Organisation.objects.get(pk=tischlerei.pk)
    assert (refreshed.phone, refreshed.founding_year, refreshed.revision) == ("", None, tischlerei.revision)
    nina = Person.objects.get(last_name="Neu")
    assert (
        nina.affiliations.get().organisation == tischlerei
    )  # a new person is still linked to the existing one
    anna.refresh_from_db()
    assert (anna.mobile, anna.consents.count()) == ("", 1)


def test_merging_fills_empty_fields_and_adds_needs_roles_and_consents(
    portfolio: Portfolio, crm: Crm, texts: None
) -> None:
    tischlerei, anna = crm.tischlerei, crm.anna
    outcome = services.import_file(
        user=None, filename="a.csv", content=duplicate_file(), on_duplicate="merge"
    )
    assert outcome.ok
    assert outcome.report["result"] == result(
        merged_organisations=1, tags=1, created_people=1, affiliations=1, merged_people=1, consents=1
    )
    refreshed = Organisation.objects.get(pk=tischlerei.pk)
    assert (refreshed.phone, refreshed.founding_year) == ("02041 999", 1990)
    assert refreshed.name == "Tischlerei Beispiel GmbH"  # filled, never overwritten
    needs = Tag.objects.filter(
        content_type=ContentType.objects.get_for_model(Organisation), object_id=tischlerei.pk
    )
    assert list(needs.values_list("term__code", flat=True)) == ["skilled-workers"]
    anna.refresh_from_db()
    assert anna.mobile == "0170 1234"
    # She consented to the newsletter already (kept as it is); the photos consent is new.
    assert sorted(anna.consents.values_list("purpose", "source")) == [
        ("newsletter", "form"),
        ("photos", "import"),
    ]
    assert list(anna.affiliations.values_list("organisation", flat=True)) == [tischlerei.pk]
    org_version = Version.objects.filter(
        content_type=ContentType.objects.get_for_model(Organisation), object_id=tischlerei.pk
    ).get()
    assert org_version.action == "changed" and org_version.data == organisation_state(refreshed)
    person_version = Version.objects.filter(
        content_type=ContentType.objects.get_for_model(Person), object_id=anna.pk
    ).get()
    assert person_version.action == "changed" and person_version.data == person_state(anna)
    assert {"field": "mobile", "old": "", "new": "0170 1234"} in person_version.changes


def test_a_choice_per_duplicate(portfolio: Portfolio, crm: Crm, texts: None) -> None:
    outcome = services.import_file(
        user=None, filename="a.csv", content=duplicate_file(), decisions={"person:2": "merge"}
    )
    assert outcome.report["decisions"] == {"organisation:2": "skip", "person:2": "merge"}
    assert outcome.report["result"]["merged_people"] == 1
    assert Organisation.objects.get(pk=crm.tischlerei.pk).phone == ""


def test_duplicates_by_email_and_website(portfolio: Portfolio, crm: Crm) -> None:
    content = write_csv(
        [
            ["Firma", "E-Mail", "Website"],
            ["Ganz anders", "INFO@tischlerei-beispiel.example", ""],
            ["Noch anders", "", "tischlerei-beispiel.example/impressum"],
        ]
    )
    outcome = services.import_file(user=None, filename="a.csv", content=content, dry_run=True)
    assert outcome.report["file"]["rows"] == 2
    assert outcome.report["duplicates"] == [
        {
            "key": "organisation:2",
            "kind": "organisation",
            "rows": [2],
            "name": "Ganz anders",
            "existing": {"slug": "tischlerei-beispiel", "name": "Tischlerei Beispiel GmbH"},
            "reasons": ["email"],
        },
        {
            "key": "organisation:3",
            "kind": "organisation",
            "rows": [3],
            "name": "Noch anders",
            "existing": {"slug": "tischlerei-beispiel", "name": "Tischlerei Beispiel GmbH"},
            "reasons": ["web_domain"],
        },
    ]


def test_checking_and_writing_make_the_same_number_of_queries_for_any_number_of_rows(
    portfolio: Portfolio, crm: Crm, texts: None
) -> None:
    def queries(count: int, prefix: str) -> int:
        rows = [
            [
                f"{prefix} Firma {n}",
                "46236",
                "Fachkräfte",
                f"Vor{n}",
                f"Nach{n}",
                f"p{n}@{prefix}.example",
                "ja",
            ]
            for n in range(count)
        ]
        content = write_csv(
            [["Firma", "PLZ", "Bedarfe", "Vorname", "Nachname", "E-Mail", "Newsletter"], *rows]
        )
        with CaptureQueriesContext(connection) as captured:
            outcome = services.import_file(user=None, filename="a.csv", content=content)
        assert outcome.ok
        return len(captured)

    assert queries(3, "klein") == queries(60, "gross")


# Permissions ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_only_the_office_imports(portfolio: Portfolio, crm: Crm, role: str) -> None:
    user = portfolio.users[role]
    before = digest()
    if role in ALLOWED:
        outcome = services.import_file(user=user, filename="a.csv", content=b"Firma\r\nNeu GmbH\r\n")
        assert outcome.ok and Organisation.objects.filter(name="Neu GmbH").exists()
        return
    with pytest.raises(PermissionDenied):
        services.import_file(user=user or _anonymous(), filename="a.csv", content=b"Firma\r\nNeu GmbH\r\n")
    with pytest.raises(PermissionDenied):
        services.upload_import(user=user or _anonymous(), filename="a.csv", content=b"Firma\r\nNeu GmbH\r\n")
    assert digest() == before


def _anonymous() -> Any:
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


def test_a_coordinator_adds_organisations_only_to_the_labs_they_coordinate(
    portfolio: Portfolio, crm: Crm
) -> None:
    content = write_csv([["Firma", "Reallabor"], ["Laden", "Hybride Formen des Handels"]])
    outcome = services.import_file(user=portfolio.users["coordinator"], filename="a.csv", content=content)
    assert services.error_lines(outcome.report) == [
        "Row 2, column “Reallabor”: You may not add organisations to the lab “Hybride Formen des Handels”."
    ]
    outcome = services.import_file(user=portfolio.users["administrator"], filename="a.csv", content=content)
    assert outcome.ok


# The pages -----------------------------------------------------------------------------------------


def upload(client: Any, content: bytes, name: str = "akteure.csv") -> Any:
    file = io.BytesIO(content)
    file.name = name
    return client.post(reverse("actors:import-list"), {"file": file})


def test_the_page_flow_upload_mapping_check_import(portfolio: Portfolio, crm: Crm, texts: None) -> None:
    client = english_client(portfolio, "coordinator")
    response = upload(client, german_csv())
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "actors:import-mapping", args=[job.uuid]
    )
    assert job.mapping["Firma"] == "organisation.name" and "Umsatz" not in job.mapping

    page = client.get(reverse("actors:import-mapping", args=[job.uuid]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'value="organisation.name" selected' in html
    assert "Bäckerei Korn GmbH" in html and "Not imported:" in html

    data = {f"column_{i}": job.mapping.get(header, "") for i, header in enumerate(HEADERS)}
    preview = client.post(
        reverse("actors:import-mapping", args=[job.uuid]) + "?vorschau=1",
        {**data, "column_0": "", "column_16": ""},
        headers={"HX-Request": "true"},
    )
    assert preview.status_code == 200 and b"<html" not in preview.content
    assert "No column gives the organisation" in preview.content.decode()
    assert ImportJob.objects.get().mapping == job.mapping  # a preview saves nothing

    response = client.post(reverse("actors:import-mapping", args=[job.uuid]), {**data, "action": "check"})
    assert response.status_code == 302 and response["Location"] == reverse(
        "actors:import-check", args=[job.uuid]
    )
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CHECKED
    check = client.get(reverse("actors:import-check", args=[job.uuid]))
    assert check.status_code == 200 and "New organisations" in check.content.decode()
    assert not Organisation.objects.filter(name="Bäckerei Korn GmbH").exists()

    response = client.post(reverse("actors:import-check", args=[job.uuid]), {"default": "skip"})
    assert response.status_code == 302 and response["Location"] == reverse(
        "actors:import-detail", args=[job.uuid]
    )
    job.refresh_from_db()
    assert job.status == ImportJob.Status.IMPORTED
    assert Organisation.objects.filter(name="Bäckerei Korn GmbH").exists()
    detail = client.get(reverse("actors:import-detail", args=[job.uuid]))
    assert detail.status_code == 200 and "New organisations" in detail.content.decode()
    # Imported once: the check page does not import twice.
    assert (
        client.post(reverse("actors:import-check", args=[job.uuid]), {"default": "skip"}).status_code == 302
    )
    assert Organisation.objects.filter(name="Bäckerei Korn GmbH").count() == 1


def test_the_page_shows_errors_row_by_row_and_offers_them_as_csv(
    portfolio: Portfolio, crm: Crm, texts: None
) -> None:
    rows = [list(row) for row in ROWS]
    rows[0][0] = '=HYPERLINK("http://x.example")'
    client = english_client(portfolio, "administrator")
    upload(client, german_csv(rows))
    job = ImportJob.objects.get()
    data = {f"column_{i}": job.mapping.get(header, "") for i, header in enumerate(HEADERS)}
    client.post(reverse("actors:import-mapping", args=[job.uuid]), data)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    before = digest()
    page = client.get(reverse("actors:import-check", args=[job.uuid])).content.decode()
    assert "nothing is imported" in page and "spreadsheet formula" in page
    assert (
        client.post(reverse("actors:import-check", args=[job.uuid]), {"default": "skip"}).status_code == 302
    )
    assert digest() == before
    report = client.get(reverse("actors:import-errors", args=[job.uuid]))
    assert report["Content-Type"] == "text/csv; charset=utf-8"
    lines = report.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "Row;Column;Error"
    # The cell text quoted in the message could run in a spreadsheet: it is neutralised.
    assert lines[1].startswith("2;Firma;")
    assert "formula" in lines[1]


def test_a_bad_upload_says_why_and_stores_nothing(portfolio: Portfolio, crm: Crm) -> None:
    client = english_client(portfolio, "coordinator")
    response = upload(client, b"\x00\x01binary\x00\x00", "bild.png")
    assert response.status_code == 200
    assert "This is not a CSV or Excel file" in response.content.decode()
    assert not ImportJob.objects.exists()
    response = upload(client, b"", "leer.csv")
    assert response.status_code == 200 and not ImportJob.objects.exists()


def test_a_too_big_upload_is_refused(portfolio: Portfolio, crm: Crm, settings: Any) -> None:
    settings.MAX_IMPORT_BYTES = 100
    response = upload(english_client(portfolio, "coordinator"), b"Firma\r\n" + b"Holz GmbH\r\n" * 20)
    assert response.status_code == 200
    assert "too large" in response.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("role", DENIED)
def test_others_cannot_upload_or_import(portfolio: Portfolio, crm: Crm, role: str) -> None:
    job = services.check_import(
        user=None, job=services.upload_import(user=None, filename="a.csv", content=b"Firma\r\nNeu GmbH\r\n")
    )
    before = digest()
    client = english_client(portfolio, role)
    expected = 302 if role == "anonymous" else 403
    assert upload(client, b"Firma\r\nNeu GmbH\r\n").status_code == expected
    assert (
        client.post(
            reverse("actors:import-mapping", args=[job.uuid]), {"column_0": "organisation.name"}
        ).status_code
        == expected
    )
    assert (
        client.post(reverse("actors:import-check", args=[job.uuid]), {"default": "skip"}).status_code
        == expected
    )
    assert digest() == before


def test_unknown_imports_are_404(portfolio: Portfolio) -> None:
    client = english_client(portfolio, "coordinator")
    url = reverse("actors:import-check", args=["00000000-0000-0000-0000-000000000000"])
    assert client.get(url).status_code == 404


def test_the_list_of_imports_makes_a_constant_number_of_queries(
    portfolio: Portfolio, crm: Crm, django_assert_max_num_queries: Any
) -> None:
    client = english_client(portfolio, "coordinator")
    client.get(reverse("actors:import-list"))
    for number in range(5):
        services.upload_import(
            user=portfolio.users["coordinator"], filename=f"{number}.csv", content=b"Firma\r\nA\r\n"
        )
    with django_assert_max_num_queries(12):
        assert client.get(reverse("actors:import-list")).status_code == 200


# The CLI ----------------------------------------------------------------------------------------


def run(*args: str) -> tuple[str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    call_command("import_actors", *args, stdout=stdout, stderr=stderr)
    return stdout.getvalue(), stderr.getvalue()


def test_cli_imports_a_file_with_progress(
    portfolio: Portfolio, crm: Crm, texts: None, tmp_path: Path
) -> None:
    path = tmp_path / "akteure.csv"
    path.write_bytes(german_csv())
    out, err = run(str(path))
    assert "Firma → organisation.name" in out
    assert "Imported 4 rows: 2 new organisations" in out
    assert "checking: 0/4" in err and "writing: 5/5" in err
    assert Organisation.objects.filter(name="Dachdeckerei Ziegel").exists()


def test_cli_names_the_bad_rows_exits_non_zero_and_writes_nothing(
    portfolio: Portfolio, crm: Crm, texts: None, tmp_path: Path
) -> None:
    rows = [list(row) for row in ROWS]
    rows[2][4] = "viele"
    path = tmp_path / "akteure.csv"
    path.write_bytes(german_csv(rows))
    before = digest()
    stdout, stderr = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("import_actors", str(path), stdout=stdout, stderr=stderr)
    assert error.value.returncode == 1
    assert str(error.value) == "Nothing was imported: 1 error in row 4."
    assert "Row 4, column “Mitarbeiter”: “viele” is not a number of employees" in stderr.getvalue()
    assert digest() == before


def test_cli_exit_code_of_the_reallabor_command(tmp_path: Path) -> None:
    """The real command in its own process: a file that is no spreadsheet exits with 1 and says why."""
    path = tmp_path / "akteure.csv"
    path.write_bytes(b"Firma\r\nM\xfcller\x81\r\n")
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "reallabor.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
    }
    result = subprocess.run(  # noqa: S603 - our own command with a fixed argument list
        [sys.executable, "-m", "reallabor", "import-actors", str(path), "--dry-run"],
        capture_output=True,
        text=True,
        env=environment,
        cwd=Path(__file__).resolve().parents[3],
        timeout=300,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    assert "0x81" in result.stderr  # the message in the site's language, naming the byte and line 2
    assert " 2 " in result.stderr


def test_cli_dry_run_mapping_file_and_merge(
    portfolio: Portfolio, crm: Crm, texts: None, tmp_path: Path
) -> None:
    path = tmp_path / "akteure.csv"
    path.write_bytes(
        write_csv([["Betrieb XY", "Postleitzahl Sitz", "Tel"], ["Tischlerei Beispiel", "46236", "0201 1"]])
    )
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        json.dumps(
            {
                "Betrieb XY": "organisation.name",
                "Postleitzahl Sitz": "organisation.postcode",
                "Tel": "organisation.phone",
            }
        )
    )
    before = digest()
    out, _err = run(str(path), "--mapping", str(mapping), "--dry-run")
    assert "would add 0 organisations" in out and "1 rows name existing records" in out
    assert digest() == before
    out, _err = run(str(path), "--mapping", str(mapping), "--on-duplicate", "merge")
    assert "1 merged" in out
    assert Organisation.objects.get(pk=crm.tischlerei.pk).phone == "0201 1"


def test_cli_explains_unmapped_required_columns(portfolio: Portfolio, tmp_path: Path) -> None:
    path = tmp_path / "akteure.csv"
    path.write_bytes(b"Betrieb XY;Ort\r\nA;Bottrop\r\n")
    with pytest.raises(CommandError) as error:
        run(str(path))
    message = str(error.value)
    assert "No column gives the organisation's name" in message
    assert "Columns of the file: Betrieb XY, Ort" in message
    assert "--mapping" in message


@pytest.mark.parametrize(
    ("content", "mapping", "message"),
    [
        (None, None, "cannot be read"),
        (b"Firma\r\nA\r\n", "{not json", "is not valid JSON"),
        (b"Firma\r\nA\r\n", '["Firma"]', "JSON object of column names"),
        (b"Firma\r\nA\r\n", '{"Firma": "organisation.unsinn"}', "is not a field that can be imported"),
        (b"\xd0\xcf\x11\xe0" + b"\x00" * 20, None, ".xls format"),
    ],
)
def test_cli_bad_input(
    portfolio: Portfolio, tmp_path: Path, content: bytes | None, mapping: str | None, message: str
) -> None:
    path = tmp_path / "akteure.csv"
    if content is not None:
        path.write_bytes(content)
    args = [str(path)]
    if mapping is not None:
        (tmp_path / "m.json").write_text(mapping)
        args += ["--mapping", str(tmp_path / "m.json")]
    with pytest.raises(CommandError, match=message):
        run(*args)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_on_a_terminal_and_counts_in_a_log() -> None:
    from reallabor.actors.management.commands.import_actors import Progress

    terminal = _Terminal()
    bar = Progress(terminal)
    bar("write", 0, 4)
    bar("write", 4, 4)
    assert terminal.getvalue() == (
        "\rwriting    [..............................]   0% 0/4"
        "\rwriting    [##############################] 100% 4/4\n"
    )
    log = io.StringIO()
    counts = Progress(log)
    for done in range(0, 25_001, 500):
        counts("check", done, 25_000)
    assert log.getvalue().splitlines() == [f"checking: {n}/25000" for n in range(0, 25_001, 2500)]
