"""The report pages: the portfolio's report and a lab's, as a web page or a download.

``?format=`` html (the web page, default), pdf, md or docx (downloads); ``?internal=1`` adds the
drafts the signed-in user may see (anonymous visitors are sent to the login page). The public
report holds published content only, whoever asks. Views are thin: ``build_report`` + a renderer.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from reallabor.core.text import german_slugify as slugify
from reallabor.core.views_helpers import acting_user
from reallabor.reports.formats import FORMATS
from reallabor.reports.formats import render as render_format
from reallabor.reports.formats.html import report_context
from reallabor.reports.reporting import Report
from reallabor.reports.selectors import ReportScopeError, build_report

INTERNAL_VALUES = {"": False, "0": False, "1": True}


@require_safe
def portfolio_report(request: HttpRequest) -> HttpResponse:
    return _report(request, lab_slug=None)


@require_safe
def lab_report(request: HttpRequest, slug: str) -> HttpResponse:
    return _report(request, lab_slug=slug)


def report_filename(report: Report, extension: str) -> str:
    """reallabor-bottrop-2026-11-21.pdf; a lab's: reallabor-bottrop-<lab>-2026-11-21-intern.pdf."""
    parts = ["reallabor", slugify(report.city) or "report"]
    if report.lab_slug:
        parts.append(report.lab_slug)
    parts.append(report.date.isoformat())
    if report.internal:
        parts.append("intern")
    return f"{'-'.join(parts)}.{extension}"


def _bad_request(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "400.html", {"message": message}, status=400)


def _report(request: HttpRequest, *, lab_slug: str | None) -> HttpResponse:
    name = request.GET.get("format", "") or "html"
    if name not in FORMATS:
        allowed = ", ".join(FORMATS)
        return _bad_request(
            request,
            _("Unknown format “%(format)s”: the report is available as %(allowed)s.")
            % {"format": name[:20], "allowed": allowed},
        )
    raw_internal = request.GET.get("internal", "")
    if raw_internal not in INTERNAL_VALUES:
        return _bad_request(request, _("The parameter “internal” must be 0 or 1."))
    internal = INTERNAL_VALUES[raw_internal]
    if internal and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    try:
        report = build_report(acting_user(request), lab_slug=lab_slug, internal=internal)
    except ReportScopeError as error:
        raise Http404(str(error)) from None
    if name == "html":
        return render(request, "reports/report_page.html", _page_context(request, report))
    fmt = FORMATS[name]
    response = HttpResponse(render_format(report, name), content_type=fmt.content_type)
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=report_filename(report, fmt.extension)
    )
    return response


def _page_context(request: HttpRequest, report: Report) -> dict[str, Any]:
    if report.lab_slug:
        lab = report.labs[0]
        crumbs = [
            (_("Labs"), reverse("labs:lab-list")),
            (lab.name, lab.url),
            (_("Report"), None),
        ]
        public_url = reverse("reports:lab", kwargs={"slug": report.lab_slug})
    else:
        crumbs = [(_("Portfolio"), reverse("labs:portfolio")), (_("Report"), None)]
        public_url = reverse("reports:portfolio")
    lab_is_draft = bool(report.lab_slug) and report.labs[0].is_draft
    return {
        **report_context(report),
        "crumbs": crumbs,
        "public_url": public_url,
        # A draft lab has no public report; the switch offers the public one only where it exists.
        "has_public_report": not lab_is_draft,
        "downloads": [
            ("pdf", _("PDF")),
            ("docx", _("Word (.docx)")),
            ("md", _("Markdown")),
        ],
    }
