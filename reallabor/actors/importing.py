"""Importing actors from a spreadsheet: column mapping, row validation, duplicates (pure: no ORM).

A file holds organisations and people: each row may name an organisation, a person, or a
person at an organisation. ``actors.services.imports`` reads the file (``actors.spreadsheets``),
loads what the rules need from the database as plain data (``Vocabularies``, ``ExistingIndex``),
and calls these functions:

1. ``suggest_mapping(headers)``: column → target field, from German and English header names;
   ``check_mapping`` names what is wrong with a mapping (unknown column or target, a target
   twice, neither an organisation name nor a person's last name).
2. ``build_plan(table, mapping, vocabularies)``: every row checked (e-mail, postcode, known
   vocabulary values, years, dates, formula cells, duplicates within the file); the errors name
   row and column. Rows naming the same organisation (same name and postcode) become one
   organisation with several people.
3. ``match_organisations`` and ``match_people``: duplicates of existing records (same name and
   postcode, same e-mail, same web domain; people: same e-mail, same name at the same
   organisation).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cached_property, lru_cache
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reallabor.actors.exports import is_formula_like as is_formula_like  # the one definition, shared
from reallabor.actors.spreadsheets import Table
from reallabor.organisations.keys import name_key, web_domain

# Formula cells -------------------------------------------------------------------------------------

# Plain values --------------------------------------------------------------------------------------

_NUMBER = re.compile(r"^[+-]?\d[\d.,]*$")
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def parse_number(text: str) -> Decimal | None:
    """A number as Germans (and others) write it: “12,5”, “1.234”, “1.234,5”, “12.5”, “-3”.

    A single comma is a decimal comma; dots followed by groups of three digits are thousands
    separators; None for anything else.
    """
    text = text.strip().replace("\u00a0", "").replace("\u202f", "")
    if not _NUMBER.match(text):
        return None
    sign = "-" if text[0] == "-" else ""
    digits = text[1:] if text[0] in "+-" else text
    if "," in digits and "." in digits:
        decimal_mark = "," if digits.rindex(",") > digits.rindex(".") else "."
        thousands = "." if decimal_mark == "," else ","
        integer, _sep, fraction = digits.rpartition(decimal_mark)
        if not re.fullmatch(rf"\d{{1,3}}(\{thousands}\d{{3}})*", integer) or not fraction.isdigit():
            return None
        digits = integer.replace(thousands, "") + "." + fraction
    elif "," in digits:
        if digits.count(",") > 1:
            if not re.fullmatch(r"\d{1,3}(,\d{3})+", digits):
                return None
            digits = digits.replace(",", "")
        else:
            integer, _sep, fraction = digits.partition(",")
            if not integer or not fraction:
                return None
            digits = f"{integer}.{fraction}"
    elif "." in digits:
        if re.fullmatch(r"\d{1,3}(\.\d{3})+", digits):
            digits = digits.replace(".", "")
        elif digits.count(".") > 1 or digits.endswith("."):
            return None
    try:
        return Decimal(sign + digits)
    except InvalidOperation:
        return None


def parse_date(text: str) -> dt.date:
    """dd.mm.yyyy (also d.m.yyyy) or ISO (yyyy-mm-dd, also with a time); ValueError otherwise."""
    text = text.strip()
    match = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", text)
    if match:
        return dt.date(int(match[3]), int(match[2]), int(match[1]))
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?", text)
    if match:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    raise ValueError(text)


_NOT_ASCII_ALNUM = re.compile(r"[^0-9a-z]+")


@lru_cache(maxsize=100_000)
def lookup_key(text: str) -> str:
    """Case, accents, umlaut spelling, spaces and punctuation do not matter: “Aus- und
    Weiterbildung”, “aus und weiterbildung” and “AUS-UND-WEITERBILDUNG” are one key."""
    if text.isascii():
        return _NOT_ASCII_ALNUM.sub("", text.lower())
    text = unicodedata.normalize("NFKC", text).casefold().translate(_FOLD)
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if ch.isalnum() and not unicodedata.combining(ch))


def split_list(text: str) -> list[str]:
    """“Fachkräfte, Digitalisierung; Sichtbarkeit” → three items (commas, semicolons, line breaks, |)."""
    return [item.strip() for item in re.split(r"[,;|\n\r]+", text) if item.strip()]


YES = frozenset({"ja", "j", "yes", "y", "x", "1", "true", "wahr", "✓", "✔", "ok"})
NO = frozenset({"nein", "n", "no", "0", "false", "falsch", "-", "–"})


# Targets -------------------------------------------------------------------------------------------

PURPOSES: dict[str, Promise] = {
    "newsletter": gettext_lazy("Consent: newsletter"),
    "event_follow_up": gettext_lazy("Consent: event follow-up"),
    "matching": gettext_lazy("Consent: matching with offers"),
    "benchmarking": gettext_lazy("Consent: benchmarking"),
    "photos": gettext_lazy("Consent: photos"),
}

TARGETS: dict[str, Promise] = {
    "organisation.name": gettext_lazy("Organisation: name"),
    "organisation.kind": gettext_lazy("Organisation: kind"),
    "organisation.sub_kind": gettext_lazy("Organisation: sub-kind"),
    "organisation.sector": gettext_lazy("Organisation: sector (WZ 2008)"),
    "organisation.trade": gettext_lazy("Organisation: trade"),
    "organisation.headcount_band": gettext_lazy("Organisation: employees"),
    "organisation.founding_year": gettext_lazy("Organisation: founding year"),
    "organisation.street": gettext_lazy("Organisation: street and number"),
    "organisation.postcode": gettext_lazy("Organisation: postcode"),
    "organisation.city": gettext_lazy("Organisation: city"),
    "organisation.district": gettext_lazy("Organisation: district"),
    "organisation.quarter": gettext_lazy("Organisation: quarter"),
    "organisation.email": gettext_lazy("Organisation: e-mail"),
    "organisation.phone": gettext_lazy("Organisation: phone"),
    "organisation.website": gettext_lazy("Organisation: website"),
    "organisation.alliance_status": gettext_lazy("Organisation: Wirtschaftsallianz"),
    "organisation.alliance_since": gettext_lazy("Organisation: Wirtschaftsallianz since"),
    "organisation.needs": gettext_lazy("Organisation: needs"),
    "organisation.motivations": gettext_lazy("Organisation: motivations"),
    "organisation.labs": gettext_lazy("Organisation: labs"),
    "person.salutation": gettext_lazy("Person: salutation"),
    "person.name": gettext_lazy("Person: full name"),
    "person.first_name": gettext_lazy("Person: first name"),
    "person.last_name": gettext_lazy("Person: last name"),
    "person.function": gettext_lazy("Person: function"),
    "person.email": gettext_lazy("Person: e-mail"),
    "person.phone": gettext_lazy("Person: phone"),
    "person.mobile": gettext_lazy("Person: mobile"),
    **{f"consent.{purpose}": label for purpose, label in PURPOSES.items()},
}
REQUIRED_ANY = ("organisation.name", "person.last_name", "person.name")
VALUE_KEYS = {"sector": "sector_id", "trade": "trade_id"}

# Model fields the targets fill (the rest are lists or need work: sector, trade, needs …).
TEXT_TARGETS = {
    "organisation.name": "name",
    "organisation.street": "street",
    "organisation.city": "city",
    "organisation.district": "district",
    "organisation.quarter": "quarter",
    "organisation.phone": "phone",
    "person.salutation": "salutation",
    "person.first_name": "first_name",
    "person.last_name": "last_name",
    "person.function": "function",
    "person.phone": "phone",
    "person.mobile": "mobile",
}

# Header names, as lookup keys (see ``lookup_key``) -------------------------------------------------

SYNONYMS: dict[str, tuple[str, ...]] = {
    "organisation.name": (
        "firma", "firmenname", "firmierung", "unternehmen", "unternehmensname", "organisation",
        "organisationsname", "organisationname", "organization", "organizationname", "company",
        "companyname", "betrieb", "betriebsname", "einrichtung", "institution", "arbeitgeber",
        "akteur", "name1", "firmaname",
    ),
    "organisation.kind": ("art", "typ", "kind", "type", "organisationsart", "akteursart", "akteurstyp", "organisationstyp"),
    "organisation.sub_kind": ("unterart", "subkind", "untertyp", "subtype", "teilart"),
    "organisation.sector": (
        "branche", "wz", "wzcode", "wz2008", "wirtschaftszweig", "sector", "industry", "wzabteilung",
        "branchewz", "sektor",
    ),
    "organisation.trade": ("gewerk", "handwerk", "trade", "handwerksgewerk", "gewerke", "craft"),
    "organisation.headcount_band": (
        "mitarbeiter", "mitarbeitende", "mitarbeiterzahl", "anzahlmitarbeiter", "beschaeftigte",
        "beschaeftigtenzahl", "anzahlbeschaeftigte", "employees", "headcount", "groesse",
        "groessenklasse", "size", "mitarbeiteranzahl", "numberofemployees", "ma",
    ),
    "organisation.founding_year": (
        "gruendungsjahr", "gegruendet", "gruendung", "founded", "foundingyear", "yearfounded",
        "gruendungsdatum",
    ),
    "organisation.street": (
        "strasse", "str", "strassehausnummer", "strasseundhausnummer", "strassenr", "strassenummer",
        "adresse", "anschrift", "street", "address", "streetaddress", "strasseundnummer",
    ),
    "organisation.postcode": ("plz", "postleitzahl", "postcode", "zip", "zipcode", "postalcode"),
    "organisation.city": ("ort", "stadt", "city", "town", "gemeinde", "wohnort"),
    "organisation.district": ("stadtteil", "stadtbezirk", "bezirk", "district"),
    "organisation.quarter": ("quartier", "viertel", "quarter", "ortsteil", "wohnviertel"),
    "organisation.email": (
        "firmenemail", "emailfirma", "emailunternehmen", "unternehmensemail", "organisationemail",
        "companyemail", "emailorganisation", "emailbetrieb", "allgemeineemail",
    ),
    "organisation.phone": (
        "firmentelefon", "telefonfirma", "telefonunternehmen", "companyphone", "telefonzentrale",
        "zentrale", "organisationphone",
    ),
    "organisation.website": (
        "website", "webseite", "homepage", "internet", "internetseite", "internetadresse", "url",
        "web", "www",
    ),
    "organisation.alliance_status": (
        "wirtschaftsallianz", "allianz", "allianzstatus", "alliancestatus", "wirtschaftsallianzstatus",
        "mitgliedwirtschaftsallianz",
    ),
    "organisation.alliance_since": (
        "allianzseit", "wirtschaftsallianzseit", "mitgliedseit", "alliancesince", "membersince",
        "mitgliedwirtschaftsallianzseit",
    ),
    "organisation.needs": ("bedarfe", "bedarf", "needs", "beduerfnisse", "need"),
    "organisation.motivations": ("motivation", "motivationen", "motivations", "motive"),
    "organisation.labs": ("reallabor", "reallabore", "labor", "labore", "labs", "lab"),
    "person.salutation": ("anrede", "salutation", "briefanrede"),
    "person.name": (
        "ansprechpartner", "ansprechpartnerin", "ansprechperson", "kontaktperson", "kontakt",
        "contact", "contactperson", "contactname", "fullname", "vollername", "person",
    ),
    "person.first_name": ("vorname", "firstname", "givenname", "rufname"),
    "person.last_name": ("nachname", "familienname", "lastname", "surname", "familyname", "zuname"),
    "person.function": ("funktion", "position", "rolle", "function", "jobtitle", "role", "stellung", "taetigkeit", "titel"),
    "person.email": (
        "emailansprechpartner", "emailkontakt", "kontaktemail", "personemail", "contactemail",
        "emailperson", "emailansprechperson", "persoenlicheemail",
    ),
    "person.phone": (
        "telefonansprechpartner", "durchwahl", "contactphone", "telefonkontakt", "kontakttelefon",
        "personphone", "telefonperson",
    ),
    "person.mobile": ("mobil", "handy", "mobilnummer", "mobile", "mobilephone", "cell", "handynummer", "mobiltelefon"),
    "consent.newsletter": ("newsletter", "einwilligungnewsletter", "newslettereinwilligung", "consentnewsletter", "newsletterabo"),
    "consent.event_follow_up": (
        "einwilligungveranstaltung", "veranstaltungsnachbereitung", "eventfollowup",
        "consenteventfollowup", "einwilligungveranstaltungsnachbereitung",
    ),
    "consent.matching": ("einwilligungmatching", "matching", "consentmatching", "einwilligungangebote"),
    "consent.benchmarking": ("einwilligungbenchmarking", "benchmarking", "consentbenchmarking"),
    "consent.photos": ("fotos", "fotoeinwilligung", "einwilligungfotos", "photos", "consentphotos", "bildrechte"),
}  # fmt: skip
_EMAIL_WORDS = ("email", "mail", "emailadresse", "mailadresse", "emailaddress")
_PHONE_WORDS = ("telefon", "tel", "telefonnummer", "phone", "telephone", "fon", "rufnummer")


def target_label(target: str) -> str:
    return str(TARGETS.get(target, target))


def _header_lookup() -> dict[str, str]:
    found: dict[str, str] = {}
    for target, words in SYNONYMS.items():
        for word in words:
            found.setdefault(word, target)
    for target, label in TARGETS.items():
        found.setdefault(lookup_key(target), target)
        found.setdefault(lookup_key(str(label)), target)
    return found


def suggest_mapping(headers: Sequence[str]) -> dict[str, str]:
    """Column → target for the headers we recognise (German and English names).

    “Name” is the organisation's name, or the person's last name where another column already
    names the organisation; a plain “E-Mail” or “Telefon” belongs to the person when the file
    names people, else to the organisation.
    """
    lookup = _header_lookup()
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    pending: list[tuple[str, str]] = []
    for header in headers:
        key = lookup_key(header)
        target = lookup.get(key)
        if target is None:
            target = _compound(key)
        if target and target not in taken:
            mapping[header] = target
            taken.add(target)
        elif key in ("name", "name2", *_EMAIL_WORDS, *_PHONE_WORDS):
            pending.append((header, key))
    names_people = bool(taken & {"person.first_name", "person.last_name", "person.name"})
    for header, key in pending:
        candidates: tuple[str, ...]
        if key in ("name", "name2"):
            candidates = ("organisation.name", "person.last_name")
        elif key in _EMAIL_WORDS:
            candidates = ("person.email", "organisation.email") if names_people else ("organisation.email",)
        else:
            candidates = ("person.phone", "organisation.phone") if names_people else ("organisation.phone",)
        for candidate in candidates:
            if candidate not in taken:
                mapping[header] = candidate
                taken.add(candidate)
                break
    # A full-name column is not needed where first and last names have columns of their own.
    if "person.last_name" in taken and "person.name" in taken:
        for header, target in list(mapping.items()):
            if target == "person.name" and lookup_key(header) != "personname":
                del mapping[header]
    return mapping


def _compound(key: str) -> str | None:
    """Headers such as “E-Mail Ansprechpartner” or “Telefon (Firma)” that combine two words."""
    person = any(word in key for word in ("ansprechpartner", "kontakt", "contact", "person"))
    company = any(word in key for word in ("firma", "unternehmen", "organisation", "company", "betrieb"))
    if "mail" in key:
        return "person.email" if person else "organisation.email" if company else None
    if any(word in key for word in ("mobil", "handy")):
        return "person.mobile"
    if any(word in key for word in ("telefon", "phone")):
        return "person.phone" if person else "organisation.phone" if company else None
    if key.startswith("einwilligung") or key.startswith("consent"):
        for purpose in PURPOSES:
            if lookup_key(purpose) in key:
                return f"consent.{purpose}"
    return None


def check_mapping(headers: Sequence[str], mapping: Mapping[str, str]) -> list[str]:
    """What is wrong with a mapping (empty list: nothing)."""
    problems: list[str] = []
    known = set(headers)
    used: dict[str, str] = {}
    for header, target in mapping.items():
        if not target:
            continue
        if header not in known:
            problems.append(_("The file has no column “%(column)s”.") % {"column": header})
            continue
        if target not in TARGETS:
            problems.append(
                _("Column “%(column)s”: “%(target)s” is not a field that can be imported.")
                % {"column": header, "target": target}
            )
            continue
        if target in used:
            problems.append(
                _("The columns “%(first)s” and “%(second)s” both go to “%(target)s”; choose one.")
                % {"first": used[target], "second": header, "target": target_label(target)}
            )
            continue
        used[target] = header
    if not problems and not any(target in used for target in REQUIRED_ANY):
        problems.append(
            _(
                "No column gives the organisation's name (“%(organisation)s”) or the person's last name "
                "(“%(person)s”); map one of them."
            )
            % {
                "organisation": target_label("organisation.name"),
                "person": target_label("person.last_name"),
            }
        )
    if "person.name" in used and ("person.last_name" in used or "person.first_name" in used):
        problems.append(_("Map either the full name or the first and last names of the person, not both."))
    return problems


def ignored_columns(headers: Sequence[str], mapping: Mapping[str, str]) -> list[str]:
    return [header for header in headers if not mapping.get(header)]


# What the database knows, as plain data ------------------------------------------------------------


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


# Rows ----------------------------------------------------------------------------------------------


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
    def name_key(self) -> str:
        return name_key(self.values["name"]) or lookup_key(self.values["name"])

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

    @property
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


_POSTCODE = re.compile(r"^\d{5}$")
_url_validator = URLValidator(schemes=["http", "https"])


class _Row:
    """One row's cells by target, collecting errors under the row number and the column."""

    def __init__(self, number: int, headers: Mapping[str, str], errors: list[CellError]) -> None:
        self.number = number
        self.headers = headers  # target → column, for every mapped column
        self.cells: dict[str, tuple[str, str]] = {}  # target → (column, stripped text) of filled cells
        self.errors = errors
        self.failed = False

    def text(self, target: str) -> str:
        return self.cells.get(target, ("", ""))[1]

    def column(self, target: str) -> str:
        return self.headers.get(target, "")

    def error(self, target: str, message: str) -> None:
        self.errors.append(CellError(self.number, self.column(target), message))
        self.failed = True

    def row_error(self, message: str) -> None:
        self.errors.append(CellError(self.number, "", message))
        self.failed = True


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def build_plan(table: Table, mapping: Mapping[str, str], vocabularies: Vocabularies) -> Plan:
    """Check every row of ``table`` and gather what would be written.

    The mapping must have passed ``check_mapping``. Errors name the row and the column.
    """
    plan = Plan(rows=len(table.rows))
    columns = [
        (index, header, mapping[header]) for index, header in enumerate(table.headers) if mapping.get(header)
    ]
    headers = {target: header for _index, header, target in columns}
    by_group: dict[tuple[str, str], int] = {}
    org_by_email: dict[str, int] = {}
    org_by_domain: dict[str, int] = {}
    person_by_email: dict[str, int] = {}
    person_by_name: dict[tuple[int, str, str], int] = {}
    for number, cells in table.rows:
        row = _Row(number, headers, plan.errors)
        for index, header, target in columns:
            text = cells[index].strip()
            if not text:
                continue
            if is_formula_like(text):
                row.cells[target] = (header, "")
                row.error(
                    target,
                    _(
                        "“%(value)s” is a spreadsheet formula; formulas are not imported. Enter the value as text."
                    )
                    % {"value": _short(text)},
                )
                continue
            row.cells[target] = (header, text)
        if not any(text for _column, text in row.cells.values()):
            if not row.failed:
                row.row_error(_("The row names neither an organisation nor a person."))
            continue
        organisation = _clean_organisation(row, vocabularies)
        person = _clean_person(row, vocabularies)
        if organisation is None and person is None and not row.failed:
            if any(target.startswith("organisation.") for target in row.cells):
                row.row_error(_("The organisation's name is missing."))
            else:
                row.row_error(_("The row names neither an organisation nor a person."))
        if row.failed:
            continue
        org_index: int | None = None
        if organisation is not None:
            org_index = _add_organisation(
                plan, row, organisation, by_group, org_by_email, org_by_domain, person
            )
            if row.failed:
                continue
        if person is not None:
            person.organisation = org_index
            _add_person(plan, row, person, person_by_email, person_by_name)
    return plan


