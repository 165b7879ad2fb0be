"""Tables of facts per person for counting broad segments quickly on SQLite.

A segment such as "everybody at a company with a newsletter consent" reaches a large part of the
people. Counting it through the affiliations, the organisations and the consents costs an index
lookup per person and per criterion (about a microsecond each), too slow for hundreds of thousands
of people. Two tables hold what such counts ask, for every person who is not anonymised:

- ``actors_person_facts``: one row per person: whether they can be mailed (an address that has not
  bounced) and, per consent purpose, since when and until when a consent holds (Julian days);
- ``actors_affiliation_facts``: one row per affiliation, in the order of the people: the
  organisation's columns the criteria ask for, the affiliation's first and last day, and the
  person's columns again.

A count then reads one table once, in the order of the people, with every condition on the row
(``count``).

Database triggers keep them current, as they keep the text-search index (``core.search``): every
write of a person, an affiliation, a consent or an organisation's criteria columns changes the rows
in the same transaction, whichever code wrote it (services, imports, merges, bulk updates). Dates
are stored, not evaluated: an affiliation that ends or a consent that expires drops out of a count
by itself. A consent holds from the earliest given date to the latest expiry of the person's
consents for the purpose that are not withdrawn: consents cannot be given in the future
(``services.consent``), so this is the reference's answer (``ConsentQuerySet.valid``).

PostgreSQL does not need them (its hash joins count the broad sets well) and has no such tables;
``count`` returns None there, and for criteria the tables do not cover (text, labs, needs,
motivations, last contact, a person's own district), and the callers count the usual way.

A migration that rebuilds one of the four tables with triggers on SQLite drops its triggers: add
``facts_trigger_operations(table)`` to it (a test checks that every trigger exists).
"""

# ruff: noqa: S608 - the SQL is built from this module's own names and literals; values are parameters

from __future__ import annotations

from typing import Any

from django.db import connection
from django.utils import timezone

from reallabor.actors.criteria import Criteria, CriteriaError

PEOPLE = "actors_person_facts"  # one row per person who is not anonymised
AFFILIATIONS = "actors_affiliation_facts"  # one row per affiliation of such a person
TABLES = (PEOPLE, AFFILIATIONS)
PURPOSES = ("newsletter", "event_follow_up", "matching", "benchmarking", "photos")
FOREVER = 99999999  # a day number or Julian day after every date
# The organisation's columns copied into an affiliation's row (the criteria on organisations),
# the most asked first: a row's later columns cost more to read.
ORGANISATION_COLUMNS = (
    "kind",
    "headcount_band",
    "alliance_status",
    "sub_kind",
    "district",
    "sector_id",
    "trade_id",
)
# Criteria the tables answer: on the organisation of one current affiliation, and the consent.
ORGANISATION_CRITERIA = ("kinds", "sub_kinds", "sectors", "trades", "headcount_bands", "alliance")
OTHER_CRITERIA = ("q", "needs", "motivations", "labs", "contacted_within_days", "not_contacted_for_days")

# Per purpose, as Julian days: since when and until when a consent holds.
CONSENT_COLUMNS = tuple(f"{purpose}_{end}" for purpose in PURPOSES for end in ("from", "until"))
PERSON_COLUMNS = ("addressable", *CONSENT_COLUMNS)  # copied into each affiliation's row


def _addressable(row: str) -> str:
    return f"({row}.email <> '' AND {row}.email_bounced_at IS NULL)"


def _consent_values(person: str) -> list[str]:
    """Per purpose: the earliest given date and the latest expiry of the not withdrawn consents."""
    values = []
    for purpose in PURPOSES:
        where = f"c.person_id = {person} AND c.purpose = '{purpose}' AND c.withdrawn_at IS NULL"
        values.append(f"(SELECT MIN(julianday(c.given_at)) FROM actors_consent c WHERE {where})")
        values.append(
            f"(SELECT MAX(COALESCE(julianday(c.expires_at), {FOREVER})) FROM actors_consent c WHERE {where})"
        )
    return values


