"""The pages ``bench/events.py`` measures stay cheap as the participants grow: the public event page
(cached parts, fresh seats), the office's participants page (paged and searched on the server,
everybody reachable, the exports still hold everybody) and the public registration request."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import Portfolio
from reallabor.actors.services.consent import create_consent_text
from reallabor.core.testing.actors import make_person
from reallabor.core.testing.events import EventsWorld, make_event, make_registration
from reallabor.events.models import Event, Registration
from reallabor.events.services import events as event_services
from reallabor.events.views.participants import PER_PAGE

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

S = Registration.Status


def en(client: Client) -> Client:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def queries_of(client: Client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), response.content.decode()


def add_rows(event: Event, count: int, **fields: Any) -> list[Registration]:
    return [make_registration(event, **fields) for _number in range(count)]


# The public event page --------------------------------------------------------------------------


def event_url(event: Event) -> str:
    return reverse("events:event-detail", kwargs={"slug": event.slug})


def test_the_event_page_reads_the_same_number_of_rows_with_more_participants(portfolio: Portfolio) -> None:
    event = make_event(title="Großes Frühstück", capacity=None)
    client = en(Client())
    add_rows(event, 3)
    client.get(event_url(event))  # fills the cached parts
    few, _page = queries_of(client, event_url(event))
    add_rows(event, 60)
    client.get(event_url(event))
    many, page = queries_of(client, event_url(event))
    assert many == few
    assert few <= 6
    assert "Großes Frühstück" in page
    assert "No limit" in page
    assert 'name="csrfmiddlewaretoken"' in page  # the token is fresh, outside the cached parts


def test_the_cached_event_page_shows_fresh_seats_and_changes(portfolio: Portfolio) -> None:
    event = make_event(title="Kleines Frühstück", capacity=3)
    client = en(Client())
    assert "3 seats free" in client.get(event_url(event)).content.decode()
    make_registration(event)  # written directly: no content change, the seats are counted anyway
    assert "2 seats free" in client.get(event_url(event)).content.decode()
    add_rows(event, 2)
    add_rows(event, 1, status=S.WAITING)
    page = client.get(event_url(event)).content.decode()
    assert "Fully booked" in page
    assert "1 person is waiting." in page
    assert "Join the waiting list" in page
    event_services.update_event(user=None, event=event, data={"title": "Umbenanntes Frühstück"})
    page = client.get(event_url(event)).content.decode()
    assert "Umbenanntes Frühstück" in page
    assert "Kleines Frühstück" not in page


def test_a_new_consent_text_shows_on_the_cached_form_at_once(portfolio: Portfolio) -> None:
    event = make_event()
    client = en(Client())
    client.get(event_url(event))
    admin = portfolio.users["administrator"]
    create_consent_text(user=admin, purpose="newsletter", text="Neue Fassung der Einwilligung XYZ.")
    assert "Neue Fassung der Einwilligung XYZ." in client.get(event_url(event)).content.decode()


def test_the_office_sees_its_controls_and_the_public_does_not(
    portfolio: Portfolio, events_portfolio: EventsWorld
) -> None:
    event = events_portfolio.fruehstueck
    edit = reverse("events:event-edit", kwargs={"slug": event.slug})
    assert edit not in en(Client()).get(event_url(event)).content.decode()
    assert edit in en(portfolio.client("coordinator")).get(event_url(event)).content.decode()
    assert edit not in en(Client()).get(event_url(event)).content.decode()


# The public registration request ----------------------------------------------------------------


def test_the_registration_request_reads_little(portfolio: Portfolio) -> None:
    event = make_event(capacity=None)
    client = en(Client())
    url = reverse("events:event-register", kwargs={"slug": event.slug})
    data = {
        "first_name": "Nina",
        "last_name": "Neu",
        "email": "nina.neu@example.org",
        "organisation_name": "X",
    }
    with CaptureQueriesContext(connection) as captured:
        response = client.post(url, data)
    assert response.status_code == 200
    assert "Please confirm your e-mail address" in response.content.decode()
    assert Registration.objects.get(event=event).email == "nina.neu@example.org"
    assert len(captured.captured_queries) <= 21
    again = client.post(url, data)
    assert "You are already registered" in again.content.decode()
    assert Registration.objects.filter(event=event).count() == 1


# The office's participants page -----------------------------------------------------------------


def participants_url(event: Event, **query: object) -> str:
    url = reverse("events:event-participants", kwargs={"slug": event.slug})
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def emails_on(page: str) -> set[str]:
    return set(re.findall(r"<td>([^<@]+@example\.org)</td>", page))


def test_the_participants_page_reads_the_same_number_of_rows_with_more_participants(
    portfolio: Portfolio,
) -> None:
    event = make_event(title="Großes Treffen", capacity=None)
    client = en(portfolio.client("administrator"))
    add_rows(event, 3)
    client.get(participants_url(event))
    few, _page = queries_of(client, participants_url(event))
    add_rows(event, 2 * PER_PAGE + 10)
    add_rows(event, 5, status=S.WAITING)
    many, page = queries_of(client, participants_url(event))
    assert many == few
    assert few <= 15
    assert page.count('<tr><th scope="row">') == PER_PAGE  # one page of rows


def test_every_participant_is_reachable_page_by_page(portfolio: Portfolio) -> None:
    event = make_event(title="Großes Treffen", capacity=None)
    registered = add_rows(event, PER_PAGE + 7)
    waiting = add_rows(event, 4, status=S.WAITING)
    ended = add_rows(event, 2, status=S.CANCELLED)
    client = en(portfolio.client("administrator"))
    first = client.get(participants_url(event)).content.decode()
    assert f"Registered ({len(registered)})" in first
    assert "Waiting list (4)" in first
    assert "Cancelled, declined or lapsed (2)" in first
    assert f"Checked in</dt><dd>0 / {len(registered)}" in first
    assert "4 registrations, from page 2 on" in first  # the waiting list is linked from its heading
    assert 'rel="next"' in first
    second = client.get(participants_url(event, page=2)).content.decode()
    assert 'rel="prev"' in second
    assert 'rel="next"' not in second
    seen = emails_on(first) | emails_on(second)
    assert seen == {row.email for row in registered + waiting + ended}
    assert len(emails_on(first)) == PER_PAGE
    # The waiting list keeps its order on its page.
    positions = [second.index(row.email) for row in waiting]
    assert positions == sorted(positions)
    # A page beyond the last shows the last one; garbage shows the first.
    assert emails_on(client.get(participants_url(event, page=99)).content.decode()) == emails_on(second)
    assert emails_on(client.get(participants_url(event, page="x%00")).content.decode()) == emails_on(first)


def test_the_participants_search_finds_by_name_address_and_organisation(portfolio: Portfolio) -> None:
    event = make_event(title="Großes Treffen", capacity=None)
    add_rows(event, PER_PAGE + 5)
    person = make_person(first_name="Quirin", last_name="Zwiebelturm", email="q.zwiebel@example.org")
    wanted = make_registration(
        event, person=person, status=S.WAITING, organisation_name="Bäckerei Sonnenschein"
    )
    client = en(portfolio.client("administrator"))
    for term in ("Sonnenschein", wanted.email, "zwiebelTURM", "Quirin Zwiebel"):
        page = client.get(participants_url(event), {"q": term}).content.decode()
        assert emails_on(page) == {wanted.email}, term
        assert "1 registration matches" in page
        assert "Waiting list (1)" in page
        assert "Registered (0)" in page
    nothing = client.get(participants_url(event), {"q": "gibt-es-nicht\x00"}).content.decode()
    assert emails_on(nothing) == set()
    assert "0 registrations match" in nothing


def test_the_exports_still_hold_everybody(portfolio: Portfolio) -> None:
    event = make_event(title="Großes Treffen", capacity=None)
    rows = add_rows(event, PER_PAGE + 3) + add_rows(event, 2, status=S.WAITING)
    client = en(portfolio.client("administrator"))
    response = client.get(reverse("events:event-export", kwargs={"slug": event.slug, "fmt": "csv"}))
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content  # type: ignore[attr-defined]
    text = body.decode("utf-8-sig")
    exported = {cell for line in csv.reader(io.StringIO(text), delimiter=";") for cell in line} | {
        cell for line in csv.reader(io.StringIO(text)) for cell in line
    }
    assert {row.email for row in rows} <= exported
    workbook = client.get(reverse("events:event-export", kwargs={"slug": event.slug, "fmt": "xlsx"}))
    assert workbook.status_code == 200
    sheet_body = b"".join(workbook.streaming_content) if workbook.streaming else workbook.content  # type: ignore[attr-defined]
    cells = {
        str(cell)
        for sheet in openpyxl.load_workbook(io.BytesIO(sheet_body), read_only=True).worksheets
        for line in sheet.iter_rows(values_only=True)
        for cell in line
        if cell is not None
    }
    assert {row.email for row in rows} <= cells
