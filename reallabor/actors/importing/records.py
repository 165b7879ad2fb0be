"""What the rules work with: the known values (``Vocabularies``, built by the service), the
records a file would write (``OrganisationRecord``, ``PersonRecord``), their ``Plan`` and the
errors that stop it (``CellError``). Pure: no ORM."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.utils.translation import gettext as _

from reallabor.actors.importing.values import lookup_key
from reallabor.organisations.keys import name_key, web_domain


@dataclass
class Vocabularies:
    """Known values, by ``lookup_key`` of a code or name, and limits; built by the service."""

    kinds: dict[str, str] = field(default_factory=dict)
    sub_kinds: dict[str, str] = field(default_factory=dict)
    sub_kinds_of: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sectors: dict[str, int] = field(default_factory=dict)
    trades: dict[str, int] = field(default_factory=dict)
    needs: dict[str, int] = field(default_factory=dict)
    motivations: dict[str, int] = field(default_factory=dict)
    labs: dict[str, int] = field(default_factory=dict)
    lab_names: dict[int, str] = field(default_factory=dict)
    editable_labs: frozenset[int] | None = None  # None: every lab
    headcount_bands: dict[str, tuple[int, int | None]] = field(default_factory=dict)
    alliance: dict[str, str] = field(default_factory=dict)
    purposes_with_text: frozenset[str] = frozenset()
    organisation_phone: str = ""  # the pattern the organisations' services accept, if any
    max_lengths: dict[str, int] = field(default_factory=dict)
    today: dt.date = field(default_factory=dt.date.today)
    # Results of checks that depend on the text alone, by (check, text): the same values recur.
    memo: dict[tuple[str, str], Any] = field(default_factory=dict, repr=False, compare=False)


# German and English words for the choices (the service adds the codes and the labels).
KIND_WORDS = {
    "company": ("unternehmen", "firma", "betrieb", "wirtschaft", "company", "business"),
    "science": ("wissenschaft", "forschung", "science", "research"),
    "multiplier": ("multiplikator", "multiplikatoren", "intermediaer", "multiplier"),
    "politics": ("politik", "politics"),
    "civil_society": ("zivilgesellschaft", "civilsociety"),
    "administration": ("verwaltung", "stadtverwaltung", "behoerde", "administration"),
}
SUB_KIND_WORDS = {
    "university": ("hochschule", "universitaet", "fachhochschule", "university", "uni"),
    "research_institute": ("forschungsinstitut", "institut", "forschungseinrichtung", "researchinstitute"),
    "chamber": ("kammer", "chamber"),
    "association": ("verband", "association"),
    "agency": ("agentur", "agency"),
    "school": ("schule", "school"),
    "faith_community": ("glaubensgemeinschaft", "religionsgemeinschaft", "gemeinde", "kirchengemeinde", "faithcommunity"),
    "club": ("verein", "club"),
    "day_care": ("kita", "kindertagesstaette", "kindergarten", "daycare", "daycarecentre"),
}  # fmt: skip
ALLIANCE_WORDS = {
    "member": ("member", "mitglied", "ja", "yes", "x", "1", "true", "wahr", "aktiv"),
    "applicant": ("applicant", "applied", "beantragt", "bewerber", "antrag", "angefragt", "interessent"),
    "former": ("former", "ehemalig", "ehemaligesmitglied", "ausgetreten", "formermember"),
    "": ("none", "nein", "no", "kein", "keinmitglied", "notamember", "0", "false", "falsch"),
}


@dataclass
class CellError:
    row: int
    column: str  # the header; "" for the row as a whole
    message: str

    @property
    def text(self) -> str:
        if self.column:
            return _("Row %(row)s, column “%(column)s”: %(message)s") % {
                "row": self.row,
                "column": self.column,
                "message": self.message,
            }
        return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class OrganisationRecord:
    rows: list[int]
    values: dict[str, Any]  # model fields: name, kind, sector_id …
    columns: dict[str, str]  # model field → the column it came from (for messages)
    needs: list[int] = field(default_factory=list)
    motivations: list[int] = field(default_factory=list)
    labs: list[int] = field(default_factory=list)
    existing: int | None = None
    reasons: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"organisation:{self.rows[0]}"

    @cached_property
    def stored_name_key(self) -> str:
        """``organisations.keys.name_key`` of the name: what the organisation stores (``build_plan``
        gives it, computed once per name of the file)."""
        return name_key(self.values["name"])

    @cached_property
    def name_key(self) -> str:
        return self.stored_name_key or lookup_key(self.values["name"])

    @cached_property
    def group_key(self) -> tuple[str, str]:
        return (self.name_key, self.values.get("postcode", ""))

    @cached_property
    def email_key(self) -> str:
        return str(self.values.get("email", "")).lower()

    @cached_property
    def web_domain(self) -> str:
        return web_domain(self.values.get("website", ""))

    def fill(self, key: str, value: Any, column: str) -> None:
        """A value a later row gives where this record has none (the keys are computed again)."""
        self.values[key] = value
        self.columns.setdefault(key, column)
        for cached in ("email_key", "web_domain"):
            self.__dict__.pop(cached, None)


@dataclass
class PersonRecord:
    row: int
    values: dict[str, Any]
    columns: dict[str, str]
    organisation: int | None = None  # index into Plan.organisations
    consents: list[tuple[str, dt.date | None]] = field(default_factory=list)
    existing: int | None = None
    reasons: list[str] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"person:{self.row}"

    @cached_property
    def email_key(self) -> str:
        return str(self.values.get("email", "")).lower()

    @property
    def name_keys(self) -> tuple[str, str]:
        return (lookup_key(self.values.get("first_name", "")), lookup_key(self.values.get("last_name", "")))


@dataclass
class Plan:
    """What a file would write: organisations, people, and the errors that stop it."""

    rows: int = 0
    organisations: list[OrganisationRecord] = field(default_factory=list)
    people: list[PersonRecord] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)

    def error_rows(self) -> list[int]:
        return sorted({error.row for error in self.errors})
