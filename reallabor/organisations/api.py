"""API endpoints of organisations: /api/v1/organisations.

Everybody reads the published profiles; partners also the organisations of their labs, the
office (administrators, readers, coordinators) every organisation. Fields beyond the public
profile are ``null`` where the caller sees only the profile (``internal`` says which). Filters
are the criteria of the list page and of segments. Writes go through ``organisations.services``;
``profile_published`` in a PATCH publishes or unpublishes the profile.
"""

import datetime as dt
from typing import Annotated, Any, Literal

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import ValidationError as SchemaValidationError
from ninja.pagination import LimitOffsetPagination, paginate

from reallabor.accounts.models import User
from reallabor.actors.criteria import CriteriaError, criteria_from_query
from reallabor.api.auth import WRITE_AUTH, get_user
from reallabor.api.schemas import (
    LIST_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    InputSchema,
    Revision,
    ShortText,
    Text,
    check_slug,
    responses,
)
from reallabor.organisations import services
from reallabor.organisations.filters import clean_query, filtered_organisations, with_internal_flag
from reallabor.organisations.models import Organisation
from reallabor.taxonomy.models import Term

router = Router(tags=["organisations"])

OrganisationKind = Literal["company", "science", "multiplier", "politics", "civil_society", "administration"]
SubKind = Literal[
    "",
    "university",
    "research_institute",
    "chamber",
    "association",
    "agency",
    "school",
    "faith_community",
    "club",
    "day_care",
]
HeadcountBand = Literal["", "1-4", "5-9", "10-19", "20-49", "50-249", "250+"]
AllianceStatus = Literal["", "member", "applicant", "former"]
Year = Annotated[int, Field(ge=0, le=9999)]
PROFILE_TEXT_MAX = 20_000


class ClassificationOut(Schema):
    """A WZ 2008 division or a trade, with the section or list it belongs to."""

    code: str = Field(examples=["43"])
    name: str = Field(description="In the request's language (the city's wording where set).")
    parent: str | None = Field(None, description="The WZ 2008 section or the list of trades (a, b1, b2).")

    @staticmethod
    def resolve_name(obj: Term) -> str:
        return obj.label

    @staticmethod
    def resolve_parent(obj: Term) -> str | None:
        return obj.parent.code if obj.parent_id else None  # type: ignore[union-attr]


def _internal(name: str) -> Any:
    """A resolver that gives the field only to callers who see the organisation's internal data."""

    def resolve(obj: Organisation) -> Any:
        return getattr(obj, name) if getattr(obj, "sees_internal", False) else None

    return staticmethod(resolve)


class OrganisationOut(Schema):
    slug: str
    name: str
    kind: str
    sub_kind: str
    sector: ClassificationOut | None = Field(None, description="The WZ 2008 division.")
    trade: ClassificationOut | None = Field(None, description="The trade of the crafts code.")
    district: str
    website: str
    profile_published: bool
    profile_text: str = Field(description="The public profile (Markdown).")
    internal: bool = Field(
        description="Whether the fields below are given; false: you see the published profile only and they are null."
    )
    headcount_band: str | None
    founding_year: int | None
    street: str | None
    postcode: str | None
    city: str | None
    quarter: str | None
    email: str | None
    phone: str | None
    alliance_status: str | None = Field(description="Wirtschaftsallianz: member, applicant, former or empty.")
    alliance_since: dt.date | None
    last_contact_at: dt.datetime | None
    revision: int
    url: str = Field(description="The organisation's page.")

    resolve_headcount_band = _internal("headcount_band")
    resolve_founding_year = _internal("founding_year")
    resolve_street = _internal("street")
    resolve_postcode = _internal("postcode")
    resolve_city = _internal("city")
    resolve_quarter = _internal("quarter")
    resolve_email = _internal("email")
    resolve_phone = _internal("phone")
    resolve_alliance_status = _internal("alliance_status")
    resolve_alliance_since = _internal("alliance_since")
    resolve_last_contact_at = _internal("last_contact_at")

    @staticmethod
    def resolve_internal(obj: Organisation) -> bool:
        return bool(getattr(obj, "sees_internal", False))

    @staticmethod
    def resolve_url(obj: Organisation) -> str:
        return obj.get_absolute_url()


