"""A person's data protection reaches the checks they answered (``assessment/privacy.py``): the
export lists them; erasing or anonymising the person leaves the checks with their business."""

from __future__ import annotations

import pytest

from reallabor.actors.models import Person
from reallabor.actors.services import privacy
from reallabor.assessment.models import Response
from reallabor.assessment.tests.conftest import Checks
from reallabor.core.testing.actors import make_person

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("action", ["erase", "anonymise"])
def test_the_export_lists_the_checks_and_erasure_keeps_them_without_the_person(
    checks: Checks, action: str
) -> None:
    admin = checks.portfolio.users["administrator"]
    person = make_person(first_name="Jonas", last_name="Hobel", email="jonas@example.org")
    response = checks.submitted()
    Response.objects.filter(pk=response.pk).update(person=person)

    (row,) = privacy.export_person(user=admin, person=person)["assessment"]
    assert row["questionnaire"] == "dma-handwerk v1"
    assert row["organisation"] == checks.business.name and row["status"] == "submitted"
    assert row["overall"] == str(Response.objects.get(pk=response.pk).overall)

    answers = Response.objects.get(pk=response.pk).answers
    if action == "erase":
        privacy.erase_person(user=admin, person=person)
        assert not Person.objects.filter(pk=person.pk).exists()
    else:
        privacy.anonymise_person(user=admin, person=person)
    kept = Response.objects.get(pk=response.pk)
    assert kept.person_id is None and kept.organisation_id == checks.business.pk
    assert kept.answers == answers  # ticks and levels are no personal data
