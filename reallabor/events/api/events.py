"""API endpoints of events: /api/v1/events.

Who sees which event is the pages' rule (``Event.objects.visible_to``): the public and members of
no lab the listed public events; partners listed events of either visibility and every event of
their labs; readers, coordinators and administrators all (drafts too). An event by invitation is
never shown to the public here (they reach it through their invitation link).

The office (``events.permissions.can_manage_event``) creates events (drafts), changes them,
publishes, cancels and deletes them (only while nobody registered). ``online_url`` is given to
those who manage the event only (participants find it in their e-mails and on their personal
page). Writes go through ``events.services.events``; field errors come back as 422 naming the
field (``questions[0].label``), a capacity below the seats taken is refused with both numbers.
"""

import datetime as dt
import uuid as uuid_module
from typing import Annotated, Any, Literal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import ValidationError as SchemaValidationError
from ninja.pagination import LimitOffsetPagination, paginate

from reallabor.api.auth import WRITE_AUTH, get_user, require_user
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
    responses,
)
from reallabor.events import links, permissions
from reallabor.events.api.common import (
    LabRef,
    Markdown,
    MeasureRef,
    SeriesRef,
    SlugList,
    Text200,
    Text500,
    event_or_404,
)
from reallabor.events.models import Event, Question, Registration
from reallabor.events.services import events as services
from reallabor.events.services.seats import Seats
from reallabor.labs.models import Measure

router = Router(tags=["Events"])

Format = Literal["in_person", "online", "hybrid"]
Visibility = Literal["public", "invitation"]
QuestionKind = Literal["text", "choice", "yes_no"]
Count0 = Annotated[int, Field(ge=0, le=100_000)]
Hours = Annotated[int, Field(ge=0, le=MAX_INT)]
Capacity = Annotated[int, Field(ge=1, le=100_000)]
Minutes = Annotated[int, Field(ge=1, le=MAX_INT)]


# Schemas ---------------------------------------------------------------------------------------------


class QuestionOut(Schema):
    id: int = Field(description="Answers name the question by this id.")
    position: int
    label: str
    help_text: str
    kind: str = Field(description="text, choice or yes_no")
    choices: list[str]
    required: bool


class SeatsOut(Schema):
    capacity: int | None = Field(description="null: unlimited")
    reserved_seats: int = Field(description="Kept for organisers (part of the capacity).")
    taken: int = Field(description="Seats held (registered, or offered to the waiting list).")
    free: int | None = Field(description="Open to new registrations; null: unlimited.")
    waiting: int = Field(description="People on the waiting list.")


def _seats(event: Event) -> Seats:
    return Seats(
        capacity=event.capacity,
        reserved_seats=event.reserved_seats,
        organisers=getattr(event, "seats_organisers", 0),
        others=getattr(event, "seats_others", 0),
        waiting=getattr(event, "seats_waiting", 0),
    )


class EventOut(Schema):
    uuid: uuid_module.UUID
    slug: str
    title: str
    description: str = Field(description="Markdown")
    series: SeriesRef | None
    starts_at: dt.datetime = Field(description="UTC (shown in Europe/Berlin)")
    ends_at: dt.datetime = Field(description="UTC")
    host: OrganisationRef | None = Field(description="The organisation hosting the event.")
    venue_name: str
    street: str
    postcode: str
    city: str
    address: str
    accessibility_notes: str
    format: str = Field(description="in_person, online or hybrid")
    online_url: str | None = Field(description="Only for those who manage the event; else null.")
    seats: SeatsOut
    registration_opens_at: dt.datetime | None = Field(description="null: open now")
    registration_closes_at: dt.datetime | None = Field(description="null: at the start")
    change_cutoff_hours: int
    offer_hours: int
    confirmation_hours: int
    reminder_offsets: list[int] = Field(description="Reminders, in minutes before the start.")
    agenda: str = Field(description="Markdown")
    lab: LabRef | None
    measures: list[MeasureRef]
    organisers: list[OrganisationRef]
    visibility: str = Field(description="public or invitation")
    status: str = Field(description="draft, published or cancelled")
    published_at: dt.datetime | None
    cancelled_at: dt.datetime | None
    minutes: str = Field(description="Markdown")
    results: str = Field(description="Markdown")
    questions: list[QuestionOut]
    revision: int
    url: str = Field(description="The event's page.")

    @staticmethod
    def resolve_online_url(obj: Event, context: Any) -> str | None:
        user = get_user(context["request"])
        return obj.online_url if permissions.can_manage_event(user, obj) else None

    @staticmethod
    def resolve_seats(obj: Event) -> dict[str, Any]:
        seats = _seats(obj)
        return {
            "capacity": seats.capacity,
            "reserved_seats": seats.reserved_seats,
            "taken": seats.taken,
            "free": seats.free,
            "waiting": seats.waiting,
        }

    @staticmethod
    def resolve_reminder_offsets(obj: Event) -> list[int]:
        return [int(offset) for offset in obj.reminder_offsets or []]

    @staticmethod
    def resolve_measures(obj: Event) -> list[Measure]:
        return list(obj.measures.all())

    @staticmethod
    def resolve_organisers(obj: Event) -> list[Any]:
        return list(obj.organisers.all())

    @staticmethod
    def resolve_questions(obj: Event) -> list[Question]:
        return list(obj.questions.all())

    @staticmethod
    def resolve_url(obj: Event) -> str:
        return links.event_url(obj)


