"""Check-in at the door: by the QR code (the registration's UUID), the short code or the name.

Only the office checks people in (``permissions.can_check_in``), from the day of the event on
(also afterwards, from a paper sign-in sheet). Checking in is idempotent: a second time changes
nothing and says when the person was checked in. A person on the waiting list, with a lapsed
offer or even a cancelled registration who comes anyway gets a seat: they are there. Walk-ins
are registered and checked in at once (over the capacity too). Every check-in goes to the
actors' timeline (``services.attendance``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from reallabor.core.cache import content_changed
from reallabor.core.validation import ErrorCollector
from reallabor.events import permissions
from reallabor.events.models import Event, Registration
from reallabor.events.services import contacts
from reallabor.events.services.answers import clean_answers, clean_details
from reallabor.events.services.attendance import record_attendance, remove_attendance
from reallabor.events.services.common import (
    acting,
    atomic_with_retry,
    local,
    local_time,
    lock_event,
    unknown_fields,
)
from reallabor.events.services.intake import create_registration, find_active

SEARCH_LIMIT = 20
WALK_IN_FIELDS = ("first_name", "last_name", "email", "organisation_name", "answers", "consents")


@dataclass(frozen=True)
class CheckIn:
    registration: Registration
    already: bool
    message: str


def _require(user: Any, event: Event) -> None:
    if user is None or not permissions.can_check_in(user, event):
        raise PermissionDenied(_("Only the office checks people in."))


def _check_day(event: Event) -> None:
    if event.status == Event.Status.CANCELLED:
        raise ValidationError({"event": _("This event has been cancelled.")})
    if timezone.localdate() < timezone.localdate(event.starts_at):
        raise ValidationError(
            {
                "event": _("Check-in opens on the day of the event (%(date)s).")
                % {"date": local(event.starts_at)}
            }
        )


def check_in_refusal(event: Event) -> str:
    """Why people cannot be checked in to the event now ("" = they can): for the check-in page."""
    try:
        _check_day(event)
    except ValidationError as error:
        return " ".join(error.messages)
    return ""


def _mark(user: Any, event: Event, registration: Registration) -> None:
    now = timezone.now()
    registration.checked_in_at = now
    registration.checked_in_by = acting(user)
    fields = ["checked_in_at", "checked_in_by", "updated_at"]
    if registration.status != Registration.Status.REGISTERED:
        registration.status = Registration.Status.REGISTERED
        registration.offer_expires_at = None
        registration.cancelled_at = None
        fields += ["status", "offer_expires_at", "cancelled_at"]
    registration.save(update_fields=fields)
    record_attendance(user=user, event=event, person=registration.person)
    content_changed()


@atomic_with_retry
def check_in(*, user: Any, registration: Registration) -> CheckIn:
    _require(user, registration.event)
    event = lock_event(registration.event)
    _check_day(event)
    registration = Registration.objects.select_related("person").get(pk=registration.pk)
    if registration.checked_in_at is not None:
        message = _("%(name)s was already checked in at %(time)s.") % {
            "name": registration.name,
            "time": local_time(registration.checked_in_at),
        }
        return CheckIn(registration, True, message)
    if registration.status not in Registration.ACTIVE and registration.email:
        other = find_active(event, registration.email)
        if other is not None:  # registered again meanwhile: that one is the one to check in
            registration = Registration.objects.select_related("person").get(pk=other.pk)
            if registration.checked_in_at is not None:
                message = _("%(name)s was already checked in at %(time)s.") % {
                    "name": registration.name,
                    "time": local_time(registration.checked_in_at),
                }
                return CheckIn(registration, True, message)
    _mark(user, event, registration)
    return CheckIn(registration, False, _("%(name)s is checked in.") % {"name": registration.name})


@atomic_with_retry
def undo_check_in(*, user: Any, registration: Registration) -> Registration:
    """Take back a check-in made by mistake (the registration stays as it is)."""
    _require(user, registration.event)
    event = lock_event(registration.event)
    registration = Registration.objects.select_related("person").get(pk=registration.pk)
    if registration.checked_in_at is None:
        return registration
    registration.checked_in_at = None
    registration.checked_in_by = None
    registration.save(update_fields=["checked_in_at", "checked_in_by", "updated_at"])
    remove_attendance(user=user, event=event, person=registration.person)
    content_changed()
    return registration


def find_for_check_in(*, user: Any, event: Event, text: str) -> list[Registration]:
    """Registrations of the event matching a scanned QR code (the UUID, or a URL ending in it), the
    short code, or a name or organisation (a part of it); at most ``SEARCH_LIMIT``, active first."""
    _require(user, event)
    text = (text or "").strip()[:200]
    if not text:
        return []
    registrations: QuerySet[Registration] = Registration.objects.filter(event=event).select_related("person")
    key = _uuid_in(text)
    if key is not None:
        return list(registrations.filter(uuid=key))
    code = text.upper().replace(" ", "")
    if len(code) == 6:
        found = list(registrations.filter(code=code))
        if found:
            return found
    words = [word for word in text.split() if word][:5]
    condition = Q()
    annotated = registrations.annotate(full_name=Concat("first_name", Value(" "), "last_name"))
    for word in words:
        condition &= (
            Q(full_name__icontains=word) | Q(organisation_name__icontains=word) | Q(email__istartswith=word)
        )
    active_first = annotated.filter(condition).order_by("checked_in_at", "last_name", "first_name", "pk")
    found = list(active_first[: SEARCH_LIMIT * 2])
    found.sort(
        key=lambda registration: (not registration.is_active, registration.last_name, registration.first_name)
    )
    return found[:SEARCH_LIMIT]


def _uuid_in(text: str) -> uuid.UUID | None:
    candidate = text.rstrip("/").rsplit("/", 1)[-1]
    try:
        return uuid.UUID(candidate) if len(candidate) in (32, 36) else None
    except ValueError:
        return None


@atomic_with_retry
def walk_in(*, user: Any, event: Event, data: dict[str, Any]) -> CheckIn:
    """Someone at the door without a registration: registered and checked in at once (the e-mail
    address is optional; with one that is already registered, that registration is checked in)."""
    _require(user, event)
    unknown_fields(data, WALK_IN_FIELDS)
    event = lock_event(event)
    _check_day(event)
    errors = ErrorCollector()
    details = clean_details(data, errors, email_required=False)
    answers = clean_answers(event.questions.all(), data.get("answers"), errors)
    try:
        purposes = contacts.check_consent_purposes(data.get("consents"))
    except ValidationError as error:
        errors.add_validation_error(error)
        purposes = []
    errors.raise_if_any()
    existing = find_active(event, details["email"])
    if existing is not None:
        return check_in(user=user, registration=existing)
    if details["email"]:
        person, _created = contacts.find_or_create_person(
            user=user,
            first_name=details["first_name"],
            last_name=details["last_name"],
            email=details["email"],
        )
    else:
        from reallabor.actors.services import people

        person = people.create_person(
            user=user, data={"first_name": details["first_name"], "last_name": details["last_name"]}
        )
    registration = create_registration(
        event=event,
        details=details,
        person=person,
        organisation=contacts.match_organisation(details["organisation_name"]),
        reserved=False,
        source=Registration.Source.WALK_IN,
        answers=answers,
        confirmed=True,
        created_by=acting(user),
        now=timezone.now(),
        status=Registration.Status.REGISTERED,
    )
    contacts.record_consents(user=user, person=person, purposes=purposes, in_person=True)
    _mark(user, event, registration)
    return CheckIn(
        registration, False, _("%(name)s is registered and checked in.") % {"name": registration.name}
    )
