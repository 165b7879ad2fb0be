"""The events' part of a person's data protection (``reallabor.actors.services.privacy``,
registered in ``EventsConfig.ready``).

- Export: every registration (event, status, the name and address given, answers, check-in,
  feedback) and invitation of the person.
- Erase: registrations and invitations go with the person (they name them), and with them their
  e-mails in the outbox (``NoticeMail``). The event's
  attendance interaction keeps them as an anonymous participant (the actors' erasure counts them);
  the series statistics count one registration fewer.
- Anonymise: the registrations stay for the statistics without the name, address, organisation
  text and answers given; feedback keeps its rating, its texts are scrubbed of the person's name;
  the person's e-mails in the outbox go (sent or not: their errors may quote the address).
- Merge (``merging``): the outbox rows hang on registrations and invitations and follow them.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from reallabor.actors.models import Person
from reallabor.actors.services.privacy import PersonalDataHolder, holds_personal_data, scrub
from reallabor.events.models import Event, Feedback, Invitation, NoticeMail, Registration
from reallabor.events.services.common import lock_event
from reallabor.events.services.waitlist import fill_seats


def _when(value: Any) -> str | None:
    return value.isoformat() if value else None


def export(person: Person) -> dict[str, list[dict[str, Any]]]:
    registrations = []
    for registration in (
        Registration.objects.filter(person=person)
        .select_related("event", "feedback")
        .order_by("created_at", "id")
    ):
        feedback = getattr(registration, "feedback", None)
        registrations.append(
            {
                "uuid": str(registration.uuid),
                "event": {
                    "slug": registration.event.slug,
                    "title": registration.event.title,
                    "starts_at": _when(registration.event.starts_at),
                },
                "status": registration.status,
                "source": registration.source,
                "first_name": registration.first_name,
                "last_name": registration.last_name,
                "email": registration.email,
                "organisation_name": registration.organisation_name,
                "answers": registration.answers,
                "created_at": _when(registration.created_at),
                "address_confirmed_at": _when(registration.address_confirmed_at),
                "checked_in_at": _when(registration.checked_in_at),
                "cancelled_at": _when(registration.cancelled_at),
                "feedback": (
                    {"rating": feedback.rating, "text": feedback.text, "next_topic": feedback.next_topic}
                    if feedback
                    else None
                ),
            }
        )
    invitations = [
        {
            "event": invitation.event.slug,
            "created_at": _when(invitation.created_at),
            "sent_at": _when(invitation.sent_at),
        }
        for invitation in Invitation.objects.filter(person=person).select_related("event").order_by("id")
    ]
    return {"registrations": registrations, "invitations": invitations}


def erase(person: Person, needles: list[str]) -> None:
    """Seats the person held at coming events go to the waiting list."""
    held = Registration.objects.holding().filter(person=person, event__starts_at__gt=timezone.now())
    events = list(Event.objects.filter(pk__in=held.values("event_id")).order_by("pk"))
    Invitation.objects.filter(person=person).delete()  # with their e-mails in the outbox
    Registration.objects.filter(person=person).delete()  # with their feedback and e-mails
    for event in events:
        fill_seats(lock_event(event))


def anonymise(person: Person, needles: list[str]) -> None:
    registrations = Registration.objects.filter(person=person)
    for feedback in Feedback.objects.filter(registration__in=registrations):
        text, topic = scrub(feedback.text, needles), scrub(feedback.next_topic, needles)
        if (text, topic) != (feedback.text, feedback.next_topic):
            Feedback.objects.filter(pk=feedback.pk).update(text=text, next_topic=topic)
    registrations.update(first_name="", last_name="–", email="", organisation_name="", answers={})
    NoticeMail.objects.filter(registration__person=person).delete()
    NoticeMail.objects.filter(invitation__person=person).delete()


def register() -> None:
    holds_personal_data(PersonalDataHolder(name="events", export=export, erase=erase, anonymise=anonymise))
