"""Lab blueprints as plain data: the JSON format, its schema, paths and messages (no ORM here).

A blueprint is a whole lab with its measures and profiles in the versioned JSON format described
in docs/blueprints.md and the JSON Schema ``schemas/reallabor-blueprint-v1.schema.json`` (copied
to docs/blueprints/ for readers; a test keeps both identical). ``labs.services.blueprints`` reads
and writes the database; this module checks a parsed document against the schema and turns every
problem into ``(path, message)``, the path written from the root of the file, e.g.
``lab.measures[2].financing[0].amount``.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from jsonschema import Draft202012Validator
from jsonschema import ValidationError as SchemaError

FORMAT = "reallabor-blueprint"
VERSION = 1
SCHEMA_NAME = "reallabor-blueprint-v1.schema.json"
SCHEMA_PATH = Path(__file__).resolve().parent / "schemas" / SCHEMA_NAME
ROOT = "__all__"  # the path of problems with the file as a whole (as in Django's error dicts)
MAX_PROBLEMS = 100  # a broken file can have thousands; the first hundred are enough to act on

AMOUNT_PATTERN = r"^[0-9]{1,12}(\.[0-9]{1,2})?$"
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"
CODE_PATTERN = r"^[a-z0-9][a-z0-9.\-]*$"

Problem = tuple[str, str]


# The schema ---------------------------------------------------------------------------------------


@functools.cache
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return loaded


@functools.cache
def validator() -> Draft202012Validator:
    return Draft202012Validator(schema(), format_checker=Draft202012Validator.FORMAT_CHECKER)


# Paths --------------------------------------------------------------------------------------------


def format_path(parts: Iterable[str | int]) -> str:
    """``["lab", "measures", 2, "title"]`` → ``lab.measures[2].title``; no parts → the root."""
    path = ""
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path = f"{path}.{part}" if path else str(part)
    return path or ROOT


def join_path(prefix: str, path: str) -> str:
    """A service's error path (``financing[0].amount``, ``__all__``) below ``prefix``."""
    if not path or path == ROOT:
        return prefix or ROOT
    if not prefix or prefix == ROOT:
        return path
    return f"{prefix}{path}" if path.startswith("[") else f"{prefix}.{path}"


def error_lines(errors: dict[str, list[str]]) -> list[str]:
    """Every problem as one line ``path: message`` (a problem of the whole file: the message only)."""
    return [
        message if path == ROOT else f"{path}: {message}"
        for path, messages in errors.items()
        for message in messages
    ]


def _path_key(path: str) -> list[tuple[int, str, int]]:
    if path == ROOT:
        return []
    key: list[tuple[int, str, int]] = []
    for token in re.findall(r"\[(\d+)\]|([^.\[\]]+)", path):
        index, name = token
        key.append((1, "", int(index)) if index else (0, name, 0))
    return key


def in_document_order(problems: Iterable[Problem]) -> list[Problem]:
    """Problems sorted by path, indexes by number (``measures[2]`` before ``measures[10]``); stable."""
    return sorted(problems, key=lambda problem: _path_key(problem[0]))


def as_validation_error(problems: Sequence[Problem]) -> ValidationError:
    """Problems as Django's ValidationError keyed by path, at most ``MAX_PROBLEMS`` of them."""
    errors: dict[str, list[str]] = {}
    for path, message in problems[:MAX_PROBLEMS]:
        errors.setdefault(path or ROOT, []).append(message)
    if len(problems) > MAX_PROBLEMS:
        more = len(problems) - MAX_PROBLEMS
        errors.setdefault(ROOT, []).append(
            ngettext("… and %(count)s more problem.", "… and %(count)s more problems.", more)
            % {"count": more}
        )
    return ValidationError(errors)


# Reading and checking a file ------------------------------------------------------------------------


