"""Absolute links to the events' pages for e-mails, calendar files and QR codes.

The worker has no request, so links start with ``settings.BASE_URL``. The URL names of the page
helpers are used when they exist; otherwise the paths agreed for the events pages
(``/veranstaltungen/<slug>/``, ``/anmeldung/<token>/…``, ``/einladung/<token>/``) are built
directly, so mails and calendar files never depend on the order in which the pages are added.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.urls import NoReverseMatch, reverse


def absolute(path: str) -> str:
    return f"{settings.BASE_URL}{path}"


def _path(names: tuple[str, ...], kwargs: dict[str, Any], fallback: str) -> str:
    for name in names:
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    return fallback


def event_url(event: Any) -> str:
    """The public page of the event."""
    return absolute(
        _path(("events:event-detail",), {"slug": event.slug}, f"/veranstaltungen/{quote(event.slug)}/")
    )


def event_ics_url(event: Any) -> str:
    return absolute(
        _path(
            ("events:event-ics", "events:event-calendar"),
            {"slug": event.slug},
            f"/veranstaltungen/{quote(event.slug)}/kalender.ics",
        )
    )


def series_url(series: Any) -> str:
    return absolute(
        _path(
            ("events:series-detail",),
            {"slug": series.slug},
            f"/veranstaltungen/reihen/{quote(series.slug)}/",
        )
    )


def check_in_url(registration: Any) -> str:
    """What the QR code of a registration encodes: the event's check-in page with the
    registration's uuid (the check-in page accepts the uuid or a URL ending in it)."""
    event = registration.event
    path = _path(
        ("events:event-checkin", "events:checkin"),
        {"slug": event.slug},
        f"/veranstaltungen/{quote(event.slug)}/einlass/",
    )
    return absolute(f"{path}?{urlencode({'code': str(registration.uuid)})}")


# Personal links of a registration: (URL names tried, path under /anmeldung/<token>/).
_REGISTRATION_LINKS: dict[str, tuple[tuple[str, ...], str]] = {
    "manage": (("events:registration-manage", "events:registration-detail"), ""),
    "confirm": (("events:registration-confirm",), "bestaetigen/"),
    "accept_offer": (("events:registration-accept", "events:offer-accept"), "platz-annehmen/"),
    "decline_offer": (("events:registration-decline", "events:offer-decline"), "platz-ablehnen/"),
    "feedback": (("events:registration-feedback", "events:feedback"), "rueckmeldung/"),
}


def registration_url(registration: Any, purpose: str) -> str:
    """The personal link of ``purpose`` (``services.tokens.Purpose``) for the registration."""
    from reallabor.events.services.tokens import registration_token

    token = registration_token(registration, purpose)
    names, suffix = _REGISTRATION_LINKS[str(purpose)]
    return absolute(_path(names, {"token": token}, f"/anmeldung/{token}/{suffix}"))


def invitation_url(invitation: Any) -> str:
    from reallabor.events.services.tokens import invitation_token

    token = invitation_token(invitation)
    return absolute(
        _path(("events:invitation-detail", "events:invitation"), {"token": token}, f"/einladung/{token}/")
    )
