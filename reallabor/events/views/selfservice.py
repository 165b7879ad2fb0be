"""The participant's personal links (no account: the signed link is the key), ``/anmeldung/<token>/…``.

- ``/anmeldung/<token>/``: the registration (status, seat or place on the waiting list, check-in
  code with its QR code, the event, ``.ics``); changing name, organisation and answers (POST)
  until ``services.registrations.cutoff``;
- ``…/absagen/``: cancelling (GET asks, POST cancels);
- ``…/bestaetigen/``: confirming the address (double opt-in);
- ``…/platz-annehmen/``, ``…/platz-ablehnen/``: answering an offered seat;
- ``…/rueckmeldung/``: the feedback after the event (attendees);
- ``…/kalender.ics``: the event's calendar file with the personal link;
- ``…/unterlagen/<uuid>/``: a document the office shared with the participants (or everybody),
  for a registration that holds its seat (``services.documents.for_participant``; else 404).

Each token is made for one purpose (``services.tokens.Purpose``). GET never changes anything:
every change is a button (POST). A damaged link gives a 400 page, an expired link or a
registration that no longer exists a 410 page, both saying what to do — never a 500. The services
act for the participant (``user=None``), whoever is signed in.
"""

from __future__ import annotations

import uuid as uuid_module
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from reallabor.core.validation import error_dict
from reallabor.core.views_helpers import unreadable_post
from reallabor.events import calendar, links
from reallabor.events.downloads import file_response
from reallabor.events.forms.public import DetailsForm, FeedbackForm, add_registration_errors
from reallabor.events.models import Event, Feedback, Registration
from reallabor.events.qr import qr_svg
from reallabor.events.services import documents as document_services
from reallabor.events.services import feedback as feedback_services
from reallabor.events.services import registrations as registration_services
from reallabor.events.services import waitlist
from reallabor.events.services.common import local
from reallabor.events.services.tokens import (
    LinkError,
    LinkTampered,
    Purpose,
    registration_from_token,
    registration_token,
)


def link_error(request: HttpRequest, error: LinkError) -> HttpResponse:
    """The page for a personal link that does not work: 400 damaged, 410 expired or gone."""
    tampered = isinstance(error, LinkTampered)
    context = {"message": str(error), "tampered": tampered}
    return render(request, "events/selfservice_link_error.html", context, status=400 if tampered else 410)


def _manage_url(registration: Registration) -> str:
    return reverse(
        "events:registration-manage", kwargs={"token": registration_token(registration, Purpose.MANAGE)}
    )


def _messages(error: ValidationError) -> list[str]:
    return [message for messages_ in error_dict(error).values() for message in messages_]


