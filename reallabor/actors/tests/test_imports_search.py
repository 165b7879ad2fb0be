"""The import and the text search index (``core.search``): imported, merged and later changed
records are found by what they hold now, and a failed import leaves the index and its triggers as
they were. On SQLite the import fills the FTS5 index of its new rows with one statement
(``sql.indexed_at_end``); on PostgreSQL the trigram indexes need nothing. Runs on both."""

from __future__ import annotations

import json
from collections.abc import Iterator
from enum import StrEnum
from typing import Any, cast

import pytest
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone, translation

from reallabor.actors.models import Person
from reallabor.actors.services import imports as services
from reallabor.actors.services.imports import sql
from reallabor.actors.spreadsheets import write_csv
from reallabor.core.search import SEARCH_COLUMNS, search_table, words_match
from reallabor.core.testing.actors import make_person
from reallabor.core.testing.factories import OrganisationFactory
from reallabor.history.diff import diff_states
from reallabor.organisations.keys import name_key
from reallabor.organisations.models import Organisation

pytestmark = pytest.mark.django_db

SQLITE = connection.vendor == "sqlite"
HEADERS = ["Firma", "PLZ", "Ort", "Vorname", "Nachname", "E-Mail"]


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def organisation(**fields: Any) -> Organisation:
    return cast(Organisation, OrganisationFactory(**fields))


def found(model: type[Model], text: str) -> set[int]:
    return set(model._default_manager.filter(words_match(model, text)).values_list("pk", flat=True))


