"""The import's bulk writer: rows as model instances would save them, history as
``record_version`` would store it, and its guards (real database)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone, translation

from conftest import Portfolio
from reallabor.actors.models import Consent, Person
from reallabor.actors.services import imports as services
from reallabor.actors.services.imports import sql
from reallabor.actors.tests.test_imports import german_csv
from reallabor.core.testing.actors import Crm
from reallabor.history.diff import diff_states
from reallabor.history.models import Version
from reallabor.organisations.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.mark.parametrize("model", [Organisation, Person, Consent])
def test_new_rows_hold_what_a_model_instance_would_save(model: type[Organisation | Person | Consent]) -> None:
    now = timezone.now()
    row = sql.NewRows(model, now)({})
    instance: Any = model()
    for field in model._meta.concrete_fields:
        if field.primary_key:
            assert field.attname not in row
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            assert row[field.attname] == now
        elif field.attname == "uuid":
            assert row["uuid"] != instance.uuid and row["uuid"].version == 4  # one per row
        else:
            assert row[field.attname] == getattr(instance, field.attname), field.attname


def test_insert_refuses_rows_that_do_not_name_every_field() -> None:
    row = sql.NewRows(Organisation, timezone.now())({"name": "A", "slug": "a"})
    with pytest.raises(ImproperlyConfigured):
        sql.insert(Organisation, [{key: value for key, value in row.items() if key != "email"}])
    with pytest.raises(ImproperlyConfigured):
        sql.insert(Organisation, [{**row, "colour": "blue"}])
    assert not Organisation.objects.filter(slug="a").exists()
    ids = sql.create(Organisation, [row, {**row, "slug": "b"}], "slug")
    assert list(Organisation.objects.filter(pk__in=ids).order_by("pk").values_list("slug", flat=True)) == [
        "a",
        "b",
    ]
    assert ids[0] == Organisation.objects.get(slug="a").pk


def test_create_finds_its_rows_also_below_the_highest_id() -> None:
    """An id written by hand beyond the sequence (PostgreSQL numbers the new rows below it)."""
    Organisation.objects.create(pk=1_000_000, name="Von Hand", slug="von-hand")
    now = timezone.now()
    rows = [
        sql.NewRows(Organisation, now)({"name": name, "slug": name.lower()}) for name in ("Erste", "Zweite")
    ]
    ids = sql.create(Organisation, rows, "slug")
    assert [Organisation.objects.get(pk=pk).slug for pk in ids] == ["erste", "zweite"]


def test_the_history_of_imported_records_is_what_record_version_stores(
    portfolio: Portfolio, crm: Crm
) -> None:
    outcome = services.import_file(
        user=portfolio.users["coordinator"], filename="a.csv", content=german_csv()
    )
    assert outcome.ok
    records = [
        *Organisation.objects.filter(name__in=["Bäckerei Korn GmbH", "Dachdeckerei Ziegel"]),
        *Person.objects.filter(last_name__in=["Korn", "Ohnefirma"]),
    ]
    assert len(records) == 5
    for record in records:
        version = Version.objects.get(
            content_type=ContentType.objects.get_for_model(record), object_id=record.pk
        )
        assert version.object_repr == str(record)
        assert version.user == portfolio.users["coordinator"] and version.comment == "Imported"
        # (PostgreSQL's jsonb keeps no key order.)
        assert sorted(version.changes, key=lambda change: change["field"]) == sorted(
            diff_states(None, version.data), key=lambda change: change["field"]
        )


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's page cache")
def test_bulk_writing_gives_sqlite_a_larger_cache_for_a_while() -> None:
    def cache_size() -> int:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            return int(cursor.fetchone()[0])

    before = cache_size()
    with sql.bulk_writing():
        assert cache_size() == -sql.SQLITE_CACHE_KIB
    assert cache_size() == before
    with pytest.raises(ZeroDivisionError), sql.bulk_writing():
        1 / 0  # noqa: B018
    assert cache_size() == before
