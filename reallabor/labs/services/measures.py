"""Measures and their seven-row profiles: create, edit, publish, restore, delete, reorder."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from reallabor.core.cache import content_changed
from reallabor.core.services import check_revision
from reallabor.core.validation import ErrorCollector
from reallabor.history.models import Version
from reallabor.history.services import record_version
from reallabor.labs import permissions
from reallabor.labs.models import (
    Activity,
    Actor,
    Financing,
    Lab,
    Measure,
    Result,
    TargetGroup,
)
from reallabor.labs.services.common import (
    EVIDENCE_EXTENSIONS,
    MEASURE_FIELDS,
    PROFILE_SECTIONS,
    _decimal_or_none,
    _resolve_organisation,
    _unique_slug,
    _unknown_fields,
)
from reallabor.labs.services.states import measure_state
from reallabor.organisations.models import Organisation
from reallabor.taxonomy.models import TARGET_GROUP_FAMILY
from reallabor.taxonomy.services import replace_tags, resolve_term, validate_tags


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


SECTION_MODELS: dict[str, Any] = {
    "activities": Activity,
    "financing": Financing,
    "actors": Actor,
    "target_groups": TargetGroup,
    "results": Result,
}


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
        # Every check constraint of the rows is checked in Python (models' clean(), the actor rule above).
        errors.clean(
            row_obj, path, exclude=["measure", "organisation", "term", "evidence_file"], constraints=False
        )
        built.append(row_obj)
    if section == "target_groups":
        seen: set[int] = set()
        for index, row_obj in enumerate(built):
            if row_obj.term_id in seen:
                errors.add(f"{section}[{index}].term", _("This target group is listed twice."))
            seen.add(row_obj.term_id)
    return built


# Measures ---------------------------------------------------------------------------------------

MEASURE_INPUT = {*MEASURE_FIELDS, "slug", "is_published", "coordinators", "tags", *PROFILE_SECTIONS}


def _write_measure(measure: Measure, data: dict[str, Any], *, creating: bool) -> dict[str, list[Any]]:
    """Validate all of ``data`` against ``measure``, then write it (or raise, having written nothing).

    Returns the related records as written, by relation name: when creating, all of them (what is
    not in ``data`` is empty), so that ``measure_state`` need not read them back.
    """
    _unknown_fields(data, MEASURE_INPUT)
    errors = ErrorCollector()
    for field in MEASURE_FIELDS:
        if field in data:
            value = data[field]
            setattr(measure, field, "" if value is None and field == "summary" else value)
    if "is_published" in data:
        measure.is_published = bool(data["is_published"])
    others = Measure.objects.filter(lab=measure.lab).exclude(pk=measure.pk)
    positions = dict(others.values_list("slug", "position"))
    taken = set(positions)
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
    # The period constraint is Measure.clean(); the slug's uniqueness in the lab is checked above.
    errors.clean(
        measure,
        exclude=["lab", "coordinators"] if measure.slug else ["lab", "coordinators", "slug"],
        constraints=False,
    )

    coordinators: list[Organisation] | None = None
    if "coordinators" in data:
        coordinators = []
        for index, value in enumerate(data["coordinators"] or []):
            organisation = _resolve_organisation(value, f"coordinators[{index}]", errors)
            if organisation is not None and organisation not in coordinators:
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
        measure.position = max(positions.values(), default=0) + 1
    measure.save()
    if coordinators is not None and creating:
        Through = Measure.coordinators.through
        Through.objects.bulk_create(
            [
                Through(measure=measure, organisation=organisation)
                for organisation in dict.fromkeys(coordinators)
            ]
        )
    elif coordinators is not None:
        measure.coordinators.set(coordinators)
    for section, rows in sections.items():
        if not creating:
            getattr(measure, section).all().delete()
        for row in rows:
            row.measure = measure
            if section == "financing":
                row.amount = _decimal_or_none(row.amount)
        if rows:
            SECTION_MODELS[section].objects.bulk_create(rows)  # saves uploaded evidence files too (pre_save)
    if tags is not None:
        replace_tags(measure, tags)
    written: dict[str, list[Any]] = {**sections, "coordinators": coordinators or [], "tags": tags or []}
    if creating:
        return {name: written.get(name, []) for name in (*PROFILE_SECTIONS, "coordinators", "tags")}
    return {}


def _record_measure(
    measure: Measure, user: Any, action: str, comment: str = "", rows: dict[str, list[Any]] | None = None
) -> None:
    version = record_version(
        obj=measure,
        user=user,
        action=action,
        data=measure_state(measure, rows=rows),
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
    rows = _write_measure(measure, data, creating=True)
    _record_measure(measure, user, Version.Action.CREATED, rows=rows)
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
