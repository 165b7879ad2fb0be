"""Differences between two states of an object: pure functions on plain data."""

from typing import Any, TypedDict


class Change(TypedDict):
    field: str
    old: Any
    new: Any


def diff_states(old: dict[str, Any] | None, new: dict[str, Any]) -> list[Change]:
    """The top-level fields whose values differ, in the order of ``new`` (then removed ones)."""
    old = old or {}
    changes: list[Change] = []
    for key, value in new.items():
        if key not in old or old[key] != value:
            changes.append({"field": key, "old": old.get(key), "new": value})
    for key, value in old.items():
        if key not in new:
            changes.append({"field": key, "old": value, "new": None})
    return changes
