"""Accounts and API tokens through accounts.services."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from reallabor.accounts import services
from reallabor.accounts.models import ApiToken, User
from reallabor.core.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def new_user(**fields: Any) -> User:
    user: User = UserFactory(**fields)  # type: ignore[assignment]
    return user


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def admin() -> User:
    return new_user(role=User.Role.ADMINISTRATOR)


# Users ------------------------------------------------------------------------------------------


def test_an_administrator_creates_accounts(admin: User) -> None:
    user = services.create_user(
        user=admin, email=" Aylin.Demir@Example.ORG ", password="ein-gutes-passwort-2025", first_name="Aylin"
    )
    assert (user.email, user.first_name, user.role, user.is_staff) == (
        "aylin.demir@example.org",
        "Aylin",
        "member",
        False,
    )
    assert user.check_password("ein-gutes-passwort-2025")
    office = services.create_user(
        user=admin, email="amt@example.org", password=None, role=User.Role.ADMINISTRATOR
    )
    assert office.is_staff and office.is_administrator
    assert not office.has_usable_password()


def test_an_e_mail_address_is_used_once_whatever_its_case(admin: User) -> None:
    services.create_user(user=admin, email="leser@example.org", password=None)
    count = User.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.create_user(user=admin, email="LESER@example.org", password=None)
    assert caught.value.message_dict == {"email": ["An account with this e-mail address already exists."]}
    assert User.objects.count() == count


def test_invalid_e_mail_and_weak_password_are_reported_together(admin: User) -> None:
    count = User.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.create_user(user=admin, email="keine-adresse", password="123", validate=True)
    assert sorted(caught.value.message_dict) == ["email", "password"]
    assert User.objects.count() == count


def test_the_demo_loader_may_skip_the_password_rules() -> None:
    user = services.create_user(user=None, email="demo@example.org", password="kurz")
    assert user.check_password("kurz")


@pytest.mark.parametrize("role", ["reader", "member"])
def test_only_administrators_create_accounts(role: str) -> None:
    count = User.objects.count()
    with pytest.raises(PermissionDenied):
        services.create_user(user=new_user(role=role), email="neu@example.org", password=None)
    assert User.objects.count() == count + 1  # only the acting user from the factory


# API tokens -------------------------------------------------------------------------------------


def test_a_token_is_stored_as_its_hash_only() -> None:
    owner = new_user()
    token, key = services.create_api_token(user=owner, owner=owner, name="  Import-Skript ")
    assert key.startswith("rl_")
    assert token.name == "Import-Skript"
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert token.prefix == key[3:9]
    stored = ApiToken.objects.get(pk=token.pk)
    assert key not in {stored.key_hash, stored.prefix, stored.name}
    assert services.authenticate_token(key) == owner
    assert services.authenticate_token(key + "x") is None
    assert services.authenticate_token("") is None


def test_a_token_needs_a_name() -> None:
    owner = new_user()
    with pytest.raises(ValidationError) as caught:
        services.create_api_token(user=owner, owner=owner, name="   ")
    assert list(caught.value.message_dict) == ["name"]
    assert not ApiToken.objects.exists()


def test_tokens_are_for_oneself_unless_administrator(admin: User) -> None:
    owner, other = new_user(), new_user()
    with pytest.raises(PermissionDenied):
        services.create_api_token(user=other, owner=owner, name="fremd")
    token, _key = services.create_api_token(user=admin, owner=owner, name="vom Amt")
    with pytest.raises(PermissionDenied):
        services.revoke_api_token(user=other, token=token)
    assert ApiToken.objects.filter(pk=token.pk).exists()
    services.revoke_api_token(user=owner, token=token)
    assert not ApiToken.objects.exists()


def test_a_revoked_token_or_an_inactive_owner_authenticates_nobody() -> None:
    owner = new_user()
    token, key = services.create_api_token(user=owner, owner=owner, name="Skript")
    owner.is_active = False
    owner.save()
    assert services.authenticate_token(key) is None
    owner.is_active = True
    owner.save()
    assert services.authenticate_token(key) == owner
    services.revoke_api_token(user=owner, token=token)
    assert services.authenticate_token(key) is None


def test_the_time_of_use_is_recorded_at_most_once_a_minute() -> None:
    owner = new_user()
    token, key = services.create_api_token(user=owner, owner=owner, name="Skript")
    assert token.last_used_at is None
    services.authenticate_token(key)
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    services.authenticate_token(key)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - timedelta(minutes=5))
    services.authenticate_token(key)
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first  # type: ignore[operator]
