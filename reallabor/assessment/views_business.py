"""The check's pages for signed-in businesses and their partners, under ``/digitalcheck/``.

- ``mein-betrieb/`` (``business-home``): a user who acts for organisations
  (``accounts.OrganisationMembership``) sees per organisation its checks, latest first (score and
  band, the result page; a draft with its personal link to continue), starts a new check already
  linked to the organisation (``services.start_check``) and shares a result with a partner
  organisation (e.g. the chamber's digital advisors) or withdraws the share (``services.share_with``,
  ``services.unshare``). Users without a membership get a page explaining how to get linked.
- ``geteilt/`` (``shared-list``): a partner (member of an organisation results were shared with)
  sees those results.

Lookups: responses through ``Response.objects.visible_to`` (invisible → 404), then the predicates
of ``permissions`` (not allowed → 403); every change through ``services``. Both pages take a
constant number of queries however many checks there are.
"""

from __future__ import annotations

import uuid as uuid_module
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from reallabor.assessment import links, permissions, scoring, services
from reallabor.assessment.models import Response, Share
from reallabor.core.validation import error_dict
from reallabor.core.views_helpers import acting_user, internal_view, require
from reallabor.organisations.models import Organisation

SHARED_PER_PAGE = 50
BAND_LABELS = {band.key: band.label for band in scoring.BANDS}


def band_label(key: str) -> str:
    return str(BAND_LABELS.get(key, key))


def partner_organisations(user: Any) -> QuerySet[Organisation]:
    """Who a business may share a result with: organisations that are not businesses (chambers,
    associations, universities, administrations) and have members to see it, except its own."""
    return (
        Organisation.objects.exclude(kind=Organisation.Kind.COMPANY)
        .filter(user_memberships__isnull=False)
        .exclude(pk__in=permissions.member_organisation_ids(user))
        .distinct()
        .order_by("name", "pk")
    )


@dataclass
class CheckRow:
    response: Response
    band: str
    continue_url: str = ""
    shares: list[Share] = field(default_factory=list)
    partners: list[Organisation] = field(default_factory=list)  # not shared with yet
    error: str = ""


@dataclass
class BusinessBlock:
    organisation: Organisation
    checks: list[CheckRow]
    may_start: bool


def _home_context(request: HttpRequest, errors: dict[uuid_module.UUID, str] | None = None) -> dict[str, Any]:
    user = acting_user(request)
    member_ids = permissions.member_organisation_ids(user)
    organisations = list(Organisation.objects.filter(pk__in=member_ids).order_by("name", "pk"))
    responses = (
        Response.objects.visible_to(user)
        .filter(organisation_id__in=member_ids)
        .select_related("questionnaire")
        .prefetch_related(
            Prefetch(
                "shares", queryset=Share.objects.select_related("organisation").order_by("shared_at", "id")
            )
        )
        .order_by("-submitted_at", "-created_at", "-pk")
    )
    by_organisation: dict[int, list[CheckRow]] = {organisation.pk: [] for organisation in organisations}
    partners = list(partner_organisations(user)) if organisations else []
    errors = errors or {}
    for response in responses:
        assert response.organisation_id is not None
        row = CheckRow(
            response=response,
            band=band_label(response.band),
            shares=list(response.shares.all()),
            error=errors.get(response.uuid, ""),
        )
        shared_ids = {share.organisation_id for share in row.shares}
        row.partners = [partner for partner in partners if partner.pk not in shared_ids]
        if response.is_draft:
            row.continue_url = reverse(
                "assessment:check-continue", kwargs={"token": links.response_link_token(response)}
            )
        by_organisation[response.organisation_id].append(row)
    # Drafts first (they wait to be finished), then the results, latest first.
    blocks = [
        BusinessBlock(
            organisation=organisation,
            checks=sorted(by_organisation[organisation.pk], key=lambda row: not row.response.is_draft),
            may_start=permissions.can_start_check(user, organisation),
        )
        for organisation in organisations
    ]
    return {
        "blocks": blocks,
        "crumbs": [(_("Digital check"), reverse("assessment:check-start")), (_("My business"), None)],
    }


@require_GET
@internal_view
def business_home(request: HttpRequest) -> HttpResponse:
    """The checks of the user's organisations; without a membership, how to get linked."""
    return render(request, "assessment/business_home.html", _home_context(request))


def _member_organisation_or_404(request: HttpRequest, slug: str) -> Organisation:
    user = acting_user(request)
    visible = Organisation.objects.visible_to(user).values("pk")
    organisation = (
        Organisation.objects.filter(slug=slug)
        .filter(Q(pk__in=permissions.member_organisation_ids(user)) | Q(pk__in=visible))
        .first()
    )
    if organisation is None:
        raise Http404(_("Not found."))
    return organisation


