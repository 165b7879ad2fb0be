"""The user-level predicates shared by every app, for every role."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from conftest import ROLES
from reallabor.accounts.models import User
from reallabor.accounts.permissions import is_active_user, is_admin, is_system, sees_all_internal
from reallabor.core.testing.factories import UserFactory, add_member, make_lab

pytestmark = pytest.mark.django_db


def new_user(**fields: Any) -> User:
    user: User = UserFactory(**fields)  # type: ignore[assignment]
    return user


# role → (is_active_user, is_admin, sees_all_internal)
MATRIX = {
    "anonymous": (False, False, False),
    "reader": (True, False, True),
    "partner": (True, False, False),
    "coordinator": (True, False, False),
    "administrator": (True, True, True),
    "outsider": (True, False, False),
}


def make_user(role: str) -> Any:
    if role == "anonymous":
        return AnonymousUser()
    user = new_user(
        role={"reader": User.Role.READER, "administrator": User.Role.ADMINISTRATOR}.get(
            role, User.Role.MEMBER
        )
    )
    if role in ("partner", "coordinator"):
        add_member(make_lab(), user, role)
    return user


def test_the_matrix_covers_every_role() -> None:
    assert set(MATRIX) == set(ROLES)


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(role: str) -> None:
    user = make_user(role)
    assert (is_active_user(user), is_admin(user), sees_all_internal(user)) == MATRIX[role]
    assert is_system(user) is False


def test_the_system_is_administrator_and_sees_everything() -> None:
    assert is_system(None) and is_admin(None) and sees_all_internal(None)
    assert not is_active_user(None)


def test_a_superuser_is_an_administrator() -> None:
    user = new_user(is_superuser=True)
    assert is_admin(user) and sees_all_internal(user)


@pytest.mark.parametrize("role", ["reader", "administrator"])
def test_an_inactive_account_has_no_rights(role: str) -> None:
    user = make_user(role)
    user.is_active = False
    assert (is_active_user(user), is_admin(user), sees_all_internal(user)) == (False, False, False)
