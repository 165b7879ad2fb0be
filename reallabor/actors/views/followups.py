"""The follow-up pages (office only): "my open follow-ups", and completing or reopening one.

Follow-ups are addressed by their UUIDs (``/aufgaben/<uuid>/erledigt/``); every change goes
through ``actors.services.followups``. Completing and reopening work as plain form posts without
JavaScript (back to the page with a message); with htmx the item is swapped in place and the
outcome is announced in the page's live region ``#follow-up-status``, which stays on the page
(a live region swapped in with its text is not read out reliably).

"My open follow-ups" is one form around the whole list: each item's button posts it to the
item's URL (``formaction``), so the page renders one CSRF token, not one form per item. Its items
are plain rows with their URLs and labels made once per list. Adding a follow-up belongs to the
interaction's page (``views.interactions.followup_add``).
"""

from __future__ import annotations

import datetime as dt
import uuid as uuid_module
from itertools import groupby
from operator import itemgetter
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reallabor.actors.models import FollowUp
from reallabor.actors.services import followups as services
from reallabor.actors.views.common import office_view
from reallabor.core.views_helpers import (
    PLACEHOLDER_UUID,
    Row,
    UrlPattern,
    acting_user,
    is_htmx,
    safe_next,
)

PER_PAGE = 50
MAX_PAGE = 2000
LIST_TEMPLATE = "actors/followup_list.html"
LIST_COLUMNS = (
    "uuid",
    "title",
    "due_date",
    "interaction__uuid",
    "interaction__subject",
    "interaction__organisation__name",
)


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return min(int(raw), MAX_PAGE) if raw.isdigit() and int(raw) > 0 else 1


class ListItems:
    """Makes the items of "my open follow-ups": URLs reversed and labels translated once per list."""

    def __init__(self, assignee: Any) -> None:
        self.complete_url = UrlPattern("actors:followup-complete", "uuid", PLACEHOLDER_UUID)
        self.reopen_url = UrlPattern("actors:followup-reopen", "uuid", PLACEHOLDER_UUID)
        self.interaction_url = UrlPattern("actors:interaction-detail", "uuid", PLACEHOLDER_UUID)
        self.who = str(assignee)
        self.due = _("due %(date)s, %(who)s")
        self.done, self.done_name = _("Done"), _("Done: %(title)s")
        self.reopen, self.reopen_name = _("Reopen"), _("Reopen: %(title)s")
        self.labels = {"done": _("done"), "overdue": _("overdue")}

    def meta(self, due_date: dt.date, short_date: str = "") -> str:
        """“due 18.02.2025, Anna Beispiel”: the same for every item of a day."""
        short_date = short_date or date_format(due_date, "SHORT_DATE_FORMAT")
        return self.due % {"date": short_date, "who": self.who}

    def item(
        self,
        *,
        key: uuid_module.UUID,
        title: str,
        meta: str,
        overdue: bool,
        interaction: uuid_module.UUID,
        subject: str,
        organisation: str | None,
        done: bool = False,
    ) -> Row:
        if done:
            action_url, action, name = self.reopen_url(key), self.reopen, self.reopen_name
        else:
            action_url, action, name = self.complete_url(key), self.done, self.done_name
        return Row(
            key=str(key),
            title=title,
            meta=meta,
            overdue=overdue,
            done=done,
            interaction_url=self.interaction_url(interaction),
            subject=subject,
            organisation=organisation or "",
            action_url=action_url,
            action=action,
            action_name=name % {"title": title},
        )

    def groups(self, rows: list[tuple[Any, ...]], today: dt.date) -> list[Row]:
        """Rows of ``LIST_COLUMNS`` in due order, grouped by their due date."""
        groups = []
        due_today = _("Due today")
        due_on = _("Due %(weekday)s, %(date)s")
        for day, items in groupby(rows, key=itemgetter(2)):
            short_date = date_format(day, "SHORT_DATE_FORMAT")
            meta = self.meta(day, short_date)
            overdue = day < today
            if day == today:
                heading = due_today
            else:
                heading = due_on % {"weekday": date_format(day, "l"), "date": short_date}
            follow_ups = [
                self.item(
                    key=key,
                    title=title,
                    meta=meta,
                    overdue=overdue,
                    interaction=interaction,
                    subject=subject,
                    organisation=organisation,
                )
                for key, title, _day, interaction, subject, organisation in items
            ]
            groups.append(
                Row(
                    date=day,
                    id=f"due-{day.isoformat()}",
                    overdue=overdue,
                    heading=heading,
                    follow_ups=follow_ups,
                )
            )
        return groups

    def changed(self, follow_up: FollowUp) -> Row:
        """The item of a follow-up just completed or reopened (swapped into the list by htmx)."""
        meta = self.meta(follow_up.due_date)
        if follow_up.done_at is not None:
            meta += "; " + _("done on %(date)s") % {
                "date": date_format(timezone.localtime(follow_up.done_at), "SHORT_DATE_FORMAT")
            }
            if follow_up.done_by is not None:
                meta += f" ({follow_up.done_by})"
        interaction = follow_up.interaction
        return self.item(
            key=follow_up.uuid,
            title=follow_up.title,
            meta=meta,
            overdue=follow_up.is_overdue,
            interaction=interaction.uuid,
            subject=interaction.subject,
            organisation=interaction.organisation.name if interaction.organisation else None,
            done=follow_up.done_at is not None,
        )


