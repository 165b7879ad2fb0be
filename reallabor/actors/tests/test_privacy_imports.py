"""Erasing or anonymising a person also removes them from the stored import reports (the
duplicates that point at them, their name and contact data quoted anywhere else), and the reports
never quote the cells that may hold anyone's personal data (e-mail addresses, formula cells)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.utils import translation

from conftest import Portfolio
from reallabor.actors.models import ImportJob, Person, Purpose
from reallabor.actors.services import imports as services
from reallabor.actors.services import privacy
from reallabor.actors.spreadsheets import write_csv
from reallabor.actors.tests.test_imports import duplicate_file
from reallabor.core.testing.actors import Crm, consent_text, make_person

pytestmark = pytest.mark.django_db

LONG_EMAIL = "anna.schreiner.tischlermeisterin@tischlerei-beispiel.example"  # cut short when quoted


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def checked(portfolio: Portfolio, rows: list[list[str]]) -> ImportJob:
    """A job uploaded and checked through the pages' flow (its report stored)."""
    coordinator = portfolio.users["coordinator"]
    content = write_csv([["Firma", "PLZ", "Gewerk", "Vorname", "Nachname", "E-Mail"], *rows], delimiter=";")
    job = services.upload_import(user=coordinator, filename="check.csv", content=content)
    return services.check_import(user=coordinator, job=job)


def text_of(job: ImportJob) -> str:
    job.refresh_from_db()
    return json.dumps(job.report, ensure_ascii=False).lower()


def erase(portfolio: Portfolio, person: Person) -> None:
    privacy.erase_person(user=portfolio.users["administrator"], person=person)


def anonymise(portfolio: Portfolio, person: Person) -> None:
    privacy.anonymise_person(user=portfolio.users["administrator"], person=person)


@pytest.mark.parametrize("forget", [erase, anonymise])
def test_the_person_is_removed_from_every_import_report(
    portfolio: Portfolio, crm: Crm, forget: Callable[[Portfolio, Person], None]
) -> None:
    for purpose in (Purpose.NEWSLETTER, Purpose.PHOTOS):
        consent_text(purpose)
    anna = crm.anna
    Person.objects.filter(pk=anna.pk).update(mobile="0170 55 66 77")
    anna.refresh_from_db()
    # An import that found her as a duplicate (skipped), by e-mail and by name at the Tischlerei.
    imported = services.import_file(user=None, filename="a.csv", content=duplicate_file()).job
    assert imported is not None
    duplicates = {item["key"]: item for item in imported.report["duplicates"]}
    assert duplicates["person:2"]["name"] == "Anna Schreiner"
    assert duplicates["person:2"]["existing"] == {"uuid": str(anna.uuid), "name": "Anna Schreiner"}
    # A check that failed, quoting her name, phone number and (long) e-mail address as unknown trades.
    failed = checked(
        portfolio,
        [
            ["Holz GmbH", "46236", "Anna Schreiner", "", "", ""],
            ["Span GmbH", "46236", "0170 55 66 77", "", "", ""],
            ["Leim GmbH", "46236", "Schreiner, Anna", "", "", ""],
        ],
    )
    assert failed.status == ImportJob.Status.FAILED
    assert "anna schreiner" in text_of(failed) and "0170 55 66 77" in text_of(failed)
    other = checked(portfolio, [["Holz GmbH", "46236", "Zimmerer-Lehrling", "", "", ""]])
    other_report = other.report

    forget(portfolio, anna)

    for job in (imported, failed):
        text = text_of(job)
        for trace in ("schreiner", "anna@tischlerei-beispiel.example", "0170 55 66 77"):
            assert trace not in text, (job.filename, trace)
    duplicates = {item["key"]: item for item in imported.report["duplicates"]}
    assert duplicates["person:2"]["name"] == privacy.SCRUBBED
    assert duplicates["person:2"]["existing"] == {"uuid": str(anna.uuid), "name": privacy.SCRUBBED}
    assert duplicates["person:2"]["rows"] == [2] and duplicates["person:2"]["reasons"] == [
        "email",
        "name_at_organisation",
    ]
    # Everything else stays: the organisation's duplicate, the counts, the errors' rows and columns.
    assert duplicates["organisation:2"]["existing"]["name"] == "Tischlerei Beispiel GmbH"
    assert imported.report["result"]["skipped_people"] == 1
    assert [(e["row"], e["column"]) for e in failed.report["errors"]] == [
        (2, "Gewerk"),
        (3, "Gewerk"),
        (4, "Gewerk"),
    ]
    assert [e["message"] for e in failed.report["errors"]] == [
        f"Unknown trade “{privacy.SCRUBBED}”.",
        f"Unknown trade “{privacy.SCRUBBED}”.",
        f"Unknown trade “{privacy.SCRUBBED}”.",
    ]
    other.refresh_from_db()
    assert other.report == other_report  # a report without her is left as it was


def test_an_address_cut_short_in_a_report_is_removed_too(portfolio: Portfolio, crm: Crm) -> None:
    person = make_person(first_name="Anna", last_name="Langadresse", email=LONG_EMAIL)
    job = checked(portfolio, [["Holz GmbH", "46236", LONG_EMAIL, "", "", ""]])
    message = job.report["errors"][0]["message"]
    assert LONG_EMAIL not in message and LONG_EMAIL[:30] in message  # cut to 40 characters
    erase(portfolio, person)
    assert LONG_EMAIL[:30] not in text_of(job)
    job.refresh_from_db()
    assert job.report["errors"][0]["message"] == f"Unknown trade “{privacy.SCRUBBED}”."


def test_reports_do_not_quote_e_mail_addresses_or_formula_cells(portfolio: Portfolio, crm: Crm) -> None:
    """A wrong e-mail address or a formula may hold anyone's personal data, also of people who
    are never imported: the stored error names the row and the column, not the value."""
    job = checked(
        portfolio,
        [
            ["Holz GmbH", "46236", "", "Berta", "Beispiel", "berta(at)beispiel.example"],
            ["Span GmbH", "46236", "", "Carl", "Clever", '=HYPERLINK("mailto:carl@beispiel.example")'],
        ],
    )
    errors: list[dict[str, Any]] = job.report["errors"]
    assert errors == [
        {"row": 2, "column": "E-Mail", "message": "This is not a valid e-mail address."},
        {
            "row": 3,
            "column": "E-Mail",
            "message": "This is a spreadsheet formula; formulas are not imported. Enter the value as text.",
        },
    ]
    assert "beispiel.example" not in text_of(job)
    assert (
        services.error_lines(job.report)[0] == "Row 2, column “E-Mail”: This is not a valid e-mail address."
    )
