"""API endpoints of interactions, needs and motivations, and the stakeholder analysis per lab.

- Interactions are personal data: the office only (anonymous 401, anyone else 403). Their
  follow-ups have their own endpoints (``actors.api.followups``).
- Needs of an organisation (``/organisations/{slug}/needs``) are business data: whoever sees the
  organisation's internal data reads them; the office records and removes them. Needs of a person
  (``/people/{uuid}/needs``) are for the office only.
- Stakeholder positions (``/labs/{slug}/stakeholders``): the office reads them; administrators and
  the lab's coordinators change them.

Writes go through ``actors.services.interactions``, ``.needs`` and ``.stakeholders``; their field
errors come back as 422 naming the field.
"""

import datetime as dt
import uuid as uuid_module
from typing import Annotated, Any, Literal

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.pagination import LimitOffsetPagination, paginate

from reallabor.accounts.models import User
from reallabor.actors.models import FollowUp, Interaction, Person, StakeholderPosition
from reallabor.actors.permissions import can_see_personal_data
from reallabor.actors.services import interactions as services
from reallabor.actors.services import needs as needs_services
from reallabor.actors.services import stakeholders as stakeholder_services
from reallabor.api.auth import WRITE_AUTH, get_user, require_user
from reallabor.api.schemas import (
    LIST_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    InputSchema,
    OrganisationRef,
    ShortText,
    TermRef,
    Text,
    check_slug,
    responses,
)
from reallabor.labs.models import Lab
from reallabor.organisations.models import Organisation
from reallabor.taxonomy.models import Tag

router = Router(tags=["Interactions"])

OFFICE_READ_ERRORS = {**READ_ERRORS, 403: WRITE_ERRORS[403]}
OFFICE_LIST_ERRORS = {**LIST_ERRORS, 403: WRITE_ERRORS[403]}
Kind = Literal["visit", "call", "meeting", "email", "event", "other"]
Text200 = Annotated[Text, Field(max_length=200)]
Text500 = Annotated[Text, Field(max_length=500)]
Email = Annotated[Text, Field(max_length=254)]
Notes = Annotated[Text, Field(max_length=services.NOTES_MAX)]
Scale = Annotated[int, Field(ge=1, le=5)]


def office_user(request: HttpRequest) -> User:
    """The signed-in member of the office (administrators, lab coordinators), else 403."""
    user = require_user(request)
    if not can_see_personal_data(user):
        raise PermissionDenied(
            _("Only the office's staff (administrators and lab coordinators) see the actors' personal data.")
        )
    return user


def uuid_or_404(value: str, what: str) -> uuid_module.UUID:
    try:
        return uuid_module.UUID(str(value)[:64])
    except ValueError:
        raise Http404(_("%(what)s “%(id)s” not found.") % {"what": what, "id": str(value)[:64]}) from None


def interaction_or_404(user: User, uuid: str) -> Interaction:
    key = uuid_or_404(uuid, _("Interaction"))
    interaction = with_details(Interaction.objects.visible_to(user)).filter(uuid=key).first()
    if interaction is None:
        raise Http404(_("Interaction “%(id)s” not found.") % {"id": key})
    return interaction


def _person(user: User, uuid: str) -> Person:
    key = uuid_or_404(uuid, _("Person"))
    person = Person.objects.visible_to(user).filter(uuid=key).first()
    if person is None:
        raise Http404(_("Person “%(id)s” not found.") % {"id": key})
    return person


def _organisation(user: User | AnonymousUser, slug: str) -> Organisation:
    check_slug(slug, _("Organisation"))
    # An anonymous user, not None: None would be the system, which sees everything.
    organisation = Organisation.objects.visible_to(user).filter(slug=slug).first()
    if organisation is None:
        raise Http404(_("Organisation “%(slug)s” not found.") % {"slug": slug})
    return organisation


def _lab(user: User, slug: str) -> Lab:
    check_slug(slug, _("Lab"))
    lab = Lab.objects.visible_to(user).filter(slug=slug).first()
    if lab is None:
        raise Http404(_("Lab “%(slug)s” not found.") % {"slug": slug})
    return lab


def _query_error(field: str, message: str) -> SchemaValidationError:
    return SchemaValidationError([{"loc": ["query", field], "msg": message, "type": "value_error"}])


