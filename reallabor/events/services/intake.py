"""The building blocks of a registration, shared by ``registrations`` and ``checkin`` (walk-ins).

``check_open`` says whether an event takes registrations; ``create_registration`` writes one
with its seat (``seat_status``), check-in code (``new_code``) and opt-in deadline; ``announce``
schedules the first e-mail. ``registrations`` re-exports every name.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from reallabor.core.validation import ErrorCollector
from reallabor.events.models import Event, Invitation, Registration
from reallabor.events.services.common import local
from reallabor.events.services.notifications import Notice, schedule
from reallabor.events.services.seats import count_seats
from reallabor.organisations.models import Organisation

CODE_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY34679"
"""Check-in codes: no 0/O, 1/I/L, 2/Z, 5/S, 8/B that look alike on paper and screens."""
CODE_LENGTH = 6


class AlreadyRegistered(ValidationError):
    """A second active registration with the same address; ``registration`` is the first one (the
    caller sends its personal link again)."""

    def __init__(self, registration: Registration) -> None:
        super().__init__(
            {
                "email": _(
                    "This e-mail address is already registered for this event. We are sending the link "
                    "to your registration to it again."
                )
            }
        )
        self.registration = registration


def random_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _position in range(CODE_LENGTH))


def new_code(event: Event) -> str:
    """A check-in code not yet used at the event."""
    while True:
        code = random_code()
        if not Registration.objects.filter(event=event, code=code).exists():
            return code


CODE_CANDIDATES = 3


def find_active_and_code(event: Event, email: str) -> tuple[Registration | None, str]:
    """``find_active`` and a check-in code not yet used at the event, in one query (a few random
    candidates are looked up with the address; should all be taken, ``new_code`` asks again)."""
    candidates = {random_code() for _number in range(CODE_CANDIDATES)}
    condition = Q(code__in=candidates)
    if email:
        condition |= Q(status__in=Registration.ACTIVE, email__iexact=email)
    found = list(Registration.objects.filter(event=event).filter(condition).order_by("created_at", "id"))
    active = next(
        (
            row
            for row in found
            if email and row.status in Registration.ACTIVE and row.email.lower() == email.lower()
        ),
        None,
    )
    free = sorted(candidates - {row.code for row in found})
    return active, free[0] if free else new_code(event)


def _refuse(message: str) -> ValidationError:
    return ValidationError({"event": message})


def check_open(event: Event, *, staff: bool, invitation: Invitation | None, now: dt.datetime) -> None:
    """Whether the event takes registrations now (staff: any time unless cancelled)."""
    if event.status == Event.Status.CANCELLED:
        raise _refuse(_("This event has been cancelled."))
    if staff:
        return
    if event.status != Event.Status.PUBLISHED:
        raise _refuse(_("This event is not open for registration."))
    if event.starts_at <= now:
        raise _refuse(
            _("Registration closed when the event began on %(date)s.") % {"date": local(event.starts_at)}
        )
    if event.registration_opens_at and now < event.registration_opens_at:
        raise _refuse(_("Registration opens on %(date)s.") % {"date": local(event.registration_opens_at)})
    if event.registration_closes_at and now >= event.registration_closes_at:
        raise _refuse(_("Registration closed on %(date)s.") % {"date": local(event.registration_closes_at)})
    if event.visibility == Event.Visibility.INVITATION and (
        invitation is None or invitation.event_id != event.pk
    ):
        raise _refuse(_("This event is by invitation only. Please use the link from your invitation."))


def find_active(event: Event, email: str) -> Registration | None:
    if not email:
        return None
    return Registration.objects.active().filter(event=event, email__iexact=email).first()


def staff_organisation(value: Any, errors: ErrorCollector) -> Organisation | None:
    if value in (None, ""):
        return None
    if isinstance(value, Organisation):
        return value
    found = Organisation.objects.filter(slug=str(value).strip()[:220]).first()
    if found is None:
        errors.add("organisation", _("There is no organisation “%(slug)s”.") % {"slug": str(value)[:100]})
    return found


def source_of(source: str | None, *, staff: bool, invitation: Invitation | None) -> str:
    if source is None:
        if staff:
            return Registration.Source.STAFF
        return Registration.Source.INVITATION if invitation else Registration.Source.ONLINE
    allowed = (
        {Registration.Source.STAFF, Registration.Source.ONLINE, Registration.Source.INVITATION}
        if staff
        else {Registration.Source.ONLINE, Registration.Source.INVITATION}
    )
    if source not in allowed:
        raise ValidationError({"source": _("This source is not possible here.")})
    return source


def seat_status(event: Event, *, reserved: bool) -> str:
    """Registered when a seat is free (or for an organiser seat), else waiting (event locked).
    An event without a capacity always has a free seat (nothing to count)."""
    if reserved or event.capacity is None or count_seats(event).has_free_seat:
        return Registration.Status.REGISTERED
    return Registration.Status.WAITING


def create_registration(
    *,
    event: Event,
    details: dict[str, str],
    person: Any,
    organisation: Organisation | None,
    reserved: bool,
    source: str,
    answers: dict[str, Any],
    confirmed: bool,
    created_by: Any,
    now: dt.datetime,
    status: str | None = None,
    code: str | None = None,
) -> Registration:
    """Write the registration (the event is locked and everything is checked); ``code``: a
    check-in code known to be free (``find_active_and_code``), else one is found."""
    status = status or seat_status(event, reserved=reserved)
    confirm_by = (
        None if confirmed else min(now + dt.timedelta(hours=event.confirmation_hours), event.starts_at)
    )
    return Registration.objects.create(
        event=event,
        person=person,
        first_name=details.get("first_name", ""),
        last_name=details.get("last_name", ""),
        email=details.get("email", ""),
        organisation_name=details.get("organisation_name", "") or (organisation.name if organisation else ""),
        organisation=organisation,
        status=status,
        reserved=reserved,
        source=source,
        address_confirmed_at=now if confirmed else None,
        confirm_by=confirm_by,
        waiting_since=now if status == Registration.Status.WAITING else None,
        code=code or new_code(event),
        answers=answers,
        created_by=created_by,
    )


def announce(registration: Registration) -> None:
    """The first e-mail after registering: the confirmation link, or the confirmation itself."""
    if not registration.is_confirmed:
        schedule(Notice.CONFIRM_ADDRESS, [registration])
    elif registration.status == Registration.Status.WAITING:
        schedule(Notice.WAITING, [registration])
    else:
        schedule(Notice.REGISTERED, [registration])
