"""Personal invitations to an event, for the people of a segment of the actors app.

Only people with an e-mail address that has not bounced and a valid consent for the purpose
(default: the newsletter, the office's information about its offers) are invited; people invited
before are not invited twice. The purpose is kept on the invitation (``Invitation.purpose``): the
e-mail goes out only while the person's consent for exactly that purpose is valid and the address
does not bounce (checked again by the mail module when sending). Each invitation is a personal
link (``tokens.invitation_token``): the way to register for an event by invitation. The e-mails
go out after the commit (notice ``invited``, through the outbox); the mail module marks them sent
(``mark_invitations_sent``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from reallabor.actors.criteria import CriteriaError
from reallabor.actors.filters import reachable_people, segment_people
from reallabor.actors.models import Person, Purpose, Segment
from reallabor.events import permissions
from reallabor.events.models import Event, Invitation
from reallabor.events.services.common import acting, atomic_with_retry, lock_event
from reallabor.events.services.notifications import Notice, schedule

MAX_AT_ONCE = 5_000


def _check(user: Any, event: Event) -> None:
    if not permissions.can_invite(user, event):
        raise PermissionDenied(_("You may not invite people to this event."))
    if event.status == Event.Status.CANCELLED:
        raise ValidationError({"event": _("This event has been cancelled.")})
    if event.starts_at <= timezone.now():
        raise ValidationError({"event": _("This event has already begun.")})


@atomic_with_retry
def invite_people(
    *, user: Any, event: Event, people: Iterable[Person], purpose: str = Purpose.NEWSLETTER
) -> list[Invitation]:
    """Invite these people (those reachable for ``purpose`` and not invited yet); returns the new
    invitations."""
    _check(user, event)
    if purpose not in Purpose.values:
        raise ValidationError(
            {"purpose": _("Unknown purpose “%(purpose)s”.") % {"purpose": str(purpose)[:50]}}
        )
    event = lock_event(event)
    ids = [person.pk for person in people]
    if len(ids) > MAX_AT_ONCE:
        raise ValidationError({"people": _("At most %(max)s people at once.") % {"max": MAX_AT_ONCE}})
    reachable = reachable_people(Person.objects.filter(pk__in=ids, anonymised_at__isnull=True), purpose)
    invited = set(Invitation.objects.filter(event=event).values_list("person_id", flat=True))
    author = acting(user)
    new = [
        Invitation(event=event, person=person, purpose=purpose, created_by=author)
        for person in reachable.order_by("pk")
        if person.pk not in invited
    ]
    Invitation.objects.bulk_create(new)
    created = list(Invitation.objects.filter(event=event, person_id__in=[i.person_id for i in new]))
    schedule(Notice.INVITED, created)
    return created


def invite_segment(
    *, user: Any, event: Event, segment: Segment, purpose: str = Purpose.NEWSLETTER
) -> list[Invitation]:
    """Invite the people a segment reaches (see ``invite_people``)."""
    if not permissions.can_invite(user, event):
        raise PermissionDenied(_("You may not invite people to this event."))
    return invite_people(
        user=user, event=event, people=segment_people_or_error(segment, user=user), purpose=purpose
    )


def segment_people_or_error(segment: Segment, *, user: Any) -> QuerySet[Person]:
    """The segment's people; a segment whose criteria no longer hold (a lab the user does not see,
    a vocabulary code since removed) is refused on the ``segment`` field."""
    try:
        return segment_people(segment, user=user)
    except CriteriaError as error:
        raise ValidationError({"segment": list(error.errors.values())}) from error


def mark_invitations_sent(*, invitation_ids: Iterable[int], at: dt.datetime | None = None) -> int:
    """For the mail module: these invitations went out (their first sending counts)."""
    return Invitation.objects.filter(pk__in=list(invitation_ids), sent_at__isnull=True).update(
        sent_at=at or timezone.now()
    )
