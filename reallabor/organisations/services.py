"""Every change to an organisation goes through these functions."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from reallabor.core.cache import CHECK_RESULTS, content_changed, counter_changed
from reallabor.core.services import bump_revision, check_revision
from reallabor.core.text import german_slugify as slugify
from reallabor.core.validation import ErrorCollector
from reallabor.history.services import record_version
from reallabor.organisations import keys, permissions
from reallabor.organisations.models import SUB_KINDS, Organisation
from reallabor.taxonomy.models import SECTOR_FAMILY, TRADES_FAMILY, Term

FIELDS = (
    "name",
    "kind",
    "sub_kind",
    "sector",
    "trade",
    "headcount_band",
    "founding_year",
    "street",
    "postcode",
    "city",
    "district",
    "quarter",
    "email",
    "phone",
    "website",
    "alliance_status",
    "alliance_since",
    "profile_published",
    "profile_text",
)
TERM_FIELDS = {"sector": SECTOR_FAMILY, "trade": TRADES_FAMILY}
NULLABLE_FIELDS = ("sector", "trade", "founding_year", "alliance_since")
MIN_FOUNDING_YEAR = 1000
POSTCODE = re.compile(r"^\d{5}$")
PHONE = re.compile(r"^\+?[0-9][0-9 ()/.\-]{2,39}$")
ALLIANCE_WITH_DATE = (Organisation.AllianceStatus.MEMBER, Organisation.AllianceStatus.FORMER)


def organisation_state(organisation: Organisation) -> dict[str, Any]:
    """The recorded state: plain JSON, terms as their codes, dates as ISO text."""
    state: dict[str, Any] = {}
    for field in FIELDS:
        if field in TERM_FIELDS:
            term = getattr(organisation, field) if getattr(organisation, f"{field}_id") else None
            state[field] = term.code if term else ""
        elif field == "alliance_since":
            since = organisation.alliance_since
            state[field] = since.isoformat() if isinstance(since, dt.date) else since
        else:
            state[field] = getattr(organisation, field)
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


def _term_message(field: str, value: Any) -> str:
    if field == "sector":
        return _(
            "“%(value)s” is no division of the WZ 2008: give a two-digit division code such as “43”."
        ) % {"value": value}
    return _("“%(value)s” is no trade of the crafts code: give a trade code such as “a-24”.") % {
        "value": value
    }


def resolve_classification(field: str, value: Any) -> Term | None:
    """A sector (WZ 2008 division) or trade from a code, a Term or None; ValidationError naming the field.

    Only a term with a parent counts: a WZ 2008 section ("f") or a list of trades ("a") is too coarse.
    """
    family = TERM_FIELDS[field]
    if value is None or value == "":
        return None
    if isinstance(value, Term):
        term: Term | None = value
    elif isinstance(value, str):
        code = value.strip().lower()
        if field == "sector" and code.isdigit() and len(code) == 1:
            code = f"0{code}"  # spreadsheets drop the leading zero of "01"
        term = (
            Term.objects.select_related("vocabulary")
            .filter(vocabulary__family=family, vocabulary__retired_at__isnull=True, code=code[:50])
            .first()
        )
    else:
        term = None
    if term is None or term.vocabulary.family != family or term.parent_id is None:
        shown = value.code if isinstance(value, Term) else str(value)[:50]
        raise ValidationError({field: [_term_message(field, shown)]})
    return term


def _normalise_website(value: str) -> str:
    """“www.example.de” → “https://www.example.de” (what people type into spreadsheets)."""
    value = value.strip()
    if value and "://" not in value and " " not in value and "." in value:
        return f"https://{value}"
    return value


def _check_rules(organisation: Organisation, errors: ErrorCollector) -> None:
    """The rules between fields and the plausibility checks full_clean does not know."""
    kind, sub_kind = organisation.kind, organisation.sub_kind
    if sub_kind and "sub_kind" not in errors.errors and kind in Organisation.Kind.values:
        allowed = SUB_KINDS.get(kind, ())
        if not allowed:
            errors.add(
                "sub_kind",
                _("Organisations of the kind “%(kind)s” have no sub-kind.")
                % {"kind": Organisation.Kind(kind).label},
            )
        elif sub_kind not in allowed:
            errors.add(
                "sub_kind",
                _("“%(sub_kind)s” is no sub-kind of “%(kind)s”; choose one of: %(allowed)s.")
                % {
                    "sub_kind": sub_kind,
                    "kind": Organisation.Kind(kind).label,
                    "allowed": ", ".join(str(Organisation.SubKind(item).label) for item in allowed),
                },
            )
    if organisation.trade_id and kind != Organisation.Kind.COMPANY:
        errors.add("trade", _("Only companies (craft businesses) have a trade."))
    year = organisation.founding_year
    this_year = timezone.localdate().year
    if (
        "founding_year" not in errors.errors
        and year is not None
        and not MIN_FOUNDING_YEAR <= year <= this_year
    ):
        errors.add(
            "founding_year",
            _("Enter a founding year between %(first)s and %(last)s.")
            % {"first": MIN_FOUNDING_YEAR, "last": this_year},
        )
    postcode = organisation.postcode
    if postcode and "postcode" not in errors.errors and not POSTCODE.match(postcode):
        errors.add("postcode", _("Enter a German postcode of five digits, such as 46236."))
    if organisation.phone and "phone" not in errors.errors and not PHONE.match(organisation.phone):
        errors.add("phone", _("Enter a phone number of digits, spaces and + ( ) / - only."))
    since = organisation.alliance_since
    if since is not None and "alliance_since" not in errors.errors:
        if organisation.alliance_status not in ALLIANCE_WITH_DATE:
            errors.add(
                "alliance_since",
                _("Give a date only for members and former members of the Wirtschaftsallianz."),
            )
        elif isinstance(since, dt.date) and since > timezone.localdate():
            errors.add("alliance_since", _("The date lies in the future."))


