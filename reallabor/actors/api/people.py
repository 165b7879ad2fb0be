"""API endpoints of people, their roles at organisations and relationships (the office only).

People are personal data: administrators and lab coordinators only (anonymous 401, anybody else
403). Roles (affiliations) and relationships are private records with integer ids, which appear
only under the UUID of their person or the short name of their organisation. Writes go through
``actors.services.people`` and ``actors.services.relationships``; their field errors come back
as 422 naming the field.
"""

import datetime as dt
import uuid as uuid_module
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import ValidationError as SchemaValidationError
from ninja.pagination import LimitOffsetPagination, paginate

from reallabor.accounts.models import User
from reallabor.actors.criteria import CriteriaError, parse_criteria
from reallabor.actors.filters import check_criteria, people_matching
from reallabor.actors.models import Affiliation, Person, PersonalDataAccess, Relationship
from reallabor.actors.permissions import can_see_personal_data
from reallabor.actors.services import people as services
from reallabor.actors.services import privacy
from reallabor.actors.services import relationships as relationship_services
from reallabor.api.auth import WRITE_AUTH, require_user
from reallabor.api.schemas import (
    LIST_ERRORS,
    MAX_INT,
    READ_ERRORS,
    WRITE_ERRORS,
    InputSchema,
    OrganisationRef,
    Revision,
    ShortText,
    Text,
    check_slug,
    responses,
)
from reallabor.organisations.models import Organisation

router = Router(tags=["People"])

OFFICE_READ_ERRORS = {**READ_ERRORS, 403: WRITE_ERRORS[403]}
OFFICE_LIST_ERRORS = {**LIST_ERRORS, 403: WRITE_ERRORS[403]}
RelationshipKind = Literal[
    "member_of",
    "partner_of",
    "supplier_of",
    "customer_of",
    "advises",
    "hosts",
    "funds",
    "successor_of",
    "knows",
]


def _office(request: HttpRequest) -> User:
    """The signed-in member of the office (administrators, lab coordinators), else 403."""
    user = require_user(request)
    if not can_see_personal_data(user):
        raise PermissionDenied(
            _("Only the office's staff (administrators and lab coordinators) see the actors' personal data.")
        )
    return user


def _person(user: User, uuid: str) -> Person:
    try:
        key = uuid_module.UUID(str(uuid)[:64])
    except ValueError:
        raise Http404(_("Person “%(uuid)s” not found.") % {"uuid": str(uuid)[:64]}) from None
    person = Person.objects.visible_to(user).filter(uuid=key).first()
    if person is None:
        raise Http404(_("Person “%(uuid)s” not found.") % {"uuid": key})
    return person


def _organisation(user: User, slug: str) -> Organisation:
    check_slug(slug, _("Organisation"))
    organisation = Organisation.objects.visible_to(user).filter(slug=slug).first()
    if organisation is None:
        raise Http404(_("Organisation “%(slug)s” not found.") % {"slug": slug})
    return organisation


def _query_errors(error: CriteriaError) -> SchemaValidationError:
    return SchemaValidationError(
        [
            {"loc": ["query", field], "msg": message, "type": "value_error"}
            for field, message in error.errors.items()
        ]
    )


# Schemas ------------------------------------------------------------------------------------------


class AffiliationOut(Schema):
    id: int = Field(description="Identifies the role under its person's path only.")
    organisation: OrganisationRef
    role: str
    start_date: dt.date | None
    end_date: dt.date | None
    is_primary: bool = Field(description="The organisation's main contact.")
    is_current: bool

    @staticmethod
    def resolve_is_current(obj: Affiliation) -> bool:
        day = timezone.localdate()
        return (obj.start_date is None or obj.start_date <= day) and (
            obj.end_date is None or obj.end_date >= day
        )


class PersonOut(Schema):
    uuid: uuid_module.UUID
    name: str
    salutation: str
    first_name: str
    last_name: str
    function: str
    email: str
    phone: str
    mobile: str
    street: str
    postcode: str
    city: str
    district: str
    notes: str
    last_contact_at: dt.datetime | None
    anonymised: bool
    revision: int
    affiliations: list[AffiliationOut] = Field(
        description="Current, planned and former roles at organisations."
    )
    url: str = Field(description="The person's page.")

    @staticmethod
    def resolve_anonymised(obj: Person) -> bool:
        return obj.anonymised_at is not None

    @staticmethod
    def resolve_url(obj: Person) -> str:
        return obj.get_absolute_url()


