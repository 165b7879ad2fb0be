"""What the events app moves when the actors app merges two organisations or two people
(``reallabor.actors.services.duplicates.on_merge``, registered in ``EventsConfig.ready``)."""

from __future__ import annotations

from reallabor.actors.models import Person
from reallabor.actors.services.duplicates import move_unique, on_merge
from reallabor.events.models import Event, EventSeries, Invitation, Registration
from reallabor.organisations.models import Organisation

ORGANISATION_RELATIONS = frozenset(
    {
        "events.Event.host",
        "events.Event.organisers",
        "events.Event_organisers.organisation",
        "events.EventSeries.organisers",
        "events.EventSeries_organisers.organisation",
        "events.Registration.organisation",
    }
)
PERSON_RELATIONS = frozenset({"events.Registration.person", "events.Invitation.person"})


def move_organisation(keep: Organisation, remove: Organisation) -> None:
    """Hosted events, organiser roles (once per event or series) and registrations move to ``keep``."""
    Event.objects.filter(host=remove).update(host=keep)
    Registration.objects.filter(organisation=remove).update(organisation=keep)
    move_unique(Event.organisers.through, "organisation", "event", keep, remove)
    move_unique(EventSeries.organisers.through, "organisation", "eventseries", keep, remove)


def move_person(keep: Person, remove: Person) -> None:
    """Registrations move to ``keep``; an invitation ``keep`` has for the same event already stays."""
    Registration.objects.filter(person=remove).update(person=keep)
    move_unique(Invitation, "person", "event", keep, remove)


def register() -> None:
    on_merge("organisation", ORGANISATION_RELATIONS, move_organisation)
    on_merge("person", PERSON_RELATIONS, move_person)