def triggers() -> set[str]:
    """The names of the search index's triggers (SQLite)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {name for (name,) in cursor.fetchall() if name.endswith(("_insert", "_update", "_delete"))}


ALL_TRIGGERS = {
    f"{search_table(table)}_{event}" for table in SEARCH_COLUMNS for event in ("insert", "update", "delete")
}


def assert_index_intact() -> None:
    """SQLite: every search index holds exactly what its table holds (FTS5's own check against the
    content table: a missing, extra or stale entry fails it), and all its triggers are there."""
    if not SQLITE:
        return
    assert triggers() >= ALL_TRIGGERS
    with connection.cursor() as cursor:
        for table in SEARCH_COLUMNS:
            fts = search_table(table)
            cursor.execute(f'INSERT INTO "{fts}"("{fts}", rank) VALUES (\'integrity-check\', 1)')  # noqa: S608


def csv(*rows: list[str]) -> bytes:
    return write_csv([HEADERS, *rows], delimiter=";", encoding="utf-8-sig")


def test_imported_records_are_found_by_any_part_of_their_names() -> None:
    outcome = services.import_file(
        user=None,
        filename="a.csv",
        content=csv(
            [
                "Kreishandwerkerschaft Emscher-Lippe",
                "45657",
                "Recklinghausen",
                "Wiebke",
                "Quellmalz",
                "wq@khs.example",
            ],
            ["Zimmerei Oberholz", "46236", "Bottrop", "", "", ""],
        ),
    )
    assert outcome.ok, outcome.report["errors"]
    khs = Organisation.objects.get(name="Kreishandwerkerschaft Emscher-Lippe")
    zimmerei = Organisation.objects.get(name="Zimmerei Oberholz")
    wiebke = Person.objects.get(last_name="Quellmalz")
    assert found(Organisation, "handwerk") == {khs.pk}  # inside a compound
    assert found(Organisation, "oberholz zimmer") == {zimmerei.pk}
    assert found(Organisation, "recklinghausen") == {khs.pk}  # the city too
    assert found(Person, "quellm") == {wiebke.pk}
    assert found(Person, "wiebke") == {wiebke.pk}
    assert found(Person, "khs.example") == {wiebke.pk}
    assert_index_intact()
    # The triggers are back: records written later are indexed (and renamed ones re-indexed) as before.
    later = organisation(name="Glaserei Spätlese", city="Gladbeck")
    assert found(Organisation, "spätlese") == {later.pk}
    Organisation.objects.filter(pk=zimmerei.pk).update(name="Holzbau Unterwald")
    assert found(Organisation, "oberholz") == set()
    assert found(Organisation, "unterwald") == {zimmerei.pk}
    assert_index_intact()


def test_merged_records_are_found_by_what_the_import_filled_in() -> None:
    werkstatt = organisation(
        name="Werkstatt Ruhrkante", name_key=name_key("Werkstatt Ruhrkante"), postcode="46236", city=""
    )
    person = make_person(first_name="", last_name="Brömmelkamp", email="b@ruhrkante.example")
    assert found(Organisation, "gladbeck") == set() and found(Person, "wilhelmine") == set()
    outcome = services.import_file(
        user=None,
        filename="a.csv",
        content=csv(
            ["Werkstatt Ruhrkante", "46236", "Gladbeck", "Wilhelmine", "Brömmelkamp", "b@ruhrkante.example"]
        ),
        on_duplicate="merge",
    )
    assert outcome.ok, outcome.report["errors"]
    assert outcome.report["result"]["merged_organisations"] == 1
    assert outcome.report["result"]["merged_people"] == 1
    werkstatt.refresh_from_db()
    person.refresh_from_db()
    assert (werkstatt.city, person.first_name) == ("Gladbeck", "Wilhelmine")
    assert found(Organisation, "gladbeck") == {werkstatt.pk}
    assert found(Organisation, "ruhrkante gladbeck") == {werkstatt.pk}
    assert found(Person, "wilhelmine brömmel") == {person.pk}
    assert Person.objects.filter(words_match(Person, "brömmelkamp")).count() == 1  # one entry, not two
    assert_index_intact()


class Stop(Exception):
    pass


def test_a_failed_import_writes_nothing_and_keeps_the_index_and_its_triggers() -> None:
    before = (Organisation.objects.count(), Person.objects.count())

    def progress(stage: str, done: int, total: int) -> None:
        if stage == "write" and done:  # after the first organisations went in, unindexed
            raise Stop

    with pytest.raises(Stop):
        services.import_file(
            user=None,
            filename="a.csv",
            content=csv(
                ["Schlosserei Funkenflug", "46236", "Bottrop", "Ida", "Immerfroh", "ida@funkenflug.example"],
                ["Malerei Farbenfroh", "46236", "Bottrop", "", "", ""],
            ),
            progress=progress,
        )
    assert (Organisation.objects.count(), Person.objects.count()) == before
    assert found(Organisation, "funkenflug") == set() and found(Person, "immerfroh") == set()
    assert_index_intact()
    later = organisation(name="Schlosserei Funkenflug")
    assert found(Organisation, "funkenflug") == {later.pk}
    assert found(Person, "immerfroh") == set()
    late = make_person(first_name="Ida", last_name="Immerfroh")
    assert found(Person, "immerfroh") == {late.pk}
    assert_index_intact()


def test_a_failure_inside_indexed_at_end_is_undone_even_when_the_caller_carries_on() -> None:
    """``indexed_at_end`` runs in a savepoint of its own: its rows and the dropped trigger go back
    together, while the transaction around it goes on."""
    row = sql.NewRows(Organisation, timezone.now())({"name": "Drechslerei Spanreich", "slug": "spanreich"})
    with transaction.atomic():
        with pytest.raises(Stop), sql.indexed_at_end(Organisation):
            sql.insert(Organisation, [row])
            if SQLITE:
                assert f"{search_table('organisations_organisation')}_insert" not in triggers()
            raise Stop
        assert not Organisation.objects.filter(slug="spanreich").exists()
        kept = organisation(name="Drechslerei Spanreich")
        assert found(Organisation, "spanreich") == {kept.pk}
    assert_index_intact()


def test_rows_inserted_inside_indexed_at_end_are_indexed_at_its_end() -> None:
    existing = organisation(name="Bestand Altbau")
    rows = [
        sql.NewRows(Organisation, timezone.now())({"name": f"Neubau Nummer{n}", "slug": f"neubau-{n}"})
        for n in range(3)
    ]
    with transaction.atomic(), sql.indexed_at_end(Organisation):
        ids = sql.create(Organisation, rows, "slug")
    assert found(Organisation, "neubau") == set(ids)
    assert found(Organisation, "nummer1") == {ids[1]}
    assert found(Organisation, "altbau") == {existing.pk}
    assert_index_intact()


class Colour(StrEnum):
    RED = "red"


@pytest.mark.parametrize(
    "state",
    [
        {},
        {"name": "Bäckerei „Korn“ – 100 %", "none": None, "yes": True, "no": False, "count": 7},
        {"nested": [{"organisation": "a\\b", "role": 'say "hi"'}], "empty": [], "map": {"x": 1.5}},
        {"colour": Colour.RED, "big": 10**30, "negative": -3, "line": "a\nb\tc\u2028"},
    ],
)
def test_created_json_is_what_json_dumps_gives(state: dict[str, Any]) -> None:
    data, changes = sql.created_json(state)
    assert data == json.dumps(state)
    assert changes == json.dumps(diff_states(None, state))
