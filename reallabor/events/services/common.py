"""Helpers shared by the events' services: the retrying transaction, input checks, history states."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import random
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.db import OperationalError, connection, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from reallabor.actors.services.office import parse_moment
from reallabor.core.validation import ErrorCollector
from reallabor.events.models import Event, EventSeries
from reallabor.history.models import Version
from reallabor.history.services import record_version

log = logging.getLogger(__name__)

LOCK_RETRIES = 8
"""How often a transaction that met a locked SQLite database is tried again (each attempt first
waits out SQLite's own timeout of 20 s, see settings)."""

# Path words under the events' URLs that a slug must not shadow.
RESERVED_SLUGS = frozenset(
    {"neu", "reihen", "kalender", "feed", "ics", "anmeldung", "einladung", "checkin", "export", "api"}
)


def atomic_with_retry[**P, R](func: Callable[P, R]) -> Callable[P, R]:
    """``transaction.atomic``, tried again when SQLite reports "database is locked".

    With ``transaction_mode=IMMEDIATE`` a write transaction takes SQLite's write lock at BEGIN
    and waits up to the configured timeout for it. Under heavy load a waiting transaction may
    still give up; it has written nothing then, so the whole function runs again. Inside an outer
    transaction there is nothing to retry: the outer one decides.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if connection.in_atomic_block:
            with transaction.atomic():
                return func(*args, **kwargs)
        for attempt in range(LOCK_RETRIES):
            try:
                with transaction.atomic():
                    return func(*args, **kwargs)
            except OperationalError as error:
                if "locked" not in str(error) or attempt == LOCK_RETRIES - 1:
                    raise
                log.warning("database locked, attempt %s of %s: retrying", attempt + 1, LOCK_RETRIES)
                time.sleep(random.uniform(0.01, 0.1) * (attempt + 1))  # noqa: S311 - not for security
        raise AssertionError("unreachable")  # pragma: no cover

    return wrapper


def lock_event(event: Event) -> Event:
    """The event's row, locked until the end of the transaction: every change of seats takes this
    lock first, so counting and assigning seats never interleave (PostgreSQL: SELECT … FOR UPDATE;
    SQLite: the IMMEDIATE transaction already holds the database's write lock)."""
    return Event.objects.select_for_update(of=("self",)).select_related("lab", "series").get(pk=event.pk)


def acting(user: Any) -> Any:
    """The user to store as author (None for the system and anonymous visitors)."""
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def local(moment: dt.datetime) -> str:
    """A moment for messages, in Berlin time: "14.03.2025 09:30" (in English "03/14/2025 09:30")."""
    moment = timezone.localtime(moment)
    return f"{formats.date_format(moment, 'SHORT_DATE_FORMAT')} {formats.time_format(moment, 'H:i')}"


def local_time(moment: dt.datetime) -> str:
    return formats.time_format(timezone.localtime(moment), "H:i")


# Input checks (they add field errors and return the cleaned value or None) -----------------------


def text(
    value: Any, field: str, errors: ErrorCollector, *, limit: int, required: bool = False, label: str = ""
) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors.add(field, _("Enter text."))
        return ""
    value = value.strip()
    if "\x00" in value:
        errors.add(field, _("The text contains a character that is not allowed."))
        return ""
    if required and not value:
        errors.add(field, _("Enter the %(label)s.") % {"label": label or field})
        return ""
    if len(value) > limit:
        errors.add(field, _("Use at most %(limit)s characters.") % {"limit": limit})
        return ""
    return value


def moment(value: Any, field: str, errors: ErrorCollector, *, required: bool = True) -> dt.datetime | None:
    """An aware datetime (naive values and ISO texts are Berlin time); None allowed unless required."""
    if value in (None, ""):
        if required:
            errors.add(field, _("Give the date and time."))
        return None
    return parse_moment(value, field, errors)


def whole_number(
    value: Any, field: str, errors: ErrorCollector, *, minimum: int, maximum: int, allow_none: bool = False
) -> int | None:
    if value in (None, "") and allow_none:
        return None
    if isinstance(value, bool):
        errors.add(field, _("Enter a whole number."))
        return None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        errors.add(field, _("Enter a whole number."))
        return None
    if number < minimum or number > maximum:
        errors.add(field, _("Enter a number from %(min)s to %(max)s.") % {"min": minimum, "max": maximum})
        return None
    return number


def boolean(value: Any, field: str, errors: ErrorCollector) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "1", "yes", "on", "ja"}:
        return True
    if isinstance(value, str) and value.strip().lower() in {"false", "0", "no", "off", "nein", ""}:
        return False
    errors.add(field, _("Enter yes or no."))
    return None


def unknown_fields(data: Any, allowed: Iterable[str]) -> None:
    from django.core.exceptions import ValidationError

    if not isinstance(data, dict):
        raise ValidationError(_("The data must be a mapping of fields."))
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValidationError({str(name): [_("Unknown field.")] for name in sorted(unknown, key=str)})


# History ------------------------------------------------------------------------------------------


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def series_state(series: EventSeries) -> dict[str, Any]:
    return {
        "title": series.title,
        "slug": series.slug,
        "description": series.description,
        "lab": series.lab.slug if series.lab_id and series.lab else None,
        "is_public": series.is_public,
        "organisers": sorted(series.organisers.values_list("slug", flat=True)),
    }


EVENT_TEXT_FIELDS = (
    "title",
    "slug",
    "description",
    "venue_name",
    "street",
    "postcode",
    "city",
    "accessibility_notes",
    "format",
    "online_url",
    "agenda",
    "visibility",
    "status",
    "minutes",
    "results",
)
EVENT_NUMBER_FIELDS = (
    "capacity",
    "reserved_seats",
    "change_cutoff_hours",
    "offer_hours",
    "confirmation_hours",
)
EVENT_TIME_FIELDS = ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at")


def event_state(event: Event) -> dict[str, Any]:
    """What the history stores about an event: its fields, links and questions."""
    state: dict[str, Any] = {field: getattr(event, field) for field in EVENT_TEXT_FIELDS}
    state.update({field: getattr(event, field) for field in EVENT_NUMBER_FIELDS})
    state.update({field: _iso(getattr(event, field)) for field in EVENT_TIME_FIELDS})
    state["reminder_offsets"] = list(event.reminder_offsets or [])
    state["series"] = event.series.slug if event.series_id and event.series else None
    state["lab"] = event.lab.slug if event.lab_id and event.lab else None
    state["host"] = event.host.slug if event.host_id and event.host else None
    state["organisers"] = sorted(event.organisers.values_list("slug", flat=True))
    state["measures"] = sorted(
        f"{lab}/{slug}" for lab, slug in event.measures.values_list("lab__slug", "slug")
    )
    state["questions"] = [
        {
            "id": question.pk,
            "label": question.label,
            "help_text": question.help_text,
            "kind": question.kind,
            "choices": list(question.choices or []),
            "required": question.required,
        }
        for question in event.questions.all()
    ]
    return state


def record(obj: Event | EventSeries, user: Any, action: str) -> None:
    """A version of the series' or event's new state; a change that changed nothing records nothing."""
    state = event_state(obj) if isinstance(obj, Event) else series_state(obj)
    if action in (Version.Action.CREATED, Version.Action.DELETED):
        record_version(obj=obj, user=user, action=action, data=state, revision=obj.revision)
        return
    if record_version(obj=obj, user=user, action=action, data=state, revision=obj.revision + 1):
        obj.revision += 1
        obj.save(update_fields=["revision", "updated_at"])
