"""Writing many rows at once, without model instances (used by the import's writer).

At the import's scale (a hundred thousand organisations and people, with as many roles, consents,
needs and history versions) building model instances and bulk_create's per-value SQL compilation
take most of the time. ``insert`` writes plain rows (attribute name → value) with one statement
and many parameter rows instead (COPY on PostgreSQL); values go through the field's own
conversion wherever the type needs one (dates, UUIDs, JSON …). ``new_rows`` gives rows as
``Model(**values)`` would save them (every default, the ``auto_now`` stamps). ``indexed_at_end``
fills the search index of the new rows with one statement instead of a trigger run per row.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import json
from collections.abc import Callable, Hashable, Iterator, Sequence
from operator import itemgetter
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Max

from reallabor.core.search import resume_search_indexing, suspend_search_indexing

BATCH = 2000
IN_LIMIT = 900  # keys per IN (…) list; beyond it the table is scanned once instead
SQLITE_CACHE_KIB = 256 * 1024  # SQLite's page cache while writing (the default is 2 MiB)

Row = dict[str, Any]

# Types whose values the database drivers take as they are.
_PLAIN = frozenset(
    {
        "CharField", "TextField", "SlugField", "BooleanField", "ForeignKey", "IntegerField", "SmallIntegerField",
        "BigIntegerField", "PositiveIntegerField", "PositiveSmallIntegerField", "PositiveBigIntegerField",
    }
)  # fmt: skip
# Types whose few distinct values (the import's “now”, the same dates) are converted once each.
_REPEATED = frozenset({"DateTimeField", "DateField", "TimeField"})


class JsonText(str):
    """A value of a JSON field already encoded (``created_json``): written as it is."""

    __slots__ = ()


_encode_json = json.JSONEncoder(check_circular=False).encode
_encode_string = json.encoder.encode_basestring_ascii
_key_texts: dict[str, tuple[str, str]] = {}


def _json_value(value: Any) -> str:
    """``json.dumps(value)``, quicker for the plain values most fields hold."""
    kind = type(value)
    if kind is str:
        return _encode_string(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if kind is int:
        return int.__repr__(value)
    return _encode_json(value)


def created_json(state: dict[str, Any]) -> tuple[JsonText, JsonText]:
    """``json.dumps(state)`` and ``json.dumps(diff_states(None, state))`` (the changes of a
    history version that creates the record), the very same text, from one encoding of each value:
    a hundred thousand new records' versions cost half as much."""
    data: list[str] = []
    changes: list[str] = []
    for key, value in state.items():
        texts = _key_texts.get(key)
        if texts is None:
            name = _encode_string(key)
            texts = _key_texts[key] = (f"{name}: ", f'{{"field": {name}, "old": null, "new": ')
        text = _json_value(value)
        data.append(texts[0] + text)
        changes.append(texts[1] + text + "}")
    return JsonText("{" + ", ".join(data) + "}"), JsonText("[" + ", ".join(changes) + "]")


def chunks[T](items: Sequence[T], size: int = BATCH) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _converter(field: models.Field[Any, Any], database: BaseDatabaseWrapper) -> Callable[[Any], Any] | None:
    """How a value of ``field`` becomes what the database takes (None: as it is)."""
    kind = field.get_internal_type()
    if kind in _PLAIN:
        return None
    if isinstance(field, models.JSONField):
        encode: Callable[[Any], Any]
        if database.vendor == "sqlite":
            # What ``adapt_json_value`` does there (``json.dumps``), with one encoder for all rows and
            # without the check for circular references (the states are plain trees): the same text.
            encode = (field.encoder or json.JSONEncoder)(check_circular=False).encode
        else:
            encode = functools.partial(database.ops.adapt_json_value, encoder=field.encoder)
        return lambda value: value if value is None or type(value) is JsonText else encode(value)

    def convert(value: Any) -> Any:
        return field.get_db_prep_save(value, database)

    if kind not in _REPEATED:
        return convert
    cache: dict[Hashable, Any] = {}

    def cached(value: Any) -> Any:
        if value not in cache:
            cache[value] = convert(value)
        return cache[value]

    return cached


class _Columns:
    """The columns of ``fields`` and how a row's values become the statement's parameters."""

    def __init__(self, fields: Sequence[models.Field[Any, Any]]) -> None:
        database = connections[DEFAULT_DB_ALIAS]
        self.names = [field.attname for field in fields]
        self.getter = itemgetter(*self.names)
        self.converters = [
            (i, c) for i, field in enumerate(fields) if (c := _converter(field, database)) is not None
        ]

    def parameters(self, row: Row) -> list[Any]:
        values = list(self.getter(row)) if len(self.names) > 1 else [row[self.names[0]]]
        for position, convert in self.converters:
            values[position] = convert(values[position])
        return values


def _fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [field for field in model._meta.concrete_fields if not field.primary_key]