class OrganisationIn(InputSchema):
    name: Annotated[Text, Field(max_length=200)]
    kind: OrganisationKind
    slug: Annotated[Text, Field(max_length=220)] | None = Field(
        None, description="Made from the name when not given."
    )
    sub_kind: SubKind = Field("", description="Science: university, research_institute; multiplier: …")
    sector: ShortText | None = Field(None, description="A WZ 2008 division code such as “43”.")
    trade: ShortText | None = Field(None, description="For craft businesses: a trade code such as “a-24”.")
    headcount_band: HeadcountBand = ""
    founding_year: Year | None = None
    street: Annotated[Text, Field(max_length=200)] = ""
    postcode: Annotated[Text, Field(max_length=10)] = ""
    city: Annotated[Text, Field(max_length=100)] = ""
    district: Annotated[Text, Field(max_length=100)] = ""
    quarter: Annotated[Text, Field(max_length=100)] = ""
    email: Annotated[Text, Field(max_length=254)] = ""
    phone: Annotated[Text, Field(max_length=40)] = ""
    website: Annotated[Text, Field(max_length=200)] = ""
    alliance_status: AllianceStatus = ""
    alliance_since: dt.date | None = None
    profile_published: bool = Field(False, description="Administrators and lab coordinators only.")
    profile_text: Annotated[Text, Field(max_length=PROFILE_TEXT_MAX)] = ""


class OrganisationPatch(InputSchema):
    """Only the fields sent are changed; ``profile_published`` publishes or unpublishes the profile."""

    name: Annotated[Text, Field(max_length=200)] | None = None
    kind: OrganisationKind | None = None
    slug: Annotated[Text, Field(max_length=220)] | None = None
    sub_kind: SubKind | None = None
    sector: ShortText | None = Field(None, description='A WZ 2008 division code; null or "" removes it.')
    trade: ShortText | None = Field(None, description='A trade code; null or "" removes it.')
    headcount_band: HeadcountBand | None = None
    founding_year: Year | None = None
    street: Annotated[Text, Field(max_length=200)] | None = None
    postcode: Annotated[Text, Field(max_length=10)] | None = None
    city: Annotated[Text, Field(max_length=100)] | None = None
    district: Annotated[Text, Field(max_length=100)] | None = None
    quarter: Annotated[Text, Field(max_length=100)] | None = None
    email: Annotated[Text, Field(max_length=254)] | None = None
    phone: Annotated[Text, Field(max_length=40)] | None = None
    website: Annotated[Text, Field(max_length=200)] | None = None
    alliance_status: AllianceStatus | None = None
    alliance_since: dt.date | None = None
    profile_published: bool | None = None
    profile_text: Annotated[Text, Field(max_length=PROFILE_TEXT_MAX)] | None = None
    expected_revision: Revision | None = Field(
        None,
        description="The revision you loaded; a newer one on the server gives 409 instead of overwriting.",
    )


Codes = list[ShortText] | None


class OrganisationFilter(Schema):
    """The criteria of the list page and of segments; a list takes repeated or comma-separated values."""

    q: ShortText | None = Field(None, description="Words in the name or the city")
    kinds: Codes = Field(
        None, description="company, science, multiplier, politics, civil_society, administration"
    )
    sub_kinds: Codes = None
    sectors: Codes = Field(None, description="WZ 2008 codes: a section (“f”) includes its divisions")
    trades: Codes = Field(None, description="Trade codes: a list (“a”, “b1”, “b2”) includes its trades")
    districts: Codes = None
    headcount_bands: Codes = None
    needs: Codes = None
    motivations: Codes = None
    labs: Codes = Field(None, description="Lab slugs")
    alliance: Codes = Field(None, description="member, applicant, former, none")
    contacted_within_days: Annotated[int, Field(ge=0, le=36500)] | None = None
    not_contacted_for_days: Annotated[int, Field(ge=0, le=36500)] | None = Field(
        None, description="Never contacted counts as not contacted."
    )
    kind: OrganisationKind | None = Field(None, description="One kind (kept for older clients; see kinds).")
    district: ShortText | None = Field(None, description="One district, any case (kept for older clients).")