def _refresh_consents(person: str) -> str:
    """Recount the person's consents into their row, and copy them into their affiliations' rows."""
    assignments = ", ".join(
        f"{column} = {value}" for column, value in zip(CONSENT_COLUMNS, _consent_values(person), strict=True)
    )
    columns = ", ".join(CONSENT_COLUMNS)
    return (
        f"UPDATE {PEOPLE} SET {assignments} WHERE person_id = {person}; "
        f"UPDATE {AFFILIATIONS} SET ({columns}) = (SELECT {columns} FROM {PEOPLE} WHERE person_id = {person}) "
        f"WHERE person_id = {person};"
    )


def _day(value: str, default: int) -> str:
    return f"COALESCE(CAST(julianday({value}) AS INTEGER), {default})"


def _insert_affiliation(row: str, source: str = "") -> str:
    """The row of the affiliation ``row`` (``new``; or each row of ``source``), with the person's
    columns from their own row (none for an anonymised person: no row then)."""
    columns = ", ".join(
        ("person_id", "affiliation_id", *ORGANISATION_COLUMNS, "start_day", "end_day", *PERSON_COLUMNS)
    )
    values = ", ".join((
        f"{row}.person_id", f"{row}.id", *(f"o.{column}" for column in ORGANISATION_COLUMNS),
        _day(f"{row}.start_date", 0), _day(f"{row}.end_date", FOREVER), *(f"s.{column}" for column in PERSON_COLUMNS),
    ))  # fmt: skip
    return (
        f"INSERT INTO {AFFILIATIONS} ({columns}) SELECT {values} "
        f"FROM {source + ', ' if source else ''}organisations_organisation o, {PEOPLE} s "
        f"WHERE o.id = {row}.organisation_id AND s.person_id = {row}.person_id"
    )


def _delete_affiliation(row: str) -> str:
    return f"DELETE FROM {AFFILIATIONS} WHERE person_id = {row}.person_id AND affiliation_id = {row}.id;"


def _forget(person: str) -> str:
    return f"DELETE FROM {PEOPLE} WHERE person_id = {person}; DELETE FROM {AFFILIATIONS} WHERE person_id = {person};"


def _trigger(name: str, event: str, table: str, body: str, when: str = "") -> str:
    condition = f" WHEN {when}" if when else ""
    return f'CREATE TRIGGER "actors_facts_{name}" AFTER {event} ON "{table}"{condition} BEGIN {body} END'


def trigger_sql() -> dict[str, str]:
    """The triggers: name → CREATE TRIGGER statement."""
    organisation_update = ", ".join(f"{column} = new.{column}" for column in ORGANISATION_COLUMNS)
    address = _addressable("new")
    return {
        "person_insert": _trigger(
            "person_insert",
            "INSERT",
            "actors_person",
            f"INSERT INTO {PEOPLE} (person_id, addressable) VALUES (new.id, {address});",
            when="new.anonymised_at IS NULL",
        ),
        "person_address": _trigger(
            "person_address",
            "UPDATE OF email, email_bounced_at",
            "actors_person",
            f"UPDATE {PEOPLE} SET addressable = {address} WHERE person_id = new.id; "
            f"UPDATE {AFFILIATIONS} SET addressable = {address} WHERE person_id = new.id;",
        ),
        "person_anonymised": _trigger(
            "person_anonymised",
            "UPDATE OF anonymised_at",
            "actors_person",
            _forget("new.id"),
            when="new.anonymised_at IS NOT NULL",
        ),
        "person_delete": _trigger("person_delete", "DELETE", "actors_person", _forget("old.id")),
        "affiliation_insert": _trigger(
            "affiliation_insert", "INSERT", "actors_affiliation", _insert_affiliation("new") + ";"
        ),
        "affiliation_update": _trigger(
            "affiliation_update",
            "UPDATE OF person_id, organisation_id, start_date, end_date",
            "actors_affiliation",
            _delete_affiliation("old") + " " + _insert_affiliation("new") + ";",
        ),
        "affiliation_delete": _trigger(
            "affiliation_delete", "DELETE", "actors_affiliation", _delete_affiliation("old")
        ),
        "consent_insert": _trigger(
            "consent_insert", "INSERT", "actors_consent", _refresh_consents("new.person_id")
        ),
        "consent_update": _trigger(
            "consent_update",
            "UPDATE",
            "actors_consent",
            _refresh_consents("old.person_id") + " " + _refresh_consents("new.person_id"),
        ),
        "consent_delete": _trigger(
            "consent_delete", "DELETE", "actors_consent", _refresh_consents("old.person_id")
        ),
        "organisation_update": _trigger(
            "organisation_update",
            "UPDATE OF " + ", ".join(ORGANISATION_COLUMNS),
            "organisations_organisation",
            f"UPDATE {AFFILIATIONS} SET {organisation_update} WHERE (person_id, affiliation_id) IN "
            "(SELECT a.person_id, a.id FROM actors_affiliation a WHERE a.organisation_id = new.id);",
        ),
    }


