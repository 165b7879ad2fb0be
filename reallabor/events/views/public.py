"""The public pages of the events: the calendar, an event's page with its registration form, a
series' page, the calendar files (``.ics``) and the personal invitation link.

- ``/veranstaltungen/``: upcoming events grouped by month (``?zeitraum=vergangen``: past ones,
  newest first, paged); what ``Event.objects.visible_to`` lets the visitor see (the public: listed
  public events). The series with their ICS feeds next to it.
- ``/veranstaltungen/<slug>/``: the event with venue, agenda, organisers, linked lab and measures
  (as far as the visitor may see them), the seats, "add to calendar" and the registration form.
  An event by invitation is reached by the public only through ``/einladung/<token>/``.
- ``/veranstaltungen/<slug>/anmelden/`` (POST): registering without an account
  (``services.registrations.register`` as the participant, ``user=None``); htmx swaps the form
  or the outcome into the page, without JavaScript the outcome is a page of its own.
- The online link of an online event is not public: it comes with the confirmation (and on the
  personal registration page); the office sees it here.

Every write is a service's; the personal links (``/anmeldung/<token>/…``) are in ``selfservice``.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from reallabor.actors.models import ConsentText
from reallabor.actors.services.consent import current_texts
from reallabor.core.cache import cache_scope, cached_render
from reallabor.core.views_helpers import get_visible_or_404, is_htmx, render_page, unreadable_post
from reallabor.events import calendar
from reallabor.events.forms.public import RegistrationForm, add_registration_errors
from reallabor.events.models import Event, EventSeries, Invitation, Registration
from reallabor.events.permissions import can_create_any_event, can_manage_event, can_see_series_development
from reallabor.events.selectors import event_seats
from reallabor.events.services import registrations as registration_services
from reallabor.events.services.common import local
from reallabor.events.services.registrations import AlreadyRegistered
from reallabor.events.services.resend import resend_link
from reallabor.events.services.seats import Seats, count_seats
from reallabor.events.services.tokens import LinkError, invitation_from_token
from reallabor.events.views.selfservice import link_error
from reallabor.labs.models import Lab, Measure
from reallabor.organisations.models import Organisation

PER_PAGE = 50
MAX_PAGE = 1000
PAST = "vergangen"


def _crumbs(*tail: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [(_("Events"), reverse("events:calendar")), *tail]


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return min(int(raw), MAX_PAGE) if raw.isdigit() and int(raw) > 0 else 1


# The calendar --------------------------------------------------------------------------------------


def with_seat_counts(queryset: QuerySet[Event]) -> QuerySet[Event]:
    """The counts ``seats_of`` needs, in the list's one query."""
    holding = Q(registrations__status__in=Registration.HOLDING)
    return queryset.annotate(
        organisers_holding=Count("registrations", filter=holding & Q(registrations__reserved=True)),
        others_holding=Count("registrations", filter=holding & Q(registrations__reserved=False)),
        waiting_count=Count("registrations", filter=Q(registrations__status=Registration.Status.WAITING)),
    )


def seats_of(event: Event) -> Seats:
    return Seats(
        capacity=event.capacity,
        reserved_seats=event.reserved_seats,
        organisers=event.organisers_holding,  # type: ignore[attr-defined]
        others=event.others_holding,  # type: ignore[attr-defined]
        waiting=event.waiting_count,  # type: ignore[attr-defined]
    )


def _month(moment: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "F Y")


