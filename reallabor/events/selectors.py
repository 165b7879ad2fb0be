"""Reading the events' data for pages, API and exports (no writes)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import connection
from django.utils import timezone

from reallabor.events.models import Event, EventSeries, Registration
from reallabor.events.services.seats import Seats
from reallabor.events.stats import EventFacts, EventStats, RegistrationFact, series_stats
from reallabor.organisations.keys import name_key


def _organisation_key(matched_name: str | None, typed_name: str) -> str | None:
    """Organisations are told apart by their name key (``organisations.keys.name_key``), of the
    matched organisation or else of the text typed: "Bäckerei Korn GmbH" typed once and matched
    once is the same organisation."""
    return name_key(matched_name or typed_name) or None


def series_facts(series: EventSeries, *, until: dt.datetime | None = None) -> list[EventFacts]:
    """The facts of the series' events that have begun by ``until`` (default now) and were not
    cancelled (two queries)."""
    until = until or timezone.now()
    events = list(
        series.events.filter(starts_at__lte=until)
        .exclude(status=Event.Status.CANCELLED)
        .order_by("starts_at", "pk")
        .values("pk", "uuid", "title", "starts_at")
    )
    rows: dict[int, list[RegistrationFact]] = defaultdict(list)
    for row in Registration.objects.filter(event_id__in=[event["pk"] for event in events]).values(
        "event_id",
        "status",
        "source",
        "address_confirmed_at",
        "checked_in_at",
        "organisation__name",
        "organisation_name",
    ):
        rows[row["event_id"]].append(
            RegistrationFact(
                status=row["status"],
                source=row["source"],
                confirmed=row["address_confirmed_at"] is not None,
                checked_in=row["checked_in_at"] is not None,
                organisation=_organisation_key(row["organisation__name"], row["organisation_name"]),
            )
        )
    return [
        EventFacts(
            key=str(event["uuid"]),
            title=event["title"],
            starts_at=event["starts_at"],
            registrations=tuple(rows[event["pk"]]),
        )
        for event in events
    ]


def series_statistics(series: EventSeries, *, until: dt.datetime | None = None) -> list[EventStats]:
    """Registrations, attendance, no-shows, new and returning organisations per event."""
    return series_stats(series_facts(series, until=until))


def event_seats(event: Event) -> Seats:
    """``services.seats.count_seats`` for pages: the same numbers from one grouped query that
    costs a fraction to build (the public event page reads it on every request)."""
    table = Registration._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT status, reserved, COUNT(*) FROM {table} WHERE event_id = %s GROUP BY status, reserved",  # noqa: S608 - the table name is the model's
            [event.pk],
        )
        rows = cursor.fetchall()
    organisers = others = waiting = 0
    for status, reserved, count in rows:
        if status in Registration.HOLDING:
            if reserved:
                organisers += count
            else:
                others += count
        elif status == Registration.Status.WAITING:
            waiting += count
    return Seats(
        capacity=event.capacity,
        reserved_seats=event.reserved_seats,
        organisers=organisers,
        others=others,
        waiting=waiting,
    )
