"""The actors' start page for the office: the way into people, contacts, segments, mailings and more."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from reallabor.actors.models import FollowUp, Interaction, Mailing, Person, Segment
from reallabor.actors.permissions import can_erase_people, can_view_audit_trail
from reallabor.actors.views.common import office_view


@office_view
def actors_home(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    mine = FollowUp.objects.visible_to(user).filter(assignee=user, done_at__isnull=True)
    context = {
        "crumbs": [(_("Home"), "/"), (_("Actors"), None)],
        "open_follow_ups": mine.count(),
        "overdue_follow_ups": mine.filter(due_date__lt=timezone.localdate()).count(),
        "people": Person.objects.visible_to(user).filter(anonymised_at__isnull=True).count(),
        "segments": Segment.objects.visible_to(user).count(),
        "draft_mailings": Mailing.objects.visible_to(user).filter(status=Mailing.Status.DRAFT).count(),
        "recent": Interaction.objects.visible_to(user).select_related("organisation")[:5],
        "may_erase": can_erase_people(user),
        "may_audit": can_view_audit_trail(user),
    }
    return render(request, "actors/actors_home.html", context)


urlpatterns = [path("akteure/", actors_home, name="actors-home")]