@require_GET
def calendar_view(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    past = request.GET.get("zeitraum") == PAST
    events = with_seat_counts(Event.objects.visible_to(request.user).select_related("series"))
    if past:
        events = events.filter(ends_at__lt=now).order_by("-starts_at", "-id")
    else:
        events = events.filter(ends_at__gte=now).order_by("starts_at", "id")
    page_number = _page_number(request)
    start = (page_number - 1) * PER_PAGE
    rows = list(events[start : start + PER_PAGE + 1])
    has_next = len(rows) > PER_PAGE
    rows = rows[:PER_PAGE]
    for event in rows:
        event.seats = seats_of(event)  # type: ignore[attr-defined]
        event.state = registration_state(event, now=now)  # type: ignore[attr-defined]
    months = [
        {"label": label, "events": list(group)}
        for label, group in itertools.groupby(rows, key=lambda event: _month(event.starts_at))
    ]
    series = list(EventSeries.objects.visible_to(request.user).order_by("title"))
    context = {
        "months": months,
        "past": past,
        "series_list": series,
        "can_manage_events": can_create_any_event(request.user),
        "page_number": page_number,
        "has_previous": page_number > 1,
        "has_next": has_next,
        "crumbs": [(_("Events"), None)],
    }
    return render_page(request, "events/public_calendar.html", context)


# The registration's state ---------------------------------------------------------------------------


def registration_state(
    event: Event, *, now: dt.datetime, invitation: Invitation | None = None
) -> dict[str, Any]:
    """Whether the form is offered, and else why not (the services check it again)."""
    message = ""
    if event.status == Event.Status.CANCELLED:
        message = _("This event has been cancelled.")
    elif event.status != Event.Status.PUBLISHED:
        message = _("This event is not open for registration yet.")
    elif event.ends_at <= now:
        message = _("This event has taken place.")
    elif event.starts_at <= now:
        message = _("This event has begun; registration is closed.")
    elif event.registration_opens_at and now < event.registration_opens_at:
        message = _("Registration opens on %(date)s.") % {"date": local(event.registration_opens_at)}
    elif event.registration_closes_at and now >= event.registration_closes_at:
        message = _("Registration closed on %(date)s.") % {"date": local(event.registration_closes_at)}
    elif event.visibility == Event.Visibility.INVITATION and (
        invitation is None or invitation.event_id != event.pk
    ):
        message = _("This event is by invitation only. Please use the link from your invitation.")
    return {"open": not message, "message": message, "past": event.ends_at <= now}


# The event page ------------------------------------------------------------------------------------


def _event_context(
    request: HttpRequest,
    event: Event,
    *,
    form: RegistrationForm | None = None,
    invitation: Invitation | None = None,
    invitation_token: str = "",
    with_form: bool = True,
) -> dict[str, Any]:
    user = request.user
    now = timezone.now()
    organisers = list(event.organisers.all())
    organisation_ids = {organisation.pk for organisation in organisers}
    if event.host_id:
        organisation_ids.add(event.host_id)
    public_organisations = set(
        Organisation.objects.visible_to(user).filter(pk__in=organisation_ids).values_list("pk", flat=True)
    )
    lab_visible = (
        event.lab_id is not None and Lab.objects.visible_to(user).filter(pk=event.lab_id).exists()  # type: ignore[arg-type]
    )
    measures = list(
        Measure.objects.visible_to(user).filter(events=event).select_related("lab").order_by("title")  # type: ignore[arg-type]
    )
    state = registration_state(event, now=now, invitation=invitation)
    if form is None and state["open"] and with_form:
        questions = list(event.questions.all())
        initial: dict[str, Any] = {}
        if invitation is not None:
            person = invitation.person
            initial = {"first_name": person.first_name, "last_name": person.last_name, "email": person.email}
        form = RegistrationForm(questions=questions, consent_texts=current_texts(), initial=initial)
    if invitation_token:
        action = reverse("events:invitation", kwargs={"token": invitation_token})
    else:
        action = reverse("events:event-register", kwargs={"slug": event.slug})
    return {
        "event": event,
        "seats": count_seats(event),
        "organisers": [
            {"organisation": organisation, "public": organisation.pk in public_organisations}
            for organisation in organisers
        ],
        "host_public": event.host_id in public_organisations,
        "lab_visible": lab_visible,
        "measures": measures,
        "state": state,
        "form": form,
        "form_action": action,
        "can_manage": can_manage_event(user, event),
        "shows_online_link": can_manage_event(user, event),
        "is_online": event.format != Event.Format.IN_PERSON,
        "crumbs": _event_crumbs(event),
    }


def _event_crumbs(event: Event) -> list[tuple[str, str | None]]:
    crumbs: list[tuple[str, str | None]] = []
    if event.series_id and event.series:
        crumbs.append(
            (event.series.title, reverse("events:series-detail", kwargs={"slug": event.series.slug}))
        )
    crumbs.append((event.title, None))
    return _crumbs(*crumbs)


def _get_event(request: HttpRequest, slug: str) -> Event:
    return get_visible_or_404(Event, request.user, slug=slug, select_related=("series", "host", "lab"))


EVENT_TEMPLATE = "events/public_event.html"


def _cached_event_context(request: HttpRequest, event: Event) -> dict[str, Any]:
    """The event page for visitors who share cached fragments (``core.cache.cache_scope``): the
    facts, the description and the links, and the empty form's fields, are rendered once until
    any content changes (``content_changed``; the consent texts are in the form's key); the
    seats, the registration state and the CSRF token are fresh on every request."""
    user = request.user
    can_manage = can_manage_event(user, event)
    state = registration_state(event, now=timezone.now())
    built: dict[str, Any] = {}

    def build() -> dict[str, Any]:
        if not built:
            built.update(_event_context(request, event, with_form=False))
        return built

    key = f"{event.pk}:{event.revision}:{int(can_manage)}"
    context: dict[str, Any] = {
        "event": event,
        "seats": event_seats(event),
        "state": state,
        "facts_html": cached_render(request, f"{EVENT_TEMPLATE}#facts", build, key=key),
        "about_html": cached_render(request, f"{EVENT_TEMPLATE}#about", build, key=key),
        "form_action": reverse("events:event-register", kwargs={"slug": event.slug}),
        "can_manage": can_manage,
        "crumbs": _event_crumbs(event),
    }
    if state["open"]:
        # The consent texts change without a content change: every text's id is in the key.
        texts = ConsentText.objects.order_by("pk").values_list("pk", flat=True)
        form_key = f"{key}:" + ",".join(str(pk) for pk in texts)
        context["fields_html"] = cached_render(
            request,
            f"{EVENT_TEMPLATE}#form-fields",
            lambda: {
                "form": RegistrationForm(questions=list(event.questions.all()), consent_texts=current_texts())
            },
            key=form_key,
        )
    return context


@require_GET
def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    if cache_scope(request.user) is None:
        event = _get_event(request, slug)
        return render_page(request, EVENT_TEMPLATE, _event_context(request, event))
    # The host and the lab are read only when the cached parts are rendered.
    event = get_visible_or_404(Event, request.user, slug=slug, select_related=("series",))
    return render_page(request, EVENT_TEMPLATE, _cached_event_context(request, event))


def _register(
    request: HttpRequest, event: Event, *, invitation: Invitation | None = None, invitation_token: str = ""
) -> HttpResponse:
    """Check the form, register through the service, and show the outcome or the form again."""
    problem = unreadable_post(request)
    if problem:
        return render_page(request, "400.html", {"message": problem}, status=400)
    prefetch_related_objects([event], "questions")  # the form's and the service's questions, read once
    questions = list(event.questions.all())
    form = RegistrationForm(request.POST, questions=questions, consent_texts=current_texts())
    outcome: dict[str, Any] | None = None
    if form.is_valid():
        try:
            registration = registration_services.register(
                user=None, event=event, data=form.registration_data(), invitation=invitation
            )
        except AlreadyRegistered as error:
            resend_link(registration=error.registration)
            outcome = {"kind": "already", "email": form.cleaned_data["email"]}
        except ValidationError as error:
            add_registration_errors(form, error)
        else:
            outcome = _outcome(registration)
    if outcome is not None:
        context = {"event": event, "outcome": outcome, "crumbs": _crumbs((event.title, None))}
        return render_page(request, "events/public_registered.html", context, partial="outcome")
    context = _event_context(
        request, event, form=form, invitation=invitation, invitation_token=invitation_token
    )
    # htmx swaps only successful answers: the form with its errors comes with 200 there.
    return render_page(
        request,
        "events/public_event.html",
        context,
        partial="registration",
        status=200 if is_htmx(request) else 400,
    )


def _outcome(registration: Registration) -> dict[str, Any]:
    if not registration.is_confirmed:
        kind = "confirm"
    elif registration.status == Registration.Status.WAITING:
        kind = "waiting"
    else:
        kind = "registered"
    return {"kind": kind, "email": registration.email, "registration": registration}


@require_http_methods(["GET", "POST"])
def event_register(request: HttpRequest, slug: str) -> HttpResponse:
    # The series only (the outcome's page); the form shown again loads what else it needs.
    event = get_visible_or_404(Event, request.user, slug=slug, select_related=("series",))
    if request.method != "POST":
        return redirect(reverse("events:event-detail", kwargs={"slug": event.slug}) + "#anmeldung")
    return _register(request, event)


@require_GET
def event_ics(request: HttpRequest, slug: str) -> HttpResponse:
    event = _get_event(request, slug)
    response = HttpResponse(calendar.event_ics(event), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{calendar.filename(event)}"'
    return response


# The invitation link -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def invitation_view(request: HttpRequest, token: str) -> HttpResponse:
    """The way to an event by invitation (and an invitation to a public one): the event page with
    the form filled in with the invited person's name and address."""
    try:
        invitation = invitation_from_token(token)
    except LinkError as error:
        return link_error(request, error)
    event = Event.objects.select_related("series", "host", "lab").get(pk=invitation.event_id)
    if event.published_at is None:
        raise Http404(_("Not found."))
    if request.method == "POST":
        return _register(request, event, invitation=invitation, invitation_token=token)
    context = _event_context(request, event, invitation=invitation, invitation_token=token)
    context["invited"] = invitation.person
    return render_page(request, "events/public_event.html", context)


# Series --------------------------------------------------------------------------------------------


def _get_series(request: HttpRequest, slug: str) -> EventSeries:
    return get_visible_or_404(EventSeries, request.user, slug=slug, select_related=("lab",))


@require_GET
def series_detail(request: HttpRequest, slug: str) -> HttpResponse:
    series = _get_series(request, slug)
    now = timezone.now()
    events = list(
        with_seat_counts(Event.objects.visible_to(request.user).filter(series=series)).order_by(
            "starts_at", "id"
        )
    )
    for event in events:
        event.seats = seats_of(event)  # type: ignore[attr-defined]
        event.state = registration_state(event, now=now)  # type: ignore[attr-defined]
    context = {
        "series": series,
        "upcoming": [event for event in events if event.ends_at >= now],
        "past": [event for event in reversed(events) if event.ends_at < now],
        "organisers": list(series.organisers.all()),
        "may_see_development": can_see_series_development(request.user, series),
        "crumbs": _crumbs((series.title, None)),
    }
    return render_page(request, "events/public_series.html", context)


@require_GET
def series_feed(request: HttpRequest, slug: str) -> HttpResponse:
    """The series' public ICS feed: its listed public events (what a calendar app subscribes to)."""
    series = _get_series(request, slug)
    events = Event.objects.public().filter(series=series).order_by("starts_at", "id")
    response = HttpResponse(calendar.series_feed(series, events), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{series.slug}.ics"'
    return response


urlpatterns = [
    path("veranstaltungen/", calendar_view, name="calendar"),
    path("veranstaltungen/reihen/<slug:slug>/", series_detail, name="series-detail"),
    path("veranstaltungen/reihen/<slug:slug>/kalender.ics", series_feed, name="series-feed"),
    path("veranstaltungen/<slug:slug>/", event_detail, name="event-detail"),
    path("veranstaltungen/<slug:slug>/anmelden/", event_register, name="event-register"),
    path("veranstaltungen/<slug:slug>/kalender.ics", event_ics, name="event-ics"),
    path("einladung/<str:token>/", invitation_view, name="invitation"),
]