@office_view
def followup_list(request: HttpRequest) -> HttpResponse:
    """My open follow-ups: overdue first (and marked), grouped by due date, a page at a time."""
    user = acting_user(request)
    today = timezone.localdate()
    mine = FollowUp.objects.visible_to(user).filter(assignee=user, done_at__isnull=True)
    number = _page_number(request)
    start = (number - 1) * PER_PAGE
    rows = list(mine.order_by("due_date", "id").values_list(*LIST_COLUMNS)[start : start + PER_PAGE + 1])
    counts = mine.aggregate(count=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today)))
    items = ListItems(user)
    context = {
        "groups": items.groups(rows[:PER_PAGE], today),
        "labels": items.labels,
        "overdue_count": counts["overdue"],
        "count": counts["count"],
        "page_number": number,
        "has_previous": number > 1,
        "has_next": len(rows) > PER_PAGE,
        "crumbs": [(_("My open follow-ups"), None)],
    }
    return render(request, LIST_TEMPLATE, context)


def _follow_up_or_404(request: HttpRequest, uuid: uuid_module.UUID) -> FollowUp:
    follow_up = services.get_follow_up(acting_user(request), uuid)
    if follow_up is None:
        raise Http404(_("Not found."))
    return follow_up


def _change_follow_up(request: HttpRequest, uuid: uuid_module.UUID, *, done: bool) -> HttpResponse:
    user = acting_user(request)
    follow_up = _follow_up_or_404(request, uuid)
    interaction = follow_up.interaction
    status = ""
    failed = False
    try:
        if done:
            services.complete_follow_up(user=user, follow_up=follow_up)
            status = _("“%(title)s” is done.") % {"title": follow_up.title}
        else:
            services.reopen_follow_up(user=user, follow_up=follow_up)
            status = _("“%(title)s” is open again.") % {"title": follow_up.title}
    except ValidationError as error:
        status = " ".join(error.messages)
        failed = True
        follow_up = _follow_up_or_404(request, uuid)
    if not is_htmx(request):
        (messages.error if failed else messages.success)(request, status)
        return redirect(safe_next(request, interaction.get_absolute_url() + "#follow-ups"))
    if request.POST.get("context") == "list":
        # The list's item; the live region gets the status out of band.
        items = ListItems(follow_up.assignee)
        context: dict[str, Any] = {"item": items.changed(follow_up), "labels": items.labels, "status": status}
        return render(request, f"{LIST_TEMPLATE}#changed", context)
    context = {
        "follow_up": follow_up,
        "interaction": interaction,
        "follow_up_status": status,
        "next": safe_next(request, ""),
    }
    return render(request, "actors/includes/timeline_followup.html", context)


@office_view
@require_POST
def followup_complete(request: HttpRequest, uuid: uuid_module.UUID) -> HttpResponse:
    return _change_follow_up(request, uuid, done=True)


@office_view
@require_POST
def followup_reopen(request: HttpRequest, uuid: uuid_module.UUID) -> HttpResponse:
    return _change_follow_up(request, uuid, done=False)


urlpatterns = [
    path("aufgaben/<uuid:uuid>/erledigt/", followup_complete, name="followup-complete"),
    path("aufgaben/<uuid:uuid>/wieder-offen/", followup_reopen, name="followup-reopen"),
    path("aufgaben/", followup_list, name="followup-list"),
]
