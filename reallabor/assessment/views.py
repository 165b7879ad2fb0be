"""The business's pages of the digital-maturity check, ``/digitalcheck/…`` (no account needed).

- ``/digitalcheck/``: what the check is; *start and save* (a draft is stored, the personal link is
  shown) or *without saving* (``ohne-speichern/``: one page, scored by ``services.preview_check``,
  nothing stored; its PDF is made from the posted answers again).
- ``/digitalcheck/weiter/<token>/…``: the draft by its personal link: one step per dimension
  (``schritt/<n>/``), the business's context data (``angaben/``), the summary and submission
  (``abschluss/``), then the result (``ergebnis/``) and its PDF (``ergebnis.pdf``). Every save
  makes a fresh link (links are valid 180 days from when they were made).
- ``/digitalcheck/ergebnisse/<uuid>/`` (and ``pdf/``): a result for signed-in users who may see it
  (``Response.objects.visible_to``: the business's members, partners it is shared with, the office).

A damaged link gives a 400 page, an expired one or a deleted check a 410 page; never a 500.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid as uuid_module
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from reallabor.assessment import charts, engine, links, recommending, scoring, selectors, services
from reallabor.assessment.forms import (
    ContextForm,
    check_section,
    context_initial,
    problems_by_field,
    read_section,
    section_view,
    service_errors_by_field,
)
from reallabor.assessment.models import Response
from reallabor.core.validation import error_dict
from reallabor.core.views_helpers import unreadable_post

QUESTIONNAIRE = services.DEFAULT_QUESTIONNAIRE

# One or two sentences per dimension (the DMA's six dimensions, ids of the definition file).
EXPLANATIONS: dict[str, Any] = {
    "1": gettext_lazy(
        "How far going digital is planned and invested in across the business: from costing to "
        "customer service. A plan with priorities makes every later step cheaper."
    ),
    "2": gettext_lazy(
        "Which digital tools and technologies the business already uses, from a website and "
        "online forms to CAD/CAM or 3D printing."
    ),
    "3": gettext_lazy(
        "Whether the team is taken along: skills, training and involvement of the employees in "
        "choosing and introducing new tools."
    ),
    "4": gettext_lazy(
        "How data is recorded, kept safe and used: from rules for handling data to backups, "
        "IT security and connected systems."
    ),
    "5": gettext_lazy(
        "How far routine work is automated and whether artificial intelligence helps, for "
        "example in planning, quoting or production."
    ),
    "6": gettext_lazy(
        "Whether going digital also saves energy, material and paper, and whether environmental "
        "questions are part of the plans."
    ),
}


# --- the result, shared by the pages and the PDF -------------------------------------------------------


@dataclass(frozen=True)
class DimensionRow:
    id: str
    title: str
    score: Decimal
    band: str
    explanation: str
    relevance: int | None
    gap: Decimal | None
    before: Decimal | None = None
    change: Decimal | None = None


def result_context(
    definition: engine.Definition,
    result: scoring.Result,
    *,
    trade: str = "",
    headcount_band: str = "",
    founding_year: int | None = None,
    comparison: selectors.Comparison | None = None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    titles = {section.id: str(section.title) for section in definition.sections}
    changes = {change.dimension: change for change in comparison.dimensions} if comparison else {}
    rows = [
        DimensionRow(
            id=dimension.id,
            title=titles.get(dimension.id, dimension.id),
            score=scoring.round_half_up(dimension.score),
            band=str(scoring.band_for(dimension.score).label),
            explanation=str(EXPLANATIONS.get(dimension.id, "")),
            relevance=dimension.relevance,
            gap=scoring.round_half_up(dimension.gap) if dimension.gap is not None else None,
            before=changes[dimension.id].before if dimension.id in changes else None,
            change=changes[dimension.id].change if dimension.id in changes else None,
        )
        for dimension in result.dimensions
    ]
    by_id = {row.id: row for row in rows}
    gaps = [by_id[dimension.id] for dimension in result.gaps if dimension.gap]
    business = recommending.business_of(
        trade=trade,
        headcount_band=headcount_band,
        founding_year=founding_year,
        gaps=tuple((dimension.id, dimension.gap) for dimension in result.gaps if dimension.gap is not None),
    )
    return {
        "definition": definition,
        "overall": scoring.round_half_up(result.overall),
        "band": result.band,
        "rows": rows,
        "gaps": gaps,
        "has_relevance": result.has_gaps,
        "chart": charts.radar_svg([row.title for row in rows], [float(row.score) for row in rows]),
        "offers": recommending.recommended_offers(business, today=today),
        "comparison": comparison,
    }


def _stored_context(response: Response) -> dict[str, Any]:
    result = services.rescore(response)
    if result is None:
        raise Http404
    return result_context(
        response.definition(),
        result,
        trade=response.trade.code if response.trade is not None else "",
        headcount_band=response.headcount_band,
        founding_year=response.founding_year,
        comparison=selectors.comparison(response),
    ) | {"response": response}


def result_pdf(context: dict[str, Any]) -> bytes:
    """The result as PDF (WeasyPrint; nothing fetched: the chart is inline SVG, fonts are local)."""
    from weasyprint import HTML

    from reallabor.reports.formats.pdf import url_fetcher

    html = render_to_string("assessment/check_result_pdf.html", context | {"printed": timezone.localtime()})
    pdf: bytes = HTML(string=html, base_url=None, url_fetcher=url_fetcher()).write_pdf()
    return pdf


def _pdf_response(pdf: bytes) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="digitalcheck-ergebnis.pdf"'
    return response


# --- the personal link -----------------------------------------------------------------------------------


def link_error(request: HttpRequest, error: links.LinkError) -> HttpResponse:
    tampered = isinstance(error, links.LinkTampered)
    context = {"message": str(error), "tampered": tampered}
    return render(request, "assessment/check_link_error.html", context, status=400 if tampered else 410)


def by_link(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The view gets the response of the personal link (and the token) instead of the token."""

    @wraps(view)
    def wrapper(request: HttpRequest, token: str, **kwargs: Any) -> HttpResponse:
        try:
            response = links.response_from_link(token)
        except links.LinkError as error:
            return link_error(request, error)
        return view(request, response, token, **kwargs)

    return wrapper