def parse(raw: bytes | str) -> Any:
    """The JSON document in ``raw``; a ValidationError that names line and column if it is not JSON."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ValidationError(
                {ROOT: [_("The file is not UTF-8 text (byte %(position)s).") % {"position": error.start + 1}]}
            ) from None
    try:
        return json.loads(raw)
    except json.JSONDecodeError as error:
        raise ValidationError(
            {
                ROOT: [
                    _("The file is not valid JSON: %(problem)s (line %(line)s, column %(column)s).")
                    % {"problem": error.msg, "line": error.lineno, "column": error.colno}
                ]
            }
        ) from None
    except RecursionError:
        raise ValidationError({ROOT: [_("The file is nested too deeply to be a blueprint.")]}) from None


def check_header(data: Any) -> list[Problem]:
    """Is this a blueprint at all, and one of a version this installation reads?"""
    if not isinstance(data, dict):
        return [(ROOT, _("A blueprint is a JSON object with the fields “format”, “version” and “lab”."))]
    if data.get("format") != FORMAT:
        return [
            (
                "format",
                _("This is not a Reallabor blueprint: “format” must be “%(format)s”.") % {"format": FORMAT},
            )
        ]
    version = data.get("version")
    if "version" not in data:
        return [("version", _("This field is required."))]
    if not isinstance(version, int) or isinstance(version, bool):
        found = _type_label(_json_type(version))
        return [
            (
                "version",
                _("Expected %(expected)s, found %(found)s.")
                % {"expected": _("a whole number"), "found": found},
            )
        ]
    if version != VERSION:
        return [
            (
                "version",
                _(
                    "Version %(version)s of the blueprint format is not supported; this installation reads version %(supported)s."
                )
                % {"version": _shown(version), "supported": VERSION},
            )
        ]
    return []


def schema_problems(data: Any) -> list[Problem]:
    """Every way in which ``data`` breaks the schema, in the order of the document."""
    problems: list[Problem] = []
    for error in validator().iter_errors(data):
        for problem in _explain(error):
            if problem not in problems:
                problems.append(problem)
    return problems


def validate_document(data: Any) -> list[Problem]:
    """The first stage of an import: the header, then the schema (the database checks come after)."""
    return check_header(data) or schema_problems(data)


def _shown(value: Any, limit: int = 60) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _type_label(name: str) -> str:
    labels = {
        "string": _("text"),
        "integer": _("a whole number"),
        "number": _("a number"),
        "object": _("an object {…}"),
        "array": _("a list […]"),
        "null": _("null"),
        "boolean": _("true/false"),
    }
    return labels.get(name, name)


def _pattern_message(pattern: str, value: Any) -> str:
    shown = _shown(value)
    if pattern == AMOUNT_PATTERN:
        return _(
            "“%(value)s” is not a valid amount; write euros with a dot and at most two decimals, e.g. “15000.00”."
        ) % {"value": shown}
    if pattern == SLUG_PATTERN:
        return _(
            "“%(value)s” is not a valid short name; use only letters, digits, hyphens and underscores."
        ) % {"value": shown}
    if pattern == CODE_PATTERN:
        return _("“%(value)s” is not a valid code; use lower-case letters, digits, dots and dashes.") % {
            "value": shown
        }
    return _("“%(value)s” does not have the expected form.") % {"value": shown}


def _explain(error: SchemaError) -> list[Problem]:
    """One schema error as problems with a path and a message people understand."""
    parts = list(error.absolute_path)
    path = format_path(parts)
    kind, expected, value = error.validator, error.validator_value, error.instance
    if kind == "required":
        return [
            (format_path([*parts, name]), _("This field is required."))
            for name in expected
            if isinstance(value, dict) and name not in value
        ]
    if kind == "additionalProperties":
        known = set(error.schema.get("properties", {})) if isinstance(error.schema, dict) else set()
        return [(format_path([*parts, name]), _("Unknown field.")) for name in value if name not in known]
    if kind == "type":
        wanted = expected if isinstance(expected, list) else [expected]
        return [
            (
                path,
                _("Expected %(expected)s, found %(found)s.")
                % {
                    "expected": _(" or ").join(_type_label(name) for name in wanted),
                    "found": _type_label(_json_type(value)),
                },
            )
        ]
    if kind == "format" and expected == "date":
        return [
            (path, _("“%(value)s” is not a valid date; write it as YYYY-MM-DD.") % {"value": _shown(value)})
        ]
    if kind == "pattern":
        return [(path, _pattern_message(expected, value))]
    if kind == "enum":
        choices = ", ".join(f"“{choice}”" for choice in expected)
        return [
            (
                path,
                _("“%(value)s” is not one of the allowed values: %(choices)s.")
                % {"value": _shown(value), "choices": choices},
            )
        ]
    if kind == "const":
        return [(path, _("This must be %(value)s.") % {"value": _shown(expected)})]
    if kind == "minimum":
        if parts and parts[-1] == "amount":
            return [(path, _("The amount must not be negative."))]
        return [(path, _("This must be at least %(limit)s.") % {"limit": expected})]
    if kind == "maximum":
        return [(path, _("This must be at most %(limit)s.") % {"limit": expected})]
    if kind == "minLength":
        return [(path, _("This field must not be empty."))]
    if kind == "maxLength":
        return [
            (
                path,
                _("At most %(limit)s characters are allowed (this has %(length)s).")
                % {"limit": expected, "length": len(value)},
            )
        ]
    return [(path, error.message)]


# Walking a document ----------------------------------------------------------------------------------


def organisation_key(ref: dict[str, Any]) -> tuple[str, str]:
    """Organisations match by name (ignoring case and surrounding spaces) and kind."""
    return (str(ref["name"]).strip().casefold(), str(ref["kind"]))


def term_key(ref: dict[str, Any]) -> tuple[str, str]:
    """Terms match by vocabulary family and code, in the family's current version."""
    return (str(ref["vocabulary"]), str(ref["code"]))


