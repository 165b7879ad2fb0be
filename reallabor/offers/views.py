"""The offers' pages: the public catalogue and each offer's page; the office's list (drafts,
expired and retired offers too, flagged when they need verification), the offer form, "verified
today", retiring and recording an uptake.

Offers are looked up through ``Offer.objects.visible_to`` (invisible → 404). The office pages use
``actors.views.common.office_view`` (anonymous → login, everybody else but administrators and lab
coordinators → 403, before any lookup). Every change goes through ``offers.services``. Lists are
paged without counting (one row more than a page tells whether there is a next page) and take a
constant number of queries however many offers there are.
"""

from __future__ import annotations

import functools
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from reallabor.actors.views.common import office_view
from reallabor.core.exceptions import EditConflict
from reallabor.core.views_helpers import (
    acting_user,
    add_service_errors,
    get_visible_or_404,
    posted_revision,
    render_page,
)
from reallabor.offers import services
from reallabor.offers.catalogue import filter_offers, with_details
from reallabor.offers.forms import CatalogueFilterForm, OfferForm, OfficeFilterForm, UptakeForm, offer_initial
from reallabor.offers.models import Offer, Uptake
from reallabor.organisations.models import Organisation

PER_PAGE = 20


@functools.cache
def dimension_labels() -> dict[str, str]:
    """The check's dimensions by id (their names in German, as in the questionnaire)."""
    from reallabor.assessment import engine

    try:
        definition = engine.load_definition("dma-handwerk")
    except Exception:  # pragma: no cover - the questionnaire ships with the app
        return {}
    return {section.id: f"{section.id} {section.title}" for section in definition.sections}


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")[:9]
    return int(raw) if raw.isdigit() and int(raw) >= 1 else 1


def _page(request: HttpRequest, queryset: QuerySet[Offer]) -> dict[str, Any]:
    number = _page_number(request)
    start = (number - 1) * PER_PAGE
    rows = list(with_details(queryset)[start : start + PER_PAGE + 1])
    return {
        "offers": rows[:PER_PAGE],
        "page_number": number,
        "has_previous": number > 1,
        "has_next": len(rows) > PER_PAGE,
    }


def _filtered(form: CatalogueFilterForm, queryset: QuerySet[Offer]) -> QuerySet[Offer]:
    if not form.is_valid():
        return queryset
    return filter_offers(queryset, **form.cleaned_data)


def _with_flags(offers: list[Offer]) -> list[Offer]:
    today = timezone.localdate()
    for offer in offers:
        offer.expired_flag = offer.is_expired(today)  # type: ignore[attr-defined]
        offer.verify_flag = (  # type: ignore[attr-defined]
            offer.status == Offer.Status.PUBLISHED
            and not offer.is_expired(today)
            and offer.needs_verification(today)
        )
    return offers


