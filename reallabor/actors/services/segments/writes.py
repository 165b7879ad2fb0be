"""Writing segments: ``create_segment``, ``update_segment``, ``delete_segment`` (refused while a
mailing uses the segment), ``duplicate_segment``.

The criteria are checked by ``actors.criteria.parse_criteria`` (shape and allowed values) and
``actors.filters.check_criteria`` (codes and slugs that exist, and only labs the acting user sees:
a lab they do not see is refused as unknown); errors are named per criterion under
``criteria.<field>``.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError, QuerySet
from django.utils.translation import gettext as _

from reallabor.actors import filters, permissions
from reallabor.actors.criteria import (
    Criteria,
    CriteriaError,
    parse_criteria,
)
from reallabor.actors.models import Mailing, Segment

NAME_MAX_LENGTH = Segment._meta.get_field("name").max_length or 200
FIELDS = ("name", "description", "subject", "criteria")


def _require(user: Any) -> None:
    if not permissions.can_manage_segments(user):
        raise PermissionDenied(
            _("Only the office's staff (administrators and lab coordinators) manage segments.")
        )


def clean_criteria(raw: Any, *, user: Any) -> Criteria:
    """Criteria from a segment's data: the shape, the values and the codes, with only labs the
    user sees (``filters.check_criteria``); errors per criterion."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ValidationError(
            {"criteria": _("Give the criteria as an object of criterion names and values.")}
        )
    try:
        criteria = parse_criteria(raw)
        filters.check_criteria(criteria, user=user)
    except CriteriaError as error:
        raise ValidationError(
            {f"criteria.{field}": [message] for field, message in error.errors.items()}
        ) from error
    return criteria


def _apply(segment: Segment, data: dict[str, Any], *, user: Any, creating: bool) -> None:
    """Check the complete input and set it on ``segment`` (not saved)."""
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise ValidationError({field: [_("Unknown field.")] for field in unknown})
    errors: dict[str, list[str]] = {}
    if creating or "name" in data:
        name = data.get("name")
        name = name.strip() if isinstance(name, str) else ""
        if not name:
            errors["name"] = [_("Give the segment a name.")]
        elif len(name) > NAME_MAX_LENGTH:
            errors["name"] = [_("The name may have at most %(max)d characters.") % {"max": NAME_MAX_LENGTH}]
        else:
            clash = Segment.objects.filter(name__iexact=name).exclude(pk=segment.pk).first()
            if clash is not None:
                errors["name"] = [_("There is already a segment named “%(name)s”.") % {"name": clash.name}]
            segment.name = name
    if "description" in data:
        description = data["description"]
        if description is not None and not isinstance(description, str):
            errors["description"] = [_("Enter text.")]
        else:
            segment.description = (description or "").strip()
    if creating or "subject" in data:
        subject = data.get("subject")
        if subject not in Segment.Subject.values:
            errors["subject"] = [
                _("Choose what the segment holds: %(choices)s.")
                % {"choices": ", ".join(Segment.Subject.values)}
            ]
        else:
            segment.subject = subject
    if creating or "criteria" in data:
        try:
            segment.criteria = clean_criteria(data.get("criteria"), user=user).to_dict()
        except ValidationError as error:
            for path, messages in error.message_dict.items():
                errors.setdefault(path, []).extend(messages)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_segment(*, user: Any, data: dict[str, Any]) -> Segment:
    """A new segment: ``data`` has name, subject (organisations|people), criteria and a description."""
    _require(user)
    segment = Segment()
    _apply(segment, data, user=user, creating=True)
    segment.created_by = user if getattr(user, "is_authenticated", False) else None
    segment.save()
    return segment


@transaction.atomic
def update_segment(*, user: Any, segment: Segment, data: dict[str, Any]) -> Segment:
    """Change the fields present in ``data``; the criteria are replaced as a whole."""
    _require(user)
    segment = Segment.objects.select_for_update().get(pk=segment.pk)
    _apply(segment, data, user=user, creating=False)
    segment.save()
    return segment


def mailings_using(segment: Segment) -> QuerySet[Mailing]:
    return Mailing.objects.filter(segment=segment).order_by("-created_at")


@transaction.atomic
def delete_segment(*, user: Any, segment: Segment) -> None:
    """Delete a segment no mailing uses (a mailing keeps its segment: Mailing.segment is PROTECT)."""
    _require(user)
    used_by = list(mailings_using(segment).values_list("subject", flat=True)[:4])
    if used_by:
        raise _in_use(segment, used_by)
    try:
        segment.delete()
    except ProtectedError as error:  # a mailing was added meanwhile
        raise _in_use(segment, [str(obj) for obj in list(error.protected_objects)[:4]]) from error


def _in_use(segment: Segment, subjects: list[str]) -> ValidationError:
    shown = ", ".join(f"“{subject}”" for subject in subjects[:3]) + (" …" if len(subjects) > 3 else "")
    return ValidationError(
        _(
            "The segment “%(name)s” cannot be deleted: the mailing(s) %(mailings)s use it. "
            "Delete those mailings or choose another segment for them first."
        )
        % {"name": segment.name, "mailings": shown},
        code="in_use",
    )


def copy_name(name: str) -> str:
    """“Name (copy)”, “Name (copy 2)” … : the first that no segment has."""
    suffix = _("copy")
    base = name[: NAME_MAX_LENGTH - len(suffix) - 8]
    candidate, number = f"{base} ({suffix})", 2
    while Segment.objects.filter(name__iexact=candidate).exists():
        candidate, number = f"{base} ({suffix} {number})", number + 1
    return candidate


@transaction.atomic
def duplicate_segment(*, user: Any, segment: Segment, name: str | None = None) -> Segment:
    """A copy of ``segment`` (criteria, subject, description) under a new name."""
    _require(user)
    return create_segment(
        user=user,
        data={
            "name": name if name is not None else copy_name(segment.name),
            "description": segment.description,
            "subject": segment.subject,
            "criteria": dict(segment.criteria),
        },
    )
