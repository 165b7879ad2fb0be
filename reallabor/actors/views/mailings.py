"""The mailing pages (office only) and the public unsubscribe page.

A mailing is written as a draft (subject, Markdown message, segment, purpose, measures), previewed
for a sample recipient, tested by a mail to oneself and sent through the worker after a
confirmation that names the number of recipients. Its page then shows the log: how many were
sent, failed and skipped, how many are being sent or unconfirmed (maybe delivered), and who
received it; "Resume delivery" continues with the waiting recipients and, only when the office
ticks the box, sends the unconfirmed ones again. Every change goes through
``actors.services.mailings``.

``/organisationen/<slug>/zielgruppen/`` sets the target groups of an organisation (the panel on
its page, ``actors_crm.target_groups_panel``): which Mehrwert blocks of a mailing its people get.

``/abmelden/<token>/`` needs no login: the signed token names the person, the purpose and the
mailing. GET asks for confirmation; POST (the page's button, or a mail client's RFC 8058
one-click request) withdraws the consent. It is exempt from CSRF because the token authenticates.
"""

from __future__ import annotations

import uuid as uuid_module
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import translation
from django.utils.csp import CSP
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from reallabor.actors.forms.mailings import MailingForm
from reallabor.actors.forms.target_groups import TargetGroupsForm
from reallabor.actors.mail import Recipient, render_mail
from reallabor.actors.models import Mailing, MailingRecipient, Purpose
from reallabor.actors.services import mailings as services
from reallabor.actors.services import target_groups as target_groups_service
from reallabor.actors.templatetags.actors_crm import target_groups_context
from reallabor.actors.views.common import office_view
from reallabor.core.validation import error_dict
from reallabor.core.views_helpers import (
    acting_user,
    add_service_errors,
    get_visible_or_404,
    is_htmx,
    render_page,
    safe_next,
)
from reallabor.organisations.models import Organisation

PER_PAGE = 50
MAX_PAGE = 2000

# The preview frame shows the HTML e-mail as it is: inline styles, nothing else, inside our page only.
PREVIEW_CSP: dict[str, list[str]] = {
    "default-src": [CSP.NONE],
    "style-src": [CSP.UNSAFE_INLINE],
    "img-src": ["data:"],
    "frame-ancestors": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.NONE],
}