def _check_length(row: _Row, target: str, value: str, vocabularies: Vocabularies) -> bool:
    limit = vocabularies.max_lengths.get(target)
    if limit and len(value) > limit:
        row.error(
            target,
            _("The text has %(length)s characters; at most %(limit)s are possible.")
            % {"length": len(value), "limit": limit},
        )
        return False
    return True


def _unknown(target: str, value: str) -> str:
    """The message for a value the vocabulary of ``target`` does not know (one sentence each)."""
    messages = {
        "organisation.kind": _("Unknown kind “%(value)s”."),
        "organisation.sub_kind": _("Unknown sub-kind “%(value)s”."),
        "organisation.trade": _("Unknown trade “%(value)s”."),
        "organisation.needs": _("Unknown need “%(value)s”."),
        "organisation.motivations": _("Unknown motivation “%(value)s”."),
        "organisation.labs": _("Unknown lab “%(value)s”."),
    }
    return messages[target] % {"value": _short(value)}


def _known(row: _Row, target: str, lookup: Mapping[str, Any]) -> Any:
    value = row.text(target)
    found = lookup.get(lookup_key(value))
    if found is None:
        row.error(target, _unknown(target, value))
    return found


def _clean_organisation(row: _Row, vocabularies: Vocabularies) -> OrganisationRecord | None:
    present = [target for target in row.cells if target.startswith("organisation.")]
    if not present:
        return None
    name = row.text("organisation.name")
    if not name:
        if not row.failed:
            row.row_error(
                _("The row has data of an organisation but no name (column “%(column)s”).")
                % {"column": row.column(present[0])}
            )
        return None
    values: dict[str, Any] = {}
    columns: dict[str, str] = {}
    for target, (column, text) in row.cells.items():
        if target.startswith("organisation.") and text:
            name = target.removeprefix("organisation.")
            columns[VALUE_KEYS.get(name, name)] = column
    for target, model_field in TEXT_TARGETS.items():
        if target.startswith("organisation.") and row.text(target):
            value = row.text(target)
            if _check_length(row, target, value, vocabularies):
                values[model_field] = value
    record = OrganisationRecord(rows=[row.number], values=values, columns=columns)
    # Kind and sub-kind: the sub-kind tells the kind where no kind is given; default company.
    kind = _known(row, "organisation.kind", vocabularies.kinds) if row.text("organisation.kind") else None
    sub_kind = ""
    if row.text("organisation.sub_kind"):
        sub_kind = _known(row, "organisation.sub_kind", vocabularies.sub_kinds) or ""
    if kind is None and sub_kind:
        kind = next((k for k, subs in vocabularies.sub_kinds_of.items() if sub_kind in subs), None)
    kind = kind or "company"
    if sub_kind and sub_kind not in vocabularies.sub_kinds_of.get(kind, ()):
        row.error(
            "organisation.sub_kind",
            _("The sub-kind “%(sub_kind)s” does not belong to the kind “%(kind)s”.")
            % {"sub_kind": row.text("organisation.sub_kind"), "kind": row.text("organisation.kind") or kind},
        )
    values["kind"] = kind
    values["sub_kind"] = sub_kind
    if row.text("organisation.sector"):
        values["sector_id"] = _sector(row, vocabularies)
    if row.text("organisation.trade"):
        values["trade_id"] = _known(row, "organisation.trade", vocabularies.trades)
        if kind != "company":
            row.error("organisation.trade", _("Only companies (craft businesses) have a trade."))
    phone = values.get("phone", "")
    if phone and vocabularies.organisation_phone and not re.match(vocabularies.organisation_phone, phone):
        row.error("organisation.phone", _("Enter a phone number of digits, spaces and + ( ) / - only."))
    if row.text("organisation.headcount_band"):
        values["headcount_band"] = _headcount(row, vocabularies)
    if row.text("organisation.founding_year"):
        values["founding_year"] = _year(row, vocabularies)
    postcode = _postcode(row, "organisation.postcode")
    if postcode:
        values["postcode"] = postcode
    email = _email(row, "organisation.email", vocabularies)
    if email:
        values["email"] = email
    website = _website(row, vocabularies)
    if website:
        values["website"] = website
    _alliance(row, values, vocabularies)
    record.needs = _terms(row, "organisation.needs", vocabularies.needs)
    record.motivations = _terms(row, "organisation.motivations", vocabularies.motivations)
    record.labs = _labs(row, vocabularies)
    return record


