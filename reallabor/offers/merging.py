"""What the offers app moves when the actors app merges two organisations
(``reallabor.actors.services.duplicates.on_merge``, registered in ``OffersConfig.ready``)."""

from __future__ import annotations

from reallabor.actors.services.duplicates import on_merge
from reallabor.offers.models import Offer, Recommendation, Uptake
from reallabor.organisations.models import Organisation

ORGANISATION_RELATIONS = frozenset(
    {"offers.Offer.provider", "offers.Recommendation.organisation", "offers.Uptake.organisation"}
)


def move_organisation(keep: Organisation, remove: Organisation) -> None:
    """Offers, recommendations and uptakes move to ``keep``; an uptake ``keep`` has for the same
    offer on the same day already stays alone."""
    Offer.objects.filter(provider=remove).update(provider=keep)
    Recommendation.objects.filter(organisation=remove).update(organisation=keep)
    taken = set(Uptake.objects.filter(organisation=keep).values_list("offer_id", "taken_up_on"))
    for pk, offer_id, day in Uptake.objects.filter(organisation=remove).values_list(
        "pk", "offer_id", "taken_up_on"
    ):
        if (offer_id, day) in taken:
            Uptake.objects.filter(pk=pk).delete()
    Uptake.objects.filter(organisation=remove).update(organisation=keep)


def register() -> None:
    on_merge("organisation", ORGANISATION_RELATIONS, move_organisation)