def _follow_ups() -> QuerySet[FollowUp]:
    return FollowUp.objects.select_related("assignee", "done_by").order_by("id")


def with_details(queryset: QuerySet[Interaction]) -> QuerySet[Interaction]:
    return queryset.select_related("staff", "organisation", "lab", "measure__lab").prefetch_related(
        Prefetch(
            "participants", queryset=Person.objects.only("uuid", "first_name", "last_name", "anonymised_at")
        ),
        Prefetch("follow_ups", queryset=_follow_ups()),
    )


# Schemas ---------------------------------------------------------------------------------------------


class UserRef(Schema):
    email: str
    name: str

    @staticmethod
    def resolve_name(obj: User) -> str:
        return str(obj)


class PersonRef(Schema):
    uuid: uuid_module.UUID
    name: str


class LabRef(Schema):
    slug: str
    name: str


class MeasureRef(Schema):
    slug: str
    title: str
    lab: str = Field(description="The lab's short name.")
    url: str

    @staticmethod
    def resolve_lab(obj: Any) -> str:
        return str(obj.lab.slug)

    @staticmethod
    def resolve_url(obj: Any) -> str:
        return str(obj.get_absolute_url())


class FollowUpOut(Schema):
    uuid: uuid_module.UUID = Field(description="The follow-up's ID.")
    title: str
    due_date: dt.date
    assignee: UserRef
    done_at: dt.datetime | None
    done_by: UserRef | None
    is_overdue: bool


class InteractionOut(Schema):
    uuid: uuid_module.UUID
    kind: str
    occurred_at: dt.datetime = Field(description="UTC")
    subject: str
    notes: str
    staff: UserRef | None
    organisation: OrganisationRef | None
    participants: list[PersonRef]
    anonymous_participants: int = Field(description="Participants erased since; counted without names.")
    lab: LabRef | None
    measure: MeasureRef | None
    follow_ups: list[FollowUpOut]
    url: str = Field(description="The interaction's page.")

    @staticmethod
    def resolve_participants(obj: Interaction) -> list[Person]:
        return list(obj.participants.all())

    @staticmethod
    def resolve_follow_ups(obj: Interaction) -> list[FollowUp]:
        return list(obj.follow_ups.all())

    @staticmethod
    def resolve_url(obj: Interaction) -> str:
        return obj.get_absolute_url()


class FollowUpIn(InputSchema):
    title: Text200
    due_date: dt.date
    assignee: Email | None = Field(None, description="The staff member's e-mail address; default: you.")


class InteractionIn(InputSchema):
    kind: Kind
    occurred_at: dt.datetime = Field(
        description="When it happened; without a UTC offset it is read as Berlin time. Not in the future."
    )
    subject: Text200
    notes: Notes = ""
    staff: Email | None = Field(None, description="The staff member's e-mail address; default: you.")
    organisation: ShortText | None = Field(None, description="The organisation's short name (slug).")
    participants: list[uuid_module.UUID] = Field(
        default_factory=list, max_length=services.MAX_PARTICIPANTS, description="The people's IDs."
    )
    lab: ShortText | None = Field(None, description="The lab's short name.")
    measure: ShortText | None = Field(None, description="The short name of a measure of the lab.")
    follow_ups: list[FollowUpIn] = Field(default_factory=list, max_length=services.MAX_FOLLOW_UPS)


class InteractionPatch(InputSchema):
    """Only the fields sent are changed (follow-ups have their own endpoints)."""

    kind: Kind | None = None
    occurred_at: dt.datetime | None = None
    subject: Text200 | None = None
    notes: Notes | None = None
    staff: Email | None = None
    organisation: ShortText | None = None
    participants: list[uuid_module.UUID] | None = Field(None, max_length=services.MAX_PARTICIPANTS)
    lab: ShortText | None = None
    measure: ShortText | None = None


class InteractionFilter(Schema):
    kind: Kind | None = None
    staff: Email | None = Field(None, description="The staff member's e-mail address")
    organisation: ShortText | None = Field(None, description="The organisation's short name")
    person: uuid_module.UUID | None = Field(None, description="A participant's ID")
    lab: ShortText | None = Field(None, description="The lab's short name")
    since: dt.date | None = Field(None, description="From this day (Berlin time)")
    until: dt.date | None = Field(None, description="Up to and including this day (Berlin time)")


