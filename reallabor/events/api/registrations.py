"""API endpoints of registrations: the office's participant lists and the participant's own link.

- **The office** (``events.permissions.can_see_participants``: administrators, and coordinators
  of the event's lab — for an event without a lab any coordinator) lists an event's
  registrations (``/events/{slug}/registrations``, waiting list included), registers people on
  their behalf (by phone; an organiser seat with ``reserved``), adds walk-ins at the door, reads,
  changes and cancels a registration (``/registrations/{uuid}``) and checks people in. Anybody
  else signed in gets 403, the anonymous 401; registrations of events the caller does not manage
  are 404.
- **A participant** has no account: their personal link's token (from the confirmation e-mail,
  ``services.tokens.Purpose.MANAGE``) is the credential. ``/registrations/by-token/{token}``
  shows their own registration only, changes the name, organisation and answers, and cancels it
  (within the self-service cut-off). A changed or cut token gives 400, an expired one or a
  registration gone 410, each with a message that says what to do.

Everything goes through ``events.services.registrations`` and ``.checkin`` (the participant acts
as ``user=None``).
"""

import datetime as dt
import uuid as uuid_module
from typing import Annotated, Any, Literal

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Concat
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate

from reallabor.accounts.models import User
from reallabor.actors.permissions import can_see_personal_data
from reallabor.api.auth import WRITE_AUTH, require_user
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
from reallabor.events import links, permissions
from reallabor.events.api.common import (
    TOKEN_ERRORS,
    EventRef,
    Text200,
    event_or_404,
    registration_or_404,
)
from reallabor.events.models import Event, Registration
from reallabor.events.services import checkin as checkin_services
from reallabor.events.services import registrations as services
from reallabor.events.services import tokens

router = Router(tags=["Registrations"])

OFFICE_READ_ERRORS = {**READ_ERRORS, 403: WRITE_ERRORS[403]}
OFFICE_LIST_ERRORS = {**LIST_ERRORS, 403: WRITE_ERRORS[403], 404: WRITE_ERRORS[404]}
Status_ = Literal["registered", "waiting", "offered", "cancelled", "declined", "lapsed"]
Name = Annotated[Text, Field(max_length=100)]
Email = Annotated[Text, Field(max_length=254)]
Answer = Annotated[Text, Field(max_length=2000)] | bool
Answers = Annotated[dict[Annotated[str, Field(max_length=20)], Answer], Field(max_length=20)]
Consents = Annotated[list[ShortText], Field(max_length=10)]


# Schemas ---------------------------------------------------------------------------------------------


class PersonRef(Schema):
    uuid: uuid_module.UUID = Field(description="The person in the actors' CRM (/api/v1/people/{uuid}).")
    name: str


class FeedbackOut(Schema):
    rating: int = Field(description="1 to 5")
    text: str
    next_topic: str = Field(description="What the next one should be about")
    created_at: dt.datetime
    updated_at: dt.datetime


class RegistrationOut(Schema):
    uuid: uuid_module.UUID
    event: EventRef
    person: PersonRef
    first_name: str
    last_name: str
    name: str
    email: str
    organisation_name: str = Field(description="As the person gave it.")
    organisation: OrganisationRef | None = Field(description="The organisation it was matched to.")
    status: str = Field(description="registered, waiting, offered, cancelled, declined or lapsed")
    reserved: bool = Field(description="An organiser seat.")
    source: str = Field(description="online, staff, invitation or walk_in")
    address_confirmed_at: dt.datetime | None = Field(description="null: the double opt-in is outstanding")
    confirm_by: dt.datetime | None = Field(description="Unconfirmed until then, the registration lapses.")
    waiting_since: dt.datetime | None
    offer_expires_at: dt.datetime | None
    code: str = Field(description="The short check-in code.")
    checked_in_at: dt.datetime | None
    answers: dict[str, Any] = Field(description="Question id → answer")
    cancelled_at: dt.datetime | None
    created_at: dt.datetime
    feedback: FeedbackOut | None

    @staticmethod
    def resolve_feedback(obj: Registration) -> Any:
        try:
            return obj.feedback
        except ObjectDoesNotExist:
            return None


class CheckInOut(Schema):
    registration: RegistrationOut
    already: bool = Field(description="The person had been checked in before (nothing changed).")
    message: str


class OwnEventOut(Schema):
    slug: str
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    status: str
    format: str
    address: str
    accessibility_notes: str
    online_url: str
    url: str = Field(description="The event's page.")

    @staticmethod
    def resolve_url(obj: Event) -> str:
        return links.event_url(obj)