def _url(name: str, response: Response, **kwargs: Any) -> str:
    """A page of the check by a fresh personal link."""
    return reverse(f"assessment:{name}", kwargs={"token": links.response_link_token(response), **kwargs})


def _link_context(request: HttpRequest, response: Response, token: str) -> dict[str, Any]:
    return {
        "response": response,
        "token": token,
        "continue_url": request.build_absolute_uri(
            reverse("assessment:check-continue", kwargs={"token": token})
        ),
        "steps": len(response.definition().sections),
    }


# --- pages -------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def check_start(request: HttpRequest) -> HttpResponse:
    """What the check is; POST starts a draft (stored: the business chose to save) and shows its link."""
    definition = engine.load_definition(QUESTIONNAIRE)
    if request.method == "POST":
        try:
            response = services.start_check(user=request.user, questionnaire=QUESTIONNAIRE)
        except ValidationError as error:
            messages = [message for items in error_dict(error).values() for message in items]
            return render(
                request,
                "assessment/check_start.html",
                {"definition": definition, "errors": messages},
                status=400,
            )
        return redirect(_url("check-continue", response))
    return render(request, "assessment/check_start.html", {"definition": definition})


@require_http_methods(["GET"])
@by_link
def check_continue(request: HttpRequest, response: Response, token: str) -> HttpResponse:
    """The personal link: save it; continue where the answers end (a submitted check: its result)."""
    if not response.is_draft:
        return redirect(_url("check-result", response))
    definition = response.definition()
    first_open = next(
        (
            index
            for index, section in enumerate(definition.sections, start=1)
            if any(question.id not in response.answers for question in section.questions)
        ),
        None,
    )
    context = _link_context(request, response, token) | {"first_open": first_open}
    return render(request, "assessment/check_continue.html", context)


@require_http_methods(["GET", "POST"])
@by_link
def check_step(request: HttpRequest, response: Response, token: str, step: int) -> HttpResponse:
    """One dimension: its questions and its relevance; Back and Next save the draft."""
    if not response.is_draft:
        return redirect(_url("check-result", response))
    definition = response.definition()
    if not 1 <= step <= len(definition.sections):
        raise Http404
    section = definition.sections[step - 1]
    answers: dict[str, Any] = dict(response.answers)
    relevance: dict[str, Any] = dict(response.relevance or {})
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        unreadable = unreadable_post(request)
        if unreadable:
            errors = {"__all__": [unreadable]}
        else:
            posted, posted_relevance = read_section(section, request.POST)
            errors = check_section(definition, posted, posted_relevance)
            if not errors:
                try:
                    response = services.save_answers(
                        user=request.user,
                        response=response,
                        data={"answers": posted, "relevance": posted_relevance},
                        link=True,
                    )
                except ValidationError as error:
                    errors = service_errors_by_field(error_dict(error))
                else:
                    if request.POST.get("go") == "back":
                        if step == 1:
                            return redirect(_url("check-continue", response))
                        return redirect(_url("check-step", response, step=step - 1))
                    if step == len(definition.sections):
                        return redirect(_url("check-context", response))
                    return redirect(_url("check-step", response, step=step + 1))
            answers.update({key: value for key, value in posted.items()})
            relevance.update(posted_relevance)
    context = _link_context(request, response, token) | {
        "step": step,
        "view": section_view(section, answers, relevance, errors),
        "errors": errors,
        "general_errors": errors.get("__all__", []),
    }
    return render(request, "assessment/check_step.html", context, status=400 if errors else 200)


