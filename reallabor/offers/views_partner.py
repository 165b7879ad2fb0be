"""The providers' pages of their offers, and the office's outreach for an offer.

- ``/angebote/anbieter/`` (``partner-offer-list``): the offers of the organisations the user acts for
  (``accounts.OrganisationMembership``, e.g. a chamber's advisor), drafts and expired ones too.
- ``/angebote/<slug>/anbieter/bearbeiten/`` (``partner-offer-edit``): a member of the providing
  organisation edits the offer's content (``permissions.PROVIDER_FIELDS``; provider, key, status,
  verification and the example flag stay with the office).
- ``/angebote/<slug>/anbieter/inanspruchnahme/`` (``partner-uptake-create``): the provider records
  that a business took the offer up, and sees the offer's uptakes.
- ``/angebote/<slug>/ansprache/`` (``offer-outreach``): for the office, the businesses the offer fits
  best (``services.outreach``: only businesses with a person who consented to matching), with the
  reasons.

Offers are looked up among those the user sees (``Offer.objects.visible_to``) or provides
(invisible → 404); the predicates of ``permissions`` decide the rest (not allowed → 403); every
change goes through ``services``, which checks the same predicates.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from reallabor.actors.views.common import office_view
from reallabor.assessment.permissions import member_organisation_ids
from reallabor.core.exceptions import EditConflict
from reallabor.core.views_helpers import (
    acting_user,
    add_service_errors,
    get_visible_or_404,
    internal_view,
    posted_revision,
    require,
)
from reallabor.offers import permissions, services
from reallabor.offers.forms import OfferForm, UptakeForm, offer_initial
from reallabor.offers.loading import labels
from reallabor.offers.models import Offer, Uptake
from reallabor.organisations.models import Organisation

OUTREACH_LIMIT = 50


class ProviderOfferForm(OfferForm):
    """The offer form with the fields a provider's member may change."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in permissions.PROVIDER_FIELDS:
                del self.fields[name]

    def service_data(self) -> dict[str, Any]:
        return {
            name: value for name, value in self.cleaned_data.items() if name in permissions.PROVIDER_FIELDS
        }


def _crumbs(*tail: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [
        (_("Offers"), reverse("offers:offer-list")),
        (_("Our offers"), reverse("offers:partner-offer-list")),
        *tail,
    ]


def _provided_or_visible(request: HttpRequest, slug: str) -> Offer:
    """The offer, when the user sees it in the catalogue or provides it (else 404)."""
    user = acting_user(request)
    offer = (
        Offer.objects.filter(slug=slug)
        .filter(
            Q(pk__in=Offer.objects.visible_to(user).values("pk"))
            | Q(provider_id__in=member_organisation_ids(user))
        )
        .select_related("provider")
        .first()
    )
    if offer is None:
        raise Http404(_("Not found."))
    return offer


@require_GET
@internal_view
def partner_offer_list(request: HttpRequest) -> HttpResponse:
    """The offers of the user's organisations; without a membership, how to get linked."""
    member_ids = member_organisation_ids(acting_user(request))
    offers = list(
        Offer.objects.filter(provider_id__in=member_ids)
        .select_related("provider")
        .order_by("provider__name", "title", "id")
    )
    today = timezone.localdate()
    for offer in offers:
        offer.expired_flag = offer.is_expired(today)  # type: ignore[attr-defined]
    context = {
        "offers": offers,
        "is_member": bool(member_ids),
        "crumbs": [(_("Offers"), reverse("offers:offer-list")), (_("Our offers"), None)],
    }
    return render(request, "offers/partner_offer_list.html", context)


@require_http_methods(["GET", "POST"])
@internal_view
def partner_offer_edit(request: HttpRequest, slug: str) -> HttpResponse:
    """A provider's member edits the offer's content."""
    offer = _provided_or_visible(request, slug)
    user = acting_user(request)
    require(
        permissions.can_edit_offer(user, offer),
        _("Only the office's staff and the providing organisation's members edit offers."),
    )
    form = ProviderOfferForm(request.POST or None, initial=offer_initial(offer))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                offer = services.update_offer(
                    user=user,
                    offer=offer,
                    data=form.service_data(),
                    expected_revision=posted_revision(request),
                )
            except EditConflict as error:
                form.add_error(None, " ".join(error.messages))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The changes were saved."))
                return redirect("offers:partner-offer-list")
        status = 400
    context = {"form": form, "offer": offer, "crumbs": _crumbs((offer.title, None))}
    return render(request, "offers/partner_offer_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@internal_view
def partner_uptake_create(request: HttpRequest, slug: str) -> HttpResponse:
    """The provider records that an organisation took the offer up; the offer's uptakes below."""
    offer = _provided_or_visible(request, slug)
    user = acting_user(request)
    require(
        permissions.can_record_uptake_of(user, offer),
        _("Only the office's staff and the offer's provider record that an offer was taken up."),
    )
    form = UptakeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            organisation = Organisation.objects.filter(slug=form.cleaned_data["organisation"].strip()).first()
            if organisation is None:
                form.add_error("organisation", _("There is no organisation with this short name."))
            else:
                try:
                    services.record_uptake(
                        user=user,
                        organisation=organisation,
                        offer=offer,
                        taken_up_on=form.cleaned_data["taken_up_on"],
                        note=form.cleaned_data["note"],
                    )
                except ValidationError as error:
                    add_service_errors(form, error)
                else:
                    messages.success(request, _("The uptake was recorded."))
                    return redirect("offers:partner-uptake-create", slug=offer.slug)
        status = 400
    uptakes = list(
        Uptake.objects.filter(offer=offer).select_related("organisation").order_by("-taken_up_on", "-id")[:50]
    )
    context = {
        "form": form,
        "offer": offer,
        "uptakes": uptakes,
        "crumbs": _crumbs((offer.title, None), (_("Uptakes"), None)),
    }
    return render(request, "offers/uptake_form.html", context, status=status)


@require_GET
@office_view
def offer_outreach(request: HttpRequest, slug: str) -> HttpResponse:
    """The businesses the offer fits best (those that consented to matching), with the reasons."""
    offer = get_visible_or_404(Offer, acting_user(request), slug=slug, select_related=("provider",))
    matches = services.outreach(user=acting_user(request), offer=offer, limit=OUTREACH_LIMIT)
    names = labels()
    organisations = Organisation.objects.in_bulk([match.business.key for match in matches], field_name="slug")
    rows = [
        {"match": match, "organisation": organisations.get(match.business.key), "text": match.text(names)}
        for match in matches
    ]
    today = timezone.localdate()
    context = {
        "offer": offer,
        "rows": rows,
        "limit": OUTREACH_LIMIT,
        "not_open": offer.status != Offer.Status.PUBLISHED or offer.is_expired(today),
        "crumbs": [
            (_("Offers: management"), reverse("offers:offer-office-list")),
            (offer.title, reverse("offers:offer-detail", kwargs={"slug": offer.slug})),
            (_("Outreach"), None),
        ],
    }
    return render(request, "offers/outreach.html", context)


# Before the offers' own ``<slug>/`` patterns (``anbieter`` is no offer's key).
urlpatterns = [
    path("anbieter/", partner_offer_list, name="partner-offer-list"),
    path("<slug:slug>/anbieter/bearbeiten/", partner_offer_edit, name="partner-offer-edit"),
    path("<slug:slug>/anbieter/inanspruchnahme/", partner_uptake_create, name="partner-uptake-create"),
    path("<slug:slug>/ansprache/", offer_outreach, name="offer-outreach"),
]
