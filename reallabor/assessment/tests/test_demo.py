"""The demo checks: plausible, varied, re-takes that improve, shares the demo partner sees."""

from __future__ import annotations

import pytest

from reallabor.accounts.models import User
from reallabor.assessment import selectors
from reallabor.assessment.models import Response
from reallabor.core.demo import actors, assessment, bottrop

pytestmark = pytest.mark.django_db


def test_demo_checks(db: None) -> None:
    bottrop.load()
    actors.load()
    assert assessment.load() == {"results": assessment.BUSINESSES + assessment.RETAKES}
    assert assessment.load() == {"results": 0}  # loading twice adds nothing
    results = Response.objects.submitted()
    assert results.count() == 14
    assert len({response.band for response in results}) >= 2
    assert len({response.overall for response in results}) >= 8
    retakes = list(results.exclude(previous=None))
    assert len(retakes) == assessment.RETAKES
    for retake in retakes:
        comparison = selectors.comparison(retake)
        assert comparison is not None and comparison.overall_change > 0
    partner = User.objects.get(email=assessment.PARTNER_EMAIL)
    shared = Response.objects.visible_to(partner)
    assert 0 < shared.count() < results.count()
    assert set(Response.objects.values_list("source", flat=True)) == {"online", "advisor", "import"}