class OwnRegistrationOut(Schema):
    """What the participant sees of their own registration."""

    uuid: uuid_module.UUID
    event: OwnEventOut
    first_name: str
    last_name: str
    email: str
    organisation_name: str
    status: str = Field(description="registered, waiting, offered, cancelled, declined or lapsed")
    confirmed: bool = Field(description="The e-mail address is confirmed.")
    offer_expires_at: dt.datetime | None = Field(description="A seat offered to you is held until then.")
    code: str = Field(description="Your check-in code.")
    checked_in: bool
    answers: dict[str, Any]
    changes_until: dt.datetime = Field(
        description="Until then you can change or cancel a seat yourself (a waiting list place always)."
    )

    @staticmethod
    def resolve_confirmed(obj: Registration) -> bool:
        return obj.is_confirmed

    @staticmethod
    def resolve_checked_in(obj: Registration) -> bool:
        return obj.checked_in_at is not None

    @staticmethod
    def resolve_changes_until(obj: Registration) -> dt.datetime:
        return services.cutoff(obj.event)


class RegistrationIn(InputSchema):
    """Registering someone on their behalf (by phone, e-mail): no double opt-in needed."""

    first_name: Name
    last_name: Name
    email: Email
    organisation_name: Text200 = ""
    organisation: ShortText | None = Field(None, description="Link to this organisation (short name).")
    reserved: bool = Field(False, description="An organiser seat (always a seat, from the reserved ones).")
    answers: Answers = Field(default_factory=dict, description="Question id → answer")
    consents: Consents = Field(
        default_factory=list, description="Purposes the person agreed to, e.g. newsletter, event_follow_up"
    )


class WalkInIn(InputSchema):
    """Somebody at the door without a registration: registered and checked in at once."""

    first_name: Name
    last_name: Name
    email: Email = Field("", description="Optional; an address already registered checks that one in.")
    organisation_name: Text200 = ""
    answers: Answers = Field(default_factory=dict)
    consents: Consents = Field(default_factory=list)


class RegistrationPatch(InputSchema):
    """Only the fields sent are changed (the address stays: cancel and register anew)."""

    first_name: Name | None = None
    last_name: Name | None = None
    organisation_name: Text200 | None = None
    organisation: ShortText | None = Field(None, description="The matched organisation (office only).")
    answers: Answers | None = None


class OwnRegistrationPatch(InputSchema):
    first_name: Name | None = None
    last_name: Name | None = None
    organisation_name: Text200 | None = None
    answers: Answers | None = None


class RegistrationFilter(Schema):
    status: Status_ | None = None
    checked_in: bool | None = None
    q: ShortText | None = Field(None, description="Words in the name, organisation or e-mail address")


# Look-ups --------------------------------------------------------------------------------------------


def _office(request: HttpRequest) -> User:
    """A signed-in member of the office, else 403 (the anonymous: 401)."""
    user = require_user(request)
    if not can_see_personal_data(user):
        raise PermissionDenied(
            _("Only the office's staff (administrators and lab coordinators) see the registrations.")
        )
    return user


def _managed_event(user: User, slug: str) -> Event:
    event = event_or_404(user, slug)
    if not permissions.can_see_participants(user, event):
        raise PermissionDenied(_("You do not manage the registrations of this event."))
    return event


def _details(queryset: QuerySet[Registration]) -> QuerySet[Registration]:
    return queryset.select_related("event", "organisation", "person", "feedback")


def _written(registration: Registration) -> Registration:
    return _details(Registration.objects.filter(pk=registration.pk)).get()


def _by_token(token: str) -> Registration:
    try:
        return tokens.registration_from_token(token, tokens.Purpose.MANAGE)
    except tokens.LinkTampered as error:
        raise HttpError(400, str(error)) from None
    except tokens.LinkError as error:  # expired, or the registration is gone
        raise HttpError(410, str(error)) from None


def _own(registration: Registration) -> Registration:
    return Registration.objects.select_related("event").get(pk=registration.pk)


# The participant's own registration (by their personal link) -------------------------------------------


@router.get(
    "/registrations/by-token/{token}", response=responses(200, OwnRegistrationOut, TOKEN_ERRORS), auth=None
)
def get_own_registration(request: HttpRequest, token: str) -> Registration:
    """Your registration, by the token of your personal link (no account needed)."""
    return _own(_by_token(token))


@router.patch(
    "/registrations/by-token/{token}", response=responses(200, OwnRegistrationOut, TOKEN_ERRORS), auth=None
)
def update_own_registration(request: HttpRequest, token: str, payload: OwnRegistrationPatch) -> Registration:
    """Change your name, organisation or answers (until the cut-off before the start)."""
    registration = _by_token(token)
    data = payload.dict(exclude_unset=True)
    registration = services.change_registration(user=None, registration=registration, data=data)
    return _own(registration)


@router.post(
    "/registrations/by-token/{token}/cancel",
    response=responses(200, OwnRegistrationOut, TOKEN_ERRORS),
    auth=None,
)
def cancel_own_registration(request: HttpRequest, token: str) -> Registration:
    """Cancel your registration; your seat goes to the next person on the waiting list."""
    registration = services.cancel_registration(user=None, registration=_by_token(token))
    return _own(registration)


