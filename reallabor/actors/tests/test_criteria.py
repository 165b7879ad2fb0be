"""The criteria of lists and segments (pure): parsing, errors naming the field, the round trip."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import QueryDict
from hypothesis import given, settings
from hypothesis import strategies as st

from reallabor.actors.criteria import (
    ALLIANCE,
    HEADCOUNT_BANDS,
    KINDS,
    MAX_DAYS,
    PURPOSES,
    SUB_KINDS,
    Criteria,
    CriteriaError,
    criteria_from_query,
    parse_criteria,
)


def test_empty_data_gives_empty_criteria() -> None:
    criteria = parse_criteria({})
    assert criteria == Criteria()
    assert criteria.is_empty
    assert criteria.to_dict() == {}
    assert criteria.to_query() == ""


def test_lists_from_comma_strings_and_lists_are_stripped_and_deduplicated() -> None:
    criteria = parse_criteria(
        {"kinds": "company, science,company", "districts": [" Mitte ", "Mitte", "", "  ", "Eigen"]}
    )
    assert criteria.kinds == ("company", "science")
    assert criteria.districts == ("Mitte", "Eigen")


def test_every_field_is_read() -> None:
    data = {
        "q": "  Tischlerei  ",
        "kinds": ["company"],
        "sub_kinds": ["chamber"],
        "sectors": ["f", "16"],
        "trades": ["a"],
        "districts": ["Kirchhellen"],
        "headcount_bands": ["5-9", "250+"],
        "needs": ["skilled-workers"],
        "motivations": ["image"],
        "labs": ["digitale-koproduktion-im-handwerk"],
        "alliance": ["member", "none"],
        "contacted_within_days": "30",
        "not_contacted_for_days": 365,
        "consent": "newsletter",
    }
    criteria = parse_criteria(data)
    assert criteria == Criteria(
        q="Tischlerei",
        kinds=("company",),
        sub_kinds=("chamber",),
        sectors=("f", "16"),
        trades=("a",),
        districts=("Kirchhellen",),
        headcount_bands=("5-9", "250+"),
        needs=("skilled-workers",),
        motivations=("image",),
        labs=("digitale-koproduktion-im-handwerk",),
        alliance=("member", "none"),
        contacted_within_days=30,
        not_contacted_for_days=365,
        consent="newsletter",
    )
    assert parse_criteria(criteria.to_dict()) == criteria


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kinds": ["company", "pirates"]}, "kinds"),
        ({"sub_kinds": ["castle"]}, "sub_kinds"),
        ({"headcount_bands": ["1-1000"]}, "headcount_bands"),
        ({"alliance": ["maybe"]}, "alliance"),
        ({"consent": "spam"}, "consent"),
        ({"consent": ["newsletter"]}, "consent"),
        ({"contacted_within_days": "soon"}, "contacted_within_days"),
        ({"contacted_within_days": -1}, "contacted_within_days"),
        ({"contacted_within_days": "-1"}, "contacted_within_days"),
        ({"contacted_within_days": 2.5}, "contacted_within_days"),
        ({"contacted_within_days": True}, "contacted_within_days"),
        ({"contacted_within_days": "1_000"}, "contacted_within_days"),
        ({"contacted_within_days": "٣"}, "contacted_within_days"),
        ({"not_contacted_for_days": MAX_DAYS + 1}, "not_contacted_for_days"),
        ({"needs": [1, 2]}, "needs"),
        ({"sectors": {"f": True}}, "sectors"),
        ({"q": 5}, "q"),
        ({"colour": "blue"}, "colour"),
    ],
)
def test_bad_values_raise_an_error_naming_the_field(data: dict[str, Any], field: str) -> None:
    with pytest.raises(CriteriaError) as caught:
        parse_criteria(data)
    assert set(caught.value.errors) == {field}
    assert caught.value.errors[field]


def test_all_bad_fields_are_named_at_once() -> None:
    with pytest.raises(CriteriaError) as caught:
        parse_criteria({"kinds": ["x"], "consent": "y", "page": "2"})
    assert set(caught.value.errors) == {"kinds", "consent", "page"}
    assert "Zulässig: company" in caught.value.errors["kinds"]


def test_unknown_keys_can_be_allowed() -> None:
    assert parse_criteria({"page": "2", "kinds": "company"}, allow_unknown=True).kinds == ("company",)


def test_query_strings_take_repeated_keys_and_comma_lists_and_ignore_other_parameters() -> None:
    query = QueryDict(
        "kinds=company&kinds=science,politics&page=3&sort=name&q=+Holz+&consent=&not_contacted_for_days=90"
    )
    criteria = criteria_from_query(query)
    assert criteria.kinds == ("company", "science", "politics")
    assert criteria.q == "Holz"
    assert criteria.consent == ""
    assert criteria.not_contacted_for_days == 90


def test_to_query_is_read_back_by_criteria_from_query() -> None:
    criteria = Criteria(
        kinds=("company", "science"), districts=("Alt-Bottrop",), q="Bäckerei & Söhne", consent="photos"
    )
    assert criteria_from_query(QueryDict(criteria.to_query())) == criteria


texts = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"], exclude_characters="\x00"), max_size=30
)
codes = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-.", min_size=1, max_size=8), max_size=4
)
criteria_data = st.fixed_dictionaries(
    {},
    optional={
        "q": texts | st.text(max_size=250),
        "kinds": st.lists(st.sampled_from(KINDS), max_size=4) | st.just("company, science"),
        "sub_kinds": st.lists(st.sampled_from(SUB_KINDS), max_size=3),
        "sectors": codes,
        "trades": codes,
        "districts": st.lists(texts, max_size=3),
        "headcount_bands": st.lists(st.sampled_from(HEADCOUNT_BANDS), max_size=3),
        "needs": codes,
        "motivations": codes,
        "labs": codes,
        "alliance": st.lists(st.sampled_from(ALLIANCE), max_size=4),
        "contacted_within_days": st.none() | st.integers(0, MAX_DAYS) | st.integers(0, 999).map(str),
        "not_contacted_for_days": st.none() | st.integers(0, MAX_DAYS),
        "consent": st.sampled_from(("", *PURPOSES)),
    },
)


@settings(max_examples=300)
@given(criteria_data)
def test_parsing_what_to_dict_gives_returns_the_same_criteria(data: dict[str, Any]) -> None:
    criteria = parse_criteria(data)
    assert parse_criteria(criteria.to_dict()) == criteria
    assert parse_criteria(criteria.to_dict()).to_dict() == criteria.to_dict()


valid_criteria = st.builds(
    Criteria,
    q=st.text(alphabet="abcäöü ß-", max_size=20).map(str.strip),
    kinds=st.lists(st.sampled_from(KINDS), unique=True, max_size=3).map(tuple),
    sub_kinds=st.lists(st.sampled_from(SUB_KINDS), unique=True, max_size=3).map(tuple),
    sectors=st.lists(st.sampled_from(["a", "c", "10", "f", "43"]), unique=True, max_size=3).map(tuple),
    districts=st.lists(st.sampled_from(["Mitte", "Kirchhellen", "Alt-Bottrop"]), unique=True).map(tuple),
    alliance=st.lists(st.sampled_from(ALLIANCE), unique=True).map(tuple),
    contacted_within_days=st.none() | st.integers(0, MAX_DAYS),
    not_contacted_for_days=st.none() | st.integers(0, MAX_DAYS),
    consent=st.sampled_from(("", *PURPOSES)),
)


@given(valid_criteria)
def test_round_trip_of_valid_criteria(criteria: Criteria) -> None:
    assert parse_criteria(criteria.to_dict()) == criteria
    assert criteria_from_query(QueryDict(criteria.to_query())) == criteria