class NeedOut(Schema):
    family: str = Field(description="needs or motivations")
    code: str
    label: str
    term: TermRef
    priority: str = Field(description="primary, or secondary for a weaker need")
    note: str
    recorded_at: dt.datetime | None
    recorded_by: str | None

    @staticmethod
    def resolve_family(obj: Tag) -> str:
        return obj.term.vocabulary.family

    @staticmethod
    def resolve_code(obj: Tag) -> str:
        return obj.term.code

    @staticmethod
    def resolve_label(obj: Tag) -> str:
        return obj.term.label

    @staticmethod
    def resolve_recorded_at(obj: Tag) -> dt.datetime | None:
        return obj.created_at

    @staticmethod
    def resolve_recorded_by(obj: Tag) -> str | None:
        return str(obj.created_by) if obj.created_by else None


class NeedIn(InputSchema):
    family: ShortText = Field(description="needs or motivations", examples=["needs"])
    code: ShortText = Field(examples=["digitalisation"])
    priority: Literal["primary", "secondary"] = "primary"
    note: Text200 = ""


class LinkedNeedOut(Schema):
    family: str
    code: str
    label: str
    own: bool = Field(description="The actor's own need (not only through its organisations)")
    via: list[str] = Field(description="The organisations a person has the need from")
    measures: list[MeasureRef]


class StakeholderOut(Schema):
    organisation: OrganisationRef | None
    person: PersonRef | None
    interest: int
    influence: int
    quadrant: str = Field(description="key_players, keep_satisfied, keep_informed or monitor")
    note: str
    assessed_by: UserRef | None
    updated_at: dt.datetime
    needs: list[LinkedNeedOut] = Field(description="The needs and motivations shared with the lab's measures")


class StakeholderPage(Schema):
    count: int
    items: list[StakeholderOut]


class StakeholderIn(InputSchema):
    """An organisation or a person, and where they stand (an actor already placed moves)."""

    organisation: ShortText | None = Field(None, description="The organisation's short name")
    person: uuid_module.UUID | None = Field(None, description="The person's ID")
    interest: Scale
    influence: Scale
    note: Text500 = ""


class StakeholderFilter(Schema):
    limit: Annotated[int, Field(ge=1, le=200)] = 100
    offset: Annotated[int, Field(ge=0, le=1_000_000)] = 0


class StakeholderDelete(Schema):
    organisation: ShortText | None = Field(None, description="The organisation's short name")
    person: uuid_module.UUID | None = Field(None, description="The person's ID")


# Interactions ----------------------------------------------------------------------------------------


@router.get(
    "/interactions", response=responses(200, list[InteractionOut], OFFICE_LIST_ERRORS), auth=WRITE_AUTH
)
@paginate(LimitOffsetPagination)
def list_interactions(request: HttpRequest, filters: Query[InteractionFilter]) -> QuerySet[Interaction]:
    """Interactions, newest first (the office only)."""
    user = office_user(request)
    queryset = Interaction.objects.visible_to(user)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.staff:
        staff = User.objects.filter(email__iexact=filters.staff.strip()).first()
        if staff is None:
            raise _query_error("staff", _("There is no user with this e-mail address."))
        queryset = queryset.filter(staff=staff)
    if filters.organisation:
        organisation = Organisation.objects.visible_to(user).filter(slug=filters.organisation).first()
        if organisation is None:
            raise _query_error("organisation", _("Unknown organisation."))
        queryset = queryset.filter(organisation=organisation)
    if filters.person:
        person = Person.objects.visible_to(user).filter(uuid=filters.person).first()
        if person is None:
            raise _query_error("person", _("Unknown person."))
        queryset = queryset.filter(participants=person)
    if filters.lab:
        queryset = queryset.filter(lab__slug=filters.lab)
    zone = timezone.get_default_timezone()
    if filters.since and filters.until and filters.until < filters.since:
        raise _query_error("until", _("The end of the period must not be before its start."))
    if filters.since:
        queryset = queryset.filter(occurred_at__gte=dt.datetime.combine(filters.since, dt.time(), zone))
    if filters.until:
        end = filters.until + dt.timedelta(days=1)
        queryset = queryset.filter(occurred_at__lt=dt.datetime.combine(end, dt.time(), zone))
    return with_details(queryset.order_by("-occurred_at", "-id"))