# The office --------------------------------------------------------------------------------------------


@router.get(
    "/events/{slug}/registrations",
    response=responses(200, list[RegistrationOut], OFFICE_LIST_ERRORS),
    auth=WRITE_AUTH,
)
@paginate(LimitOffsetPagination)
def list_registrations(
    request: HttpRequest, slug: str, filters: Query[RegistrationFilter]
) -> QuerySet[Registration]:
    """The event's registrations with the waiting list, in the order they came (the office)."""
    user = _office(request)
    event = _managed_event(user, slug)
    queryset = Registration.objects.filter(event=event)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.checked_in is not None:
        queryset = queryset.filter(checked_in_at__isnull=not filters.checked_in)
    if filters.q:
        queryset = queryset.annotate(full_name=Concat("first_name", Value(" "), "last_name"))
        for word in filters.q.split()[:5]:
            queryset = queryset.filter(
                Q(full_name__icontains=word) | Q(organisation_name__icontains=word) | Q(email__icontains=word)
            )
    return _details(queryset.order_by("created_at", "id"))


@router.post(
    "/events/{slug}/registrations", response=responses(201, RegistrationOut, WRITE_ERRORS), auth=WRITE_AUTH
)
def create_registration(request: HttpRequest, slug: str, payload: RegistrationIn) -> Status[Registration]:
    """Register someone on their behalf: a seat when one is free, else the waiting list (the office).

    A second active registration with the same address is refused (422 on ``email``)."""
    user = _office(request)
    event = _managed_event(user, slug)
    data = payload.dict()
    if not data.get("organisation"):
        data.pop("organisation", None)
    registration = services.register(user=user, event=event, data=data)
    return Status(201, _written(registration))


@router.post("/events/{slug}/walk-ins", response=responses(201, CheckInOut, WRITE_ERRORS), auth=WRITE_AUTH)
def create_walk_in(request: HttpRequest, slug: str, payload: WalkInIn) -> Status[dict[str, Any]]:
    """Somebody came without registering: registered and checked in at once (from the event's day)."""
    user = _office(request)
    event = _managed_event(user, slug)
    result = checkin_services.walk_in(user=user, event=event, data=payload.dict())
    return Status(
        201,
        {"registration": _written(result.registration), "already": result.already, "message": result.message},
    )


@router.get(
    "/registrations/{uuid}", response=responses(200, RegistrationOut, OFFICE_READ_ERRORS), auth=WRITE_AUTH
)
def get_registration(request: HttpRequest, uuid: str) -> Registration:
    """A registration with the answers and the feedback (the office of the event)."""
    user = _office(request)
    return registration_or_404(user, uuid)


@router.patch(
    "/registrations/{uuid}", response=responses(200, RegistrationOut, WRITE_ERRORS), auth=WRITE_AUTH
)
def update_registration(request: HttpRequest, uuid: str, payload: RegistrationPatch) -> Registration:
    """Change the name, organisation or answers of a registration (the office, also after the cut-off)."""
    user = _office(request)
    registration = registration_or_404(user, uuid)
    data = payload.dict(exclude_unset=True)
    if "organisation" in data and not data["organisation"]:
        data["organisation"] = None
    registration = services.change_registration(user=user, registration=registration, data=data)
    return _written(registration)


@router.post(
    "/registrations/{uuid}/cancel", response=responses(200, RegistrationOut, WRITE_ERRORS), auth=WRITE_AUTH
)
def cancel_registration(request: HttpRequest, uuid: str) -> Registration:
    """Cancel for the person (the office, also after the cut-off); the seat goes to the waiting list."""
    user = _office(request)
    registration = services.cancel_registration(user=user, registration=registration_or_404(user, uuid))
    return _written(registration)


@router.post(
    "/registrations/{uuid}/check-in", response=responses(200, CheckInOut, WRITE_ERRORS), auth=WRITE_AUTH
)
def check_in(request: HttpRequest, uuid: str) -> dict[str, Any]:
    """Check the person in (from the event's day on); a second time changes nothing (``already``)."""
    user = _office(request)
    result = checkin_services.check_in(user=user, registration=registration_or_404(user, uuid))
    return {
        "registration": _written(result.registration),
        "already": result.already,
        "message": result.message,
    }


@router.post(
    "/registrations/{uuid}/undo-check-in",
    response=responses(200, RegistrationOut, WRITE_ERRORS),
    auth=WRITE_AUTH,
)
def undo_check_in(request: HttpRequest, uuid: str) -> Registration:
    """Take back a check-in made by mistake."""
    user = _office(request)
    registration = checkin_services.undo_check_in(user=user, registration=registration_or_404(user, uuid))
    return _written(registration)