@require_http_methods(["GET", "POST"])
@by_link
def check_context(request: HttpRequest, response: Response, token: str) -> HttpResponse:
    """The business's context data (trade, headcount band, founding year, district, benchmark consent)."""
    if not response.is_draft:
        return redirect(_url("check-result", response))
    status = 200
    if request.method == "POST":
        form = ContextForm(request.POST)
        if form.is_valid():
            try:
                response = services.set_context(
                    user=request.user, response=response, data=form.context_data(), link=True
                )
            except ValidationError as error:
                for key, messages in error_dict(error).items():
                    for message in messages:
                        form.add_error(key if key in form.fields else None, message)
            else:
                if request.POST.get("go") == "back":
                    return redirect(_url("check-step", response, step=len(response.definition().sections)))
                return redirect(_url("check-submit", response))
        status = 400
    else:
        form = ContextForm(initial=context_initial(response))
    context = _link_context(request, response, token) | {"form": form}
    return render(request, "assessment/check_context.html", context, status=status)


def _open_problems(response: Response) -> list[dict[str, Any]]:
    """What is still missing or wrong, per dimension with the step to fix it."""
    definition = response.definition()
    try:
        engine.validate_answers(definition, response.answer_file())
    except engine.AnswerError as error:
        problems = error.problems
    else:
        problems = []
    by_question = {
        question.id: index
        for index, section in enumerate(definition.sections, start=1)
        for question in section.questions
    }
    grouped: dict[int, list[str]] = {}
    for problem in problems:
        step = by_question.get(problem.question, 0)
        grouped.setdefault(step, []).append(str(problem))
    return [
        {
            "step": step,
            "title": str(definition.sections[step - 1].title) if step else "",
            "messages": messages,
        }
        for step, messages in sorted(grouped.items())
    ]


@require_http_methods(["GET", "POST"])
@by_link
def check_submit(request: HttpRequest, response: Response, token: str) -> HttpResponse:
    """The summary: what is missing (with the step to fix it), and sending the check."""
    if not response.is_draft:
        return redirect(_url("check-result", response))
    errors: list[str] = []
    if request.method == "POST":
        try:
            response = services.submit_check(user=request.user, response=response, link=True)
        except ValidationError as error:
            errors = [message for items in error_dict(error).values() for message in items]
        else:
            return redirect(_url("check-result", response))
    definition = response.definition()
    relevance = response.relevance or {}
    context = _link_context(request, response, token) | {
        "problems": _open_problems(response),
        "errors": errors,
        "missing_relevance": [
            {"step": index, "title": str(section.title)}
            for index, section in enumerate(definition.sections, start=1)
            if section.relevance and section.id not in relevance
        ],
    }
    return render(request, "assessment/check_summary.html", context, status=400 if errors else 200)


@require_http_methods(["GET"])
@by_link
def check_result(request: HttpRequest, response: Response, token: str) -> HttpResponse:
    if response.is_draft:
        return redirect(_url("check-continue", response))
    context = _stored_context(response) | _link_context(request, response, token)
    context["pdf_url"] = reverse("assessment:check-pdf", kwargs={"token": token})
    return render(request, "assessment/check_result.html", context)


@require_http_methods(["GET"])
@by_link
def check_pdf(request: HttpRequest, response: Response, token: str) -> HttpResponse:
    if response.is_draft:
        return redirect(_url("check-continue", response))
    return _pdf_response(result_pdf(_stored_context(response)))


@require_http_methods(["GET", "POST"])
@by_link
def check_delete(request: HttpRequest, response: Response, token: str) -> HttpResponse:
    """Deleting the check by its link (data protection): GET asks, POST deletes for good."""
    if request.method == "POST":
        services.delete_response(user=request.user, response=response, link=True)
        return render(request, "assessment/check_delete.html", {"deleted": True})
    return render(request, "assessment/check_delete.html", _link_context(request, response, token))


def _visible_result(request: HttpRequest, uuid: uuid_module.UUID) -> Response:
    response = (
        Response.objects.visible_to(request.user)
        .submitted()
        .select_related("questionnaire", "trade", "organisation")
        .filter(uuid=uuid)
        .first()
    )
    if response is None:
        raise Http404
    return response


@login_required
@require_http_methods(["GET"])
def response_result(request: HttpRequest, uuid: uuid_module.UUID) -> HttpResponse:
    """A result for signed-in users who may see it (members, partners it is shared with, the office)."""
    response = _visible_result(request, uuid)
    context = _stored_context(response) | {
        "pdf_url": reverse("assessment:response-pdf", kwargs={"uuid": response.uuid})
    }
    return render(request, "assessment/check_result.html", context)


