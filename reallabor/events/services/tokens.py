"""Personal links: signed tokens that name a registration (or an invitation) and what they are for.

``registration_token(registration, purpose)`` gives a URL-safe token;
``registration_from_token(token, purpose)`` gives the registration back or raises:

- ``LinkTampered``: the token was changed, cut short, made for another purpose or another
  installation (the signature does not match);
- ``LinkExpired``: genuine but older than the purpose's lifetime (``MAX_AGE``);
- ``LinkGone``: genuine, but the registration no longer exists (erased).

Each purpose signs with its own salt, so a link for one purpose never works for another. Every
error carries a message for the participant (``str(error)``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum

from django.core import signing
from django.utils.translation import gettext as _

from reallabor.events.models import Invitation, Registration


class Purpose(StrEnum):
    MANAGE = "manage"  # see, change, cancel the registration
    CONFIRM = "confirm"  # double opt-in
    ACCEPT_OFFER = "accept_offer"
    DECLINE_OFFER = "decline_offer"
    FEEDBACK = "feedback"


MAX_AGE: dict[str, dt.timedelta] = {
    Purpose.MANAGE: dt.timedelta(days=400),
    Purpose.CONFIRM: dt.timedelta(days=30),
    Purpose.ACCEPT_OFFER: dt.timedelta(days=30),
    Purpose.DECLINE_OFFER: dt.timedelta(days=30),
    Purpose.FEEDBACK: dt.timedelta(days=180),
}
INVITATION_MAX_AGE = dt.timedelta(days=400)


class LinkError(Exception):
    """A personal link that does not work; ``str(error)`` explains it to the participant."""


class LinkTampered(LinkError):
    pass


class LinkExpired(LinkError):
    pass


class LinkGone(LinkError):
    pass


def _salt(purpose: str) -> str:
    return f"reallabor.events.registration.{purpose}"


def registration_token(registration: Registration, purpose: str) -> str:
    if purpose not in MAX_AGE:
        raise ValueError(f"unknown purpose {purpose!r}")
    return signing.dumps(registration.uuid.hex, salt=_salt(purpose), compress=False)


def _load(token: str, salt: str, max_age: dt.timedelta) -> uuid.UUID:
    if not isinstance(token, str) or not token or len(token) > 500:
        raise LinkTampered(_("This link is not valid. Please use the complete link from your e-mail."))
    try:
        value = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise LinkExpired(
            _("This link has expired. Please ask the office for a new one or register again.")
        ) from None
    except signing.BadSignature:
        raise LinkTampered(
            _("This link is not valid. Please use the complete link from your e-mail.")
        ) from None
    try:
        return uuid.UUID(hex=str(value))
    except ValueError:
        raise LinkTampered(
            _("This link is not valid. Please use the complete link from your e-mail.")
        ) from None


def registration_from_token(token: str, purpose: str) -> Registration:
    if purpose not in MAX_AGE:
        raise ValueError(f"unknown purpose {purpose!r}")
    key = _load(token, _salt(purpose), MAX_AGE[purpose])
    registration = Registration.objects.select_related("event", "person").filter(uuid=key).first()
    if registration is None:
        raise LinkGone(_("This registration no longer exists."))
    return registration


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps(invitation.uuid.hex, salt="reallabor.events.invitation", compress=False)


def invitation_from_token(token: str) -> Invitation:
    """The invitation of a personal invitation link (the way to an event by invitation)."""
    key = _load(token, "reallabor.events.invitation", INVITATION_MAX_AGE)
    invitation = Invitation.objects.select_related("event", "person").filter(uuid=key).first()
    if invitation is None:
        raise LinkGone(_("This invitation no longer exists."))
    return invitation
