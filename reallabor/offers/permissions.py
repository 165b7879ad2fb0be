"""Who sees and changes the offers catalogue, recommendations and uptakes.

The office keeps the catalogue: administrators and lab coordinators (the same people who see the
actors' personal data, ``actors.permissions.can_see_personal_data``; the system, user None, too).
They see every offer, drafts, retired and expired ones included. Everybody else (the public, the
businesses, readers, partners) sees the published offers whose deadline has not passed.

Which offers were recommended to and taken up by which business is business data of the office:
only the office sees and records it.

Providers: a member of the organisation that provides an offer (``accounts.OrganisationMembership``,
e.g. a chamber's advisor) edits that offer's content (``PROVIDER_FIELDS``: not its provider, key,
status, verification or example flag, which stay with the office) and records and sees its uptakes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reallabor.actors.permissions import can_see_personal_data

if TYPE_CHECKING:
    from reallabor.offers.models import Offer


def is_office(user: Any) -> bool:
    return can_see_personal_data(user)


can_manage_offers = is_office
can_see_all_offers = is_office
can_record_recommendations = is_office
can_record_uptake = is_office
can_see_recommendations = is_office
can_import_offers = is_office

# What a member of the providing organisation may change (the office decides the rest).
PROVIDER_FIELDS = frozenset(
    {
        "kind",
        "title",
        "description",
        "supported",
        "eligibility",
        "funding_types",
        "funding_areas",
        "region_level",
        "region_code",
        "region_name",
        "headcount_bands",
        "sectors",
        "trades",
        "founders",
        "dimensions",
        "needs",
        "amount_min",
        "amount_max",
        "deadline",
        "contact",
        "link",
    }
)


def is_provider_member(user: Any, offer: Offer) -> bool:
    """A member of the organisation that provides the offer (accounts.OrganisationMembership)."""
    from reallabor.assessment.permissions import member_organisation_ids

    return offer.provider_id in member_organisation_ids(user)


def can_edit_offer(user: Any, offer: Offer) -> bool:
    """The office (every field) and the provider's members (``PROVIDER_FIELDS``)."""
    return is_office(user) or is_provider_member(user, offer)


def can_record_uptake_of(user: Any, offer: Offer) -> bool:
    """The office, and the provider's members for their own offer (they also see its uptakes)."""
    return is_office(user) or is_provider_member(user, offer)