@require_POST
@internal_view
def business_check_start(request: HttpRequest, slug: str) -> HttpResponse:
    """A new check of the organisation (its members and the office); then its personal link."""
    organisation = _member_organisation_or_404(request, slug)
    user = acting_user(request)
    require(
        permissions.can_start_check(user, organisation),
        _("Only the organisation's members start a check for it."),
    )
    try:
        response = services.start_check(user=user, organisation=organisation)
    except ValidationError as error:
        for items in error_dict(error).values():
            for message in items:
                messages.error(request, message)
        return redirect("assessment:business-home")
    return redirect("assessment:check-continue", token=links.response_link_token(response))


def _response_or_404(request: HttpRequest, uuid: uuid_module.UUID) -> Response:
    response = (
        Response.objects.visible_to(acting_user(request))
        .select_related("organisation", "questionnaire")
        .filter(uuid=uuid)
        .first()
    )
    if response is None:
        raise Http404(_("Not found."))
    return response


def _back(response: Response) -> str:
    return f"{reverse('assessment:business-home')}#check-{response.uuid}"


@require_POST
@internal_view
def response_share(request: HttpRequest, uuid: uuid_module.UUID) -> HttpResponse:
    """Share a result with a partner organisation (field ``organisation``: its short name)."""
    response = _response_or_404(request, uuid)
    user = acting_user(request)
    require(permissions.can_share(user, response), _("Only the business itself shares its results."))
    problem = ""
    organisation = None
    if response.is_draft:
        problem = _("Only a submitted check can be shared; finish it first.")
    else:
        slug = request.POST.get("organisation", "").strip()[:200]
        organisation = partner_organisations(user).filter(slug=slug).first() if slug else None
        if organisation is None:
            problem = (
                _("Partner organisation: please choose one from the list.")
                if not slug
                else _("Partner organisation: “%(name)s” is not one of the organisations listed.")
                % {"name": slug[:60]}
            )
    if organisation is not None:
        try:
            services.share_with(user=user, response=response, organisation=organisation)
        except ValidationError as error:
            problem = " ".join(message for items in error_dict(error).values() for message in items)
    if problem:
        context = _home_context(request, errors={response.uuid: problem})
        return render(request, "assessment/business_home.html", context, status=400)
    assert organisation is not None
    messages.success(
        request,
        _("The result is now shared with %(organisation)s.") % {"organisation": organisation.name},
    )
    return redirect(_back(response))


@require_POST
@internal_view
def response_unshare(request: HttpRequest, uuid: uuid_module.UUID, slug: str) -> HttpResponse:
    """Withdraw the share with one organisation."""
    response = _response_or_404(request, uuid)
    user = acting_user(request)
    require(permissions.can_unshare(user, response), _("Only the business itself withdraws a share."))
    share = response.shares.select_related("organisation").filter(organisation__slug=slug).first()
    if share is None:
        raise Http404(_("Not found."))
    services.unshare(user=user, response=response, organisation=share.organisation)
    messages.success(
        request,
        _("%(organisation)s no longer sees the result.") % {"organisation": share.organisation.name},
    )
    return redirect(_back(response))


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")[:9]
    return int(raw) if raw.isdigit() and int(raw) >= 1 else 1


@require_GET
@internal_view
def shared_list(request: HttpRequest) -> HttpResponse:
    """The results businesses shared with the user's organisations (partners, e.g. chamber advisors)."""
    user = acting_user(request)
    member_ids = permissions.member_organisation_ids(user)
    number = _page_number(request)
    start = (number - 1) * SHARED_PER_PAGE
    shares = list(
        Share.objects.filter(
            organisation_id__in=member_ids,
            response__status=Response.Status.SUBMITTED,
        )
        .select_related("organisation", "response", "response__organisation")
        .order_by("-shared_at", "-id")[start : start + SHARED_PER_PAGE + 1]
    )
    rows = [
        {"share": share, "response": share.response, "band": band_label(share.response.band)}
        for share in shares[:SHARED_PER_PAGE]
    ]
    context = {
        "rows": rows,
        "is_member": bool(member_ids),
        "page_number": number,
        "has_previous": number > 1,
        "has_next": len(shares) > SHARED_PER_PAGE,
        "crumbs": [(_("Digital check"), reverse("assessment:check-start")), (_("Shared with us"), None)],
    }
    return render(request, "assessment/business_shared.html", context)


urlpatterns = [
    path("mein-betrieb/", business_home, name="business-home"),
    path("mein-betrieb/<slug:slug>/neuer-check/", business_check_start, name="business-check-start"),
    path("ergebnisse/<uuid:uuid>/teilen/", response_share, name="response-share"),
    path("ergebnisse/<uuid:uuid>/teilen/<slug:slug>/aufheben/", response_unshare, name="response-unshare"),
    path("geteilt/", shared_list, name="shared-list"),
]
