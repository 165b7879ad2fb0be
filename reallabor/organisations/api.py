"""API endpoints of organisations: /api/v1/organisations.

Organisations are internal records: signed-in users see them, the public does not (an
anonymous list is empty, a detail 404). Writes go through ``organisations.services``.
"""

from typing import Annotated, Literal

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from reallabor.accounts.models import User
from reallabor.api.auth import WRITE_AUTH, get_user, viewer
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
from reallabor.organisations.models import Organisation

router = Router(tags=["organisations"])

OrganisationKind = Literal["company", "science", "multiplier", "politics", "civil_society", "administration"]


class OrganisationOut(Schema):
    slug: str
    name: str
    kind: str
    street: str
    postcode: str
    city: str
    district: str
    website: str
    revision: int
    url: str = Field(description="The organisation's page.")

    @staticmethod
    def resolve_url(obj: Organisation) -> str:
        return obj.get_absolute_url()


class OrganisationIn(InputSchema):
    name: Annotated[Text, Field(max_length=200)]
    kind: OrganisationKind
    slug: Annotated[Text, Field(max_length=220)] | None = Field(
        None, description="Made from the name when not given."
    )
    street: Annotated[Text, Field(max_length=200)] = ""
    postcode: Annotated[Text, Field(max_length=10)] = ""
    city: Annotated[Text, Field(max_length=100)] = ""
    district: Annotated[Text, Field(max_length=100)] = ""
    website: Annotated[Text, Field(max_length=200)] = ""


class OrganisationPatch(InputSchema):
    """Only the fields sent are changed."""

    name: Annotated[Text, Field(max_length=200)] | None = None
    kind: OrganisationKind | None = None
    slug: Annotated[Text, Field(max_length=220)] | None = None
    street: Annotated[Text, Field(max_length=200)] | None = None
    postcode: Annotated[Text, Field(max_length=10)] | None = None
    city: Annotated[Text, Field(max_length=100)] | None = None
    district: Annotated[Text, Field(max_length=100)] | None = None
    website: Annotated[Text, Field(max_length=200)] | None = None
    expected_revision: Revision | None = Field(
        None,
        description="The revision you loaded; a newer one on the server gives 409 instead of overwriting.",
    )


class OrganisationFilter(Schema):
    q: ShortText | None = Field(None, description="Words in the name")
    kind: OrganisationKind | None = None
    district: ShortText | None = None


def get_organisation(user: User | AnonymousUser, slug: str) -> Organisation:
    """The organisation if the user may see it, else 404."""
    check_slug(slug, _("Organisation"))
    organisation = Organisation.objects.visible_to(viewer(user)).filter(slug=slug).first()
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
    """Organisations, by name (signed-in users only; the public gets an empty list)."""
    queryset = Organisation.objects.visible_to(viewer(get_user(request)))
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.district:
        queryset = queryset.filter(district__iexact=filters.district.strip())
    for word in (filters.q or "").split()[:8]:
        queryset = queryset.filter(Q(name__icontains=word) | Q(slug__icontains=word))
    return queryset.order_by("name", "id")


@router.get(
    "/organisations/{slug}",
    response=responses(200, OrganisationOut, READ_ERRORS),
    operation_id="get_organisation",
)
def get_organisation_detail(request: HttpRequest, slug: str) -> Organisation:
    return get_organisation(get_user(request), slug)


@router.post(
    "/organisations",
    response=responses(201, OrganisationOut, WRITE_ERRORS),
    auth=WRITE_AUTH,
    operation_id="create_organisation",
)
def create_organisation(request: HttpRequest, payload: OrganisationIn) -> Status[Organisation]:
    """Add an organisation (administrators, lab coordinators and partners)."""
    data = payload.dict(exclude_unset=True)
    if not data.get("slug"):
        data.pop("slug", None)
    organisation = services.create_organisation(user=get_user(request), data=data)
    return Status(201, organisation)


@router.patch(
    "/organisations/{slug}",
    response=responses(200, OrganisationOut, WRITE_ERRORS),
    auth=WRITE_AUTH,
    operation_id="update_organisation",
)
def update_organisation(request: HttpRequest, slug: str, payload: OrganisationPatch) -> Organisation:
    """Change an organisation (administrators and lab coordinators)."""
    user = get_user(request)
    organisation = get_organisation(user, slug)
    data = payload.dict(exclude_unset=True)
    expected_revision = data.pop("expected_revision", None)
    return services.update_organisation(
        user=user, organisation=organisation, data=data, expected_revision=expected_revision
    )


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
