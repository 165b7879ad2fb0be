"""API endpoints of the digital-maturity check: /api/v1/checks.

Who sees which stored check is ``Response.objects.visible_to``: the office (administrators and lab
coordinators) every check, a member of an organisation the organisation's own checks and those
shared with it (e.g. a chamber's advisors), everybody else none (invisible → 404). The business
itself reaches its check through its personal link on the pages, not here.

``POST /checks`` stores a complete answer file for an organisation the user may act for (its
members and the office; ``permissions.can_start_check``): started, answered and submitted in one
go through ``assessment.services`` (a bad file stores nothing). Problems come back as 422 naming
the question (``["body", "answers", "4a"]``) or the dimension of the relevance
(``["body", "relevance", "2"]``).

A draft the user sees is answered in parts (``PATCH /checks/{uuid}``) and submitted
(``POST /checks/{uuid}/submit``) by its organisation's members and the office
(``permissions.can_answer``); those it is only shared with read it (403).
"""

import datetime as dt
import uuid as uuid_module
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from reallabor.api.auth import WRITE_AUTH, require_user
from reallabor.api.schemas import (
    LIST_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    InputSchema,
    OrganisationRef,
    ShortText,
    responses,
)
from reallabor.assessment import permissions, selectors, services
from reallabor.assessment.models import Response
from reallabor.organisations.models import Organisation

router = Router(tags=["Checks"])

Key = Annotated[str, Field(max_length=20)]


class GapOut(Schema):
    dimension: str
    gap: Decimal = Field(description="Relevance minus maturity, in points (largest first).")


class ResultOut(Schema):
    overall: Decimal = Field(description="0–100")
    band: str
    band_label: str
    dimensions: dict[str, Decimal] = Field(description="Dimension id → score 0–100")
    gaps: list[GapOut]


class CheckOut(Schema):
    uuid: uuid_module.UUID
    organisation: OrganisationRef | None
    questionnaire: str
    version: int
    status: str = Field(description="draft or submitted")
    source: str = Field(description="online, advisor or import")
    started_at: dt.datetime
    submitted_at: dt.datetime | None
    answers: dict[str, Any]
    relevance: dict[str, Any] | None
    result: ResultOut | None = Field(description="The stored scores of a submitted check; else null.")

    @staticmethod
    def resolve_questionnaire(obj: Response) -> str:
        return obj.questionnaire.slug

    @staticmethod
    def resolve_version(obj: Response) -> int:
        return obj.questionnaire.version

    @staticmethod
    def resolve_started_at(obj: Response) -> dt.datetime:
        return obj.created_at

    @staticmethod
    def resolve_result(obj: Response) -> dict[str, Any] | None:
        result = selectors.stored_result(obj)
        if result is None:
            return None
        return {
            "overall": result.overall,
            "band": result.band,
            "band_label": result.band_label,
            "dimensions": result.dimensions,
            "gaps": [{"dimension": key, "gap": gap} for key, gap in result.rounded_gaps],
        }


class CheckFilter(Schema):
    organisation: ShortText | None = Field(None, description="The organisation's short name")
    status: Literal["draft", "submitted"] | None = None


class CheckIn(InputSchema):
    """A complete answer file (dma.md) for an organisation, stored as a submitted check."""

    organisation: ShortText = Field(description="The organisation's short name.")
    questionnaire: Annotated[str, Field(max_length=50)] = services.DEFAULT_QUESTIONNAIRE
    version: Annotated[int, Field(ge=1, le=1000)] | None = Field(
        None, description="The questionnaire's version (default: the current one)."
    )
    answers: Annotated[dict[Key, Any], Field(max_length=100)] = Field(
        description="Question id → answer, as in the answer file."
    )
    relevance: Annotated[dict[Key, Any], Field(max_length=20)] | None = Field(
        None, description="Dimension → relevance 1–5."
    )
    context: dict[Key, Any] | None = Field(
        None, description="trade, headcount_band, founding_year, district, benchmark_consent"
    )
    source: Literal["online", "advisor"] = "advisor"


