"""The participants of an event (the office, personal data): ``/veranstaltungen/<slug>/teilnehmende/``.

Registered people (organiser seats marked), open offers, the waiting list in its order, cancelled,
declined and lapsed registrations, attendance and the seat counts; staff register someone on their
behalf (phone, at the door; an organiser seat if they like), cancel a registration for someone, and
invite a segment of the actors app.

The page stays fast with hundreds of participants: the list is paged (``PER_PAGE`` rows, in the
order registered, offered, waiting, ended; ``?page=``) and searched on the server (``?q=``: name,
e-mail address, organisation); one query counts the groups, one reads the page's rows as plain
values, and the table rows are written in Python (``html_rows``), so the number of queries does
not grow with the participants. The exports (``views.exports``) hold everybody.
"""

from __future__ import annotations

import hashlib
import uuid as uuid_module
from typing import Any

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.db.models.expressions import RawSQL
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reallabor.actors.filters import reachable_people
from reallabor.actors.models import Segment
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
from reallabor.events.services.seats import Seats
from reallabor.events.views.office import event_crumbs
from reallabor.labs.forms import ORGANISATION_OPTIONS_ID

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
)
S = Registration.Status


def get_participants_event(
    request: HttpRequest, slug: str, *, select_related: tuple[str, ...] = ("lab", "series")
) -> Event:
    """The event (404 when not visible); 403 unless the user may see its participants."""
    user = acting_user(request)
    event = get_visible_or_404(Event, user, slug=slug, select_related=select_related)
    require(
        permissions.can_see_participants(user, event),
        _("Only the office of the event's lab sees its participants."),
    )
    return event


PER_PAGE = 50
MAX_PAGE = 10_000
SEARCH_MAX = 100
GROUPS = ("registered", "offered", "waiting", "ended")
_GROUP_OF = {S.REGISTERED: "registered", S.OFFERED: "offered", S.WAITING: "waiting"}


def search_filter(text: str) -> Q:
    """The registrations whose name, e-mail address or organisation contain every word of ``text``."""
    condition = Q()
    for word in text.split()[:10]:
        condition &= (
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(email__icontains=word)
            | Q(organisation_name__icontains=word)
        )
    return condition


def _participant_order() -> list[Any]:
    """The order of the page: registered (organiser seats first, then by name), open offers,
    the waiting list in its order, then the ended registrations (each group by registration).

    Plain SQL expressions (parameters for every value): the same ``Case``/``When`` expressions
    cost the page more to build than the database needs to sort."""
    registered, offered, waiting = str(S.REGISTERED), str(S.OFFERED), str(S.WAITING)
    return [
        RawSQL(
            "CASE status WHEN %s THEN 0 WHEN %s THEN 1 WHEN %s THEN 2 ELSE 3 END",
            (registered, offered, waiting),
        ),
        RawSQL("CASE WHEN status = %s AND reserved THEN 0 ELSE 1 END", (registered,)),
        RawSQL("CASE WHEN status = %s THEN LOWER(last_name) ELSE '' END", (registered,)),
        RawSQL("CASE WHEN status = %s THEN LOWER(first_name) ELSE '' END", (registered,)),
        RawSQL(
            "CASE WHEN status = %s THEN COALESCE(waiting_since, created_at) ELSE created_at END", (waiting,)
        ),
        "created_at",
        "id",
    ]


def _group_of(status: str) -> str:
    return _GROUP_OF.get(status, "ended")  # type: ignore[call-overload]


def participant_counts(event: Event, search: Q | None = None) -> dict[str, int]:
    """Per group the registrations (and ``<group>_matching`` those matching ``search``),
    ``attended`` and the seats held (``organisers_holding``, ``others_holding``, as
    ``services.seats.count_seats`` counts them): one grouped query (two when searching)."""
    counts: dict[str, int] = dict.fromkeys(
        (
            *GROUPS,
            *(f"{name}_matching" for name in GROUPS),
            "attended",
            "organisers_holding",
            "others_holding",
        ),
        0,
    )
    registrations = Registration.objects.filter(event=event)
    grouped = (
        registrations.values_list("status", "reserved")
        .annotate(number=Count("pk"), attended=Count("checked_in_at"))
        .order_by()
    )
    for status, reserved, number, attended in grouped:
        counts[_group_of(status)] += number
        if status == S.REGISTERED:
            counts["attended"] += attended
        if status in Registration.HOLDING:
            counts["organisers_holding" if reserved else "others_holding"] += number
    if search is None:
        counts.update({f"{name}_matching": counts[name] for name in GROUPS})
    else:
        matching = registrations.filter(search).values_list("status").annotate(number=Count("pk")).order_by()
        for status, number in matching:
            counts[f"{_group_of(status)}_matching"] += number
    return counts


PARTICIPANT_ORDER = _participant_order()


def participant_order() -> list[Any]:
    return list(PARTICIPANT_ORDER)


def participant_rows(
    event: Event, *, search: Q | None = None, start: int = 0, stop: int | None = None
) -> dict[str, list[Row]]:
    """The registrations of the event (those matching ``search``; the slice ``start:stop`` of the
    page's order) as plain values, grouped: registered, offered, waiting (in their order), ended
    (cancelled, declined, lapsed). One query."""
    groups: dict[str, list[Row]] = {name: [] for name in GROUPS}
    queryset = Registration.objects.filter(event=event)
    if search is not None:
        queryset = queryset.filter(search)
    values = queryset.order_by(*participant_order()).values(*COLUMNS)[start:stop]
    for value in values:
        row = Row(value)
        row["name"] = " ".join(part for part in (value["first_name"], value["last_name"]) if part)
        groups[_group_of(value["status"])].append(row)
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


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return min(int(raw), MAX_PAGE) if raw.isdigit() and int(raw) > 0 else 1


