"""Typed, time-bounded relationships between two organisations or between two people.

A relationship has a direction (the source “is member of” the target); “is partner of” and
“knows” read the same both ways, so their duplicates are also looked for the other way round.
The office keeps them; readers and partners see those between organisations they can see
(``visible_relationships``), people's relationships are for the office only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from reallabor.actors import permissions
from reallabor.actors.models import Person, Relationship
from reallabor.core.validation import ErrorCollector
from reallabor.organisations.models import Organisation
from reallabor.organisations.permissions import can_see_internal_organisation_data

SYMMETRIC_KINDS = frozenset({Relationship.Kind.PARTNER_OF, Relationship.Kind.KNOWS})
CHANGEABLE = ("kind", "start_date", "end_date", "note")

Actor = Organisation | Person


def visible_relationships(user: Any) -> QuerySet[Relationship]:
    """The relationships ``user`` may see: all for the office; for readers and partners those
    between two organisations they can see; none for anybody else."""
    queryset = Relationship.objects.all()
    if permissions.can_see_personal_data(user):
        return queryset
    if not can_see_internal_organisation_data(user):
        return queryset.none()
    organisations = Organisation.objects.visible_to(user).values("pk")
    return queryset.filter(
        source_person__isnull=True,
        source_organisation__in=organisations,
        target_organisation__in=organisations,
    )


def relationships_of(actor: Actor, queryset: QuerySet[Relationship] | None = None) -> QuerySet[Relationship]:
    """The relationships in which ``actor`` is the source or the target."""
    queryset = Relationship.objects.all() if queryset is None else queryset
    if isinstance(actor, Organisation):
        return queryset.filter(Q(source_organisation=actor) | Q(target_organisation=actor))
    return queryset.filter(Q(source_person=actor) | Q(target_person=actor))


def _require_manager(user: Any) -> None:
    if not permissions.can_manage_people(user):
        raise PermissionDenied(
            _("Only the office's staff (administrators and lab coordinators) manage relationships.")
        )


def _date(value: Any, field: str, errors: ErrorCollector) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    errors.add(field, _("Enter a date such as 2024-03-01."))
    return None


def _overlap(a_start: Any, a_end: Any, b_start: Any, b_end: Any) -> bool:
    return (a_start is None or b_end is None or a_start <= b_end) and (
        b_start is None or a_end is None or b_start <= a_end
    )


def _apply(relationship: Relationship, data: Mapping[str, Any], errors: ErrorCollector) -> None:
    for field in sorted(set(data) - set(CHANGEABLE)):
        errors.add(field, _("Unknown field."))
    if "kind" in data:
        if data["kind"] not in Relationship.Kind.values:
            errors.add(
                "kind",
                _("Unknown kind “%(value)s”. Allowed: %(allowed)s.")
                % {"value": str(data["kind"])[:50], "allowed": ", ".join(Relationship.Kind.values)},
            )
        else:
            relationship.kind = data["kind"]
    for field in ("start_date", "end_date"):
        if field in data:
            setattr(relationship, field, _date(data[field], field, errors))
    if "note" in data:
        note = data["note"] if data["note"] is not None else ""
        if not isinstance(note, str):
            errors.add("note", _("Enter text."))
        elif len(note.strip()) > 500:
            errors.add("note", _("Use at most 500 characters."))
        elif "\x00" in note:
            errors.add("note", _("The text contains a character that is not allowed."))
        else:
            relationship.note = note.strip()
    if (
        relationship.start_date
        and relationship.end_date
        and relationship.end_date < relationship.start_date
        and "end_date" not in errors.errors
    ):
        errors.add("end_date", _("The end must not be before the start."))


def _check_duplicate(relationship: Relationship) -> None:
    """No second relationship of the same kind between the same pair for an overlapping period."""
    if relationship.between_people:
        pair = Q(
            source_person_id=relationship.source_person_id, target_person_id=relationship.target_person_id
        )
        reverse = Q(
            source_person_id=relationship.target_person_id, target_person_id=relationship.source_person_id
        )
    else:
        pair = Q(
            source_organisation_id=relationship.source_organisation_id,
            target_organisation_id=relationship.target_organisation_id,
        )
        reverse = Q(
            source_organisation_id=relationship.target_organisation_id,
            target_organisation_id=relationship.source_organisation_id,
        )
    if relationship.kind in SYMMETRIC_KINDS:
        pair |= reverse
    candidates = Relationship.objects.filter(pair, kind=relationship.kind).exclude(pk=relationship.pk)
    for other in candidates:
        if _overlap(relationship.start_date, relationship.end_date, other.start_date, other.end_date):
            raise ValidationError(
                {
                    "target": _(
                        "This relationship (“%(relationship)s”) is already recorded for (part of) this "
                        "period."
                    )
                    % {"relationship": str(other)}
                }
            )


def _check_actor(user: Any, actor: Any, field: str, errors: ErrorCollector) -> None:
    if isinstance(actor, Organisation):
        if not Organisation.objects.visible_to(user).filter(pk=actor.pk).exists():
            errors.add(field, _("There is no organisation “%(slug)s”.") % {"slug": actor.slug})
    elif isinstance(actor, Person):
        if actor.anonymised_at is not None:
            errors.add(field, _("This person was anonymised and cannot be linked any more."))
    elif actor is None:
        errors.add(field, _("Choose an organisation or a person."))
    else:
        errors.add(field, _("Choose an organisation or a person."))


@transaction.atomic
def create_relationship(
    *,
    user: Any,
    source: Actor | None,
    target: Actor | None,
    kind: str,
    start_date: dt.date | str | None = None,
    end_date: dt.date | str | None = None,
    note: str = "",
) -> Relationship:
    """``source`` “kind” ``target``: two organisations or two people, never one and the same."""
    _require_manager(user)
    errors = ErrorCollector()
    _check_actor(user, source, "source", errors)
    _check_actor(user, target, "target", errors)
    if not errors:
        if type(source) is not type(target):
            errors.add(
                "target",
                _(
                    "A relationship links two organisations or two people, not an organisation and a "
                    "person. A person's role at an organisation is recorded as their affiliation."
                ),
            )
        elif source is not None and target is not None and source.pk == target.pk:
            errors.add(
                "target",
                _("“%(name)s” cannot have a relationship with itself; choose another one.")
                % {"name": str(source)},
            )
    relationship = Relationship(created_by=user if getattr(user, "is_authenticated", False) else None)
    if not errors:
        if isinstance(source, Organisation):
            relationship.source_organisation = source
            relationship.target_organisation = target  # type: ignore[assignment]
        else:
            relationship.source_person = source
            relationship.target_person = target  # type: ignore[assignment]
    _apply(relationship, {"kind": kind, "start_date": start_date, "end_date": end_date, "note": note}, errors)
    errors.raise_if_any()
    _check_duplicate(relationship)
    relationship.save()
    return relationship


@transaction.atomic
def update_relationship(*, user: Any, relationship: Relationship, data: Mapping[str, Any]) -> Relationship:
    """Change the kind, the dates or the note (the two sides stay: delete and add for others)."""
    _require_manager(user)
    relationship = Relationship.objects.select_for_update().get(pk=relationship.pk)
    errors = ErrorCollector()
    _apply(relationship, data, errors)
    errors.raise_if_any()
    _check_duplicate(relationship)
    relationship.save()
    return relationship


@transaction.atomic
def delete_relationship(*, user: Any, relationship: Relationship) -> None:
    _require_manager(user)
    Relationship.objects.filter(pk=relationship.pk).delete()
