"""Events: create, edit, publish, cancel, delete (each change recorded in the history).

``data`` (plain values, as forms and the API give them; only the fields given are changed):
``title`` (required), ``slug`` (generated from the title and the date when left out),
``description``, ``series`` (an EventSeries or its slug), ``starts_at``/``ends_at`` (aware
datetimes or ISO texts in Berlin time), ``host`` (an Organisation or its slug), ``venue_name``,
``street``, ``postcode``, ``city``, ``accessibility_notes``, ``format`` (in_person, online,
hybrid), ``online_url`` (required online and hybrid), ``capacity`` (None: unlimited),
``reserved_seats``, ``registration_opens_at``/``registration_closes_at`` (None: open now / until
the start), ``change_cutoff_hours``, ``offer_hours``, ``confirmation_hours``,
``reminder_offsets`` (minutes before the start), ``agenda``, ``lab`` (a Lab or its slug),
``measures`` (Measures, their ids or slugs, of the event's lab), ``organisers`` (Organisations or
slugs), ``visibility`` (public, invitation), ``minutes``, ``results``, ``questions`` (see
``services.questions``). The status changes through ``publish_event`` and ``cancel_event``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from reallabor.core.services import check_revision
from reallabor.core.validation import ErrorCollector
from reallabor.events import permissions
from reallabor.events.models import Event, Registration
from reallabor.events.services.common import acting, atomic_with_retry, lock_event, record, unknown_fields
from reallabor.events.services.fields import FIELDS, apply_event
from reallabor.events.services.notifications import Notice, schedule
from reallabor.events.services.questions import save_questions
from reallabor.events.services.seats import count_seats
from reallabor.events.services.waitlist import fill_seats
from reallabor.history.models import Version


def _tighter(before: tuple[int | None, int], after: tuple[int | None, int]) -> bool:
    """Whether (capacity, organiser seats) leave fewer seats than before: only then can the seats
    already held no longer fit (walk-ins may have filled an event beyond its capacity; other
    changes of such an event, such as its minutes, stay possible)."""
    (capacity, reserved), (new_capacity, new_reserved) = before, after
    if new_capacity is None:
        return False
    return capacity is None or new_capacity < capacity or new_reserved > reserved


def _check_capacity(event: Event, data: dict[str, Any]) -> None:
    """Refuse a capacity (or organiser seats) that the seats already held do not fit in."""
    if event.capacity is None:
        return
    seats = count_seats(event)
    minimum = seats.minimum_capacity
    if event.capacity >= minimum:
        return
    field = "capacity" if "capacity" in data else "reserved_seats"
    if event.reserved_seats == 0 and seats.organisers == 0:
        message = _("%(taken)s seats are taken; the capacity cannot be lower.") % {"taken": seats.taken}
    else:
        message = _(
            "%(taken)s seats are taken and %(reserved)s kept for organisers; the capacity cannot be lower "
            "than %(minimum)s."
        ) % {
            "taken": seats.others,
            "reserved": max(event.reserved_seats, seats.organisers),
            "minimum": minimum,
        }
    raise ValidationError({field: message})


def _save_links(event: Event, links: dict[str, Any]) -> None:
    if "measures" in links:
        event.measures.set(links["measures"])
    if "organisers" in links:
        event.organisers.set(links["organisers"])
    if "questions" in links:
        save_questions(event, links["questions"])


@atomic_with_retry
def create_event(*, user: Any, data: dict[str, Any]) -> Event:
    """A new event (a draft unless published later)."""
    if not permissions.can_create_any_event(user):
        raise PermissionDenied(_("Only the office creates events."))
    unknown_fields(data, FIELDS)
    event = Event(created_by=acting(user))
    errors = ErrorCollector()
    links = apply_event(event, data, user, errors)
    errors.raise_if_any()
    event.save()
    _save_links(event, links)
    record(event, user, Version.Action.CREATED)
    return event


@atomic_with_retry
def update_event(
    *, user: Any, event: Event, data: dict[str, Any], expected_revision: int | None = None
) -> Event:
    """Change the fields given. Refuses a capacity below the seats taken (with both numbers);
    a raised capacity offers the new seats to the waiting list."""
    if not permissions.can_manage_event(user, event):
        raise PermissionDenied(_("You may not edit this event."))
    unknown_fields(data, FIELDS)
    event = lock_event(event)
    check_revision(event, expected_revision)
    errors = ErrorCollector()
    before = (event.capacity, event.reserved_seats)
    links = apply_event(event, data, user, errors)
    errors.raise_if_any()
    if _tighter(before, (event.capacity, event.reserved_seats)):
        _check_capacity(event, data)
    event.save()
    _save_links(event, links)
    record(event, user, Version.Action.CHANGED)
    if {"capacity", "reserved_seats"} & set(data):
        fill_seats(event)
    return event


@atomic_with_retry
def publish_event(*, user: Any, event: Event) -> Event:
    """Open the event: listed (public ones in the calendar) and taking registrations."""
    if not permissions.can_manage_event(user, event):
        raise PermissionDenied(_("You may not publish this event."))
    event = lock_event(event)
    if event.status == Event.Status.CANCELLED:
        raise ValidationError({"status": _("A cancelled event cannot be published again.")})
    if event.status == Event.Status.PUBLISHED:
        return event
    event.status = Event.Status.PUBLISHED
    event.published_at = event.published_at or timezone.now()
    event.save()
    record(event, user, Version.Action.CHANGED)
    fill_seats(event)
    return event


def cancel_locked_event(event: Event, user: Any) -> list[Registration]:
    """Cancel a locked event; tells every active registration (returns them)."""
    event.status = Event.Status.CANCELLED
    event.cancelled_at = timezone.now()
    event.save()
    record(event, user, Version.Action.CHANGED)
    told = list(event.registrations.active())
    schedule(Notice.EVENT_CANCELLED, told)
    return told


@atomic_with_retry
def cancel_event(*, user: Any, event: Event) -> Event:
    """Call the event off; the registrations stay as they are and everybody active is told."""
    if not permissions.can_manage_event(user, event):
        raise PermissionDenied(_("You may not cancel this event."))
    event = lock_event(event)
    if event.status == Event.Status.CANCELLED:
        return event
    if event.ends_at <= timezone.now():
        raise ValidationError({"status": _("The event is over; it cannot be cancelled any more.")})
    cancel_locked_event(event, user)
    return event


@atomic_with_retry
def delete_event(*, user: Any, event: Event) -> None:
    """Delete an event created by mistake: only while nobody is registered (else cancel it)."""
    if not permissions.can_manage_event(user, event):
        raise PermissionDenied(_("You may not delete this event."))
    event = lock_event(event)
    if event.registrations.exists():
        raise ValidationError(
            {"event": _("People have registered for this event; cancel it instead of deleting it.")}
        )
    record(event, user, Version.Action.DELETED)
    event.delete()
