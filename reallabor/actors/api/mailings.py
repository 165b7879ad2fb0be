"""API endpoints of mailings: /api/v1/mailings (the office only: administrators and lab coordinators).

A mailing is a draft until ``POST /mailings/{uuid}/send`` freezes its recipients and hands it to
the worker; only drafts are changed or deleted (409 otherwise). ``/preview`` renders the message
for a sample recipient with the counts of the segment; ``/recipients`` is the log of who
received it. Writes go through ``actors.services.mailings``.
"""

from __future__ import annotations

import datetime
import uuid as uuid_module
from typing import Annotated, Any, Literal

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from reallabor.accounts.models import User
from reallabor.actors.mail import Recipient, render_mail
from reallabor.actors.models import Mailing, MailingRecipient
from reallabor.actors.permissions import can_see_personal_data
from reallabor.actors.services import mailings as services
from reallabor.api.auth import WRITE_AUTH, get_user
from reallabor.api.schemas import READ_ERRORS, WRITE_ERRORS, ErrorOut, InputSchema, Text, responses
from reallabor.labs.models import Measure

router = Router(tags=["Mailings"])

OFFICE_ERRORS: dict[int, Any] = {**READ_ERRORS, 403: ErrorOut}

PurposeName = Literal["newsletter", "event_follow_up", "matching", "benchmarking", "photos"]
MeasureText = Annotated[
    Text, Field(max_length=250, examples=["digitale-koproduktion-im-handwerk/handwerksfruehstueck"])
]


class SegmentRef(Schema):
    uuid: uuid_module.UUID
    name: str


class MeasureRef(Schema):
    lab: str
    slug: str
    title: str

    @staticmethod
    def resolve_lab(obj: Measure) -> str:
        return obj.lab.slug


class MailingOut(Schema):
    uuid: uuid_module.UUID
    subject: str
    body: str = Field(description="Markdown")
    segment: SegmentRef | None
    purpose: str = Field(
        description="The consent purpose: only people who consented to it receive the mailing."
    )
    measures: list[MeasureRef] = Field(
        description="Their added value per target group goes into the message."
    )
    status: str = Field(description="draft, queued, sending or sent")
    created_at: datetime.datetime
    queued_at: datetime.datetime | None
    sent_at: datetime.datetime | None
    url: str = Field(description="The mailing's page.")

    @staticmethod
    def resolve_measures(obj: Mailing) -> list[Measure]:
        return list(obj.measures.all())

    @staticmethod
    def resolve_url(obj: Mailing) -> str:
        return obj.get_absolute_url()


class RecipientCounts(Schema):
    total: int
    queued: int
    sending: int = Field(description="Taken up by the worker; not confirmed by the mail server (yet).")
    sent: int
    failed: int
    skipped: int


class MailingDetail(MailingOut):
    counts: RecipientCounts = Field(description="The recipients by status (all zero for a draft).")

    @staticmethod
    def resolve_counts(obj: Mailing) -> dict[str, int]:
        return services.recipient_counts(obj)


class MailingIn(InputSchema):
    subject: Annotated[Text, Field(max_length=services.SUBJECT_MAX)]
    body: Annotated[Text, Field(max_length=services.BODY_MAX, description="Markdown")]
    segment: uuid_module.UUID | None = Field(None, description="The segment's uuid; required for sending.")
    purpose: PurposeName = "newsletter"
    measures: list[MeasureText] = Field(
        default_factory=list, max_length=100, description="Measures as “lab-slug/measure-slug”."
    )


class MailingPatch(InputSchema):
    """Only the fields sent are changed (drafts only)."""

    subject: Annotated[Text, Field(max_length=services.SUBJECT_MAX)] | None = None
    body: Annotated[Text, Field(max_length=services.BODY_MAX)] | None = None
    segment: uuid_module.UUID | None = None
    purpose: PurposeName | None = None
    measures: list[MeasureText] | None = Field(None, max_length=100)


class PreviewOut(Schema):
    subject: str
    text: str = Field(description="The plain-text part.")
    html: str = Field(description="The HTML part.")
    sample_recipient: str | None = Field(
        description="Whom the preview addresses: the first recipient by name."
    )
    people_in_segment: int
    reachable: int = Field(
        description="Of those, the people with a valid consent and a working e-mail address."
    )


class SendOut(Schema):
    uuid: uuid_module.UUID
    status: str
    recipients: int = Field(description="How many recipients were queued.")


class RecipientOut(Schema):
    person: uuid_module.UUID | None = Field(description="The person's uuid (none once erased).")
    name: str
    email: str
    status: str = Field(
        description="queued, sending (taken up, delivery not confirmed: maybe delivered), sent, failed or skipped"
    )
    sent_at: datetime.datetime | None
    error: str

    @staticmethod
    def resolve_person(obj: MailingRecipient) -> uuid_module.UUID | None:
        return obj.person.uuid if obj.person else None

    @staticmethod
    def resolve_name(obj: MailingRecipient) -> str:
        return obj.person.name if obj.person else ""


def _office_user(request: HttpRequest) -> User | AnonymousUser:
    user = get_user(request)
    if not can_see_personal_data(user):
        raise PermissionDenied(
            _("Only the office's staff (administrators and lab coordinators) see the actors' personal data.")
        )
    return user


