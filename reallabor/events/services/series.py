"""Event series: create, edit, make public or not, and discontinue (each change recorded).

``data``: ``title`` (required), ``slug`` (generated from the title when left out),
``description`` (Markdown), ``lab`` (a Lab or its slug; None: the office's own series),
``organisers`` (Organisations or slugs), ``is_public``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_slug
from django.utils import timezone
from django.utils.translation import gettext as _

from reallabor.core.services import check_revision
from reallabor.core.text import german_slugify
from reallabor.core.validation import ErrorCollector
from reallabor.events import permissions
from reallabor.events.models import Event, EventSeries
from reallabor.events.services.common import (
    RESERVED_SLUGS,
    acting,
    atomic_with_retry,
    boolean,
    lock_event,
    record,
    text,
    unknown_fields,
)
from reallabor.events.services.events import cancel_locked_event
from reallabor.events.services.fields import organisations_from
from reallabor.history.models import Version
from reallabor.labs.models import Lab

FIELDS = ("title", "slug", "description", "lab", "organisers", "is_public")


def _lab(value: Any, user: Any, errors: ErrorCollector) -> Lab | None:
    if value in (None, ""):
        if not permissions.can_create_series(user, None):
            errors.add("lab", _("Choose one of your labs."))
        return None
    lab = value if isinstance(value, Lab) else None
    if lab is None and isinstance(value, str):
        lab = Lab.objects.filter(slug=value.strip()[:100]).first()
    if lab is None:
        errors.add("lab", _("There is no lab “%(value)s”.") % {"value": str(value)[:100]})
    elif not permissions.can_create_series(user, lab):
        errors.add("lab", _("You may not create series for the lab “%(lab)s”.") % {"lab": lab.name})
    return lab


def _apply(series: EventSeries, data: dict[str, Any], user: Any, errors: ErrorCollector) -> list[Any] | None:
    unknown_fields(data, FIELDS)
    if "title" in data:
        series.title = text(data["title"], "title", errors, limit=200, required=True, label=_("title"))
    if "description" in data:
        series.description = text(data["description"], "description", errors, limit=50_000)
    if "is_public" in data:
        series.is_public = bool(boolean(data["is_public"], "is_public", errors))
    if "lab" in data or series.pk is None:
        series.lab = _lab(data.get("lab"), user, errors)
    organisers = (
        organisations_from(data["organisers"], "organisers", errors) if "organisers" in data else None
    )
    if not series.title and "title" not in errors.errors:
        errors.add("title", _("Enter the title."))
    if data.get("slug"):
        slug = str(data["slug"]).strip().lower()[:120]
        try:
            validate_slug(slug)
            series.slug = slug
        except ValidationError:
            errors.add("slug", _("Use only letters, digits and hyphens."))
    elif not series.slug and series.title:
        base = german_slugify(series.title)[:100] or "reihe"
        taken = (
            set(EventSeries.objects.filter(slug__startswith=base).values_list("slug", flat=True))
            | RESERVED_SLUGS
        )
        slug, number = base, 2
        while slug in taken:
            slug, number = f"{base}-{number}", number + 1
        series.slug = slug
    if series.slug in RESERVED_SLUGS:
        errors.add("slug", _("“%(slug)s” is reserved; choose another short name.") % {"slug": series.slug})
    elif series.slug and EventSeries.objects.filter(slug=series.slug).exclude(pk=series.pk).exists():
        errors.add("slug", _("The short name “%(slug)s” is already used.") % {"slug": series.slug})
    return organisers


@atomic_with_retry
def create_series(*, user: Any, data: dict[str, Any]) -> EventSeries:
    if not permissions.can_create_any_event(user):
        raise PermissionDenied(_("Only the office creates event series."))
    series = EventSeries(created_by=acting(user))
    errors = ErrorCollector()
    organisers = _apply(series, data, user, errors)
    errors.raise_if_any()
    series.save()
    if organisers is not None:
        series.organisers.set(organisers)
    record(series, user, Version.Action.CREATED)
    return series


@atomic_with_retry
def update_series(
    *, user: Any, series: EventSeries, data: dict[str, Any], expected_revision: int | None = None
) -> EventSeries:
    if not permissions.can_manage_series(user, series):
        raise PermissionDenied(_("You may not edit this series."))
    series = EventSeries.objects.select_for_update().get(pk=series.pk)
    check_revision(series, expected_revision)
    errors = ErrorCollector()
    organisers = _apply(series, data, user, errors)
    errors.raise_if_any()
    series.save()
    if organisers is not None:
        series.organisers.set(organisers)
    record(series, user, Version.Action.CHANGED)
    return series


def set_series_public(*, user: Any, series: EventSeries, public: bool) -> EventSeries:
    """Show the series (and its ICS feed) in the public calendar, or not."""
    return update_series(user=user, series=series, data={"is_public": public})


@atomic_with_retry
def cancel_series(*, user: Any, series: EventSeries) -> list[Event]:
    """Discontinue the series: its events still to come are cancelled (participants are told);
    the past ones stay. Returns the events cancelled."""
    if not permissions.can_manage_series(user, series):
        raise PermissionDenied(_("You may not discontinue this series."))
    cancelled: list[Event] = []
    upcoming = series.events.filter(starts_at__gt=timezone.now()).exclude(status=Event.Status.CANCELLED)
    for event in upcoming.order_by("starts_at", "pk"):
        if not permissions.can_manage_event(user, event):
            raise PermissionDenied(
                _("You may not cancel the event “%(title)s” of this series.") % {"title": event.title}
            )
        event = lock_event(event)
        cancel_locked_event(event, user)
        cancelled.append(event)
    return cancelled
