"""The waiting list: freed seats go to the next in line.

A seat frees when a registration holding one is cancelled, lapses, or its offer is declined or
expires, and when the capacity is raised. ``fill_seats`` then hands the free seats to the people
waiting longest (``waiting_since``):

- **Offer** (the usual case): the person is ``offered`` the seat until ``offer_expires_at`` =
  now + ``Event.offer_hours`` and gets accept and decline links. An offered seat counts as taken.
  Unanswered offers pass on (``expire_offers``, run periodically by the worker); the person is
  then off the list (``lapsed``).
- **Last minute**: when the start is nearer than ``offer_hours``, an offer could not run its
  course, so the seat goes directly (``registered``) to the next person in line *whose address is
  confirmed* (we know the e-mail reaches them). They asked for a seat by staying on the list; if
  they cannot come after all, their personal link gives it back until the start (the self-service
  cut-off does not apply to seats from the waiting list), and it passes on again.
- Nothing is handed out for a cancelled or unpublished event or once it has begun.

Accepting an offer also confirms the address (the link was sent to it). The functions return the
registrations that got an offer or a seat; their e-mails are scheduled for after the commit
(``services.notifications``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from reallabor.core.cache import content_changed
from reallabor.events.models import Event, Registration
from reallabor.events.permissions import is_office_user
from reallabor.events.services import contacts
from reallabor.events.services.common import atomic_with_retry, local, lock_event
from reallabor.events.services.notifications import Notice, schedule
from reallabor.events.services.seats import count_seats


def is_last_minute(event: Event, now: dt.datetime) -> bool:
    return event.starts_at - now <= dt.timedelta(hours=event.offer_hours)


def fill_seats(event: Event, *, now: dt.datetime | None = None) -> list[Registration]:
    """Offer (or, at the last minute, give) the free seats to the waiting list.

    Call inside a transaction that holds the event's lock (``common.lock_event``).
    """
    now = now or timezone.now()
    if event.status != Event.Status.PUBLISHED or now >= event.starts_at:
        return []
    free = count_seats(event).free
    if free is not None and free <= 0:
        return []
    last_minute = is_last_minute(event, now)
    queue = Registration.objects.filter(event=event, status=Registration.Status.WAITING).order_by(
        "waiting_since", "pk"
    )
    if last_minute:
        queue = queue.filter(address_confirmed_at__isnull=False)
    chosen = list(queue if free is None else queue[:free])
    if not chosen:
        return []
    for registration in chosen:
        registration.updated_at = now
        if last_minute:
            registration.status = Registration.Status.REGISTERED
            registration.offer_expires_at = None
        else:
            registration.status = Registration.Status.OFFERED
            registration.offer_expires_at = min(now + dt.timedelta(hours=event.offer_hours), event.starts_at)
    Registration.objects.bulk_update(chosen, ["status", "offer_expires_at", "updated_at"])
    schedule(Notice.SEAT_GIVEN if last_minute else Notice.OFFERED, chosen)
    content_changed()
    return chosen


def _participant_or_office(user: Any, registration: Registration) -> None:
    if user is not None and not is_office_user(user, registration.event):
        raise PermissionDenied(_("You may not answer this offer."))


def _locked(registration: Registration) -> tuple[Event, Registration]:
    event = lock_event(registration.event)
    registration = Registration.objects.select_related("person").get(pk=registration.pk)
    registration.event = event
    return event, registration


def _offer_closed(registration: Registration) -> ValidationError:
    return ValidationError(
        {
            "registration": _("This offer is no longer open (%(status)s).")
            % {"status": registration.get_status_display()}
        }
    )


@atomic_with_retry
def accept_offer(*, registration: Registration, user: Any = None) -> Registration:
    """Take the offered seat (the participant by their link; the office on their behalf)."""
    _participant_or_office(user, registration)
    now = timezone.now()
    _event, registration = _locked(registration)
    if registration.status == Registration.Status.REGISTERED:
        return registration
    if registration.status != Registration.Status.OFFERED:
        raise _offer_closed(registration)
    assert registration.offer_expires_at is not None
    if now >= registration.offer_expires_at:
        raise ValidationError(
            {
                "registration": _("This offer expired on %(date)s; the seat has gone to the next person.")
                % {"date": local(registration.offer_expires_at)}
            }
        )
    registration.status = Registration.Status.REGISTERED
    registration.offer_expires_at = None
    fields = ["status", "offer_expires_at", "updated_at"]
    if registration.address_confirmed_at is None:
        registration.address_confirmed_at = now
        registration.confirm_by = None
        fields += ["address_confirmed_at", "confirm_by"]
        contacts.mark_address_confirmed(registration.person, registration.email, now)
    registration.save(update_fields=fields)
    schedule(Notice.REGISTERED, [registration])
    return registration


@atomic_with_retry
def decline_offer(*, registration: Registration, user: Any = None) -> Registration:
    """Turn the offered seat down; it goes to the next in line. Declining twice is fine."""
    _participant_or_office(user, registration)
    now = timezone.now()
    event, registration = _locked(registration)
    if registration.status == Registration.Status.DECLINED:
        return registration
    if registration.status != Registration.Status.OFFERED:
        raise _offer_closed(registration)
    registration.status = Registration.Status.DECLINED
    registration.offer_expires_at = None
    registration.save(update_fields=["status", "offer_expires_at", "updated_at"])
    fill_seats(event, now=now)
    content_changed()
    return registration


@atomic_with_retry
def expire_offers(*, now: dt.datetime | None = None) -> list[Registration]:
    """Offers not answered in time lapse and pass on; returns the registrations offered (or given)
    a seat in their place. For the worker, periodically."""
    now = now or timezone.now()
    due = Registration.objects.filter(status=Registration.Status.OFFERED, offer_expires_at__lte=now)
    passed_on: list[Registration] = []
    expired: list[Registration] = []
    for event_id in sorted(set(due.values_list("event_id", flat=True))):
        event = lock_event(Event(pk=event_id))
        rows = list(due.filter(event=event))
        for row in rows:
            row.status = Registration.Status.LAPSED
            row.offer_expires_at = None
            row.updated_at = now
        Registration.objects.bulk_update(rows, ["status", "offer_expires_at", "updated_at"])
        expired += rows
        passed_on += fill_seats(event, now=now)
    schedule(Notice.OFFER_EXPIRED, expired)
    if expired:
        content_changed()
    return passed_on
