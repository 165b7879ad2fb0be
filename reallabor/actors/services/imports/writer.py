"""The writer's state and helpers shared by ``write_organisations`` and ``write_people``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from reallabor.actors.services.imports.sql import created_json
from reallabor.history.diff import diff_states

Progress = Callable[[str, int, int], None]
"""Called as progress(stage, done, total); stages "check" and "write"."""

ORGANISATION_FILL = (
    "sub_kind", "sector_id", "trade_id", "headcount_band", "founding_year", "street", "postcode",
    "city", "district", "quarter", "email", "phone", "website", "alliance_status", "alliance_since",
)  # fmt: skip
PERSON_FILL = ("salutation", "first_name", "function", "email", "phone", "mobile")
RESULT_KEYS = (
    "created_organisations", "merged_organisations", "skipped_organisations", "created_people", "merged_people",
    "skipped_people", "affiliations", "consents", "tags", "lab_roles",
)  # fmt: skip


def acting(user: Any) -> Any:
    """The user to record as the author (None for the system: the CLI, an anonymous caller)."""
    return user if getattr(user, "is_authenticated", False) else None


def empty(value: Any) -> bool:
    return value is None or value == ""


class Attributes:
    """A row (attribute name → value) read as attributes, plus related objects by name: what the
    services' ``*_state`` functions read from a model instance, without making one."""

    __slots__ = ("_related", "_row")

    def __init__(self, row: Mapping[str, Any], related: Mapping[str, Any] | None = None) -> None:
        self._row = row
        self._related = related or {}

    def __getattr__(self, name: str) -> Any:
        if name in self._row:
            return self._row[name]
        if name in self._related:
            return self._related[name]
        raise AttributeError(name)


@dataclass
class Writer:
    user: Any
    decisions: Mapping[str, str]
    progress: Progress | None
    now: dt.datetime = field(default_factory=timezone.now)
    result: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RESULT_KEYS, 0))
    organisation_ids: dict[int, int] = field(default_factory=dict)  # plan index → organisation id
    organisation_slugs: dict[int, str] = field(default_factory=dict)  # organisation id → slug
    organisation_names: dict[int, str] = field(default_factory=dict)  # organisation id → name
    labs_touched: set[int] = field(default_factory=set)
    done: int = 0
    total: int = 0

    def tick(self, count: int) -> None:
        self.done += count
        if self.progress:
            self.progress("write", self.done, self.total)

    @property
    def acting(self) -> Any:
        return acting(self.user)

    @property
    def acting_id(self) -> int | None:
        author = self.acting
        return author.pk if author is not None else None

    def version(
        self,
        content_type: ContentType,
        pk: int,
        text: str,
        action: str,
        before: dict[str, Any] | None,
        after: dict[str, Any],
        revision: int,
        comment: str,
    ) -> dict[str, Any]:
        """A row of ``history.Version`` as ``record_version`` would store it (``text``: ``str(obj)``)."""
        data: Any = after
        changes: Any
        if before is None:  # diff_states(None, after), encoded with the state itself
            data, changes = created_json(after)
        else:
            changes = diff_states(before, after)
        return {
            "content_type_id": content_type.pk,
            "object_id": pk,
            "object_repr": text[:300],
            "revision": revision,
            "action": action,
            "user_id": self.acting_id,
            "created_at": self.now,
            "data": data,
            "changes": changes,
            "comment": comment,
        }