def _sector(row: _Row, vocabularies: Vocabularies) -> int | None:
    text = row.text("organisation.sector")
    key = lookup_key(text)
    if key.isdigit() and len(key) == 1:
        key = f"0{key}"  # spreadsheets drop the leading zero of “01”
    found = vocabularies.sectors.get(key)
    if found is None:
        # “16.23”, “C 16”, “WZ 16.2”: the division is the first two digits.
        match = re.fullmatch(r"(?:wz)?(?:[a-u])?(\d{2})\d*", key)
        if match:
            found = vocabularies.sectors.get(match[1])
    if found is None:
        row.error(
            "organisation.sector",
            _("Unknown sector “%(value)s”: give a WZ 2008 division (two digits such as 16) or its name.")
            % {"value": _short(text)},
        )
    return found


def _headcount(row: _Row, vocabularies: Vocabularies) -> str:
    text = row.text("organisation.headcount_band")
    compact = text.replace("–", "-").replace("—", "-").replace(" ", "").casefold()
    bands = vocabularies.headcount_bands
    # A band as written (“10-19”, “10–19 Beschäftigte”, “250+”, “ab 250”, “250 und mehr”).
    closed = re.fullmatch(r"(\d+)-(\d+)\D*", compact)
    opened = re.fullmatch(r"(?:ab|>=?|über|ueber|mehrals)(\d+)\D*", compact) or re.fullmatch(
        r"(?:ab|>=?|über|ueber|mehrals)?(\d+)(?:\+|undmehr|odermehr|ormore|andmore)\D*", compact
    )
    if closed or opened:
        bounds = (int(closed[1]), int(closed[2])) if closed else (int(opened[1]), None)  # type: ignore[index]
        for band, limits in bands.items():
            if limits == bounds:
                return band
    number = None if closed or opened else parse_number(text)
    if number is not None and number == number.to_integral_value() and number >= 1:
        count = int(number)
        for band, (low, high) in vocabularies.headcount_bands.items():
            if count >= low and (high is None or count <= high):
                return band
    row.error(
        "organisation.headcount_band",
        _("“%(value)s” is not a number of employees (at least 1) nor one of the bands %(bands)s.")
        % {"value": _short(text), "bands": ", ".join(vocabularies.headcount_bands)},
    )
    return ""


