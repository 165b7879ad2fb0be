"""Every change to labs, their members and their measures goes through these functions.

Each function takes the acting user (None = the system, e.g. the CLI), checks the permission,
validates the complete input first and writes all of it or nothing, inside one transaction,
and records the new state in the history.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from reallabor.core.cache import content_changed
from reallabor.core.services import check_revision
from reallabor.core.text import german_slugify as slugify
from reallabor.core.validation import ErrorCollector
from reallabor.history.models import Version
from reallabor.history.services import record_version
from reallabor.labs import permissions
from reallabor.labs.models import (
    Activity,
    Actor,
    Financing,
    Lab,
    LabMembership,
    LabOrganisation,
    Measure,
    Result,
    TargetGroup,
)
from reallabor.organisations.models import Organisation
from reallabor.taxonomy.models import TARGET_GROUP_FAMILY
from reallabor.taxonomy.services import (
    replace_tags,
    resolve_term,
    tag_state,
    tags_of,
    term_ref,
    validate_tags,
)

LAB_FIELDS = ("name", "summary", "background", "outlook", "phase", "funding_start", "funding_end", "position")
MEASURE_FIELDS = ("title", "summary", "status", "start", "end")
RESERVED_LAB_SLUGS = frozenset({"neu"})  # /labore/neu/ creates a lab
PROFILE_SECTIONS = ("activities", "financing", "actors", "target_groups", "results")
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


# Plain states (history, restore, API, blueprints) ------------------------------------------------


def lab_state(lab: Lab) -> dict[str, Any]:
    return {
        "name": lab.name,
        "slug": lab.slug,
        "summary": lab.summary,
        "background": lab.background,
        "outlook": lab.outlook,
        "phase": lab.phase,
        "funding_start": _iso(lab.funding_start),
        "funding_end": _iso(lab.funding_end),
        "coordinator": lab.coordinator.slug if lab.coordinator else None,
        "is_published": lab.is_published,
        "organisations": [
            {"organisation": row.organisation.slug, "role": row.role}
            for row in lab.organisations.select_related("organisation").order_by("organisation__slug")
        ],
        "members": [
            {"user": row.user.email, "role": row.role}
            for row in lab.memberships.select_related("user").order_by("user__email")
        ],
    }


def measure_state(measure: Measure) -> dict[str, Any]:
    return {
        "title": measure.title,
        "slug": measure.slug,
        "summary": measure.summary,
        "status": measure.status,
        "start": _iso(measure.start),
        "end": _iso(measure.end),
        "is_published": measure.is_published,
        "coordinators": sorted(measure.coordinators.values_list("slug", flat=True)),
        "activities": [
            {"title": row.title, "start": _iso(row.start), "end": _iso(row.end), "text": row.text}
            for row in measure.activities.all()
        ],
        "financing": [
            {
                "source_kind": row.source_kind,
                "source": row.source,
                "amount": str(row.amount) if row.amount is not None else None,
                "start": _iso(row.start),
                "end": _iso(row.end),
            }
            for row in measure.financing.all()
        ],
        "actors": [
            {
                "organisation": row.organisation.slug if row.organisation else None,
                "group_name": row.group_name,
                "role": row.role,
            }
            for row in measure.actors.select_related("organisation")
        ],
        "target_groups": [
            {"term": term_ref(row.term), "added_value": row.added_value}
            for row in measure.target_groups.select_related("term__vocabulary")
        ],
        "results": [
            {
                "date": _iso(row.date),
                "text": row.text,
                "evidence_url": row.evidence_url,
                "evidence_file": row.evidence_file.name or None,
            }
            for row in measure.results.all()
        ],
        "tags": [tag_state(tag) for tag in tags_of(measure)],
    }


# Helpers ----------------------------------------------------------------------------------------


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


def _check_upload(value: UploadedFile, path: str, errors: ErrorCollector) -> None:
    limit = settings.MAX_UPLOAD_BYTES
    if value.size is not None and value.size > limit:
        errors.add(
            path,
            _("The file “%(name)s” is %(size)s MB; at most %(limit)s MB are allowed.")
            % {"name": value.name, "size": round(value.size / 1048576, 1), "limit": round(limit / 1048576)},
        )
    suffix = PurePath(value.name or "").suffix.lower()
    if suffix not in EVIDENCE_EXTENSIONS:
        errors.add(
            path,
            _("Files of type “%(suffix)s” are not accepted; use one of %(allowed)s.")
            % {"suffix": suffix or "?", "allowed": ", ".join(sorted(EVIDENCE_EXTENSIONS))},
        )


def _is_own_evidence(measure: Measure, name: Any) -> bool:
    """A stored file name that belongs to this measure (see ``evidence_upload_to``)."""
    name = getattr(name, "name", name)
    return (
        isinstance(name, str)
        and measure.pk is not None
        and name.startswith(f"evidence/{measure.pk}/")
        and ".." not in PurePath(name).parts
    )


def _build_rows(
    measure: Measure, section: str, rows: list[dict[str, Any]], errors: ErrorCollector
) -> list[Any]:
    """Unsaved, validated child records of one profile section."""
    built: list[Any] = []
    if not isinstance(rows, list):
        errors.add(section, _("Expected a list."))
        return built
    for index, raw in enumerate(rows):
        path = f"{section}[{index}]"
        row = dict(raw)
        row_obj: Any
        if section == "activities":
            row_obj = Activity(
                measure=measure,
                position=index,
                title=row.get("title") or "",
                start=row.get("start"),
                end=row.get("end"),
                text=row.get("text") or "",
            )
        elif section == "financing":
            amount = row.get("amount")
            row_obj = Financing(
                measure=measure,
                position=index,
                source_kind=row.get("source_kind") or "programme",
                source=row.get("source") or "",
                amount=None if amount in ("", None) else amount,
                start=row.get("start"),
                end=row.get("end"),
            )
        elif section == "actors":
            organisation = _resolve_organisation(row.get("organisation"), f"{path}.organisation", errors)
            group_name = row.get("group_name") or ""
            if organisation is None and not group_name and not errors.errors.get(f"{path}.organisation"):
                errors.add(path, _("Name an organisation or a group."))
            if organisation is not None and group_name:
                errors.add(path, _("Name either an organisation or a group, not both."))
            row_obj = Actor(
                measure=measure,
                position=index,
                organisation=organisation,
                group_name="" if organisation else group_name,
                role=row.get("role") or "",
            )
        elif section == "target_groups":
            try:
                term = resolve_term(row.get("term"), family=TARGET_GROUP_FAMILY)
            except ValidationError as error:
                errors.add_validation_error(error, f"{path}.term")
                continue
            row_obj = TargetGroup(
                measure=measure, position=index, term=term, added_value=row.get("added_value") or ""
            )
        else:  # results
            evidence = row.get("evidence_file")
            if isinstance(evidence, UploadedFile):
                _check_upload(evidence, f"{path}.evidence_file", errors)
            elif evidence and not _is_own_evidence(measure, evidence):
                # A stored file is kept by its name; the name must not reach another measure's file
                # (the download only checks that the measure holding the row is visible).
                errors.add(
                    f"{path}.evidence_file", _("Upload the file; only this measure's own files can be kept.")
                )
                evidence = None
            row_obj = Result(
                measure=measure,
                position=index,
                date=row.get("date"),
                text=row.get("text") or "",
                evidence_url=row.get("evidence_url") or "",
                evidence_file=evidence or "",
            )
        errors.clean(row_obj, path, exclude=["measure", "organisation", "term", "evidence_file"])
        built.append(row_obj)
    if section == "target_groups":
        seen: set[int] = set()
        for index, row_obj in enumerate(built):
            if row_obj.term_id in seen:
                errors.add(f"{section}[{index}].term", _("This target group is listed twice."))
            seen.add(row_obj.term_id)
    return built


def _decimal_or_none(value: Any) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


# Labs -------------------------------------------------------------------------------------------


def _apply_lab(lab: Lab, data: dict[str, Any]) -> ErrorCollector:
    _unknown_fields(data, {*LAB_FIELDS, "slug", "coordinator", "is_published"})
    errors = ErrorCollector()
    for field in LAB_FIELDS:
        if field in data:
            value = data[field]
            setattr(
                lab, field, ("" if value is None and field in ("summary", "background", "outlook") else value)
            )
    if "coordinator" in data:
        lab.coordinator = _resolve_organisation(data["coordinator"], "coordinator", errors)
    if data.get("slug"):
        lab.slug = data["slug"]
    if not lab.slug and lab.name:
        lab.slug = _unique_slug(lab.name, {*Lab.objects.values_list("slug", flat=True), *RESERVED_LAB_SLUGS})
    # Without a name there is no slug to generate: only the name is reported then.
    errors.clean(lab, exclude=["coordinator"] if lab.slug else ["coordinator", "slug"])
    clash = Lab.objects.filter(slug=lab.slug).exclude(pk=lab.pk).first()
    if clash:
        errors.add(
            "slug",
            _("The short name “%(slug)s” is already used by the lab “%(name)s”.")
            % {"slug": lab.slug, "name": clash.name},
        )
    elif lab.slug in RESERVED_LAB_SLUGS:
        errors.add("slug", _("“%(slug)s” is reserved; choose another short name.") % {"slug": lab.slug})
    return errors


def _record_lab(lab: Lab, user: Any, action: str) -> None:
    version = record_version(
        obj=lab, user=user, action=action, data=lab_state(lab), revision=lab.revision + 1
    )
    if version and action != Version.Action.CREATED:
        lab.revision += 1
        lab.save(update_fields=["revision", "updated_at"])


@transaction.atomic
def create_lab(*, user: Any, data: dict[str, Any]) -> Lab:
    if not permissions.can_create_lab(user):
        raise PermissionDenied(_("Only administrators may create labs."))
    lab = Lab(is_published=bool(data.get("is_published", False)))
    errors = _apply_lab(lab, data)
    errors.raise_if_any()
    if "position" not in data:
        lab.position = (Lab.objects.aggregate(m=Max("position"))["m"] or 0) + 1
    lab.save()
    record_version(
        obj=lab, user=user, action=Version.Action.CREATED, data=lab_state(lab), revision=lab.revision
    )
    return lab


@transaction.atomic
def update_lab(*, user: Any, lab: Lab, data: dict[str, Any], expected_revision: int | None = None) -> Lab:
    if not permissions.can_edit_lab(user, lab):
        raise PermissionDenied(_("You may not edit this lab."))
    lab = Lab.objects.select_for_update().get(pk=lab.pk)
    check_revision(lab, expected_revision)
    if "is_published" in data:
        lab.is_published = bool(data["is_published"])
    errors = _apply_lab(lab, data)
    errors.raise_if_any()
    lab.save()
    _record_lab(lab, user, Version.Action.CHANGED)
    return lab


def set_lab_published(*, user: Any, lab: Lab, published: bool) -> Lab:
    if not permissions.can_publish_lab(user, lab):
        raise PermissionDenied(_("You may not publish or unpublish this lab."))
    return update_lab(user=user, lab=lab, data={"is_published": published})


@transaction.atomic
def delete_lab(*, user: Any, lab: Lab) -> None:
    if not permissions.can_delete_lab(user, lab):
        raise PermissionDenied(_("Only administrators may delete labs."))
    lab = Lab.objects.select_for_update().get(pk=lab.pk)  # record the stored state, not a stale copy
    for measure in lab.measures.all():
        record_version(
            obj=measure,
            user=user,
            action=Version.Action.DELETED,
            data=measure_state(measure),
            revision=measure.revision,
        )
    record_version(
        obj=lab, user=user, action=Version.Action.DELETED, data=lab_state(lab), revision=lab.revision
    )
    lab.delete()


@transaction.atomic
def set_lab_member(*, user: Any, lab: Lab, member: Any, role: str) -> LabMembership:
    """Add a user to the lab, or change their role there."""
    if not permissions.can_manage_lab_members(user, lab):
        raise PermissionDenied(_("You may not manage the members of this lab."))
    if role not in LabMembership.Role.values:
        raise ValidationError({"role": [_("Choose coordinator or partner.")]})
    if role == LabMembership.Role.COORDINATOR and not permissions.is_admin(user):
        raise PermissionDenied(_("Only administrators may appoint lab coordinators."))
    membership, _created = LabMembership.objects.update_or_create(
        lab=lab, user=member, defaults={"role": role}
    )
    _record_lab(lab, user, Version.Action.CHANGED)
    return membership


@transaction.atomic
def remove_lab_member(*, user: Any, lab: Lab, member: Any) -> None:
    if not permissions.can_manage_lab_members(user, lab):
        raise PermissionDenied(_("You may not manage the members of this lab."))
    membership = LabMembership.objects.filter(lab=lab, user=member).first()
    if membership is None:
        return
    if membership.role == LabMembership.Role.COORDINATOR and not permissions.is_admin(user):
        raise PermissionDenied(_("Only administrators may remove lab coordinators."))
    membership.delete()
    _record_lab(lab, user, Version.Action.CHANGED)


@transaction.atomic
def set_lab_organisation(*, user: Any, lab: Lab, organisation: Organisation, role: str) -> LabOrganisation:
    if not permissions.can_manage_lab_members(user, lab):
        raise PermissionDenied(_("You may not manage the members of this lab."))
    if role not in LabOrganisation.Role.values:
        raise ValidationError({"role": [_("Unknown role.")]})
    row, _created = LabOrganisation.objects.update_or_create(
        lab=lab, organisation=organisation, defaults={"role": role}
    )
    _record_lab(lab, user, Version.Action.CHANGED)
    return row


@transaction.atomic
def remove_lab_organisation(*, user: Any, lab: Lab, organisation: Organisation) -> None:
    if not permissions.can_manage_lab_members(user, lab):
        raise PermissionDenied(_("You may not manage the members of this lab."))
    LabOrganisation.objects.filter(lab=lab, organisation=organisation).delete()
    _record_lab(lab, user, Version.Action.CHANGED)


# Measures ---------------------------------------------------------------------------------------

MEASURE_INPUT = {*MEASURE_FIELDS, "slug", "is_published", "coordinators", "tags", *PROFILE_SECTIONS}


def _write_measure(measure: Measure, data: dict[str, Any], *, creating: bool) -> None:
    """Validate all of ``data`` against ``measure``, then write it (or raise, having written nothing)."""
    _unknown_fields(data, MEASURE_INPUT)
    errors = ErrorCollector()
    for field in MEASURE_FIELDS:
        if field in data:
            value = data[field]
            setattr(measure, field, "" if value is None and field == "summary" else value)
    if "is_published" in data:
        measure.is_published = bool(data["is_published"])
    taken = set(Measure.objects.filter(lab=measure.lab).exclude(pk=measure.pk).values_list("slug", flat=True))
    if data.get("slug"):
        measure.slug = data["slug"]
        if measure.slug in taken:
            errors.add(
                "slug",
                _("The short name “%(slug)s” is already used by another measure of this lab.")
                % {"slug": measure.slug},
            )
    elif not measure.slug and measure.title:
        measure.slug = _unique_slug(measure.title, taken)
    errors.clean(
        measure, exclude=["lab", "coordinators"] if measure.slug else ["lab", "coordinators", "slug"]
    )

    coordinators: list[Organisation] | None = None
    if "coordinators" in data:
        coordinators = []
        for index, value in enumerate(data["coordinators"] or []):
            organisation = _resolve_organisation(value, f"coordinators[{index}]", errors)
            if organisation is not None:
                coordinators.append(organisation)
    sections = {
        section: _build_rows(measure, section, data[section] or [], errors)
        for section in PROFILE_SECTIONS
        if section in data
    }
    tags = None
    if "tags" in data:
        try:
            tags = validate_tags(measure, list(data["tags"] or []))
        except ValidationError as error:
            errors.add_validation_error(error)
    errors.raise_if_any()

    if creating:
        measure.position = (
            Measure.objects.filter(lab=measure.lab).aggregate(m=Max("position"))["m"] or 0
        ) + 1
    measure.save()
    if coordinators is not None:
        measure.coordinators.set(coordinators)
    for section, rows in sections.items():
        getattr(measure, section).all().delete()
        for row in rows:
            row.measure = measure
            if section == "financing":
                row.amount = _decimal_or_none(row.amount)
            row.save()
    if tags is not None:
        replace_tags(measure, tags)


def _record_measure(measure: Measure, user: Any, action: str, comment: str = "") -> None:
    version = record_version(
        obj=measure,
        user=user,
        action=action,
        data=measure_state(measure),
        revision=measure.revision + (0 if action == Version.Action.CREATED else 1),
        comment=comment,
    )
    if version and action != Version.Action.CREATED:
        measure.revision += 1
        measure.save(update_fields=["revision", "updated_at"])


@transaction.atomic
def create_measure(*, user: Any, lab: Lab, data: dict[str, Any]) -> Measure:
    if not permissions.can_create_measure(user, lab):
        raise PermissionDenied(_("You may not add measures to this lab."))
    measure = Measure(lab=lab)
    _write_measure(measure, data, creating=True)
    _record_measure(measure, user, Version.Action.CREATED)
    return measure


@transaction.atomic
def update_measure(
    *,
    user: Any,
    measure: Measure,
    data: dict[str, Any],
    expected_revision: int | None = None,
    action: str = Version.Action.CHANGED,
    comment: str = "",
) -> Measure:
    """Change any part of a measure; profile sections and tags given are replaced as a whole."""
    if not permissions.can_edit_measure(user, measure):
        raise PermissionDenied(_("You may not edit this measure."))
    measure = Measure.objects.select_for_update().select_related("lab").get(pk=measure.pk)
    check_revision(measure, expected_revision)
    changes_publication = "is_published" in data and bool(data["is_published"]) != measure.is_published
    if changes_publication and not permissions.can_publish_measure(user, measure):
        raise PermissionDenied(_("Only the lab's coordinators may publish or unpublish its measures."))
    _write_measure(measure, data, creating=False)
    _record_measure(measure, user, action, comment)
    return measure


def set_measure_published(*, user: Any, measure: Measure, published: bool) -> Measure:
    if not permissions.can_publish_measure(user, measure):
        raise PermissionDenied(_("Only the lab's coordinators may publish or unpublish its measures."))
    return update_measure(user=user, measure=measure, data={"is_published": published})


def restore_measure(*, user: Any, measure: Measure, version: Version) -> Measure:
    """Bring back the state of an earlier version; the restore itself becomes a new version."""
    if not permissions.can_restore_measure(user, measure):
        raise PermissionDenied(_("You may not restore this measure."))
    if version.object_id != measure.pk or version.content_type.model_class() is not Measure:
        raise ValidationError(_("This version does not belong to this measure."), code="wrong_version")
    data = dict(version.data)
    if not permissions.can_publish_measure(user, measure):
        data.pop("is_published", None)
    return update_measure(
        user=user,
        measure=measure,
        data=data,
        action=Version.Action.RESTORED,
        comment=_("restored revision %(revision)s") % {"revision": version.revision},
    )


@transaction.atomic
def delete_measure(*, user: Any, measure: Measure) -> None:
    if not permissions.can_delete_measure(user, measure):
        raise PermissionDenied(_("You may not delete this measure."))
    measure = Measure.objects.select_for_update().get(pk=measure.pk)  # the stored state, not a stale copy
    record_version(
        obj=measure,
        user=user,
        action=Version.Action.DELETED,
        data=measure_state(measure),
        revision=measure.revision,
    )
    measure.delete()


@transaction.atomic
def reorder_measures(*, user: Any, lab: Lab, order: list[int]) -> None:
    """Set the order of the lab's measures from a list of their ids (all of them, each once)."""
    if not permissions.can_reorder_measures(user, lab):
        raise PermissionDenied(_("You may not reorder the measures of this lab."))
    ids = list(Measure.objects.filter(lab=lab).values_list("pk", flat=True))
    if sorted(order) != sorted(ids):
        raise ValidationError({"order": [_("Give every measure of this lab exactly once.")]})
    measures = {m.pk: m for m in Measure.objects.filter(lab=lab)}
    for position, pk in enumerate(order, start=1):
        measures[pk].position = position
    Measure.objects.bulk_update(measures.values(), ["position"])
    content_changed()


def move_measure(*, user: Any, measure: Measure, offset: int) -> None:
    """Move a measure up (negative offset) or down within its lab."""
    order = list(
        Measure.objects.filter(lab=measure.lab).order_by("position", "id").values_list("pk", flat=True)
    )
    index = order.index(measure.pk)
    target = max(0, min(len(order) - 1, index + offset))
    order.insert(target, order.pop(index))
    reorder_measures(user=user, lab=measure.lab, order=order)
