"""Plain values of spreadsheet cells: numbers, dates, lists, yes/no, lookup keys (pure)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from reallabor.actors.exports import is_formula_like as is_formula_like  # the one definition, shared

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


_LIST_SEPARATORS = re.compile(r"[,;|\n\r]+")


def split_list(text: str) -> list[str]:
    """“Fachkräfte, Digitalisierung; Sichtbarkeit” → three items (commas, semicolons, line breaks, |)."""
    return [item.strip() for item in _LIST_SEPARATORS.split(text) if item.strip()]


YES = frozenset({"ja", "j", "yes", "y", "x", "1", "true", "wahr", "✓", "✔", "ok"})
NO = frozenset({"nein", "n", "no", "0", "false", "falsch", "-", "–"})


def short(text: str, limit: int = 40) -> str:
    """``text`` cut to ``limit`` characters for a message (“…” at the end when cut)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