def _year(row: _Row, vocabularies: Vocabularies) -> int | None:
    text = row.text("organisation.founding_year")
    number = parse_number(text)
    latest = vocabularies.today.year
    if number is None or number != number.to_integral_value() or not 1000 <= number <= latest:
        row.error(
            "organisation.founding_year",
            _("“%(value)s” is not a year between 1000 and %(latest)s.")
            % {"value": _short(text), "latest": latest},
        )
        return None
    return int(number)


def _postcode(row: _Row, target: str) -> str:
    text = row.text(target)
    if not text:
        return ""
    compact = text.replace(" ", "").removeprefix("D-").removeprefix("DE-")
    if re.fullmatch(r"\d{4}", compact):  # a leading zero lost in a number cell (01067 → 1067)
        compact = "0" + compact
    if not _POSTCODE.match(compact):
        row.error(target, _("“%(value)s” is not a German postcode of five digits.") % {"value": _short(text)})
        return ""
    return compact


def _email(row: _Row, target: str, vocabularies: Vocabularies) -> str:
    text = row.text(target)
    if not text:
        return ""
    text = text.removeprefix("mailto:")
    try:
        validate_email(text)
    except ValidationError:
        row.error(target, _("“%(value)s” is not a valid e-mail address.") % {"value": _short(text)})
        return ""
    if not _check_length(row, target, text, vocabularies):
        return ""
    return text


