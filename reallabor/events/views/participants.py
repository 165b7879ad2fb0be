"""The participants of an event (the office, personal data): ``/veranstaltungen/<slug>/teilnehmende/``.

Registered people (organiser seats marked), open offers, the waiting list in its order, cancelled,
declined and lapsed registrations, attendance and the seat counts; staff register someone on their
behalf (phone, at the door; an organiser seat if they like), cancel a registration for someone, and
invite a segment of the actors app.

The page stays fast with hundreds of participants: one query reads every registration as plain
values and the table rows are written in Python (``html_rows``), so the number of queries does not
grow with the participants.
"""

from __future__ import annotations

import uuid as uuid_module
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from reallabor.actors.filters import reachable_people
from reallabor.actors.models import Purpose
from reallabor.actors.views.common import office_view
from reallabor.core.views_helpers import (
    DateText,
    Labels,
    Row,
    acting_user,
    add_service_errors,
    get_visible_or_404,
    html_rows,
    require,
)
from reallabor.core.widgets import escape
from reallabor.events import permissions
from reallabor.events.forms.office import InviteForm, OnBehalfForm
from reallabor.events.models import Event, Invitation, Registration
from reallabor.events.services import invitations as invitation_services
from reallabor.events.services import registrations as registration_services
from reallabor.events.services.seats import count_seats
from reallabor.events.views.office import event_crumbs
from reallabor.labs.forms import organisation_suggestions

COLUMNS = (
    "uuid",
    "first_name",
    "last_name",
    "email",
    "organisation_name",
    "status",
    "reserved",
    "source",
    "address_confirmed_at",
    "waiting_since",
    "offer_expires_at",
    "checked_in_at",
    "cancelled_at",
    "created_at",
)
S = Registration.Status


def get_participants_event(request: HttpRequest, slug: str) -> Event:
    """The event (404 when not visible); 403 unless the user may see its participants."""
    user = acting_user(request)
    event = get_visible_or_404(Event, user, slug=slug, select_related=("lab", "series"))
    require(
        permissions.can_see_participants(user, event),
        _("Only the office of the event's lab sees its participants."),
    )
    return event


def participant_rows(event: Event) -> dict[str, list[Row]]:
    """Every registration of the event as plain values, grouped: registered, offered, waiting (in
    their order), ended (cancelled, declined, lapsed). One query."""
    groups: dict[str, list[Row]] = {"registered": [], "offered": [], "waiting": [], "ended": []}
    values = Registration.objects.filter(event=event).order_by("created_at", "id").values(*COLUMNS)
    for value in values:
        row = Row(value)
        row["name"] = " ".join(part for part in (value["first_name"], value["last_name"]) if part)
        status = value["status"]
        if status == S.REGISTERED:
            groups["registered"].append(row)
        elif status == S.OFFERED:
            groups["offered"].append(row)
        elif status == S.WAITING:
            groups["waiting"].append(row)
        else:
            groups["ended"].append(row)
    groups["waiting"].sort(key=lambda row: (row.waiting_since or row.created_at, row.created_at))
    groups["registered"].sort(
        key=lambda row: (not row.reserved, row.last_name.casefold(), row.first_name.casefold())
    )
    return groups


def _rows_html(event: Event, rows: list[Row], *, kind: str) -> SafeString:
    """A table body: name, organisation, e-mail and what the group shows (every value escaped)."""
    when = DateText("SHORT_DATETIME_FORMAT")
    statuses = Labels(Registration.Status.choices)
    sources = Labels(Registration.Source.choices)
    organiser = escape(_("organiser seat"))
    unconfirmed = escape(_("address not confirmed yet"))
    cancel_label = _("Cancel")
    cancel_base = reverse("events:participant-cancel", kwargs={"slug": event.slug, "uuid": PLACEHOLDER})

    def render_row(row: Row) -> str:
        notes = []
        if row.reserved:
            notes.append(organiser)
        if row.address_confirmed_at is None and row.status in Registration.ACTIVE:
            notes.append(unconfirmed)
        note = f' <span class="meta">({", ".join(notes)})</span>' if notes else ""
        cells = [
            f'<th scope="row">{escape(row.name)}{note}</th>',
            f"<td>{escape(row.organisation_name)}</td>",
            f"<td>{escape(row.email)}</td>",
        ]
        if kind == "registered":
            cells.append(f"<td>{escape(sources[row.source])}</td>")
            cells.append(f"<td>{escape(when(row.checked_in_at)) if row.checked_in_at else '–'}</td>")
        elif kind == "offered":
            cells.append(f"<td>{escape(when(row.offer_expires_at))}</td>")
        elif kind == "waiting":
            cells.append(f"<td>{escape(when(row.waiting_since))}</td>")
        else:
            cells.append(f"<td>{escape(statuses[row.status])}</td>")
            cells.append(f"<td>{escape(when(row.cancelled_at))}</td>")
        if kind != "ended":
            url = cancel_base.replace(str(PLACEHOLDER), str(row.uuid))
            label = escape(f"{cancel_label}: {row.name}")
            cells.append(f'<td><a href="{escape(url)}" aria-label="{label}">{escape(cancel_label)}</a></td>')
        return f"<tr>{''.join(cells)}</tr>"

    return html_rows(rows, render_row)


PLACEHOLDER = uuid_module.UUID("00000000-0000-4000-8000-000000000000")


