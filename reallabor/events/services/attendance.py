"""Attendance in the actors' timeline: one "event attendance" interaction per event.

The first check-in creates it (kind ``event``, the event's title as subject, the host
organisation, the event's lab, dated at the start — or now when checking in early, as
interactions are never in the future); every checked-in person is a participant, so the event
appears on their timeline and sets their last contact. Undoing a check-in takes the person out
again; the interaction goes when nobody is left and there is no host. All through
``actors.services.interactions``. ``Event.attendance_interaction`` remembers the interaction.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from reallabor.actors.models import Interaction, Person
from reallabor.actors.services import interactions
from reallabor.events.models import Event


def _participants(interaction: Interaction) -> list[Person]:
    return list(interaction.participants.all())


def _find(event: Event) -> Interaction | None:
    if event.attendance_interaction_id is None:
        return None
    return Interaction.objects.filter(pk=event.attendance_interaction_id).first()


def record_attendance(*, user: Any, event: Event, person: Person) -> Interaction | None:
    """Add the person to the event's attendance (the event is locked by the caller).

    An anonymised person is not added (their attendance still counts on the registration).
    """
    if person.anonymised_at is not None:
        return _find(event)
    interaction = _find(event)
    if interaction is None:
        interaction = interactions.record_interaction(
            user=user,
            data={
                "kind": Interaction.Kind.EVENT,
                "occurred_at": min(event.starts_at, timezone.now()),
                "subject": event.title[:200],
                "organisation": event.host,
                "participants": [person],
                "lab": event.lab,
            },
        )
        Event.objects.filter(pk=event.pk).update(attendance_interaction=interaction)
        event.attendance_interaction = interaction
        return interaction
    current = _participants(interaction)
    if person not in current:
        interactions.update_interaction(
            user=user, interaction=interaction, data={"participants": [*current, person]}
        )
    return interaction


def remove_attendance(*, user: Any, event: Event, person: Person) -> None:
    """Take the person out of the event's attendance (undoing a check-in)."""
    interaction = _find(event)
    if interaction is None:
        return
    current = _participants(interaction)
    if person not in current:
        return
    rest = [other for other in current if other != person]
    if not rest and interaction.organisation_id is None and interaction.anonymous_participants == 0:
        interactions.delete_interaction(user=user, interaction=interaction)
        Event.objects.filter(pk=event.pk).update(attendance_interaction=None)
        event.attendance_interaction = None
        return
    interactions.update_interaction(user=user, interaction=interaction, data={"participants": rest})
