"""The offers recommended to the business that took the check (read-only; used by the result pages).

``offers.services.recommend_offers`` is for the office (it records recommendations); the business
only sees what the pure matching ranks for its check: its context data (trade, headcount band,
founding year, the city) and the gaps of this very result, against the published, open offers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.text import slugify

from reallabor.offers import loading, matching

LIMIT = 5


@dataclass(frozen=True)
class ShownOffer:
    key: str
    title: str
    provider: str
    url: str
    reason: str


def business_of(
    *,
    trade: str = "",
    headcount_band: str = "",
    founding_year: int | None = None,
    gaps: tuple[tuple[str, Fraction], ...] = (),
    key: str = "check",
) -> matching.Business:
    """The business as plain data for ``matching`` (in the city, in the home Land)."""
    city = slugify(str(getattr(settings, "CITY_NAME", "")))
    region = frozenset({matching.EU, matching.GERMANY, f"DE-{loading.home_state()}"}) | (
        frozenset({city}) if city else frozenset()
    )
    return matching.Business(
        key=key,
        headcount_band=headcount_band or "",
        trade=trade or "",
        region=region,
        founded_year=founding_year,
        gaps=tuple(sorted(gaps, key=lambda pair: (-pair[1], pair[0]))),
    )


def recommended_offers(business: matching.Business, *, today: dt.date | None = None) -> list[ShownOffer]:
    """At most ``LIMIT`` offers, best first, each with provider and reason text (constant queries)."""
    from reallabor.offers.models import Offer

    day = today or timezone.localdate()
    ranked = matching.match(business, loading.matching_offers(today=day), today=day, limit=LIMIT)
    if not ranked:
        return []
    rows: dict[str, Any] = {
        offer.slug: offer
        for offer in Offer.objects.filter(slug__in=[item.offer.key for item in ranked]).select_related(
            "provider"
        )
    }
    labels = loading.labels()
    shown = []
    for item in ranked:
        row = rows.get(item.offer.key)
        provider = getattr(getattr(row, "provider", None), "name", "") if row is not None else ""
        url = str(getattr(row, "link", "") or "") if row is not None else ""
        shown.append(
            ShownOffer(
                key=item.offer.key,
                title=item.offer.title,
                provider=provider,
                url=url,
                reason=item.text(labels),
            )
        )
    return shown