class QuestionIn(InputSchema):
    id: Annotated[int, Field(ge=1, le=MAX_INT)] | None = Field(
        None, description="An existing question's id (its answers stay); none: a new question."
    )
    label: Annotated[Text, Field(max_length=300)]
    help_text: Text500 = ""
    kind: QuestionKind = "text"
    choices: Annotated[list[Text200], Field(max_length=30)] = Field(
        default_factory=list, description="For kind choice."
    )
    required: bool = False


class EventIn(InputSchema):
    """A new event (a draft: publish it with ``POST /events/{slug}/publish``). Times without a UTC
    offset are Berlin time."""

    title: Text200
    slug: Text200 | None = Field(None, description="Made from the title and the date when not given.")
    description: Markdown = ""
    series: ShortText | None = Field(None, description="The series' short name")
    starts_at: dt.datetime
    ends_at: dt.datetime
    host: ShortText | None = Field(None, description="The host organisation's short name")
    venue_name: Text200 = ""
    street: Text200 = ""
    postcode: Annotated[Text, Field(max_length=10)] = ""
    city: Annotated[Text, Field(max_length=100)] = ""
    accessibility_notes: Markdown = ""
    format: Format = "in_person"
    online_url: Text500 = Field("", description="Required online and hybrid.")
    capacity: Capacity | None = Field(None, description="null: unlimited")
    reserved_seats: Count0 = 0
    registration_opens_at: dt.datetime | None = None
    registration_closes_at: dt.datetime | None = None
    change_cutoff_hours: Hours | None = None
    offer_hours: Hours | None = None
    confirmation_hours: Hours | None = None
    reminder_offsets: Annotated[list[Minutes], Field(max_length=10)] | None = Field(
        None, description="Minutes before the start (default: 2880 and 120)."
    )
    agenda: Markdown = ""
    lab: ShortText | None = Field(None, description="The lab's short name; none: the office's own event.")
    measures: SlugList = Field(default_factory=list, description="Short names of measures of the lab")
    organisers: SlugList = Field(default_factory=list, description="Organisations' short names")
    visibility: Visibility = "public"
    minutes: Markdown = ""
    results: Markdown = ""
    questions: Annotated[list[QuestionIn], Field(max_length=20)] = Field(default_factory=list)


class EventPatch(InputSchema):
    """Only the fields sent are changed; ``questions`` is the complete new list. A capacity below
    the seats taken is refused; a higher one offers the new seats to the waiting list."""

    title: Text200 | None = None
    slug: Text200 | None = None
    description: Markdown | None = None
    series: ShortText | None = None
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    host: ShortText | None = None
    venue_name: Text200 | None = None
    street: Text200 | None = None
    postcode: Annotated[Text, Field(max_length=10)] | None = None
    city: Annotated[Text, Field(max_length=100)] | None = None
    accessibility_notes: Markdown | None = None
    format: Format | None = None
    online_url: Text500 | None = None
    capacity: Capacity | None = None
    reserved_seats: Count0 | None = None
    registration_opens_at: dt.datetime | None = None
    registration_closes_at: dt.datetime | None = None
    change_cutoff_hours: Hours | None = None
    offer_hours: Hours | None = None
    confirmation_hours: Hours | None = None
    reminder_offsets: Annotated[list[Minutes], Field(max_length=10)] | None = None
    agenda: Markdown | None = None
    lab: ShortText | None = None
    measures: SlugList | None = None
    organisers: SlugList | None = None
    visibility: Visibility | None = None
    minutes: Markdown | None = None
    results: Markdown | None = None
    questions: Annotated[list[QuestionIn], Field(max_length=20)] | None = None
    expected_revision: Revision | None = Field(
        None,
        description="The revision you loaded; a newer one on the server gives 409 instead of overwriting.",
    )


class EventFilter(Schema):
    series: ShortText | None = Field(None, description="The series' short name")
    lab: ShortText | None = Field(None, description="The lab's short name")
    status: Literal["draft", "published", "cancelled"] | None = None
    visibility: Visibility | None = None
    since: dt.date | None = Field(None, description="Starting on or after this day (Berlin time)")
    until: dt.date | None = Field(None, description="Starting up to and including this day (Berlin time)")
    q: ShortText | None = Field(None, description="Words in the title")


# Look-ups --------------------------------------------------------------------------------------------


