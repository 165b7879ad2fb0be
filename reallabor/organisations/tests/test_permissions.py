"""The role matrix of organisations: predicates and visible_to."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from conftest import ROLES
from reallabor.accounts.models import User
from reallabor.core.testing.factories import OrganisationFactory, UserFactory, add_member, make_lab
from reallabor.organisations.models import Organisation
from reallabor.organisations.permissions import (
    can_create_organisation,
    can_delete_organisation,
    can_edit_organisation,
)

pytestmark = pytest.mark.django_db


def new_user(**fields: Any) -> User:
    user: User = UserFactory(**fields)  # type: ignore[assignment]
    return user


def new_organisation(**fields: Any) -> Organisation:
    organisation: Organisation = OrganisationFactory(**fields)  # type: ignore[assignment]
    return organisation


# role → (create, edit, delete, sees organisations)
MATRIX = {
    "anonymous": (False, False, False, False),
    "reader": (False, False, False, True),
    "partner": (True, False, False, True),
    "coordinator": (True, True, False, True),
    "administrator": (True, True, True, True),
    "outsider": (False, False, False, True),
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
    organisation = new_organisation()
    user = make_user(role)
    create, edit, delete, sees = MATRIX[role]
    assert can_create_organisation(user) is create
    assert can_edit_organisation(user, organisation) is edit
    assert can_delete_organisation(user, organisation) is delete
    assert list(Organisation.objects.visible_to(user)) == ([organisation] if sees else [])


@pytest.mark.parametrize("role", ["partner", "coordinator", "administrator", "reader"])
def test_an_inactive_user_has_no_rights_and_sees_nothing(role: str) -> None:
    organisation = new_organisation()
    user = make_user(role)
    user.is_active = False
    user.save()
    assert not can_create_organisation(user)
    assert not can_edit_organisation(user, organisation)
    assert not can_delete_organisation(user, organisation)
    assert not Organisation.objects.visible_to(user).exists()


def test_the_system_may_do_everything_and_none_sees_nothing() -> None:
    organisation = new_organisation()
    assert can_create_organisation(None)
    assert can_edit_organisation(None, organisation)
    assert can_delete_organisation(None, organisation)
    # visible_to(None) is the anonymous public: organisations are internal records.
    assert not Organisation.objects.visible_to(None).exists()