TRIGGER_TABLES = {
    "actors_person": ("person_insert", "person_address", "person_anonymised", "person_delete"),
    "actors_affiliation": ("affiliation_insert", "affiliation_update", "affiliation_delete"),
    "actors_consent": ("consent_insert", "consent_update", "consent_delete"),
    "organisations_organisation": ("organisation_update",),
}


def trigger_names() -> list[str]:
    return [f"actors_facts_{name}" for name in trigger_sql()]


def table_sql() -> list[str]:
    organisation_columns = ", ".join(
        f"{column} integer NULL" if column.endswith("_id") else f"{column} text NULL"
        for column in ORGANISATION_COLUMNS
    )
    person_columns = "addressable integer NOT NULL, " + ", ".join(
        f"{column} real NULL" for column in CONSENT_COLUMNS
    )
    return [
        f'CREATE TABLE "{PEOPLE}" (person_id integer NOT NULL PRIMARY KEY, {person_columns})',
        f'CREATE TABLE "{AFFILIATIONS}" (person_id integer NOT NULL, affiliation_id integer NOT NULL, '
        f"{organisation_columns}, start_day integer NOT NULL, end_day integer NOT NULL, {person_columns}, "
        "PRIMARY KEY (person_id, affiliation_id)) WITHOUT ROWID",
    ]


def fill_sql() -> list[str]:
    """Fill the (empty) tables from the people, their affiliations and consents."""
    return [
        f"INSERT INTO {PEOPLE} (person_id, {', '.join(PERSON_COLUMNS)}) "
        f"SELECT p.id, {_addressable('p')}, {', '.join(_consent_values('p.id'))} "
        "FROM actors_person p WHERE p.anonymised_at IS NULL",
        _insert_affiliation("a", source="actors_affiliation a"),
    ]


def rebuild() -> None:
    """Refill the tables from scratch (to check them, or after a restore that bypassed triggers)."""
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"DELETE FROM {table}")
        for statement in fill_sql():
            cursor.execute(statement)


def _trigger_operations(names: tuple[str, ...] | None) -> list[Any]:
    from django.db import migrations

    def forwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "sqlite":
            return
        for name, statement in trigger_sql().items():
            if names is None or name in names:
                schema_editor.execute(f'DROP TRIGGER IF EXISTS "actors_facts_{name}"')
                schema_editor.execute(statement)

    return [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False)]


def facts_operations() -> list[Any]:
    """The migration operations that create and fill the tables and their triggers (SQLite only)."""
    from django.db import migrations

    def forwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "sqlite":
            return
        for statement in [*table_sql(), *fill_sql()]:
            schema_editor.execute(statement)

    def backwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "sqlite":
            return
        for name in trigger_names():
            schema_editor.execute(f'DROP TRIGGER IF EXISTS "{name}"')
        for table in TABLES:
            schema_editor.execute(f'DROP TABLE IF EXISTS "{table}"')

    return [migrations.RunPython(forwards, backwards, elidable=False), *_trigger_operations(None)]


