"""API endpoints of the offers catalogue: /api/v1/offers, recommendations and uptakes.

Everybody reads the offers they may see (``Offer.objects.visible_to``: the office every offer,
everybody else the published ones whose deadline has not passed). The office (administrators and
lab coordinators, ``offers.permissions``) creates, changes, verifies and retires offers, asks for
the offers that fit an organisation best and records uptakes. Every write goes through
``offers.services``; bad input comes back as 422 naming the field.
"""

import datetime as dt
import uuid as uuid_module
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from reallabor.api.auth import WRITE_AUTH, get_user, require_user
from reallabor.api.schemas import (
    LIST_ERRORS,
    READ_ERRORS,
    WRITE_ERRORS,
    InputSchema,
    OrganisationRef,
    Revision,
    ShortText,
    Text,
    check_slug,
    responses,
)
from reallabor.offers import permissions, services
from reallabor.offers.catalogue import filter_offers, with_details
from reallabor.offers.loading import labels
from reallabor.offers.models import Offer, Uptake
from reallabor.organisations.models import Organisation

router = Router(tags=["Offers"])

Kind = Literal["information", "consulting", "funding", "training", "event"]
RegionLevel = Literal["eu", "federal", "state", "district", "city"]
FundingType = Literal["grant", "loan", "guarantee", "equity", "consulting", "other"]
Founders = Literal["only", "also", ""]
OfferStatus = Literal["draft", "published", "retired"]
Dimension = Literal["1", "2", "3", "4", "5", "6"]
Code = Annotated[Text, Field(max_length=100)]
Codes = Annotated[list[Code], Field(max_length=200)]
Amount = Annotated[Decimal, Field(ge=0, le=Decimal("9999999999.99"), decimal_places=2)]
LongText = Annotated[Text, Field(max_length=20_000)]


# Schemas ---------------------------------------------------------------------------------------------


class OfferOut(Schema):
    uuid: uuid_module.UUID
    slug: str
    title: str
    kind: str = Field(description="information, consulting, funding, training or event")
    provider: OrganisationRef
    description: str = Field(description="Markdown")
    supported: str = Field(description="What is supported.")
    eligibility: str = Field(description="Who is eligible.")
    funding_types: list[str] = Field(
        description="Förderart: grant, loan, guarantee, equity, consulting, other"
    )
    funding_areas: list[str] = Field(description="Förderbereich: codes of the funding-areas vocabulary")
    region_level: str = Field(description="eu, federal, state, district or city")
    region_code: str
    region_name: str
    headcount_bands: list[str] = Field(description="Empty: any size.")
    sectors: list[str] = Field(description="WZ 2008 codes; with trades both empty: any.")
    trades: list[str]
    founders: str = Field(description="only, also or empty")
    dimensions: list[str] = Field(description="The dimensions of the check (1–6) it addresses.")
    needs: list[str]
    amount_min: Decimal | None = Field(description="EUR")
    amount_max: Decimal | None = Field(description="EUR")
    deadline: dt.date | None = Field(description="The last day to apply; null: open.")
    contact: str
    link: str
    verified_on: dt.date | None = Field(description="When the office last checked it.")
    is_example: bool = Field(description="A demo offer (example data).")
    status: str = Field(description="draft, published or retired")
    needs_verification: bool = Field(description="Published and not verified for six months.")
    revision: int
    url: str = Field(description="The offer's page.")

    @staticmethod
    def resolve_funding_areas(obj: Offer) -> list[str]:
        return [term.code for term in obj.funding_areas.all()]

    @staticmethod
    def resolve_sectors(obj: Offer) -> list[str]:
        return [term.code for term in obj.sectors.all()]

    @staticmethod
    def resolve_trades(obj: Offer) -> list[str]:
        return [term.code for term in obj.trades.all()]

    @staticmethod
    def resolve_needs(obj: Offer) -> list[str]:
        return [term.code for term in obj.needs.all()]

    @staticmethod
    def resolve_needs_verification(obj: Offer) -> bool:
        return obj.needs_verification()

    @staticmethod
    def resolve_url(obj: Offer) -> str:
        return reverse("offers:offer-detail", kwargs={"slug": obj.slug})


class OfferIn(InputSchema):
    """A new offer (a draft unless ``status`` says otherwise)."""

    provider: ShortText = Field(description="The providing organisation's short name or exact name.")
    kind: Kind
    title: Annotated[Text, Field(max_length=200)]
    slug: Annotated[Text, Field(max_length=200)] | None = Field(None, description="Made from the title.")
    description: LongText = ""
    supported: LongText = ""
    eligibility: LongText = ""
    funding_types: Annotated[list[FundingType], Field(max_length=6)] = Field(default_factory=list)
    funding_areas: Codes = Field(default_factory=list)
    region_level: RegionLevel = "federal"
    region_code: Annotated[Text, Field(max_length=50)] = ""
    region_name: Annotated[Text, Field(max_length=100)] = ""
    headcount_bands: Codes = Field(default_factory=list)
    sectors: Codes = Field(default_factory=list)
    trades: Codes = Field(default_factory=list)
    founders: Founders = ""
    dimensions: Annotated[list[Dimension], Field(max_length=6)] = Field(default_factory=list)
    needs: Codes = Field(default_factory=list)
    amount_min: Amount | None = None
    amount_max: Amount | None = None
    deadline: dt.date | None = None
    contact: LongText = ""
    link: Annotated[Text, Field(max_length=500)] = ""
    verified_on: dt.date | None = None
    is_example: bool = False
    status: OfferStatus = "draft"