Text10 = Annotated[Text, Field(max_length=10)]
Text40 = Annotated[Text, Field(max_length=40)]
Text100 = Annotated[Text, Field(max_length=100)]
Text200 = Annotated[Text, Field(max_length=200)]
Text254 = Annotated[Text, Field(max_length=254)]
Text500 = Annotated[Text, Field(max_length=500)]
LongText = Annotated[Text, Field(max_length=10000)]


class AffiliationIn(InputSchema):
    organisation: ShortText = Field(description="The organisation's short name (slug).")
    role: Text200 = ""
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    is_primary: bool = False


class AffiliationPatch(InputSchema):
    """Only the fields sent are changed; set ``end_date`` to end the role."""

    organisation: ShortText | None = None
    role: Text200 | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    is_primary: bool | None = None


class PersonIn(InputSchema):
    last_name: Text100
    salutation: Text40 = ""
    first_name: Text100 = ""
    function: Text200 = ""
    email: Text254 = ""
    phone: Text40 = ""
    mobile: Text40 = ""
    street: Text200 = ""
    postcode: Text10 = ""
    city: Text100 = ""
    district: Text100 = ""
    notes: LongText = ""
    affiliations: list[AffiliationIn] = Field(
        default_factory=list, max_length=50, description="Roles at organisations, if any."
    )


class PersonPatch(InputSchema):
    """Only the fields sent are changed (roles have their own endpoints)."""

    last_name: Text100 | None = None
    salutation: Text40 | None = None
    first_name: Text100 | None = None
    function: Text200 | None = None
    email: Text254 | None = None
    phone: Text40 | None = None
    mobile: Text40 | None = None
    street: Text200 | None = None
    postcode: Text10 | None = None
    city: Text100 | None = None
    district: Text100 | None = None
    notes: LongText | None = None
    expected_revision: Revision | None = Field(
        None,
        description="The revision you loaded; a newer one on the server gives 409 instead of overwriting.",
    )


class PeopleFilter(Schema):
    """The criteria of segments; lists are comma-separated codes (any of them)."""

    q: ShortText | None = Field(None, description="Words in the name or e-mail address")
    kinds: ShortText | None = Field(None, description="Kinds of their organisations, e.g. company,science")
    sub_kinds: ShortText | None = None
    sectors: ShortText | None = Field(None, description="WZ 2008 codes; a section (f) takes its divisions")
    trades: ShortText | None = Field(None, description="Trade codes; a list (a) takes its trades")
    districts: ShortText | None = None
    headcount_bands: ShortText | None = Field(None, description="1-4, 5-9, 10-19, 20-49, 50-249, 250+")
    needs: ShortText | None = Field(None, description="Codes of the needs vocabulary")
    motivations: ShortText | None = Field(None, description="Codes of the motivations vocabulary")
    labs: ShortText | None = Field(None, description="Short names of labs")
    alliance: ShortText | None = Field(None, description="member, applicant, former, none")
    contacted_within_days: Annotated[int, Field(ge=0, le=36500)] | None = None
    not_contacted_for_days: Annotated[int, Field(ge=0, le=36500)] | None = Field(
        None, description="Never contacted counts as not contacted."
    )
    consent: ShortText | None = Field(None, description="A valid consent for this purpose, e.g. newsletter")


class ActorRef(Schema):
    type: Literal["organisation", "person"]
    id: str = Field(description="The organisation's short name or the person's UUID.")
    name: str


def _actor_ref(actor: Organisation | Person) -> dict[str, str]:
    if isinstance(actor, Organisation):
        return {"type": "organisation", "id": actor.slug, "name": actor.name}
    return {"type": "person", "id": str(actor.uuid), "name": actor.name}


class RelationshipOut(Schema):
    id: int = Field(description="Identifies the relationship under the path of one of its sides only.")
    kind: str
    kind_label: str
    source: ActorRef
    target: ActorRef
    start_date: dt.date | None
    end_date: dt.date | None
    note: str

    @staticmethod
    def resolve_kind_label(obj: Relationship) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_source(obj: Relationship) -> dict[str, str]:
        return _actor_ref(obj.source_organisation or obj.source_person)  # type: ignore[arg-type]

    @staticmethod
    def resolve_target(obj: Relationship) -> dict[str, str]:
        return _actor_ref(obj.target_organisation or obj.target_person)  # type: ignore[arg-type]


