"""Check-in at the door (the office, on a phone): ``/veranstaltungen/<slug>/einlass/``.

One search box finds a registration by name, organisation, the 6-character code or the content
of its QR code (the check-in URL ending in the registration's UUID; a phone's own camera app opens
that URL, so ``?code=<uuid>`` fills the search). Each result has one button: check in, or undo a
check-in. A walk-in form registers and checks in someone who came without registering. Counts
(checked in / expected) stay on the page.

Everything works as plain forms without JavaScript (back to the page with a message); with htmx
the results update while typing, a button swaps its own result, and the outcome is announced in
the live region ``#checkin-status``, which stays on the page. ``static/js/checkin.js`` adds
scanning with the camera (the browser's BarcodeDetector, else the vendored jsQR).

The writes are ``services.checkin``'s; it also says when check-in is not open yet (on the
event's day only).
"""

from __future__ import annotations

import uuid as uuid_module
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_POST

from reallabor.actors.views.common import office_view
from reallabor.core.validation import error_dict
from reallabor.core.views_helpers import (
    Labels,
    Row,
    acting_user,
    add_service_errors,
    get_visible_or_404,
    is_htmx,
    render_page,
    require,
)
from reallabor.events import permissions
from reallabor.events.models import Event, Registration
from reallabor.events.services import checkin as services
from reallabor.events.services.common import local_time

PAGE = "events/checkin_page.html"
QUERY_MAX = 200