def facts_trigger_operations(table: str | None = None) -> list[Any]:
    """The operations that restore the triggers (of ``table``, or all) after a migration rebuilt a
    table on SQLite."""
    return _trigger_operations(TRIGGER_TABLES[table] if table else None)


# --- counting ------------------------------------------------------------------------------------------


def covers(subject: str, criteria: Criteria) -> bool:
    """Whether the tables answer these criteria: some criterion on organisations or the consent,
    nothing it does not hold (and a district only on organisations: a person's own district is not
    in it)."""
    if connection.vendor != "sqlite":
        return False
    if any(getattr(criteria, name) for name in OTHER_CRITERIA):
        return False
    if criteria.districts and subject != "organisations":
        return False
    return bool(
        criteria.consent
        or criteria.districts
        or any(getattr(criteria, name) for name in ORGANISATION_CRITERIA)
    )


def count(subject: str, criteria: Criteria, purpose: str) -> tuple[int, int] | None:
    """(people, reachable) for the criteria, as ``services.segments.count_criteria`` counts them,
    in one pass over one table; None when the table does not cover them (``covers``).

    People: for a people segment those meeting the criteria, for an organisation segment those
    currently at one of its organisations; with a consent criterion only those with a valid
    consent. Reachable: of them, those with an e-mail address that has not bounced and a valid
    consent for ``purpose``. ``CriteriaError`` for codes that do not exist.
    """
    if not covers(subject, criteria):
        return None
    from reallabor.actors import filters
    from reallabor.taxonomy.models import SECTOR_FAMILY, TRADES_FAMILY

    errors: dict[str, str] = {}
    conditions: list[str] = []
    params: list[Any] = []

    def one_of(column: str, values: list[Any]) -> None:
        conditions.append(f"{column} IN ({', '.join(['%s'] * len(values))})" if values else "0")
        params.extend(values)

    at_organisation = subject == "organisations" or any(getattr(criteria, n) for n in ORGANISATION_CRITERIA)
    if at_organisation:
        conditions.append(
            "start_day <= CAST(julianday(%s) AS INTEGER) AND end_day >= CAST(julianday(%s) AS INTEGER)"
        )
        today = connection.ops.adapt_datefield_value(timezone.localdate())
        params += [today, today]
    if criteria.kinds:
        one_of("kind", list(criteria.kinds))
    if criteria.sub_kinds:
        one_of("sub_kind", list(criteria.sub_kinds))
    if criteria.headcount_bands:
        one_of("headcount_band", list(criteria.headcount_bands))
    if criteria.alliance:
        one_of("alliance_status", ["" if status == "none" else status for status in criteria.alliance])
    if criteria.districts:
        one_of("district", list(criteria.districts))
    if criteria.sectors:
        one_of("sector_id", filters._terms(SECTOR_FAMILY, criteria.sectors, field="sectors", errors=errors))
    if criteria.trades:
        one_of("trade_id", filters._terms(TRADES_FAMILY, criteria.trades, field="trades", errors=errors))
    if errors:
        raise CriteriaError(errors)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    if criteria.consent:
        assert criteria.consent in PURPOSES, criteria.consent
        conditions.append(
            f"{criteria.consent}_from <= julianday(%s) AND {criteria.consent}_until > julianday(%s)"
        )
        params += [now, now]
    assert purpose in PURPOSES, purpose
    reachable = f"addressable AND {purpose}_from <= julianday(%s) AND {purpose}_until > julianday(%s)"
    where = " AND ".join(conditions)
    if at_organisation:
        # The rows come in the order of the primary key: grouping them by person needs no sorting.
        sql = (
            "SELECT COUNT(*), COALESCE(SUM(reachable), 0) FROM ("
            f"SELECT person_id, MAX({reachable}) AS reachable FROM {AFFILIATIONS} WHERE {where} GROUP BY person_id)"
        )
    else:
        sql = f"SELECT COUNT(*), COALESCE(SUM({reachable}), 0) FROM {PEOPLE} WHERE {where}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, now, *params])
        people, reachable_people = cursor.fetchone()
    return int(people), int(reachable_people)
