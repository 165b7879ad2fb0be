"""Calendar files (iCalendar, RFC 5545) of events: the attachment of the confirmation mail, the
"add to calendar" download per event and the public feed of a series.

- ``event_ics(event, registration=None)``: one VEVENT. Times in Europe/Berlin with the VTIMEZONE
  of the years concerned; ``URL`` back to the event page (``settings.BASE_URL``); ``LOCATION``
  the venue's address, the online link, or both for a hybrid event; ``STATUS:CANCELLED`` for a
  cancelled event (so calendars that imported it strike it); a stable ``UID`` from the event's
  uuid, so a second download or a changed event updates the entry instead of adding one. With a
  ``registration`` the description also carries the personal link and the check-in code.
- ``series_feed(series, events)``: a VCALENDAR with exactly the given events (the caller chooses
  which: the public page passes the listed ones) and ``X-WR-CALNAME`` = the series' title.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from collections.abc import Iterable
from typing import TYPE_CHECKING

import icalendar
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from reallabor.events import links

if TYPE_CHECKING:
    from reallabor.events.models import Event, EventSeries, Registration

TZID = "Europe/Berlin"
PRODID = "-//Reallabor//Veranstaltungen//DE"


def uid(event: Event) -> str:
    return f"event-{event.uuid}@reallabor"


@functools.lru_cache(maxsize=32)
def _timezone(first_year: int, last_year: int) -> bytes:
    """The VTIMEZONE of Berlin for these years (cached: building it is not free)."""
    component = icalendar.Timezone.from_tzid(
        TZID, first_date=dt.date(first_year, 1, 1), last_date=dt.date(last_year + 1, 1, 1)
    )
    data: bytes = component.to_ical()
    return data


def _calendar(name: str | None = None) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("x-wr-timezone", TZID)
    return calendar


def _location(event: Event) -> str:
    from reallabor.events.models import Event

    address = event.address
    if event.format == Event.Format.ONLINE:
        return event.online_url or _("Online")
    if event.format == Event.Format.HYBRID and event.online_url:
        return f"{address} / {event.online_url}" if address else event.online_url
    return address


def _description(event: Event, registration: Registration | None) -> str:
    from reallabor.events.models import Event

    parts: list[str] = []
    if event.is_cancelled:
        parts.append(_("This event has been cancelled."))
    if event.description:
        parts.append(event.description.strip())
    if event.format != Event.Format.IN_PERSON and event.online_url:
        parts.append(_("Online: %(url)s") % {"url": event.online_url})
    if event.accessibility_notes:
        parts.append(_("Accessibility: %(notes)s") % {"notes": event.accessibility_notes.strip()})
    if registration is not None:
        parts.append(_("Your check-in code: %(code)s") % {"code": registration.code})
        parts.append(
            _("See, change or cancel your registration: %(url)s")
            % {"url": links.registration_url(registration, "manage")}
        )
    parts.append(_("Event page: %(url)s") % {"url": links.event_url(event)})
    return "\n\n".join(parts)


def _vevent(event: Event, registration: Registration | None, stamp: dt.datetime) -> icalendar.Event:
    berlin = zoneinfo.ZoneInfo(TZID)
    vevent = icalendar.Event()
    vevent.add("uid", uid(event))
    vevent.add("dtstamp", stamp)
    vevent.add("sequence", event.revision)
    vevent.add("summary", event.title)
    vevent.add("dtstart", event.starts_at.astimezone(berlin))
    vevent.add("dtend", event.ends_at.astimezone(berlin))
    vevent.add("url", links.event_url(event))
    location = _location(event)
    if location:
        vevent.add("location", location)
    vevent.add("description", _description(event, registration))
    vevent.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")
    if event.updated_at:
        vevent.add("last-modified", event.updated_at.astimezone(dt.UTC))
    vevent.add("organizer", f"mailto:{_organizer_address()}", parameters={"CN": settings.OFFICE_NAME})
    return vevent


def _organizer_address() -> str:
    from email.utils import parseaddr

    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "reallabor@localhost"


def _to_ical(calendar: icalendar.Calendar, events: list[Event]) -> bytes:
    """Serialise with the VTIMEZONE spliced in after the calendar's properties."""
    body: bytes = calendar.to_ical()
    if not events:
        return body
    berlin = zoneinfo.ZoneInfo(TZID)
    years = [
        moment.astimezone(berlin).year for event in events for moment in (event.starts_at, event.ends_at)
    ]
    vtimezone = _timezone(min(years) - 1, max(years) + 1)
    marker = b"BEGIN:VEVENT"
    at = body.find(marker)
    return body[:at] + vtimezone + body[at:]


def event_ics(event: Event, *, registration: Registration | None = None) -> bytes:
    """The calendar file of one event (for the confirmation mail with the personal details)."""
    calendar = _calendar()
    calendar.add_component(_vevent(event, registration, timezone.now()))
    return _to_ical(calendar, [event])


def series_feed(series: EventSeries, events: Iterable[Event]) -> bytes:
    """The feed of a series with exactly ``events`` (in the order given)."""
    events = list(events)
    calendar = _calendar(series.title)
    if series.description:
        calendar.add("x-wr-caldesc", series.description.strip()[:500])
    stamp = timezone.now()
    for event in events:
        calendar.add_component(_vevent(event, None, stamp))
    return _to_ical(calendar, events)


def filename(event: Event) -> str:
    return f"{event.slug}.ics"