def _queryset(user: User | AnonymousUser, organisations: QuerySet[Organisation]) -> QuerySet[Organisation]:
    return with_internal_flag(user, organisations).select_related("sector__parent", "trade__parent")


def get_organisation(user: User | AnonymousUser, slug: str) -> Organisation:
    """The organisation if the user may see it, else 404. The public is the AnonymousUser here."""
    check_slug(slug, _("Organisation"))
    organisation = _queryset(user, Organisation.objects.visible_to(user)).filter(slug=slug).first()
    if organisation is None:
        raise Http404(_("Organisation “%(slug)s” not found.") % {"slug": slug})
    return organisation


@router.get(
    "/organisations",
    response=responses(200, list[OrganisationOut], LIST_ERRORS),
    operation_id="list_organisations",
)
@paginate(LimitOffsetPagination)
def list_organisations(request: HttpRequest, filters: Query[OrganisationFilter]) -> QuerySet[Organisation]:
    """Organisations by name: the published profiles, and those whose data you see."""
    user = get_user(request)
    try:
        criteria = criteria_from_query(clean_query(request.GET))
        queryset = filtered_organisations(user, criteria)
    except CriteriaError as error:
        raise SchemaValidationError(
            [
                {"loc": ["query", field], "msg": message, "type": "value_error"}
                for field, message in error.errors.items()
            ]
        ) from None
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.district:
        queryset = queryset.filter(district__iexact=filters.district.strip())
    return _queryset(user, queryset).order_by("name", "id")


@router.get(
    "/organisations/{slug}",
    response=responses(200, OrganisationOut, READ_ERRORS),
    operation_id="get_organisation",
)
def get_organisation_detail(request: HttpRequest, slug: str) -> Organisation:
    return get_organisation(get_user(request), slug)


def _written(user: User | AnonymousUser, organisation: Organisation) -> Organisation:
    """The organisation as the caller now sees it (with the internal flag)."""
    return _queryset(user, Organisation.objects.filter(pk=organisation.pk)).get()


@router.post(
    "/organisations",
    response=responses(201, OrganisationOut, WRITE_ERRORS),
    auth=WRITE_AUTH,
    operation_id="create_organisation",
)
def create_organisation(request: HttpRequest, payload: OrganisationIn) -> Status[Organisation]:
    """Add an organisation (administrators, lab coordinators and partners; publishing: not partners)."""
    user = get_user(request)
    data = payload.dict(exclude_unset=True)
    if not data.get("slug"):
        data.pop("slug", None)
    organisation = services.create_organisation(user=user, data=data)
    return Status(201, _written(user, organisation))


@router.patch(
    "/organisations/{slug}",
    response=responses(200, OrganisationOut, WRITE_ERRORS),
    auth=WRITE_AUTH,
    operation_id="update_organisation",
)
def update_organisation(request: HttpRequest, slug: str, payload: OrganisationPatch) -> Organisation:
    """Change an organisation, or publish its profile (administrators and lab coordinators)."""
    user = get_user(request)
    organisation = get_organisation(user, slug)
    data = payload.dict(exclude_unset=True)
    expected_revision = data.pop("expected_revision", None)
    organisation = services.update_organisation(
        user=user, organisation=organisation, data=data, expected_revision=expected_revision
    )
    return _written(user, organisation)


@router.delete(
    "/organisations/{slug}",
    response=responses(204, None, WRITE_ERRORS),
    auth=WRITE_AUTH,
    operation_id="delete_organisation",
)
def delete_organisation(request: HttpRequest, slug: str) -> HttpResponse:
    """Delete an organisation that nothing uses any more (administrators); in use → 409."""
    user = get_user(request)
    services.delete_organisation(user=user, organisation=get_organisation(user, slug))
    return HttpResponse(status=204)