class OfferPatch(InputSchema):
    """Only the fields sent are changed."""

    provider: ShortText | None = None
    kind: Kind | None = None
    title: Annotated[Text, Field(max_length=200)] | None = None
    slug: Annotated[Text, Field(max_length=200)] | None = None
    description: LongText | None = None
    supported: LongText | None = None
    eligibility: LongText | None = None
    funding_types: Annotated[list[FundingType], Field(max_length=6)] | None = None
    funding_areas: Codes | None = None
    region_level: RegionLevel | None = None
    region_code: Annotated[Text, Field(max_length=50)] | None = None
    region_name: Annotated[Text, Field(max_length=100)] | None = None
    headcount_bands: Codes | None = None
    sectors: Codes | None = None
    trades: Codes | None = None
    founders: Founders | None = None
    dimensions: Annotated[list[Dimension], Field(max_length=6)] | None = None
    needs: Codes | None = None
    amount_min: Amount | None = None
    amount_max: Amount | None = None
    deadline: dt.date | None = None
    contact: LongText | None = None
    link: Annotated[Text, Field(max_length=500)] | None = None
    verified_on: dt.date | None = None
    is_example: bool | None = None
    status: OfferStatus | None = None
    expected_revision: Revision | None = Field(
        None, description="The revision you loaded; a newer one on the server gives 409."
    )


class VerifyIn(InputSchema):
    on: dt.date | None = Field(None, description="The day of the check (default today).")


class OfferFilter(Schema):
    kind: Kind | None = None
    funding_type: FundingType | None = Field(None, description="Förderart")
    region_level: RegionLevel | None = None
    dimension: Dimension | None = Field(None, description="A dimension of the check it addresses.")
    status: OfferStatus | None = Field(None, description="Only the office sees drafts and retired offers.")
    needs_verification: bool | None = Field(None, description="Only those the office should check again.")
    q: ShortText | None = Field(None, description="Words in the title, description or provider")


class RecommendationOut(Schema):
    rank: int
    score: float
    offer: OfferOut
    reasons: list[dict[str, Any]] = Field(description="Structured reasons (kind and values).")
    text: str = Field(description="The reasons as text in the request's language.")


class UptakeIn(InputSchema):
    organisation: ShortText = Field(description="The organisation's short name.")
    offer: ShortText = Field(description="The offer's short name.")
    taken_up_on: dt.date | None = Field(None, description="Default today.")
    note: Annotated[Text, Field(max_length=2000)] = ""


class OfferRef(Schema):
    slug: str
    title: str


class UptakeOut(Schema):
    uuid: uuid_module.UUID
    organisation: OrganisationRef
    offer: OfferRef
    taken_up_on: dt.date
    note: str
    recorded_at: dt.datetime = Field(alias="created_at")


class UptakeFilter(Schema):
    organisation: ShortText | None = Field(None, description="The organisation's short name")
    offer: ShortText | None = Field(None, description="The offer's short name")


# Look-ups --------------------------------------------------------------------------------------------


def offer_or_404(user: Any, slug: str) -> Offer:
    check_slug(slug, _("Offer"))
    offer = with_details(Offer.objects.visible_to(user).filter(slug=slug)).first()
    if offer is None:
        raise Http404(_("Offer “%(slug)s” not found.") % {"slug": slug[:50]})
    return offer


def _written(offer: Offer) -> Offer:
    return with_details(Offer.objects.filter(pk=offer.pk)).get()


def _office(user: Any, message: str) -> None:
    if not permissions.is_office(user):
        raise PermissionDenied(message)


def _organisation(slug: str) -> Organisation:
    check_slug(slug, _("Organisation"))
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        raise Http404(_("Organisation “%(slug)s” not found.") % {"slug": slug[:50]})
    return organisation


# Offers ----------------------------------------------------------------------------------------------


@router.get("/offers", response=responses(200, list[OfferOut], LIST_ERRORS))
@paginate(LimitOffsetPagination)
def list_offers(request: HttpRequest, filters: Query[OfferFilter]) -> QuerySet[Offer]:
    """The offers you may see, by title (the public: published offers whose deadline has not passed)."""
    queryset = filter_offers(
        Offer.objects.visible_to(get_user(request)),
        kind=filters.kind,
        funding_type=filters.funding_type,
        region_level=filters.region_level,
        dimension=filters.dimension,
        status=filters.status,
        needs_verification=bool(filters.needs_verification),
        q=filters.q,
    )
    return with_details(queryset.order_by("title", "id"))


@router.get("/offers/{slug}", response=responses(200, OfferOut, READ_ERRORS))
def get_offer(request: HttpRequest, slug: str) -> Offer:
    """An offer with its provider, eligibility, amounts, deadline and ``revision``."""
    return offer_or_404(get_user(request), slug)


