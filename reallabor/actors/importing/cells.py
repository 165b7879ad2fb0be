"""One row's cells and the checks of single values: e-mail, postcode, website, years, dates,
vocabulary values, consents (pure). Each check records its errors on the row, under the row
number and the column, and returns the clean value."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.translation import gettext as _

from reallabor.actors.importing.records import CellError, Vocabularies
from reallabor.actors.importing.values import NO, YES, lookup_key, parse_date, parse_number, short, split_list

_POSTCODE = re.compile(r"\d{5}")
_FOUR_DIGITS = re.compile(r"\d{4}")
_url_validator = URLValidator(schemes=["http", "https"])
# Addresses of this plain form are valid for ``validate_email`` too (a strict subset of what it
# accepts); every other address goes through ``validate_email`` itself.
_PLAIN_EMAIL = re.compile(
    r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
_WORDS = re.compile(r"[\s,;/]+")
_SECTOR = re.compile(r"(?:wz)?(?:[a-u])?(\d{2})\d*")
_BAND_CLOSED = re.compile(r"(\d+)-(\d+)\D*")
_BAND_FROM = re.compile(r"(?:ab|>=?|über|ueber|mehrals)(\d+)\D*")
_BAND_OR_MORE = re.compile(r"(?:ab|>=?|über|ueber|mehrals)?(\d+)(?:\+|undmehr|odermehr|ormore|andmore)\D*")
_SALUTATIONS = ("herr", "frau", "mr", "mrs", "ms", "divers")
_MISSING = object()


class Row:
    """One row's cells by target, collecting errors under the row number and the column."""

    __slots__ = ("cells", "errors", "failed", "headers", "number")

    def __init__(self, number: int, headers: Mapping[str, str], errors: list[CellError]) -> None:
        self.number = number
        self.headers = headers  # target → column, for every mapped column
        self.cells: dict[str, str] = {}  # target → stripped text of filled cells ("" for a formula)
        self.errors = errors
        self.failed = False

    def text(self, target: str) -> str:
        return self.cells.get(target, "")

    def column(self, target: str) -> str:
        return self.headers.get(target, "")

    def error(self, target: str, message: str) -> None:
        self.errors.append(CellError(self.number, self.column(target), message))
        self.failed = True

    def row_error(self, message: str) -> None:
        self.errors.append(CellError(self.number, "", message))
        self.failed = True


def check_length(row: Row, target: str, value: str, vocabularies: Vocabularies) -> bool:
    limit = vocabularies.max_lengths.get(target)
    if limit and len(value) > limit:
        row.error(
            target,
            _("The text has %(length)s characters; at most %(limit)s are possible.")
            % {"length": len(value), "limit": limit},
        )
        return False
    return True


def unknown(target: str, value: str) -> str:
    """The message for a value the vocabulary of ``target`` does not know (one sentence each)."""
    messages = {
        "organisation.kind": _("Unknown kind “%(value)s”."),
        "organisation.sub_kind": _("Unknown sub-kind “%(value)s”."),
        "organisation.trade": _("Unknown trade “%(value)s”."),
        "organisation.needs": _("Unknown need “%(value)s”."),
        "organisation.motivations": _("Unknown motivation “%(value)s”."),
        "organisation.labs": _("Unknown lab “%(value)s”."),
    }
    return messages[target] % {"value": short(value)}


def known(row: Row, target: str, lookup: Mapping[str, Any]) -> Any:
    value = row.text(target)
    found = lookup.get(lookup_key(value))
    if found is None:
        row.error(target, unknown(target, value))
    return found


def _memo(vocabularies: Vocabularies, kind: str, text: str, compute: Any) -> Any:
    """The value of ``compute(text)``, computed once per text of a file (the same values recur)."""
    key = (kind, text)
    found = vocabularies.memo.get(key, _MISSING)
    if found is _MISSING:
        found = vocabularies.memo[key] = compute(text)
    return found


def _sector_of(text: str, sectors: Mapping[str, int]) -> int | None:
    key = lookup_key(text)
    if key.isdigit() and len(key) == 1:
        key = f"0{key}"  # spreadsheets drop the leading zero of “01”
    found = sectors.get(key)
    if found is None:
        # “16.23”, “C 16”, “WZ 16.2”: the division is the first two digits.
        match = _SECTOR.fullmatch(key)
        if match:
            found = sectors.get(match[1])
    return found


def sector(row: Row, vocabularies: Vocabularies) -> int | None:
    text = row.text("organisation.sector")
    found = _memo(vocabularies, "sector", text, lambda t: _sector_of(t, vocabularies.sectors))
    if found is None:
        row.error(
            "organisation.sector",
            _("Unknown sector “%(value)s”: give a WZ 2008 division (two digits such as 16) or its name.")
            % {"value": short(text)},
        )
    return found


