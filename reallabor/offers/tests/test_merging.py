"""Merging two organisations in the actors app moves what the offers, assessment and accounts apps
hold about the one removed (their hooks: ``merging.py`` of each app)."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import Portfolio
from reallabor.accounts.models import OrganisationMembership, User
from reallabor.actors.services.duplicates import merge_organisations
from reallabor.assessment import services as checks
from reallabor.assessment.models import Response, Share
from reallabor.assessment.tests import helpers
from reallabor.core.testing.factories import UserFactory
from reallabor.offers import services
from reallabor.offers.models import Offer, Recommendation, Uptake
from reallabor.offers.tests.test_services import offer_data
from reallabor.organisations.models import Organisation
from reallabor.organisations.services import create_organisation

pytestmark = pytest.mark.django_db


def company(name: str) -> Organisation:
    return create_organisation(user=None, data={"name": name, "kind": "company", "city": "Bottrop"})


def submitted(organisation: Organisation, when: dt.datetime) -> Response:
    response = checks.start_check(user=None, organisation=organisation)
    file = helpers.example()
    checks.save_answers(user=None, response=response, data={"answers": file["answers"]})
    response = checks.submit_check(user=None, response=response)
    Response.objects.filter(pk=response.pk).update(submitted_at=when)
    return response


def test_merging_moves_offers_results_shares_uptakes_and_members(portfolio: Portfolio) -> None:
    keep, remove, chamber = company("Holzwurm GmbH"), company("Holzwurm"), company("Kammer")
    offer = services.create_offer(user=None, data=offer_data())
    provided = services.create_offer(
        user=None, data=offer_data(slug="beratung-holzwurm", title="Beratung", provider=remove.slug)
    )
    day = dt.date(2026, 5, 4)
    services.record_uptake(user=None, organisation=keep, offer=offer, taken_up_on=day)
    services.record_uptake(user=None, organisation=remove, offer=offer, taken_up_on=day)  # the same
    other_day = services.record_uptake(
        user=None, organisation=remove, offer=offer, taken_up_on=dt.date(2026, 6, 1)
    )
    Recommendation.objects.create(
        organisation=remove,
        offer=offer,
        recommended_at=dt.datetime(2026, 5, 1, tzinfo=dt.UTC),
        rank=1,
        score=1,
    )
    both: User = UserFactory()  # type: ignore[assignment]
    only_remove: User = UserFactory()  # type: ignore[assignment]
    OrganisationMembership.objects.create(user=both, organisation=keep)
    OrganisationMembership.objects.create(user=both, organisation=remove)
    OrganisationMembership.objects.create(user=only_remove, organisation=remove)
    earlier = submitted(keep, dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
    later = submitted(remove, dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    checks.share_with(user=None, response=later, organisation=chamber)

    merge_organisations(user=None, keep=keep, remove=remove)

    assert not Organisation.objects.filter(pk=remove.pk).exists()
    assert Offer.objects.get(pk=provided.pk).provider_id == keep.pk
    assert sorted(Uptake.objects.filter(offer=offer).values_list("organisation_id", "taken_up_on")) == [
        (keep.pk, day),
        (keep.pk, dt.date(2026, 6, 1)),
    ]
    assert Uptake.objects.filter(pk=other_day.pk, organisation=keep).exists()
    assert set(Recommendation.objects.values_list("organisation_id", flat=True)) == {keep.pk}
    assert sorted(
        OrganisationMembership.objects.filter(organisation=keep).values_list("user_id", flat=True)
    ) == (sorted([both.pk, only_remove.pk]))
    assert set(Response.objects.values_list("organisation_id", flat=True)) == {keep.pk}
    later.refresh_from_db()
    assert later.previous_id == earlier.pk  # one line of re-takes
    assert list(Share.objects.values_list("response_id", "organisation_id")) == [(later.pk, chamber.pk)]
