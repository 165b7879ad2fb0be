"""Fixtures of the accounts tests.

Pages are requested in English (Accept-Language), so the assertions on our texts keep holding
when the German translations arrive.
"""

from __future__ import annotations

import pytest
from django.test import Client

from reallabor.accounts.models import User
from reallabor.core.testing.factories import UserFactory

PASSWORD = "test-password-123"


@pytest.fixture
def client() -> Client:
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def anna(db: None) -> User:
    return UserFactory.create(email="anna@example.org", first_name="Anna", last_name="Schmidt")
