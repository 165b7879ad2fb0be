"""The office's downloads and follow-up of an event: the participant list (CSV, .xlsx), the
printable sign-in sheet (PDF), documents (minutes, slides, others) and the minutes and results.

Every export of personal data is written to the actors' audit trail (``privacy.log_access``).
Documents live in the media storage, which is not served: they are handed out here, to those who
manage the event, and — when the office shared them with everybody — to the public on the page of a
listed public event (``public_document_download``; the participants' downloads are in
``views.selfservice``).
"""

from __future__ import annotations

import uuid as uuid_module

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import URLPattern, path, re_path, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from reallabor.actors.models import PersonalDataAccess
from reallabor.actors.services.privacy import log_access
from reallabor.actors.views.common import office_view
from reallabor.actors.views.segments import export_response
from reallabor.core.exceptions import EditConflict
from reallabor.core.views_helpers import acting_user, add_service_errors, posted_revision
from reallabor.events import exports
from reallabor.events.downloads import file_response
from reallabor.events.forms.office import DocumentForm, MinutesForm
from reallabor.events.models import Event, EventDocument
from reallabor.events.services import documents as document_services
from reallabor.events.services import events as event_services
from reallabor.events.views.office import event_crumbs, get_event
from reallabor.events.views.participants import get_participants_event

SHEET_CSS = """
@page { size: A4; margin: 18mm 14mm 16mm; @bottom-right { content: counter(page) " / " counter(pages);
  font-family: "DejaVu Sans", sans-serif; font-size: 8pt; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 10pt; color: #000; }
h1 { font-size: 16pt; margin: 0 0 2mm; }
p { margin: 0 0 4mm; }
table { width: 100%; border-collapse: collapse; }
th, td { border: 0.6pt solid #444; padding: 2.5mm 2mm; text-align: left; vertical-align: top; }
th { background: #eee; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; }
.number { width: 8mm; text-align: right; }
.signature { width: 55mm; }
"""


def _filename(event: Event, suffix: str) -> str:
    return f"{slugify(event.slug)[:80] or 'veranstaltung'}-{suffix}"


def _log(request: HttpRequest, event: Event, what: str) -> None:
    log_access(
        user=acting_user(request),
        person=None,
        action=PersonalDataAccess.Action.LIST_EXPORTED,
        detail=_("Participants of the event “%(title)s” (%(uuid)s) as %(format)s")
        % {"title": event.title, "uuid": event.uuid, "format": what},
    )


@office_view
def event_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponseBase:
    """The participant list with the waiting list and attendance (CSV or .xlsx)."""
    event = get_participants_event(request, slug)
    header, rows = exports.participant_table(exports.registration_values(event), list(event.questions.all()))
    _log(request, event, fmt)
    return export_response(
        header, rows, fmt, filename=_filename(event, f"teilnehmende.{fmt}"), title=_("Participants")
    )


def sign_in_pdf(event: Event) -> bytes:
    """The sign-in sheet as PDF (WeasyPrint; nothing fetched, DejaVu Sans as in the reports)."""
    from weasyprint import HTML

    from reallabor.reports.formats.pdf import url_fetcher

    html = render_to_string(
        "events/office_sign_in_sheet.html",
        {
            "event": event,
            "rows": exports.sign_in_rows(exports.registration_values(event)),
            "css": mark_safe(SHEET_CSS),  # our own constant
            "printed": timezone.localtime(),
        },
    )
    pdf: bytes = HTML(string=html, base_url=None, url_fetcher=url_fetcher()).write_pdf()
    return pdf


@office_view
def event_sign_in_sheet(request: HttpRequest, slug: str) -> HttpResponse:
    event = get_participants_event(request, slug)
    pdf = sign_in_pdf(event)
    _log(request, event, _("sign-in sheet (PDF)"))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{_filename(event, "anwesenheitsliste.pdf")}"'
    return response


# Documents -----------------------------------------------------------------------------------------


def _documents_context(request: HttpRequest, event: Event, form: DocumentForm) -> dict[str, object]:
    return {
        "event": event,
        "documents": list(event.documents.select_related("uploaded_by").order_by("uploaded_at", "id")),
        "form": form,
        "audiences": EventDocument.Audience.choices,
        "crumbs": event_crumbs(event, (_("Documents"), None)),
    }