def _website(row: _Row, vocabularies: Vocabularies) -> str:
    text = row.text("organisation.website")
    if not text:
        return ""
    url = text if "://" in text else f"https://{text}"
    try:
        _url_validator(url)
        if not urlsplit(url).hostname:
            raise ValidationError("no host")
    except ValidationError:
        row.error(
            "organisation.website",
            _("“%(value)s” is not a web address such as www.example.org.") % {"value": _short(text)},
        )
        return ""
    if not _check_length(row, "organisation.website", url, vocabularies):
        return ""
    return url


def _date(row: _Row, target: str, text: str) -> dt.date | None:
    try:
        return parse_date(text)
    except ValueError:
        row.error(
            target,
            _("“%(value)s” is not a date; write it as 31.12.2024 or 2024-12-31.") % {"value": _short(text)},
        )
        return None


def _alliance(row: _Row, values: dict[str, Any], vocabularies: Vocabularies) -> None:
    status = row.text("organisation.alliance_status")
    since_text = row.text("organisation.alliance_since")
    if status:
        found = vocabularies.alliance.get(lookup_key(status))
        if found is None:
            row.error(
                "organisation.alliance_status",
                _("Unknown Wirtschaftsallianz status “%(value)s” (member, applied, former member or none).")
                % {"value": _short(status)},
            )
        else:
            values["alliance_status"] = found
    if since_text:
        since = _date(row, "organisation.alliance_since", since_text)
        if since is not None:
            if since > vocabularies.today:
                row.error("organisation.alliance_since", _("The date lies in the future."))
            values["alliance_since"] = since
            if not status:  # a date of joining tells the membership
                values["alliance_status"] = "member"
            elif values.get("alliance_status") not in (None, "member", "former"):
                row.error(
                    "organisation.alliance_since",
                    _("Give a date only for members and former members of the Wirtschaftsallianz."),
                )


