"""Importing actors from a spreadsheet: column mapping, row validation, duplicates (pure: no ORM).

A file holds organisations and people: each row may name an organisation, a person, or a
person at an organisation. ``actors.services.imports`` reads the file (``actors.spreadsheets``),
loads what the rules need from the database as plain data (``Vocabularies``, ``ExistingIndex``),
and calls these functions:

1. ``suggest_mapping(headers)``: column → target field, from German and English header names;
   ``check_mapping`` names what is wrong with a mapping (unknown column or target, a target
   twice, neither an organisation name nor a person's last name). (``targets``)
2. ``build_plan(table, mapping, vocabularies)``: every row checked (e-mail, postcode, known
   vocabulary values, years, dates, formula cells, duplicates within the file); the errors name
   row and column. Rows naming the same organisation (same name and postcode) become one
   organisation with several people. (``plan``, with the checks of single cells in ``cells``
   and the plain values in ``values``)
3. ``match_organisations`` and ``match_people``: duplicates of existing records (same name and
   postcode, same e-mail, same web domain; people: same e-mail, same name at the same
   organisation). (``duplicates``)

The records and the plan are in ``records``. Everything is re-exported here.
"""

from reallabor.actors.importing.cells import split_full_name
from reallabor.actors.importing.duplicates import (
    REASON_EMAIL,
    REASON_LABELS,
    REASON_NAME_AT_ORGANISATION,
    REASON_NAME_POSTCODE,
    REASON_WEB_DOMAIN,
    ExistingIndex,
    decisions_for,
    match_organisations,
    match_people,
    organisation_keys,
    person_emails,
    plan_counts,
)
from reallabor.actors.importing.plan import build_plan
from reallabor.actors.importing.records import (
    ALLIANCE_WORDS,
    KIND_WORDS,
    SUB_KIND_WORDS,
    CellError,
    OrganisationRecord,
    PersonRecord,
    Plan,
    Vocabularies,
)
from reallabor.actors.importing.targets import (
    PURPOSES,
    REQUIRED_ANY,
    SYNONYMS,
    TARGETS,
    TEXT_TARGETS,
    VALUE_KEYS,
    check_mapping,
    ignored_columns,
    suggest_mapping,
    target_label,
)
from reallabor.actors.importing.values import (
    NO,
    YES,
    is_formula_like,
    lookup_key,
    parse_date,
    parse_number,
    split_list,
)

__all__ = [
    "ALLIANCE_WORDS",
    "KIND_WORDS",
    "NO",
    "PURPOSES",
    "REASON_EMAIL",
    "REASON_LABELS",
    "REASON_NAME_AT_ORGANISATION",
    "REASON_NAME_POSTCODE",
    "REASON_WEB_DOMAIN",
    "REQUIRED_ANY",
    "SUB_KIND_WORDS",
    "SYNONYMS",
    "TARGETS",
    "TEXT_TARGETS",
    "VALUE_KEYS",
    "YES",
    "CellError",
    "ExistingIndex",
    "OrganisationRecord",
    "PersonRecord",
    "Plan",
    "Vocabularies",
    "build_plan",
    "check_mapping",
    "decisions_for",
    "ignored_columns",
    "is_formula_like",
    "lookup_key",
    "match_organisations",
    "match_people",
    "organisation_keys",
    "parse_date",
    "parse_number",
    "person_emails",
    "plan_counts",
    "split_full_name",
    "split_list",
    "suggest_mapping",
    "target_label",
]
