"""Filter criteria over actors, shared by the list pages, segments, the API and the CLI (pure).

A segment stores its criteria as the plain dict ``Criteria.to_dict()`` gives; ``parse_criteria``
reads such a dict (or a page's query parameters) back and names every bad field. Whether a code
exists (a sector, a need, a lab) is checked against the database by ``actors.filters``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any
from urllib.parse import urlencode

from django.utils.translation import gettext as _

KINDS = ("company", "science", "multiplier", "politics", "civil_society", "administration")
SUB_KINDS = (
    "university",
    "research_institute",
    "chamber",
    "association",
    "agency",
    "school",
    "faith_community",
    "club",
    "day_care",
)
HEADCOUNT_BANDS = ("1-4", "5-9", "10-19", "20-49", "50-249", "250+")
ALLIANCE = ("member", "applicant", "former", "none")
PURPOSES = ("newsletter", "event_follow_up", "matching", "benchmarking", "photos")

LIST_FIELDS = (
    "kinds",
    "sub_kinds",
    "sectors",
    "trades",
    "districts",
    "headcount_bands",
    "needs",
    "motivations",
    "labs",
    "alliance",
)
DAY_FIELDS = ("contacted_within_days", "not_contacted_for_days")
CHOICES: dict[str, tuple[str, ...]] = {
    "kinds": KINDS,
    "sub_kinds": SUB_KINDS,
    "headcount_bands": HEADCOUNT_BANDS,
    "alliance": ALLIANCE,
}
MAX_DAYS = 36500


class CriteriaError(ValueError):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{key}: {message}" for key, message in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class Criteria:
    """Every list holds alternatives (any of them); different fields must all hold."""

    q: str = ""
    kinds: tuple[str, ...] = ()
    sub_kinds: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()  # WZ 2008 codes: a section ("f") includes its divisions ("41", "42", "43")
    trades: tuple[str, ...] = ()  # trade codes; a list code ("a") includes its trades
    districts: tuple[str, ...] = ()
    headcount_bands: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()
    motivations: tuple[str, ...] = ()
    labs: tuple[str, ...] = ()  # lab slugs
    alliance: tuple[str, ...] = ()  # Wirtschaftsallianz status; "none" = not a member
    contacted_within_days: int | None = None
    not_contacted_for_days: int | None = None  # never contacted counts as not contacted
    consent: str = ""  # people only: a valid consent for this purpose

    def to_dict(self) -> dict[str, Any]:
        """The non-empty criteria as plain JSON (what a segment stores)."""
        result: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if value in ("", (), None):
                continue
            result[item.name] = list(value) if isinstance(value, tuple) else value
        return result

    @property
    def is_empty(self) -> bool:
        return not self.to_dict()

    def to_query(self) -> str:
        """The criteria as a page's query string (lists as repeated keys): ``criteria_from_query`` reads it."""
        pairs: list[tuple[str, str]] = []
        for name, value in self.to_dict().items():
            for item in value if isinstance(value, list) else [value]:
                pairs.append((name, str(item)))
        return urlencode(pairs)


def _as_list(value: Any) -> list[Any]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, Mapping):
        return [value]  # not a list: refused by the caller
    if isinstance(value, Iterable):
        items = [part.strip() if isinstance(part, str) else part for part in value]
        return [part for part in items if part not in ("", None)]
    return [value]


def parse_criteria(data: Mapping[str, Any], *, allow_unknown: bool = False) -> Criteria:
    """Read criteria from a dict; comma-separated strings count as lists.

    Raises ``CriteriaError`` naming every bad field. ``allow_unknown`` ignores keys that are no
    criteria (a page's query string also carries ``page`` or ``sort``).
    """
    errors: dict[str, str] = {}
    known = {item.name for item in fields(Criteria)}
    if not allow_unknown:
        for key in sorted(set(data) - known):
            errors[key] = _("Unknown criterion.")
    values: dict[str, Any] = {}
    q = data.get("q") or ""
    if not isinstance(q, str):
        errors["q"] = _("Enter text.")
    else:
        values["q"] = q.replace("\x00", "").strip()[:200].strip()
    for name in LIST_FIELDS:
        items = _as_list(data.get(name))
        if any(not isinstance(item, str) for item in items):
            errors[name] = _("Give a list of texts.")
            continue
        if any("\x00" in item for item in items):
            errors[name] = _("The value contains a character that cannot be stored.")
            continue
        items = list(dict.fromkeys(items))
        allowed = CHOICES.get(name)
        if allowed:
            bad = [item for item in items if item not in allowed]
            if bad:
                errors[name] = _("Unknown value(s): %(values)s. Allowed: %(allowed)s.") % {
                    "values": ", ".join(bad),
                    "allowed": ", ".join(allowed),
                }
                continue
        values[name] = tuple(items)
    for name in DAY_FIELDS:
        raw = data.get(name)
        if isinstance(raw, str):
            raw = raw.strip()
        if raw in (None, ""):
            continue
        try:
            if isinstance(raw, bool | float) or (isinstance(raw, str) and not raw.isascii()):
                raise TypeError
            if isinstance(raw, str) and not raw.isdigit():
                raise ValueError
            number = int(raw)
        except (TypeError, ValueError):
            errors[name] = _("Enter a whole number of days.")
            continue
        if not 0 <= number <= MAX_DAYS:
            errors[name] = _("Enter a whole number of days between 0 and %(max)s.") % {"max": MAX_DAYS}
            continue
        values[name] = number
    consent = data.get("consent") or ""
    if isinstance(consent, str):
        consent = consent.strip()
    if consent and (not isinstance(consent, str) or consent not in PURPOSES):
        errors["consent"] = _("Unknown purpose “%(value)s”. Allowed: %(allowed)s.") % {
            "value": consent,
            "allowed": ", ".join(PURPOSES),
        }
    else:
        values["consent"] = consent
    if errors:
        raise CriteriaError(errors)
    return Criteria(**values)


def criteria_from_query(query: Any) -> Criteria:
    """From a page's query parameters (a QueryDict: repeated keys or comma lists)."""
    data: dict[str, Any] = {}
    for name in LIST_FIELDS:
        items: list[str] = []
        for value in query.getlist(name):
            items.extend(_as_list(value))
        if items:
            data[name] = items
    for name in ("q", "consent", *DAY_FIELDS):
        if query.get(name):
            data[name] = query.get(name)
    return parse_criteria(data)
