"""The check-in page at the door: searching (name, organisation, code, QR content), checking in and
undoing with and without htmx, walk-ins, the day rule, refusals that change nothing, query counts."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import ROLES, Portfolio
from reallabor.core.testing.events import EventsWorld, make_registration
from reallabor.events.links import check_in_url
from reallabor.events.models import Event, Registration
from reallabor.events.services.common import local_time
from reallabor.events.tests.helpers import snapshot

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
HTMX = {"HX-Request": "true"}


def begin(event: Event, minutes_ago: int = 30) -> Event:
    starts = timezone.now() - dt.timedelta(minutes=minutes_ago)
    Event.objects.filter(pk=event.pk).update(starts_at=starts, ends_at=starts + dt.timedelta(hours=2))
    event.refresh_from_db()
    return event


def page_url(event: Event) -> str:
    return reverse("events:checkin", kwargs={"slug": event.slug})


def register_url(registration: Registration) -> str:
    return reverse(
        "events:checkin-register", kwargs={"slug": registration.event.slug, "uuid": registration.uuid}
    )


def undo_url(registration: Registration) -> str:
    return reverse("events:checkin-undo", kwargs={"slug": registration.event.slug, "uuid": registration.uuid})


def walk_in_url(event: Event) -> str:
    return reverse("events:checkin-walk-in", kwargs={"slug": event.slug})


def office(portfolio: Portfolio, role: str = "coordinator") -> Client:
    """A signed-in client that reads the pages in English (our msgids)."""
    client = portfolio.client(role)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def text(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


# --- the page and the search ---------------------------------------------------------------------------


def test_the_page_shows_the_counts_and_a_search_box(
    events_portfolio: EventsWorld, portfolio: Portfolio
) -> None:
    event = begin(events_portfolio.fruehstueck)
    response = office(portfolio).get(page_url(event))
    assert response.status_code == 200
    page = text(response)
    assert "<strong>0</strong> of 2 checked in" in page
    assert 'id="checkin-q"' in page and 'type="search"' in page
    assert 'id="checkin-status"' in page and 'role="status"' in page
    assert "vendor/jsqr/jsQR.js" in page and "js/checkin.js" in page
    assert "Check-in opens" not in page  # today is the day
    assert "<script>" not in page  # CSP: no inline scripts


def test_before_the_day_the_page_says_when_check_in_opens(
    events_portfolio: EventsWorld, portfolio: Portfolio
) -> None:
    event = events_portfolio.fruehstueck  # in two weeks
    page = text(office(portfolio).get(page_url(event)))
    assert "Check-in opens on the day of the event" in page


@pytest.mark.parametrize(
    "query",
    ["Schreiner", "anna schrei", "Tischlerei Beispiel", "tischlerei"],
)
def test_search_by_name_or_organisation(
    events_portfolio: EventsWorld, portfolio: Portfolio, query: str
) -> None:
    event = begin(events_portfolio.fruehstueck)
    page = text(office(portfolio).get(page_url(event), {"q": query}))
    assert "Anna Schreiner" in page
    assert "Clara" not in page.split('id="checkin-results"')[1]
    assert f'action="{register_url(events_portfolio.anna)}"' in page
    assert 'aria-label="Check in Anna Schreiner"' in page


def test_search_by_code_uuid_and_scanned_url(events_portfolio: EventsWorld, portfolio: Portfolio) -> None:
    event = begin(events_portfolio.fruehstueck)
    anna = events_portfolio.anna
    client = office(portfolio)
    for query in [
        anna.code,
        anna.code.lower(),
        str(anna.uuid),
        check_in_url(anna),
        f"https://x.example/{anna.uuid}/",
    ]:
        results = text(client.get(page_url(event), {"q": query})).split('id="checkin-results"')[1]
        assert "Anna Schreiner" in results, query
        assert "Clara" not in results, query
    # The QR code opened by the phone's own camera app: ?code=<uuid>.
    results = text(client.get(page_url(event), {"code": str(anna.uuid)})).split('id="checkin-results"')[1]
    assert "Anna Schreiner" in results and "Clara" not in results


def test_htmx_search_returns_only_the_results(events_portfolio: EventsWorld, portfolio: Portfolio) -> None:
    event = begin(events_portfolio.fruehstueck)
    response = office(portfolio).get(page_url(event), {"q": "clara"}, headers=HTMX)
    assert response.status_code == 200
    page = text(response)
    assert "<html" not in page and "checkin-walk-in" not in page
    assert "Clara" in page and "Anna" not in page
    assert "HX-Request" in response["Vary"]
    assert '<div id="checkin-status" hx-swap-oob="innerHTML">1 person found.</div>' in page
    nobody = text(office(portfolio).get(page_url(event), {"q": "Niemand"}, headers=HTMX))
    assert '<div id="checkin-status" hx-swap-oob="innerHTML">Nobody found.</div>' in nobody


def test_nobody_found_says_so(events_portfolio: EventsWorld, portfolio: Portfolio) -> None:
    event = begin(events_portfolio.fruehstueck)
    page = text(office(portfolio).get(page_url(event), {"q": "Niemand"}))
    assert "Nobody found for “Niemand”" in page


@pytest.mark.parametrize(
    "query",
    ["\x00", "a" * 5000, "<script>alert(1)</script>", "%%%", "?code=", "code=nonsense", "00000000-0000"],
)
def test_garbage_in_the_search_is_harmless(
    events_portfolio: EventsWorld, portfolio: Portfolio, query: str
) -> None:
    event = begin(events_portfolio.fruehstueck)
    before = snapshot()
    response = office(portfolio).get(page_url(event), {"q": query})
    assert response.status_code == 200
    assert "<script>alert" not in response.content.decode()
    assert snapshot() == before


def test_the_search_takes_the_same_queries_for_many_results(
    events_portfolio: EventsWorld, portfolio: Portfolio, django_assert_max_num_queries: Any
) -> None:
    event = begin(events_portfolio.office_event)
    client = office(portfolio)

    def count_queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            response = client.get(page_url(event), {"q": "Gast"})
        assert response.status_code == 200
        return len(captured.captured_queries)

    make_registration(event, first_name="Gast", last_name="Eins", organisation_name="Bäckerei")
    few = count_queries()
    for number in range(15):
        make_registration(
            event, first_name="Gast", last_name=f"Nummer {number}", organisation_name="Bäckerei"
        )
    many = count_queries()
    assert many == few
    with django_assert_max_num_queries(few):
        client.get(page_url(event), {"q": "Gast"})


# --- checking in and undoing -----------------------------------------------------------------------------


def test_check_in_without_javascript(events_portfolio: EventsWorld, portfolio: Portfolio) -> None:
    event = begin(events_portfolio.fruehstueck)
    client = office(portfolio)
    response = client.post(register_url(events_portfolio.anna), {"q": "Schreiner"})
    assert response.status_code == 302
    assert response["Location"] == page_url(event) + "?q=Schreiner"
    anna = Registration.objects.get(pk=events_portfolio.anna.pk)
    assert anna.checked_in_at is not None and anna.checked_in_by == portfolio.users["coordinator"]
    page = text(client.get(response["Location"]))
    assert f"Anna Schreiner checked in at {local_time(anna.checked_in_at)}." in page
    assert "<strong>1</strong> of 2 checked in" in page
    assert 'aria-label="Undo the check-in of Anna Schreiner"' in page


def test_check_in_with_htmx_swaps_the_item_and_announces(
    events_portfolio: EventsWorld, portfolio: Portfolio
) -> None:
    begin(events_portfolio.fruehstueck)
    client = office(portfolio)
    response = client.post(register_url(events_portfolio.anna), {"q": "anna"}, headers=HTMX)
    assert response.status_code == 200
    page = text(response)
    anna = Registration.objects.get(pk=events_portfolio.anna.pk)
    time = local_time(anna.checked_in_at)  # type: ignore[arg-type]
    assert page.lstrip().startswith(f'<li class="checkin-item checkin-item--done" id="checkin-{anna.uuid}">')
    assert (
        f'<div id="checkin-status" hx-swap-oob="innerHTML">Anna Schreiner checked in at {time}.</div>' in page
    )
    assert (
        'id="checkin-counts" class="checkin-counts" hx-swap-oob="outerHTML"><strong>1</strong> of 2' in page
    )
    assert f"Checked in at {time}" in page

    again = text(client.post(register_url(anna), {"q": "anna"}, headers=HTMX))
    assert f"Anna Schreiner was already checked in at {time}." in again
    assert Registration.objects.get(pk=anna.pk).checked_in_at == anna.checked_in_at


def test_undo(events_portfolio: EventsWorld, portfolio: Portfolio) -> None:
    begin(events_portfolio.fruehstueck)
    client = office(portfolio)
    client.post(register_url(events_portfolio.anna))
    page = text(client.post(undo_url(events_portfolio.anna), {"q": "anna"}, headers=HTMX))
    assert "The check-in of Anna Schreiner is undone." in page
    assert 'aria-label="Check in Anna Schreiner"' in page
    assert Registration.objects.get(pk=events_portfolio.anna.pk).checked_in_at is None
    response = client.post(undo_url(events_portfolio.anna))
    assert response.status_code == 302


def test_check_in_before_the_day_is_refused_and_changes_nothing(
    events_portfolio: EventsWorld, portfolio: Portfolio
) -> None:
    client = office(portfolio)
    before = snapshot()
    page = text(client.post(register_url(events_portfolio.anna), {"q": "anna"}, headers=HTMX))
    assert "Check-in opens on the day of the event" in page
    response = client.post(register_url(events_portfolio.anna))
    assert response.status_code == 302
    assert "Check-in opens on the day of the event" in text(client.get(response["Location"]))
    walk_in = client.post(
        walk_in_url(events_portfolio.fruehstueck), {"first_name": "Wim", "last_name": "Walk"}
    )
    assert walk_in.status_code == 400
    assert "Check-in opens on the day of the event" in text(walk_in)
    assert snapshot() == before


def test_registration_of_another_event_is_not_found(
    events_portfolio: EventsWorld, portfolio: Portfolio
) -> None:
    event = begin(events_portfolio.office_event)
    before = snapshot()
    url = reverse("events:checkin-register", kwargs={"slug": event.slug, "uuid": events_portfolio.anna.uuid})
    assert office(portfolio).post(url).status_code == 404
    assert office(portfolio).post(url.replace(event.slug, "nichts-2020-01-01")).status_code == 404
    assert snapshot() == before


def test_get_on_the_buttons_is_refused(events_portfolio: EventsWorld, portfolio: Portfolio) -> None:
    begin(events_portfolio.fruehstueck)
    before = snapshot()
    client = office(portfolio)
    for url in [
        register_url(events_portfolio.anna),
        undo_url(events_portfolio.anna),
        walk_in_url(events_portfolio.fruehstueck),
    ]:
        assert client.get(url).status_code == 405
    assert snapshot() == before


# --- walk-ins ----------------------------------------------------------------------------------------------


def test_walk_in_without_javascript(events_portfolio: EventsWorld, portfolio: Portfolio) -> None:
    event = begin(events_portfolio.fruehstueck)
    client = office(portfolio)
    response = client.post(
        walk_in_url(event),
        {"first_name": "Wim", "last_name": "Walker", "organisation_name": "Dachdeckerei Dach"},
    )
    assert response.status_code == 302
    walker = Registration.objects.get(event=event, last_name="Walker")
    assert walker.source == Registration.Source.WALK_IN and walker.checked_in_at is not None
    assert walker.email == ""
    assert response["Location"] == page_url(event) + f"?q={walker.code}"
    page = text(client.get(response["Location"]))
    assert f"Wim Walker was added and checked in at {local_time(walker.checked_in_at)}." in page
    assert "<strong>1</strong> of 3 checked in" in page


def test_walk_in_with_htmx(events_portfolio: EventsWorld, portfolio: Portfolio) -> None:
    event = begin(events_portfolio.fruehstueck)
    response = office(portfolio).post(
        walk_in_url(event),
        {"first_name": "Wim", "last_name": "Walker", "email": "wim@example.org"},
        headers=HTMX,
    )
    page = text(response)
    walker = Registration.objects.get(event=event, last_name="Walker")
    assert walker.email == "wim@example.org"
    assert page.lstrip().startswith('<section id="checkin-walk-in"')
    assert "Wim Walker was added and checked in" in page
    assert '<div id="checkin-results" hx-swap-oob="innerHTML">' in page
    assert 'aria-label="Undo the check-in of Wim Walker"' in page
    assert 'name="first_name" ' in page and 'value="Wim"' not in page  # a fresh form


def test_walk_in_of_someone_registered_checks_them_in(
    events_portfolio: EventsWorld, portfolio: Portfolio
) -> None:
    event = begin(events_portfolio.fruehstueck)
    anna = events_portfolio.anna
    office(portfolio).post(
        walk_in_url(event), {"first_name": "Anna", "last_name": "S", "email": anna.email.upper()}
    )
    assert Registration.objects.filter(event=event).count() == 2
    assert Registration.objects.get(pk=anna.pk).checked_in_at is not None


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"first_name": "Wim", "last_name": ""}, "last_name", "last name"),
        ({"first_name": "", "last_name": "Walker"}, "first_name", "first name"),
        ({"first_name": "Wim", "last_name": "Walker", "email": "not-an-address"}, "email", ""),
        ({"first_name": "W" * 500, "last_name": "Walker"}, "first_name", ""),
    ],
)
def test_a_bad_walk_in_names_the_field_and_changes_nothing(
    events_portfolio: EventsWorld, portfolio: Portfolio, data: dict[str, str], field: str, message: str
) -> None:
    event = begin(events_portfolio.fruehstueck)
    before = snapshot()
    response = office(portfolio).post(walk_in_url(event), data)
    assert response.status_code == 400
    page = text(response)
    assert f'id="walk-in-{field}_error"' in page
    assert message in page
    assert snapshot() == before
    htmx = text(office(portfolio).post(walk_in_url(event), data, headers=HTMX))
    assert htmx.lstrip().startswith('<section id="checkin-walk-in"')
    assert f'id="walk-in-{field}_error"' in htmx and "Not added:" in htmx
    assert snapshot() == before


# --- who may ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_only_the_office_of_the_event_checks_in(
    events_portfolio: EventsWorld, portfolio: Portfolio, role: str
) -> None:
    event = begin(events_portfolio.fruehstueck)
    allowed = role in ("coordinator", "administrator")
    client = portfolio.client(role)
    before = snapshot()
    response = client.post(register_url(events_portfolio.anna))
    walk_in = client.post(walk_in_url(event), {"first_name": "Wim", "last_name": "Walker"})
    if allowed:
        assert (response.status_code, walk_in.status_code) == (302, 302)
        assert Registration.objects.get(pk=events_portfolio.anna.pk).checked_in_at is not None
        assert Registration.objects.filter(event=event, last_name="Walker").exists()
        return
    expected = 302 if role == "anonymous" else 403
    assert (response.status_code, walk_in.status_code) == (expected, expected)
    assert client.post(undo_url(events_portfolio.anna)).status_code == expected
    assert client.get(page_url(event), {"q": "anna"}).status_code == expected
    assert snapshot() == before


def test_the_coordinator_of_another_lab_may_not(events_portfolio: EventsWorld, portfolio: Portfolio) -> None:
    event = begin(events_portfolio.trade_invitation)
    registration = make_registration(event, first_name="Hanna", last_name="Handel")
    client = office(portfolio)
    before = snapshot()
    assert client.get(page_url(event)).status_code == 403
    assert client.post(register_url(registration)).status_code == 403
    assert client.post(walk_in_url(event), {"first_name": "Wim", "last_name": "Walker"}).status_code == 403
    assert snapshot() == before
    admin = portfolio.client("administrator")
    assert admin.post(register_url(registration)).status_code == 302
    assert Registration.objects.get(pk=registration.pk).checked_in_at is not None


def test_an_unknown_event_is_not_found(portfolio: Portfolio) -> None:
    assert (
        portfolio.client("administrator").get("/veranstaltungen/nichts-2020-01-01/einlass/").status_code
        == 404
    )