def _checks() -> QuerySet[Response]:
    return Response.objects.select_related("questionnaire", "organisation")


@router.get("/checks", response=responses(200, list[CheckOut], LIST_ERRORS), auth=WRITE_AUTH)
@paginate(LimitOffsetPagination)
def list_checks(request: HttpRequest, filters: Query[CheckFilter]) -> QuerySet[Response]:
    """The checks you may see, newest first (office: all; members: their organisation's and those
    shared with it)."""
    user = require_user(request)
    queryset = _checks().filter(pk__in=Response.objects.visible_to(user).values("pk"))
    if filters.organisation:
        queryset = queryset.filter(organisation__slug=filters.organisation)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    return queryset.order_by("-created_at", "-id")


@router.get("/checks/{uuid}", response=responses(200, CheckOut, READ_ERRORS), auth=WRITE_AUTH)
def get_check(request: HttpRequest, uuid: uuid_module.UUID) -> Response:
    """A check with its answers and stored result."""
    return _visible_check(require_user(request), uuid)


@router.post("/checks", response=responses(201, CheckOut, WRITE_ERRORS), auth=WRITE_AUTH)
def submit_check(request: HttpRequest, payload: CheckIn) -> Status[Response]:
    """Store a complete answer file for an organisation (its members and the office) and score it."""
    user = require_user(request)
    organisation = Organisation.objects.filter(slug=payload.organisation).first()
    if organisation is None:
        if not permissions.is_office(user):
            raise PermissionDenied(_("You may not submit a check for this organisation."))
        raise ValidationError({"organisation": [_("There is no organisation with this short name.")]})
    if not permissions.can_start_check(user, organisation):
        raise PermissionDenied(_("You may not submit a check for this organisation."))
    data: dict[str, Any] = {"answers": payload.answers, "relevance": payload.relevance}
    with transaction.atomic():
        response = services.start_check(
            user=user,
            questionnaire=payload.questionnaire,
            organisation=organisation,
            source=payload.source,
            context=payload.context,
        )
        if payload.version is not None and payload.version != response.questionnaire.version:
            raise ValidationError(
                {
                    "version": [
                        _("The current version of this questionnaire is %(version)s.")
                        % {"version": response.questionnaire.version}
                    ]
                }
            )
        services.save_answers(user=user, response=response, data=data)
        response = services.submit_check(user=user, response=response)
    return Status(201, _checks().get(pk=response.pk))


class AnswersPatch(InputSchema):
    """Part of the answers of a draft: given answers replace the stored ones per question (null
    removes one); what is given is checked, the draft may stay incomplete."""

    answers: Annotated[dict[Key, Any], Field(max_length=100)] | None = None
    relevance: Annotated[dict[Key, Any], Field(max_length=20)] | None = None
    context: dict[Key, Any] | None = None


def _visible_check(user: Any, uuid: uuid_module.UUID) -> Response:
    response = _checks().filter(pk__in=Response.objects.visible_to(user).values("pk"), uuid=uuid).first()
    if response is None:
        raise Http404(_("Check not found."))
    return response


@router.patch("/checks/{uuid}", response=responses(200, CheckOut, WRITE_ERRORS), auth=WRITE_AUTH)
def save_answers(request: HttpRequest, uuid: uuid_module.UUID, payload: AnswersPatch) -> Response:
    """Save answers of a draft (its organisation's members and the office)."""
    user = require_user(request)
    response = _visible_check(user, uuid)
    services.save_answers(user=user, response=response, data=payload.dict(exclude_unset=True))
    return _checks().get(pk=response.pk)


@router.post("/checks/{uuid}/submit", response=responses(200, CheckOut, WRITE_ERRORS), auth=WRITE_AUTH)
def submit_draft(request: HttpRequest, uuid: uuid_module.UUID) -> Response:
    """Check the draft's answers completely, score and submit it (missing answers → 422 naming them)."""
    user = require_user(request)
    response = services.submit_check(user=user, response=_visible_check(user, uuid))
    return _checks().get(pk=response.pk)
