"""The office's event pages: the list of events (drafts included), series and events created and
edited (with the registration form's questions), published, cancelled and deleted.

The office is administrators and lab coordinators (``actors.views.common.office_view``:
anonymous visitors go to the login page, everybody else gets the 403 page before any lookup).
Events are looked up through ``Event.objects.visible_to`` (404) and changed only by those who
manage them (``events.permissions``, 403). Every change goes through ``events.services``.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reallabor.actors.views.common import office_view
from reallabor.core.exceptions import EditConflict
from reallabor.core.validation import error_dict
from reallabor.core.views_helpers import (
    acting_user,
    add_service_errors,
    add_service_errors_to_formset,
    get_visible_or_404,
    posted_revision,
    require,
)
from reallabor.events import permissions
from reallabor.events.forms.office import (
    FIELD_MAP,
    EventForm,
    QuestionFormSet,
    QuestionFormSetFactory,
    SeriesForm,
    format_reminders,
    question_initial,
)
from reallabor.events.models import DEFAULT_REMINDER_OFFSETS, Event, EventSeries, Registration
from reallabor.events.services import events as event_services
from reallabor.events.services import series as series_services
from reallabor.events.services.seats import count_seats
from reallabor.labs.forms import organisation_suggestions

QUESTIONS_PREFIX = "questions"


def crumbs(*tail: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [(_("Events"), reverse("events:event-office-list")), *tail]


def get_event(request: HttpRequest, slug: str) -> Event:
    """The event (404 when the user does not see it), 403 unless the user manages it."""
    event = get_visible_or_404(
        Event, acting_user(request), slug=slug, select_related=("lab", "series", "host")
    )
    require(permissions.can_manage_event(acting_user(request), event), _("You may not manage this event."))
    return event


def event_crumbs(event: Event, *tail: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return crumbs((event.title, reverse("events:event-edit", kwargs={"slug": event.slug})), *tail)


# The list -----------------------------------------------------------------------------------------


@office_view
def event_office_list(request: HttpRequest) -> HttpResponse:
    """Every event the user manages, drafts included, newest first; and the series."""
    user = acting_user(request)
    active = Q(registrations__status__in=Registration.ACTIVE)
    events = [
        event
        for event in Event.objects.select_related("lab", "series")
        .annotate(active_count=Count("registrations", filter=active))
        .order_by("-starts_at", "-id")[:500]
        if permissions.can_manage_event(user, event)
    ]
    series = [
        item
        for item in EventSeries.objects.select_related("lab")
        if permissions.can_manage_series(user, item)
    ]
    context = {
        "events": events,
        "series_list": series,
        "may_create": permissions.can_create_any_event(user),
        "crumbs": [(_("Events"), None)],
    }
    return render(request, "events/office_list.html", context)


# Series -------------------------------------------------------------------------------------------


@office_view
def series_create(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require(permissions.can_create_any_event(user))
    form = SeriesForm(request.POST or None, user=user, initial={"is_public": True})
    if request.method == "POST" and form.is_valid():
        try:
            series = series_services.create_series(user=user, data=form.to_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The series “%(title)s” was created.") % {"title": series.title})
            return redirect("events:event-office-list")
    context = {"form": form, "series": None, "crumbs": crumbs((_("New series"), None))}
    return render(request, "events/office_series_form.html", context)


@office_view
def series_edit(request: HttpRequest, slug: str) -> HttpResponse:
    user = acting_user(request)
    series = get_visible_or_404(EventSeries, user, slug=slug, select_related=("lab",))
    require(permissions.can_manage_series(user, series), _("You may not edit this series."))
    if request.method == "POST":
        form = SeriesForm(request.POST, user=user)
        if form.is_valid():
            try:
                series = series_services.update_series(
                    user=user, series=series, data=form.to_data(), expected_revision=posted_revision(request)
                )
            except EditConflict as conflict:
                form.add_error(None, str(conflict))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The series was saved."))
                return redirect("events:event-office-list")
    else:
        form = SeriesForm(initial=SeriesForm.initial_from(series), user=user)
    context = {"form": form, "series": series, "crumbs": crumbs((series.title, None), (_("Edit"), None))}
    return render(request, "events/office_series_form.html", context)


# Events -------------------------------------------------------------------------------------------


def _save_event(request: HttpRequest, event: Event | None) -> tuple[Any, Any, Event | None]:
    """Bind the form and the questions; save through the services when both are valid."""
    user = acting_user(request)
    form = EventForm(request.POST, user=user)
    formset = cast(QuestionFormSet, QuestionFormSetFactory(request.POST, prefix=QUESTIONS_PREFIX))
    if not (form.is_valid() and formset.is_valid()):
        return form, formset, None
    questions, indexes = formset.to_data()
    data = {**form.to_data(), "questions": questions}
    try:
        if event is None:
            saved = event_services.create_event(user=user, data=data)
        else:
            saved = event_services.update_event(
                user=user, event=event, data=data, expected_revision=posted_revision(request)
            )
    except EditConflict as conflict:
        form.add_error(None, str(conflict))
    except ValidationError as error:
        paths = error_dict(error)
        on_questions = {key: value for key, value in paths.items() if key.startswith("questions")}
        on_form = {key: value for key, value in paths.items() if key not in on_questions}
        if on_questions:
            add_service_errors_to_formset(
                formset, ValidationError(on_questions), section="questions", form_indexes=indexes
            )
        if on_form:
            add_service_errors(form, ValidationError(on_form), FIELD_MAP)
    else:
        return form, formset, saved
    return form, formset, None


def _render_event_form(request: HttpRequest, form: Any, formset: Any, event: Event | None) -> HttpResponse:
    title = (event.title, reverse("events:event-edit", kwargs={"slug": event.slug})) if event else None
    context = {
        "form": form,
        "questions": formset,
        "event": event,
        "seats": count_seats(event) if event else None,
        "organisations": organisation_suggestions(),
        "crumbs": crumbs(*([title, (_("Edit"), None)] if title else [(_("New event"), None)])),
    }
    return render(request, "events/office_event_form.html", context)


@office_view
def event_create(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    require(permissions.can_create_any_event(user), _("Only the office creates events."))
    if request.method == "POST":
        form, formset, saved = _save_event(request, None)
        if saved is not None:
            messages.success(request, _("The event was created as a draft; publish it when it is ready."))
            return redirect("events:event-edit", slug=saved.slug)
    else:
        initial: dict[str, Any] = {
            "format": Event.Format.IN_PERSON,
            "visibility": Event.Visibility.PUBLIC,
            "reminders": format_reminders(list(DEFAULT_REMINDER_OFFSETS)),
        }
        series = (
            EventSeries.objects.filter(slug=request.GET.get("series", "")[:120]).select_related("lab").first()
        )
        if series is not None and permissions.can_manage_series(user, series):
            initial["series"] = series.slug
            initial["lab"] = series.lab.slug if series.lab is not None else ""
        form = EventForm(initial=initial, user=user)
        formset = QuestionFormSetFactory(prefix=QUESTIONS_PREFIX)
    return _render_event_form(request, form, formset, None)


@office_view
def event_edit(request: HttpRequest, slug: str) -> HttpResponse:
    event = get_event(request, slug)
    if request.method == "POST":
        form, formset, saved = _save_event(request, event)
        if saved is not None:
            messages.success(request, _("The event was saved."))
            return redirect("events:event-edit", slug=saved.slug)
    else:
        form = EventForm(initial=EventForm.initial_from(event), user=acting_user(request))
        formset = QuestionFormSetFactory(initial=question_initial(event), prefix=QUESTIONS_PREFIX)
    return _render_event_form(request, form, formset, event)


@office_view
@require_POST
def event_publish(request: HttpRequest, slug: str) -> HttpResponse:
    event = get_event(request, slug)
    try:
        event_services.publish_event(user=acting_user(request), event=event)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The event was published."))
    return redirect("events:event-edit", slug=event.slug)


@office_view
def event_cancel(request: HttpRequest, slug: str) -> HttpResponse:
    """Confirm, then cancel: says how many participants will be told."""
    event = get_event(request, slug)
    told = event.registrations.active().count()
    if request.method == "POST":
        try:
            event_services.cancel_event(user=acting_user(request), event=event)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The event was cancelled; the participants are told by e-mail."))
        return redirect("events:event-edit", slug=event.slug)
    context = {"event": event, "told": told, "crumbs": event_crumbs(event, (_("Cancel the event"), None))}
    return render(request, "events/office_event_cancel.html", context)


@office_view
def event_delete(request: HttpRequest, slug: str) -> HttpResponse:
    """Confirm, then delete (only while nobody has registered)."""
    event = get_event(request, slug)
    registrations = event.registrations.count()
    if request.method == "POST":
        try:
            event_services.delete_event(user=acting_user(request), event=event)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("events:event-edit", slug=event.slug)
        messages.success(request, _("The event “%(title)s” was deleted.") % {"title": event.title})
        return redirect("events:event-office-list")
    context = {
        "event": event,
        "registrations": registrations,
        "crumbs": event_crumbs(event, (_("Delete"), None)),
    }
    return render(request, "events/office_event_delete.html", context)


urlpatterns: list[URLPattern] = [
    path("veranstaltungen/verwaltung/", event_office_list, name="event-office-list"),
    path("veranstaltungen/neu/", event_create, name="event-create"),
    path("veranstaltungen/reihen/neu/", series_create, name="series-create"),
    path("veranstaltungen/reihen/<slug:slug>/bearbeiten/", series_edit, name="series-edit"),
    path("veranstaltungen/<slug:slug>/bearbeiten/", event_edit, name="event-edit"),
    path("veranstaltungen/<slug:slug>/veroeffentlichen/", event_publish, name="event-publish"),
    path("veranstaltungen/<slug:slug>/absagen/", event_cancel, name="event-cancel"),
    path("veranstaltungen/<slug:slug>/loeschen/", event_delete, name="event-delete"),
]
