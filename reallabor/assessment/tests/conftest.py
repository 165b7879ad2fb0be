"""Stored checks for the tests: businesses, a chamber, a member of each, and complete answers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import translation

from conftest import Portfolio
from reallabor.accounts.models import OrganisationMembership, User
from reallabor.assessment.models import Response
from reallabor.assessment.tests import helpers
from reallabor.core.testing.factories import OrganisationFactory, UserFactory
from reallabor.organisations.models import Organisation
from reallabor.taxonomy.models import TRADES_FAMILY, Term


@dataclass
class Checks:
    portfolio: Portfolio
    business: Organisation  # a joinery
    other_business: Organisation
    chamber: Organisation  # the partner user is a member (a chamber's digital advisor)
    member: User  # a member of ``business`` (the business's own account)
    trade: Term

    def user(self, role: str) -> User | AnonymousUser:
        """The acting user of a role (``None`` would be the system: the public is the AnonymousUser)."""
        if role == "member":
            return self.member
        user = self.portfolio.users.get(role) if role != "link" else None  # link: the anonymous link holder
        return user if user is not None else AnonymousUser()

    def draft(self, **fields: Any) -> Response:
        from reallabor.assessment import services

        organisation = fields.pop("organisation", self.business)
        response = services.start_check(user=None, organisation=organisation)
        if fields:
            Response.objects.filter(pk=response.pk).update(**fields)
            response.refresh_from_db()
        return response

    def submitted(
        self, data: dict[str, Any] | None = None, organisation: Organisation | None = None
    ) -> Response:
        from reallabor.assessment import services

        response = services.start_check(user=None, organisation=organisation or self.business)
        file = data or helpers.example()
        services.save_answers(
            user=None,
            response=response,
            data={"answers": file["answers"], "relevance": file.get("relevance")},
        )
        return services.submit_check(user=None, response=response)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def checks(portfolio: Portfolio) -> Checks:
    trade = (
        Term.objects.filter(vocabulary__family=TRADES_FAMILY, parent__isnull=False).order_by("code").first()
    )
    assert trade is not None
    business: Organisation = OrganisationFactory(  # type: ignore[assignment]
        name="Tischlerei Probe",
        slug="tischlerei-probe",
        trade=trade,
        headcount_band="5-9",
        founding_year=1998,
        district="Kirchhellen",
    )
    other: Organisation = OrganisationFactory(name="Bäckerei Probe", slug="baeckerei-probe")  # type: ignore[assignment]
    chamber: Organisation = OrganisationFactory(  # type: ignore[assignment]
        name="Handwerkskammer Probe", slug="hwk-probe", kind=Organisation.Kind.MULTIPLIER, sub_kind="chamber"
    )
    member: User = UserFactory(email="inhaber@tischlerei.example")  # type: ignore[assignment]
    OrganisationMembership.objects.create(user=member, organisation=business)
    partner = portfolio.users["partner"]
    assert partner is not None
    OrganisationMembership.objects.create(user=partner, organisation=chamber)
    return Checks(
        portfolio=portfolio,
        business=business,
        other_business=other,
        chamber=chamber,
        member=member,
        trade=trade,
    )