def personal_link(purpose: Purpose) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """The view gets the registration of the token (for ``purpose``) instead of the token."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        def wrapper(request: HttpRequest, token: str, **kwargs: Any) -> HttpResponse:
            try:
                registration = registration_from_token(token, purpose)
            except LinkError as error:
                return link_error(request, error)
            problem = unreadable_post(request)
            if problem:
                return render(request, "400.html", {"message": problem}, status=400)
            return view(request, registration, token, **kwargs)

        wrapper.__name__ = view.__name__
        wrapper.__doc__ = view.__doc__
        return wrapper

    return decorate


def _crumbs(event: Event, label: str) -> list[tuple[str, str | None]]:
    return [
        (_("Events"), reverse("events:calendar")),
        (event.title, reverse("events:event-detail", kwargs={"slug": event.slug})),
        (label, None),
    ]


def waiting_position(registration: Registration) -> int | None:
    """The place on the waiting list (1 = next), None when not waiting."""
    if registration.status != Registration.Status.WAITING or registration.waiting_since is None:
        return None
    ahead = Registration.objects.filter(
        event_id=registration.event_id, status=Registration.Status.WAITING
    ).filter(
        Q(waiting_since__lt=registration.waiting_since)
        | Q(waiting_since=registration.waiting_since, pk__lt=registration.pk)
    )
    return ahead.count() + 1


def _self_service_closed(registration: Registration, *, cancelling: bool) -> str:
    """Why the participant can no longer change (or cancel) it themself, else ""."""
    event = registration.event
    now = timezone.now()
    if not registration.is_active:
        return ""
    if now >= event.starts_at:
        return _("The event has begun; please contact the office for any change.")
    from_waiting_list = registration.waiting_since is not None
    if (
        registration.status == Registration.Status.REGISTERED
        and now >= registration_services.cutoff(event)
        and not (cancelling and from_waiting_list)
    ):
        return _("Changes and cancellations were possible until %(date)s. Please contact the office.") % {
            "date": local(registration_services.cutoff(event))
        }
    return ""


# The registration ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@personal_link(Purpose.MANAGE)
def registration_manage(request: HttpRequest, registration: Registration, token: str) -> HttpResponse:
    event = Event.objects.select_related("series", "host").get(pk=registration.event_id)
    registration.event = event
    questions = list(event.questions.all())
    change_closed = _self_service_closed(registration, cancelling=False)
    can_change = registration.is_active and not change_closed
    if request.method == "POST" and can_change:
        form = DetailsForm(request.POST, questions=questions)
        if form.is_valid():
            try:
                registration_services.change_registration(
                    user=None, registration=registration, data=form.change_data()
                )
            except ValidationError as error:
                add_registration_errors(form, error)
            else:
                messages.success(request, _("Your changes have been saved."))
                return redirect(request.path)
        status = 400
    else:
        initial = {
            "first_name": registration.first_name,
            "last_name": registration.last_name,
            "organisation_name": registration.organisation_name,
            **DetailsForm.initial_answers(questions, registration.answers or {}),
        }
        form = DetailsForm(initial=initial, questions=questions)
        status = 200 if request.method == "GET" or can_change else 409
    if request.method == "POST" and not can_change:
        messages.error(request, change_closed or _("This registration is no longer active."))
    now = timezone.now()
    qr = ""
    if registration.holds_seat:
        # segno's own SVG of our URL: nothing from the user is in it.
        qr = mark_safe(qr_svg(links.check_in_url(registration), title=_("QR code for the check-in")))
    context = {
        "registration": registration,
        "event": event,
        "token": token,
        "form": form,
        "can_change": can_change,
        "change_closed": change_closed,
        "cancel_closed": _self_service_closed(registration, cancelling=True),
        "position": waiting_position(registration),
        "qr": qr,
        "shows_online_link": registration.status == Registration.Status.REGISTERED
        and registration.is_confirmed
        and event.format != Event.Format.IN_PERSON,
        "confirm_url": reverse(
            "events:registration-confirm", kwargs={"token": registration_token(registration, Purpose.CONFIRM)}
        )
        if registration.is_active and not registration.is_confirmed
        else "",
        "accept_url": reverse(
            "events:registration-accept",
            kwargs={"token": registration_token(registration, Purpose.ACCEPT_OFFER)},
        )
        if registration.status == Registration.Status.OFFERED
        else "",
        "decline_url": reverse(
            "events:registration-decline",
            kwargs={"token": registration_token(registration, Purpose.DECLINE_OFFER)},
        )
        if registration.status == Registration.Status.OFFERED
        else "",
        "feedback_url": reverse(
            "events:registration-feedback",
            kwargs={"token": registration_token(registration, Purpose.FEEDBACK)},
        )
        if registration.checked_in_at and now >= event.starts_at
        else "",
        "cutoff": registration_services.cutoff(event),
        "past": event.ends_at <= now,
        "documents": list(document_services.for_participant(registration)),
        "crumbs": _crumbs(event, _("Your registration")),
    }
    return render(request, "events/selfservice_manage.html", context, status=status)


@require_GET
@personal_link(Purpose.MANAGE)
def registration_document(
    request: HttpRequest, registration: Registration, token: str, uuid: uuid_module.UUID
) -> HttpResponse:
    """A document for the participants, through the personal link (404 for any other)."""
    document = (
        document_services.for_participant(registration).filter(uuid=uuid).select_related("event").first()
    )
    if document is None:
        raise Http404(_("Not found."))
    return file_response(document)  # type: ignore[return-value]  # a FileResponse: streamed


@require_http_methods(["GET", "POST"])
@personal_link(Purpose.MANAGE)
def registration_cancel(request: HttpRequest, registration: Registration, token: str) -> HttpResponse:
    """GET asks (a button), POST cancels; the seat goes to the waiting list."""
    closed = _self_service_closed(registration, cancelling=True)
    errors: list[str] = []
    if not registration.is_active:
        errors.append(
            _("This registration is no longer active (%(status)s).")
            % {"status": registration.get_status_display()}
        )
    elif closed:
        errors.append(closed)
    elif request.method == "POST":
        try:
            registration_services.cancel_registration(user=None, registration=registration)
        except ValidationError as error:
            errors = _messages(error)
        else:
            messages.success(
                request, _("Your registration has been cancelled. Thank you for letting us know.")
            )
            return redirect("events:registration-manage", token=token)
    context = {
        "registration": registration,
        "event": registration.event,
        "errors": errors,
        "token": token,
        "manage_url": reverse("events:registration-manage", kwargs={"token": token}),
        "crumbs": _crumbs(registration.event, _("Cancel the registration")),
    }
    status = 409 if errors and request.method == "POST" else 200
    return render(request, "events/selfservice_cancel.html", context, status=status)


@require_GET
@personal_link(Purpose.MANAGE)
def registration_ics(request: HttpRequest, registration: Registration, token: str) -> HttpResponse:
    response = HttpResponse(
        calendar.event_ics(registration.event, registration=registration),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{calendar.filename(registration.event)}"'
    return response


# Confirming, answering an offer -------------------------------------------------------------------


def _action_page(
    request: HttpRequest,
    registration: Registration,
    *,
    kind: str,
    possible: str,
    act: Callable[[], Any],
    done: str,
) -> HttpResponse:
    """A page with one button (GET) that does ``act`` (POST); ``possible`` is "" or why not."""
    errors: list[str] = [possible] if possible else []
    if request.method == "POST" and not errors:
        try:
            act()
        except ValidationError as error:
            errors = _messages(error)
        else:
            messages.success(request, done)
            return redirect(_manage_url(registration))
    labels = {
        "confirm": _("Confirm your e-mail address"),
        "accept": _("Accept the seat"),
        "decline": _("Decline the seat"),
    }
    context = {
        "registration": registration,
        "event": registration.event,
        "kind": kind,
        "errors": errors,
        "manage_url": _manage_url(registration),
        "crumbs": _crumbs(registration.event, labels[kind]),
        "title": labels[kind],
    }
    status = 409 if errors and request.method == "POST" else 200
    return render(request, "events/selfservice_action.html", context, status=status)


@require_http_methods(["GET", "POST"])
@personal_link(Purpose.CONFIRM)
def registration_confirm(request: HttpRequest, registration: Registration, token: str) -> HttpResponse:
    possible = ""
    if registration.status == Registration.Status.LAPSED:
        possible = _(
            "The address was not confirmed in time and the registration lapsed. Please register again."
        )
    elif not registration.is_active and not registration.is_confirmed:
        possible = _("This registration is no longer active (%(status)s).") % {
            "status": registration.get_status_display()
        }
    return _action_page(
        request,
        registration,
        kind="confirm",
        possible=possible,
        act=lambda: registration_services.confirm_address(registration=registration),
        done=_("Thank you: your e-mail address is confirmed."),
    )


def _offer_possible(registration: Registration, *, settled: str) -> str:
    if registration.status == settled:
        return ""
    if registration.status != Registration.Status.OFFERED:
        return _("This offer is no longer open (%(status)s).") % {"status": registration.get_status_display()}
    if registration.offer_expires_at and timezone.now() >= registration.offer_expires_at:
        return _("This offer expired on %(date)s; the seat has gone to the next person.") % {
            "date": local(registration.offer_expires_at)
        }
    return ""


@require_http_methods(["GET", "POST"])
@personal_link(Purpose.ACCEPT_OFFER)
def registration_accept(request: HttpRequest, registration: Registration, token: str) -> HttpResponse:
    return _action_page(
        request,
        registration,
        kind="accept",
        possible=_offer_possible(registration, settled=Registration.Status.REGISTERED),
        act=lambda: waitlist.accept_offer(registration=registration),
        done=_("You have a seat. We look forward to seeing you."),
    )


@require_http_methods(["GET", "POST"])
@personal_link(Purpose.DECLINE_OFFER)
def registration_decline(request: HttpRequest, registration: Registration, token: str) -> HttpResponse:
    return _action_page(
        request,
        registration,
        kind="decline",
        possible=_offer_possible(registration, settled=Registration.Status.DECLINED),
        act=lambda: waitlist.decline_offer(registration=registration),
        done=_("You have declined the seat; it goes to the next person. Thank you for letting us know."),
    )


# Feedback -------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@personal_link(Purpose.FEEDBACK)
def registration_feedback(request: HttpRequest, registration: Registration, token: str) -> HttpResponse:
    event = registration.event
    closed = ""
    if timezone.now() < event.starts_at:
        closed = _("Feedback opens when the event begins.")
    elif registration.checked_in_at is None:
        closed = _("Only participants who were at the event can give feedback.")
    existing = Feedback.objects.filter(registration=registration).first()
    status = 200
    form: FeedbackForm | None = None
    if not closed:
        if request.method == "POST":
            form = FeedbackForm(request.POST)
            if form.is_valid():
                try:
                    feedback_services.give_feedback(registration=registration, data=dict(form.cleaned_data))
                except ValidationError as error:
                    add_registration_errors(form, error)
                else:
                    context = {"event": event, "crumbs": _crumbs(event, _("Feedback"))}
                    return render(request, "events/selfservice_feedback_thanks.html", context)
            status = 400
        else:
            initial = (
                {"rating": str(existing.rating), "text": existing.text, "next_topic": existing.next_topic}
                if existing
                else {}
            )
            form = FeedbackForm(initial=initial)
    elif request.method == "POST":
        status = 409
    context = {
        "registration": registration,
        "event": event,
        "form": form,
        "closed": closed,
        "existing": existing,
        "crumbs": _crumbs(event, _("Feedback")),
    }
    return render(request, "events/selfservice_feedback.html", context, status=status)


urlpatterns = [
    path("anmeldung/<str:token>/", registration_manage, name="registration-manage"),
    path("anmeldung/<str:token>/absagen/", registration_cancel, name="registration-cancel"),
    path("anmeldung/<str:token>/kalender.ics", registration_ics, name="registration-ics"),
    path("anmeldung/<str:token>/bestaetigen/", registration_confirm, name="registration-confirm"),
    path("anmeldung/<str:token>/platz-annehmen/", registration_accept, name="registration-accept"),
    path("anmeldung/<str:token>/platz-ablehnen/", registration_decline, name="registration-decline"),
    path("anmeldung/<str:token>/rueckmeldung/", registration_feedback, name="registration-feedback"),
    path(
        "anmeldung/<str:token>/unterlagen/<uuid:uuid>/", registration_document, name="registration-document"
    ),
]
