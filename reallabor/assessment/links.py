"""The personal link of a check: save now, continue later without an account.

``response_link_token(response)`` gives a URL-safe signed token naming the response;
``response_from_link(token)`` gives the response back or raises (``str(error)`` explains it):

- ``LinkTampered``: changed, cut short, made for another purpose or installation;
- ``LinkExpired``: genuine but older than ``MAX_AGE`` (a new link is made each time the check is
  saved, so a check worked on keeps working);
- ``LinkGone``: genuine, but the response was deleted.

The same approach as the events' personal links (a salt per purpose, an age limit), in its own module.
Whoever holds the link is treated as the business the response belongs to (``permissions``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Final

from django.core import signing
from django.utils.translation import gettext as _

from reallabor.assessment.models import Response

SALT: Final = "reallabor.assessment.response.continue"
MAX_AGE: Final = dt.timedelta(days=180)
MAX_TOKEN_LENGTH: Final = 500


class LinkError(Exception):
    """A personal link that does not work; ``str(error)`` explains it."""


class LinkTampered(LinkError):
    pass


class LinkExpired(LinkError):
    pass


class LinkGone(LinkError):
    pass


def response_link_token(response: Response) -> str:
    return signing.dumps(response.uuid.hex, salt=SALT, compress=False)


def response_from_link(token: str) -> Response:
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise LinkTampered(_("This link is not valid. Please use the complete link you saved."))
    try:
        value = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.SignatureExpired:
        raise LinkExpired(
            _("This link has expired. Please start the check again or ask the office for help.")
        ) from None
    except signing.BadSignature:
        raise LinkTampered(_("This link is not valid. Please use the complete link you saved.")) from None
    try:
        key = uuid.UUID(hex=str(value))
    except ValueError:
        raise LinkTampered(_("This link is not valid. Please use the complete link you saved.")) from None
    response = (
        Response.objects.select_related("questionnaire", "organisation", "trade").filter(uuid=key).first()
    )
    if response is None:
        raise LinkGone(_("This check no longer exists."))
    return response


def holds_link(response: Response, token: str | None) -> bool:
    """Whether ``token`` is a valid link to this very response (for callers that found it otherwise)."""
    if not token:
        return False
    try:
        return response_from_link(token).pk == response.pk
    except LinkError:
        return False
