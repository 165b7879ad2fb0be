"""API endpoints of event series: /api/v1/event-series.

Everybody reads the public series; partners also their labs' series, readers and the office all
(``EventSeries.objects.visible_to``, as the pages). The office creates and changes series
(``events.permissions.can_manage_series``: administrators, the coordinators of the series' lab,
for a series without a lab any coordinator) and discontinues them (``cancel``: the events still
to come are cancelled, participants are told). Writes go through ``events.services.series``.
"""

import datetime as dt
import uuid as uuid_module

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from reallabor.api.auth import WRITE_AUTH, get_user, require_user
from reallabor.api.schemas import (
    LIST_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    InputSchema,
    OrganisationRef,
    Revision,
    ShortText,
    responses,
)
from reallabor.events import links
from reallabor.events.api.common import EventRef, LabRef, Markdown, SlugList, Text200, series_or_404
from reallabor.events.models import Event, EventSeries
from reallabor.events.services import series as services

router = Router(tags=["Event series"])


class SeriesOut(Schema):
    uuid: uuid_module.UUID
    slug: str
    title: str
    description: str = Field(description="Markdown")
    lab: LabRef | None
    organisers: list[OrganisationRef]
    is_public: bool = Field(description="Shown in the public calendar with its ICS feed.")
    revision: int
    created_at: dt.datetime
    updated_at: dt.datetime
    url: str = Field(description="The series' page.")

    @staticmethod
    def resolve_organisers(obj: EventSeries) -> list[object]:
        return list(obj.organisers.all())

    @staticmethod
    def resolve_url(obj: EventSeries) -> str:
        return links.series_url(obj)


class SeriesCancelled(Schema):
    series: SeriesOut
    cancelled: list[EventRef] = Field(description="The events still to come that were cancelled.")


class SeriesIn(InputSchema):
    title: Text200
    slug: Text200 | None = Field(None, description="Made from the title when not given.")
    description: Markdown = ""
    lab: ShortText | None = Field(None, description="The lab's short name; none: the office's own series.")
    organisers: SlugList = Field(default_factory=list, description="Organisations' short names")
    is_public: bool = True


class SeriesPatch(InputSchema):
    """Only the fields sent are changed."""

    title: Text200 | None = None
    slug: Text200 | None = None
    description: Markdown | None = None
    lab: ShortText | None = None
    organisers: SlugList | None = None
    is_public: bool | None = None
    expected_revision: Revision | None = Field(
        None,
        description="The revision you loaded; a newer one on the server gives 409 instead of overwriting.",
    )


class SeriesFilter(Schema):
    lab: ShortText | None = Field(None, description="The lab's short name")
    q: ShortText | None = Field(None, description="Words in the title")


def _queryset() -> QuerySet[EventSeries]:
    return EventSeries.objects.select_related("lab").prefetch_related("organisers")


def _written(series: EventSeries) -> EventSeries:
    return _queryset().get(pk=series.pk)


@router.get("/event-series", response=responses(200, list[SeriesOut], LIST_ERRORS))
@paginate(LimitOffsetPagination)
def list_series(request: HttpRequest, filters: Query[SeriesFilter]) -> QuerySet[EventSeries]:
    """The event series you may see, by title."""
    queryset = (
        EventSeries.objects.visible_to(get_user(request)).select_related("lab").prefetch_related("organisers")
    )
    if filters.lab:
        queryset = queryset.filter(lab__slug=filters.lab)
    for word in (filters.q or "").split()[:5]:
        queryset = queryset.filter(title__icontains=word)
    return queryset.order_by("title", "id")


@router.get("/event-series/{slug}", response=responses(200, SeriesOut, READ_ERRORS))
def get_series(request: HttpRequest, slug: str) -> EventSeries:
    """A series; its events: ``GET /events?series=<slug>``."""
    return series_or_404(get_user(request), slug)


@router.post("/event-series", response=responses(201, SeriesOut, WRITE_ERRORS), auth=WRITE_AUTH)
def create_series(request: HttpRequest, payload: SeriesIn) -> Status[EventSeries]:
    """Create a series (administrators and lab coordinators)."""
    user = require_user(request)
    data = payload.dict()
    if not data.get("slug"):
        data.pop("slug", None)
    series = services.create_series(user=user, data=data)
    return Status(201, _written(series))


@router.patch("/event-series/{slug}", response=responses(200, SeriesOut, WRITE_ERRORS), auth=WRITE_AUTH)
def update_series(request: HttpRequest, slug: str, payload: SeriesPatch) -> EventSeries:
    """Change a series, or make it public or not (``is_public``)."""
    user = require_user(request)
    series = series_or_404(user, slug)
    data = payload.dict(exclude_unset=True)
    expected_revision = data.pop("expected_revision", None)
    series = services.update_series(user=user, series=series, data=data, expected_revision=expected_revision)
    return _written(series)


@router.post(
    "/event-series/{slug}/cancel", response=responses(200, SeriesCancelled, WRITE_ERRORS), auth=WRITE_AUTH
)
def cancel_series(request: HttpRequest, slug: str) -> dict[str, object]:
    """Discontinue the series: its events still to come are cancelled and their participants told."""
    user = require_user(request)
    series = series_or_404(user, slug)
    cancelled = services.cancel_series(user=user, series=series)
    return {
        "series": _written(series),
        "cancelled": list(
            Event.objects.filter(pk__in=[event.pk for event in cancelled]).order_by("starts_at")
        ),
    }
