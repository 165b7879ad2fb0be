"""Registering, changing, cancelling, confirming the address; lapsing unconfirmed registrations.

``user`` is the acting user: a member of the office who manages the event (registering someone on
their behalf, by phone or at the door), or None / anybody else for the participant themself (the
public form, their personal link). The system (worker) also passes None.

Seats (``services.seats``): a registration gets a seat when one is free, else a place on the
waiting list (``waiting_since`` orders it). Organiser seats (``reserved``) are given by staff only
and always get a seat. Every seat change runs under the event's row lock
(``common.lock_event``), so two registrations never take the same last seat.

Double opt-in: a participant's address that their person has not confirmed before needs a click
on the confirmation link; until then the registration holds its place until ``confirm_by``
(``Event.confirmation_hours`` after registering, never past the start) and then lapses
(``lapse_unconfirmed``), passing the seat on. Staff registering someone, and an invitation link
sent to that very address, need no opt-in.

Self-service cut-off: ``Event.change_cutoff_hours`` before the start a participant holding a seat
can no longer change or cancel it themself (the office can). A seat that came from the waiting
list can be given back until the start, and a place on the waiting list can always be left: both
only ever help the others.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from reallabor.core.cache import content_changed
from reallabor.core.validation import ErrorCollector
from reallabor.events.models import Event, Invitation, Registration
from reallabor.events.permissions import is_office_user
from reallabor.events.services import contacts
from reallabor.events.services.answers import clean_answers, clean_details
from reallabor.events.services.common import (
    acting,
    atomic_with_retry,
    boolean,
    local,
    lock_event,
    unknown_fields,
)
from reallabor.events.services.intake import (
    CODE_ALPHABET,
    CODE_LENGTH,
    AlreadyRegistered,
    announce,
    check_open,
    create_registration,
    find_active,
    find_active_and_code,
    new_code,
    seat_status,
    source_of,
    staff_organisation,
)
from reallabor.events.services.notifications import Notice, schedule
from reallabor.events.services.waitlist import fill_seats
from reallabor.organisations.models import Organisation

__all__ = [
    "CHANGE_FIELDS",
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "PUBLIC_FIELDS",
    "STAFF_FIELDS",
    "AlreadyRegistered",
    "announce",
    "cancel_registration",
    "change_registration",
    "check_open",
    "confirm_address",
    "create_registration",
    "cutoff",
    "find_active",
    "lapse_unconfirmed",
    "local",
    "new_code",
    "register",
    "seat_status",
]

PUBLIC_FIELDS = ("first_name", "last_name", "email", "organisation_name", "answers", "consents")
STAFF_FIELDS = ("organisation", "reserved")
CHANGE_FIELDS = ("first_name", "last_name", "organisation_name", "answers")


def register(
    *,
    user: Any,
    event: Event,
    data: dict[str, Any],
    source: str | None = None,
    invitation: Invitation | None = None,
) -> Registration:
    """Register a person for the event: a seat when one is free, else the waiting list.

    Refuses (``ValidationError`` under ``event``) when the event is cancelled, not published,
    begun, outside its registration window, or by invitation without a valid invitation; a second
    active registration with the same address raises ``AlreadyRegistered``.

    The input is checked before the writing transaction begins (reading only), so the event's
    lock — on SQLite the database's write lock — is held only for the writing itself.
    """
    now = timezone.now()
    staff = is_office_user(user, event)
    unknown_fields(data, (*PUBLIC_FIELDS, *STAFF_FIELDS))
    if not staff and any(field in data for field in STAFF_FIELDS):
        raise PermissionDenied(_("Only the office gives organiser seats and links organisations."))
    if invitation is not None and invitation.event_id != event.pk:
        raise ValidationError({"invitation": _("This invitation is for another event.")})
    source = source_of(source, staff=staff, invitation=invitation)
    check_open(event, staff=staff, invitation=invitation, now=now)
    errors = ErrorCollector()
    details = clean_details(data, errors)
    answers = clean_answers(event.questions.all(), data.get("answers"), errors)
    try:
        purposes = contacts.check_consent_purposes(data.get("consents"))
    except ValidationError as error:
        errors.add_validation_error(error)
        purposes = []
    reserved = bool(boolean(data["reserved"], "reserved", errors)) if "reserved" in data else False
    organisation = staff_organisation(data.get("organisation"), errors)
    errors.raise_if_any()
    return _write(
        user=user,
        staff=staff,
        event=event,
        details=details,
        answers=answers,
        purposes=purposes,
        reserved=reserved,
        organisation=organisation or contacts.match_organisation(details["organisation_name"]),
        source=source,
        invitation=invitation,
        now=now,
    )


@atomic_with_retry
def _write(
    *,
    user: Any,
    staff: bool,
    event: Event,
    details: dict[str, str],
    answers: dict[str, Any],
    purposes: list[str],
    reserved: bool,
    organisation: Organisation | None,
    source: str,
    invitation: Invitation | None,
    now: dt.datetime,
) -> Registration:
    """``register``'s writing, under the event's lock (everything is checked again that may have
    changed meanwhile: the event, and the address registered by someone else)."""
    event = lock_event(event)
    check_open(event, staff=staff, invitation=invitation, now=now)
    if invitation is not None and invitation.registration_id:
        earlier = Registration.objects.filter(pk=invitation.registration_id).first()
        if earlier is not None and earlier.is_active:
            raise AlreadyRegistered(earlier)
    existing, code = find_active_and_code(event, details["email"])
    if existing is not None:
        raise AlreadyRegistered(existing)
    actor = user if staff else None
    person, _created = contacts.find_or_create_person(
        user=actor, first_name=details["first_name"], last_name=details["last_name"], email=details["email"]
    )
    confirmed = (
        staff
        or contacts.is_address_confirmed(person, details["email"])
        or (invitation is not None and invitation.person.email.lower() == details["email"].lower())
    )
    registration = create_registration(
        event=event,
        details=details,
        person=person,
        organisation=organisation,
        reserved=reserved,
        source=source,
        answers=answers,
        confirmed=confirmed,
        created_by=acting(user) if staff else None,
        now=now,
        code=code,
    )
    if confirmed and not staff:
        contacts.mark_address_confirmed(person, details["email"], now)
    contacts.record_consents(user=actor, person=person, purposes=purposes, in_person=staff)
    if invitation is not None:
        Invitation.objects.filter(pk=invitation.pk).update(registration=registration)
    content_changed()
    announce(registration)
    return registration


# Self-service and the office ----------------------------------------------------------------------


def _actor(user: Any, registration: Registration) -> bool:
    """True for the office, False for the participant (None); anybody else is refused."""
    if user is None:
        return False
    if is_office_user(user, registration.event):
        return True
    raise PermissionDenied(_("You may not change this registration."))


def _locked(registration: Registration) -> tuple[Event, Registration]:
    event = lock_event(registration.event)
    registration = Registration.objects.select_related("person").get(pk=registration.pk)
    registration.event = event
    return event, registration


def cutoff(event: Event) -> dt.datetime:
    """Until when a participant holding a seat may change or cancel it themself."""
    return event.starts_at - dt.timedelta(hours=event.change_cutoff_hours)


def _check_self_service(
    event: Event, registration: Registration, now: dt.datetime, *, cancelling: bool
) -> None:
    if now >= event.starts_at:
        raise ValidationError(
            {"registration": _("The event has begun; please contact the office for any change.")}
        )
    holds = registration.status == Registration.Status.REGISTERED
    from_waiting_list = registration.waiting_since is not None
    if holds and now >= cutoff(event) and not (cancelling and from_waiting_list):
        raise ValidationError(
            {
                "registration": _(
                    "Changes and cancellations were possible until %(date)s. Please contact the office."
                )
                % {"date": local(cutoff(event))}
            }
        )


def _check_active(registration: Registration) -> None:
    if not registration.is_active:
        raise ValidationError(
            {
                "registration": _("This registration is no longer active (%(status)s).")
                % {"status": registration.get_status_display()}
            }
        )


@atomic_with_retry
def change_registration(*, user: Any, registration: Registration, data: dict[str, Any]) -> Registration:
    """Change the name, organisation text or answers (the address stays: cancel and register anew)."""
    office = _actor(user, registration)
    now = timezone.now()
    unknown_fields(data, (*CHANGE_FIELDS, *(("organisation",) if office else ())))
    event, registration = _locked(registration)
    _check_active(registration)
    if not office:
        _check_self_service(event, registration, now, cancelling=False)
    errors = ErrorCollector()
    details = clean_details(data, errors, partial=True)
    answers = clean_answers(event.questions.all(), data.get("answers"), errors) if "answers" in data else None
    organisation = staff_organisation(data["organisation"], errors) if "organisation" in data else None
    errors.raise_if_any()
    for field, value in details.items():
        setattr(registration, field, value)
    if "organisation" in data:
        registration.organisation = organisation
    elif "organisation_name" in details:
        registration.organisation = contacts.match_organisation(details["organisation_name"])
    if answers is not None:
        registration.answers = answers
    registration.save()
    schedule(Notice.CHANGED, [registration])
    return registration


@atomic_with_retry
def cancel_registration(*, user: Any, registration: Registration) -> Registration:
    """Cancel; a seat it held goes to the waiting list (``waitlist.fill_seats``)."""
    office = _actor(user, registration)
    now = timezone.now()
    event, registration = _locked(registration)
    _check_active(registration)
    if not office:
        _check_self_service(event, registration, now, cancelling=True)
    held = registration.holds_seat
    registration.status = Registration.Status.CANCELLED
    registration.cancelled_at = now
    registration.offer_expires_at = None
    registration.save(update_fields=["status", "cancelled_at", "offer_expires_at", "updated_at"])
    schedule(Notice.CANCELLED, [registration])
    if held:
        fill_seats(event, now=now)
    content_changed()
    return registration


@atomic_with_retry
def confirm_address(*, registration: Registration) -> Registration:
    """The participant clicked the confirmation link (double opt-in). Confirming twice is fine."""
    now = timezone.now()
    _event, registration = _locked(registration)
    if registration.is_confirmed:
        return registration
    if registration.status == Registration.Status.LAPSED:
        raise ValidationError(
            {
                "registration": _(
                    "The address was not confirmed in time and the registration lapsed. Please register again."
                )
            }
        )
    _check_active(registration)
    registration.address_confirmed_at = now
    registration.confirm_by = None
    registration.save(update_fields=["address_confirmed_at", "confirm_by", "updated_at"])
    contacts.mark_address_confirmed(registration.person, registration.email, now)
    if registration.status == Registration.Status.WAITING:
        schedule(Notice.WAITING, [registration])
    elif registration.status == Registration.Status.REGISTERED:
        schedule(Notice.REGISTERED, [registration])
    return registration


@atomic_with_retry
def lapse_unconfirmed(*, now: dt.datetime | None = None) -> list[Registration]:
    """Registrations whose address was not confirmed by ``confirm_by`` lapse; their seats go on.

    For the worker (periodically); returns the lapsed registrations.
    """
    now = now or timezone.now()
    due = Registration.objects.filter(
        status__in=Registration.ACTIVE,
        address_confirmed_at__isnull=True,
        checked_in_at__isnull=True,
        confirm_by__lte=now,
    )
    lapsed: list[Registration] = []
    for event_id in sorted(set(due.values_list("event_id", flat=True))):
        event = lock_event(Event(pk=event_id))
        rows = list(due.filter(event=event).select_for_update())
        freed = any(row.holds_seat for row in rows)
        for row in rows:
            row.status = Registration.Status.LAPSED
            row.offer_expires_at = None
            row.updated_at = now
        Registration.objects.bulk_update(rows, ["status", "offer_expires_at", "updated_at"])
        lapsed += rows
        if freed:
            fill_seats(event, now=now)
    schedule(Notice.LAPSED, lapsed)
    if lapsed:
        content_changed()
    return lapsed