class RelationshipIn(InputSchema):
    """Between two organisations (``*_organisation``) or two people (``*_person``)."""

    kind: RelationshipKind
    source_organisation: ShortText | None = Field(None, description="Short name (slug)")
    source_person: uuid_module.UUID | None = None
    target_organisation: ShortText | None = Field(None, description="Short name (slug)")
    target_person: uuid_module.UUID | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    note: Text500 = ""


class RelationshipPatch(InputSchema):
    """Only the fields sent are changed; the two sides stay (delete and add for others)."""

    kind: RelationshipKind | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    note: Text500 | None = None


class RelationshipFilter(Schema):
    organisation: ShortText | None = Field(None, description="Relationships of this organisation (slug)")
    person: uuid_module.UUID | None = Field(None, description="Relationships of this person")
    kind: RelationshipKind | None = None


# People -------------------------------------------------------------------------------------------


def _affiliations() -> Prefetch[Any]:
    return Prefetch(
        "affiliations",
        queryset=Affiliation.objects.select_related("organisation").order_by(
            "-is_primary", "organisation__name", "-start_date", "id"
        ),
    )


def _person_out(person: Person) -> Person:
    return Person.objects.prefetch_related(_affiliations()).get(pk=person.pk)


@router.get("/people", response=responses(200, list[PersonOut], OFFICE_LIST_ERRORS), auth=WRITE_AUTH)
@paginate(LimitOffsetPagination)
def list_people(request: HttpRequest, filters: Query[PeopleFilter]) -> QuerySet[Person]:
    """People matching the criteria, by name (the office only); anonymised people are left out."""
    user = _office(request)
    try:
        criteria = parse_criteria(filters.dict(exclude_none=True))
        check_criteria(criteria, user=user)
        queryset = people_matching(
            criteria, Person.objects.visible_to(user).filter(anonymised_at__isnull=True)
        )
    except CriteriaError as error:
        raise _query_errors(error) from None
    return queryset.prefetch_related(_affiliations()).order_by("last_name", "first_name", "id")


@router.post("/people", response=responses(201, PersonOut, WRITE_ERRORS), auth=WRITE_AUTH)
def create_person(request: HttpRequest, payload: PersonIn) -> Status[Person]:
    """Add a person, optionally with roles at organisations (the office)."""
    user = _office(request)
    data = payload.dict()
    affiliations = data.pop("affiliations")
    person = services.create_person(user=user, data=data, affiliations=affiliations)
    return Status(201, _person_out(person))


@router.get("/people/{uuid}", response=responses(200, PersonOut, OFFICE_READ_ERRORS), auth=WRITE_AUTH)
def get_person(request: HttpRequest, uuid: str) -> Person:
    """A person with their roles (recorded in the audit trail of personal data)."""
    user = _office(request)
    person = _person(user, uuid)
    privacy.log_access(user=user, person=person, action=PersonalDataAccess.Action.VIEWED, detail="API")
    return _person_out(person)


@router.patch("/people/{uuid}", response=responses(200, PersonOut, WRITE_ERRORS), auth=WRITE_AUTH)
def update_person(request: HttpRequest, uuid: str, payload: PersonPatch) -> Person:
    """Change a person's contact data (the office)."""
    user = _office(request)
    person = _person(user, uuid)
    data = payload.dict(exclude_unset=True)
    expected_revision = data.pop("expected_revision", None)
    for field, value in data.items():
        if value is None:
            raise ValidationError({field: _("Send a text (an empty one to clear the field), not null.")})
    person = services.update_person(user=user, person=person, data=data, expected_revision=expected_revision)
    return _person_out(person)


# Roles at organisations ---------------------------------------------------------------------------


def _record_id(value: str) -> int:
    """An id from the path, or 404 (never a database error for odd input)."""
    if not value.isdigit() or len(value) > 10 or int(value) > MAX_INT:
        raise Http404(_("Not found."))
    return int(value)


