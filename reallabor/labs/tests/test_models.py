"""Invariants of the lab models: database constraints, field errors of full_clean, small properties."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import translation

from reallabor.accounts.models import User
from reallabor.core.testing.factories import OrganisationFactory, UserFactory, make_lab, make_measure
from reallabor.labs.models import Activity, Actor, Financing, Lab, LabMembership, Measure, Result, TargetGroup
from reallabor.organisations.models import Organisation
from reallabor.taxonomy.services import create_term, current_vocabulary

pytestmark = pytest.mark.django_db


def new_user(**fields: Any) -> User:
    user: User = UserFactory(**fields)  # type: ignore[assignment]
    return user


def new_organisation(**fields: Any) -> Organisation:
    organisation: Organisation = OrganisationFactory(**fields)  # type: ignore[assignment]
    return organisation


D = datetime.date


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def measure() -> Measure:
    return make_measure(make_lab(name="Handwerk", slug="handwerk"), title="Frühstück", slug="fruehstueck")


def errors_of(instance: Any) -> dict[str, list[str]]:
    try:
        instance.full_clean(
            exclude=["measure"] if hasattr(instance, "measure_id") else None, validate_unique=False
        )
    except ValidationError as error:
        return error.message_dict
    return {}


# full_clean names the field -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("instance", "expected"),
    [
        (
            Activity(title="A", start=D(2021, 3, 1), end=D(2021, 2, 1)),
            {"end": ["The end must not be before the start."]},
        ),
        (Activity(title="A", end=D(2021, 2, 1)), {"start": ["Give a start date when there is an end date."]}),
        (Activity(title="A", start=D(2021, 2, 1), end=D(2021, 2, 1)), {}),
        (Activity(title="A", start=D(2021, 2, 1)), {}),
        (
            Financing(source="X", source_kind="funder", amount=Decimal("-0.01")),
            {"amount": ["The amount must not be negative."]},
        ),
        (Financing(source="X", source_kind="funder", amount=Decimal("0")), {}),
        (
            Financing(
                source="X", source_kind="funder", amount=Decimal(-1), start=D(2022, 1, 1), end=D(2021, 1, 1)
            ),
            {
                "amount": ["The amount must not be negative."],
                "end": ["The end must not be before the start."],
            },
        ),
        (
            Measure(title="M", slug="m", start=D(2022, 1, 1), end=D(2021, 1, 1)),
            {"end": ["The end must not be before the start."]},
        ),
        (
            Lab(name="L", slug="l", funding_start=D(2022, 1, 1), funding_end=D(2021, 12, 31)),
            {"funding_end": ["The end must not be before the start."]},
        ),
        (Lab(name="L", slug="l", funding_end=D(2021, 12, 31)), {}),
    ],
)
def test_full_clean_reports_period_and_amount_errors_on_the_field(
    instance: Any, expected: dict[str, list[str]]
) -> None:
    found = errors_of(instance)
    found.pop("lab", None)  # a measure without its lab
    assert found == expected


def test_a_bad_date_string_is_reported_once_and_does_not_crash_the_period_check() -> None:
    assert errors_of(Activity(title="A", start="2021-02-30", end="2021-01-01")) == {
        "start": ["“2021-02-30” value has the correct format (YYYY-MM-DD) but it is an invalid date."]
    }
    assert list(errors_of(Financing(source="X", source_kind="funder", amount="viel"))) == ["amount"]


# The database enforces the same ---------------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda m: Activity(measure=m, title="A", start=D(2021, 3, 1), end=D(2021, 2, 1)),
        lambda m: Activity(measure=m, title="A", end=D(2021, 2, 1)),
        lambda m: Financing(measure=m, source="X", source_kind="funder", amount=Decimal(-1)),
        lambda m: Financing(
            measure=m, source="X", source_kind="funder", start=D(2022, 1, 1), end=D(2021, 1, 1)
        ),
        lambda m: Actor(measure=m, group_name=""),
        lambda m: Actor(measure=m, group_name="Schulen", organisation=new_organisation()),
    ],
)
def test_the_database_refuses_inconsistent_rows(measure: Measure, make: Any) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        make(measure).save()


def test_the_database_refuses_inconsistent_periods_and_duplicates(measure: Measure) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Measure.objects.filter(pk=measure.pk).update(start=D(2022, 1, 1), end=D(2021, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Lab.objects.filter(pk=measure.lab_id).update(funding_start=D(2022, 1, 1), funding_end=D(2021, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Measure.objects.create(lab=measure.lab, title="Doppelt", slug="fruehstueck")
    with pytest.raises(IntegrityError), transaction.atomic():
        Lab.objects.create(name="Doppelt", slug="handwerk")


def test_a_user_has_one_role_per_lab(measure: Measure) -> None:

    user = new_user()
    LabMembership.objects.create(lab=measure.lab, user=user, role="partner")
    with pytest.raises(IntegrityError), transaction.atomic():
        LabMembership.objects.create(lab=measure.lab, user=user, role="coordinator")


def test_a_target_group_once_per_measure_and_its_term_protected(measure: Measure) -> None:
    term = create_term(
        user=None, vocabulary=current_vocabulary("target-groups"), data={"code": "kitas", "name": "Kitas"}
    )
    TargetGroup.objects.create(measure=measure, term=term)
    with pytest.raises(IntegrityError), transaction.atomic():
        TargetGroup.objects.create(measure=measure, term=term)
    with pytest.raises(ProtectedError):
        term.delete()


def test_deleting_a_measure_deletes_its_profile(measure: Measure) -> None:
    Activity.objects.create(measure=measure, title="A")
    Result.objects.create(measure=measure, text="Ergebnis")
    measure.delete()
    assert not Activity.objects.exists()
    assert not Result.objects.exists()


# Small properties ---------------------------------------------------------------------------


def test_names_and_urls(measure: Measure) -> None:
    organisation = new_organisation(
        name="Handwerkskammer Münster", street="Bismarckallee 1", postcode="48151", city="Münster"
    )
    assert Actor(measure=measure, organisation=organisation).name == "Handwerkskammer Münster"
    assert str(Actor(measure=measure, group_name="Kitas")) == "Kitas"
    assert str(Result(text="x" * 100)) == "x" * 60
    assert organisation.address == "Bismarckallee 1, 48151 Münster"
    # Public addresses use slugs, never primary keys.
    assert measure.get_absolute_url().startswith(measure.lab.get_absolute_url())
    assert "/handwerk/" in measure.lab.get_absolute_url()
    assert measure.get_absolute_url().endswith("/fruehstueck/")


def test_measures_are_ordered_by_lab_then_position() -> None:
    second_lab = make_lab(name="B-Labor")
    first_lab = make_lab(name="A-Labor")
    Lab.objects.filter(pk=first_lab.pk).update(position=0)
    b1 = make_measure(second_lab, title="b1")
    a2 = make_measure(first_lab, title="a2")
    a1 = make_measure(first_lab, title="a1")
    Measure.objects.filter(pk=a1.pk).update(position=0)
    assert list(Measure.objects.all()) == [a1, a2, b1]
