"""Reminders before the event (the worker's task sends them; this module decides and claims).

A reminder goes to registrations holding a seat (``registered``) with a confirmed address whose
person's e-mail has not bounced, of published events, once per offset in
``Event.reminder_offsets`` (minutes before the start), when the moment has come and the event has
not begun. ``claim_reminder`` inserts the ``ReminderDelivery`` row inside the caller's transaction
and says False when the row exists already: a restarted worker never sends a reminder twice
(claim, send, commit; a failure rolls the claim back and the next run tries again).
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from reallabor.events.models import Event, Registration, ReminderDelivery

LOOKAHEAD = dt.timedelta(days=61)
"""Events further away than the largest possible offset need no look."""


def claim_reminder(
    registration: Registration, offset_minutes: int, *, now: dt.datetime | None = None
) -> bool:
    """Claim the reminder ``offset_minutes`` before the start for the registration (False: claimed
    before). Runs inside the caller's transaction (a savepoint keeps it usable after a clash)."""
    try:
        with transaction.atomic():
            ReminderDelivery.objects.create(
                registration=registration, offset_minutes=offset_minutes, sent_at=now or timezone.now()
            )
    except IntegrityError:
        return False
    return True


def due_reminders(*, now: dt.datetime | None = None) -> list[tuple[Registration, int]]:
    """(registration, offset) pairs whose reminder is due and not yet claimed; for each
    registration only the nearest offset that has come (an earlier one missed is not sent late),
    and none whose moment came before the person registered."""
    now = now or timezone.now()
    events = Event.objects.filter(
        status=Event.Status.PUBLISHED, starts_at__gt=now, starts_at__lte=now + LOOKAHEAD
    ).only("pk", "starts_at", "reminder_offsets")
    due_offsets: dict[int, int] = {}
    for event in events:
        passed = [
            offset
            for offset in event.reminder_offsets or []
            if event.starts_at - dt.timedelta(minutes=offset) <= now
        ]
        if passed:
            due_offsets[event.pk] = min(passed)
    if not due_offsets:
        return []
    registrations = (
        Registration.objects.filter(
            event_id__in=due_offsets,
            status=Registration.Status.REGISTERED,
            address_confirmed_at__isnull=False,
            person__email_bounced_at__isnull=True,
        )
        .exclude(email="")
        .select_related("event", "person")
        .order_by("event_id", "pk")
    )
    claimed = set(
        ReminderDelivery.objects.filter(registration__event_id__in=due_offsets).values_list(
            "registration_id", "offset_minutes"
        )
    )
    due: list[tuple[Registration, int]] = []
    for registration in registrations:
        offset = due_offsets[registration.event_id]
        moment = registration.event.starts_at - dt.timedelta(minutes=offset)
        # Registered after the reminder's moment: the confirmation has just told them everything.
        if (registration.pk, offset) not in claimed and registration.created_at <= moment:
            due.append((registration, offset))
    return due
