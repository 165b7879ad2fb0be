"""The role matrix of organisations: predicates, ``visible_to`` and ``internal_to``."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from conftest import ROLES
from reallabor.accounts.models import User
from reallabor.core.testing.factories import OrganisationFactory, UserFactory, add_member, make_lab
from reallabor.labs.models import Lab, LabOrganisation
from reallabor.organisations.models import Organisation
from reallabor.organisations.permissions import (
    can_create_organisation,
    can_delete_organisation,
    can_edit_organisation,
    can_see_internal_organisation_data,
)

pytestmark = pytest.mark.django_db


def new_user(**fields: Any) -> User:
    user: User = UserFactory(**fields)  # type: ignore[assignment]
    return user


def new_organisation(**fields: Any) -> Organisation:
    organisation: Organisation = OrganisationFactory(**fields)  # type: ignore[assignment]
    return organisation


# role → (create, edit/publish, delete, sees internal data of some organisations)
MATRIX = {
    "anonymous": (False, False, False, False),
    "reader": (False, False, False, True),
    "partner": (True, False, False, True),
    "coordinator": (True, True, False, True),
    "administrator": (True, True, True, True),
    "outsider": (False, False, False, False),
}
# role → which of (in the partner's lab, elsewhere, published elsewhere) the role sees / sees internally
VISIBLE = {
    "anonymous": {"published"},
    "reader": {"own", "other", "published"},
    "partner": {"own", "published"},
    "coordinator": {"own", "other", "published"},
    "administrator": {"own", "other", "published"},
    "outsider": {"published"},
}
INTERNAL = {
    "anonymous": set(),
    "reader": {"own", "other", "published"},
    "partner": {"own"},
    "coordinator": {"own", "other", "published"},
    "administrator": {"own", "other", "published"},
    "outsider": set(),
}


def make_user(role: str, lab: Lab | None = None) -> Any:
    if role == "anonymous":
        return AnonymousUser()
    user = new_user(
        role={"reader": User.Role.READER, "administrator": User.Role.ADMINISTRATOR}.get(
            role, User.Role.MEMBER
        )
    )
    if role in ("partner", "coordinator"):
        add_member(lab or make_lab(), user, role)
    return user


def test_the_matrix_covers_every_role() -> None:
    assert set(MATRIX) == set(VISIBLE) == set(INTERNAL) == set(ROLES)


@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(role: str) -> None:
    lab = make_lab()
    organisations = {
        "own": new_organisation(name="In the lab"),
        "other": new_organisation(name="Elsewhere"),
        "published": new_organisation(name="Published", profile_published=True),
    }
    LabOrganisation.objects.create(lab=lab, organisation=organisations["own"])
    user = make_user(role, lab)
    create, edit, delete, internal = MATRIX[role]
    assert can_create_organisation(user) is create
    assert can_edit_organisation(user, organisations["own"]) is edit
    assert can_delete_organisation(user, organisations["own"]) is delete
    assert can_see_internal_organisation_data(user) is internal
    names = {key: organisation.pk for key, organisation in organisations.items()}
    visible = set(Organisation.objects.visible_to(user).values_list("pk", flat=True))
    assert {key for key, pk in names.items() if pk in visible} == VISIBLE[role]
    inside = set(Organisation.objects.internal_to(user).values_list("pk", flat=True))
    assert {key for key, pk in names.items() if pk in inside} == INTERNAL[role]


@pytest.mark.parametrize(
    "use", ["lab organisation", "lab coordinator", "measure actor", "measure coordinator"]
)
def test_a_partner_sees_every_kind_of_organisation_of_their_labs(use: str) -> None:
    from reallabor.core.testing.factories import make_measure
    from reallabor.labs.models import Actor

    lab = make_lab()
    organisation = new_organisation()
    new_organisation(name="Not related")
    if use == "lab organisation":
        LabOrganisation.objects.create(lab=lab, organisation=organisation)
    elif use == "lab coordinator":
        Lab.objects.filter(pk=lab.pk).update(coordinator=organisation)
    elif use == "measure actor":
        Actor.objects.create(measure=make_measure(lab), organisation=organisation)
    else:
        make_measure(lab).coordinators.add(organisation)
    partner = make_user("partner", lab)
    assert list(Organisation.objects.visible_to(partner)) == [organisation]
    assert list(Organisation.objects.internal_to(partner)) == [organisation]


@pytest.mark.parametrize("role", ["partner", "coordinator", "administrator", "reader"])
def test_an_inactive_user_has_no_rights_and_sees_the_public_profiles_only(role: str) -> None:
    organisation = new_organisation()
    published = new_organisation(profile_published=True)
    user = make_user(role)
    user.is_active = False
    user.save()
    assert not can_create_organisation(user)
    assert not can_edit_organisation(user, organisation)
    assert not can_delete_organisation(user, organisation)
    assert list(Organisation.objects.visible_to(user)) == [published]
    assert not Organisation.objects.internal_to(user).exists()


def test_the_system_may_do_everything_and_sees_everything() -> None:
    """``None`` is the system (CLI, services); the public is the AnonymousUser."""
    organisation = new_organisation()
    assert can_create_organisation(None)
    assert can_edit_organisation(None, organisation)
    assert can_delete_organisation(None, organisation)
    assert list(Organisation.objects.visible_to(None)) == [organisation]
    assert not Organisation.objects.visible_to(AnonymousUser()).exists()