def _crumbs(*tail: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [(_("Mailings"), reverse("actors:mailing-list")), *tail]


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return min(int(raw), MAX_PAGE) if raw.isdigit() and int(raw) > 0 else 1


def _get_mailing(request: HttpRequest, uuid: uuid_module.UUID) -> Mailing:
    return get_visible_or_404(
        Mailing, acting_user(request), uuid=uuid, select_related=("segment", "created_by")
    )


def _messages_of(error: ValidationError) -> list[str]:
    return [message for messages_ in error_dict(error).values() for message in messages_]


# ---------------------------------------------------------------------------------------------
# List, create, edit, delete


@office_view
def mailing_list(request: HttpRequest) -> HttpResponse:
    number = _page_number(request)
    start = (number - 1) * PER_PAGE
    mailings = (
        Mailing.objects.visible_to(acting_user(request))
        .select_related("segment")
        .annotate(
            recipient_count=Count("recipients"),
            sent_count=Count("recipients", filter=Q(recipients__status=MailingRecipient.Status.SENT)),
        )
        .order_by("-created_at", "-id")
    )
    rows = list(mailings[start : start + PER_PAGE + 1])
    context: dict[str, Any] = {
        "mailings": rows[:PER_PAGE],
        "page_number": number,
        "has_previous": number > 1,
        "has_next": len(rows) > PER_PAGE,
        "crumbs": [(_("Mailings"), None)],
    }
    return render_page(request, "actors/mailing_list.html", context, partial="results")


@office_view
def mailing_create(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = MailingForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            mailing = services.create_mailing(user=user, data=form.to_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The draft was saved. Check the preview, then send it."))
            return redirect(mailing.get_absolute_url())
    context = {"form": form, "mailing": None, "crumbs": _crumbs((_("New mailing"), None))}
    return render(request, "actors/mailing_form.html", context, status=400 if form.errors else 200)


@office_view
def mailing_edit(request: HttpRequest, uuid: uuid_module.UUID) -> HttpResponse:
    user = acting_user(request)
    mailing = _get_mailing(request, uuid)
    if mailing.status != Mailing.Status.DRAFT:
        messages.error(request, _("This mailing has been sent; it can no longer be changed."))
        return redirect(mailing.get_absolute_url())
    form = MailingForm(request.POST if request.method == "POST" else None, user=user, mailing=mailing)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_mailing(user=user, mailing=mailing, data=form.to_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect(mailing.get_absolute_url())
    context = {
        "form": form,
        "mailing": mailing,
        "crumbs": _crumbs((mailing.subject, mailing.get_absolute_url()), (_("Edit"), None)),
    }
    return render(request, "actors/mailing_form.html", context, status=400 if form.errors else 200)


@office_view
@require_http_methods(["GET", "POST"])
def mailing_delete(request: HttpRequest, uuid: uuid_module.UUID) -> HttpResponse:
    mailing = _get_mailing(request, uuid)
    errors: list[str] = []
    if mailing.status != Mailing.Status.DRAFT:
        errors.append(_("This mailing has been sent; it stays as the record of who received it."))
    elif request.method == "POST":
        try:
            services.delete_mailing(user=acting_user(request), mailing=mailing)
        except ValidationError as error:
            errors = _messages_of(error)
        else:
            messages.success(
                request, _("The draft “%(subject)s” was deleted.") % {"subject": mailing.subject}
            )
            return redirect("actors:mailing-list")
    context = {
        "mailing": mailing,
        "errors": errors,
        "crumbs": _crumbs((mailing.subject, mailing.get_absolute_url()), (_("Delete"), None)),
    }
    return render(request, "actors/mailing_confirm_delete.html", context)


# ---------------------------------------------------------------------------------------------
# Detail, preview, test, send


def _segment_url(mailing: Mailing) -> str:
    if mailing.segment is None:
        return ""
    try:
        return mailing.segment.get_absolute_url()
    except NoReverseMatch:  # the segments' pages are not there (yet)
        return ""


def _sample(request: HttpRequest, mailing: Mailing) -> tuple[Recipient, bool]:
    """The sample recipient of the preview (a made-up one when nobody is reachable)."""
    person = services.sample_recipient(mailing, user=acting_user(request))
    if person is None:
        return Recipient(
            email="erika.mustermann@example.org", first_name="Erika", last_name="Mustermann"
        ), False
    groups = services.recipient_groups([person.pk]).get(person.pk, frozenset())
    return Recipient.of(person, groups=groups), True


@office_view
def mailing_detail(request: HttpRequest, uuid: uuid_module.UUID) -> HttpResponse:
    mailing = _get_mailing(request, uuid)
    context: dict[str, Any] = {
        "mailing": mailing,
        "measures": list(mailing.measures.select_related("lab").order_by("lab__name", "position", "id")),
        "is_draft": mailing.status == Mailing.Status.DRAFT,
        "segment_url": _segment_url(mailing),
        "crumbs": _crumbs((mailing.subject, None)),
    }
    if mailing.status == Mailing.Status.DRAFT:
        try:
            context["audience"] = services.audience(mailing, user=acting_user(request))
            recipient, real = _sample(request, mailing)
        except ValidationError as error:
            context["audience_errors"] = _messages_of(error)
            recipient, real = Recipient(email="", first_name="Erika", last_name="Mustermann"), False
        rendered = render_mail(mailing, services.mailing_blocks(mailing), recipient, preview=True)
        context.update({"preview": rendered, "sample": recipient, "sample_is_real": real})
    else:
        number = _page_number(request)
        start = (number - 1) * PER_PAGE
        rows = list(
            MailingRecipient.objects.filter(mailing=mailing)
            .select_related("person")
            .only(
                "email",
                "status",
                "claimed_at",
                "sent_at",
                "error",
                "person__uuid",
                "person__first_name",
                "person__last_name",
                "person__anonymised_at",
            )
            .order_by("pk")[start : start + PER_PAGE + 1]
        )
        context.update(
            {
                "counts": services.recipient_counts(mailing),
                "delivery": services.delivery_state(mailing),
                "recipients": rows[:PER_PAGE],
                "page_number": number,
                "has_previous": number > 1,
                "has_next": len(rows) > PER_PAGE,
            }
        )
    return render_page(request, "actors/mailing_detail.html", context, partial="recipients")


@office_view
@never_cache
@xframe_options_sameorigin
@csp_override(PREVIEW_CSP)
def mailing_preview(request: HttpRequest, uuid: uuid_module.UUID) -> HttpResponse:
    """The HTML part of the message to the sample recipient, for the preview frame."""
    mailing = _get_mailing(request, uuid)
    try:
        recipient, _real = _sample(request, mailing)
    except ValidationError:
        recipient = Recipient(email="", first_name="Erika", last_name="Mustermann")
    rendered = render_mail(mailing, services.mailing_blocks(mailing), recipient, preview=True)
    return HttpResponse(rendered.html, content_type="text/html; charset=utf-8")


@office_view
@require_POST
def mailing_test_send(request: HttpRequest, uuid: uuid_module.UUID) -> HttpResponse:
    mailing = _get_mailing(request, uuid)
    try:
        address = services.send_test_mailing(
            user=acting_user(request), mailing=mailing, language=translation.get_language() or ""
        )
    except ValidationError as error:
        for message in _messages_of(error):
            messages.error(request, message)
    else:
        messages.success(
            request, _("A test was sent to %(address)s. It is marked “[Test]”.") % {"address": address}
        )
    return redirect(mailing.get_absolute_url())


@office_view
@require_http_methods(["GET", "POST"])
def mailing_send(request: HttpRequest, uuid: uuid_module.UUID) -> HttpResponse:
    """GET: what sending will do (how many recipients); POST: send."""
    mailing = _get_mailing(request, uuid)
    errors: list[str] = []
    if mailing.status != Mailing.Status.DRAFT:
        messages.info(request, _("This mailing has already been sent; it cannot be sent twice."))
        return redirect(mailing.get_absolute_url())
    if request.method == "POST":
        try:
            count = services.send_mailing(user=acting_user(request), mailing=mailing)
        except ValidationError as error:
            errors = _messages_of(error)
        else:
            messages.success(
                request,
                _("The mailing is on its way to %(count)d recipients. This page shows how far it got.")
                % {"count": count},
            )
            return redirect(mailing.get_absolute_url())
    audience = None
    try:
        audience = services.audience(mailing, user=acting_user(request))
    except ValidationError as error:
        errors = errors or _messages_of(error)
    if audience is not None and not audience.reachable and not errors and mailing.segment is not None:
        errors.append(services.no_recipients_message(audience.in_segment, mailing.purpose))
    if mailing.segment is None and not errors:
        errors.append(_("Choose the segment the mailing goes to before sending it."))
    context = {
        "mailing": mailing,
        "audience": audience,
        "errors": errors,
        "purpose": Purpose(mailing.purpose).label,
        "crumbs": _crumbs((mailing.subject, mailing.get_absolute_url()), (_("Send"), None)),
    }
    return render(
        request,
        "actors/mailing_send.html",
        context,
        status=400 if errors and request.method == "POST" else 200,
    )


@office_view
@require_POST
def mailing_resume(request: HttpRequest, uuid: uuid_module.UUID) -> HttpResponse:
    mailing = _get_mailing(request, uuid)
    resend = request.POST.get("resend_unconfirmed") == "on"
    try:
        waiting = services.resume_mailing(
            user=acting_user(request), mailing=mailing, resend_unconfirmed=resend
        )
    except ValidationError as error:
        for message in _messages_of(error):
            messages.error(request, message)
    else:
        messages.success(
            request, _("The worker continues with the %(count)d waiting recipients.") % {"count": waiting}
        )
        state = services.delivery_state(mailing)
        if state.unconfirmed:
            messages.warning(
                request,
                ngettext(
                    "%(count)d recipient is unconfirmed: the delivery broke off while the message was "
                    "being handed over, so it may or may not have arrived. It is not sent again unless "
                    "you choose so.",
                    "%(count)d recipients are unconfirmed: the delivery broke off while the message was "
                    "being handed over, so it may or may not have arrived. They are not sent again "
                    "unless you choose so.",
                    state.unconfirmed,
                )
                % {"count": state.unconfirmed},
            )
        if state.in_flight:
            messages.info(
                request,
                ngettext(
                    "%(count)d recipient is being sent right now.",
                    "%(count)d recipients are being sent right now.",
                    state.in_flight,
                )
                % {"count": state.in_flight},
            )
    return redirect(mailing.get_absolute_url())


# ---------------------------------------------------------------------------------------------
# The target groups of an organisation (read by the Mehrwert rule of mailings)


@office_view
@require_POST
def target_groups_organisation_set(request: HttpRequest, slug: str) -> HttpResponse:
    """Set the organisation's target groups: htmx swaps the panel, a plain form goes back to the page."""
    user = acting_user(request)
    organisation = get_visible_or_404(Organisation, user, slug=slug)
    tags = list(target_groups_service.target_groups_of(organisation))
    form = TargetGroupsForm(request.POST, terms=target_groups_service.target_group_terms(), tags=tags)
    done = ""
    if form.is_valid():
        try:
            target_groups_service.set_target_groups(
                user=user, organisation=organisation, codes=form.cleaned_data["target_groups"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            done = _("The target groups were saved.")
    if not is_htmx(request):
        for errors in form.errors.values():
            for text in errors:
                messages.error(request, str(text))
        if done:
            messages.success(request, done)
        return redirect(safe_next(request, organisation.get_absolute_url() + "#target-groups"))
    context = target_groups_context(user, organisation, form=form if form.errors else None, message=done)
    return render(request, "actors/includes/target_groups_panel.html", context)


# ---------------------------------------------------------------------------------------------
# Unsubscribe (public)


@csrf_exempt  # the signed token authenticates; mail clients post without a CSRF token (RFC 8058)
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponseBase:
    found = services.read_unsubscribe_token(token)
    if found is None:
        return render(request, "actors/unsubscribe_invalid.html", {}, status=400)
    purpose = Purpose(found.purpose).label
    if request.method == "POST":
        outcome = services.unsubscribe(request=found)
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        context = {"outcome": outcome, "purpose": purpose, "one_click": one_click}
        return render(request, "actors/unsubscribe_done.html", context)
    state, _person = services.unsubscribe_state(found)
    return render(
        request, "actors/unsubscribe_confirm.html", {"state": state, "purpose": purpose, "token": token}
    )


urlpatterns = [
    path("mailings/", mailing_list, name="mailing-list"),
    path("mailings/neu/", mailing_create, name="mailing-create"),
    path("mailings/<uuid:uuid>/", mailing_detail, name="mailing-detail"),
    path("mailings/<uuid:uuid>/vorschau/", mailing_preview, name="mailing-preview"),
    path("mailings/<uuid:uuid>/bearbeiten/", mailing_edit, name="mailing-edit"),
    path("mailings/<uuid:uuid>/test/", mailing_test_send, name="mailing-test-send"),
    path("mailings/<uuid:uuid>/senden/", mailing_send, name="mailing-send"),
    path("mailings/<uuid:uuid>/fortsetzen/", mailing_resume, name="mailing-resume"),
    path("mailings/<uuid:uuid>/loeschen/", mailing_delete, name="mailing-delete"),
    path("abmelden/<str:token>/", unsubscribe, name="mailing-unsubscribe"),
    path(
        "organisationen/<slug:slug>/zielgruppen/",
        target_groups_organisation_set,
        name="target-groups-organisation-set",
    ),
]
