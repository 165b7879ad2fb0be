"""actors.services.people: people and their roles at organisations, every check and the history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from conftest import ROLES, Portfolio
from reallabor.actors.models import Affiliation, Person
from reallabor.actors.services import people as services
from reallabor.core.exceptions import EditConflict
from reallabor.core.testing.actors import Crm
from reallabor.core.validation import error_dict
from reallabor.history.services import versions_of
from reallabor.organisations.models import Organisation

pytestmark = pytest.mark.django_db

OFFICE = ("coordinator", "administrator")


def errors_of(excinfo: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return error_dict(excinfo.value)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def admin(portfolio: Portfolio) -> Any:
    return portfolio.users["administrator"]


# People ---------------------------------------------------------------------------------------------


def test_create_person_without_organisation(portfolio: Portfolio) -> None:
    user = portfolio.users["coordinator"]
    person = services.create_person(
        user=user,
        data={
            "first_name": " Dora ",
            "last_name": "Neumann",
            "email": "dora@example.org",
            "postcode": "46236",
        },
    )
    person.refresh_from_db()
    assert (person.first_name, person.last_name, person.postcode) == ("Dora", "Neumann", "46236")
    assert person.created_by == user
    assert person.revision == 1
    assert not person.affiliations.exists()
    [version] = versions_of(person)
    assert version.action == "created"
    assert version.data["last_name"] == "Neumann"
    assert version.data["affiliations"] == []


def test_create_person_with_roles(crm: Crm, admin: Any) -> None:
    wifoe = Organisation.objects.get(slug="wirtschaftsfoerderung-bottrop")
    person = services.create_person(
        user=admin,
        data={"last_name": "Neumann"},
        affiliations=[
            {"organisation": "tischlerei-beispiel", "role": "Auszubildende", "start_date": "2024-08-01"},
            {"organisation": wifoe, "role": "Praktikantin", "end_date": dt.date(2023, 12, 31)},
        ],
    )
    roles = {
        (row.organisation.slug, row.role, row.start_date, row.end_date) for row in person.affiliations.all()
    }
    assert roles == {
        ("tischlerei-beispiel", "Auszubildende", dt.date(2024, 8, 1), None),
        ("wirtschaftsfoerderung-bottrop", "Praktikantin", None, dt.date(2023, 12, 31)),
    }
    assert len(versions_of(person)[0].data["affiliations"]) == 2


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"last_name": ""}, "last_name", "Enter the last name."),
        ({"last_name": "   "}, "last_name", "Enter the last name."),
        ({"last_name": "N", "email": "kein-at-zeichen"}, "email", "Enter a valid e-mail address"),
        ({"last_name": "N", "postcode": "4623"}, "postcode", "five digits"),
        ({"last_name": "N", "postcode": "46236a"}, "postcode", "five digits"),
        ({"last_name": "N", "postcode": "D-46236"}, "postcode", "five digits"),
        ({"last_name": "N" * 101}, "last_name", "at most 100 characters"),
        ({"last_name": "N", "unknown": "x"}, "unknown", "Unknown field."),
        ({"last_name": "N", "city": 5}, "city", "Enter text."),
        ({"last_name": "N\x00"}, "last_name", "not allowed"),
    ],
)
def test_create_person_refuses_bad_input(
    portfolio: Portfolio, data: dict[str, Any], field: str, message: str
) -> None:
    before = Person.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        services.create_person(user=portfolio.users["coordinator"], data=data)
    errors = errors_of(excinfo)
    assert list(errors) == [field]
    assert message in errors[field][0]
    assert Person.objects.count() == before


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ({"organisation": "gibt-es-nicht"}, "affiliations[0].organisation", "There is no organisation"),
        ({"organisation": ""}, "affiliations[0].organisation", "Choose an organisation."),
        ({"role": "ohne"}, "affiliations[0].organisation", "Choose an organisation."),
        (
            {"organisation": "tischlerei-beispiel", "start_date": "2024-05-01", "end_date": "2024-04-30"},
            "affiliations[0].end_date",
            "must not be before the start",
        ),
        (
            {"organisation": "tischlerei-beispiel", "start_date": "1.5.2024"},
            "affiliations[0].start_date",
            "date",
        ),
        ({"organisation": "tischlerei-beispiel", "role": "R" * 201}, "affiliations[0].role", "200"),
        (
            {"organisation": "tischlerei-beispiel", "is_primary": "ja"},
            "affiliations[0].is_primary",
            "true or false",
        ),
        (
            {"organisation": "tischlerei-beispiel", "colour": "blau"},
            "affiliations[0].colour",
            "Unknown field.",
        ),
    ],
)
def test_create_person_refuses_bad_roles(
    crm: Crm, admin: Any, row: dict[str, Any], field: str, message: str
) -> None:
    before = (Person.objects.count(), Affiliation.objects.count())
    with pytest.raises(ValidationError) as excinfo:
        services.create_person(user=admin, data={"last_name": "Neumann"}, affiliations=[row])
    errors = errors_of(excinfo)
    assert field in errors, errors
    assert message in errors[field][0]
    assert (Person.objects.count(), Affiliation.objects.count()) == before


def test_create_person_names_every_bad_field_at_once(crm: Crm, admin: Any) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.create_person(
            user=admin,
            data={"last_name": "", "postcode": "12"},
            affiliations=[{"organisation": "tischlerei-beispiel"}, {"organisation": "nirgends"}],
        )
    assert set(errors_of(excinfo)) == {"last_name", "postcode", "affiliations[1].organisation"}


def test_an_organisation_the_user_cannot_see_is_refused(portfolio: Portfolio) -> None:
    """The services check visibility themselves (here through the system's view of a partner)."""
    hidden = Organisation.objects.create(name="Unsichtbar GmbH", slug="unsichtbar", kind="company")
    partner = portfolio.users["partner"]
    assert not Organisation.objects.visible_to(partner).filter(pk=hidden.pk).exists()
    with pytest.raises(ValidationError) as excinfo:
        services.visible_organisation(partner, hidden)
    assert "organisation" in errors_of(excinfo)
    with pytest.raises(ValidationError):
        services.visible_organisation(partner, "unsichtbar")
    assert services.visible_organisation(None, "unsichtbar") == hidden


@pytest.mark.parametrize("role", [role for role in ROLES if role not in OFFICE])
def test_only_the_office_manages_people(crm: Crm, portfolio: Portfolio, role: str) -> None:
    user = portfolio.users[role] or AnonymousUser()
    before = list(Person.objects.order_by("pk").values())
    roles_before = list(Affiliation.objects.order_by("pk").values())
    affiliation = crm.anna.affiliations.get()
    calls = [
        lambda: services.create_person(user=user, data={"last_name": "X"}),
        lambda: services.update_person(user=user, person=crm.anna, data={"function": "X"}),
        lambda: services.add_affiliation(user=user, person=crm.clara, organisation=crm.tischlerei),
        lambda: services.update_affiliation(user=user, affiliation=affiliation, data={"role": "X"}),
        lambda: services.end_affiliation(user=user, affiliation=affiliation),
        lambda: services.remove_affiliation(user=user, affiliation=affiliation),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert list(Person.objects.order_by("pk").values()) == before
    assert list(Affiliation.objects.order_by("pk").values()) == roles_before


def test_the_system_may_manage_people(crm: Crm) -> None:
    person = services.create_person(user=None, data={"last_name": "Import"})
    assert person.created_by is None
    assert versions_of(person)[0].user is None


def test_update_person_changes_only_given_fields_and_records_history(crm: Crm, admin: Any) -> None:
    services.create_person(user=admin, data={"last_name": "Vorab"})  # unrelated history
    anna = crm.anna
    person = services.update_person(
        user=admin, person=anna, data={"function": "Inhaberin", "phone": "02041 12345"}, expected_revision=1
    )
    person.refresh_from_db()
    assert (person.function, person.phone, person.last_name, person.email) == (
        "Inhaberin",
        "02041 12345",
        "Schreiner",
        "anna@tischlerei-beispiel.example",
    )
    assert person.revision == 2
    version = versions_of(person).order_by("-id").first()
    assert version is not None and version.revision == 2 and version.user == admin


def test_update_without_change_keeps_the_revision(crm: Crm, admin: Any) -> None:
    services.update_person(user=admin, person=crm.anna, data={"function": "Inhaberin"})
    person = services.update_person(user=admin, person=crm.anna, data={"function": "Inhaberin"})
    assert person.revision == 2


def test_update_person_refuses_a_stale_revision(crm: Crm, admin: Any) -> None:
    services.update_person(user=admin, person=crm.anna, data={"function": "Inhaberin"})
    with pytest.raises(EditConflict):
        services.update_person(
            user=admin, person=crm.anna, data={"function": "Meisterin"}, expected_revision=1
        )
    crm.anna.refresh_from_db()
    assert crm.anna.function == "Inhaberin"


def test_update_person_validates_like_create(crm: Crm, admin: Any) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.update_person(user=admin, person=crm.anna, data={"last_name": "", "email": "anna@"})
    assert set(errors_of(excinfo)) == {"last_name", "email"}
    crm.anna.refresh_from_db()
    assert crm.anna.last_name == "Schreiner"


def test_an_anonymised_person_cannot_be_changed(crm: Crm, admin: Any) -> None:
    Person.objects.filter(pk=crm.bernd.pk).update(anonymised_at=timezone.now())
    crm.bernd.refresh_from_db()
    with pytest.raises(ValidationError, match="anonymised"):
        services.update_person(user=admin, person=crm.bernd, data={"function": "X"})
    with pytest.raises(ValidationError, match="anonymised"):
        services.add_affiliation(user=admin, person=crm.bernd, organisation=crm.tischlerei, role="X")


# Affiliations ---------------------------------------------------------------------------------------


def test_add_affiliation_records_it_in_the_history(crm: Crm, admin: Any) -> None:
    affiliation = services.add_affiliation(
        user=admin,
        person=crm.clara,
        organisation="tischlerei-beispiel",
        role="Beraterin",
        start_date=dt.date(2024, 1, 1),
        is_primary=True,
    )
    assert (affiliation.organisation, affiliation.role, affiliation.is_primary) == (
        crm.tischlerei,
        "Beraterin",
        True,
    )
    crm.clara.refresh_from_db()
    assert crm.clara.revision == 2
    version = versions_of(crm.clara).order_by("-id").first()
    assert version is not None
    assert version.data["affiliations"] == [
        {
            "organisation": "tischlerei-beispiel",
            "role": "Beraterin",
            "start_date": "2024-01-01",
            "end_date": None,
            "is_primary": True,
        }
    ]


def test_a_person_may_hold_roles_at_several_organisations(crm: Crm, admin: Any) -> None:
    services.add_affiliation(
        user=admin, person=crm.anna, organisation="wirtschaftsfoerderung-bottrop", role="Beirat"
    )
    assert set(crm.anna.organisations.values_list("slug", flat=True)) == {
        "tischlerei-beispiel",
        "wirtschaftsfoerderung-bottrop",
    }


def test_the_same_role_twice_at_the_same_time_is_refused(crm: Crm, admin: Any) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.add_affiliation(user=admin, person=crm.anna, organisation=crm.tischlerei, role="inhaberin")
    assert "already has this role" in errors_of(excinfo)["organisation"][0]
    assert crm.anna.affiliations.count() == 1


def test_the_same_role_in_separate_periods_is_allowed(crm: Crm, admin: Any) -> None:
    services.add_affiliation(
        user=admin, person=crm.clara, organisation=crm.tischlerei, role="Aushilfe", end_date="2020-12-31"
    )
    services.add_affiliation(
        user=admin, person=crm.clara, organisation=crm.tischlerei, role="Aushilfe", start_date="2022-01-01"
    )
    with pytest.raises(ValidationError):
        services.add_affiliation(
            user=admin,
            person=crm.clara,
            organisation=crm.tischlerei,
            role="Aushilfe",
            start_date="2020-06-01",
        )
    assert crm.clara.affiliations.count() == 2


def test_add_affiliation_refuses_an_end_before_the_start(crm: Crm, admin: Any) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.add_affiliation(
            user=admin,
            person=crm.clara,
            organisation=crm.tischlerei,
            start_date="2024-02-02",
            end_date="2024-02-01",
        )
    assert list(errors_of(excinfo)) == ["end_date"]
    assert not crm.clara.affiliations.exists()


def test_add_affiliation_refuses_an_unknown_organisation(crm: Crm, admin: Any) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.add_affiliation(user=admin, person=crm.clara, organisation="nirgendwo")
    assert "nirgendwo" in errors_of(excinfo)["organisation"][0]


def test_update_affiliation(crm: Crm, admin: Any) -> None:
    affiliation = crm.bernd.affiliations.get()
    updated = services.update_affiliation(
        user=admin, affiliation=affiliation, data={"role": "Geselle", "start_date": "2019-04-01"}
    )
    assert (updated.role, updated.start_date, updated.organisation) == (
        "Geselle",
        dt.date(2019, 4, 1),
        crm.tischlerei,
    )
    with pytest.raises(ValidationError) as excinfo:
        services.update_affiliation(user=admin, affiliation=affiliation, data={"end_date": "2019-03-31"})
    assert list(errors_of(excinfo)) == ["end_date"]
    with pytest.raises(ValidationError) as excinfo:
        services.update_affiliation(user=admin, affiliation=affiliation, data={"person": "x"})
    assert list(errors_of(excinfo)) == ["person"]
    affiliation.refresh_from_db()
    assert (affiliation.role, affiliation.end_date) == ("Geselle", None)


def test_end_affiliation_keeps_the_role_as_a_former_one(crm: Crm, admin: Any) -> None:
    affiliation = crm.bernd.affiliations.get()
    ended = services.end_affiliation(user=admin, affiliation=affiliation)
    assert ended.end_date == timezone.localdate()
    assert Affiliation.objects.filter(pk=affiliation.pk).exists()
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Affiliation.objects.filter(pk=affiliation.pk).update(end_date=yesterday)
    current, former, future = services.split_affiliations(crm.bernd.affiliations.all())
    assert (current, [row.pk for row in former], future) == ([], [affiliation.pk], [])


def test_end_affiliation_checks_the_date(crm: Crm, admin: Any) -> None:
    affiliation = crm.bernd.affiliations.get()
    Affiliation.objects.filter(pk=affiliation.pk).update(start_date=dt.date(2024, 1, 10))
    with pytest.raises(ValidationError) as excinfo:
        services.end_affiliation(user=admin, affiliation=affiliation, end_date=dt.date(2024, 1, 9))
    assert list(errors_of(excinfo)) == ["end_date"]
    services.end_affiliation(user=admin, affiliation=affiliation, end_date=dt.date(2024, 6, 30))
    with pytest.raises(ValidationError, match="already ended"):
        services.end_affiliation(user=admin, affiliation=affiliation, end_date=dt.date(2024, 7, 30))
    affiliation.refresh_from_db()
    assert affiliation.end_date == dt.date(2024, 6, 30)


def test_remove_affiliation(crm: Crm, admin: Any) -> None:
    affiliation = crm.bernd.affiliations.get()
    services.remove_affiliation(user=admin, affiliation=affiliation)
    assert not crm.bernd.affiliations.exists()
    assert versions_of(crm.bernd).order_by("-id")[0].data["affiliations"] == []


def test_split_affiliations_knows_planned_roles() -> None:
    today = dt.date(2025, 3, 1)
    rows = [
        Affiliation(role="now"),
        Affiliation(role="until today", end_date=today),
        Affiliation(role="past", end_date=dt.date(2025, 2, 28)),
        Affiliation(role="from tomorrow", start_date=dt.date(2025, 3, 2)),
    ]
    current, former, future = services.split_affiliations(rows, on=today)
    assert [row.role for row in current] == ["now", "until today"]
    assert [row.role for row in former] == ["past"]
    assert [row.role for row in future] == ["from tomorrow"]
