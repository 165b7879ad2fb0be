"""Stored checks: drafts, partial answers, submission with stored scores, re-takes, shares, deletion."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from reallabor.assessment import engine, scoring, selectors, services
from reallabor.assessment.engine import definitions
from reallabor.assessment.models import Questionnaire, Response, ResponseLog, Share
from reallabor.assessment.tests import helpers
from reallabor.assessment.tests.conftest import Checks

pytestmark = pytest.mark.django_db


def test_an_anonymous_check_is_scored_without_storing_anything(checks: Checks) -> None:
    preview = services.preview_check(data=helpers.example())
    assert preview.result.to_json()["overall"] == 23.2
    assert Response.objects.count() == 0
    assert Questionnaire.objects.count() == 0


def test_preview_names_the_question_of_a_bad_answer(checks: Checks) -> None:
    data = helpers.with_answers(helpers.example(), **{"5a": {"1": 0, "2": 0, "3": 6, "4": 0, "5": 2}})
    del data["answers"]["4a"]
    with pytest.raises(ValidationError) as error:
        services.preview_check(data=data)
    assert error.value.message_dict == {
        "answers.4a": ["4a: the answer is missing"],
        "answers.5a": ["5a, item 3: 6 is out of range (0–5)"],
    }


def test_start_copies_the_context_of_the_organisation_and_snapshots_the_definition(checks: Checks) -> None:
    response = services.start_check(user=checks.member, organisation=checks.business)
    assert response.is_draft
    assert response.organisation == checks.business
    assert response.trade == checks.trade
    assert (response.headcount_band, response.founding_year, response.district) == (
        "5-9",
        1998,
        "Kirchhellen",
    )
    assert response.benchmark_consent is False
    assert response.entered_by == checks.member
    assert response.source == Response.Source.ONLINE
    row = response.questionnaire
    assert (row.slug, row.version) == ("dma-handwerk", 1)
    path = engine.questionnaires_dir() / "dma-handwerk" / "v1.json"
    assert row.definition == json.loads(path.read_text(encoding="utf-8"))
    assert row.digest == services.digest_of(row.definition)
    assert list(ResponseLog.objects.values_list("action", flat=True)) == ["started"]


def test_an_anonymous_draft_takes_context_data_and_refuses_bad_values(checks: Checks) -> None:
    response = services.start_check(
        user=None,
        context={
            "trade": checks.trade.code,
            "headcount_band": "1-4",
            "district": "Boy",
            "benchmark_consent": True,
        },
    )
    assert response.organisation is None
    assert (response.trade, response.headcount_band, response.benchmark_consent) == (
        checks.trade,
        "1-4",
        True,
    )
    with pytest.raises(ValidationError) as error:
        services.start_check(
            user=None,
            context={
                "trade": "zz-99",
                "headcount_band": "7",
                "founding_year": 3000,
                "benchmark_consent": "ja",
                "x": 1,
            },
        )
    assert set(error.value.message_dict) == {
        "trade",
        "headcount_band",
        "founding_year",
        "benchmark_consent",
        "x",
    }
    assert Response.objects.count() == 1


def test_save_answers_accepts_part_of_the_answers_and_merges_them(checks: Checks) -> None:
    response = checks.draft()
    services.save_answers(user=None, response=response, data={"answers": {"1b": [7, 1], "2b": {"1": 3}}})
    services.save_answers(
        user=None, response=response, data={"answers": {"3a": [2], "1b": None}, "relevance": {"4": 5}}
    )
    response.refresh_from_db()
    assert response.answers == {"2b": {"1": 3}, "3a": [2]}
    assert response.relevance == {"4": 5}
    assert response.is_draft


def test_save_answers_refuses_bad_values_naming_the_question_and_changes_nothing(checks: Checks) -> None:
    response = checks.draft()
    services.save_answers(user=None, response=response, data={"answers": {"1b": [1]}})
    with pytest.raises(ValidationError) as error:
        services.save_answers(
            user=None,
            response=response,
            data={"answers": {"1b": [2], "4a": [1, 8], "9z": [1], "2b": {"1": 9}}, "relevance": {"2": 0}},
        )
    assert error.value.message_dict == {
        "answers.2b": ["2b, item 1: 9 is out of range (0–5)"],
        "answers.4a": ["4a: item 8 (exclusive) cannot be ticked together with other items"],
        "answers.9z": ["9z: the question is unknown"],
        "relevance.2": ["relevance, dimension 2: 0 is out of range (1–5)"],
    }
    response.refresh_from_db()
    assert response.answers == {"1b": [1]}
    assert response.relevance is None


def test_submit_refuses_incomplete_answers_naming_each_question(checks: Checks) -> None:
    response = checks.draft()
    data = helpers.example()
    del data["answers"]["3a"]
    data["answers"]["2b"] = {"1": 0}
    services.save_answers(user=None, response=response, data={"answers": data["answers"]})
    with pytest.raises(ValidationError) as error:
        services.submit_check(user=None, response=response)
    messages = error.value.message_dict
    assert messages["answers.3a"] == ["3a: the answer is missing"]
    assert messages["answers.2b"][0] == "2b: item 2 is missing"
    response.refresh_from_db()
    assert response.is_draft and response.submitted_at is None and response.overall is None


def test_submit_stores_the_scores_rounded_half_up_and_exact(checks: Checks) -> None:
    response = checks.submitted()
    expected = scoring.score(
        engine.load_definition("dma-handwerk"), engine.check_answer_file(helpers.example())
    )
    response.refresh_from_db()
    assert response.status == Response.Status.SUBMITTED and response.submitted_at is not None
    assert response.overall == Decimal("23.2")
    assert response.band == "einstieg"
    assert response.dimension_scores() == {
        "1": Decimal("37.5"),
        "2": Decimal("30.7"),
        "3": Decimal("6.3"),
        "4": Decimal("22.6"),
        "5": Decimal("12.0"),
        "6": Decimal("30.0"),
    }
    assert response.gaps()["4"] == Decimal("77.4")
    assert response.exact_value("overall") == expected.overall
    assert response.exact_value("dimensions", "3") == expected.dimensions[2].score == Fraction(25, 4)
    assert services.rescore(response) == expected
    assert response.answer_file() == engine.check_answer_file(helpers.example()).to_dict()


def test_a_submitted_check_takes_no_more_answers(checks: Checks) -> None:
    response = checks.submitted()
    with pytest.raises(ValidationError) as error:
        services.save_answers(user=None, response=response, data={"answers": {"1b": []}})
    assert list(error.value.message_dict) == ["status"]
    with pytest.raises(ValidationError):
        services.submit_check(user=None, response=response)


def _definitions_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, retire_v1: bool) -> Path:
    folder = tmp_path / "definitions" / "dma-handwerk"
    folder.mkdir(parents=True)
    data = json.loads(
        (definitions.QUESTIONNAIRES_DIR / "dma-handwerk" / "v1.json").read_text(encoding="utf-8")
    )
    data["retired"] = retire_v1
    (folder / "v1.json").write_text(json.dumps(data), encoding="utf-8")
    if retire_v1:
        data["version"] = 2
        data["retired"] = False
        (folder / "v2.json").write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setattr(definitions, "QUESTIONNAIRES_DIR", tmp_path / "definitions")
    engine.clear_cache()
    return folder


@pytest.fixture
def _restore_definitions() -> object:
    yield None
    engine.clear_cache()


@pytest.mark.usefixtures("_restore_definitions")
def test_answers_to_a_retired_version_are_refused_but_old_results_stay(
    checks: Checks, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = checks.submitted()
    draft = checks.draft()
    services.save_answers(user=None, response=draft, data={"answers": helpers.example()["answers"]})
    _definitions_folder(tmp_path, monkeypatch, retire_v1=True)
    with pytest.raises(ValidationError) as error:
        services.submit_check(user=None, response=draft)
    assert error.value.message_dict == {
        "version": ["Version 1 of dma-handwerk is retired and takes no new answers; please answer version 2."]
    }
    draft.refresh_from_db()
    assert draft.is_draft
    # The old result is read again from its snapshot and scores as before.
    old.refresh_from_db()
    assert services.rescore(old) is not None
    assert selectors.stored_result(old) is not None
    # New checks go to version 2.
    assert services.start_check(user=None).questionnaire.version == 2


@pytest.mark.usefixtures("_restore_definitions")
def test_a_definition_revised_in_place_does_not_break_old_results(
    checks: Checks, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = checks.submitted()
    folder = _definitions_folder(tmp_path, monkeypatch, retire_v1=False)
    data = json.loads((folder / "v1.json").read_text(encoding="utf-8"))
    data["sections"][0]["questions"] = data["sections"][0]["questions"][:1]  # 1b removed in place
    (folder / "v1.json").write_text(json.dumps(data), encoding="utf-8")
    engine.clear_cache()
    old.refresh_from_db()
    assert "1b" in old.definition().questions
    assert services.rescore(old) == scoring.score(
        old.definition(), engine.validate_answers(old.definition(), helpers.example())
    )
    revised = helpers.example()
    del revised["answers"]["1b"]
    new = checks.submitted(revised)
    assert new.questionnaire != old.questionnaire
    assert Questionnaire.objects.filter(slug="dma-handwerk", version=1).count() == 2


def test_a_retake_links_to_the_earlier_result_and_shows_the_change(checks: Checks) -> None:
    first = checks.submitted(helpers.zero(relevance={str(n): 5 for n in range(1, 7)}))
    second = checks.submitted(helpers.example())
    assert first.previous is None
    assert second.previous == first
    assert selectors.previous_result(second) == first
    comparison = selectors.comparison(second)
    assert comparison is not None
    assert comparison.overall_change == Decimal("23.2")
    assert [
        (change.dimension, change.before, change.after, change.change) for change in comparison.dimensions
    ][:2] == [
        ("1", Decimal("0.0"), Decimal("37.5"), Decimal("37.5")),
        ("2", Decimal("0.0"), Decimal("30.7"), Decimal("30.7")),
    ]
    # Deleting the earlier result links the re-take to nothing.
    services.delete_response(user=None, response=first)
    second.refresh_from_db()
    assert second.previous is None


def test_linking_an_anonymous_result_to_the_organisation(checks: Checks) -> None:
    earlier = checks.submitted()
    response = services.start_check(user=None)
    services.save_answers(user=None, response=response, data={"answers": helpers.full()["answers"]})
    services.submit_check(user=None, response=response)
    linked = services.link_to_organisation(
        user=checks.member, response=response, organisation=checks.business, link=True
    )
    assert linked.organisation == checks.business
    assert linked.previous == earlier
    assert linked.trade == checks.trade  # the context of the organisation, since none was given
    log = ResponseLog.objects.filter(response=response).last()
    assert log is not None
    assert (log.action, log.user, log.detail) == (
        "linked",
        checks.member,
        {"organisation": "tischlerei-probe"},
    )


def test_a_result_of_one_organisation_is_not_moved_to_another_except_by_the_office(checks: Checks) -> None:
    from reallabor.accounts.models import OrganisationMembership

    response = checks.submitted()
    OrganisationMembership.objects.create(user=checks.member, organisation=checks.other_business)
    with pytest.raises(ValidationError) as error:
        services.link_to_organisation(
            user=checks.member, response=response, organisation=checks.other_business
        )
    assert list(error.value.message_dict) == ["organisation"]
    response.refresh_from_db()
    assert response.organisation == checks.business
    services.link_to_organisation(user=None, response=response, organisation=checks.other_business)
    response.refresh_from_db()
    assert response.organisation == checks.other_business


def test_sharing_and_unsharing_with_a_partner_organisation(checks: Checks) -> None:
    response = checks.submitted()
    partner = checks.user("partner")
    assert not Response.objects.visible_to(partner).exists()
    share = services.share_with(user=checks.member, response=response, organisation=checks.chamber)
    assert (share.shared_by, share.organisation) == (checks.member, checks.chamber)
    services.share_with(
        user=checks.member, response=response, organisation=checks.chamber
    )  # twice: one share
    assert Share.objects.count() == 1
    assert list(Response.objects.visible_to(partner)) == [response]
    assert list(response.shared_with.all()) == [checks.chamber]
    with pytest.raises(ValidationError):
        services.share_with(user=checks.member, response=response, organisation=checks.business)
    assert services.unshare(user=checks.member, response=response, organisation=checks.chamber) is True
    assert services.unshare(user=checks.member, response=response, organisation=checks.chamber) is False
    assert not Response.objects.visible_to(partner).exists()
    actions = list(ResponseLog.objects.filter(response=response).values_list("action", flat=True))
    assert actions[-2:] == ["shared", "unshared"]


def test_deleting_a_result_keeps_only_the_log_of_it(checks: Checks) -> None:
    response = checks.submitted()
    services.share_with(user=None, response=response, organisation=checks.chamber)
    key = response.uuid
    services.delete_response(user=checks.member, response=response)
    assert not Response.objects.filter(uuid=key).exists()
    assert not Share.objects.exists()
    last = ResponseLog.objects.filter(response_uuid=key).last()
    assert last is not None and (last.action, last.response, last.user) == ("deleted", None, checks.member)


def test_start_with_a_person_is_for_the_office_only(checks: Checks) -> None:
    from reallabor.core.testing.actors import make_person

    person = make_person(last_name="Beispiel")
    with pytest.raises(PermissionDenied):
        services.start_check(user=checks.member, organisation=checks.business, person=person)
    response = services.start_check(
        user=checks.user("coordinator"),
        organisation=checks.business,
        person=person,
        source=Response.Source.ADVISOR,
    )
    assert (response.person, response.source) == (person, "advisor")


@pytest.mark.usefixtures("_restore_definitions")
def test_an_imported_file_answering_a_retired_version_is_refused(
    checks: Checks, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _definitions_folder(tmp_path, monkeypatch, retire_v1=True)
    with pytest.raises(ValidationError) as error:
        services.import_check(user=None, data={**helpers.example(), "version": 1})
    assert error.value.message_dict == {
        "version": ['version: version 1 of "dma-handwerk" is retired: answer version 2']
    }
    assert not Response.objects.exists()
