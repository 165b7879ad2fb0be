"""Every change to an organisation goes through these functions."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from reallabor.core.services import bump_revision, check_revision
from reallabor.core.text import german_slugify as slugify
from reallabor.core.validation import ErrorCollector
from reallabor.history.services import record_version
from reallabor.organisations import permissions
from reallabor.organisations.models import Organisation

FIELDS = ("name", "kind", "street", "postcode", "city", "district", "website")


def organisation_state(organisation: Organisation) -> dict[str, Any]:
    state = {field: getattr(organisation, field) for field in FIELDS}
    state["slug"] = organisation.slug
    return state


# Path words under /organisationen/ that a short name must not shadow.
RESERVED_SLUGS = frozenset({"neu", "vorschlaege"})


def unique_organisation_slug(name: str, exclude_pk: int | None = None) -> str:
    base = slugify(name)[:200] or "organisation"
    slug, number = base, 2
    existing = Organisation.objects.exclude(pk=exclude_pk) if exclude_pk else Organisation.objects.all()
    while slug in RESERVED_SLUGS or existing.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


def _apply(organisation: Organisation, data: dict[str, Any]) -> None:
    unknown = set(data) - set(FIELDS) - {"slug"}
    if unknown:
        raise ValidationError({field: [_("Unknown field.")] for field in sorted(unknown)})
    for field in FIELDS:
        if field in data:
            value = data[field]
            setattr(organisation, field, "" if value is None else value)
    errors = ErrorCollector()
    if data.get("slug"):
        organisation.slug = data["slug"]
        clash = Organisation.objects.filter(slug=organisation.slug).exclude(pk=organisation.pk)
        if clash.exists():
            errors.add("slug", _("This short name is already taken by “%(name)s”.") % {"name": clash[0].name})
        elif organisation.slug in RESERVED_SLUGS:
            errors.add(
                "slug", _("“%(slug)s” is reserved; choose another short name.") % {"slug": organisation.slug}
            )
    errors.clean(organisation, exclude=["slug"] if not organisation.slug else [])
    errors.raise_if_any()


@transaction.atomic
def create_organisation(*, user: Any, data: dict[str, Any]) -> Organisation:
    if not permissions.can_create_organisation(user):
        raise PermissionDenied(_("You may not add organisations."))
    organisation = Organisation()
    _apply(organisation, data)
    if not organisation.slug:
        organisation.slug = unique_organisation_slug(organisation.name)
    organisation.save()
    record_version(
        obj=organisation, user=user, action="created", data=organisation_state(organisation), revision=1
    )
    return organisation


@transaction.atomic
def update_organisation(
    *, user: Any, organisation: Organisation, data: dict[str, Any], expected_revision: int | None = None
) -> Organisation:
    if not permissions.can_edit_organisation(user, organisation):
        raise PermissionDenied(_("You may not edit this organisation."))
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    check_revision(organisation, expected_revision)
    _apply(organisation, data)
    state = organisation_state(organisation)
    if record_version(
        obj=organisation, user=user, action="changed", data=state, revision=organisation.revision + 1
    ):
        bump_revision(organisation)
        organisation.save()
    return organisation


def _describe_use(obj: Any) -> str:
    """What uses the organisation, by the name people know: the lab or the measure."""
    if obj._meta.model_name in ("lab", "measure"):
        return str(obj)
    for owner in ("measure", "lab"):  # an actor row names its measure, a lab role its lab
        if hasattr(obj, f"{owner}_id"):
            return str(getattr(obj, owner))
    return str(obj)


@transaction.atomic
def delete_organisation(*, user: Any, organisation: Organisation) -> None:
    if not permissions.can_delete_organisation(user, organisation):
        raise PermissionDenied(_("You may not delete organisations."))
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)  # not a stale copy
    state = organisation_state(organisation)
    try:
        # The coordination of measures is a many-to-many relation, which the database would
        # silently empty: it protects the organisation like the protected foreign keys.
        coordinated = list(organisation.coordinated_measures.all()[:5])
        if coordinated:
            raise ProtectedError("coordinates measures", set(coordinated))
        with transaction.atomic():
            record_version(
                obj=organisation, user=user, action="deleted", data=state, revision=organisation.revision
            )
            organisation.delete()
    except ProtectedError as error:
        uses = sorted({_describe_use(obj) for obj in error.protected_objects})[:5]
        raise ValidationError(
            _("“%(name)s” is still used (%(uses)s) and cannot be deleted.")
            % {"name": organisation.name, "uses": ", ".join(uses)},
            code="protected",
        ) from error