def _search_text(request: HttpRequest) -> str:
    return " ".join((request.GET.get("q") or "").replace("\x00", "").split())[:SEARCH_MAX]


def organisation_datalist() -> SafeString:
    """The list of the organisation input's suggestions, empty at first: htmx fills it from
    ``organisations:organisation-options`` while the user types (without JavaScript the input
    takes the organisation's short name or exact name). Three hundred options on every load
    cost more than the rest of the page."""
    return mark_safe(f'<datalist id="{ORGANISATION_OPTIONS_ID}"></datalist>')


TEMPLATE = "events/office_participants.html"


def form_fields(partial: str, context: dict[str, Any], *, cache_key: str | None) -> SafeString:
    """A form's fields (``TEMPLATE#partial``, no CSRF token). An empty form looks the same for
    everybody who gets the same ``cache_key`` (its choices in it): rendered once and kept. The
    form in ``context`` may be given as a callable (the template calls it): built on a miss only."""
    if cache_key is None:
        return mark_safe(render_to_string(f"{TEMPLATE}#{partial}", context))
    key = f"events:participants:{partial}:{get_language()}:{cache_key}"
    html = cache.get(key)
    if html is None:
        html = render_to_string(f"{TEMPLATE}#{partial}", context)
        cache.set(key, html, 60 * 60)
    return mark_safe(html)


def _invite_fields(user: Any, invite_form: InviteForm | None) -> SafeString:
    """The invitation form's fields; the empty form from one query of the segments' names (the
    same choices as the form's; the form itself is built only when the cache misses)."""
    if invite_form is not None:
        return form_fields("invite-fields", {"invite_form": invite_form}, cache_key=None)
    rows = [
        (str(uuid), name)
        for uuid, name in Segment.objects.visible_to(user).order_by("name").values_list("uuid", "name")
    ]
    digest = hashlib.sha256(repr(rows).encode()).hexdigest()[:32]

    def empty_form() -> InviteForm:
        form = InviteForm(user=user)
        field = form.fields["segment"]
        form.fields["segment"] = forms.ChoiceField(
            label=field.label,
            help_text=field.help_text,
            choices=[("", field.empty_label), *rows],  # type: ignore[attr-defined]
        )
        return form

    return form_fields("invite-fields", {"invite_form": empty_form}, cache_key=digest)


def _render(
    request: HttpRequest,
    event: Event,
    *,
    form: OnBehalfForm | None = None,
    invite_form: InviteForm | None = None,
) -> HttpResponse:
    user = acting_user(request)
    query = _search_text(request)
    search = search_filter(query) if query else None
    counts = participant_counts(event, search)
    matching = sum(counts[f"{name}_matching"] for name in GROUPS)
    last_page = max(1, -(-matching // PER_PAGE))
    page_number = min(_page_number(request), last_page)
    start = (page_number - 1) * PER_PAGE
    groups = participant_rows(event, search=search, start=start, stop=start + PER_PAGE)
    # Where each group begins (a group on other pages is linked from its heading).
    sections = []
    offset = 0
    for name in GROUPS:
        count = counts[f"{name}_matching"]
        sections.append({"name": name, "count": count, "page": offset // PER_PAGE + 1})
        offset += count
    context: dict[str, Any] = {
        "event": event,
        "seats": Seats(
            capacity=event.capacity,
            reserved_seats=event.reserved_seats,
            organisers=counts["organisers_holding"],
            others=counts["others_holding"],
            waiting=counts["waiting"],
        ),
        "counts": {name: counts[f"{name}_matching"] for name in GROUPS},
        "totals": {name: counts[name] for name in GROUPS},
        "shown": {name: len(rows) for name, rows in groups.items()},
        "sections": {section["name"]: section for section in sections},
        "attended": counts["attended"],
        "query": query,
        "matching": matching,
        "page_number": page_number,
        "has_previous": page_number > 1,
        "has_next": page_number < last_page,
        "last_page": last_page,
        "per_page": PER_PAGE,
        "registered_html": _rows_html(event, groups["registered"], kind="registered"),
        "offered_html": _rows_html(event, groups["offered"], kind="offered"),
        "waiting_html": _rows_html(event, groups["waiting"], kind="waiting"),
        "ended_html": _rows_html(event, groups["ended"], kind="ended"),
        "form": form,
        "invite_form": invite_form,
        "add_fields": form_fields(
            "add-fields", {"form": form or OnBehalfForm}, cache_key=None if form is not None else "empty"
        ),
        "invite_fields": _invite_fields(user, invite_form),
        # A refused form is shown with its reasons even when registering is no longer possible.
        "may_register": (form is not None and bool(form.errors))
        or (invite_form is not None)
        or (not event.is_cancelled and event.starts_at > timezone.now() and event.published_at is not None),
        "organisation_datalist": organisation_datalist(),
        "crumbs": event_crumbs(event, (_("Participants"), None)),
    }
    return render(request, TEMPLATE, context)


@office_view
def event_participants(request: HttpRequest, slug: str) -> HttpResponse:
    return _render(request, get_participants_event(request, slug, select_related=()))


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
    purpose = form.cleaned_data["purpose"]
    try:
        people = invitation_services.segment_people_or_error(segment, user=user)
        total = people.count()
        reachable = reachable_people(people, purpose).count()
        invited_before = Invitation.objects.filter(event=event, person__in=people).count()
        invited = invitation_services.invite_segment(user=user, event=event, segment=segment, purpose=purpose)
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
