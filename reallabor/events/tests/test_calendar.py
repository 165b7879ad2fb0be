"""Calendar files: parsed back with icalendar."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import icalendar
import pytest
from django.test import override_settings

from reallabor.core.testing.events import make_event, make_series, register_person
from reallabor.events.calendar import event_ics, series_feed
from reallabor.events.services import events as event_services

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def _events(data: bytes) -> list[Any]:
    calendar = icalendar.Calendar.from_ical(data)
    return list(calendar.walk("VEVENT"))


def _start(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=BERLIN)


@override_settings(BASE_URL="https://reallabor.example")
def test_event_ics_has_berlin_times_location_url_and_stable_uid() -> None:
    # A date in summer time and one in winter time: the VTIMEZONE must cover both rules.
    starts = _start(dt.date.today() + dt.timedelta(days=30), 8)
    event = make_event(
        title="Handwerksfrühstück bei Tischlerei Holz",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        venue_name="Tischlerei Holz",
        street="Hauptstraße 1",
        postcode="46236",
        city="Bottrop",
        description="Frühstück und Austausch.",
    )
    data = event_ics(event)
    calendar = icalendar.Calendar.from_ical(data)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    (vevent,) = _events(data)
    assert vevent["SUMMARY"] == "Handwerksfrühstück bei Tischlerei Holz"
    assert vevent.decoded("DTSTART") == starts
    assert vevent.decoded("DTSTART").tzinfo is not None
    assert vevent["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert vevent.decoded("DTEND") == starts + dt.timedelta(hours=2)
    assert str(vevent["LOCATION"]) == "Tischlerei Holz, Hauptstraße 1, 46236 Bottrop"
    assert str(vevent["URL"]) == f"https://reallabor.example/veranstaltungen/{event.slug}/"
    assert str(vevent["STATUS"]) == "CONFIRMED"
    assert "Frühstück und Austausch." in str(vevent["DESCRIPTION"])
    assert str(vevent["UID"]) == f"event-{event.uuid}@reallabor"
    # The UID stays the same on the next download and after a change.
    event = event_services.update_event(user=None, event=event, data={"title": "Neuer Titel"})
    (again,) = _events(event_ics(event))
    assert str(again["UID"]) == str(vevent["UID"])
    assert again["SUMMARY"] == "Neuer Titel"
    assert int(str(again["SEQUENCE"])) > int(str(vevent["SEQUENCE"]))


def test_event_ics_of_cancelled_event() -> None:
    event = make_event()
    event = event_services.cancel_event(user=None, event=event)
    (vevent,) = _events(event_ics(event))
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert "cancelled" in str(vevent["DESCRIPTION"])


def test_online_and_hybrid_locations() -> None:
    online = make_event(
        format="online", online_url="https://meet.example.org/abc", venue_name="", city="", capacity=None
    )
    (vevent,) = _events(event_ics(online))
    assert str(vevent["LOCATION"]) == "https://meet.example.org/abc"
    assert "https://meet.example.org/abc" in str(vevent["DESCRIPTION"])
    hybrid = make_event(format="hybrid", online_url="https://meet.example.org/h", venue_name="Rathaus")
    (vevent,) = _events(event_ics(hybrid))
    assert str(vevent["LOCATION"]) == "Rathaus, Bottrop / https://meet.example.org/h"


@override_settings(BASE_URL="https://reallabor.example")
def test_event_ics_with_registration_has_code_and_personal_link() -> None:
    event = make_event()
    registration = register_person(event)
    (vevent,) = _events(event_ics(event, registration=registration))
    description = str(vevent["DESCRIPTION"])
    assert registration.code in description
    assert "https://reallabor.example/anmeldung/" in description


def test_series_feed_contains_exactly_the_given_events() -> None:
    series = make_series(title="Bottroper Handwerksfrühstück")
    today = dt.date.today()
    winter = make_event(series=series, starts_at=_start(today + dt.timedelta(days=10), 9))
    later = make_event(series=series, starts_at=_start(today + dt.timedelta(days=200), 9))
    make_event(series=series, starts_at=_start(today + dt.timedelta(days=20), 9))  # not passed
    data = series_feed(series, [winter, later])
    calendar = icalendar.Calendar.from_ical(data)
    assert str(calendar["X-WR-CALNAME"]) == "Bottroper Handwerksfrühstück"
    assert sorted(str(vevent["UID"]) for vevent in calendar.walk("VEVENT")) == sorted(
        [f"event-{winter.uuid}@reallabor", f"event-{later.uuid}@reallabor"]
    )
    starts = {str(vevent["UID"]): vevent.decoded("DTSTART") for vevent in calendar.walk("VEVENT")}
    assert starts[f"event-{later.uuid}@reallabor"] == later.starts_at
    assert len(calendar.walk("VTIMEZONE")) == 1


def test_empty_series_feed_is_a_valid_calendar() -> None:
    series = make_series(title="Leer")
    calendar = icalendar.Calendar.from_ical(series_feed(series, []))
    assert calendar.walk("VEVENT") == []
    assert str(calendar["X-WR-CALNAME"]) == "Leer"
