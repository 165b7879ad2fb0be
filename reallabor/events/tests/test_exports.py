"""Exports of the participants (CSV, .xlsx, the sign-in sheet as PDF), documents, minutes and results."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from conftest import Portfolio
from reallabor.actors.models import PersonalDataAccess
from reallabor.core.testing.events import EventsWorld, register_person
from reallabor.events import exports
from reallabor.events.models import Event, EventDocument, Registration
from reallabor.events.tests.helpers import snapshot
from reallabor.reports.tests.test_pdf import read_pdf

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

REFUSED = ("anonymous", "reader", "partner", "outsider")
S = Registration.Status


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def en(portfolio: Portfolio, role: str) -> Client:
    client = portfolio.client(role)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def world_with_waiting_list(world: EventsWorld) -> Event:
    event = world.fruehstueck
    question = event.questions.get()
    register_person(event, first_name="Dora", last_name="Dritte", answers={str(question.pk): "vegan"})
    register_person(event, first_name="Emil", last_name="Erster", organisation_name='=HYPERLINK("http://x")')
    register_person(event, first_name="Frida", last_name="Zweite")
    return event


# The rows (pure) --------------------------------------------------------------------------------


def test_the_table_orders_registered_offered_waiting_and_ended() -> None:
    now = timezone.now()
    base: dict[str, Any] = {
        "first_name": "",
        "email": "",
        "organisation_name": "",
        "organisation__name": None,
        "reserved": False,
        "source": "online",
        "address_confirmed_at": now,
        "offer_expires_at": None,
        "checked_in_at": None,
        "cancelled_at": None,
        "answers": {},
    }
    rows = [
        {**base, "last_name": "Später", "status": S.WAITING, "created_at": now, "waiting_since": now},
        {**base, "last_name": "Weg", "status": S.CANCELLED, "created_at": now, "waiting_since": None},
        {
            **base,
            "last_name": "Früher",
            "status": S.WAITING,
            "created_at": now,
            "waiting_since": now.replace(year=2020),
        },
        {
            **base,
            "last_name": "Da",
            "status": S.REGISTERED,
            "created_at": now,
            "waiting_since": None,
            "reserved": True,
        },
    ]
    header, table = exports.participant_table(rows, [])
    assert header[:3] == ["Last name", "First name", "E-mail"]
    assert [(row[0], row[6], row[7]) for row in table] == [
        ("Da", "", "yes"),
        ("Früher", "1", ""),
        ("Später", "2", ""),
        ("Weg", "", ""),
    ]
    assert table[0][9].tzinfo is None  # Berlin time without a zone, as spreadsheets take it


def test_the_sign_in_rows_list_the_seats_and_blank_lines() -> None:
    rows: list[dict[str, Any]] = [
        {
            "first_name": "Zoe",
            "last_name": "Alt",
            "organisation_name": "",
            "organisation__name": "Firma",
            "status": S.REGISTERED,
            "checked_in_at": None,
        },
        {
            "first_name": "Ada",
            "last_name": "Berg",
            "organisation_name": "Bäckerei",
            "organisation__name": None,
            "status": S.OFFERED,
            "checked_in_at": timezone.now(),
        },
        {
            "first_name": "Kai",
            "last_name": "Aus",
            "organisation_name": "",
            "organisation__name": None,
            "status": S.WAITING,
            "checked_in_at": None,
        },
    ]
    sheet = exports.sign_in_rows(rows, blank=2)
    assert [(row.number, row.name, row.organisation, row.checked_in) for row in sheet] == [
        (1, "Alt, Zoe", "Firma", False),
        (2, "Berg, Ada", "Bäckerei", True),
        (3, "", "", False),
        (4, "", "", False),
    ]


# CSV and .xlsx ----------------------------------------------------------------------------------------


def test_the_csv_export_has_the_waiting_list_answers_and_neutralised_cells(
    portfolio: Portfolio, events_portfolio: EventsWorld
) -> None:
    event = world_with_waiting_list(events_portfolio)
    response = en(portfolio, "coordinator").get(
        reverse("events:event-export", kwargs={"slug": event.slug, "fmt": "csv"})
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert f"{event.slug}-teilnehmende.csv" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][-1] == "Ernährung"
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Dritte"][5] == "registered"
    assert by_name["Dritte"][-1] == "vegan"
    assert (by_name["Erster"][5], by_name["Erster"][6]) == ("on the waiting list", "1")
    assert by_name["Zweite"][6] == "2"
    assert by_name["Erster"][3] == '\'=HYPERLINK("http://x")'
    access = PersonalDataAccess.objects.get()
    assert access.action == PersonalDataAccess.Action.LIST_EXPORTED
    assert access.user == portfolio.users["coordinator"]
    assert str(event.uuid) in access.detail


def test_the_xlsx_export_reads_back(
    portfolio: Portfolio, events_portfolio: EventsWorld, tmp_path: Path
) -> None:
    event = world_with_waiting_list(events_portfolio)
    events_portfolio.anna.checked_in_at = timezone.now()
    events_portfolio.anna.save()
    response = en(portfolio, "administrator").get(
        reverse("events:event-export", kwargs={"slug": event.slug, "fmt": "xlsx"})
    )
    assert response.status_code == 200
    path = tmp_path / "export.xlsx"
    path.write_bytes(b"".join(response.streaming_content))  # type: ignore[attr-defined]
    sheet = load_workbook(path).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Last name"
    assert len(rows) == 1 + 5
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["Erster"][3] == '\'=HYPERLINK("http://x")'
    assert by_name[events_portfolio.anna.last_name][12] is not None  # checked in
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f"
    assert PersonalDataAccess.objects.count() == 1


@pytest.mark.parametrize("role", [*REFUSED, "coordinator-other-lab"])
def test_exports_are_refused_to_others_and_not_logged(
    portfolio: Portfolio, events_portfolio: EventsWorld, role: str
) -> None:
    other_lab = role == "coordinator-other-lab"
    client = en(portfolio, "coordinator" if other_lab else role)
    event = events_portfolio.trade_invitation if other_lab else events_portfolio.fruehstueck
    for url in (
        reverse("events:event-export", kwargs={"slug": event.slug, "fmt": "csv"}),
        reverse("events:event-export", kwargs={"slug": event.slug, "fmt": "xlsx"}),
        reverse("events:event-sign-in-sheet", kwargs={"slug": event.slug}),
    ):
        assert client.get(url).status_code in (302, 403)
    assert not PersonalDataAccess.objects.exists()


def test_unknown_formats_and_events_are_not_found(
    portfolio: Portfolio, events_portfolio: EventsWorld
) -> None:
    client = en(portfolio, "coordinator")
    slug = events_portfolio.fruehstueck.slug
    assert client.get(f"/veranstaltungen/{slug}/export.pdf").status_code == 404
    assert client.get("/veranstaltungen/gibt-es-nicht-2020-01-01/export.csv").status_code == 404
    assert not PersonalDataAccess.objects.exists()


# The sign-in sheet -----------------------------------------------------------------------------------


def test_the_sign_in_sheet_is_a_pdf_with_the_names(
    portfolio: Portfolio, events_portfolio: EventsWorld, tmp_path: Path
) -> None:
    event = world_with_waiting_list(events_portfolio)
    response = en(portfolio, "coordinator").get(
        reverse("events:event-sign-in-sheet", kwargs={"slug": event.slug})
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert PersonalDataAccess.objects.get().action == PersonalDataAccess.Action.LIST_EXPORTED
    if shutil.which("pdftotext") is None:
        return
    text = read_pdf(response.content, tmp_path / "sheet.pdf").words
    assert "Signature" in text
    assert "Dritte, Dora" in text
    assert events_portfolio.anna.last_name in text
    assert "Erster" not in text  # waiting: no seat, not on the sheet


# Documents ---------------------------------------------------------------------------------------------


def upload(name: str = "protokoll.pdf", content: bytes = b"%PDF-1.4 minutes") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_documents_are_uploaded_downloaded_and_removed(
    portfolio: Portfolio, events_portfolio: EventsWorld
) -> None:
    event = events_portfolio.fruehstueck
    client = en(portfolio, "coordinator")
    url = reverse("events:document-list", kwargs={"slug": event.slug})
    response = client.post(url, {"title": "Protokoll", "kind": "minutes", "file": upload()}, follow=True)
    assert "The document was added." in response.content.decode()
    document = EventDocument.objects.get()
    assert (document.title, document.kind, document.uploaded_by) == (
        "Protokoll",
        "minutes",
        portfolio.users["coordinator"],
    )
    download = client.get(
        reverse("events:document-download", kwargs={"slug": event.slug, "uuid": document.uuid})
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 minutes"  # type: ignore[attr-defined]
    assert "attachment" in download["Content-Disposition"]
    assert download["Content-Type"] == "application/pdf"
    remove = reverse("events:document-remove", kwargs={"slug": event.slug, "uuid": document.uuid})
    assert client.post(remove).status_code == 302
    assert not EventDocument.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"title": "", "kind": "minutes"}, "title", "This field is required."),
        ({"title": "X", "kind": "geheim"}, "kind", "Select a valid choice."),
        ({"title": "X", "kind": "other", "file": "exe"}, "file", "Files of this type cannot be attached"),
        ({"title": "X", "kind": "other", "file": "empty"}, "file", "The submitted file is empty."),
        ({"title": "X", "kind": "other", "file": None}, "file", "This field is required."),
    ],
)
def test_document_form_errors(
    portfolio: Portfolio, events_portfolio: EventsWorld, data: dict[str, Any], field: str, message: str
) -> None:
    data = dict(data)
    kind = data.pop("file", "pdf")
    if kind == "pdf":
        data["file"] = upload()
    elif kind == "exe":
        data["file"] = upload("virus.exe", b"MZ")
    elif kind == "empty":
        data["file"] = upload("leer.pdf", b"")
    before = snapshot()
    response = en(portfolio, "coordinator").post(
        reverse("events:document-list", kwargs={"slug": events_portfolio.fruehstueck.slug}), data
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert snapshot() == before


@pytest.mark.parametrize("role", [*REFUSED, "coordinator-other-lab"])
def test_documents_are_refused_to_others(
    portfolio: Portfolio, events_portfolio: EventsWorld, role: str
) -> None:
    from reallabor.events.services.documents import add_document

    other_lab = role == "coordinator-other-lab"
    event = events_portfolio.trade_invitation if other_lab else events_portfolio.fruehstueck
    document = add_document(user=None, event=event, title="Folien", file=upload(), kind="slides")
    client = en(portfolio, "coordinator" if other_lab else role)
    before = snapshot()
    kwargs = {"slug": event.slug, "uuid": document.uuid}
    assert client.get(reverse("events:document-download", kwargs=kwargs)).status_code in (302, 403)
    assert client.post(reverse("events:document-remove", kwargs=kwargs)).status_code in (302, 403)
    upload_url = reverse("events:document-list", kwargs={"slug": event.slug})
    assert client.post(upload_url, {"title": "X", "kind": "other", "file": upload()}).status_code in (
        302,
        403,
    )
    assert snapshot() == before


def test_a_document_of_another_event_is_not_found(
    portfolio: Portfolio, events_portfolio: EventsWorld
) -> None:
    from reallabor.events.services.documents import add_document

    document = add_document(
        user=None, event=events_portfolio.fruehstueck, title="F", file=upload(), kind="slides"
    )
    url = reverse(
        "events:document-download", kwargs={"slug": events_portfolio.office_event.slug, "uuid": document.uuid}
    )
    assert en(portfolio, "coordinator").get(url).status_code == 404


# Minutes and results -----------------------------------------------------------------------------------


def test_minutes_and_results_are_saved_with_the_measures(
    portfolio: Portfolio, events_portfolio: EventsWorld
) -> None:
    event = events_portfolio.fruehstueck
    measure = portfolio.handwerk.measures.order_by("position").first()
    assert measure is not None
    client = en(portfolio, "coordinator")
    url = reverse("events:event-minutes", kwargs={"slug": event.slug})
    assert measure.title in client.get(url).content.decode()
    data = {
        "minutes": "# Protokoll\n\nGut.",
        "results": "Neue Werkstattreihe",
        "measures": [str(measure.pk)],
        "expected_revision": event.revision,
    }
    assert client.post(url, data).status_code == 302
    event.refresh_from_db()
    assert (event.minutes, event.results) == ("# Protokoll\n\nGut.", "Neue Werkstattreihe")
    assert list(event.measures.all()) == [measure]


def test_minutes_refuse_another_labs_measure_and_stale_edits(
    portfolio: Portfolio, events_portfolio: EventsWorld
) -> None:
    event = events_portfolio.fruehstueck
    other = portfolio.handel.measures.first()
    assert other is not None
    client = en(portfolio, "coordinator")
    url = reverse("events:event-minutes", kwargs={"slug": event.slug})
    before = snapshot()
    response = client.post(url, {"minutes": "x", "measures": [str(other.pk)]})
    assert "Select a valid choice." in " ".join(response.context["form"].errors["measures"])
    stale = client.post(url, {"minutes": "x", "expected_revision": str(event.revision - 1)})
    assert stale.context["form"].non_field_errors()
    assert snapshot() == before


@pytest.mark.parametrize("role", [*REFUSED, "coordinator-other-lab"])
def test_minutes_are_refused_to_others(
    portfolio: Portfolio, events_portfolio: EventsWorld, role: str
) -> None:
    other_lab = role == "coordinator-other-lab"
    event = events_portfolio.trade_invitation if other_lab else events_portfolio.fruehstueck
    client = en(portfolio, "coordinator" if other_lab else role)
    before = snapshot()
    response = client.post(
        reverse("events:event-minutes", kwargs={"slug": event.slug}), {"minutes": "Gekapert"}
    )
    assert response.status_code in (302, 403)
    assert snapshot() == before
