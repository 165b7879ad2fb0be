"""What the participants must be told, handed to the mail module after the commit.

The services call ``schedule(notice, registrations)`` inside their transaction. After a commit
(never after a rollback) ``deliver(notice, ids)`` calls ``reallabor.events.mail.send_notices(notice,
ids)`` — the mail module (written apart from the services) enqueues the e-mails there. Until that
module exists, the notices are only logged.

The notices and what they mean for the e-mail:

- ``confirm_address``: registered or waiting with an address still to confirm: the
  confirmation link (double opt-in), and the seat or the place on the waiting list.
- ``registered``: a seat, address confirmed (confirmation with the ICS file and the QR code).
- ``waiting``: on the waiting list, address confirmed.
- ``offered``: a freed seat is offered until ``offer_expires_at`` (accept and decline links).
- ``seat_given``: close to the start a freed seat was given directly (no time to answer an
  offer); the person can still cancel with their link.
- ``offer_expired``: the offer passed on unanswered; the person is off the waiting list.
- ``changed``: the registration's details were changed.
- ``cancelled``: the registration was cancelled (by the person or the office).
- ``lapsed``: the address was not confirmed in time; the place went on.
- ``event_cancelled``: the event was cancelled (to every active registration).
- ``invited``: ids of ``Invitation`` rows (not registrations): the personal invitation links.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from django.db import transaction

log = logging.getLogger(__name__)


class Notice(StrEnum):
    CONFIRM_ADDRESS = "confirm_address"
    REGISTERED = "registered"
    WAITING = "waiting"
    OFFERED = "offered"
    SEAT_GIVEN = "seat_given"
    OFFER_EXPIRED = "offer_expired"
    CHANGED = "changed"
    CANCELLED = "cancelled"
    LAPSED = "lapsed"
    EVENT_CANCELLED = "event_cancelled"
    INVITED = "invited"


def schedule(notice: Notice, objects: Iterable[Any]) -> None:
    """Deliver the notice for these registrations (or invitations) after the commit."""
    ids = [obj.pk for obj in objects]
    if ids:
        transaction.on_commit(functools.partial(deliver, notice, ids))


def deliver(notice: Notice, ids: list[int]) -> None:
    try:
        from reallabor.events import mail  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        log.info("events notice %s for %s record(s): no mail module", notice, len(ids))
        return
    mail.send_notices(notice, ids)
