"""API endpoints of follow-ups (the office only: anonymous 401, anyone else 403).

A follow-up is added to its interaction (``/interactions/{uuid}/follow-ups``) and then addressed
by its own UUID: ``/follow-ups/{uuid}``, ``/follow-ups/{uuid}/complete``, ``…/reopen``. Writes go
through ``actors.services.followups``; their field errors come back as 422 naming the field.

The operation IDs are those the endpoints had in ``actors.api.interactions`` (clients generated
from the schema keep working).
"""

import datetime as dt
import uuid as uuid_module
from typing import Literal

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from reallabor.accounts.models import User
from reallabor.actors.api.interactions import (
    OFFICE_LIST_ERRORS,
    OFFICE_READ_ERRORS,
    FollowUpIn,
    FollowUpOut,
    interaction_or_404,
    office_user,
    uuid_or_404,
)
from reallabor.actors.models import FollowUp
from reallabor.actors.services import followups as services
from reallabor.api.auth import WRITE_AUTH
from reallabor.api.schemas import WRITE_ERRORS, OrganisationRef, responses

router = Router(tags=["Interactions"])
OPERATION_PREFIX = "reallabor_actors_api_interactions_"


class InteractionBrief(Schema):
    uuid: uuid_module.UUID
    subject: str
    occurred_at: dt.datetime
    organisation: OrganisationRef | None


class FollowUpListOut(FollowUpOut):
    interaction: InteractionBrief


class FollowUpFilter(Schema):
    mine: bool = Field(False, description="Only those assigned to you")
    status: Literal["open", "done", "all"] = "open"
    overdue: bool = Field(False, description="Only open ones past their due date")


@router.get(
    "/follow-ups",
    response=responses(200, list[FollowUpListOut], OFFICE_LIST_ERRORS),
    auth=WRITE_AUTH,
    operation_id=f"{OPERATION_PREFIX}list_follow_ups",
)
@paginate(LimitOffsetPagination)
def list_follow_ups(request: HttpRequest, filters: Query[FollowUpFilter]) -> QuerySet[FollowUp]:
    """Follow-ups by due date (``mine=true``: those assigned to you; open ones unless ``status`` says)."""
    user = office_user(request)
    queryset = FollowUp.objects.visible_to(user)
    if filters.mine:
        queryset = queryset.filter(assignee=user)
    if filters.status == "open" or filters.overdue:
        queryset = queryset.filter(done_at__isnull=True)
    elif filters.status == "done":
        queryset = queryset.filter(done_at__isnull=False)
    if filters.overdue:
        queryset = queryset.filter(due_date__lt=timezone.localdate())
    return queryset.select_related("assignee", "done_by", "interaction__organisation").order_by(
        "due_date", "id"
    )


def _follow_up(user: User, uuid: str) -> FollowUp:
    follow_up = services.get_follow_up(user, uuid_or_404(uuid, _("Follow-up")))
    if follow_up is None:
        raise Http404(_("Follow-up “%(id)s” not found.") % {"id": str(uuid)[:64]})
    return follow_up


@router.post(
    "/interactions/{uuid}/follow-ups",
    response=responses(201, FollowUpOut, WRITE_ERRORS),
    auth=WRITE_AUTH,
    operation_id=f"{OPERATION_PREFIX}add_follow_up",
)
def add_follow_up(request: HttpRequest, uuid: str, payload: FollowUpIn) -> Status[FollowUp]:
    """Add a follow-up: what to do, by when, by whom (default: you)."""
    user = office_user(request)
    interaction = interaction_or_404(user, uuid)
    follow_up = services.add_follow_up(
        user=user,
        interaction=interaction,
        title=payload.title,
        due_date=payload.due_date,
        assignee=payload.assignee or None,
    )
    return Status(201, _follow_up(user, str(follow_up.uuid)))


@router.get(
    "/follow-ups/{uuid}",
    response=responses(200, FollowUpListOut, OFFICE_READ_ERRORS),
    auth=WRITE_AUTH,
    operation_id=f"{OPERATION_PREFIX}get_follow_up",
)
def get_follow_up(request: HttpRequest, uuid: str) -> FollowUp:
    """One follow-up with its interaction (the office only)."""
    return _follow_up(office_user(request), uuid)


@router.post(
    "/follow-ups/{uuid}/complete",
    response=responses(200, FollowUpOut, WRITE_ERRORS),
    auth=WRITE_AUTH,
    operation_id=f"{OPERATION_PREFIX}complete_follow_up",
)
def complete_follow_up(request: HttpRequest, uuid: str) -> FollowUp:
    """Mark a follow-up as done (409 when it already is)."""
    user = office_user(request)
    services.complete_follow_up(user=user, follow_up=_follow_up(user, uuid))
    return _follow_up(user, uuid)


@router.post(
    "/follow-ups/{uuid}/reopen",
    response=responses(200, FollowUpOut, WRITE_ERRORS),
    auth=WRITE_AUTH,
    operation_id=f"{OPERATION_PREFIX}reopen_follow_up",
)
def reopen_follow_up(request: HttpRequest, uuid: str) -> FollowUp:
    """Open a done follow-up again (409 when it is open)."""
    user = office_user(request)
    services.reopen_follow_up(user=user, follow_up=_follow_up(user, uuid))
    return _follow_up(user, uuid)
