"""Personal links to a check, and reading stored results (latest per organisation, re-take change)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import PermissionDenied

from reallabor.assessment import engine, links, scoring, selectors, services
from reallabor.assessment.models import Response
from reallabor.assessment.tests import helpers
from reallabor.assessment.tests.conftest import Checks
from reallabor.core.testing.factories import OrganisationFactory
from reallabor.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def test_a_draft_is_continued_by_whoever_holds_its_link(checks: Checks) -> None:
    anonymous = checks.user("anonymous")
    response = services.start_check(user=anonymous)
    token = links.response_link_token(response)
    found = links.response_from_link(token)
    assert found == response
    services.save_answers(
        user=anonymous, response=found, data={"answers": helpers.example()["answers"]}, link=True
    )
    services.submit_check(user=anonymous, response=found, link=True)
    found.refresh_from_db()
    assert found.status == Response.Status.SUBMITTED
    assert found.log.filter(action="submitted", by_link=True).exists()
    # Without the link the same visitor is refused.
    with pytest.raises(PermissionDenied):
        services.delete_response(user=anonymous, response=found)
    assert links.holds_link(found, token)
    assert not links.holds_link(checks.draft(), token)


@pytest.mark.parametrize(
    "change", [lambda token: token[:-2], lambda token: token + "x", lambda token: "", lambda token: "a" * 600]
)
def test_a_changed_link_is_refused_with_a_message(checks: Checks, change: object) -> None:
    token = links.response_link_token(checks.draft())
    with pytest.raises(links.LinkTampered) as error:
        links.response_from_link(change(token))  # type: ignore[operator]
    assert "not valid" in str(error.value)


def test_a_link_of_another_purpose_is_refused(checks: Checks) -> None:
    from django.core import signing

    response = checks.draft()
    token = signing.dumps(response.uuid.hex, salt="reallabor.events.registration.manage", compress=False)
    with pytest.raises(links.LinkTampered):
        links.response_from_link(token)


def test_an_old_link_expires_and_a_deleted_check_is_gone(
    checks: Checks, monkeypatch: pytest.MonkeyPatch
) -> None:
    response = checks.draft()
    token = links.response_link_token(response)
    monkeypatch.setattr(links, "MAX_AGE", dt.timedelta(seconds=-1))
    with pytest.raises(links.LinkExpired):
        links.response_from_link(token)
    monkeypatch.undo()
    services.delete_response(user=None, response=response)
    with pytest.raises(links.LinkGone) as error:
        links.response_from_link(token)
    assert str(error.value) == "This check no longer exists."


def test_latest_results_gives_the_newest_result_of_each_organisation_in_one_query(
    checks: Checks, django_assert_num_queries: object
) -> None:
    relevance = {"1": 5, "2": 5, "3": 5, "4": 5, "5": 1, "6": 3}
    checks.submitted(helpers.zero(relevance=relevance))
    newest = checks.submitted(helpers.example())
    other = checks.submitted(helpers.full(), organisation=checks.other_business)
    checks.draft()  # a draft never counts
    nobody: Organisation = OrganisationFactory()  # type: ignore[assignment]
    with django_assert_num_queries(1):  # type: ignore[operator]
        results = selectors.latest_results([checks.business.pk, checks.other_business.pk, nobody.pk])
    assert set(results) == {checks.business.pk, checks.other_business.pk}
    result = results[checks.business.pk]
    assert result.uuid == newest.uuid
    assert result.overall == Decimal("23.2") and result.band == "einstieg"
    assert result.dimensions["4"] == Decimal("22.6")
    expected = scoring.score(
        engine.load_definition("dma-handwerk"), engine.check_answer_file(helpers.example())
    )
    assert result.gaps == tuple((dimension.id, dimension.gap) for dimension in expected.gaps)
    assert all(isinstance(gap, Fraction) for _dimension, gap in result.gaps)
    assert results[checks.other_business.pk].uuid == other.uuid
    assert results[checks.other_business.pk].gaps == ()  # no relevance given
    with django_assert_num_queries(1):  # type: ignore[operator]
        assert set(selectors.latest_results()) == {checks.business.pk, checks.other_business.pk}


def test_latest_results_follows_the_date_of_imported_results(checks: Checks) -> None:
    later = services.import_check(
        user=None, data={**helpers.example(), "organisation": "tischlerei-probe", "date": "2025-06-01"}
    )
    earlier = services.import_check(
        user=None, data={**helpers.zero(), "organisation": "tischlerei-probe", "date": "2024-06-01"}
    )
    assert selectors.latest_results([checks.business.pk])[checks.business.pk].uuid == later.uuid
    later.refresh_from_db()
    assert later.previous == earlier and earlier.previous is None
