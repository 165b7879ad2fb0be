"""Sending a participant's personal link again (a second registration with the same address).

``registrations.register`` refuses a second active registration with the same address
(``AlreadyRegistered``) and its message promises the link again; this schedules the e-mail the
registration's state calls for (``services.notifications``): the confirmation link while the
address is unconfirmed, the open offer, the place on the waiting list, or the confirmation with
the personal link. At most once per registration every ``RESEND_PAUSE`` seconds, so a form sent
again and again does not flood the address.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction

from reallabor.events.models import Registration
from reallabor.events.services.notifications import Notice, schedule
from reallabor.events.services.registrations import announce

RESEND_PAUSE = 10 * 60


def resend_link(*, registration: Registration) -> bool:
    """Schedule the registration's e-mail again; False when it was sent again a moment ago or the
    registration is no longer active (nothing is sent then)."""
    registration = Registration.objects.get(pk=registration.pk)
    if not registration.is_active:
        return False
    if not cache.add(f"events:resend:{registration.uuid.hex}", 1, timeout=RESEND_PAUSE):
        return False
    with transaction.atomic():
        if registration.status == Registration.Status.OFFERED and registration.is_confirmed:
            schedule(Notice.OFFERED, [registration])
        else:
            announce(registration)
    return True