def organisation_refs(lab: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every organisation reference of a (schema-valid) lab with its path, in document order."""
    if lab.get("coordinator"):
        yield "lab.coordinator", lab["coordinator"]
    for index, row in enumerate(lab.get("organisations") or []):
        yield f"lab.organisations[{index}].organisation", row["organisation"]
    for m_index, measure in enumerate(lab.get("measures") or []):
        for index, ref in enumerate(measure.get("coordinators") or []):
            yield f"lab.measures[{m_index}].coordinators[{index}]", ref
        for index, actor in enumerate(measure.get("actors") or []):
            if actor.get("organisation"):
                yield f"lab.measures[{m_index}].actors[{index}].organisation", actor["organisation"]


def term_refs(lab: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every term reference of a (schema-valid) lab with its path, in document order."""
    for m_index, measure in enumerate(lab.get("measures") or []):
        for section in ("target_groups", "tags"):
            for index, row in enumerate(measure.get(section) or []):
                yield f"lab.measures[{m_index}].{section}[{index}].term", row["term"]


def duplicate_problems(lab: dict[str, Any]) -> list[Problem]:
    """What only the file as a whole can get wrong: two measures with one short name, an organisation twice."""
    problems: list[Problem] = []
    slugs: dict[str, int] = {}
    for index, measure in enumerate(lab.get("measures") or []):
        slug = measure.get("slug")
        if not slug:
            continue
        if slug in slugs:
            problems.append(
                (
                    f"lab.measures[{index}].slug",
                    _("The short name “%(slug)s” is already used by lab.measures[%(other)s] in this file.")
                    % {"slug": slug, "other": slugs[slug]},
                )
            )
        else:
            slugs[slug] = index
    seen: dict[tuple[str, str], int] = {}
    for index, row in enumerate(lab.get("organisations") or []):
        key = organisation_key(row["organisation"])
        if key in seen:
            problems.append(
                (
                    f"lab.organisations[{index}].organisation",
                    _("This organisation is already listed as lab.organisations[%(other)s].")
                    % {"other": seen[key]},
                )
            )
        else:
            seen[key] = index
    return problems


def duplicate_measure_indexes(problems: Iterable[Problem]) -> set[int]:
    """The measures whose short name ``duplicate_problems`` refused."""
    indexes: set[int] = set()
    for path, _message in problems:
        if path.startswith("lab.measures[") and path.endswith("].slug"):
            indexes.add(int(path[len("lab.measures[") : -len("].slug")]))
    return indexes


def covered_by(path: str, problem_paths: Iterable[str]) -> bool:
    """Whether a problem already reported at or below ``path`` explains an error at ``path``."""
    return any(
        other == path or other.startswith(f"{path}.") or other.startswith(f"{path}[")
        for other in problem_paths
    )


# Building a document -----------------------------------------------------------------------------


def normalise_amount(value: Any) -> str | None:
    """An amount as the decimal string the services take (a JSON number is accepted too)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    try:
        return str(Decimal(str(value)))
    except InvalidOperation:
        return str(value)


def organisation_ref(name: str, kind: str) -> dict[str, Any]:
    return {"name": name, "kind": kind}


def term_ref(family: str, code: str, name: str, name_en: str) -> dict[str, Any]:
    return {"vocabulary": family, "code": code, "name": name, "name_en": name_en}


def document(lab: dict[str, Any], *, exported_at: str, city: str, office: str) -> dict[str, Any]:
    """The file around a lab's plain data."""
    return {
        "$schema": SCHEMA_NAME,
        "format": FORMAT,
        "version": VERSION,
        "exported_at": exported_at,
        "source": {"city": city, "office": office},
        "lab": lab,
    }


def dumps(data: dict[str, Any]) -> str:
    """A blueprint as the file the export writes: UTF-8 JSON, indented, in the order of the format."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
