"""actors.services.relationships: typed, dated links between two organisations or two people."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from conftest import ROLES, Portfolio
from reallabor.actors.models import Person, Relationship
from reallabor.actors.services import relationships as services
from reallabor.core.testing.actors import Crm
from reallabor.core.validation import error_dict
from reallabor.labs.models import LabOrganisation
from reallabor.organisations.models import Organisation

pytestmark = pytest.mark.django_db

MEMBER = Relationship.Kind.MEMBER_OF
KNOWS = Relationship.Kind.KNOWS


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def admin(portfolio: Portfolio) -> Any:
    return portfolio.users["administrator"]


@pytest.fixture
def wifoe(portfolio: Portfolio) -> Organisation:
    return Organisation.objects.get(slug="wirtschaftsfoerderung-bottrop")


def refused(**kwargs: Any) -> dict[str, list[str]]:
    before = list(Relationship.objects.order_by("pk").values())
    with pytest.raises(ValidationError) as excinfo:
        services.create_relationship(**kwargs)
    assert list(Relationship.objects.order_by("pk").values()) == before
    return error_dict(excinfo.value)


def test_create_between_organisations(crm: Crm, admin: Any, wifoe: Organisation) -> None:
    relationship = services.create_relationship(
        user=admin,
        source=crm.tischlerei,
        target=wifoe,
        kind=MEMBER,
        start_date="2021-03-01",
        note=" Allianz ",
    )
    relationship.refresh_from_db()
    assert (relationship.source_organisation, relationship.target_organisation) == (crm.tischlerei, wifoe)
    assert (relationship.source_person, relationship.target_person) == (None, None)
    assert (relationship.kind, relationship.start_date, relationship.end_date) == (
        MEMBER,
        dt.date(2021, 3, 1),
        None,
    )
    assert relationship.note == "Allianz"
    assert relationship.created_by == admin


def test_create_between_people(crm: Crm, admin: Any) -> None:
    relationship = services.create_relationship(user=admin, source=crm.anna, target=crm.clara, kind=KNOWS)
    assert (relationship.source_person, relationship.target_person) == (crm.anna, crm.clara)
    assert relationship.between_people


def test_self_links_are_refused(crm: Crm, admin: Any) -> None:
    errors = refused(user=admin, source=crm.anna, target=crm.anna, kind=KNOWS)
    assert "cannot have a relationship with itself" in errors["target"][0]
    errors = refused(user=admin, source=crm.tischlerei, target=crm.tischlerei, kind=MEMBER)
    assert "Tischlerei Beispiel GmbH" in errors["target"][0]


def test_mixed_pairs_are_refused(crm: Crm, admin: Any) -> None:
    errors = refused(user=admin, source=crm.anna, target=crm.tischlerei, kind=MEMBER)
    assert "two organisations or two people" in errors["target"][0]
    errors = refused(user=admin, source=crm.tischlerei, target=crm.anna, kind=MEMBER)
    assert "affiliation" in errors["target"][0]


def test_missing_sides_are_refused(crm: Crm, admin: Any) -> None:
    errors = refused(user=admin, source=None, target=None, kind=MEMBER)
    assert set(errors) == {"source", "target"}
    errors = refused(user=admin, source="tischlerei-beispiel", target=crm.tischlerei, kind=MEMBER)
    assert list(errors) == ["source"]


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"kind": "hates"}, "kind", "Unknown kind"),
        ({"start_date": "2024-02-02", "end_date": "2024-02-01"}, "end_date", "must not be before the start"),
        ({"start_date": "gestern"}, "start_date", "Enter a date"),
        ({"note": "x" * 501}, "note", "500"),
        ({"note": "a\x00b"}, "note", "not allowed"),
    ],
)
def test_bad_values_are_refused(
    crm: Crm, admin: Any, wifoe: Organisation, values: dict[str, Any], field: str, message: str
) -> None:
    kwargs: dict[str, Any] = {"user": admin, "source": crm.tischlerei, "target": wifoe, "kind": MEMBER}
    errors = refused(**{**kwargs, **values})
    assert list(errors) == [field]
    assert message in errors[field][0]


def test_duplicates_for_an_overlapping_period_are_refused(crm: Crm, admin: Any, wifoe: Organisation) -> None:
    services.create_relationship(
        user=admin,
        source=crm.tischlerei,
        target=wifoe,
        kind=MEMBER,
        start_date="2020-01-01",
        end_date="2020-12-31",
    )
    errors = refused(user=admin, source=crm.tischlerei, target=wifoe, kind=MEMBER)
    assert "already recorded" in errors["target"][0]
    errors = refused(user=admin, source=crm.tischlerei, target=wifoe, kind=MEMBER, start_date="2020-12-31")
    assert "already recorded" in errors["target"][0]
    # Another period, another kind or the other direction of a directed kind are different relationships.
    services.create_relationship(
        user=admin, source=crm.tischlerei, target=wifoe, kind=MEMBER, start_date="2022-01-01"
    )
    services.create_relationship(
        user=admin, source=crm.tischlerei, target=wifoe, kind=Relationship.Kind.ADVISES
    )
    services.create_relationship(user=admin, source=wifoe, target=crm.tischlerei, kind=MEMBER)
    assert Relationship.objects.count() == 4


def test_symmetric_kinds_are_duplicates_both_ways(crm: Crm, admin: Any) -> None:
    services.create_relationship(user=admin, source=crm.anna, target=crm.bernd, kind=KNOWS)
    errors = refused(user=admin, source=crm.bernd, target=crm.anna, kind=KNOWS)
    assert "already recorded" in errors["target"][0]


def test_anonymised_people_cannot_be_linked(crm: Crm, admin: Any) -> None:
    Person.objects.filter(pk=crm.bernd.pk).update(anonymised_at=timezone.now())
    crm.bernd.refresh_from_db()
    errors = refused(user=admin, source=crm.anna, target=crm.bernd, kind=KNOWS)
    assert "anonymised" in errors["target"][0]


def test_update_relationship(crm: Crm, admin: Any, wifoe: Organisation) -> None:
    relationship = services.create_relationship(user=admin, source=crm.tischlerei, target=wifoe, kind=MEMBER)
    services.update_relationship(
        user=admin,
        relationship=relationship,
        data={"kind": "partner_of", "end_date": "2024-12-31", "note": "beendet"},
    )
    relationship.refresh_from_db()
    assert (relationship.kind, relationship.end_date, relationship.note) == (
        "partner_of",
        dt.date(2024, 12, 31),
        "beendet",
    )
    for data, field in (
        ({"start_date": "2025-01-01"}, "end_date"),
        ({"kind": "liebt"}, "kind"),
        ({"target_organisation": "x"}, "target_organisation"),
    ):
        with pytest.raises(ValidationError) as excinfo:
            services.update_relationship(user=admin, relationship=relationship, data=data)
        assert list(error_dict(excinfo.value)) == [field]
    relationship.refresh_from_db()
    assert (relationship.kind, relationship.start_date) == ("partner_of", None)


def test_update_refuses_to_create_a_duplicate(crm: Crm, admin: Any, wifoe: Organisation) -> None:
    services.create_relationship(user=admin, source=crm.tischlerei, target=wifoe, kind=MEMBER)
    other = services.create_relationship(
        user=admin, source=crm.tischlerei, target=wifoe, kind=Relationship.Kind.FUNDS
    )
    with pytest.raises(ValidationError):
        services.update_relationship(user=admin, relationship=other, data={"kind": MEMBER})
    other.refresh_from_db()
    assert other.kind == Relationship.Kind.FUNDS


def test_delete_relationship(crm: Crm, admin: Any) -> None:
    relationship = services.create_relationship(user=admin, source=crm.anna, target=crm.bernd, kind=KNOWS)
    services.delete_relationship(user=admin, relationship=relationship)
    assert not Relationship.objects.exists()


@pytest.mark.parametrize("role", [role for role in ROLES if role not in ("coordinator", "administrator")])
def test_only_the_office_manages_relationships(
    crm: Crm, portfolio: Portfolio, admin: Any, wifoe: Organisation, role: str
) -> None:
    existing = services.create_relationship(user=admin, source=crm.tischlerei, target=wifoe, kind=MEMBER)
    user = portfolio.users[role] or AnonymousUser()
    before = list(Relationship.objects.order_by("pk").values())
    with pytest.raises(PermissionDenied):
        services.create_relationship(user=user, source=crm.anna, target=crm.bernd, kind=KNOWS)
    with pytest.raises(PermissionDenied):
        services.update_relationship(user=user, relationship=existing, data={"note": "x"})
    with pytest.raises(PermissionDenied):
        services.delete_relationship(user=user, relationship=existing)
    assert list(Relationship.objects.order_by("pk").values()) == before


def trade_lab_organisation(portfolio: Portfolio, name: str, slug: str) -> Organisation:
    organisation = Organisation.objects.create(name=name, slug=slug, kind="company")
    LabOrganisation.objects.create(lab=portfolio.handel, organisation=organisation)
    return organisation


def test_who_sees_which_relationships(crm: Crm, portfolio: Portfolio, admin: Any) -> None:
    """The office all; readers those between organisations; partners those between organisations they see."""
    first = trade_lab_organisation(portfolio, "Händler Eins (fiktiv)", "haendler-eins")
    second = trade_lab_organisation(portfolio, "Händler Zwei (fiktiv)", "haendler-zwei")
    in_lab = services.create_relationship(
        user=admin, source=first, target=second, kind=Relationship.Kind.PARTNER_OF
    )
    crossing = services.create_relationship(
        user=admin, source=crm.tischlerei, target=first, kind=Relationship.Kind.SUPPLIER_OF
    )
    between_people = services.create_relationship(user=admin, source=crm.anna, target=crm.bernd, kind=KNOWS)
    users = portfolio.users

    def seen(user: Any) -> set[int]:
        return set(services.visible_relationships(user).values_list("pk", flat=True))

    everything = {in_lab.pk, crossing.pk, between_people.pk}
    assert seen(users["administrator"]) == everything
    assert seen(users["coordinator"]) == everything
    assert seen(users["reader"]) == {in_lab.pk, crossing.pk}
    assert seen(users["partner"]) == {in_lab.pk}  # the Tischlerei is not in the partner's lab
    assert seen(users["outsider"]) == set()
    assert seen(AnonymousUser()) == set()


def test_relationships_of(crm: Crm, admin: Any, wifoe: Organisation) -> None:
    outgoing = services.create_relationship(user=admin, source=crm.tischlerei, target=wifoe, kind=MEMBER)
    incoming = services.create_relationship(
        user=admin, source=wifoe, target=crm.tischlerei, kind=Relationship.Kind.ADVISES
    )
    people = services.create_relationship(user=admin, source=crm.bernd, target=crm.anna, kind=KNOWS)
    assert set(services.relationships_of(crm.tischlerei)) == {outgoing, incoming}
    assert set(services.relationships_of(crm.anna)) == {people}
    assert set(services.relationships_of(crm.clara)) == set()