def _interaction_data(payload: InteractionIn | InteractionPatch) -> dict[str, Any]:
    """The fields sent, as the service takes them (an assignee left out or null is the acting user)."""
    return payload.dict(exclude_unset=True)


@router.post("/interactions", response=responses(201, InteractionOut, WRITE_ERRORS), auth=WRITE_AUTH)
def create_interaction(request: HttpRequest, payload: InteractionIn) -> Status[Interaction]:
    """Record an interaction (the office only); naive times are Berlin time."""
    user = office_user(request)
    interaction = services.record_interaction(user=user, data=_interaction_data(payload))
    return Status(201, interaction_or_404(user, str(interaction.uuid)))


@router.get(
    "/interactions/{uuid}", response=responses(200, InteractionOut, OFFICE_READ_ERRORS), auth=WRITE_AUTH
)
def get_interaction(request: HttpRequest, uuid: str) -> Interaction:
    return interaction_or_404(office_user(request), uuid)


@router.patch("/interactions/{uuid}", response=responses(200, InteractionOut, WRITE_ERRORS), auth=WRITE_AUTH)
def update_interaction(request: HttpRequest, uuid: str, payload: InteractionPatch) -> Interaction:
    """Change an interaction: only the fields sent (null clears an optional one)."""
    user = office_user(request)
    interaction = interaction_or_404(user, uuid)
    services.update_interaction(user=user, interaction=interaction, data=_interaction_data(payload))
    return interaction_or_404(user, uuid)


@router.delete("/interactions/{uuid}", response=responses(204, None, WRITE_ERRORS), auth=WRITE_AUTH)
def delete_interaction(request: HttpRequest, uuid: str) -> HttpResponse:
    """Delete an interaction with its follow-ups; last contacts fall back to the previous one."""
    user = office_user(request)
    services.delete_interaction(user=user, interaction=interaction_or_404(user, uuid))
    return HttpResponse(status=204)


# Needs and motivations -------------------------------------------------------------------------------


def _organisation_for_needs(request: HttpRequest, slug: str) -> tuple[User | AnonymousUser, Organisation]:
    user = get_user(request)
    organisation = _organisation(user, slug)
    if not needs_services.can_see_needs(user, organisation):
        if not isinstance(user, User):
            raise AuthenticationError()
        raise PermissionDenied(_("The needs of an organisation are internal data."))
    return user, organisation


@router.get("/organisations/{slug}/needs", response=responses(200, list[NeedOut], OFFICE_READ_ERRORS))
def list_organisation_needs(request: HttpRequest, slug: str) -> list[Tag]:
    """The organisation's needs and motivations (for those who see its internal data)."""
    _user, organisation = _organisation_for_needs(request, slug)
    return list(needs_services.needs_of(organisation))


@router.post("/organisations/{slug}/needs", response=responses(201, NeedOut, WRITE_ERRORS), auth=WRITE_AUTH)
def add_organisation_need(request: HttpRequest, slug: str, payload: NeedIn) -> Status[Tag]:
    """Record a need or motivation of the organisation (the office only)."""
    user = require_user(request)
    organisation = _organisation(user, slug)
    tag = needs_services.record_need(user=user, obj=organisation, **payload.dict())
    return Status(201, tag)


@router.delete(
    "/organisations/{slug}/needs/{family}/{code}",
    response=responses(204, None, WRITE_ERRORS),
    auth=WRITE_AUTH,
)
def remove_organisation_need(request: HttpRequest, slug: str, family: str, code: str) -> HttpResponse:
    """Remove a need or motivation of the organisation (the office only)."""
    user = require_user(request)
    organisation = _organisation(user, slug)
    if not can_see_personal_data(user):
        raise PermissionDenied(_("Only the office's staff record needs and motivations."))
    tag = needs_services.find_need(organisation, family, code[:50])
    if tag is None:
        raise Http404(
            _("“%(family)s:%(code)s” is not recorded here.") % {"family": family[:50], "code": code[:50]}
        )
    needs_services.remove_need(user=user, tag=tag)
    return HttpResponse(status=204)


@router.get(
    "/people/{uuid}/needs", response=responses(200, list[NeedOut], OFFICE_READ_ERRORS), auth=WRITE_AUTH
)
def list_person_needs(request: HttpRequest, uuid: str) -> list[Tag]:
    """The person's needs and motivations (the office only)."""
    user = office_user(request)
    return list(needs_services.needs_of(_person(user, uuid)))