def _affiliation(person: Person, affiliation_id: str) -> Affiliation:
    affiliation = Affiliation.objects.filter(person=person, pk=_record_id(affiliation_id)).first()
    if affiliation is None:
        raise Http404(_("This person has no role %(id)s.") % {"id": affiliation_id})
    return affiliation


def _affiliation_out(affiliation: Affiliation) -> Affiliation:
    return Affiliation.objects.select_related("organisation").get(pk=affiliation.pk)


@router.post(
    "/people/{uuid}/affiliations", response=responses(201, AffiliationOut, WRITE_ERRORS), auth=WRITE_AUTH
)
def add_affiliation(request: HttpRequest, uuid: str, payload: AffiliationIn) -> Status[Affiliation]:
    """Add a role of the person at an organisation (the office)."""
    user = _office(request)
    person = _person(user, uuid)
    affiliation = services.add_affiliation(user=user, person=person, **payload.dict())
    return Status(201, _affiliation_out(affiliation))


@router.patch(
    "/people/{uuid}/affiliations/{affiliation_id}",
    response=responses(200, AffiliationOut, WRITE_ERRORS),
    auth=WRITE_AUTH,
)
def update_affiliation(
    request: HttpRequest, uuid: str, affiliation_id: str, payload: AffiliationPatch
) -> Affiliation:
    """Change a role; send ``end_date`` to end it (it stays on record as a former role)."""
    user = _office(request)
    affiliation = _affiliation(_person(user, uuid), affiliation_id)
    data = payload.dict(exclude_unset=True)
    for field in ("organisation", "role", "is_primary"):
        if field in data and data[field] is None:
            raise ValidationError({field: _("This field cannot be null.")})
    affiliation = services.update_affiliation(user=user, affiliation=affiliation, data=data)
    return _affiliation_out(affiliation)


@router.delete(
    "/people/{uuid}/affiliations/{affiliation_id}",
    response=responses(204, None, WRITE_ERRORS),
    auth=WRITE_AUTH,
)
def remove_affiliation(request: HttpRequest, uuid: str, affiliation_id: str) -> HttpResponse:
    """Remove a role recorded by mistake (a role that ended is ended with PATCH ``end_date``)."""
    user = _office(request)
    affiliation = _affiliation(_person(user, uuid), affiliation_id)
    services.remove_affiliation(user=user, affiliation=affiliation)
    return HttpResponse(status=204)


# Relationships ------------------------------------------------------------------------------------


def _relationships() -> QuerySet[Relationship]:
    return Relationship.objects.select_related(
        "source_organisation", "target_organisation", "source_person", "target_person"
    )


@router.get(
    "/relationships", response=responses(200, list[RelationshipOut], OFFICE_LIST_ERRORS), auth=WRITE_AUTH
)
@paginate(LimitOffsetPagination)
def list_relationships(request: HttpRequest, filters: Query[RelationshipFilter]) -> QuerySet[Relationship]:
    """Relationships between organisations and between people (the office only)."""
    user = _office(request)
    queryset = relationship_services.visible_relationships(user)
    if filters.organisation:
        organisation = Organisation.objects.visible_to(user).filter(slug=filters.organisation).first()
        if organisation is None:
            raise SchemaValidationError(
                [{"loc": ["query", "organisation"], "msg": _("Unknown organisation."), "type": "value_error"}]
            )
        queryset = relationship_services.relationships_of(organisation, queryset)
    if filters.person:
        person = Person.objects.visible_to(user).filter(uuid=filters.person).first()
        if person is None:
            raise SchemaValidationError(
                [{"loc": ["query", "person"], "msg": _("Unknown person."), "type": "value_error"}]
            )
        queryset = relationship_services.relationships_of(person, queryset)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    return queryset.select_related(
        "source_organisation", "target_organisation", "source_person", "target_person"
    ).order_by("id")