class WalkInForm(forms.Form):
    """Someone at the door without a registration (the service checks the values)."""

    first_name = forms.CharField(
        label=gettext_lazy("First name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "words"}),
    )
    last_name = forms.CharField(
        label=gettext_lazy("Last name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "words"}),
    )
    organisation_name = forms.CharField(
        label=gettext_lazy("Organisation"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    email = forms.CharField(
        label=gettext_lazy("E-mail (optional)"),
        max_length=254,
        required=False,
        widget=forms.TextInput(attrs={"type": "email", "inputmode": "email", "autocomplete": "off"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "walk-in-%s")
        super().__init__(*args, **kwargs)


# Lookups ---------------------------------------------------------------------------------------


def _event(request: HttpRequest, slug: str) -> Event:
    event = get_visible_or_404(Event, acting_user(request), slug=slug)
    require(permissions.can_check_in(acting_user(request), event), _("Only the office checks people in."))
    return event


def _registration(event: Event, key: uuid_module.UUID) -> Registration:
    registration = Registration.objects.filter(event=event, uuid=key).select_related("person").first()
    if registration is None:
        raise Http404(_("Not found."))
    registration.event = event
    return registration


def _query(values: Any) -> str:
    """The search text: ``q``, else ``code`` (the QR code's link opened by a phone's camera app),
    without NUL characters. A scanned check-in URL (``…/einlass/?code=<uuid>``) becomes its UUID."""
    text = str(values.get("q") or values.get("code") or "").replace("\x00", "").strip()[:QUERY_MAX]
    if "code=" in text:
        codes = parse_qs(urlsplit(text).query).get("code")
        if codes:
            return codes[0].strip()[:QUERY_MAX]
    return text


def _url_or_none(name: str, **kwargs: Any) -> str | None:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:  # another area's page that is not there (yet)
        return None


# What the page shows ---------------------------------------------------------------------------


def _counts(event: Event) -> dict[str, int]:
    return Registration.objects.filter(event=event).aggregate(
        expected=Count("pk", filter=Q(status=Registration.Status.REGISTERED)),
        checked_in=Count("pk", filter=Q(checked_in_at__isnull=False)),
    )


class Items:
    """The rows of the results, with URLs and labels made once per list."""

    def __init__(self, event: Event) -> None:
        self.check_in_url = reverse("events:checkin-register", kwargs={"slug": event.slug, "uuid": _ZERO})
        self.undo_url = reverse("events:checkin-undo", kwargs={"slug": event.slug, "uuid": _ZERO})
        self.statuses = Labels(Registration.Status.choices)

    def item(self, registration: Registration) -> Row:
        key = str(registration.uuid)
        checked_in = registration.checked_in_at is not None
        name = registration.name
        return Row(
            key=key,
            name=name,
            organisation=registration.organisation_name,
            code=registration.code,
            status=self.statuses[registration.status],
            active=registration.is_active,
            walk_in=registration.source == Registration.Source.WALK_IN,
            checked_in=checked_in,
            time=local_time(registration.checked_in_at) if registration.checked_in_at else "",
            check_in_url=self.check_in_url.replace(str(_ZERO), key),
            undo_url=self.undo_url.replace(str(_ZERO), key),
            check_in_label=_("Check in %(name)s") % {"name": name},
            undo_label=_("Undo the check-in of %(name)s") % {"name": name},
        )


_ZERO = uuid_module.UUID("00000000-0000-4000-8000-000000000000")


def _context(request: HttpRequest, event: Event, **extra: Any) -> dict[str, Any]:
    q = extra.pop("q", None)
    if q is None:
        q = _query(request.GET)
    found = services.find_for_check_in(user=acting_user(request), event=event, text=q) if q else []
    items = Items(event)
    context: dict[str, Any] = {
        "event": event,
        "q": q,
        "results": [items.item(registration) for registration in found],
        "counts": _counts(event),
        "refusal": services.check_in_refusal(event),
        "page_url": reverse("events:checkin", kwargs={"slug": event.slug}),
        "walk_in_url": reverse("events:checkin-walk-in", kwargs={"slug": event.slug}),
        "form": WalkInForm(),
        "status": "",
        "crumbs": [
            (event.title, _url_or_none("events:event-detail", slug=event.slug)),
            (_("Check-in"), None),
        ],
    }
    context.update(extra)
    return context


def _back(event: Event, q: str) -> HttpResponse:
    url = reverse("events:checkin", kwargs={"slug": event.slug})
    return redirect(f"{url}?{urlencode({'q': q})}" if q else url)


# Views -----------------------------------------------------------------------------------------


@office_view
@require_GET
def checkin_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The page; for htmx (typing in the search box) only the results."""
    event = _event(request, slug)
    context = _context(request, event)
    if is_htmx(request) and context["q"]:  # announced in the live region, which stays on the page
        count = len(context["results"])
        context["found_status"] = (
            ngettext("%(count)s person found.", "%(count)s people found.", count) % {"count": count}
            if count
            else _("Nobody found.")
        )
    return render_page(request, PAGE, context, partial="results")


def _announce(registration: Registration, template: str) -> str:
    time = local_time(registration.checked_in_at) if registration.checked_in_at else ""
    return template % {"name": registration.name, "time": time}


def _changed(request: HttpRequest, event: Event, registration: Registration, status: str) -> HttpResponse:
    """The changed result, with the announcement and the counts out of band."""
    registration = _registration(event, registration.uuid)
    context = {
        "item": Items(event).item(registration),
        "status": status,
        "counts": _counts(event),
        "q": _query(request.POST),
    }
    return render(request, f"{PAGE}#changed", context)


@office_view
@require_POST
def checkin_register(request: HttpRequest, slug: str, uuid: uuid_module.UUID) -> HttpResponse:
    """Check in (a second time only says when)."""
    event = _event(request, slug)
    registration = _registration(event, uuid)
    try:
        result = services.check_in(user=acting_user(request), registration=registration)
    except ValidationError as error:
        status, failed = " ".join(error.messages), True
    else:
        registration, failed = result.registration, False
        if result.already:
            status = _announce(registration, _("%(name)s was already checked in at %(time)s."))
        else:
            status = _announce(registration, _("%(name)s checked in at %(time)s."))
    if not is_htmx(request):
        (messages.error if failed else messages.success)(request, status)
        return _back(event, _query(request.POST))
    return _changed(request, event, registration, status)


@office_view
@require_POST
def checkin_undo(request: HttpRequest, slug: str, uuid: uuid_module.UUID) -> HttpResponse:
    """Take back a check-in made by mistake."""
    event = _event(request, slug)
    registration = services.undo_check_in(user=acting_user(request), registration=_registration(event, uuid))
    status = _("The check-in of %(name)s is undone.") % {"name": registration.name}
    if not is_htmx(request):
        messages.success(request, status)
        return _back(event, _query(request.POST))
    return _changed(request, event, registration, status)


@office_view
@require_POST
def checkin_walk_in(request: HttpRequest, slug: str) -> HttpResponse:
    """Register and check in someone who came without registering."""
    event = _event(request, slug)
    form = WalkInForm(request.POST)
    fields = ("first_name", "last_name", "organisation_name", "email")
    data = {field: str(request.POST.get(field, "")).replace("\x00", "")[:300] for field in fields}
    try:
        result = services.walk_in(user=acting_user(request), event=event, data=data)
    except ValidationError as error:
        form.is_valid()
        form.errors.clear()
        add_service_errors(form, error)
        context = _context(request, event, q=_query(request.POST), form=form)
        context["status"] = _("Not added: %(problems)s") % {
            "problems": " ".join(message for messages_ in error_dict(error).values() for message in messages_)
        }
        if is_htmx(request):
            return render(request, f"{PAGE}#walk_in_changed", context)
        return render(request, PAGE, context, status=400)
    registration = result.registration
    if result.already:
        status = _announce(registration, _("%(name)s was already checked in at %(time)s."))
    elif registration.source == Registration.Source.WALK_IN:
        status = _announce(registration, _("%(name)s was added and checked in at %(time)s."))
    else:
        status = _announce(registration, _("%(name)s checked in at %(time)s."))
    if not is_htmx(request):
        messages.success(request, status)
        return _back(event, registration.code)
    context = _context(request, event, q=registration.code, status=status)
    return render(request, f"{PAGE}#walk_in_changed", context)


urlpatterns = [
    path("veranstaltungen/<slug:slug>/einlass/", checkin_page, name="checkin"),
    path("veranstaltungen/<slug:slug>/einlass/spontan/", checkin_walk_in, name="checkin-walk-in"),
    path(
        "veranstaltungen/<slug:slug>/einlass/<uuid:uuid>/",
        checkin_register,
        name="checkin-register",
    ),
    path(
        "veranstaltungen/<slug:slug>/einlass/<uuid:uuid>/rueckgaengig/",
        checkin_undo,
        name="checkin-undo",
    ),
]