def with_details(queryset: QuerySet[Event]) -> QuerySet[Event]:
    """Everything ``EventOut`` shows, in a constant number of queries however many events."""
    holding = Q(registrations__status__in=Registration.HOLDING)
    return (
        queryset.select_related("series", "host", "lab")
        .prefetch_related(
            Prefetch("measures", queryset=Measure.objects.select_related("lab").order_by("position", "id")),
            "organisers",
            "questions",
        )
        .annotate(
            seats_organisers=Count("registrations", filter=holding & Q(registrations__reserved=True)),
            seats_others=Count("registrations", filter=holding & Q(registrations__reserved=False)),
            seats_waiting=Count("registrations", filter=Q(registrations__status=Registration.Status.WAITING)),
        )
    )


def written(event: Event) -> Event:
    return with_details(Event.objects.filter(pk=event.pk)).get()


def _query_error(field: str, message: str) -> SchemaValidationError:
    return SchemaValidationError([{"loc": ["query", field], "msg": message, "type": "value_error"}])


def _input(payload: EventIn | EventPatch, *, partial: bool) -> tuple[dict[str, Any], int | None]:
    data = payload.dict(exclude_unset=partial)
    expected_revision = data.pop("expected_revision", None)
    if not partial:
        # Left out (None, or an empty list) is the service's default; a null capacity is unlimited.
        data = {
            key: value
            for key, value in data.items()
            if key == "capacity" or (value is not None and value != [])
        }
        if not data.get("slug"):
            data.pop("slug", None)
    if "questions" in data and data["questions"] is not None:
        data["questions"] = [
            {key: value for key, value in question.items() if key != "id" or value is not None}
            for question in data["questions"]
        ]
    return data, expected_revision


# Endpoints -------------------------------------------------------------------------------------------


@router.get("/events", response=responses(200, list[EventOut], LIST_ERRORS))
@paginate(LimitOffsetPagination)
def list_events(request: HttpRequest, filters: Query[EventFilter]) -> QuerySet[Event]:
    """The events you may see, by start (the public: published public events)."""
    queryset = Event.objects.visible_to(get_user(request))
    if filters.series:
        queryset = queryset.filter(series__slug=filters.series)
    if filters.lab:
        queryset = queryset.filter(lab__slug=filters.lab)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.visibility:
        queryset = queryset.filter(visibility=filters.visibility)
    zone = timezone.get_default_timezone()
    if filters.since and filters.until and filters.until < filters.since:
        raise _query_error("until", _("The end of the period must not be before its start."))
    if filters.since:
        queryset = queryset.filter(starts_at__gte=dt.datetime.combine(filters.since, dt.time(), zone))
    if filters.until:
        end = filters.until + dt.timedelta(days=1)
        queryset = queryset.filter(starts_at__lt=dt.datetime.combine(end, dt.time(), zone))
    for word in (filters.q or "").split()[:5]:
        queryset = queryset.filter(title__icontains=word)
    return with_details(queryset.order_by("starts_at", "id"))


@router.get("/events/{slug}", response=responses(200, EventOut, READ_ERRORS))
def get_event(request: HttpRequest, slug: str) -> Event:
    """An event with its venue, seats, questions and ``revision``."""
    return written(event_or_404(get_user(request), slug))


@router.post("/events", response=responses(201, EventOut, WRITE_ERRORS), auth=WRITE_AUTH)
def create_event(request: HttpRequest, payload: EventIn) -> Status[Event]:
    """Create an event as a draft (administrators and lab coordinators)."""
    user = require_user(request)
    data, _revision = _input(payload, partial=False)
    event = services.create_event(user=user, data=data)
    return Status(201, written(event))


@router.patch("/events/{slug}", response=responses(200, EventOut, WRITE_ERRORS), auth=WRITE_AUTH)
def update_event(request: HttpRequest, slug: str, payload: EventPatch) -> Event:
    """Change an event (those who manage it)."""
    user = require_user(request)
    event = event_or_404(user, slug)
    data, expected_revision = _input(payload, partial=True)
    event = services.update_event(user=user, event=event, data=data, expected_revision=expected_revision)
    return written(event)


@router.post("/events/{slug}/publish", response=responses(200, EventOut, WRITE_ERRORS), auth=WRITE_AUTH)
def publish_event(request: HttpRequest, slug: str) -> Event:
    """Publish the event: listed (a public one in the calendar) and open for registration."""
    user = require_user(request)
    event = services.publish_event(user=user, event=event_or_404(user, slug))
    return written(event)


@router.post("/events/{slug}/cancel", response=responses(200, EventOut, WRITE_ERRORS), auth=WRITE_AUTH)
def cancel_event(request: HttpRequest, slug: str) -> Event:
    """Call the event off; everybody registered or waiting is told by e-mail."""
    user = require_user(request)
    event = services.cancel_event(user=user, event=event_or_404(user, slug))
    return written(event)


@router.delete("/events/{slug}", response=responses(204, None, WRITE_ERRORS), auth=WRITE_AUTH)
def delete_event(request: HttpRequest, slug: str) -> HttpResponse:
    """Delete an event created by mistake, while nobody has registered (else cancel it)."""
    user = require_user(request)
    services.delete_event(user=user, event=event_or_404(user, slug))
    return HttpResponse(status=204)