def _band_of(text: str, bands: Mapping[str, tuple[int, int | None]]) -> str | None:
    compact = text.replace("–", "-").replace("—", "-").replace(" ", "").casefold()
    # A band as written (“10-19”, “10–19 Beschäftigte”, “250+”, “ab 250”, “250 und mehr”).
    closed = _BAND_CLOSED.fullmatch(compact)
    opened = _BAND_FROM.fullmatch(compact) or _BAND_OR_MORE.fullmatch(compact)
    if closed or opened:
        bounds = (int(closed[1]), int(closed[2])) if closed else (int(opened[1]), None)  # type: ignore[index]
        for band, limits in bands.items():
            if limits == bounds:
                return band
    number = None if closed or opened else parse_number(text)
    if number is not None and number == number.to_integral_value() and number >= 1:
        count = int(number)
        for band, (low, high) in bands.items():
            if count >= low and (high is None or count <= high):
                return band
    return None


def headcount(row: Row, vocabularies: Vocabularies) -> str:
    text = row.text("organisation.headcount_band")
    band = _memo(vocabularies, "headcount", text, lambda t: _band_of(t, vocabularies.headcount_bands))
    if band is None:
        row.error(
            "organisation.headcount_band",
            _("“%(value)s” is not a number of employees (at least 1) nor one of the bands %(bands)s.")
            % {"value": short(text), "bands": ", ".join(vocabularies.headcount_bands)},
        )
        return ""
    return band


def year(row: Row, vocabularies: Vocabularies) -> int | None:
    text = row.text("organisation.founding_year")
    number = parse_number(text)
    latest = vocabularies.today.year
    if number is None or number != number.to_integral_value() or not 1000 <= number <= latest:
        row.error(
            "organisation.founding_year",
            _("“%(value)s” is not a year between 1000 and %(latest)s.")
            % {"value": short(text), "latest": latest},
        )
        return None
    return int(number)


def postcode(row: Row, target: str) -> str:
    text = row.text(target)
    if not text:
        return ""
    compact = text.replace(" ", "").removeprefix("D-").removeprefix("DE-")
    if _FOUR_DIGITS.fullmatch(compact):  # a leading zero lost in a number cell (01067 → 1067)
        compact = "0" + compact
    if not _POSTCODE.fullmatch(compact):
        row.error(target, _("“%(value)s” is not a German postcode of five digits.") % {"value": short(text)})
        return ""
    return compact


def email(row: Row, target: str, vocabularies: Vocabularies) -> str:
    text = row.text(target)
    if not text:
        return ""
    text = text.removeprefix("mailto:")
    if len(text) > 320 or not _PLAIN_EMAIL.fullmatch(text):
        try:
            validate_email(text)
        except ValidationError:
            # (Not quoted: an e-mail address is personal data, and the report is kept.)
            row.error(target, _("This is not a valid e-mail address."))
            return ""
    if not check_length(row, target, text, vocabularies):
        return ""
    return text


def website(row: Row, vocabularies: Vocabularies) -> str:
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
            _("“%(value)s” is not a web address such as www.example.org.") % {"value": short(text)},
        )
        return ""
    if not check_length(row, "organisation.website", url, vocabularies):
        return ""
    return url


def date(row: Row, target: str, text: str) -> dt.date | None:
    try:
        return parse_date(text)
    except ValueError:
        row.error(
            target,
            _("“%(value)s” is not a date; write it as 31.12.2024 or 2024-12-31.") % {"value": short(text)},
        )
        return None


def alliance(row: Row, values: dict[str, Any], vocabularies: Vocabularies) -> None:
    status = row.text("organisation.alliance_status")
    since_text = row.text("organisation.alliance_since")
    if status:
        found = vocabularies.alliance.get(lookup_key(status))
        if found is None:
            row.error(
                "organisation.alliance_status",
                _("Unknown Wirtschaftsallianz status “%(value)s” (member, applied, former member or none).")
                % {"value": short(status)},
            )
        else:
            values["alliance_status"] = found
    if since_text:
        since = date(row, "organisation.alliance_since", since_text)
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


def terms(row: Row, target: str, lookup: Mapping[str, int]) -> list[int]:
    text = row.text(target)
    found: list[int] = []
    if not text:
        return found
    for item in split_list(text):
        term = lookup.get(lookup_key(item))
        if term is None:
            row.error(target, unknown(target, item))
        elif term not in found:
            found.append(term)
    return found


def labs(row: Row, vocabularies: Vocabularies) -> list[int]:
    found = terms(row, "organisation.labs", vocabularies.labs)
    if vocabularies.editable_labs is not None:
        for lab in found:
            if lab not in vocabularies.editable_labs:
                row.error(
                    "organisation.labs",
                    _("You may not add organisations to the lab “%(lab)s”.")
                    % {"lab": vocabularies.lab_names.get(lab, lab)},
                )
    return found


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


def says_no(text: str) -> bool:
    return all(word.casefold() in NO for word in _WORDS.split(text) if word)


def consent(row: Row, target: str, text: str, vocabularies: Vocabularies) -> dt.date | bool:
    """True (given, no date), a date (given then) or False (not given); errors for anything else."""
    words = [word for word in _WORDS.split(text) if word]
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
                    % {"value": short(text)},
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
