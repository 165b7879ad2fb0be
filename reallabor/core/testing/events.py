"""Test data for the events: factories and the ``EventsWorld`` used by the events' tests.

``make_series``, ``make_event`` and ``register_person`` go through the services (as the system,
or as the participant); ``make_registration`` writes a row directly, for situations the services
would refuse to create now (registrations of past events, attendance).
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from reallabor.actors.models import Person, Purpose
from reallabor.core.testing.actors import Crm, consent_text, make_person
from reallabor.events.models import Event, EventSeries, Registration
from reallabor.events.services import events as event_services
from reallabor.events.services import registrations as registration_services
from reallabor.events.services import series as series_services
from reallabor.events.services.registrations import new_code

_numbers = itertools.count(1)


def make_series(**data: Any) -> EventSeries:
    data.setdefault("title", f"Reihe {next(_numbers)}")
    return series_services.create_series(user=None, data=data)


def make_event(*, published: bool = True, **data: Any) -> Event:
    """An event through the services (as the system); by default published, in two weeks, for 20."""
    starts_at = data.setdefault("starts_at", timezone.now().replace(microsecond=0) + dt.timedelta(days=14))
    data.setdefault("ends_at", starts_at + dt.timedelta(hours=2))
    data.setdefault("title", f"Handwerksfrühstück {next(_numbers)}")
    data.setdefault("capacity", 20)
    data.setdefault("venue_name", "Tischlerei Beispiel")
    data.setdefault("city", "Bottrop")
    event = event_services.create_event(user=None, data=data)
    if published:
        event = event_services.publish_event(user=None, event=event)
    return event


def register_person(event: Event, *, confirmed: bool = True, user: Any = None, **data: Any) -> Registration:
    """A registration through the service (by the participant unless ``user`` is staff); with
    ``confirmed`` the address is confirmed as by the link."""
    number = next(_numbers)
    data.setdefault("first_name", "Teilnehmerin")
    data.setdefault("last_name", f"Nummer {number}")
    data.setdefault("email", f"teilnehmer{number}@example.org")
    registration = registration_services.register(user=user, event=event, data=data)
    if confirmed and not registration.is_confirmed:
        registration = registration_services.confirm_address(registration=registration)
    return registration


def make_registration(event: Event, *, person: Person | None = None, **fields: Any) -> Registration:
    """A registration row written directly (registered and confirmed unless told otherwise)."""
    person = person or make_person()
    now = timezone.now()
    values: dict[str, Any] = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "status": Registration.Status.REGISTERED,
        "address_confirmed_at": now,
        "code": new_code(event),
    }
    values.update(fields)
    if values["status"] == Registration.Status.WAITING:
        values.setdefault("waiting_since", now)
    return Registration.objects.create(event=event, person=person, **values)


@dataclass
class EventsWorld:
    """Events on top of the CRM (``Crm``) and the demo portfolio.

    - ``series``: »Bottroper Handwerksfrühstück«, of the crafts lab (the coordinator's);
    - ``fruehstueck``: its next edition, published, hosted by the Tischlerei, 3 seats: ``anna``
      registered (confirmed), ``clara`` registered (confirmed), ``bernd`` not registered;
    - ``crafts_draft``: a draft of the crafts lab;
    - ``office_event``: a published event without a lab (the office's own);
    - ``trade_invitation``: a published event by invitation of the trade lab (the partner's);
    - ``trade_draft``: a draft of the trade lab.
    """

    series: EventSeries
    fruehstueck: Event
    crafts_draft: Event
    office_event: Event
    trade_invitation: Event
    trade_draft: Event
    anna: Registration
    clara: Registration


def make_events_world(portfolio: Any, crm: Crm) -> EventsWorld:
    for purpose in Purpose.values:
        consent_text(purpose)
    handwerk, handel = portfolio.handwerk, portfolio.handel
    series = make_series(title="Bottroper Handwerksfrühstück", lab=handwerk, organisers=[crm.tischlerei])
    fruehstueck = make_event(
        title="Handwerksfrühstück bei der Tischlerei",
        series=series,
        lab=handwerk,
        host=crm.tischlerei,
        capacity=3,
        questions=[{"label": "Ernährung", "kind": "choice", "choices": ["vegetarisch", "vegan", "alles"]}],
    )
    crafts_draft = make_event(title="Werkstattgespräch (Entwurf)", lab=handwerk, published=False)
    office_event = make_event(title="Wirtschaftsallianz-Treffen", capacity=None)
    trade_invitation = make_event(
        title="Austausch Innenstadthandel", lab=handel, visibility=Event.Visibility.INVITATION
    )
    trade_draft = make_event(title="Händlerabend (Entwurf)", lab=handel, published=False)
    anna = register_person(
        fruehstueck,
        first_name=crm.anna.first_name,
        last_name=crm.anna.last_name,
        email=crm.anna.email,
        organisation_name="Tischlerei Beispiel",
    )
    clara = register_person(
        fruehstueck, first_name=crm.clara.first_name, last_name=crm.clara.last_name, email=crm.clara.email
    )
    return EventsWorld(
        series=series,
        fruehstueck=fruehstueck,
        crafts_draft=crafts_draft,
        office_event=office_event,
        trade_invitation=trade_invitation,
        trade_draft=trade_draft,
        anna=anna,
        clara=clara,
    )
