"""The User model: e-mail login and global roles."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from reallabor.accounts.models import ApiToken, User

pytestmark = pytest.mark.django_db


def test_users_log_in_with_a_lower_case_e_mail_address() -> None:
    user = User.objects.create_user("Jonas.Becker@Example.ORG", "geheim-geheim")
    assert user.email == "jonas.becker@example.org"
    assert user.role == User.Role.MEMBER
    assert not user.is_staff and not user.is_administrator
    assert str(user) == "jonas.becker@example.org"
    user.first_name, user.last_name = "Jonas", "Becker"
    assert str(user) == "Jonas Becker"
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user("jonas.becker@example.org", "x")
    with pytest.raises(ValueError):
        User.objects.create_user("", "x")


def test_a_superuser_is_an_administrator() -> None:
    user = User.objects.create_superuser("amt@example.org", "geheim-geheim")
    assert user.role == User.Role.ADMINISTRATOR
    assert user.is_administrator and user.sees_all_internal and user.is_staff


def test_readers_see_internal_content_and_inactive_users_nothing() -> None:
    reader = User.objects.create_user("leser@example.org", "x", role=User.Role.READER)
    assert reader.sees_all_internal and not reader.is_administrator
    reader.is_active = False
    assert not reader.sees_all_internal


def test_token_keys_are_random_and_hashed() -> None:
    keys = {ApiToken.generate_key() for _ in range(50)}
    assert len(keys) == 50
    assert all(key.startswith("rl_") and len(key) > 40 for key in keys)
    assert ApiToken.hash_key("rl_abc") == ApiToken.hash_key("rl_abc") != ApiToken.hash_key("rl_abd")
    assert len(ApiToken.hash_key("rl_abc")) == 64
