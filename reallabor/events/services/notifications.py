"""What the participants must be told, handed to the mail module after the commit.

The services call ``schedule(notice, registrations)`` inside their transaction: it writes one
row per e-mail into the outbox (``models.NoticeMail``) in that same transaction, so a rollback
drops the e-mails with the change. After the commit ``deliver(notice, ids)`` calls
``reallabor.events.mail.send_notices(notice, ids)``, which makes sure the worker delivers the
outbox soon (the periodic tick picks up whatever a lost task left behind).

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
    """Put the notice's e-mails for these registrations (or invitations) into the outbox, in the
    caller's transaction; they are delivered after the commit."""
    from reallabor.events.models import NoticeMail

    ids = [obj.pk for obj in objects]
    if not ids:
        return
    field = "invitation_id" if notice == Notice.INVITED else "registration_id"
    NoticeMail.objects.bulk_create([NoticeMail(notice=str(notice), **{field: pk}) for pk in ids])
    transaction.on_commit(functools.partial(deliver, notice, ids))


def deliver(notice: Notice, ids: list[int]) -> None:
    from reallabor.events import mail

    try:
        mail.send_notices(notice, ids)
    except Exception:  # the outbox keeps the e-mails; the periodic tick delivers them
        log.exception("events notice %s: delivery not started", notice)
