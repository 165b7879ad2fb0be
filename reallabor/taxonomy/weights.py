"""Tag weights as numbers: pure functions on plain data (used by lists, charts and reports)."""

from collections.abc import Iterable

PRIMARY_WEIGHT = 1.0
SECONDARY_WEIGHT = 0.5


def tag_weight(priority: str, share: int | None) -> float:
    """A share counts as its fraction; primary as 1, secondary as 0.5."""
    if share is not None:
        return share / 100
    return SECONDARY_WEIGHT if priority == "secondary" else PRIMARY_WEIGHT


def share_total(shares: Iterable[int | None]) -> int:
    return sum(share for share in shares if share is not None)
