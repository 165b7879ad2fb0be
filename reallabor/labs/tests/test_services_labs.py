"""Labs, their members and organisations through labs.services."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from reallabor.accounts.models import User
from reallabor.core.exceptions import EditConflict
from reallabor.core.testing.factories import (
    OrganisationFactory,
    UserFactory,
    add_member,
    make_lab,
    make_measure,
)
from reallabor.history.models import Version
from reallabor.history.services import versions_of
from reallabor.labs import services
from reallabor.labs.models import Lab, LabMembership, LabOrganisation, Measure
from reallabor.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def new_user(**fields: Any) -> User:
    user: User = UserFactory(**fields)  # type: ignore[assignment]
    return user


def new_organisation(**fields: Any) -> Organisation:
    organisation: Organisation = OrganisationFactory(**fields)  # type: ignore[assignment]
    return organisation


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def snapshot() -> tuple[Any, ...]:
    """Everything a lab service could write."""
    return (
        [(lab.pk, lab.revision, services.lab_state(lab)) for lab in Lab.objects.order_by("pk")],
        list(LabMembership.objects.order_by("pk").values_list("lab_id", "user_id", "role")),
        list(Version.objects.order_by("pk").values_list("pk", flat=True)),
    )


@pytest.fixture
def admin() -> User:
    return new_user(role=User.Role.ADMINISTRATOR)


@pytest.fixture
def wifoe() -> Organisation:
    return new_organisation(name="Wirtschaftsförderung", slug="wifoe")


# Creating ---------------------------------------------------------------------------------------


def test_create_lab_with_all_fields(admin: User, wifoe: Organisation) -> None:
    lab = services.create_lab(
        user=admin,
        data={
            "name": "Fachkräftesicherung",
            "summary": "Kurz",
            "background": "**Hintergrund**",
            "outlook": "Ausblick",
            "phase": "co_production",
            "funding_start": "2020-01-01",
            "funding_end": "2022-06-30",
            "coordinator": "wifoe",
            "is_published": True,
        },
    )
    lab.refresh_from_db()
    assert services.lab_state(lab) == {
        "name": "Fachkräftesicherung",
        "slug": "fachkraeftesicherung",
        "summary": "Kurz",
        "background": "**Hintergrund**",
        "outlook": "Ausblick",
        "phase": "co_production",
        "funding_start": "2020-01-01",
        "funding_end": "2022-06-30",
        "coordinator": "wifoe",
        "is_published": True,
        "organisations": [],
        "members": [],
    }
    assert lab.revision == 1
    version = versions_of(lab).get()
    assert (version.action, version.user, version.revision) == ("created", admin, 1)
    assert version.data == services.lab_state(lab)


def test_a_new_lab_is_a_draft_at_the_end_of_the_list() -> None:
    first = services.create_lab(user=None, data={"name": "Erstes"})
    second = services.create_lab(user=None, data={"name": "Zweites"})
    assert (first.is_published, second.is_published) == (False, False)
    assert second.position == first.position + 1
    assert list(Lab.objects.all()) == [first, second]


def test_slugs_are_generated_and_made_unique() -> None:
    first = services.create_lab(user=None, data={"name": "Hybride Formen des Handels"})
    second = services.create_lab(user=None, data={"name": "Hybride Formen des Handels"})
    third = services.create_lab(user=None, data={"name": "Hybride Formen des Handels!"})
    assert [first.slug, second.slug, third.slug] == [
        "hybride-formen-des-handels",
        "hybride-formen-des-handels-2",
        "hybride-formen-des-handels-3",
    ]


def test_a_taken_slug_is_refused_naming_the_field_and_nothing_is_written() -> None:
    services.create_lab(user=None, data={"name": "Handwerk", "slug": "handwerk"})
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        services.create_lab(user=None, data={"name": "Anderes Labor", "slug": "handwerk"})
    assert caught.value.message_dict == {
        "slug": ["The short name “handwerk” is already used by the lab “Handwerk”."]
    }
    assert snapshot() == before


def test_changing_the_slug_to_a_taken_one_is_refused_and_nothing_changes() -> None:
    services.create_lab(user=None, data={"name": "Handwerk", "slug": "handwerk"})
    other = services.create_lab(user=None, data={"name": "Handel", "slug": "handel"})
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        services.update_lab(user=None, lab=other, data={"slug": "handwerk", "name": "Umbenannt"})
    assert list(caught.value.message_dict) == ["slug"]
    assert snapshot() == before
    assert Lab.objects.get(pk=other.pk).name == "Handel"


@pytest.mark.parametrize(
    ("data", "paths"),
    [
        ({"name": ""}, ["name"]),
        ({"name": "X", "slug": "mit leerzeichen"}, ["slug"]),
        ({"name": "X", "phase": "brainstorming"}, ["phase"]),
        ({"name": "X", "coordinator": "gibt-es-nicht"}, ["coordinator"]),
        ({"name": "X", "funding_start": "2022-01-01", "funding_end": "2021-12-31"}, ["funding_end"]),
        ({"name": "X", "funding_start": "2022-02-30"}, ["funding_start"]),
        ({"name": "X", "colour": "rot"}, ["colour"]),
    ],
)
def test_bad_lab_input_names_the_field_and_writes_nothing(data: dict[str, Any], paths: list[str]) -> None:
    before = snapshot()
    with pytest.raises(ValidationError) as caught:
        services.create_lab(user=None, data=data)
    assert sorted(caught.value.message_dict) == paths
    assert snapshot() == before


def test_the_funding_period_message_is_readable() -> None:
    with pytest.raises(ValidationError) as caught:
        services.create_lab(
            user=None, data={"name": "X", "funding_start": "2022-01-01", "funding_end": "2021-12-31"}
        )
    assert caught.value.message_dict == {"funding_end": ["The end must not be before the start."]}


@pytest.mark.parametrize("role", ["partner", "coordinator", "reader", "outsider"])
def test_only_administrators_create_labs(role: str) -> None:
    lab = make_lab()
    user = new_user(role=User.Role.READER if role == "reader" else User.Role.MEMBER)
    if role in ("partner", "coordinator"):
        add_member(lab, user, role)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.create_lab(user=user, data={"name": "Neu"})
    assert snapshot() == before


# Updating ---------------------------------------------------------------------------------------


def test_update_lab_records_the_changed_fields(admin: User, wifoe: Organisation) -> None:
    lab = make_lab(name="Handel")
    lab = services.update_lab(user=admin, lab=lab, data={"summary": "Neu", "coordinator": wifoe})
    assert lab.revision == 2
    version = versions_of(lab).first()
    assert version is not None
    assert (version.action, version.user, version.revision) == ("changed", admin, 2)
    assert version.changes == [
        {"field": "summary", "old": "", "new": "Neu"},
        {"field": "coordinator", "old": None, "new": "wifoe"},
    ]


def test_an_update_that_changes_nothing_records_nothing() -> None:
    lab = make_lab(name="Handel", summary="Kurz")
    before = snapshot()
    services.update_lab(user=None, lab=lab, data={"name": "Handel", "summary": "Kurz"})
    assert snapshot() == before


def test_a_stale_revision_is_refused_and_nothing_changes() -> None:
    lab = make_lab(name="Handel")
    services.update_lab(user=None, lab=lab, data={"summary": "Erste Änderung"}, expected_revision=1)
    before = snapshot()
    with pytest.raises(EditConflict) as caught:
        services.update_lab(user=None, lab=lab, data={"summary": "Zweite Änderung"}, expected_revision=1)
    assert "revision 2" in caught.value.messages[0]
    assert snapshot() == before
    services.update_lab(user=None, lab=lab, data={"summary": "Zweite Änderung"}, expected_revision=2)
    assert Lab.objects.get(pk=lab.pk).summary == "Zweite Änderung"


def test_unknown_fields_are_refused() -> None:
    lab = make_lab()
    with pytest.raises(ValidationError) as caught:
        services.update_lab(user=None, lab=lab, data={"name": "Neu", "revision": 99})
    assert caught.value.message_dict == {"revision": ["Unknown field."]}
    assert Lab.objects.get(pk=lab.pk).revision == 1


def test_edit_and_publish_rights_on_a_lab() -> None:
    lab, other_lab = make_lab(is_published=False), make_lab()
    coordinator, partner, foreign_coordinator = new_user(), new_user(), new_user()
    add_member(lab, coordinator, "coordinator")
    add_member(lab, partner, "partner")
    add_member(other_lab, foreign_coordinator, "coordinator")
    for user in (partner, foreign_coordinator, new_user(role=User.Role.READER), new_user()):
        before = snapshot()
        with pytest.raises(PermissionDenied):
            services.update_lab(user=user, lab=lab, data={"summary": "Nein"})
        with pytest.raises(PermissionDenied):
            services.set_lab_published(user=user, lab=lab, published=True)
        assert snapshot() == before
    services.set_lab_published(user=coordinator, lab=lab, published=True)
    services.update_lab(user=coordinator, lab=lab, data={"summary": "Ja"})
    lab.refresh_from_db()
    assert (lab.is_published, lab.summary) == (True, "Ja")
    services.set_lab_published(user=coordinator, lab=lab, published=False)
    assert Lab.objects.get(pk=lab.pk).is_published is False


# Members and organisations ------------------------------------------------------------------


def test_coordinators_add_partners_but_only_administrators_appoint_coordinators(admin: User) -> None:
    lab = make_lab()
    coordinator, partner, candidate = new_user(), new_user(), new_user()
    services.set_lab_member(user=admin, lab=lab, member=coordinator, role="coordinator")
    services.set_lab_member(user=coordinator, lab=lab, member=partner, role="partner")
    before = snapshot()
    with pytest.raises(PermissionDenied):
        services.set_lab_member(user=coordinator, lab=lab, member=candidate, role="coordinator")
    with pytest.raises(PermissionDenied):
        services.set_lab_member(user=coordinator, lab=lab, member=partner, role="coordinator")
    with pytest.raises(PermissionDenied):
        services.set_lab_member(user=partner, lab=lab, member=candidate, role="partner")
    with pytest.raises(PermissionDenied):
        services.remove_lab_member(user=coordinator, lab=lab, member=coordinator)
    with pytest.raises(ValidationError):
        services.set_lab_member(user=admin, lab=lab, member=candidate, role="owner")
    assert snapshot() == before
    assert dict(lab.memberships.values_list("user__email", "role")) == {
        coordinator.email: "coordinator",
        partner.email: "partner",
    }
    services.remove_lab_member(user=coordinator, lab=lab, member=partner)
    assert list(lab.memberships.values_list("user_id", flat=True)) == [coordinator.pk]


def test_membership_changes_are_recorded_in_the_lab_history(admin: User) -> None:
    lab = make_lab()
    partner = new_user(email="partnerin@example.org")
    services.set_lab_member(user=admin, lab=lab, member=partner, role="partner")
    version = versions_of(lab).first()
    assert version is not None
    assert version.changes == [
        {"field": "members", "old": [], "new": [{"user": "partnerin@example.org", "role": "partner"}]}
    ]
    services.remove_lab_member(user=admin, lab=lab, member=partner)
    assert versions_of(lab).count() == 3
    assert Lab.objects.get(pk=lab.pk).revision == 3


def test_lab_organisations_are_set_and_removed(admin: User, wifoe: Organisation) -> None:
    lab = make_lab()
    services.set_lab_organisation(user=admin, lab=lab, organisation=wifoe, role="coordination")
    services.set_lab_organisation(user=admin, lab=lab, organisation=wifoe, role="science")
    assert list(LabOrganisation.objects.values_list("organisation__slug", "role")) == [("wifoe", "science")]
    with pytest.raises(ValidationError):
        services.set_lab_organisation(user=admin, lab=lab, organisation=wifoe, role="sponsor")
    partner = new_user()
    add_member(lab, partner, "partner")
    with pytest.raises(PermissionDenied):
        services.remove_lab_organisation(user=partner, lab=lab, organisation=wifoe)
    services.remove_lab_organisation(user=admin, lab=lab, organisation=wifoe)
    assert not LabOrganisation.objects.exists()
    assert [v.action for v in versions_of(lab)] == ["changed", "changed", "changed", "changed", "created"]


# Deleting ---------------------------------------------------------------------------------------


def test_only_administrators_delete_labs_and_the_history_keeps_lab_and_measures(admin: User) -> None:
    lab = make_lab(name="Weg damit")
    measure = make_measure(lab, title="Auch weg")
    coordinator = new_user()
    add_member(lab, coordinator, "coordinator")
    with pytest.raises(PermissionDenied):
        services.delete_lab(user=coordinator, lab=lab)
    assert Lab.objects.filter(pk=lab.pk).exists()
    lab_pk, measure_pk = lab.pk, measure.pk
    services.delete_lab(user=admin, lab=lab)
    assert not Lab.objects.filter(pk=lab_pk).exists()
    assert not Measure.objects.filter(pk=measure_pk).exists()
    deleted = Version.objects.filter(action="deleted")
    assert sorted((v.object_repr, v.user_id) for v in deleted) == [
        ("Auch weg", admin.pk),
        ("Weg damit", admin.pk),
    ]
    assert deleted.get(object_id=measure_pk, object_repr="Auch weg").data["title"] == "Auch weg"
