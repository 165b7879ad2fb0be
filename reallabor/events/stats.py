"""The development of a series over time (pure: plain data in, plain data out; no ORM).

Per event of a series, in the order of their start:

- ``registrations``: registrations holding a seat at the end (``registered``), walk-ins not
  counted; ``walk_ins`` separately; ``waiting``: still on the waiting list;
- ``attendees``: everybody checked in (walk-ins included);
- ``attendance_rate``: registrations that were checked in / registrations;
- ``no_show_rate``: registrations with a confirmed address that were not checked in /
  registrations (unconfirmed ones that stayed away are neither: they may never have meant to come);
- ``new_organisations`` / ``returning_organisations``: the organisations of the attendees,
  new when it is the first event of the series one of their people attended, else returning.

The rates are None for an event without registrations. ``selectors.series_facts`` loads the facts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

REGISTERED = "registered"
WAITING = "waiting"
WALK_IN = "walk_in"


@dataclass(frozen=True)
class RegistrationFact:
    status: str
    source: str = "online"
    confirmed: bool = True
    checked_in: bool = False
    organisation: str | None = None
    """A key that tells organisations apart (``selectors``: the name key); None: none given."""


@dataclass(frozen=True)
class EventFacts:
    key: str
    title: str
    starts_at: dt.datetime
    registrations: tuple[RegistrationFact, ...]


@dataclass(frozen=True)
class EventStats:
    key: str
    title: str
    starts_at: dt.datetime
    registrations: int
    walk_ins: int
    waiting: int
    attendees: int
    attendance_rate: float | None
    no_show_rate: float | None
    new_organisations: int
    returning_organisations: int


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def event_stats(facts: EventFacts, seen: set[str]) -> EventStats:
    """The numbers of one event; ``seen`` holds the organisations that attended earlier events of
    the series (and is updated with this event's)."""
    booked = [r for r in facts.registrations if r.status == REGISTERED and r.source != WALK_IN]
    walk_ins = [r for r in facts.registrations if r.status == REGISTERED and r.source == WALK_IN]
    attended = [r for r in facts.registrations if r.checked_in]
    shown = sum(1 for r in booked if r.checked_in)
    no_shows = sum(1 for r in booked if r.confirmed and not r.checked_in)
    organisations = {r.organisation for r in attended if r.organisation}
    new = organisations - seen
    seen |= organisations
    return EventStats(
        key=facts.key,
        title=facts.title,
        starts_at=facts.starts_at,
        registrations=len(booked),
        walk_ins=len(walk_ins),
        waiting=sum(1 for r in facts.registrations if r.status == WAITING),
        attendees=len(attended),
        attendance_rate=_rate(shown, len(booked)),
        no_show_rate=_rate(no_shows, len(booked)),
        new_organisations=len(new),
        returning_organisations=len(organisations) - len(new),
    )


def series_stats(events: Iterable[EventFacts]) -> list[EventStats]:
    """The numbers of each event, ordered by start (ties by key), for the series' chart."""
    seen: set[str] = set()
    return [
        event_stats(facts, seen) for facts in sorted(events, key=lambda facts: (facts.starts_at, facts.key))
    ]