def _terms(row: _Row, target: str, lookup: Mapping[str, int]) -> list[int]:
    text = row.text(target)
    found: list[int] = []
    for item in split_list(text):
        term = lookup.get(lookup_key(item))
        if term is None:
            row.error(target, _unknown(target, item))
        elif term not in found:
            found.append(term)
    return found


def _labs(row: _Row, vocabularies: Vocabularies) -> list[int]:
    labs = _terms(row, "organisation.labs", vocabularies.labs)
    if vocabularies.editable_labs is not None:
        for lab in labs:
            if lab not in vocabularies.editable_labs:
                row.error(
                    "organisation.labs",
                    _("You may not add organisations to the lab “%(lab)s”.")
                    % {"lab": vocabularies.lab_names.get(lab, lab)},
                )
    return labs


_SALUTATIONS = ("herr", "frau", "mr", "mrs", "ms", "divers")


def split_full_name(text: str) -> tuple[str, str, str]:
    """(salutation, first name, last name) from “Frau Dr. Anna Schreiner” or “Schreiner, Anna”."""
    salutation = ""
    words = text.split()
    if len(words) > 1 and lookup_key(words[0]) in _SALUTATIONS:
        salutation, words = words[0], words[1:]
    text = " ".join(words)
    if "," in text:
        last, _sep, first = text.partition(",")
        return salutation, first.strip(), last.strip()
    if len(words) == 1:
        return salutation, "", words[0]
    return salutation, " ".join(words[:-1]), words[-1]