def _apply(organisation: Organisation, data: dict[str, Any]) -> None:
    unknown = set(data) - set(FIELDS) - {"slug"}
    if unknown:
        raise ValidationError({field: [_("Unknown field.")] for field in sorted(unknown)})
    errors = ErrorCollector()
    for field in FIELDS:
        if field not in data:
            continue
        value = data[field]
        if field in TERM_FIELDS:
            try:
                setattr(organisation, field, resolve_classification(field, value))
            except ValidationError as error:
                errors.add_validation_error(error)
        elif field in NULLABLE_FIELDS:
            setattr(organisation, field, None if value in (None, "") else value)
        elif field == "profile_published":
            if value is None:
                value = False
            if not isinstance(value, bool):
                errors.add(field, _("Give true or false."))
            else:
                organisation.profile_published = value
        elif value is None:
            setattr(organisation, field, "")
        elif isinstance(value, str):
            setattr(organisation, field, value.strip() if field != "profile_text" else value)
        else:
            setattr(organisation, field, value)
    if "website" in data:
        organisation.website = _normalise_website(organisation.website)
    if data.get("slug"):
        organisation.slug = data["slug"]
        clash = Organisation.objects.filter(slug=organisation.slug).exclude(pk=organisation.pk)
        if clash.exists():
            errors.add("slug", _("This short name is already taken by “%(name)s”.") % {"name": clash[0].name})
        elif organisation.slug in RESERVED_SLUGS:
            errors.add(
                "slug", _("“%(slug)s” is reserved; choose another short name.") % {"slug": organisation.slug}
            )
    # Sector and trade are resolved above (full_clean would look each up once more).
    exclude = ["sector", "trade", *(field for field in errors.errors if field in FIELDS)]
    if not organisation.slug:
        exclude.append("slug")
    # The founding year's check constraint is checked below with a field message.
    errors.clean(organisation, exclude=exclude, constraints=False)
    _check_rules(organisation, errors)
    errors.raise_if_any()
    organisation.name_key = keys.name_key(organisation.name)
    organisation.web_domain = keys.web_domain(organisation.website)


def _may_publish(user: Any, organisation: Organisation | None = None) -> bool:
    """Publishing a profile: the roles that edit organisations (administrators and coordinators)."""
    return permissions.can_edit_organisation(user, organisation)


@transaction.atomic
def create_organisation(*, user: Any, data: dict[str, Any]) -> Organisation:
    if not permissions.can_create_organisation(user):
        raise PermissionDenied(_("You may not add organisations."))
    organisation = Organisation()
    _apply(organisation, data)
    if organisation.profile_published and not _may_publish(user):
        raise PermissionDenied(_("You may not publish the profiles of organisations."))
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
    stored_keys = (organisation.name_key, organisation.web_domain)
    _apply(organisation, data)
    state = organisation_state(organisation)
    if record_version(
        obj=organisation, user=user, action="changed", data=state, revision=organisation.revision + 1
    ):
        bump_revision(organisation)
        organisation.save()
    elif (organisation.name_key, organisation.web_domain) != stored_keys:
        organisation.save(update_fields=["name_key", "web_domain"])  # records from before the keys
    return organisation


@transaction.atomic
def publish_organisation_profile(*, user: Any, organisation: Organisation, published: bool) -> Organisation:
    """Show the organisation's profile on the public pages, or take it off them."""
    if not _may_publish(user, organisation):
        raise PermissionDenied(_("You may not publish or unpublish the profile of this organisation."))
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if organisation.profile_published == bool(published):
        return organisation
    organisation.profile_published = bool(published)
    if record_version(
        obj=organisation,
        user=user,
        action="changed",
        data=organisation_state(organisation),
        revision=organisation.revision + 1,
    ):
        bump_revision(organisation)
    organisation.save()
    content_changed()
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
            counter_changed(CHECK_RESULTS)  # its stored checks went with it (the check's dashboard)
    except ProtectedError as error:
        uses = sorted({_describe_use(obj) for obj in error.protected_objects})[:5]
        raise ValidationError(
            _("“%(name)s” is still used (%(uses)s) and cannot be deleted.")
            % {"name": organisation.name, "uses": ", ".join(uses)},
            code="protected",
        ) from error