@router.post("/offers", response=responses(201, OfferOut, WRITE_ERRORS), auth=WRITE_AUTH)
def create_offer(request: HttpRequest, payload: OfferIn) -> Status[Offer]:
    """Add an offer to the catalogue (administrators and lab coordinators)."""
    user = require_user(request)
    data = payload.dict()
    if not data.get("slug"):
        data.pop("slug", None)
    offer = services.create_offer(user=user, data=data)
    return Status(201, _written(offer))


@router.patch("/offers/{slug}", response=responses(200, OfferOut, WRITE_ERRORS), auth=WRITE_AUTH)
def update_offer(request: HttpRequest, slug: str, payload: OfferPatch) -> Offer:
    """Change an offer (only the fields sent)."""
    user = require_user(request)
    _office(user, _("Only the office's staff edit offers."))
    offer = offer_or_404(user, slug)
    data = payload.dict(exclude_unset=True)
    expected_revision = data.pop("expected_revision", None)
    offer = services.update_offer(user=user, offer=offer, data=data, expected_revision=expected_revision)
    return _written(offer)


@router.post("/offers/{slug}/verify", response=responses(200, OfferOut, WRITE_ERRORS), auth=WRITE_AUTH)
def verify_offer(request: HttpRequest, slug: str, payload: VerifyIn | None = None) -> Offer:
    """The office checked the offer today (or on ``on``): it no longer needs verification."""
    user = require_user(request)
    _office(user, _("Only the office's staff verify offers."))
    offer = offer_or_404(user, slug)
    offer = services.verify_offer(user=user, offer=offer, on=payload.on if payload else None)
    return _written(offer)


@router.post("/offers/{slug}/retire", response=responses(200, OfferOut, WRITE_ERRORS), auth=WRITE_AUTH)
def retire_offer(request: HttpRequest, slug: str) -> Offer:
    """Take the offer off the catalogue (kept for the recommendations and uptakes naming it)."""
    user = require_user(request)
    _office(user, _("Only the office's staff retire offers."))
    offer = services.retire_offer(user=user, offer=offer_or_404(user, slug))
    return _written(offer)


# Recommendations and uptakes (the office) ------------------------------------------------------------


@router.get(
    "/organisations/{slug}/offer-recommendations",
    response=responses(200, list[RecommendationOut], WRITE_ERRORS),
    auth=WRITE_AUTH,
)
def recommendations(
    request: HttpRequest, slug: str, limit: Annotated[int, Field(ge=1, le=50)] = 10
) -> list[dict[str, Any]]:
    """The published, open offers that fit the organisation best, with the reasons (the office)."""
    user = require_user(request)
    _office(user, _("Only the office's staff see recommendations."))
    organisation = _organisation(slug)
    result = services.recommend_offers(user=user, organisation=organisation, limit=limit)
    offers = {
        offer.slug: offer
        for offer in with_details(Offer.objects.filter(slug__in=[item.offer.key for item in result]))
    }
    names = labels()
    return [
        {
            "rank": item.rank,
            "score": float(item.score),
            "offer": offers[item.offer.key],
            "reasons": item.reasons_json(),
            "text": item.text(names),
        }
        for item in result
        if item.offer.key in offers
    ]


@router.get("/offer-uptakes", response=responses(200, list[UptakeOut], WRITE_ERRORS), auth=WRITE_AUTH)
@paginate(LimitOffsetPagination)
def list_uptakes(request: HttpRequest, filters: Query[UptakeFilter]) -> QuerySet[Uptake]:
    """Which organisation took up which offer, newest first (the office)."""
    user = require_user(request)
    _office(user, _("Only the office's staff see uptakes."))
    queryset = Uptake.objects.visible_to(user).select_related("organisation", "offer")
    if filters.organisation:
        queryset = queryset.filter(organisation__slug=filters.organisation)
    if filters.offer:
        queryset = queryset.filter(offer__slug=filters.offer)
    return queryset.order_by("-taken_up_on", "-id")


@router.post("/offer-uptakes", response=responses(201, UptakeOut, WRITE_ERRORS), auth=WRITE_AUTH)
def record_uptake(request: HttpRequest, payload: UptakeIn) -> Status[Uptake]:
    """Record that an organisation took an offer up (the office)."""
    user = require_user(request)
    _office(user, _("Only the office's staff record that an offer was taken up."))
    organisation = Organisation.objects.filter(slug=payload.organisation).first()
    offer = Offer.objects.filter(slug=payload.offer).first()
    problems: dict[str, list[str]] = {}
    if organisation is None:
        problems["organisation"] = [_("There is no organisation with this short name.")]
    if offer is None:
        problems["offer"] = [_("There is no offer with this short name.")]
    if problems:
        raise ValidationError(problems)
    assert organisation is not None and offer is not None
    uptake = services.record_uptake(
        user=user, organisation=organisation, offer=offer, taken_up_on=payload.taken_up_on, note=payload.note
    )
    return Status(201, Uptake.objects.select_related("organisation", "offer").get(pk=uptake.pk))
