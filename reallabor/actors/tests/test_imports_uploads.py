"""How long uploaded import files are kept: removed once imported, and after
``REALLABOR_IMPORT_UPLOAD_DAYS`` when not imported (``flag-retention``); the reports stay."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from io import BytesIO, StringIO
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from conftest import Portfolio
from reallabor.actors.models import ImportJob, Person
from reallabor.actors.services import imports as services
from reallabor.actors.services import privacy
from reallabor.actors.spreadsheets import write_csv
from reallabor.actors.tests.test_imports import DENIED, digest, german_csv
from reallabor.core.testing.actors import Crm
from reallabor.organisations.models import Organisation

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
ADDRESS = b"karla@baeckerei-korn.example"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def english_client(portfolio: Portfolio, role: str) -> Any:
    client = portfolio.client(role)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def upload(portfolio: Portfolio, content: bytes = b"", age: dt.timedelta = dt.timedelta(0)) -> ImportJob:
    """An uploaded file (a real CSV, cp1252), as old as ``age``."""
    job = services.upload_import(
        user=portfolio.users["coordinator"], filename="akteure.csv", content=content or german_csv()
    )
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - age)
    job.refresh_from_db()
    return job


def stored(job: ImportJob) -> bytes:
    return bytes(ImportJob.objects.get(pk=job.pk).content)


# Removed once imported -------------------------------------------------------------------------------


def test_the_page_flow_removes_the_file_once_imported_and_keeps_the_report(
    portfolio: Portfolio, crm: Crm
) -> None:
    client = english_client(portfolio, "coordinator")
    file = BytesIO(german_csv())
    file.name = "akteure.csv"
    client.post(reverse("actors:import-list"), {"file": file})
    job = ImportJob.objects.get()
    assert ADDRESS in stored(job)  # kept while it is being mapped and checked
    services.check_import(user=portfolio.users["coordinator"], job=job)
    assert ADDRESS in stored(job)
    response = client.post(reverse("actors:import-check", args=[job.uuid]), {"default": "skip"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.IMPORTED
    assert bytes(job.content) == b""
    assert job.report["result"]["created_organisations"] == 2
    assert job.report["counts"]["rows"] == 4 and job.report["file"]["headers"][0] == "Firma"
    assert job.report["file_removed_at"] == job.report["imported_at"]
    detail = client.get(reverse("actors:import-detail", args=[job.uuid])).content.decode()
    assert "The uploaded file has been removed after the import; this report stays." in detail
    assert "New organisations" in detail


def test_an_import_that_fails_to_write_keeps_the_file(portfolio: Portfolio, crm: Crm) -> None:
    """Rows with errors: status failed, the file stays (the mapping may be changed)."""
    rows = [["Firma X", "462"]]
    job = upload(portfolio, write_csv([["Firma", "PLZ"], *rows], delimiter=";"))
    job = services.run_import(user=portfolio.users["coordinator"], job=job)
    assert job.status == ImportJob.Status.FAILED
    assert b"Firma X" in stored(job) and "file_removed_at" not in job.report


@pytest.mark.parametrize("dry_run", [False, True])
def test_the_cli_and_api_import_keeps_no_file(portfolio: Portfolio, crm: Crm, dry_run: bool) -> None:
    outcome = services.import_file(
        user=portfolio.users["administrator"], filename="a.csv", content=german_csv(), dry_run=dry_run
    )
    assert outcome.ok
    if dry_run:
        assert outcome.job is None and not ImportJob.objects.exists()
        return
    job = ImportJob.objects.get()
    assert job == outcome.job and bytes(job.content) == b""
    assert job.report["result"]["created_people"] == 3 and job.report["file_removed_at"]


# Removed after the period ----------------------------------------------------------------------------


def test_files_not_imported_are_removed_after_the_period(portfolio: Portfolio, crm: Crm) -> None:
    old = upload(portfolio, age=8 * DAY)
    checked = upload(portfolio, age=30 * DAY)
    services.check_import(user=portfolio.users["coordinator"], job=checked)
    recent = upload(portfolio, age=6 * DAY)
    imported = services.import_file(user=None, filename="b.csv", content=german_csv()).job
    assert imported is not None
    # An import carried out before files were removed at once (kept its file): removed whatever its age.
    ImportJob.objects.filter(pk=imported.pk).update(content=german_csv())
    reports = {job.pk: job.report for job in ImportJob.objects.all()}

    assert services.remove_stale_uploads(user=None) == 3
    assert stored(old) == stored(checked) == stored(imported) == b""
    assert ADDRESS in stored(recent)
    for job in ImportJob.objects.all():
        removed_at = job.report.pop("file_removed_at", None)
        assert (removed_at is None) == (job.pk == recent.pk)
        assert job.report == {k: v for k, v in reports[job.pk].items() if k != "file_removed_at"}
    assert ImportJob.objects.get(pk=checked.pk).status == ImportJob.Status.CHECKED
    assert services.remove_stale_uploads(user=None) == 0  # nothing left to remove
    assert services.remove_stale_uploads(user=None, days=5) == 1  # the recent one is older than five days
    assert stored(recent) == b""


def test_the_period_is_a_setting(portfolio: Portfolio, crm: Crm, settings: Any) -> None:
    job = upload(portfolio, age=3 * DAY)
    assert services.upload_days() == 7
    settings.REALLABOR_IMPORT_UPLOAD_DAYS = 2
    assert services.upload_days() == 2
    assert services.remove_stale_uploads(user=None) == 1 and stored(job) == b""
    with pytest.raises(ValidationError) as error:
        services.remove_stale_uploads(user=None, days=0)
    assert "days" in error.value.message_dict


def test_flag_retention_removes_old_uploads_and_says_so(portfolio: Portfolio, crm: Crm) -> None:
    old, recent = upload(portfolio, age=10 * DAY), upload(portfolio, age=DAY)
    people = list(Person.objects.order_by("pk").values())
    err = StringIO()
    call_command("flag_retention", stdout=StringIO(), stderr=err)
    assert "1 uploaded import file removed (not imported within 7 days; the reports stay)." in err.getvalue()
    assert stored(old) == b"" and ADDRESS in stored(recent)
    assert list(Person.objects.order_by("pk").values()) == people
    with override_settings(REALLABOR_IMPORT_UPLOAD_DAYS=1):
        call_command("flag_retention", stdout=StringIO(), stderr=(err := StringIO()))
    assert "1 uploaded import file removed (not imported within 1 day;" in err.getvalue()
    assert stored(recent) == b""


def test_an_erased_person_stays_in_no_upload_older_than_the_period(portfolio: Portfolio, crm: Crm) -> None:
    services.import_file(user=None, filename="a.csv", content=german_csv())
    karla = Person.objects.get(email=ADDRESS.decode())
    waiting = upload(portfolio, age=DAY)  # uploaded again, not imported
    privacy.erase_person(user=portfolio.users["administrator"], person=karla)
    assert ADDRESS in stored(waiting)  # within the period the upload still holds her
    ImportJob.objects.filter(pk=waiting.pk).update(created_at=timezone.now() - 8 * DAY)
    call_command("flag_retention", stdout=StringIO(), stderr=StringIO())
    assert not any(
        ADDRESS in bytes(content) for content in ImportJob.objects.values_list("content", flat=True)
    )


@pytest.mark.parametrize("role", DENIED[1:])
def test_only_the_office_removes_uploads(portfolio: Portfolio, crm: Crm, role: str) -> None:
    upload(portfolio, age=10 * DAY)
    before = digest()
    with pytest.raises(PermissionDenied):
        services.remove_stale_uploads(user=portfolio.users[role])
    assert digest() == before


@pytest.mark.parametrize("role", ["coordinator", "administrator"])
def test_the_office_removes_uploads(portfolio: Portfolio, crm: Crm, role: str) -> None:
    job = upload(portfolio, age=10 * DAY)
    assert services.remove_stale_uploads(user=portfolio.users[role]) == 1
    assert stored(job) == b""


# A removed file --------------------------------------------------------------------------------------


def test_a_removed_file_cannot_be_mapped_checked_or_imported(portfolio: Portfolio, crm: Crm) -> None:
    coordinator = portfolio.users["coordinator"]
    job = upload(portfolio, age=10 * DAY)
    services.check_import(user=coordinator, job=job)
    services.remove_stale_uploads(user=None)
    job.refresh_from_db()
    before = digest()
    for attempt in (
        lambda: services.set_import_mapping(user=coordinator, job=job, mapping=job.mapping),
        lambda: services.check_import(user=coordinator, job=job),
        lambda: services.run_import(user=coordinator, job=job),
    ):
        with pytest.raises(ValidationError) as error:
            attempt()
        assert "no longer stored" in " ".join(error.value.message_dict["file"])
    assert digest() == before


def test_the_pages_say_the_file_has_been_removed(portfolio: Portfolio, crm: Crm) -> None:
    client = english_client(portfolio, "coordinator")
    uploaded = upload(portfolio, age=10 * DAY)
    checked = upload(portfolio, age=10 * DAY)
    services.check_import(user=portfolio.users["coordinator"], job=checked)
    services.remove_stale_uploads(user=None)
    listing = client.get(reverse("actors:import-list")).content.decode()
    assert listing.count("(file removed)") == 2
    assert reverse("actors:import-mapping", args=[uploaded.uuid]) not in listing
    mapping = client.get(reverse("actors:import-mapping", args=[uploaded.uuid]), follow=True)
    assert mapping.redirect_chain[-1][0] == reverse("actors:import-list")
    assert "no longer stored" in mapping.content.decode()
    page = client.get(reverse("actors:import-check", args=[checked.uuid])).content.decode()
    assert "The uploaded file has been removed" in page and "Import now" not in page
    before = digest()
    response = client.post(
        reverse("actors:import-check", args=[checked.uuid]), {"default": "skip"}, follow=True
    )
    assert response.status_code == 200 and "no longer stored" in response.content.decode()
    assert digest() == before and not Organisation.objects.filter(name="Bäckerei Korn GmbH").exists()