def crumbs(*tail: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [(_("Offers"), reverse("offers:offer-list")), *tail]


def office_crumbs(*tail: tuple[str, str | None]) -> list[tuple[str, str | None]]:
    return [(_("Offers: management"), reverse("offers:offer-office-list")), *tail]


# The public catalogue ---------------------------------------------------------------------------------


def offer_list(request: HttpRequest) -> HttpResponse:
    """Published offers whose deadline has not passed, filtered and searched, 20 a page."""
    form = CatalogueFilterForm(request.GET or None, dimension_labels=dimension_labels())
    queryset = _filtered(
        form, Offer.objects.visible_to(acting_user(request)).filter(status=Offer.Status.PUBLISHED)
    )
    context = {
        "filters": form,
        "crumbs": [(_("Offers"), None)],
        "is_filtered": bool(form.is_bound and form.is_valid() and any(form.cleaned_data.values())),
        "filter_errors": form.errors if form.is_bound else None,
        **_page(request, queryset.exclude(deadline__lt=timezone.localdate()).order_by("title", "id")),
    }
    return render_page(request, "offers/offer_list.html", context, partial="results")


def offer_detail(request: HttpRequest, slug: str) -> HttpResponse:
    offer = get_visible_or_404(Offer, acting_user(request), slug=slug, select_related=("provider",))
    _with_flags([offer])
    labels = dimension_labels()
    context = {
        "offer": offer,
        "funding_types": [
            Offer.FundingType(value).label
            for value in offer.funding_types
            if value in Offer.FundingType.values
        ],
        "funding_areas": list(offer.funding_areas.all()),
        "dimensions": [labels.get(code, code) for code in offer.dimensions],
        "crumbs": crumbs((offer.title, None)),
        "is_office": services.permissions.is_office(acting_user(request)),
    }
    return render(request, "offers/offer_detail.html", context)


# The office -------------------------------------------------------------------------------------------


@office_view
def offer_office_list(request: HttpRequest) -> HttpResponse:
    """Every offer, drafts, expired and retired ones too; the filter "needs verification"."""
    form = OfficeFilterForm(request.GET or None, dimension_labels=dimension_labels())
    queryset = _filtered(form, Offer.objects.visible_to(acting_user(request)))
    page = _page(request, queryset.order_by("title", "id"))
    _with_flags(page["offers"])
    context = {
        "filters": form,
        "crumbs": [(_("Offers: management"), None)],
        "filter_errors": form.errors if form.is_bound else None,
        "needing_verification": Offer.objects.needs_verification().count(),
        **page,
    }
    return render_page(request, "offers/office_list.html", context, partial="results")


def _office_offer(request: HttpRequest, slug: str) -> Offer:
    return get_visible_or_404(Offer, acting_user(request), slug=slug, select_related=("provider",))


@office_view
def offer_create(request: HttpRequest) -> HttpResponse:
    form = OfferForm(
        request.POST or None,
        initial={"status": Offer.Status.DRAFT, "region_level": "state", "region_code": "NW"},
    )
    if request.method == "POST" and form.is_valid():
        try:
            offer = services.create_offer(user=acting_user(request), data=form.service_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The offer was added."))
            return redirect("offers:offer-detail", slug=offer.slug)
    context = {"form": form, "offer": None, "crumbs": office_crumbs((_("New offer"), None))}
    return render(request, "offers/offer_form.html", context)


@office_view
def offer_edit(request: HttpRequest, slug: str) -> HttpResponse:
    offer = _office_offer(request, slug)
    form = OfferForm(request.POST or None, initial=offer_initial(offer))
    if request.method == "POST" and form.is_valid():
        try:
            offer = services.update_offer(
                user=acting_user(request),
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
            return redirect("offers:offer-detail", slug=offer.slug)
    context = {"form": form, "offer": offer, "crumbs": office_crumbs((offer.title, None))}
    return render(request, "offers/offer_form.html", context)


@require_POST
@office_view
def offer_verify(request: HttpRequest, slug: str) -> HttpResponse:
    offer = services.verify_offer(user=acting_user(request), offer=_office_offer(request, slug))
    messages.success(request, _("“%(title)s” was marked as verified today.") % {"title": offer.title})
    return redirect("offers:offer-office-list")


@require_POST
@office_view
def offer_retire(request: HttpRequest, slug: str) -> HttpResponse:
    offer = services.retire_offer(user=acting_user(request), offer=_office_offer(request, slug))
    messages.success(request, _("“%(title)s” was taken off the catalogue.") % {"title": offer.title})
    return redirect("offers:offer-office-list")


@office_view
def uptake_create(request: HttpRequest, slug: str) -> HttpResponse:
    """Record that an organisation took the offer up; the offer's recorded uptakes below."""
    offer = _office_offer(request, slug)
    form = UptakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = Organisation.objects.filter(slug=form.cleaned_data["organisation"].strip()).first()
        if organisation is None:
            form.add_error("organisation", _("There is no organisation with this short name."))
        else:
            try:
                services.record_uptake(
                    user=acting_user(request),
                    organisation=organisation,
                    offer=offer,
                    taken_up_on=form.cleaned_data["taken_up_on"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The uptake was recorded."))
                return redirect("offers:uptake-create", slug=offer.slug)
    uptakes = list(
        Uptake.objects.visible_to(acting_user(request))
        .filter(offer=offer)
        .select_related("organisation")
        .order_by("-taken_up_on", "-id")[:50]
    )
    context = {
        "form": form,
        "offer": offer,
        "uptakes": uptakes,
        "crumbs": office_crumbs(
            (offer.title, reverse("offers:offer-detail", kwargs={"slug": offer.slug})), (_("Uptakes"), None)
        ),
    }
    return render(request, "offers/uptake_form.html", context)
