"""Importing offers from a CSV, Excel (.xlsx) or JSON file, all or nothing (``reallabor import-offers``).

Every row is checked first through the same rules as ``services.create_offer``/``update_offer``;
if any row has a problem nothing is written and the report names each one with its row and
column ("row 4, Förderart: “Kredit” is unknown; known: grant, loan, …"). The stable key of an
offer is its ``slug`` (column ``slug`` or ``Schlüssel``; without it the slug of the title): a row
whose key exists updates that offer, so importing the same file twice changes nothing. The
provider must be an existing organisation, named by its short name or its exact name; an unknown
one is an error naming it (add the organisation first). docs/offers.md describes the columns.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from reallabor.actors.exports import is_formula_like
from reallabor.actors.spreadsheets import SpreadsheetError, read_table
from reallabor.core.text import german_slugify as slugify
from reallabor.core.validation import error_dict
from reallabor.offers import permissions, services
from reallabor.offers.models import Offer

# Column names (lower-case, German or English) → field of the offer data.
COLUMNS: Final = {
    **{name: name for name in services.FIELDS},
    "schlüssel": "slug",
    "key": "slug",
    "anbieter": "provider",
    "art": "kind",
    "angebotsart": "kind",
    "titel": "title",
    "beschreibung": "description",
    "gefördert wird": "supported",
    "was wird gefördert": "supported",
    "berechtigt": "eligibility",
    "wer ist berechtigt": "eligibility",
    "förderart": "funding_types",
    "förderbereich": "funding_areas",
    "fördergebiet": "region_level",
    "region": "region_code",
    "gebiet": "region_code",
    "regionsname": "region_name",
    "größenklassen": "headcount_bands",
    "beschäftigte": "headcount_bands",
    "branchen": "sectors",
    "wirtschaftszweige": "sectors",
    "gewerke": "trades",
    "gründer": "founders",
    "gründende": "founders",
    "dimensionen": "dimensions",
    "bedarfe": "needs",
    "betrag von": "amount_min",
    "betrag bis": "amount_max",
    "frist": "deadline",
    "kontakt": "contact",
    "geprüft am": "verified_on",
    "zuletzt geprüft": "verified_on",
    "beispiel": "is_example",
}
FORMULA_MESSAGE: Final = _lazy(
    "This is a spreadsheet formula; formulas are not imported. Enter the value as text."
)
# German words for choice values (lower-case) → the stored value.
VALUE_WORDS: Final[dict[str, dict[str, str]]] = {
    "kind": {
        "information": "information",
        "beratung": "consulting",
        "förderung": "funding",
        "finanzierung": "funding",
        "weiterbildung": "training",
        "schulung": "training",
        "veranstaltung": "event",
    },
    "funding_types": {
        "zuschuss": "grant",
        "darlehen": "loan",
        "bürgschaft": "guarantee",
        "garantie": "guarantee",
        "beteiligung": "equity",
        "beratung": "consulting",
        "sonstige": "other",
        "sonstiges": "other",
    },
    "region_level": {"eu": "eu", "bund": "federal", "land": "state", "kreis": "district", "stadt": "city"},
    "founders": {"nur gründende": "only", "nur": "only", "auch": "also", "auch gründende": "also", "-": ""},
    "status": {"entwurf": "draft", "veröffentlicht": "published", "beendet": "retired"},
}


@dataclass
class ImportReport:
    rows: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (row, column, message)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def error_lines(self) -> list[str]:
        return [
            _("row %(row)s, %(message)s") % {"row": row, "message": message} if row else message
            for row, _column, message in self.errors
        ]


class ImportFileError(ValueError):
    """The file as a whole cannot be read (the message says why)."""


def read_rows(content: bytes, filename: str = "") -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """The file's columns and its rows (row number as the file shows it, column → value)."""
    if filename.lower().endswith(".json") or content.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"[", b"{"):
        try:
            data = json.loads(content.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ImportFileError(_("The file is not valid JSON: %(error)s") % {"error": error}) from None
        if isinstance(data, dict) and isinstance(data.get("offers"), list):
            data = data["offers"]
        if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
            raise ImportFileError(_('A JSON file holds a list of offers (objects), or {"offers": [...]}.'))
        headers: list[str] = []
        for item in data:
            headers.extend(str(key) for key in item if str(key) not in headers)
        return headers, [(index, item) for index, item in enumerate(data, start=1)]
    try:
        table = read_table(content, filename)
    except SpreadsheetError as error:
        raise ImportFileError(str(error)) from None
    return table.headers, [
        (number, dict(zip(table.headers, cells, strict=False))) for number, cells in table.rows
    ]


def map_columns(headers: list[str]) -> tuple[dict[str, str], list[str]]:
    """Column → field, and the columns that are not known."""
    mapping: dict[str, str] = {}
    unknown: list[str] = []
    for header in headers:
        target = COLUMNS.get(header.strip().lower())
        if target is None:
            unknown.append(header)
        else:
            mapping[header] = target
    return mapping, unknown


def _normalise(name: str, value: Any) -> Any:
    words = VALUE_WORDS.get(name)
    if words is None or value is None:
        return value
    if name in services.LIST_FIELDS:
        items = value if isinstance(value, list) else services.split_list(value)
        return [words.get(str(item).strip().lower(), str(item).strip()) for item in items]
    text = str(value).strip()
    return words.get(text.lower(), text)


def import_offers(
    *,
    user: Any,
    content: bytes,
    filename: str = "",
    dry_run: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Check every row, then write all of them (or, with any error or ``dry_run``, none)."""
    if not permissions.can_import_offers(user):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("Only the office's staff import offers."))
    report = ImportReport(dry_run=dry_run)
    try:
        headers, rows = read_rows(content, filename)
    except ImportFileError as error:
        report.errors.append((0, "", str(error)))
        return report
    mapping, unknown = map_columns(headers)
    for header in unknown:
        report.errors.append(
            (
                0,
                header,
                _("The column “%(column)s” is unknown; known: %(known)s")
                % {"column": header[:60], "known": services.known_list(sorted(services.FIELDS), 60)},
            )
        )
    columns_of = {target: header for header, target in mapping.items()}
    for required in ("provider", "kind", "title"):
        if required not in columns_of:
            report.errors.append(
                (0, required, _("The file has no column “%(column)s”.") % {"column": required})
            )
    if report.errors:
        return report
    report.rows = len(rows)
    vocabularies = services.vocabulary_codes()
    seen: dict[str, int] = {}
    with transaction.atomic():
        existing = Offer.objects.in_bulk(
            [_key(_row_data(values, mapping)) for _number, values in rows], field_name="slug"
        )
        for done, (number, values) in enumerate(rows, start=1):
            data = _row_data(values, mapping)
            key = _key(data)
            if not key:
                column = columns_of.get("title", "title")
                report.errors.append((number, column, f"{column}: {_('The offer has no title.')}"))
                continue
            if key in seen:
                column = columns_of.get("slug", "slug")
                message = _("“%(key)s” appears twice in the file (also in row %(row)s).") % {
                    "key": key,
                    "row": seen[key],
                }
                report.errors.append((number, column, f"{column}: {message}"))
                continue
            seen[key] = number
            formulas = _formula_cells(values, mapping)
            for column in formulas:
                report.errors.append((number, column, f"{column}: {FORMULA_MESSAGE}"))
            if formulas:
                continue
            data["slug"] = key
            try:
                with transaction.atomic():
                    if key in existing:
                        services.update_offer(
                            user=user, offer=existing[key], data=data, vocabularies=vocabularies
                        )
                        report.updated.append(key)
                    else:
                        services.create_offer(user=user, data=data, vocabularies=vocabularies)
                        report.created.append(key)
            except ValidationError as error:
                for name, messages in error_dict(error).items():
                    column = columns_of.get(name, name)
                    for message in messages:
                        report.errors.append((number, column, _with_column(column, name, message)))
            if progress is not None:
                progress(done, len(rows))
        if report.errors or dry_run:
            transaction.set_rollback(True)
    if report.errors:
        report.created, report.updated = [], []
    return report


def _formula_cells(values: dict[str, Any], mapping: dict[str, str]) -> list[str]:
    """The mapped columns whose cell a spreadsheet could take for a formula (``=``, ``+``, ``-``, ``@``;
    numbers and phone numbers are not): refused, as the actors' import does, never stored."""
    found: list[str] = []
    for header, value in values.items():
        if header not in mapping:
            continue
        items = value if isinstance(value, list) else [value]
        if any(isinstance(item, str) and is_formula_like(item.strip()) for item in items):
            found.append(header)
    return found


def _row_data(values: dict[str, Any], mapping: dict[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for header, value in values.items():
        target = mapping.get(header)
        if target is not None:
            data[target] = _normalise(target, value)
    return data


def _key(data: dict[str, Any]) -> str:
    slug = str(data.get("slug") or "").strip()
    return slug or slugify(str(data.get("title") or ""))[:110]


def _with_column(column: str, name: str, message: str) -> str:
    """The message with the file's column name in front (the services name some fields already)."""
    label = services.field_label(name) if name in services.FIELDS else name
    if message.startswith(f"{label}: "):
        message = message[len(label) + 2 :]
    return f"{column}: {message}"
