"""Labs, their members and organisations: create, edit, publish, delete."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from reallabor.core.services import check_revision
from reallabor.core.validation import ErrorCollector
from reallabor.history.models import Version
from reallabor.history.services import record_version
from reallabor.labs import permissions
from reallabor.labs.models import Lab, LabMembership, LabOrganisation
from reallabor.labs.services.common import (
    LAB_FIELDS,
    RESERVED_LAB_SLUGS,
    _resolve_organisation,
    _unique_slug,
    _unknown_fields,
)
from reallabor.labs.services.states import lab_state, measure_state
from reallabor.organisations.models import Organisation


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
