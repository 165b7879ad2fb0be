"""Matching offers and businesses (pure: no ORM; plain frozen dataclasses in, plain data out).

**Eligibility** (hard rules; an offer that fails one is never recommended):

- *region*: the offer's region key lies in the business's regions (``{"EU", "DE", "DE-NW",
  "bottrop"}`` for a business in Bottrop: an EU, federal, NRW or Bottrop offer fits; an offer
  of another Land or city does not);
- *size*: an offer naming headcount bands needs the business's band among them; a business of
  unknown size is eligible only for offers without size limits;
- *sector or trade*: an offer naming sectors (WZ 2008 divisions) or trades needs the business's
  sector or trade among them (either suffices); the service expands a WZ section to its divisions
  and a list of trades to its trades before it calls this module;
- *founders*: an offer only for founders needs a founding year at most ``FOUNDER_YEARS`` (5)
  years before ``today``'s year; an unknown founding year does not qualify;
- *deadline*: none, or not before ``today``.

**Ranking** of the eligible offers, highest score first, equal scores by the offer's key (so the
order never depends on the input's order):

``score = 3/4 × (the largest gap among the dimensions the offer addresses)
+ 1/4 × (the sum of the gaps of the dimensions it addresses) + NEED_POINTS × (stated needs it addresses)``

Every term grows with every gap the offer addresses, so a larger gap never ranks an otherwise
equal offer lower; the largest gap counts most, further gaps a quarter each. Scores are exact
(``Fraction``); without a check (no gaps) the needs decide, then the key.

Reasons come structured (``Reason``: kind and values, stored as a snapshot) and as text in the
active language: "addresses Daten und Vernetzung, gap 46; eligible: up to 49 employees in NRW".
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from math import lcm
from typing import Any, Final

from django.utils.translation import gettext as _

from reallabor.organisations.models import HEADCOUNT_BOUNDS

FOUNDER_YEARS: Final = 5
NEED_POINTS: Final = 20  # one stated need addressed counts like a gap of 20 points
FOUNDERS_ONLY: Final = "only"
FOUNDERS_ALSO: Final = "also"

# Region keys: "EU", "DE", "DE-<Land>" (ISO 3166-2: DE-NW) and slugs of districts and cities.
EU: Final = "EU"
GERMANY: Final = "DE"


@dataclass(frozen=True)
class Business:
    key: str
    headcount_band: str = ""
    sector: str = ""  # WZ 2008 division code ("43")
    trade: str = ""  # trade code ("a-24")
    region: frozenset[str] = frozenset()
    founded_year: int | None = None
    needs: frozenset[str] = frozenset()
    gaps: tuple[tuple[str, Fraction], ...] = ()  # (dimension id, gap), largest first

    def is_founder(self, today: dt.date) -> bool:
        return self.founded_year is not None and 0 <= today.year - self.founded_year <= FOUNDER_YEARS


@dataclass(frozen=True)
class Offer:
    key: str
    title: str = ""
    region: str = GERMANY  # the region key the business must lie in
    region_label: str = ""  # "NRW", "Bottrop" (the key when empty)
    headcount_bands: frozenset[str] = frozenset()  # empty: any size
    sectors: frozenset[str] = frozenset()  # WZ divisions; empty (with trades): any
    trades: frozenset[str] = frozenset()
    founders: str = ""  # "only", "also" or "" (not specified)
    dimensions: frozenset[str] = frozenset()  # of the check: "1" … "6"
    needs: frozenset[str] = frozenset()  # need codes it addresses
    deadline: dt.date | None = None  # None: open


@dataclass(frozen=True)
class Reason:
    """One reason: ``kind`` "gap" (dimension, gap), "need" (code), or an eligibility rule met:
    "region" (region, label), "size" (lower, upper), "sector" (code), "trade" (code),
    "founders" (year), "deadline" (date)."""

    kind: str
    values: tuple[tuple[str, Any], ...] = ()

    def get(self, name: str, default: Any = None) -> Any:
        return dict(self.values).get(name, default)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind}
        for name, value in self.values:
            if isinstance(value, Fraction):
                value = float(value)
            elif isinstance(value, dt.date):
                value = value.isoformat()
            data[name] = value
        return data


@dataclass(frozen=True)
class Labels:
    """Names for the text of the reasons (the keys where a name is missing)."""

    dimensions: Mapping[str, str] = field(default_factory=dict)
    needs: Mapping[str, str] = field(default_factory=dict)
    sectors: Mapping[str, str] = field(default_factory=dict)
    trades: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Recommendation:
    offer: Offer
    rank: int  # 1 = best
    score: Fraction
    business: Business
    today: dt.date

    @cached_property
    def reasons(self) -> tuple[Reason, ...]:
        """What it addresses (largest gap first), then the rules met (built when asked for)."""
        return _reasons(self.business, self.offer, self.today)

    def text(self, labels: Labels | None = None) -> str:
        return explain(self.reasons, labels)

    def reasons_json(self) -> list[dict[str, Any]]:
        return [reason.to_json() for reason in self.reasons]


@dataclass(frozen=True)
class BusinessMatch:
    business: Business
    rank: int
    score: Fraction
    offer: Offer
    today: dt.date

    @cached_property
    def reasons(self) -> tuple[Reason, ...]:
        return _reasons(self.business, self.offer, self.today)

    def text(self, labels: Labels | None = None) -> str:
        return explain(self.reasons, labels)

    def reasons_json(self) -> list[dict[str, Any]]:
        return [reason.to_json() for reason in self.reasons]


# --- eligibility -------------------------------------------------------------------------------------


def is_eligible(business: Business, offer: Offer, *, today: dt.date) -> bool:
    return _eligible(
        offer,
        today,
        business.region,
        business.headcount_band,
        business.sector,
        business.trade,
        business.is_founder(today),
    )


def _eligible(
    offer: Offer, today: dt.date, region: frozenset[str], band: str, sector: str, trade: str, founder: bool
) -> bool:
    if offer.deadline is not None and offer.deadline < today:
        return False
    if offer.region not in region:
        return False
    if offer.headcount_bands and band not in offer.headcount_bands:
        return False
    if (offer.sectors or offer.trades) and sector not in offer.sectors and trade not in offer.trades:
        return False
    return not (offer.founders == FOUNDERS_ONLY and not founder)


def _eligibility_reasons(business: Business, offer: Offer, today: dt.date) -> list[Reason]:
    reasons = []
    if offer.headcount_bands:
        lower, upper = band_range(offer.headcount_bands)
        reasons.append(Reason("size", (("lower", lower), ("upper", upper))))
    if offer.sectors and business.sector in offer.sectors:
        reasons.append(Reason("sector", (("code", business.sector),)))
    elif offer.trades and business.trade in offer.trades:
        reasons.append(Reason("trade", (("code", business.trade),)))
    if offer.founders == FOUNDERS_ONLY:
        reasons.append(Reason("founders", (("year", business.founded_year),)))
    reasons.append(
        Reason("region", (("region", offer.region), ("label", offer.region_label or offer.region)))
    )
    if offer.deadline is not None:
        reasons.append(Reason("deadline", (("date", offer.deadline),)))
    return reasons


def band_range(bands: Iterable[str]) -> tuple[int, int | None]:
    """The smallest lower and the largest upper bound of headcount bands (None: no upper bound)."""
    bounds = [HEADCOUNT_BOUNDS[band] for band in bands if band in HEADCOUNT_BOUNDS]
    if not bounds:
        return 1, None
    lower = min(bound[0] for bound in bounds)
    uppers = [bound[1] for bound in bounds]
    return lower, None if None in uppers else max(upper for upper in uppers if upper is not None)


# --- scoring -------------------------------------------------------------------------------------


def score(business: Business, offer: Offer) -> Fraction:
    """The offer's score for the business (see the module's docstring)."""
    gaps = dict(business.gaps)
    addressed = [gaps[dimension] for dimension in offer.dimensions if dimension in gaps]
    value = Fraction(0)
    if addressed:
        value = Fraction(3, 4) * max(addressed) + Fraction(1, 4) * sum(addressed, Fraction(0))
    return value + NEED_POINTS * len(business.needs & offer.needs)


def _addressed_reasons(business: Business, offer: Offer) -> list[Reason]:
    reasons = [
        Reason("gap", (("dimension", dimension), ("gap", gap)))
        for dimension, gap in _gaps_largest_first(business.gaps)
        if dimension in offer.dimensions and gap > 0
    ]
    reasons.extend(Reason("need", (("code", code),)) for code in sorted(business.needs & offer.needs))
    return reasons


def _gaps_largest_first(gaps: Sequence[tuple[str, Fraction]]) -> list[tuple[str, Fraction]]:
    return sorted(gaps, key=lambda item: (-item[1], item[0]))


def _reasons(business: Business, offer: Offer, today: dt.date) -> tuple[Reason, ...]:
    return tuple(_addressed_reasons(business, offer) + _eligibility_reasons(business, offer, today))


def _scaled(business: Business) -> tuple[dict[str, int], int, int]:
    """The gaps as whole numbers over their common denominator, the denominator, and a need's
    points in the same unit × 4: ``4 × denominator × score`` is then a whole number (``_units``)."""
    denominator = lcm(*(gap.denominator for _dimension, gap in business.gaps)) if business.gaps else 1
    gaps = {dimension: gap.numerator * (denominator // gap.denominator) for dimension, gap in business.gaps}
    return gaps, denominator, 4 * NEED_POINTS * denominator


def _units(
    dimensions: Iterable[str],
    offer_needs: frozenset[str],
    gaps: dict[str, int],
    needs: frozenset[str],
    need_units: int,
) -> int:
    """4 × denominator × the score (see ``score``), exact in whole numbers."""
    addressed = [gaps[dimension] for dimension in dimensions if dimension in gaps]
    value = 3 * max(addressed) + sum(addressed) if addressed else 0
    if needs and offer_needs:
        value += need_units * len(needs & offer_needs)
    return value


def match(
    business: Business, offers: Iterable[Offer], *, today: dt.date, limit: int | None = None
) -> list[Recommendation]:
    """The offers the business is eligible for, best first, with score and reasons."""
    founder = business.is_founder(today)
    gaps, denominator, need_units = _scaled(business)
    needs = business.needs
    region, band, sector, trade = business.region, business.headcount_band, business.sector, business.trade
    scored = [
        (-_units(offer.dimensions, offer.needs, gaps, needs, need_units), offer.key, offer)
        for offer in offers
        if _eligible(offer, today, region, band, sector, trade, founder)
    ]
    ranked = (
        heapq.nsmallest(limit, scored, key=_sort_key) if limit is not None else sorted(scored, key=_sort_key)
    )
    return [
        Recommendation(
            offer=offer, rank=rank, score=Fraction(-negative, 4 * denominator), business=business, today=today
        )
        for rank, (negative, _key, offer) in enumerate(ranked, start=1)
    ]


def _sort_key(item: tuple[Any, str, Any]) -> tuple[Any, str]:
    return item[0], item[1]


def best_businesses(
    offer: Offer, businesses: Iterable[Business], *, today: dt.date, limit: int | None = None
) -> list[BusinessMatch]:
    """The businesses an offer fits best (eligible only; highest score first, then by key)."""
    scored = [
        (-score(business, offer), business.key, business)
        for business in businesses
        if is_eligible(business, offer, today=today)
    ]
    ranked = (
        heapq.nsmallest(limit, scored, key=_sort_key) if limit is not None else sorted(scored, key=_sort_key)
    )
    return [
        BusinessMatch(business=business, rank=rank, score=-negative, offer=offer, today=today)
        for rank, (negative, _key, business) in enumerate(ranked, start=1)
    ]


# --- many businesses at once ------------------------------------------------------------------------


def rank_many(
    businesses: Iterable[Business], offers: Sequence[Offer], *, today: dt.date, limit: int | None = None
) -> dict[str, tuple[str, ...]]:
    """For each business (by key) the keys of its eligible offers in ``match``'s order.

    For the office's batch runs: the same rules and order as ``match`` without building reasons.
    Eligibility is the intersection of bit sets of offers (one per region set, headcount band,
    sector, trade and founder status, each computed once); a score is the gap part of the offer's
    dimensions plus the need part of its needs, each computed once per business for every distinct
    set of dimensions and of needs, in whole numbers (``_units``), which order exactly as the
    fractions do.
    """
    open_offers = sorted(
        (offer for offer in offers if offer.deadline is None or offer.deadline >= today), key=lambda o: o.key
    )
    keys = [offer.key for offer in open_offers]
    dimension_sets: dict[tuple[str, ...], int] = {}
    need_sets: dict[frozenset[str], int] = {}
    offer_parts = [
        (
            dimension_sets.setdefault(tuple(sorted(offer.dimensions)), len(dimension_sets)),
            need_sets.setdefault(offer.needs, len(need_sets)),
        )
        for offer in open_offers
    ]
    dimension_list, need_list = list(dimension_sets), list(need_sets)
    masks = _Masks(open_offers)
    indices: dict[int, list[int]] = {}
    result: dict[str, tuple[str, ...]] = {}
    for business in businesses:
        mask = masks.eligible(business, today)
        eligible = indices.get(mask)
        if eligible is None:
            eligible = indices[mask] = [index for index in range(len(open_offers)) if mask >> index & 1]
        gaps, _denominator, need_units = _scaled(business)
        gap_units = [_units(dimensions, frozenset(), gaps, frozenset(), 0) for dimensions in dimension_list]
        needs = business.needs
        need_part = [need_units * len(needs & offer_needs) if needs else 0 for offer_needs in need_list]
        negative = [-(gap_units[dimension] + need_part[need]) for dimension, need in offer_parts]
        # The offers are in key order, and sorted() is stable: equal scores stay in key order.
        ordered = sorted(eligible, key=negative.__getitem__)
        if limit is not None:
            ordered = ordered[:limit]
        result[business.key] = tuple(keys[index] for index in ordered)
    return result


class _Masks:
    """Bit sets of the offers (bit i: ``offers[i]``) that each value of a business allows."""

    def __init__(self, offers: Sequence[Offer]) -> None:
        self.offers = offers
        self.every = (1 << len(offers)) - 1
        self.open_to_all = self._bits(lambda offer: not offer.sectors and not offer.trades)
        self.regions: dict[frozenset[str], int] = {}
        self.bands: dict[str, int] = {}
        self.sectors: dict[str, int] = {}
        self.trades: dict[str, int] = {}
        self.founders = {
            True: self.every,
            False: self._bits(lambda offer: offer.founders != FOUNDERS_ONLY),
        }

    def _bits(self, allowed: Any) -> int:
        bits = 0
        for index, offer in enumerate(self.offers):
            if allowed(offer):
                bits |= 1 << index
        return bits

    def eligible(self, business: Business, today: dt.date) -> int:
        region = self.regions.get(business.region)
        if region is None:
            region = self.regions[business.region] = self._bits(lambda offer: offer.region in business.region)
        band = self.bands.get(business.headcount_band)
        if band is None:
            band = self.bands[business.headcount_band] = self._bits(
                lambda offer: not offer.headcount_bands or business.headcount_band in offer.headcount_bands
            )
        sector = self.sectors.get(business.sector)
        if sector is None:
            sector = self.sectors[business.sector] = self._bits(
                lambda offer: business.sector in offer.sectors
            )
        trade = self.trades.get(business.trade)
        if trade is None:
            trade = self.trades[business.trade] = self._bits(lambda offer: business.trade in offer.trades)
        founder = self.founders[business.is_founder(today)]
        return region & band & (self.open_to_all | sector | trade) & founder


# --- text --------------------------------------------------------------------------------------------


def display_gap(gap: Fraction) -> str:
    """A gap as shown: rounded half up to a whole number (46.5 → 47)."""
    return str(int(gap + Fraction(1, 2)))


def explain(reasons: Sequence[Reason], labels: Labels | None = None) -> str:
    """ "addresses Daten und Vernetzung, gap 46; eligible: up to 49 employees in NRW"."""
    labels = labels or Labels()
    addressed: list[str] = []
    eligible: list[str] = []
    where = deadline = ""
    for reason in reasons:
        if reason.kind == "gap":
            dimension = reason.get("dimension")
            addressed.append(
                _("%(dimension)s, gap %(gap)s")
                % {
                    "dimension": labels.dimensions.get(dimension, dimension),
                    "gap": display_gap(reason.get("gap")),
                }
            )
        elif reason.kind == "need":
            code = reason.get("code")
            addressed.append(_("the need “%(need)s”") % {"need": labels.needs.get(code, code)})
        elif reason.kind == "size":
            eligible.append(size_text(reason.get("lower"), reason.get("upper")))
        elif reason.kind == "sector":
            code = reason.get("code")
            eligible.append(_("sector %(sector)s") % {"sector": labels.sectors.get(code, code)})
        elif reason.kind == "trade":
            code = reason.get("code")
            eligible.append(_("trade %(trade)s") % {"trade": labels.trades.get(code, code)})
        elif reason.kind == "founders":
            eligible.append(_("founded %(year)s") % {"year": reason.get("year")})
        elif reason.kind == "region":
            where = reason.get("label") or reason.get("region")
        elif reason.kind == "deadline":
            deadline = _("apply by %(date)s") % {"date": reason.get("date").strftime("%d.%m.%Y")}
    parts = []
    if addressed:
        parts.append(_("addresses %(what)s") % {"what": "; ".join(addressed)})
    rules = ", ".join(eligible)
    if rules and where:
        parts.append(_("eligible: %(rules)s in %(region)s") % {"rules": rules, "region": where})
    elif where:
        parts.append(_("eligible: in %(region)s") % {"region": where})
    elif rules:
        parts.append(_("eligible: %(rules)s") % {"rules": rules})
    if deadline:
        parts.append(deadline)
    return "; ".join(parts)


def size_text(lower: int, upper: int | None) -> str:
    if upper is None:
        return _("at least %(lower)s employees") % {"lower": lower}
    if lower <= 1:
        return _("up to %(upper)s employees") % {"upper": upper}
    return _("%(lower)s–%(upper)s employees") % {"lower": lower, "upper": upper}
