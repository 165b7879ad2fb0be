"""Fixtures shared by every test: the demo portfolio and one user per role."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from reallabor.accounts.models import User
from reallabor.core.testing.factories import UserFactory, add_member
from reallabor.labs.models import Lab, LabMembership

ROLES = ("anonymous", "reader", "partner", "coordinator", "administrator", "outsider")
"""Every role of the role matrix. ``outsider`` is a signed-in member of no lab."""


@dataclass
class Portfolio:
    """The Bottrop demo portfolio with one user per role.

    The coordinator coordinates »Digitale Koproduktion im Handwerk«; the partner is a partner of
    »Hybride Formen des Handels«.
    """

    handel: Lab
    handwerk: Lab
    fachkraefte: Lab
    users: dict[str, User | None]

    def client(self, role: str) -> Client:
        client = Client()
        user = self.users[role]
        if user is not None:
            client.force_login(user)
        return client


@pytest.fixture(autouse=True)
def _default_language() -> None:
    """Each test starts in the default language (German): a request with another Accept-Language
    leaves its language active in the thread, which would leak into the next test."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Cached fragments must not leak from one test's database into the next (nor the dashboard's
    numbers kept per process: each test's database counts its versions from the same start)."""
    from django.core.cache import cache

    from reallabor.assessment import dashboard_data

    cache.clear()
    dashboard_data.forget()


@pytest.fixture
def portfolio(db: None) -> Portfolio:
    from reallabor.core.demo import bottrop

    bottrop.load()
    handel = Lab.objects.get(slug="hybride-formen-des-handels")
    handwerk = Lab.objects.get(slug="digitale-koproduktion-im-handwerk")
    fachkraefte = Lab.objects.get(slug="fachkraeftesicherung")
    users: dict[str, User | None] = {
        "anonymous": None,
        "reader": UserFactory(role=User.Role.READER, email="reader@example.org"),
        "partner": UserFactory(email="partner@example.org"),
        "coordinator": UserFactory(email="coordinator@example.org"),
        "administrator": UserFactory(role=User.Role.ADMINISTRATOR, email="admin@example.org"),
        "outsider": UserFactory(email="outsider@example.org"),
    }
    add_member(handel, users["partner"], LabMembership.Role.PARTNER)  # type: ignore[arg-type]
    add_member(handwerk, users["coordinator"], LabMembership.Role.COORDINATOR)  # type: ignore[arg-type]
    return Portfolio(handel=handel, handwerk=handwerk, fachkraefte=fachkraefte, users=users)