def insert(model: type[models.Model], rows: Sequence[Row]) -> None:
    """Insert ``rows`` (every concrete field but the primary key, by attribute name)."""
    if not rows:
        return
    fields = _fields(model)
    columns = _Columns(fields)
    if set(columns.names) ^ set(
        rows[0]
    ):  # a new field of the model must be written here too, never left to chance
        raise ImproperlyConfigured(
            f"{model._meta.label}: the import gives {sorted(set(rows[0]))}, not {columns.names}"
        )
    quote = connection.ops.quote_name
    # Only the model's own table and column names (quoted) go into the statements; values are parameters.
    table = quote(model._meta.db_table)
    names = ", ".join(quote(str(field.column)) for field in fields)
    with connection.cursor() as cursor:
        raw = cursor.cursor
        if connection.vendor == "postgresql" and hasattr(raw, "copy"):
            # PostgreSQL: COPY, four times as fast as single INSERTs at this scale.
            with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(columns.parameters(row))
            return
        # Elsewhere one statement with many parameter rows (parsed once).
        placeholders = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {table} ({names}) VALUES ({placeholders})"  # noqa: S608
        for batch in chunks(rows):
            cursor.executemany(sql, [columns.parameters(row) for row in batch])


def update(model: type[models.Model], objects: Sequence[models.Model], names: Sequence[str]) -> None:
    """Write ``names`` of many changed records: one UPDATE statement, many parameter rows
    (bulk_update's CASE … WHEN grows with the square of the batch)."""
    if not objects:
        return
    by_name = {field.attname: field for field in model._meta.concrete_fields}
    fields = [by_name[name] for name in names]
    columns = _Columns(fields)
    quote = connection.ops.quote_name
    table, key = quote(model._meta.db_table), quote(str(model._meta.pk.column) if model._meta.pk else "id")
    assignments = ", ".join(f"{quote(str(field.column))} = %s" for field in fields)
    sql = f"UPDATE {table} SET {assignments} WHERE {key} = %s"  # noqa: S608 - our own names only
    with connection.cursor() as cursor:
        for batch in chunks(objects):
            cursor.executemany(
                sql, [[*columns.parameters({n: getattr(obj, n) for n in names}), obj.pk] for obj in batch]
            )


class NewRows:
    """Rows of ``model`` as ``model(**values)`` would save them: every field's default (callable
    defaults such as ``uuid4`` called for each row), ``now`` in the ``auto_now`` fields, then the
    given values (by attribute name)."""

    def __init__(self, model: type[models.Model], now: dt.datetime) -> None:
        self.template: Row = {}
        self.per_row: list[models.Field[Any, Any]] = []
        for field in _fields(model):
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                self.template[field.attname] = now
            elif field.has_default() and callable(field.default):
                self.per_row.append(field)
            else:
                self.template[field.attname] = field.get_default()

    def __call__(self, values: Row) -> Row:
        row = self.template.copy()
        for field in self.per_row:
            row[field.attname] = field.get_default()
        row.update(values)
        return row


def create(model: type[models.Model], rows: Sequence[Row], key: str) -> list[int]:
    """Insert ``rows`` and return their ids (in the order of ``rows``), found again by the unique
    ``key``: among the rows above the highest id before, one range of the primary key read once
    (new ids grow; rows another transaction added meanwhile have other keys), and by the key
    itself for any row not found there (one query per ``IN_LIMIT`` rows)."""
    manager = model._default_manager
    last = manager.aggregate(last=Max("pk"))["last"] or 0
    insert(model, rows)
    position = {row[key]: index for index, row in enumerate(rows)}
    ids = [0] * len(rows)
    for pk, value in manager.filter(pk__gt=last).order_by().values_list("pk", key):
        index = position.get(value)
        if index is not None:
            ids[index] = pk
    missing = [value for value, index in position.items() if not ids[index]]
    for chunk in chunks(missing, IN_LIMIT):
        for pk, value in manager.filter(**{f"{key}__in": chunk}).values_list("pk", key):
            ids[position[value]] = pk
    return ids


@contextlib.contextmanager
def bulk_writing() -> Iterator[None]:
    """On SQLite a larger page cache while writing many rows (a change of this connection only,
    undone at the end): with the default of 2 MiB, the inserts into the tables' many indexes spill
    pages all the time."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB:d}")
    try:
        yield
    finally:
        with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before):d}")


@contextlib.contextmanager
def indexed_at_end(model: type[models.Model]) -> Iterator[None]:
    """The rows of ``model`` inserted inside go into its search index all at once at the end, not
    one by one through the trigger (``core.search.suspend_search_indexing``; SQLite only).

    It runs in a savepoint of its own: when anything inside fails, the rows inserted and the
    dropped trigger are rolled back together. Inside, rows of ``model`` are only inserted, never
    changed or deleted.
    """
    with transaction.atomic():
        last = suspend_search_indexing(model)
        yield
        resume_search_indexing(model, last)


@contextlib.contextmanager
def paused_collection() -> Iterator[None]:
    """Python's cycle collector paused while many rows are checked and written (then as before).

    A large import holds hundreds of thousands of long-lived objects (the file's cells, the plan,
    the rows): the collector's full passes over all of them, again and again while they are
    made, cost a tenth of the import. What the import frees, reference counting frees at once.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