def _side(user: User, data: dict[str, Any], side: str) -> tuple[Organisation | Person | None, str]:
    """The source or target named in the body, and the field that named it (for errors)."""
    organisation_slug, person_uuid = data.get(f"{side}_organisation"), data.get(f"{side}_person")
    if organisation_slug and person_uuid:
        raise ValidationError(
            {
                f"{side}_person": _("Give either %(side)s_organisation or %(side)s_person, not both.")
                % {"side": side}
            }
        )
    if organisation_slug:
        found = Organisation.objects.visible_to(user).filter(slug=organisation_slug).first()
        if found is None:
            raise ValidationError(
                {
                    f"{side}_organisation": _("There is no organisation “%(slug)s”.")
                    % {"slug": organisation_slug}
                }
            )
        return found, f"{side}_organisation"
    if person_uuid:
        person = Person.objects.visible_to(user).filter(uuid=person_uuid).first()
        if person is None:
            raise ValidationError({f"{side}_person": _("There is no person with this id.")})
        return person, f"{side}_person"
    raise ValidationError(
        {f"{side}_organisation": _("Give %(side)s_organisation or %(side)s_person.") % {"side": side}}
    )


@router.post("/relationships", response=responses(201, RelationshipOut, WRITE_ERRORS), auth=WRITE_AUTH)
def create_relationship(request: HttpRequest, payload: RelationshipIn) -> Status[Relationship]:
    """Add a relationship between two organisations or two people (the office)."""
    user = _office(request)
    data = payload.dict()
    source, source_field = _side(user, data, "source")
    target, target_field = _side(user, data, "target")
    try:
        relationship = relationship_services.create_relationship(
            user=user,
            source=source,
            target=target,
            kind=data["kind"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            note=data["note"],
        )
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        renamed = {"source": source_field, "target": target_field}
        raise ValidationError(
            {renamed.get(field, field): errors for field, errors in error.error_dict.items()}
        ) from None
    return Status(201, _relationships().get(pk=relationship.pk))


def _relationship_of(actor: Organisation | Person, relationship_id: str) -> Relationship:
    relationship = (
        relationship_services.relationships_of(actor).filter(pk=_record_id(relationship_id)).first()
    )
    if relationship is None:
        raise Http404(
            _("“%(name)s” has no relationship %(id)s.") % {"name": actor.name, "id": relationship_id}
        )
    return relationship


def _update(user: User, relationship: Relationship, payload: RelationshipPatch) -> Relationship:
    data = payload.dict(exclude_unset=True)
    if "kind" in data and data["kind"] is None:
        raise ValidationError({"kind": _("This field cannot be null.")})
    relationship = relationship_services.update_relationship(user=user, relationship=relationship, data=data)
    return _relationships().get(pk=relationship.pk)


@router.patch(
    "/people/{uuid}/relationships/{relationship_id}",
    response=responses(200, RelationshipOut, WRITE_ERRORS),
    auth=WRITE_AUTH,
)
def update_person_relationship(
    request: HttpRequest, uuid: str, relationship_id: str, payload: RelationshipPatch
) -> Relationship:
    """Change the kind, dates or note of one of the person's relationships (the office)."""
    user = _office(request)
    return _update(user, _relationship_of(_person(user, uuid), relationship_id), payload)


@router.delete(
    "/people/{uuid}/relationships/{relationship_id}",
    response=responses(204, None, WRITE_ERRORS),
    auth=WRITE_AUTH,
)
def delete_person_relationship(request: HttpRequest, uuid: str, relationship_id: str) -> HttpResponse:
    """Delete one of the person's relationships (the office)."""
    user = _office(request)
    relationship = _relationship_of(_person(user, uuid), relationship_id)
    relationship_services.delete_relationship(user=user, relationship=relationship)
    return HttpResponse(status=204)


@router.patch(
    "/organisations/{slug}/relationships/{relationship_id}",
    response=responses(200, RelationshipOut, WRITE_ERRORS),
    auth=WRITE_AUTH,
)
def update_organisation_relationship(
    request: HttpRequest, slug: str, relationship_id: str, payload: RelationshipPatch
) -> Relationship:
    """Change the kind, dates or note of one of the organisation's relationships (the office)."""
    user = _office(request)
    return _update(user, _relationship_of(_organisation(user, slug), relationship_id), payload)


@router.delete(
    "/organisations/{slug}/relationships/{relationship_id}",
    response=responses(204, None, WRITE_ERRORS),
    auth=WRITE_AUTH,
)
def delete_organisation_relationship(request: HttpRequest, slug: str, relationship_id: str) -> HttpResponse:
    """Delete one of the organisation's relationships (the office)."""
    user = _office(request)
    relationship = _relationship_of(_organisation(user, slug), relationship_id)
    relationship_services.delete_relationship(user=user, relationship=relationship)
    return HttpResponse(status=204)
