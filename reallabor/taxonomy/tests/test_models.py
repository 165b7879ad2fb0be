"""Tag and term invariants in the database, labels, and the pure weight functions."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reallabor.core.testing.factories import make_lab, make_measure
from reallabor.labs.models import Measure
from reallabor.taxonomy.models import SDG_FAMILY, Tag, Term, Vocabulary
from reallabor.taxonomy.services import create_term, current_vocabulary
from reallabor.taxonomy.weights import PRIMARY_WEIGHT, SECONDARY_WEIGHT, share_total, tag_weight

# Weights (pure functions) ---------------------------------------------------------------------

shares = st.integers(min_value=1, max_value=100)
priorities = st.sampled_from(["primary", "secondary", ""])
relaxed = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@relaxed
@given(priority=priorities, share=shares)
def test_a_share_counts_as_its_fraction_whatever_the_priority(priority: str, share: int) -> None:
    assert tag_weight(priority, share) == share / 100
    assert 0 < tag_weight(priority, share) <= 1


@relaxed
@given(a=shares, b=shares)
def test_a_larger_share_weighs_more(a: int, b: int) -> None:
    assert (tag_weight("", a) < tag_weight("", b)) == (a < b)


def test_priorities_weigh_one_and_a_half() -> None:
    assert tag_weight("primary", None) == PRIMARY_WEIGHT == 1.0
    assert tag_weight("secondary", None) == SECONDARY_WEIGHT == 0.5
    assert tag_weight("", None) == PRIMARY_WEIGHT


@relaxed
@given(st.lists(st.one_of(st.none(), shares)))
def test_share_total_adds_the_shares_and_ignores_priorities(values: list[int | None]) -> None:
    total = share_total(values)
    assert total == sum(v for v in values if v is not None)
    assert total >= 0
    assert share_total(reversed(values)) == total
    assert share_total([*values, None]) == total


@relaxed
@given(st.lists(shares, max_size=10))
def test_share_total_is_the_sum_of_the_weights_in_percent(values: list[int]) -> None:
    assert share_total(values) == round(sum(tag_weight("", v) for v in values) * 100)


# Database invariants --------------------------------------------------------------------------


@pytest.fixture
def measure(db: None) -> Measure:
    return make_measure(make_lab())


def _tag(measure: Measure, sdg: str = "8", **fields: Any) -> Tag:
    return Tag(
        term=Term.objects.get(vocabulary__family=SDG_FAMILY, code=sdg),
        content_type=ContentType.objects.get_for_model(Measure),
        object_id=measure.pk,
        **fields,
    )


@pytest.mark.parametrize(
    "fields",
    [
        {"priority": "primary", "share": 50},
        {"priority": "", "share": None},
        {"priority": "", "share": 0},
        {"priority": "", "share": 101},
        {"priority": "tertiary", "share": None},
    ],
)
def test_the_database_refuses_a_weight_that_is_not_exactly_priority_or_share(
    measure: Measure, fields: dict[str, Any]
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        _tag(measure, **fields).save()
    assert not Tag.objects.exists()


@pytest.mark.parametrize(
    "fields", [{"priority": "primary"}, {"priority": "secondary"}, {"share": 1}, {"share": 100}]
)
def test_the_database_accepts_a_priority_or_a_share(measure: Measure, fields: dict[str, Any]) -> None:
    _tag(measure, **fields).save()
    assert Tag.objects.count() == 1


def test_the_database_refuses_the_same_term_twice_on_one_object(measure: Measure) -> None:
    _tag(measure, priority="primary").save()
    with pytest.raises(IntegrityError), transaction.atomic():
        _tag(measure, priority="secondary").save()
    other = make_measure(measure.lab)
    _tag(other, priority="primary").save()
    assert Tag.objects.count() == 2


def test_a_term_in_use_by_a_tag_is_protected(measure: Measure) -> None:
    from django.db.models import ProtectedError

    _tag(measure, sdg="8.5", priority="primary").save()
    with pytest.raises(ProtectedError):
        Term.objects.get(vocabulary__family=SDG_FAMILY, code="8.5").delete()


def test_deleting_a_measure_deletes_its_tags(measure: Measure) -> None:
    _tag(measure, priority="primary").save()
    measure.delete()
    assert not Tag.objects.exists()


def test_only_one_current_version_per_family(db: None) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Vocabulary.objects.create(family=SDG_FAMILY, version=2, kind="sdg", name="Zweite")
    with pytest.raises(IntegrityError), transaction.atomic():
        Vocabulary.objects.create(family="megatrends", version=1, kind="megatrend", name="Doppelt")


# Labels ---------------------------------------------------------------------------------------


def test_labels_and_display_of_tags(measure: Measure) -> None:
    megatrends = current_vocabulary("megatrends")
    term = create_term(
        user=None,
        vocabulary=megatrends,
        data={"code": "digitalisierung", "name": "Digitalisierung", "name_en": "Digitalisation"},
    )
    tag = Tag(term=term, priority="primary", note="durch die Covid-19-Pandemie gestärkt")
    with translation.override("de"):
        assert term.label == "Digitalisierung"
        assert tag.display == "MT »Digitalisierung« (durch die Covid-19-Pandemie gestärkt)"
        assert str(term) == "MT »Digitalisierung«"
        assert str(megatrends) == "Megatrends (v1)"
    with translation.override("en"):
        assert term.label == "Digitalisation"
        assert tag.display == "MT »Digitalisation« (durch die Covid-19-Pandemie gestärkt)"


def test_a_term_without_abbreviation_shows_its_label(db: None) -> None:
    groups = current_vocabulary("target-groups")
    term = create_term(user=None, vocabulary=groups, data={"code": "handwerk", "name": "Handwerksbetriebe"})
    with translation.override("de"):
        assert term.display == "Handwerksbetriebe"
    with translation.override("en"):
        assert term.label == "Handwerksbetriebe"  # no English name: the German one


def test_a_local_wording_replaces_the_name_in_german_only(db: None) -> None:
    goal = Term.objects.get(vocabulary__family=SDG_FAMILY, code="12")
    goal.local_name = "Nachhaltige/r Konsum und Produktion"
    with translation.override("de"):
        assert goal.label == "Nachhaltige/r Konsum und Produktion"
    with translation.override("en"):
        assert goal.label == goal.name_en
