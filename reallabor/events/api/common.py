"""Shared parts of the events' endpoints: look-ups with the pages' visibility, references, errors."""

import datetime as dt
import uuid as uuid_module
from typing import Annotated, Any

from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Schema

from reallabor.accounts.models import User
from reallabor.api.schemas import WRITE_ERRORS, ErrorOut, ShortText, Text, check_slug
from reallabor.events.models import Event, EventSeries, Registration

Text200 = Annotated[Text, Field(max_length=200)]
Text500 = Annotated[Text, Field(max_length=500)]
Markdown = Annotated[Text, Field(max_length=100_000)]
SlugList = Annotated[list[ShortText], Field(max_length=100)]

TOKEN_ERRORS: dict[int, Any] = {**WRITE_ERRORS, 410: ErrorOut}
"""Personal links: 400 for a changed or cut link, 410 for an expired one or a registration gone."""


def series_or_404(user: User | AnonymousUser, slug: str) -> EventSeries:
    """The series if the user sees it (the public: public series), else 404."""
    check_slug(slug, _("Event series"))
    series = (
        EventSeries.objects.visible_to(user)
        .select_related("lab")
        .prefetch_related("organisers")
        .filter(slug=slug)
        .first()
    )
    if series is None:
        raise Http404(_("Event series “%(slug)s” not found.") % {"slug": slug})
    return series


def event_or_404(user: User | AnonymousUser, slug: str) -> Event:
    """The event if the user sees it (as on the pages: ``Event.objects.visible_to``), else 404."""
    check_slug(slug, _("Event"))
    event = Event.objects.visible_to(user).select_related("lab", "series", "host").filter(slug=slug).first()
    if event is None:
        raise Http404(_("Event “%(slug)s” not found.") % {"slug": slug})
    return event


def registration_uuid(value: str) -> uuid_module.UUID:
    try:
        return uuid_module.UUID(str(value)[:64])
    except ValueError:
        raise Http404(_("Registration “%(id)s” not found.") % {"id": str(value)[:64]}) from None


def registration_or_404(user: User, uuid: str) -> Registration:
    """A registration of an event whose participants the user sees (personal data), else 404."""
    key = registration_uuid(uuid)
    registration = (
        Registration.objects.visible_to(user)
        .select_related("event__lab", "organisation", "person", "feedback")
        .filter(uuid=key)
        .first()
    )
    if registration is None:
        raise Http404(_("Registration “%(id)s” not found.") % {"id": key})
    return registration


class LabRef(Schema):
    slug: str
    name: str


class SeriesRef(Schema):
    slug: str
    title: str


class EventRef(Schema):
    slug: str
    title: str
    starts_at: dt.datetime = Field(description="UTC")
    ends_at: dt.datetime = Field(description="UTC")
    status: str


class MeasureRef(Schema):
    slug: str
    title: str
    lab: str = Field(description="The lab's short name.")

    @staticmethod
    def resolve_lab(obj: Any) -> str:
        return str(obj.lab.slug)