def _says_no(text: str) -> bool:
    return all(word.casefold() in NO for word in re.split(r"[\s,;/]+", text) if word)


def _clean_person(row: _Row, vocabularies: Vocabularies) -> PersonRecord | None:
    # A consent column saying “no” alone does not make a person.
    present = [
        target
        for target, (_column, text) in row.cells.items()
        if text and (target.startswith("person.") or (target.startswith("consent.") and not _says_no(text)))
    ]
    if not present:
        return None
    values: dict[str, Any] = {}
    columns: dict[str, str] = {}
    for target in present:
        columns[target.removeprefix("person.")] = row.column(target)
    for target, model_field in TEXT_TARGETS.items():
        if target.startswith("person.") and row.text(target):
            value = row.text(target)
            if _check_length(row, target, value, vocabularies):
                values[model_field] = value
    if row.text("person.name"):
        salutation, first, last = split_full_name(row.text("person.name"))
        columns.update(first_name=row.column("person.name"), last_name=row.column("person.name"))
        if salutation and not values.get("salutation"):
            values["salutation"] = salutation
        for key, value in (("first_name", first), ("last_name", last)):
            limit = vocabularies.max_lengths.get(f"person.{key}")
            if limit and len(value) > limit:
                row.error("person.name", _("The name is too long."))
            values[key] = value
    if not values.get("last_name"):
        message = _("The person's last name is missing.")
        if row.column("person.last_name"):
            row.error("person.last_name", message)
        elif row.column("person.name"):
            row.error("person.name", message)
        else:
            row.row_error(message)
    email = _email(row, "person.email", vocabularies)
    if email:
        values["email"] = email
    record = PersonRecord(row=row.number, values=values, columns=columns)
    for purpose in PURPOSES:
        target = f"consent.{purpose}"
        text = row.text(target)
        if not text:
            continue
        consent = _consent(row, target, text, vocabularies)
        if consent is False:
            continue
        if purpose not in vocabularies.purposes_with_text:
            row.error(
                target,
                _(
                    "There is no consent text for “%(purpose)s” yet; the office writes one before importing consents."
                )
                % {"purpose": target_label(target)},
            )
            continue
        record.consents.append((purpose, consent if isinstance(consent, dt.date) else None))
    return record


def _consent(row: _Row, target: str, text: str, vocabularies: Vocabularies) -> dt.date | bool:
    """True (given, no date), a date (given then) or False (not given); errors for anything else."""
    words = [word for word in re.split(r"[\s,;/]+", text) if word]
    given: bool | None = None
    day: dt.date | None = None
    for word in words:
        key = word.casefold()
        if key in YES:
            given = True
        elif key in NO:
            given = False
        else:
            try:
                day = parse_date(word)
            except ValueError:
                row.error(
                    target,
                    _(
                        "“%(value)s” is not a consent: write “ja” or “x”, optionally with the date (ja 31.12.2024)."
                    )
                    % {"value": _short(text)},
                )
                return False
    if given is False:
        if day is not None:
            row.error(target, _("A date is given but the consent says “no”."))
        return False
    if day is not None:
        if day > vocabularies.today:
            row.error(target, _("A consent cannot be given in the future."))
            return False
        return day
    return True


def _add_organisation(
    plan: Plan,
    row: _Row,
    record: OrganisationRecord,
    by_group: dict[tuple[str, str], int],
    by_email: dict[str, int],
    by_domain: dict[str, int],
    person: PersonRecord | None,
) -> int | None:
    """The index of the organisation in the plan; rows naming the same one share it."""
    index = by_group.get(record.group_key)
    if index is not None:
        first = plan.organisations[index]
        if person is None:
            row.row_error(
                _("The row repeats the organisation “%(name)s” of row %(row)s.")
                % {"name": first.values["name"], "row": first.rows[0]}
            )
            return None
        for key, value in record.values.items():
            if key == "name" or (key in ("kind", "sub_kind") and key not in record.columns):
                continue  # the first row's spelling of the name wins; kinds not given are defaults
            known = first.values.get(key)
            if known in (None, "") or (key in ("kind", "sub_kind") and key not in first.columns):
                continue
            if value not in (None, "") and value != known:
                column = record.columns.get(key, "")
                message = _("Row %(row)s gives the same organisation with “%(value)s”.") % {
                    "row": first.rows[0],
                    "value": _short(str(known)),
                }
                row.errors.append(CellError(row.number, column, message))
                row.failed = True
        if row.failed:
            return None
        for key, value in record.values.items():
            if value not in (None, "") and first.values.get(key) in (None, ""):
                first.fill(key, value, record.columns.get(key, ""))
        for name in ("needs", "motivations", "labs"):
            merged = getattr(first, name)
            merged.extend(item for item in getattr(record, name) if item not in merged)
        first.rows.append(row.number)
        return index
    for key, lookup, target, what in (
        (record.email_key, by_email, "organisation.email", _("e-mail address")),
        (record.web_domain, by_domain, "organisation.website", _("website")),
    ):
        other = lookup.get(key) if key else None
        if other is not None:
            first = plan.organisations[other]
            row.error(
                target,
                _("The organisation “%(name)s” of row %(row)s has the same %(what)s.")
                % {"name": first.values["name"], "row": first.rows[0], "what": what},
            )
    if row.failed:
        return None
    index = len(plan.organisations)
    plan.organisations.append(record)
    by_group[record.group_key] = index
    if record.email_key:
        by_email[record.email_key] = index
    if record.web_domain:
        by_domain[record.web_domain] = index
    return index