def _render(
    request: HttpRequest,
    event: Event,
    *,
    form: OnBehalfForm | None = None,
    invite_form: InviteForm | None = None,
) -> HttpResponse:
    user = acting_user(request)
    groups = participant_rows(event)
    attended = sum(1 for row in groups["registered"] if row.checked_in_at)
    context: dict[str, Any] = {
        "event": event,
        "seats": count_seats(event),
        "counts": {name: len(rows) for name, rows in groups.items()},
        "attended": attended,
        "registered_html": _rows_html(event, groups["registered"], kind="registered"),
        "offered_html": _rows_html(event, groups["offered"], kind="offered"),
        "waiting_html": _rows_html(event, groups["waiting"], kind="waiting"),
        "ended_html": _rows_html(event, groups["ended"], kind="ended"),
        "form": form or OnBehalfForm(),
        "invite_form": invite_form or InviteForm(user=user),
        # A refused form is shown with its reasons even when registering is no longer possible.
        "may_register": (form is not None and bool(form.errors))
        or (invite_form is not None)
        or (not event.is_cancelled and event.starts_at > timezone.now() and event.published_at is not None),
        "organisations": organisation_suggestions(),
        "crumbs": event_crumbs(event, (_("Participants"), None)),
    }
    return render(request, "events/office_participants.html", context)


@office_view
def event_participants(request: HttpRequest, slug: str) -> HttpResponse:
    return _render(request, get_participants_event(request, slug))


@office_view
@require_POST
def registration_add(request: HttpRequest, slug: str) -> HttpResponse:
    """Register someone on their behalf (by phone or at the door)."""
    event = get_participants_event(request, slug)
    form = OnBehalfForm(request.POST)
    if form.is_valid():
        try:
            registration = registration_services.register(
                user=acting_user(request), event=event, data=form.to_data()
            )
        except registration_services.AlreadyRegistered as error:
            form.add_error(
                "email",
                _("%(name)s is already registered with this e-mail address.")
                % {"name": error.registration.name},
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if registration.status == S.WAITING:
                message = _("%(name)s is on the waiting list.")
            else:
                message = _("%(name)s is registered.")
            messages.success(request, message % {"name": registration.name})
            return redirect("events:event-participants", slug=event.slug)
    return _render(request, event, form=form)


@office_view
def registration_cancel(request: HttpRequest, slug: str, uuid: uuid_module.UUID) -> HttpResponse:
    """Confirm, then cancel a registration for the participant (the seat goes to the waiting list)."""
    event = get_participants_event(request, slug)
    registration = get_visible_or_404(Registration, acting_user(request), event=event, uuid=uuid)
    if request.method == "POST":
        try:
            registration_services.cancel_registration(user=acting_user(request), registration=registration)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request, _("The registration of %(name)s was cancelled.") % {"name": registration.name}
            )
        return redirect("events:event-participants", slug=event.slug)
    context = {
        "event": event,
        "registration": registration,
        "crumbs": event_crumbs(
            event,
            (_("Participants"), reverse("events:event-participants", kwargs={"slug": event.slug})),
            (_("Cancel a registration"), None),
        ),
    }
    return render(request, "events/office_registration_cancel.html", context)


@office_view
@require_POST
def event_invite(request: HttpRequest, slug: str) -> HttpResponse:
    """Invite the people of a segment who agreed to hear from the office (personal links by e-mail)."""
    user = acting_user(request)
    event = get_participants_event(request, slug)
    form = InviteForm(request.POST, user=user)
    if not form.is_valid():
        return _render(request, event, invite_form=form)
    segment = form.cleaned_data["segment"]
    try:
        people = invitation_services.segment_people_or_error(segment, user=user)
        total = people.count()
        reachable = reachable_people(people, Purpose.NEWSLETTER).count()
        invited_before = Invitation.objects.filter(event=event, person__in=people).count()
        invited = invitation_services.invite_segment(user=user, event=event, segment=segment)
    except ValidationError as error:
        add_service_errors(form, error, {"event": "segment", "people": "segment"})
        return _render(request, event, invite_form=form)
    messages.success(
        request,
        ngettext("%(count)s person was invited.", "%(count)s people were invited.", len(invited))
        % {"count": len(invited)},
    )
    left_out = total - reachable
    if left_out:
        messages.info(
            request,
            ngettext(
                "%(count)s person of the segment was left out: no consent or no usable e-mail address.",
                "%(count)s people of the segment were left out: no consent or no usable e-mail address.",
                left_out,
            )
            % {"count": left_out},
        )
    if invited_before:
        messages.info(
            request,
            ngettext(
                "%(count)s person had been invited before.",
                "%(count)s people had been invited before.",
                invited_before,
            )
            % {"count": invited_before},
        )
    return redirect("events:event-participants", slug=event.slug)


urlpatterns: list[URLPattern] = [
    path("veranstaltungen/<slug:slug>/teilnehmende/", event_participants, name="event-participants"),
    path("veranstaltungen/<slug:slug>/teilnehmende/anmelden/", registration_add, name="participant-add"),
    path(
        "veranstaltungen/<slug:slug>/teilnehmende/<uuid:uuid>/absagen/",
        registration_cancel,
        name="participant-cancel",
    ),
    path("veranstaltungen/<slug:slug>/einladen/", event_invite, name="event-invite"),
]
