"""Shared service helpers: optimistic locking and error paths of nested data."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from reallabor.core.exceptions import EditConflict
from reallabor.core.services import bump_revision, check_revision
from reallabor.core.validation import ErrorCollector, error_dict
from reallabor.labs.models import Activity, Lab


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def test_check_revision_accepts_the_current_or_no_revision() -> None:
    lab = Lab(name="X", revision=3)
    check_revision(lab, None)
    check_revision(lab, 3)
    check_revision(lab, "3")  # type: ignore[arg-type]  # from a form field
    with pytest.raises(EditConflict) as caught:
        check_revision(lab, 2)
    assert isinstance(caught.value, ValidationError)
    assert caught.value.code == "conflict"
    assert "revision 3" in caught.value.messages[0] and "revision 2" in caught.value.messages[0]
    bump_revision(lab)
    assert lab.revision == 4


@pytest.mark.django_db
def test_error_collector_prefixes_field_errors_with_the_row_path() -> None:
    errors = ErrorCollector()
    assert not errors
    errors.clean(Activity(title="", start=None), "activities[2]", exclude=["measure"])
    errors.add("", "Allgemein")
    errors.add("tags", "Zu viel")
    errors.add("tags", "Noch mehr")
    assert bool(errors)
    assert errors.errors == {
        "activities[2].title": ["This field cannot be blank."],
        "__all__": ["Allgemein"],
        "tags": ["Zu viel", "Noch mehr"],
    }
    with pytest.raises(ValidationError) as caught:
        errors.raise_if_any()
    assert error_dict(caught.value) == errors.errors


def test_non_field_errors_of_a_row_go_to_the_row_path() -> None:
    errors = ErrorCollector()
    errors.add_validation_error(
        ValidationError({"__all__": ["Zeile falsch"], "end": ["Zu früh"]}), "activities[0]"
    )
    errors.add_validation_error(ValidationError(["eins", "zwei"]), "results[1]")
    errors.add_validation_error(ValidationError("ohne Pfad"))
    assert errors.errors == {
        "activities[0]": ["Zeile falsch"],
        "activities[0].end": ["Zu früh"],
        "results[1]": ["eins", "zwei"],
        "__all__": ["ohne Pfad"],
    }


def test_error_dict_of_a_plain_error() -> None:
    assert error_dict(ValidationError("Nein")) == {"__all__": ["Nein"]}
    assert error_dict(ValidationError({"slug": "vergeben"})) == {"slug": ["vergeben"]}


def test_an_empty_collector_raises_nothing() -> None:
    ErrorCollector().raise_if_any()
