# ruff: noqa: S608 - every table and column name in the SQL below comes from SEARCH_COLUMNS, none from input
r"""Text search over large tables with an index: "contains", without reading every row.

``words_match(model, text)`` finds the rows in which every word of ``text`` occurs, ignoring
case, in one of the model's searchable columns (``SEARCH_COLUMNS``), also inside a word: German
compounds matter ("handwerk" finds "Kreishandwerkerschaft", "müller" finds "Anna Müller").
Both databases use an index built for this:

- SQLite: an FTS5 table per searched table (``<table>_search``) with the trigram tokenizer,
  kept up to date by triggers on the table itself, so every write, bulk or not, reaches it.
  Words of three characters or more are looked up there; shorter ones are matched row by row
  within what the longer ones found.
- PostgreSQL: trigram GIN indexes (``pg_trgm``) on the upper-cased columns, which serve Django's
  ``icontains`` directly.

The migrations that create the indexes use ``search_operations``. A migration that rebuilds one
of these tables on SQLite (Django does so for some column changes) drops its triggers: run
``search_operations`` again in that migration. Tests check that a new, a changed and a deleted
row are found or not.

``sorted_page`` orders a filtered list by name when the matches are few enough to sort cheaply,
and otherwise in the order the records were entered, saying so: sorting tens of thousands of
matches on every request would cost more than the rest of the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import F, Model, Q, QuerySet
from django.db.models.expressions import RawSQL

SEARCH_COLUMNS: dict[str, tuple[str, ...]] = {
    "organisations_organisation": ("name", "city"),
    "actors_person": ("first_name", "last_name", "email"),
}
"""The searched columns of each table (the index holds exactly these)."""

MAX_WORDS = 6
TRIGRAM = 3
SORTED_MAX = 500
"""Up to this many matches a filtered list is sorted by name; beyond, in the order of entry."""


def search_table(table: str) -> str:
    return f"{table}_search"


def search_words(text: str) -> list[str]:
    return text.replace("\x00", "").split()[:MAX_WORDS]


def _fts_match(words: Sequence[str]) -> str:
    """The FTS5 query for ``words``: each one a quoted string (its own syntax taken as text)."""
    return " ".join('"' + word.replace('"', '""') + '"' for word in words)


def _every_word(columns: Sequence[str], words: Sequence[str]) -> Q:
    condition = Q()
    for word in words:
        any_column = Q()
        for column in columns:
            any_column |= Q(**{f"{column}__icontains": word})
        condition &= any_column
    return condition


def words_match(model: type[Model], text: str) -> Q:
    """Rows of ``model`` whose searchable columns contain every word of ``text``, ignoring case."""
    table = model._meta.db_table
    columns = SEARCH_COLUMNS[table]
    words = search_words(text)
    condition = Q()
    indexed = [word for word in words if len(word) >= TRIGRAM]
    if connection.vendor == "sqlite" and indexed:
        fts = search_table(table)
        sql = f'SELECT rowid FROM "{fts}" WHERE "{fts}" MATCH %s'  # the table name is ours
        condition &= Q(pk__in=RawSQL(sql, [_fts_match(indexed)]))  # noqa: S611 - the text is a parameter
        words = [word for word in words if len(word) < TRIGRAM]
    return condition & _every_word(columns, words)


def text_search(queryset: QuerySet[Any], text: str) -> QuerySet[Any]:
    """``queryset`` narrowed to the rows that contain every word of ``text`` (as ``words_match``),
    for a list shown page by page.

    On SQLite the index is joined rather than asked for the list of all matching keys first, and
    ``entry_order`` then follows the index: a page of a common word's matches ("Müller") reads
    one page of the index, not all of its tens of thousands of entries. The same queryset is slow
    as a subquery (``pk__in=queryset``): use ``words_match`` there.
    """
    table = queryset.model._meta.db_table
    columns = SEARCH_COLUMNS[table]
    words = search_words(text)
    indexed = [word for word in words if len(word) >= TRIGRAM]
    if connection.vendor != "sqlite" or not indexed:
        return queryset.filter(words_match(queryset.model, text))
    fts = search_table(table)
    joined = queryset.extra(  # noqa: S610 - the table names are ours, the text a parameter
        tables=[fts],
        where=[f'"{fts}".rowid = "{table}"."id"', f'"{fts}" MATCH %s'],
        params=[_fts_match(indexed)],
    )
    return joined.filter(_every_word(columns, [word for word in words if len(word) < TRIGRAM]))


ENTRY_KEY = "entry_key"


def entry_order(queryset: QuerySet[Any]) -> Any:
    """The order of entry (primary key) of ``queryset``, read from the index the filters join when
    there is one, which hands out its rows in that order: the search index (``text_search``), or a
    column a filter aliased as ``ENTRY_KEY`` (``actors.filters``: the tag index of one term)."""
    for table in queryset.query.extra_tables:
        if table.endswith("_search"):
            return RawSQL(f'"{table}".rowid', []).asc()  # noqa: S611 - our table name
    if ENTRY_KEY in queryset.query.annotations:
        return F(ENTRY_KEY).asc()
    return "pk"


def _by_key(queryset: QuerySet[Any]) -> QuerySet[Any]:
    """The same columns and related rows as ``queryset``, none of its filters, joins or index."""
    by_key = queryset.model._default_manager.all()
    by_key.query.select_related = queryset.query.select_related
    by_key.query.deferred_loading = queryset.query.deferred_loading
    return by_key


def sorted_page(
    queryset: QuerySet[Any], order_by: Sequence[str], *, start: int, size: int, filtered: bool
) -> tuple[list[Any], bool]:
    """One page of ``queryset`` (plus one row to tell whether more follow) and whether it is in
    the wanted order: sorted by ``order_by`` unless the (filtered) list is longer than
    ``SORTED_MAX``, then in the order the records were entered.

    The filters run once: the page's rows are then fetched by primary key.
    """
    if not filtered:
        return list(queryset.order_by(*order_by)[start : start + size + 1]), True
    entry = entry_order(queryset)
    first = list(queryset.order_by(entry).values_list("pk", flat=True)[: SORTED_MAX + 1])
    by_key = _by_key(queryset)
    if len(first) <= SORTED_MAX:
        return list(by_key.filter(pk__in=first).order_by(*order_by)[start : start + size + 1]), True
    if start + size + 1 <= len(first):
        return list(by_key.filter(pk__in=first[start : start + size + 1]).order_by("pk")), False
    return list(queryset.order_by(entry)[start : start + size + 1]), False


def sqlite_search_sql(table: str) -> list[str]:
    """Statements creating (or re-creating) the FTS5 table of ``table`` with its triggers, filled."""
    columns = SEARCH_COLUMNS[table]
    fts = search_table(table)
    names = ", ".join(columns)
    new = ", ".join(f"new.{column}" for column in columns)
    old = ", ".join(f"old.{column}" for column in columns)
    return [
        f'DROP TRIGGER IF EXISTS "{fts}_insert"',
        f'DROP TRIGGER IF EXISTS "{fts}_delete"',
        f'DROP TRIGGER IF EXISTS "{fts}_update"',
        f'DROP TABLE IF EXISTS "{fts}"',
        f'CREATE VIRTUAL TABLE "{fts}" USING fts5({names}, content="{table}", content_rowid="id", '
        'tokenize="trigram")',
        f'CREATE TRIGGER "{fts}_insert" AFTER INSERT ON "{table}" BEGIN '
        f'INSERT INTO "{fts}"(rowid, {names}) VALUES (new.id, {new}); END',
        f'CREATE TRIGGER "{fts}_delete" AFTER DELETE ON "{table}" BEGIN '
        f'INSERT INTO "{fts}"("{fts}", rowid, {names}) VALUES (\'delete\', old.id, {old}); END',
        f'CREATE TRIGGER "{fts}_update" AFTER UPDATE OF {names} ON "{table}" BEGIN '
        f'INSERT INTO "{fts}"("{fts}", rowid, {names}) VALUES (\'delete\', old.id, {old}); '
        f'INSERT INTO "{fts}"(rowid, {names}) VALUES (new.id, {new}); END',
        f'INSERT INTO "{fts}"("{fts}") VALUES (\'rebuild\')',
    ]


def sqlite_trigger_sql(table: str) -> list[str]:
    """Only the triggers of ``sqlite_search_sql``: SQLite drops them with the table when a migration
    rebuilds it (``AddField`` of a column without a null default, for instance); the index itself
    stays valid, as the rebuilt table keeps its ids."""
    return [statement for statement in sqlite_search_sql(table) if "TRIGGER" in statement]


def search_trigger_operations(table: str) -> list[Any]:
    """The migration operations that restore the search triggers of ``table`` after a migration that
    rebuilt it on SQLite (nothing to do on PostgreSQL, whose indexes live with the table)."""
    from django.db import migrations

    def forwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "sqlite":
            for statement in sqlite_trigger_sql(table):
                schema_editor.execute(statement)

    return [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False)]


def sqlite_drop_search_sql(table: str) -> list[str]:
    fts = search_table(table)
    return [
        f'DROP TRIGGER IF EXISTS "{fts}_insert"',
        f'DROP TRIGGER IF EXISTS "{fts}_delete"',
        f'DROP TRIGGER IF EXISTS "{fts}_update"',
        f'DROP TABLE IF EXISTS "{fts}"',
    ]


def postgres_search_sql(table: str) -> list[str]:
    return [
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        *(
            f'CREATE INDEX IF NOT EXISTS "{table}_{column}_trgm" ON "{table}" '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
            for column in SEARCH_COLUMNS[table]
        ),
    ]


def postgres_drop_search_sql(table: str) -> list[str]:
    return [f'DROP INDEX IF EXISTS "{table}_{column}_trgm"' for column in SEARCH_COLUMNS[table]]


def search_operations(table: str) -> list[Any]:
    """The migration operations that create the search index of ``table`` on either database."""
    from django.db import migrations

    def forwards(apps: Any, schema_editor: Any) -> None:
        statements = (
            sqlite_search_sql(table)
            if schema_editor.connection.vendor == "sqlite"
            else postgres_search_sql(table)
        )
        for statement in statements:
            schema_editor.execute(statement)

    def backwards(apps: Any, schema_editor: Any) -> None:
        statements = (
            sqlite_drop_search_sql(table)
            if schema_editor.connection.vendor == "sqlite"
            else postgres_drop_search_sql(table)
        )
        for statement in statements:
            schema_editor.execute(statement)

    return [migrations.RunPython(forwards, backwards, elidable=False)]


# Bulk inserts: the index filled once at the end (SQLite) ------------------------------------------


def suspend_search_indexing(model: type[Model]) -> int:
    """Stop indexing, row by row, the rows inserted into ``model``'s table from now on; returns
    the highest id so far, which ``resume_search_indexing`` needs.

    SQLite: the insert trigger is dropped (the update and delete triggers stay). A trigger that
    runs once per inserted row costs far more than one statement adding all of them at the end
    (20 s against 2 s for a hundred thousand people). Call it only inside a transaction and
    ``resume_search_indexing`` before that transaction ends: a rollback then restores the trigger
    with everything else (SQLite's schema changes are transactional). Rows inserted in between
    must not be changed or deleted before the resume: their update and delete triggers would take
    entries out of the index that are not in it yet. PostgreSQL: does nothing (its GIN indexes are
    kept by the database itself), returns 0.
    """
    if connection.vendor != "sqlite":
        return 0
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f'DROP TRIGGER IF EXISTS "{search_table(table)}_insert"')
        cursor.execute(f'SELECT COALESCE(MAX("id"), 0) FROM "{table}"')
        (last,) = cursor.fetchone()
    return int(last)


def resume_search_indexing(model: type[Model], after_id: int) -> None:
    """Add the rows inserted since ``suspend_search_indexing`` (those with an id above
    ``after_id``) to the index with one statement, and create the insert trigger again (SQLite;
    elsewhere nothing)."""
    if connection.vendor != "sqlite":
        return
    table = model._meta.db_table
    fts = search_table(table)
    names = ", ".join(SEARCH_COLUMNS[table])
    create = next(s for s in sqlite_search_sql(table) if s.startswith(f'CREATE TRIGGER "{fts}_insert"'))
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO "{fts}"(rowid, {names}) SELECT "id", {names} FROM "{table}" WHERE "id" > %s',
            [int(after_id)],
        )
        cursor.execute(create)