@office_view
def document_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The event's documents, and a form to upload one."""
    event = get_event(request, slug)
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            document_services.add_document(
                user=acting_user(request),
                event=event,
                title=form.cleaned_data["title"],
                file=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                audience=form.cleaned_data["audience"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The document was added."))
            return redirect("events:document-list", slug=event.slug)
    return render(request, "events/office_documents.html", _documents_context(request, event, form))


def _document(request: HttpRequest, slug: str, uuid: uuid_module.UUID) -> EventDocument:
    event = get_event(request, slug)
    document = EventDocument.objects.filter(event=event, uuid=uuid).select_related("event").first()
    if document is None:
        raise Http404(_("Not found."))
    return document


@office_view
def document_download(request: HttpRequest, slug: str, uuid: uuid_module.UUID) -> HttpResponseBase:
    return file_response(_document(request, slug, uuid))


@require_GET
def public_document_download(request: HttpRequest, slug: str, uuid: uuid_module.UUID) -> HttpResponseBase:
    """A document the office shared with everybody, of a listed public event (else 404, for
    everybody alike: the office downloads through its own pages)."""
    event = Event.objects.public().filter(slug=slug).first()
    if event is None:
        raise Http404(_("Not found."))
    document = document_services.public_documents(event).filter(uuid=uuid).select_related("event").first()
    if document is None:
        raise Http404(_("Not found."))
    return file_response(document)


@office_view
@require_POST
def document_audience(request: HttpRequest, slug: str, uuid: uuid_module.UUID) -> HttpResponse:
    """Change who may download a document."""
    document = _document(request, slug, uuid)
    try:
        document_services.set_document_audience(
            user=acting_user(request), document=document, audience=request.POST.get("audience", "")
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("“%(title)s”: %(audience)s.")
            % {"title": document.title, "audience": document.get_audience_display()},
        )
    return redirect("events:document-list", slug=slug)


@office_view
@require_POST
def document_remove(request: HttpRequest, slug: str, uuid: uuid_module.UUID) -> HttpResponse:
    document = _document(request, slug, uuid)
    document_services.remove_document(user=acting_user(request), document=document)
    messages.success(request, _("The document “%(title)s” was removed.") % {"title": document.title})
    return redirect("events:document-list", slug=slug)


# Minutes and results ---------------------------------------------------------------------------


@office_view
def event_minutes(request: HttpRequest, slug: str) -> HttpResponse:
    """The minutes (Markdown) and the results, linked to the lab's measures."""
    event = get_event(request, slug)
    if request.method == "POST":
        form = MinutesForm(request.POST, event=event)
        if form.is_valid():
            try:
                event_services.update_event(
                    user=acting_user(request),
                    event=event,
                    data=form.to_data(),
                    expected_revision=posted_revision(request),
                )
            except EditConflict as conflict:
                form.add_error(None, str(conflict))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The minutes and results were saved."))
                return redirect("events:event-minutes", slug=event.slug)
    else:
        form = MinutesForm(initial=MinutesForm.initial_from(event), event=event)
    context = {
        "event": event,
        "form": form,
        "documents_url": reverse("events:document-list", kwargs={"slug": event.slug}),
        "crumbs": event_crumbs(event, (_("Minutes and results"), None)),
    }
    return render(request, "events/office_minutes.html", context)


urlpatterns: list[URLPattern] = [
    re_path(
        r"^veranstaltungen/(?P<slug>[-a-zA-Z0-9_]+)/export\.(?P<fmt>csv|xlsx)$",
        event_export,
        name="event-export",
    ),
    path(
        "veranstaltungen/<slug:slug>/anwesenheitsliste.pdf", event_sign_in_sheet, name="event-sign-in-sheet"
    ),
    path("veranstaltungen/<slug:slug>/dokumente/", document_list, name="document-list"),
    path("veranstaltungen/<slug:slug>/dokumente/<uuid:uuid>/", document_download, name="document-download"),
    path(
        "veranstaltungen/<slug:slug>/dokumente/<uuid:uuid>/freigabe/",
        document_audience,
        name="document-audience",
    ),
    path(
        "veranstaltungen/<slug:slug>/unterlagen/<uuid:uuid>/",
        public_document_download,
        name="document-public",
    ),
    path(
        "veranstaltungen/<slug:slug>/dokumente/<uuid:uuid>/entfernen/",
        document_remove,
        name="document-remove",
    ),
    path("veranstaltungen/<slug:slug>/protokoll/", event_minutes, name="event-minutes"),
]
