"""history.diff.diff_states: property tests on plain JSON-like states."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reallabor.history.diff import Change, diff_states

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
keys = st.sampled_from(["title", "summary", "status", "activities", "tags", "slug", "x", "y"])
states = st.dictionaries(keys, json_values, max_size=8)
present_values = json_values.filter(lambda value: value is not None)
# Machines under load (CI, parallel runs) must not make the properties flaky.
relaxed = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def apply_changes(old: dict[str, Any], changes: list[Change], removed_are_none: bool) -> dict[str, Any]:
    """Apply changes to a state: a field's new value replaces the old one (``None`` removes it)."""
    result = dict(old)
    for change in changes:
        if change["new"] is None and removed_are_none:
            result.pop(change["field"], None)
        else:
            result[change["field"]] = change["new"]
    return result


@relaxed
@given(old=states, new=states)
def test_applying_the_changes_to_the_old_state_gives_the_new_state(
    old: dict[str, Any], new: dict[str, Any]
) -> None:
    """With the same fields on both sides (as in every state of one model), exactly."""
    new = {key: new.get(key) for key in old}
    assert apply_changes(old, diff_states(old, new), removed_are_none=False) == new


@relaxed
@given(
    old=st.dictionaries(keys, present_values, max_size=8),
    new=st.dictionaries(keys, present_values, max_size=8),
)
def test_added_and_removed_fields_are_changes_too(old: dict[str, Any], new: dict[str, Any]) -> None:
    assert apply_changes(old, diff_states(old, new), removed_are_none=True) == new


@relaxed
@given(old=st.one_of(st.none(), states), new=states)
def test_each_change_names_one_field_with_its_old_and_new_value(
    old: dict[str, Any] | None, new: dict[str, Any]
) -> None:
    changes = diff_states(old, new)
    fields = [change["field"] for change in changes]
    assert len(fields) == len(set(fields))
    for change in changes:
        assert change["old"] == (old or {}).get(change["field"])
        assert change["new"] == new.get(change["field"])
    unchanged = set(new) - set(fields)
    assert all(old is not None and key in old and old[key] == new[key] for key in unchanged)
    # The order is that of the new state, removed fields last.
    assert [f for f in fields if f in new] == [key for key in new if key in fields]


@relaxed
@given(state=states)
def test_a_state_compared_with_itself_has_no_changes(state: dict[str, Any]) -> None:
    assert diff_states(state, dict(state)) == []


@relaxed
@given(state=states)
def test_the_first_state_lists_every_field_as_new(state: dict[str, Any]) -> None:
    assert diff_states(None, state) == [
        {"field": key, "old": None, "new": value} for key, value in state.items()
    ]


def test_nested_lists_are_compared_by_value() -> None:
    old = {"activities": [{"title": "A"}, {"title": "B"}], "title": "X"}
    new = {"activities": [{"title": "B"}, {"title": "A"}], "title": "X"}
    assert diff_states(old, new) == [
        {
            "field": "activities",
            "old": [{"title": "A"}, {"title": "B"}],
            "new": [{"title": "B"}, {"title": "A"}],
        }
    ]
    assert diff_states({"a": 1, "gone": 2}, {"a": 1}) == [{"field": "gone", "old": 2, "new": None}]
