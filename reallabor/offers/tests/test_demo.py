"""The demo catalogue loads through the services, once, with every state represented."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from conftest import Portfolio
from reallabor.core.demo import offers as demo
from reallabor.offers import services
from reallabor.offers.models import Offer


def test_demo_offers_load_once(portfolio: Portfolio) -> None:
    assert demo.load() == len(demo.offers()) == 30
    assert demo.load() == 0
    real = set(Offer.objects.filter(is_example=False).values_list("slug", flat=True))
    assert real == {
        "hwk-muenster-bit",
        "fablab-hrw-offene-werkstatt",
        "mid-digitalisierung",
        "mittelstand-digital-zentrum-handwerk",
        "bafa-unternehmensberatung",
        "nrw-bank-digitalisierung-innovation",
    }
    for offer in Offer.objects.filter(is_example=True):
        assert offer.description.startswith("*Beispielangebot (fiktiv)")
    assert Offer.objects.needs_verification().count() >= 3
    public = Offer.objects.visible_to(AnonymousUser())
    assert not public.filter(slug__in=["digitalbonus-2025", "kooperation-einkauf"]).exists()
    assert public.count() == 28
    # Every published offer comes out as plain data for the matching.
    assert len(services.matching_offers()) == 28
