"""API endpoints of segments: saved filters over actors with live counts (the office only).

/segments                 list (with the current counts) / POST a new one
/segments/count           POST criteria → the counts (live counting while criteria are edited)
/segments/{uuid}          GET / PATCH / DELETE (409 while a mailing uses the segment)
/segments/{uuid}/members  the organisations or people who match now (paginated)

Segments hold personal data: administrators and lab coordinators only (anonymous 401, anybody
else 403). Writes go through ``actors.services.segments``; a bad criterion comes back as 422 at
``["body", "criteria", "<criterion>"]``. Counts cost one count query per segment (two for a segment of
organisations: the organisations, and the people there with the reachable ones among them).
"""

from __future__ import annotations

import datetime as dt
import uuid as uuid_module
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import NoReverseMatch
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from reallabor.accounts.models import User
from reallabor.actors import filters
from reallabor.actors.criteria import MAX_DAYS, CriteriaError
from reallabor.actors.models import Affiliation, Person, Segment
from reallabor.actors.permissions import can_see_personal_data
from reallabor.actors.services import segments as services
from reallabor.api.auth import WRITE_AUTH, get_user, require_user
from reallabor.api.schemas import (
    LIST_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    InputSchema,
    OrganisationRef,
    ShortText,
    Text,
    responses,
)
from reallabor.organisations.models import Organisation

router = Router(tags=["Segments"])

OFFICE_READ_ERRORS = {**READ_ERRORS, 403: WRITE_ERRORS[403]}
OFFICE_LIST_ERRORS = {**LIST_ERRORS, 403: WRITE_ERRORS[403]}

