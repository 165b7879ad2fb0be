"""Constants and small helpers shared by the lab and measure services."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from reallabor.core.text import german_slugify as slugify
from reallabor.core.validation import ErrorCollector
from reallabor.organisations.models import Organisation

LAB_FIELDS = ("name", "summary", "background", "outlook", "phase", "funding_start", "funding_end", "position")
MEASURE_FIELDS = ("title", "summary", "status", "start", "end")
# Path words under /labore/ that a lab's short name must not shadow: /labore/neu/ creates a lab,
# /labore/importieren/ imports a blueprint.
RESERVED_LAB_SLUGS = frozenset({"neu", "importieren", "vorschlaege"})
PROFILE_SECTIONS = ("activities", "financing", "actors", "target_groups", "results")
CENT = Decimal("0.01")
EVIDENCE_EXTENSIONS = {
    ".pdf",
    ".png",
    ".jpg",
    ".jpeg",
    ".gif",
    ".webp",
    ".docx",
    ".xlsx",
    ".pptx",
    ".odt",
    ".ods",
    ".txt",
    ".csv",
}


def _iso(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def _resolve_organisation(value: Any, path: str, errors: ErrorCollector) -> Organisation | None:
    if value in (None, ""):
        return None
    if isinstance(value, Organisation):
        return value
    lookup = {"pk": value} if isinstance(value, int) else {"slug": value}
    organisation = Organisation.objects.filter(**lookup).first()
    if organisation is None:
        errors.add(path, _("Unknown organisation “%(value)s”.") % {"value": value})
    return organisation


def _unknown_fields(data: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError({field: [_("Unknown field.")] for field in sorted(unknown)})


def _unique_slug(base: str, taken: set[str]) -> str:
    base = slugify(base)[:90] or "item"
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


def _decimal_or_none(value: Any) -> Decimal | None:
    """A validated amount as stored: in cents (``15000`` → ``15000.00``, as the database gives it back)."""
    return None if value in (None, "") else Decimal(str(value)).quantize(CENT)
