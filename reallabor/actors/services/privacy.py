"""Data protection: the audit trail of personal data (and, from the privacy area, export,
erasure, anonymisation and the retention rule)."""

from __future__ import annotations

from typing import Any

from reallabor.actors.models import Person, PersonalDataAccess


def log_access(*, user: Any, person: Person | None, action: str, detail: str = "") -> PersonalDataAccess:
    """Record that ``user`` viewed, exported, anonymised or erased a person's data (or a list)."""
    return PersonalDataAccess.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action,
        person=person,
        person_uuid=person.uuid if person is not None else None,
        detail=detail[:500],
    )
