"""Organisations through organisations.services: slugs, validation, history, protected deletion."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from reallabor.accounts.models import User
from reallabor.core.exceptions import EditConflict
from reallabor.core.testing.factories import UserFactory, make_lab, make_measure
from reallabor.history.models import Version
from reallabor.history.services import versions_of
from reallabor.labs import services as labs
from reallabor.labs.models import Measure
from reallabor.organisations import services
from reallabor.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def new_user(**fields: Any) -> User:
    user: User = UserFactory(**fields)  # type: ignore[assignment]
    return user


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def snapshot() -> tuple[Any, ...]:
    return (
        [(o.pk, o.revision, services.organisation_state(o)) for o in Organisation.objects.order_by("pk")],
        Version.objects.count(),
    )


def create(name: str, **data: Any) -> Organisation:
    return services.create_organisation(user=None, data={"name": name, "kind": "company", **data})


def test_create_organisation_with_all_fields() -> None:
    admin = new_user(role=User.Role.ADMINISTRATOR)
    organisation = services.create_organisation(
        user=admin,
        data={
            "name": "Kreishandwerkerschaft Emscher-Lippe-West",
            "kind": "multiplier",
            "street": "Gladbecker Straße 1",
            "postcode": "46236",
            "city": "Bottrop",
            "district": "Alt-Bottrop",
            "website": "https://example.org/",
        },
    )
    organisation.refresh_from_db()
    assert services.organisation_state(organisation) == {
        "name": "Kreishandwerkerschaft Emscher-Lippe-West",
        "slug": "kreishandwerkerschaft-emscher-lippe-west",
        "kind": "multiplier",
        "street": "Gladbecker Straße 1",
        "postcode": "46236",
        "city": "Bottrop",
        "district": "Alt-Bottrop",
        "website": "https://example.org/",
    }
    assert organisation.address == "Gladbecker Straße 1, 46236 Bottrop"
    assert organisation.revision == 1
    assert versions_of(organisation).get().user == admin


def test_generated_slugs_are_unique() -> None:
    slugs = [create("Café am Pferdemarkt").slug for _ in range(3)]
    assert slugs == ["cafe-am-pferdemarkt", "cafe-am-pferdemarkt-2", "cafe-am-pferdemarkt-3"]
    assert create("!!!").slug == "organisation"


def test_a_given_slug_that_is_taken_is_refused_and_nothing_is_written() -> None:
    create("Jobcenter Bottrop", slug="jobcenter")
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        create("Ein anderes Jobcenter", slug="jobcenter")
    assert caught.value.message_dict == {"slug": ["This short name is already taken by “Jobcenter Bottrop”."]}
    assert snapshot() == before


@pytest.mark.parametrize(
    ("data", "paths"),
    [
        ({"name": ""}, ["name"]),
        ({"name": "X", "kind": "verein"}, ["kind"]),
        ({"name": "X", "website": "keine adresse"}, ["website"]),
        ({"name": "X", "slug": "Mit Leerzeichen"}, ["slug"]),
        ({"name": "X", "postcode": "123456789012"}, ["postcode"]),
        ({"name": "X", "founded": 1900}, ["founded"]),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(data: dict[str, Any], paths: list[str]) -> None:
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        services.create_organisation(user=None, data={"kind": "company", **data})
    assert sorted(caught.value.message_dict) == paths
    assert snapshot() == before


def test_update_organisation_is_recorded_and_bumps_the_revision() -> None:
    organisation = create("IHK", city="Münster")
    services.update_organisation(user=None, organisation=organisation, data={"name": "IHK Nord Westfalen"})
    organisation.refresh_from_db()
    assert (organisation.name, organisation.revision, organisation.slug) == ("IHK Nord Westfalen", 2, "ihk")
    assert versions_of(organisation).first().changes == [  # type: ignore[union-attr]
        {"field": "name", "old": "IHK", "new": "IHK Nord Westfalen"}
    ]


def test_update_with_a_taken_slug_or_a_stale_revision_changes_nothing() -> None:
    create("Erste", slug="erste")
    second = create("Zweite", slug="zweite")
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        services.update_organisation(user=None, organisation=second, data={"slug": "erste", "city": "Essen"})
    assert list(caught.value.message_dict) == ["slug"]
    with pytest.raises(EditConflict):
        services.update_organisation(
            user=None, organisation=second, data={"city": "Essen"}, expected_revision=7
        )
    assert snapshot() == before


def test_deleting_an_unused_organisation() -> None:
    organisation = create("Buchhandlung Seitenweise")
    pk = organisation.pk
    services.delete_organisation(user=None, organisation=organisation)
    assert not Organisation.objects.filter(pk=pk).exists()
    assert Version.objects.filter(object_id=pk, content_type__model="organisation", action="deleted").exists()


@pytest.mark.parametrize(
    "use", ["lab coordinator", "lab organisation", "measure actor", "measure coordination"]
)
def test_an_organisation_in_use_cannot_be_deleted_and_says_why(use: str) -> None:
    organisation = create("Wirtschaftsförderung", slug="wifoe")
    lab = make_lab(name="Hybride Formen des Handels")
    measure = make_measure(lab, title="Fairtrade-Town")
    if use == "lab coordinator":
        labs.update_lab(user=None, lab=lab, data={"coordinator": "wifoe"})
    elif use == "lab organisation":
        labs.set_lab_organisation(user=None, lab=lab, organisation=organisation, role="partner")
    elif use == "measure actor":
        labs.update_measure(user=None, measure=measure, data={"actors": [{"organisation": "wifoe"}]})
    else:
        labs.update_measure(user=None, measure=measure, data={"coordinators": ["wifoe"]})
    before = snapshot()
    measure_before = labs.measure_state(Measure.objects.get(pk=measure.pk))
    with pytest.raises(ValidationError) as caught:
        services.delete_organisation(user=None, organisation=organisation)
    assert caught.value.code == "protected"
    message = caught.value.messages[0]
    assert message.startswith("“Wirtschaftsförderung” is still used (")
    assert message.endswith(") and cannot be deleted.")
    expected_use = "Hybride Formen des Handels" if use.startswith("lab") else "Fairtrade-Town"
    assert message == f"“Wirtschaftsförderung” is still used ({expected_use}) and cannot be deleted."
    assert snapshot() == before
    assert labs.measure_state(Measure.objects.get(pk=measure.pk)) == measure_before


@pytest.mark.parametrize("role", ["reader", "outsider", "partner", "coordinator"])
def test_only_administrators_delete_organisations(role: str) -> None:
    organisation = create("Marketing für Bottrop e.V.")
    user = new_user(role=User.Role.READER if role == "reader" else User.Role.MEMBER)
    if role in ("partner", "coordinator"):
        labs.set_lab_member(user=None, lab=make_lab(), member=user, role=role)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.delete_organisation(user=user, organisation=organisation)
    assert snapshot() == before


def test_partners_add_but_do_not_edit_and_coordinators_edit() -> None:
    lab = make_lab()
    partner, coordinator = new_user(), new_user()
    labs.set_lab_member(user=None, lab=lab, member=partner, role="partner")
    labs.set_lab_member(user=None, lab=lab, member=coordinator, role="coordinator")
    organisation = services.create_organisation(
        user=partner, data={"name": "Neu vom Partner", "kind": "company"}
    )
    assert versions_of(organisation).get().user == partner
    with pytest.raises(PermissionDenied):
        services.update_organisation(user=partner, organisation=organisation, data={"city": "Essen"})
    services.update_organisation(user=coordinator, organisation=organisation, data={"city": "Bottrop"})
    assert Organisation.objects.get(pk=organisation.pk).city == "Bottrop"
    for user in (new_user(), new_user(role=User.Role.READER)):
        with pytest.raises(PermissionDenied):
            services.create_organisation(user=user, data={"name": "Nein", "kind": "company"})
    assert not Organisation.objects.filter(name="Nein").exists()