def _add_person(
    plan: Plan,
    row: _Row,
    record: PersonRecord,
    by_email: dict[str, int],
    by_name: dict[tuple[int, str, str], int],
) -> None:
    email = record.email_key
    if email and email in by_email:
        first = plan.people[by_email[email]]
        row.error(
            "person.email", _("The person of row %(row)s has the same e-mail address.") % {"row": first.row}
        )
        return
    if record.organisation is not None:
        key = (record.organisation, *record.name_keys)
        if key in by_name:
            first = plan.people[by_name[key]]
            row.row_error(
                _("Row %(row)s names the same person at the same organisation.") % {"row": first.row}
            )
            return
        by_name[key] = len(plan.people)
    if email:
        by_email[email] = len(plan.people)
    plan.people.append(record)


# Duplicates of existing records --------------------------------------------------------------------

REASON_NAME_POSTCODE = "name_postcode"
REASON_EMAIL = "email"
REASON_WEB_DOMAIN = "web_domain"
REASON_NAME_AT_ORGANISATION = "name_at_organisation"
REASON_LABELS: dict[str, Promise] = {
    REASON_NAME_POSTCODE: gettext_lazy("same name and postcode"),
    REASON_EMAIL: gettext_lazy("same e-mail address"),
    REASON_WEB_DOMAIN: gettext_lazy("same website"),
    REASON_NAME_AT_ORGANISATION: gettext_lazy("same name at the same organisation"),
}


@dataclass
class ExistingIndex:
    """Existing records by their duplicate keys (only the keys the file uses), built by the service."""

    organisations_by_name: dict[tuple[str, str], int] = field(default_factory=dict)
    organisations_by_email: dict[str, int] = field(default_factory=dict)
    organisations_by_domain: dict[str, int] = field(default_factory=dict)
    people_by_email: dict[str, int] = field(default_factory=dict)
    people_by_name: dict[tuple[int, str, str], int] = field(default_factory=dict)


def organisation_keys(plan: Plan) -> tuple[set[str], set[str], set[str]]:
    """The name keys, e-mail addresses (lower case) and web domains of the file's organisations."""
    names = {record.name_key for record in plan.organisations}
    emails = {record.email_key for record in plan.organisations if record.email_key}
    domains = {record.web_domain for record in plan.organisations if record.web_domain}
    return names, emails, domains


def person_emails(plan: Plan) -> set[str]:
    return {record.email_key for record in plan.people if record.email_key}


def match_organisations(plan: Plan, index: ExistingIndex) -> None:
    """Set ``existing`` and ``reasons`` of the organisations that exist already."""
    for record in plan.organisations:
        found: dict[int, list[str]] = {}
        candidates = (
            (index.organisations_by_name.get(record.group_key), REASON_NAME_POSTCODE),
            (index.organisations_by_email.get(record.email_key) if record.email_key else None, REASON_EMAIL),
            (
                index.organisations_by_domain.get(record.web_domain) if record.web_domain else None,
                REASON_WEB_DOMAIN,
            ),
        )
        for pk, reason in candidates:
            if pk is not None:
                found.setdefault(pk, []).append(reason)
        if found:
            record.existing, record.reasons = next(iter(found.items()))


def match_people(plan: Plan, index: ExistingIndex) -> None:
    """Set ``existing`` and ``reasons`` of the people that exist already (organisations matched first)."""
    for record in plan.people:
        pk: int | None = None
        reasons: list[str] = []
        if record.email_key and record.email_key in index.people_by_email:
            pk = index.people_by_email[record.email_key]
            reasons.append(REASON_EMAIL)
        if record.organisation is not None:
            organisation = plan.organisations[record.organisation].existing
            if organisation is not None:
                other = index.people_by_name.get((organisation, *record.name_keys))
                if other is not None and (pk is None or pk == other):
                    pk = other
                    reasons.append(REASON_NAME_AT_ORGANISATION)
        record.existing, record.reasons = pk, reasons


def plan_counts(plan: Plan) -> dict[str, int]:
    return {
        "rows": plan.rows,
        "new_organisations": sum(1 for record in plan.organisations if record.existing is None),
        "duplicate_organisations": sum(1 for record in plan.organisations if record.existing is not None),
        "new_people": sum(1 for record in plan.people if record.existing is None),
        "duplicate_people": sum(1 for record in plan.people if record.existing is not None),
        "consents": sum(len(record.consents) for record in plan.people),
        "errors": len(plan.errors),
    }


def decisions_for(plan: Plan, decisions: Mapping[str, str] | None, default: str = "skip") -> dict[str, str]:
    """merge or skip for every duplicate of the plan (the given decisions, else ``default``)."""
    decisions = decisions or {}
    result: dict[str, str] = {}
    records: Iterable[OrganisationRecord | PersonRecord] = [*plan.organisations, *plan.people]
    for record in records:
        if record.existing is not None:
            choice = decisions.get(record.key, default)
            result[record.key] = choice if choice in ("merge", "skip") else default
    return result