@login_required
@require_http_methods(["GET"])
def response_pdf(request: HttpRequest, uuid: uuid_module.UUID) -> HttpResponse:
    return _pdf_response(result_pdf(_stored_context(_visible_result(request, uuid))))


# --- without saving -----------------------------------------------------------------------------------------


def _preview_from_post(
    request: HttpRequest, definition: engine.Definition
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    answers: dict[str, Any] = {}
    relevance: dict[str, Any] = {}
    for section in definition.sections:
        posted, posted_relevance = read_section(section, request.POST)
        answers.update(posted)
        relevance.update(posted_relevance)
    data = {
        "questionnaire": definition.slug,
        "version": definition.version,
        "answers": {key: value for key, value in answers.items() if value is not None},
        "relevance": {key: value for key, value in relevance.items() if value is not None} or None,
    }
    try:
        engine.validate_answers(definition, data)
    except engine.AnswerError as error:
        return data, problems_by_field(definition, error.problems)
    return data, {}


def _preview_result(data: dict[str, Any], form: ContextForm) -> dict[str, Any]:
    preview = services.preview_check(data=data)
    context_data = form.context_data() if form.is_valid() else {}
    return result_context(
        preview.definition,
        preview.result,
        trade=context_data.get("trade") or "",
        headcount_band=context_data.get("headcount_band") or "",
        founding_year=context_data.get("founding_year"),
    )


@require_http_methods(["GET", "POST"])
def check_preview(request: HttpRequest) -> HttpResponse:
    """The whole check on one page; the result is shown and nothing is stored."""
    definition = engine.load_definition(QUESTIONNAIRE)
    errors: dict[str, list[str]] = {}
    answers: dict[str, Any] = {}
    relevance: dict[str, Any] = {}
    form = ContextForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        unreadable = unreadable_post(request)
        if unreadable:
            errors = {"__all__": [unreadable]}
        else:
            data, errors = _preview_from_post(request, definition)
            answers, relevance = data["answers"], data["relevance"] or {}
            form_ok = form.is_valid()
            if not errors and form_ok:
                try:
                    context = _preview_result(data, form)
                except ValidationError as error:
                    errors = service_errors_by_field(error_dict(error))
                else:
                    context |= {
                        "preview": True,
                        "data_json": json.dumps(data),
                        "context_fields": form.context_data(),
                    }
                    return render(request, "assessment/check_result.html", context)
            if not form_ok:
                errors.setdefault("__all__", []).append(_("Please correct the details about your business."))
    views = [section_view(section, answers, relevance, errors) for section in definition.sections]
    context = {
        "definition": definition,
        "views": views,
        "form": form,
        "errors": errors,
        "general_errors": errors.get("__all__", []),
        "error_count": sum(len(messages) for messages in errors.values()),
    }
    return render(request, "assessment/check_preview.html", context, status=400 if errors else 200)


@require_POST
def check_preview_pdf(request: HttpRequest) -> HttpResponse:
    """The PDF of a result shown without saving: made again from the posted answers, nothing stored."""
    problem = unreadable_post(request)
    data: Any = None
    if not problem:
        try:
            data = engine.read_answer_file(request.POST.get("data", ""))
        except engine.AnswerError as error:
            problem = "; ".join(str(item) for item in error.problems)
    form = ContextForm(request.POST)
    if not problem:
        try:
            context = _preview_result(data, form)
        except ValidationError as error:
            problem = "; ".join(message for items in error_dict(error).values() for message in items)
        else:
            return _pdf_response(result_pdf(context))
    return render(request, "assessment/check_preview_error.html", {"message": problem}, status=400)


urlpatterns = [
    path("", check_start, name="check-start"),
    path("ohne-speichern/", check_preview, name="check-preview"),
    path("ohne-speichern/pdf/", check_preview_pdf, name="check-preview-pdf"),
    path("weiter/<str:token>/", check_continue, name="check-continue"),
    path("weiter/<str:token>/schritt/<int:step>/", check_step, name="check-step"),
    path("weiter/<str:token>/angaben/", check_context, name="check-context"),
    path("weiter/<str:token>/abschluss/", check_submit, name="check-submit"),
    path("weiter/<str:token>/loeschen/", check_delete, name="check-delete"),
    path("weiter/<str:token>/ergebnis/", check_result, name="check-result"),
    path("weiter/<str:token>/ergebnis.pdf", check_pdf, name="check-pdf"),
    path("ergebnisse/<uuid:uuid>/", response_result, name="response-result"),
    path("ergebnisse/<uuid:uuid>/pdf/", response_pdf, name="response-pdf"),
]