def _mailings(user: Any) -> QuerySet[Mailing]:
    return (
        Mailing.objects.visible_to(user)
        .select_related("segment")
        .prefetch_related(
            Prefetch(
                "measures",
                queryset=Measure.objects.select_related("lab").order_by("lab__name", "position", "id"),
            )
        )
    )


def _get_mailing(user: Any, uuid: str) -> Mailing:
    try:
        key = uuid_module.UUID(uuid)
    except ValueError:
        key = None
    mailing = _mailings(user).filter(uuid=key).first() if key else None
    if mailing is None:
        raise Http404(_("Mailing “%(uuid)s” not found.") % {"uuid": uuid[:50]})
    return mailing


def _data(payload: InputSchema) -> dict[str, Any]:
    data = payload.dict(exclude_unset=True)
    if data.get("segment") is not None:
        data["segment"] = str(data["segment"])
    return data


@router.get("/mailings", response=responses(200, list[MailingOut], OFFICE_ERRORS), auth=WRITE_AUTH)
@paginate(LimitOffsetPagination)
def list_mailings(request: HttpRequest) -> QuerySet[Mailing]:
    """The mailings, newest first."""
    return _mailings(_office_user(request)).order_by("-created_at", "-id")


@router.post("/mailings", response=responses(201, MailingDetail, WRITE_ERRORS), auth=WRITE_AUTH)
def create_mailing(request: HttpRequest, payload: MailingIn) -> Status[Mailing]:
    """Write a draft."""
    user = _office_user(request)
    mailing = services.create_mailing(user=user, data=_data(payload))
    return Status(201, _get_mailing(user, str(mailing.uuid)))


@router.get("/mailings/{uuid}", response=responses(200, MailingDetail, OFFICE_ERRORS), auth=WRITE_AUTH)
def get_mailing(request: HttpRequest, uuid: str) -> Mailing:
    """A mailing with the count of its recipients by status."""
    return _get_mailing(_office_user(request), uuid)


@router.patch("/mailings/{uuid}", response=responses(200, MailingDetail, WRITE_ERRORS), auth=WRITE_AUTH)
def update_mailing(request: HttpRequest, uuid: str, payload: MailingPatch) -> Mailing:
    """Change a draft (409 once it has been sent)."""
    user = _office_user(request)
    mailing = _get_mailing(user, uuid)
    services.update_mailing(user=user, mailing=mailing, data=_data(payload))
    return _get_mailing(user, uuid)


@router.delete("/mailings/{uuid}", response=responses(204, None, WRITE_ERRORS), auth=WRITE_AUTH)
def delete_mailing(request: HttpRequest, uuid: str) -> HttpResponse:
    """Delete a draft (409 once it has been sent: it is the record of who received it)."""
    user = _office_user(request)
    services.delete_mailing(user=user, mailing=_get_mailing(user, uuid))
    return HttpResponse(status=204)


@router.get("/mailings/{uuid}/preview", response=responses(200, PreviewOut, OFFICE_ERRORS), auth=WRITE_AUTH)
def preview_mailing(request: HttpRequest, uuid: str) -> dict[str, Any]:
    """The message as the first recipient by name would get it (its unsubscribe link changes
    nothing), and how many people the segment holds and how many of them can receive it."""
    user = _office_user(request)
    mailing = _get_mailing(user, uuid)
    audience = services.audience(mailing, user=user)
    person = services.sample_recipient(mailing, user=user)
    if person is None:
        recipient = Recipient(
            email="erika.mustermann@example.org", first_name="Erika", last_name="Mustermann"
        )
    else:
        groups = services.recipient_groups([person.pk]).get(person.pk, frozenset())
        recipient = Recipient.of(person, groups=groups)
    rendered = render_mail(mailing, services.mailing_blocks(mailing), recipient, preview=True)
    return {
        "subject": rendered.subject,
        "text": rendered.text,
        "html": rendered.html,
        "sample_recipient": person.name if person else None,
        "people_in_segment": audience.in_segment,
        "reachable": audience.reachable,
    }


@router.post("/mailings/{uuid}/send", response=responses(200, SendOut, WRITE_ERRORS), auth=WRITE_AUTH)
def send_mailing(request: HttpRequest, uuid: str) -> dict[str, Any]:
    """Freeze the recipients and hand the mailing to the worker. 422 when nobody in the segment
    consented to the purpose; 409 when it was sent already."""
    user = _office_user(request)
    mailing = _get_mailing(user, uuid)
    count = services.send_mailing(user=user, mailing=mailing)
    mailing.refresh_from_db(fields=["status"])
    return {"uuid": mailing.uuid, "status": mailing.status, "recipients": count}


@router.get(
    "/mailings/{uuid}/recipients", response=responses(200, list[RecipientOut], OFFICE_ERRORS), auth=WRITE_AUTH
)
@paginate(LimitOffsetPagination)
def list_recipients(request: HttpRequest, uuid: str) -> QuerySet[MailingRecipient]:
    """The log: every recipient of a sent mailing with the status and, for failures, the error."""
    mailing = _get_mailing(_office_user(request), uuid)
    return MailingRecipient.objects.filter(mailing=mailing).select_related("person").order_by("pk")
