"""Checking and applying an event's input (see ``services.events`` for the fields); no writes."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_slug
from django.utils import timezone
from django.utils.translation import gettext as _

from reallabor.core.text import german_slugify
from reallabor.core.validation import ErrorCollector
from reallabor.events import permissions
from reallabor.events.models import Event, EventSeries
from reallabor.events.services.common import RESERVED_SLUGS, moment, text, whole_number
from reallabor.events.services.questions import clean_questions
from reallabor.labs.models import Lab, Measure
from reallabor.organisations.models import Organisation

TEXTS: dict[str, tuple[int, str]] = {
    "title": (200, "title"),
    "description": (50_000, "description"),
    "venue_name": (200, "venue"),
    "street": (200, "street"),
    "postcode": (10, "postcode"),
    "city": (100, "city"),
    "accessibility_notes": (5_000, "accessibility"),
    "agenda": (50_000, "agenda"),
    "minutes": (100_000, "minutes"),
    "results": (50_000, "results"),
}
NUMBERS: dict[str, tuple[int, int, bool]] = {  # minimum, maximum, None allowed
    "capacity": (1, 100_000, True),
    "reserved_seats": (0, 100_000, False),
    "change_cutoff_hours": (0, 24 * 30, False),
    "offer_hours": (1, 24 * 14, False),
    "confirmation_hours": (1, 24 * 30, False),
}
TIMES = ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at")
LINKS = ("series", "host", "lab", "measures", "organisers", "questions")
FIELDS = (*TEXTS, *NUMBERS, *TIMES, *LINKS, "slug", "format", "online_url", "visibility", "reminder_offsets")
POSTCODE = re.compile(r"^\d{5}$")
MAX_REMINDERS = 5
MAX_REMINDER_MINUTES = 60 * 24 * 60  # sixty days


def _organisation(value: Any, field: str, errors: ErrorCollector) -> Organisation | None:
    if value in (None, ""):
        return None
    if isinstance(value, Organisation):
        return value
    found = (
        Organisation.objects.filter(slug=str(value).strip()[:220]).first() if isinstance(value, str) else None
    )
    if found is None:
        errors.add(field, _("There is no organisation “%(value)s”.") % {"value": str(value)[:100]})
    return found


def organisations_from(values: Any, field: str, errors: ErrorCollector) -> list[Organisation]:
    if values in (None, ""):
        return []
    if not isinstance(values, list | tuple | set):
        errors.add(field, _("Give the organisations as a list."))
        return []
    found = [_organisation(value, field, errors) for value in list(values)[:100]]
    return list(dict.fromkeys(organisation for organisation in found if organisation is not None))


def _series(value: Any, user: Any, errors: ErrorCollector) -> EventSeries | None:
    if value in (None, ""):
        return None
    series = value if isinstance(value, EventSeries) else None
    if series is None and isinstance(value, str):
        series = EventSeries.objects.filter(slug=value.strip()[:120]).first()
    if series is None:
        errors.add("series", _("There is no series “%(value)s”.") % {"value": str(value)[:100]})
    elif not permissions.can_manage_series(user, series):
        errors.add("series", _("You may not add events to the series “%(title)s”.") % {"title": series.title})
    return series


def _lab(value: Any, user: Any, errors: ErrorCollector) -> Lab | None:
    if value in (None, ""):
        if not permissions.can_create_event(user, None):
            errors.add("lab", _("Choose one of your labs."))
        return None
    lab = value if isinstance(value, Lab) else None
    if lab is None and isinstance(value, str):
        lab = Lab.objects.filter(slug=value.strip()[:100]).first()
    if lab is None:
        errors.add("lab", _("There is no lab “%(value)s”.") % {"value": str(value)[:100]})
    elif not permissions.can_create_event(user, lab):
        errors.add("lab", _("You may not create events for the lab “%(lab)s”.") % {"lab": lab.name})
    return lab


def _measures(values: Any, lab: Lab | None, errors: ErrorCollector) -> list[Measure]:
    if values in (None, ""):
        return []
    if not isinstance(values, list | tuple | set):
        errors.add("measures", _("Give the measures as a list."))
        return []
    if lab is None:
        errors.add("measures", _("Choose the lab first: the measures are the lab's."))
        return []
    measures: list[Measure] = []
    for value in list(values)[:100]:
        if isinstance(value, Measure):
            found: Measure | None = value if value.lab_id == lab.pk else None
        elif isinstance(value, int) and not isinstance(value, bool):
            found = Measure.objects.filter(lab=lab, pk=value).first()
        elif isinstance(value, str):
            found = Measure.objects.filter(lab=lab, slug=value.strip()[:100]).first()
        else:
            found = None
        if found is None:
            errors.add(
                "measures",
                _("“%(value)s” is not a measure of the lab “%(lab)s”.")
                % {"value": str(value)[:100], "lab": lab.name},
            )
        elif found not in measures:
            measures.append(found)
    return measures


def _reminders(value: Any, errors: ErrorCollector) -> list[int]:
    if value in (None, ""):
        return []
    if not isinstance(value, list | tuple):
        errors.add("reminder_offsets", _("Give the reminders as a list of minutes before the start."))
        return []
    if len(value) > MAX_REMINDERS:
        errors.add("reminder_offsets", _("At most %(max)s reminders.") % {"max": MAX_REMINDERS})
        return []
    offsets = [
        whole_number(item, "reminder_offsets", errors, minimum=1, maximum=MAX_REMINDER_MINUTES)
        for item in value
    ]
    return sorted({offset for offset in offsets if offset is not None}, reverse=True)


def _slug(event: Event, value: Any, errors: ErrorCollector) -> None:
    if value not in (None, ""):
        slug = str(value).strip().lower()[:120]
        try:
            validate_slug(slug)
        except ValidationError:
            errors.add("slug", _("Use only letters, digits and hyphens."))
            return
        event.slug = slug
    elif not event.slug and event.title and event.starts_at:
        base = f"{german_slugify(event.title)[:100] or 'veranstaltung'}-{timezone.localdate(event.starts_at).isoformat()}"
        taken = (
            set(Event.objects.filter(slug__startswith=base).values_list("slug", flat=True)) | RESERVED_SLUGS
        )
        slug, number = base, 2
        while slug in taken:
            slug, number = f"{base}-{number}", number + 1
        event.slug = slug
    if not event.slug:
        return
    if event.slug in RESERVED_SLUGS:
        errors.add("slug", _("“%(slug)s” is reserved; choose another short name.") % {"slug": event.slug})
    elif Event.objects.filter(slug=event.slug).exclude(pk=event.pk).exists():
        errors.add("slug", _("The short name “%(slug)s” is already used.") % {"slug": event.slug})


def _check_whole(event: Event, errors: ErrorCollector) -> None:
    """Rules across fields (each reported on the field to correct)."""
    if not event.title and "title" not in errors.errors:
        errors.add("title", _("Enter the title."))
    for field in ("starts_at", "ends_at"):
        if getattr(event, field) is None and field not in errors.errors:
            errors.add(field, _("Give the date and time."))
    if event.starts_at and event.ends_at and event.ends_at < event.starts_at:
        errors.add("ends_at", _("The end must not be before the start."))
    opens, closes = event.registration_opens_at, event.registration_closes_at
    if opens and closes and closes <= opens:
        errors.add("registration_closes_at", _("Registration must close after it opens."))
    if closes and event.ends_at and closes > event.ends_at:
        errors.add("registration_closes_at", _("Registration must close by the end of the event."))
    if event.postcode and not POSTCODE.match(event.postcode):
        errors.add("postcode", _("Enter a German postcode of five digits, such as 46236."))
    if event.format not in Event.Format.values:
        errors.add("format", _("Choose in person, online or hybrid."))
    elif (
        event.format != Event.Format.IN_PERSON and not event.online_url and "online_url" not in errors.errors
    ):
        errors.add("online_url", _("Give the link for taking part online."))
    if event.visibility not in Event.Visibility.values:
        errors.add("visibility", _("Choose public or by invitation."))
    if event.capacity is None and event.reserved_seats:
        errors.add("reserved_seats", _("Seats for organisers need a capacity."))
    elif event.capacity is not None and event.reserved_seats > event.capacity:
        errors.add("reserved_seats", _("There cannot be more seats for organisers than the capacity."))


def apply_event(event: Event, data: dict[str, Any], user: Any, errors: ErrorCollector) -> dict[str, Any]:
    """Set the fields given on ``event``; returns the many-to-many links and questions to save."""
    for field, (limit, label) in TEXTS.items():
        if field in data:
            setattr(
                event,
                field,
                text(data[field], field, errors, limit=limit, required=field == "title", label=_(label)),
            )
    for field, (minimum, maximum, allow_none) in NUMBERS.items():
        if field in data:
            value = whole_number(
                data[field], field, errors, minimum=minimum, maximum=maximum, allow_none=allow_none
            )
            if value is not None or allow_none:
                setattr(event, field, value)
    for field in TIMES:
        if field in data:
            setattr(
                event, field, moment(data[field], field, errors, required=field in ("starts_at", "ends_at"))
            )
    for field in ("format", "visibility"):
        if field in data:
            setattr(event, field, str(data[field] or ""))
    if "online_url" in data:
        url = text(data["online_url"], "online_url", errors, limit=500)
        try:
            if url:
                URLValidator(schemes=["https", "http"])(url)
            event.online_url = url
        except ValidationError:
            errors.add(
                "online_url", _("Enter a complete web address, such as https://meet.example.org/raum.")
            )
    if "reminder_offsets" in data:
        event.reminder_offsets = _reminders(data["reminder_offsets"], errors)
    if "series" in data:
        event.series = _series(data["series"], user, errors)
    if "host" in data:
        event.host = _organisation(data["host"], "host", errors)
    if "lab" in data or event.pk is None:
        event.lab = _lab(data.get("lab"), user, errors)
    links: dict[str, Any] = {}
    if "measures" in data:
        links["measures"] = _measures(data["measures"], event.lab, errors)
    elif "lab" in data and event.pk is not None:
        links["measures"] = [
            m for m in event.measures.all() if event.lab is not None and m.lab_id == event.lab.pk
        ]
    if "organisers" in data:
        links["organisers"] = organisations_from(data["organisers"], "organisers", errors)
    if "questions" in data:
        questions = clean_questions(event, data["questions"], errors)
        if questions is not None:
            links["questions"] = questions
    _check_whole(event, errors)
    _slug(event, data.get("slug"), errors)
    return links
