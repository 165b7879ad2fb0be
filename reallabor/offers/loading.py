"""Organisations and offers as the plain data of ``matching`` (reading only; no writes).

``matching_offers`` turns offers into ``matching.Offer`` (a WZ section or a list of trades stands for
all of its children), ``businesses_for`` organisations into ``matching.Business`` (profile, needs,
the gaps of the latest check through ``assessment.selectors.latest_results``),
``consenting_organisations`` are those whose people consented to matching, and ``labels`` gives
the names for the reasons' text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from fractions import Fraction
from typing import Any, Final

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from reallabor.core.text import german_slugify as slugify
from reallabor.offers import matching
from reallabor.offers.models import Offer
from reallabor.organisations.models import Organisation
from reallabor.taxonomy.models import NEEDS_FAMILY, SECTOR_FAMILY, TRADES_FAMILY, Term

# The Länder (ISO 3166-2:DE without the prefix).
STATES: Final = {
    "BW": "Baden-Württemberg",
    "BY": "Bayern",
    "BE": "Berlin",
    "BB": "Brandenburg",
    "HB": "Bremen",
    "HH": "Hamburg",
    "HE": "Hessen",
    "MV": "Mecklenburg-Vorpommern",
    "NI": "Niedersachsen",
    "NW": "NRW",
    "RP": "Rheinland-Pfalz",
    "SL": "Saarland",
    "SN": "Sachsen",
    "ST": "Sachsen-Anhalt",
    "SH": "Schleswig-Holstein",
    "TH": "Thüringen",
}


def home_state() -> str:
    """The Land of the city's businesses (the organisations have no Land of their own): NW unless
    the setting ``OFFERS_HOME_STATE`` says otherwise."""
    return str(getattr(settings, "OFFERS_HOME_STATE", "NW"))


# --- loading plain data for matching -------------------------------------------------------------------


def region_key(offer: Offer) -> str:
    if offer.region_level == Offer.RegionLevel.EU:
        return matching.EU
    if offer.region_level == Offer.RegionLevel.FEDERAL:
        return matching.GERMANY
    if offer.region_level == Offer.RegionLevel.STATE:
        return f"DE-{offer.region_code}"
    return offer.region_code


def region_label(offer: Offer) -> str:
    if offer.region_level == Offer.RegionLevel.EU:
        return "EU"
    if offer.region_level == Offer.RegionLevel.FEDERAL:
        return _("Germany")
    if offer.region_level == Offer.RegionLevel.STATE:
        return STATES.get(offer.region_code, offer.region_code)
    return offer.region_name or offer.region_code


def _expanded(terms: Iterable[Term], children: dict[int, list[str]]) -> frozenset[str]:
    """The codes of terms, a section or list of trades standing for all of its children."""
    codes: set[str] = set()
    for term in terms:
        codes.add(term.code)
        codes.update(children.get(term.pk, ()))
    return frozenset(codes)


def matching_offers(
    queryset: QuerySet[Offer] | None = None, *, today: dt.date | None = None
) -> list[matching.Offer]:
    """The published, open offers (or ``queryset``'s) as plain data (five queries)."""
    day = today or timezone.localdate()
    offers = list(
        (queryset if queryset is not None else Offer.objects.current(day)).prefetch_related(
            Prefetch("sectors", queryset=Term.objects.only("pk", "code")),
            Prefetch("trades", queryset=Term.objects.only("pk", "code")),
            Prefetch("needs", queryset=Term.objects.only("pk", "code")),
        )
    )
    parents = {term.pk for offer in offers for term in (*offer.sectors.all(), *offer.trades.all())}
    children: dict[int, list[str]] = {}
    for parent_id, code in Term.objects.filter(parent_id__in=parents).values_list("parent_id", "code"):
        children.setdefault(parent_id, []).append(code)
    return [
        matching.Offer(
            key=offer.slug,
            title=offer.title,
            region=region_key(offer),
            region_label=region_label(offer),
            headcount_bands=frozenset(offer.headcount_bands),
            sectors=_expanded(offer.sectors.all(), children),
            trades=_expanded(offer.trades.all(), children),
            founders=offer.founders,
            dimensions=frozenset(offer.dimensions),
            needs=frozenset(term.code for term in offer.needs.all()),
            deadline=offer.deadline,
        )
        for offer in offers
    ]


def _as_fraction(value: Any) -> Fraction:
    return value if isinstance(value, Fraction) else Fraction(value)


def _latest_gaps(organisation_ids: list[int]) -> dict[int, tuple[tuple[str, Fraction], ...]]:
    """The gaps of each organisation's latest check (``assessment.selectors.latest_results``)."""
    try:
        from reallabor.assessment.selectors import latest_results
    except ImportError:  # the assessment storage is not there (yet)
        return {}
    gaps: dict[int, tuple[tuple[str, Fraction], ...]] = {}
    for organisation_id, result in latest_results(organisation_ids).items():
        pairs = [(str(dimension), _as_fraction(gap)) for dimension, gap in getattr(result, "gaps", ()) or ()]
        gaps[organisation_id] = tuple(sorted(pairs, key=lambda pair: (-pair[1], pair[0])))
    return gaps


def businesses_for(organisations: Iterable[Organisation]) -> list[matching.Business]:
    """Organisations as plain data for ``matching``: profile, needs (current, primary and
    secondary) and the latest check's gaps. Organisations are in the home Land (``home_state``)."""
    from django.contrib.contenttypes.models import ContentType

    from reallabor.taxonomy.models import Tag

    organisations = list(organisations)
    ids = [organisation.pk for organisation in organisations]
    content_type = ContentType.objects.get_for_model(Organisation)
    needs: dict[int, set[str]] = {}
    for object_id, code in Tag.objects.filter(
        content_type=content_type, object_id__in=ids, term__vocabulary__family=NEEDS_FAMILY
    ).values_list("object_id", "term__code"):
        needs.setdefault(object_id, set()).add(code)
    codes = dict(
        Term.objects.filter(
            pk__in={
                pk
                for organisation in organisations
                for pk in (organisation.sector_id, organisation.trade_id)
                if pk
            }
        ).values_list("pk", "code")
    )
    gaps = _latest_gaps(ids)
    base = frozenset({matching.EU, matching.GERMANY, f"DE-{home_state()}"})
    return [
        matching.Business(
            key=organisation.slug,
            headcount_band=organisation.headcount_band,
            sector=codes.get(organisation.sector_id, "") if organisation.sector_id else "",
            trade=codes.get(organisation.trade_id, "") if organisation.trade_id else "",
            region=base | ({slugify(organisation.city)} if organisation.city else frozenset()),
            founded_year=organisation.founding_year,
            needs=frozenset(needs.get(organisation.pk, ())),
            gaps=gaps.get(organisation.pk, ()),
        )
        for organisation in organisations
    ]


def labels() -> matching.Labels:
    """The names for the reasons' text: the check's dimensions, needs, sectors and trades."""
    from reallabor.assessment import engine

    try:
        definition = engine.load_definition("dma-handwerk")
        dimensions = {section.id: str(section.title) for section in definition.sections}
    except Exception:
        dimensions = {}
    terms = Term.objects.filter(
        vocabulary__family__in=(NEEDS_FAMILY, SECTOR_FAMILY, TRADES_FAMILY),
        vocabulary__retired_at__isnull=True,
    ).select_related("vocabulary")
    by_family: dict[str, dict[str, str]] = {NEEDS_FAMILY: {}, SECTOR_FAMILY: {}, TRADES_FAMILY: {}}
    for term in terms:
        by_family[term.vocabulary.family][term.code] = term.label
    return matching.Labels(
        dimensions=dimensions,
        needs=by_family[NEEDS_FAMILY],
        sectors=by_family[SECTOR_FAMILY],
        trades=by_family[TRADES_FAMILY],
    )


def consenting_organisations() -> Any:
    """Organisations with at least one person currently working there who consented to matching
    (actors: a valid consent for ``Purpose.MATCHING`` and an e-mail address that has not bounced)."""
    from reallabor.actors.filters import reachable_q
    from reallabor.actors.models import Affiliation, Person, Purpose

    people = Person.objects.filter(anonymised_at__isnull=True).filter(reachable_q(Purpose.MATCHING))
    working = Affiliation.objects.current().filter(organisation_id=OuterRef("pk"), person__in=people)
    return Organisation.objects.filter(Exists(working))