@router.post("/people/{uuid}/needs", response=responses(201, NeedOut, WRITE_ERRORS), auth=WRITE_AUTH)
def add_person_need(request: HttpRequest, uuid: str, payload: NeedIn) -> Status[Tag]:
    user = office_user(request)
    tag = needs_services.record_need(user=user, obj=_person(user, uuid), **payload.dict())
    return Status(201, tag)


@router.delete(
    "/people/{uuid}/needs/{family}/{code}", response=responses(204, None, WRITE_ERRORS), auth=WRITE_AUTH
)
def remove_person_need(request: HttpRequest, uuid: str, family: str, code: str) -> HttpResponse:
    user = office_user(request)
    person = _person(user, uuid)
    tag = needs_services.find_need(person, family, code[:50])
    if tag is None:
        raise Http404(
            _("“%(family)s:%(code)s” is not recorded here.") % {"family": family[:50], "code": code[:50]}
        )
    needs_services.remove_need(user=user, tag=tag)
    return HttpResponse(status=204)


# Stakeholder analysis --------------------------------------------------------------------------------


def _stakeholder_items(user: User, lab: Lab, positions: list[StakeholderPosition]) -> list[dict[str, Any]]:
    analysis = stakeholder_services.stakeholder_analysis(user=user, lab=lab, positions=positions)
    return [
        {
            "organisation": row.position.organisation,
            "person": row.position.person,
            "interest": row.position.interest,
            "influence": row.position.influence,
            "quadrant": row.quadrant,
            "note": row.position.note,
            "assessed_by": row.position.assessed_by,
            "updated_at": row.position.updated_at,
            "needs": [
                {
                    "family": link.family,
                    "code": link.code,
                    "label": link.label,
                    "own": link.own,
                    "via": list(link.via),
                    "measures": link.measures,
                }
                for link in row.links
            ],
        }
        for row in analysis.rows
    ]


@router.get(
    "/labs/{slug}/stakeholders", response=responses(200, StakeholderPage, OFFICE_READ_ERRORS), auth=WRITE_AUTH
)
def list_stakeholders(request: HttpRequest, slug: str, filters: Query[StakeholderFilter]) -> dict[str, Any]:
    """The lab's actors on the interest × influence grid (1–5 each; 4 and 5 are high), most
    influential first, each with the needs it shares with the lab's measures (the office only)."""
    user = office_user(request)
    lab = _lab(user, slug)
    positions = stakeholder_services.positions_of(lab)
    page = list(positions[filters.offset : filters.offset + filters.limit])
    return {"count": positions.count(), "items": _stakeholder_items(user, lab, page)}


@router.put(
    "/labs/{slug}/stakeholders", response=responses(200, StakeholderOut, WRITE_ERRORS), auth=WRITE_AUTH
)
def set_stakeholder(request: HttpRequest, slug: str, payload: StakeholderIn) -> dict[str, Any]:
    """Place an organisation or a person on the lab's grid, or move it (administrators and the
    lab's coordinators)."""
    user = office_user(request)
    lab = _lab(user, slug)
    position = stakeholder_services.set_stakeholder_position(
        user=user,
        lab=lab,
        organisation=payload.organisation,
        person=str(payload.person) if payload.person else None,
        interest=payload.interest,
        influence=payload.influence,
        note=payload.note,
    )
    fresh = stakeholder_services.positions_of(lab).get(pk=position.pk)
    return _stakeholder_items(user, lab, [fresh])[0]


@router.delete("/labs/{slug}/stakeholders", response=responses(204, None, WRITE_ERRORS), auth=WRITE_AUTH)
def remove_stakeholder(request: HttpRequest, slug: str, filters: Query[StakeholderDelete]) -> HttpResponse:
    """Take an actor off the lab's grid: ``?organisation=<slug>`` or ``?person=<id>``."""
    user = office_user(request)
    lab = _lab(user, slug)
    if bool(filters.organisation) == bool(filters.person):
        raise _query_error("organisation", _("Name either an organisation or a person."))
    position = stakeholder_services.find_position(
        lab, organisation=filters.organisation or "", person=str(filters.person or "")
    )
    if position is None:
        raise Http404(_("This actor is not on the lab's grid."))
    stakeholder_services.remove_stakeholder_position(user=user, position=position)
    return HttpResponse(status=204)