Subject = Literal["organisations", "people"]
Kind = Literal["company", "science", "multiplier", "politics", "civil_society", "administration"]
SubKind = Literal[
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
HeadcountBand = Literal["1-4", "5-9", "10-19", "20-49", "50-249", "250+"]
AllianceStatus = Literal["member", "applicant", "former", "none"]
PurposeCode = Literal["newsletter", "event_follow_up", "matching", "benchmarking", "photos"]
Days = Annotated[int, Field(ge=0, le=MAX_DAYS)]
Codes = Annotated[list[ShortText], Field(max_length=500)]


def _office(request: HttpRequest) -> User:
    """The signed-in member of the office (administrators, lab coordinators), else 401/403."""
    user = require_user(request)
    if not can_see_personal_data(user):
        raise PermissionDenied(
            _("Only the office's staff (administrators and lab coordinators) see the actors' personal data.")
        )
    return user


def _segment(user: User, uuid: str) -> Segment:
    try:
        key = uuid_module.UUID(str(uuid)[:64])
    except ValueError:
        raise Http404(_("Segment “%(uuid)s” not found.") % {"uuid": str(uuid)[:64]}) from None
    segment = Segment.objects.visible_to(user).filter(uuid=key).first()
    if segment is None:
        raise Http404(_("Segment “%(uuid)s” not found.") % {"uuid": key})
    return segment


# Schemas -------------------------------------------------------------------------------------------------


class CriteriaIn(InputSchema):
    """Every list holds alternatives (any of them); every criterion given must hold."""

    q: Annotated[Text, Field(max_length=200)] | None = Field(
        None, description="Organisations: in the name or city; people: every word in the name or e-mail."
    )
    kinds: list[Kind] | None = None
    sub_kinds: list[SubKind] | None = None
    sectors: Codes | None = Field(
        None,
        description="WZ 2008 codes; a section (“f”) includes its divisions (“41”, “42”, “43”).",
        examples=[["f", "16"]],
    )
    trades: Codes | None = Field(
        None, description="Trade codes of the crafts code; a list (“a”, “b1”, “b2”) includes its trades."
    )
    districts: Codes | None = None
    headcount_bands: list[HeadcountBand] | None = None
    needs: Codes | None = Field(None, description="Codes of the needs vocabulary, e.g. skilled-workers.")
    motivations: Codes | None = Field(None, description="Codes of the motivations vocabulary.")
    labs: Codes | None = Field(None, description="Lab slugs: organisations taking part in the lab.")
    alliance: list[AllianceStatus] | None = Field(
        None, description="Wirtschaftsallianz; “none”: not a member."
    )
    contacted_within_days: Days | None = None
    not_contacted_for_days: Days | None = Field(None, description="Never contacted counts as not contacted.")
    consent: PurposeCode | None = Field(None, description="People only: a valid consent for this purpose.")


def _criteria_data(criteria: CriteriaIn | None) -> dict[str, Any]:
    if criteria is None:
        return {}
    return {key: value for key, value in criteria.dict().items() if value not in (None, "", [])}


class CountsOut(Schema):
    members: int | None = Field(
        description="Organisations or people (by the segment's subject) matching now."
    )
    people: int | None = Field(
        description="The people reached: the members of a people segment, the people currently at the "
        "organisations of an organisation segment."
    )
    reachable: int | None = Field(
        description="Of the people reached: those with an e-mail address and a valid consent for the purpose."
    )
    purpose: str = Field(
        description="The consent purpose of “reachable”: the criterion consent, else newsletter."
    )
    error: str = Field(
        description="Criteria that refer to codes that no longer exist (then the numbers are null)."
    )


class SegmentOut(Schema):
    uuid: uuid_module.UUID
    name: str
    description: str
    subject: Subject
    criteria: dict[str, Any] = Field(
        description="The criteria as stored (see the criteria of POST /segments)."
    )
    created_at: dt.datetime
    updated_at: dt.datetime
    counts: CountsOut
    url: str = Field(description="The segment's page.")

    @staticmethod
    def resolve_counts(obj: Segment, context: dict[str, Any]) -> services.Counts:
        return services.segment_counts(obj, user=get_user(context["request"]))

    @staticmethod
    def resolve_url(obj: Segment) -> str:
        return obj.get_absolute_url()


class SegmentIn(InputSchema):
    name: Annotated[Text, Field(max_length=200)]
    subject: Subject
    description: Annotated[Text, Field(max_length=5000)] = ""
    criteria: CriteriaIn | None = None


class SegmentPatch(InputSchema):
    """Only the fields sent are changed; criteria sent replace the criteria as a whole."""

    name: Annotated[Text, Field(max_length=200)] | None = None
    subject: Subject | None = None
    description: Annotated[Text, Field(max_length=5000)] | None = None
    criteria: CriteriaIn | None = None


class CountIn(InputSchema):
    subject: Subject
    criteria: CriteriaIn | None = None


class MemberOut(Schema):
    type: Literal["organisation", "person"]
    id: str = Field(description="The organisation's short name (slug) or the person's UUID.")
    name: str
    email: str
    district: str
    last_contact_at: dt.datetime | None
    organisations: list[OrganisationRef] = Field(description="A person's current organisations.")
    url: str

    @staticmethod
    def resolve_type(obj: Organisation | Person) -> str:
        return "organisation" if isinstance(obj, Organisation) else "person"

    @staticmethod
    def resolve_id(obj: Organisation | Person) -> str:
        return obj.slug if isinstance(obj, Organisation) else str(obj.uuid)

    @staticmethod
    def resolve_organisations(obj: Organisation | Person) -> list[Organisation]:
        if isinstance(obj, Organisation):
            return []
        return [affiliation.organisation for affiliation in getattr(obj, "current_affiliations", [])]

    @staticmethod
    def resolve_url(obj: Organisation | Person) -> str:
        try:
            return obj.get_absolute_url()
        except NoReverseMatch:  # a page of another area that does not exist (yet)
            return ""


# Endpoints ------------------------------------------------------------------------------------------------


@router.get("/segments", response=responses(200, list[SegmentOut], OFFICE_LIST_ERRORS))
@paginate(LimitOffsetPagination)
def list_segments(request: HttpRequest) -> QuerySet[Segment]:
    """The segments by name, each with its current counts."""
    return Segment.objects.visible_to(_office(request)).order_by("name", "id")


@router.post("/segments", response=responses(201, SegmentOut, WRITE_ERRORS), auth=WRITE_AUTH)
def create_segment(request: HttpRequest, payload: SegmentIn) -> Status[Segment]:
    """Save criteria as a segment."""
    user = _office(request)
    data = payload.dict()
    data["criteria"] = _criteria_data(payload.criteria)
    return Status(201, services.create_segment(user=user, data=data))


@router.post("/segments/count", response=responses(200, CountsOut, WRITE_ERRORS), auth=WRITE_AUTH)
def count_segment(request: HttpRequest, payload: CountIn) -> services.Counts:
    """The counts of criteria not saved yet (for live counting while they are edited); changes nothing."""
    user = _office(request)
    criteria = services.clean_criteria(_criteria_data(payload.criteria), user=user)
    return services.count_criteria(payload.subject, criteria)


@router.get("/segments/{uuid}", response=responses(200, SegmentOut, OFFICE_READ_ERRORS))
def get_segment(request: HttpRequest, uuid: str) -> Segment:
    return _segment(_office(request), uuid)


@router.patch("/segments/{uuid}", response=responses(200, SegmentOut, WRITE_ERRORS), auth=WRITE_AUTH)
def update_segment(request: HttpRequest, uuid: str, payload: SegmentPatch) -> Segment:
    user = _office(request)
    segment = _segment(user, uuid)
    data = payload.dict(exclude_unset=True)
    if "criteria" in data:
        data["criteria"] = _criteria_data(payload.criteria)
    return services.update_segment(user=user, segment=segment, data=data)


@router.delete("/segments/{uuid}", response=responses(204, None, WRITE_ERRORS), auth=WRITE_AUTH)
def delete_segment(request: HttpRequest, uuid: str) -> HttpResponse:
    """Delete a segment; 409 while a mailing uses it."""
    user = _office(request)
    services.delete_segment(user=user, segment=_segment(user, uuid))
    return HttpResponse(status=204)


@router.get("/segments/{uuid}/members", response=responses(200, list[MemberOut], OFFICE_READ_ERRORS))
@paginate(LimitOffsetPagination)
def list_segment_members(request: HttpRequest, uuid: str) -> Any:
    """The organisations (by name) or people (by last name) who match the segment now."""
    user = _office(request)
    segment = _segment(user, uuid)
    try:
        criteria = filters.segment_criteria(segment, user=user)
        if segment.subject == Segment.Subject.ORGANISATIONS:
            return filters.organisations_matching(criteria).order_by("name", "id")
        return (
            filters.people_matching(criteria)
            .prefetch_related(
                Prefetch(
                    "affiliations",
                    queryset=Affiliation.objects.current().select_related("organisation"),
                    to_attr="current_affiliations",
                )
            )
            .order_by("last_name", "first_name", "id")
        )
    except CriteriaError as error:
        raise ValidationError(
            _("The segment refers to values that no longer exist: %(errors)s Edit its criteria.")
            % {"errors": "; ".join(f"{field}: {message}" for field, message in error.errors.items())},
            code="conflict",
        ) from error
