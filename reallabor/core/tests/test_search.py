"""The indexed text search and the capped sorting of long filtered lists (``reallabor.core.search``).

Runs on SQLite (the FTS5 table and its triggers) and on PostgreSQL (trigram indexes) alike.
"""

from __future__ import annotations

from typing import cast

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext

from reallabor.actors.models import Person
from reallabor.core import search
from reallabor.core.search import sorted_page, text_search, words_match
from reallabor.core.testing.actors import make_person
from reallabor.core.testing.factories import OrganisationFactory
from reallabor.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def names(queryset: QuerySet[Organisation]) -> set[str]:
    return set(queryset.values_list("name", flat=True))


def found(text: str) -> set[str]:
    return names(Organisation.objects.filter(words_match(Organisation, text)))


@pytest.fixture
def organisations() -> None:
    OrganisationFactory(name="Kreishandwerkerschaft Emscher-Lippe", city="Recklinghausen")
    OrganisationFactory(name="Tischlerei Müller GmbH", city="Bottrop")
    OrganisationFactory(name="Elektro Schulte", city="Gladbeck")
    OrganisationFactory(name='Café "Zum Anker"', city="Bottrop")


CASES = [
    ("handwerk", {"Kreishandwerkerschaft Emscher-Lippe"}),  # inside a compound
    ("HANDWERK", {"Kreishandwerkerschaft Emscher-Lippe"}),
    ("müller", {"Tischlerei Müller GmbH"}),
    ("MÜLLER", {"Tischlerei Müller GmbH"}),
    ("müller tischlerei", {"Tischlerei Müller GmbH"}),  # every word, in any order
    ("müller schulte", set()),
    ("bottrop", {"Tischlerei Müller GmbH", 'Café "Zum Anker"'}),  # the city too
    ("el", {"Elektro Schulte"}),  # shorter than a trigram: matched row by row
    ("el schul", {"Elektro Schulte"}),
    ('"zum', {'Café "Zum Anker"'}),  # quotes are text, not syntax
    ('anker"', {'Café "Zum Anker"'}),
    ("zzz", set()),
    (
        "",
        {
            "Kreishandwerkerschaft Emscher-Lippe",
            "Tischlerei Müller GmbH",
            "Elektro Schulte",
            'Café "Zum Anker"',
        },
    ),
    ("müller\x00", {"Tischlerei Müller GmbH"}),
    ("* OR NEAR(a b) ^x", set()),  # search syntax of the index is plain text here
]


@pytest.mark.usefixtures("organisations")
@pytest.mark.parametrize(("text", "expected"), CASES)
def test_every_word_occurs_somewhere(text: str, expected: set[str]) -> None:
    assert found(text) == expected


@pytest.mark.usefixtures("organisations")
@pytest.mark.parametrize(("text", "expected"), CASES)
def test_a_list_search_finds_the_same(text: str, expected: set[str]) -> None:
    searched = text_search(Organisation.objects.select_related("sector"), text)
    assert names(searched) == expected
    assert searched.count() == len(expected)


def test_the_index_follows_every_write() -> None:
    organisation: Organisation = OrganisationFactory(name="Dachdeckerei Brandt")  # type: ignore[assignment]
    assert found("dachdecker") == {"Dachdeckerei Brandt"}
    organisation.name = "Zimmerei Brandt"
    organisation.save()
    assert found("dachdecker") == set()
    assert found("zimmerei") == {"Zimmerei Brandt"}
    Organisation.objects.filter(pk=organisation.pk).update(city="Kirchhellen")  # a bulk update
    assert found("kirchhellen") == {"Zimmerei Brandt"}
    organisation.delete()
    assert found("zimmerei") == set()


def test_people_by_name_and_email() -> None:
    make_person(first_name="Anna", last_name="Schäfer", email="a.schaefer@example.org")
    make_person(first_name="Annika", last_name="Brandt", email="info@brandt.example")
    people = Person.objects.all()

    def who(text: str) -> set[str]:
        return {person.name for person in people.filter(words_match(Person, text))}

    assert who("ann") == {"Anna Schäfer", "Annika Brandt"}
    assert who("anna schä") == {"Anna Schäfer"}
    assert who("schaefer@") == {"Anna Schäfer"}
    assert who("brandt.example") == {"Annika Brandt"}


def test_a_short_list_is_sorted_by_name_and_a_long_one_in_order_of_entry(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(search, "SORTED_MAX", 3)
    for name in ("Delta", "Alpha", "Charlie", "Bravo", "Echo"):
        OrganisationFactory(name=f"{name} Bau")
    everything = Organisation.objects.filter(words_match(Organisation, "bau"))

    rows, by_name = sorted_page(everything, ("name", "id"), start=0, size=2, filtered=True)
    assert not by_name and [row.name for row in rows] == ["Delta Bau", "Alpha Bau", "Charlie Bau"]
    rows, by_name = sorted_page(everything, ("name", "id"), start=2, size=2, filtered=True)
    assert not by_name and [row.name for row in rows] == ["Charlie Bau", "Bravo Bau", "Echo Bau"]

    few = everything.exclude(name__in=["Delta Bau", "Echo Bau"])
    rows, by_name = sorted_page(few, ("name", "id"), start=0, size=2, filtered=True)
    assert by_name and [row.name for row in rows] == ["Alpha Bau", "Bravo Bau", "Charlie Bau"]
    rows, by_name = sorted_page(few, ("name", "id"), start=2, size=2, filtered=True)
    assert by_name and [row.name for row in rows] == ["Charlie Bau"]

    rows, by_name = sorted_page(everything, ("name", "id"), start=0, size=10, filtered=False)
    assert by_name and [row.name for row in rows][:2] == ["Alpha Bau", "Bravo Bau"]


def test_a_page_keeps_the_loaded_columns_and_relations() -> None:
    OrganisationFactory(name="Alpha Bau")
    queryset = (
        Organisation.objects.filter(words_match(Organisation, "alpha"))
        .select_related("sector")
        .only("name", "slug", "sector__code")
    )
    rows, _by_name = sorted_page(queryset, ("name",), start=0, size=10, filtered=True)
    with CaptureQueriesContext(connection) as queries:
        assert rows[0].name == "Alpha Bau" and rows[0].sector is None
    assert len(queries.captured_queries) == 0


def test_the_search_is_two_queries_whatever_the_matches() -> None:
    for number in range(30):
        OrganisationFactory(name=f"Bäckerei {number}")
    queryset = Organisation.objects.filter(words_match(Organisation, "bäckerei"))
    with CaptureQueriesContext(connection) as queries:
        rows, _by_name = sorted_page(queryset, ("name", "id"), start=0, size=10, filtered=True)
    assert len(rows) == 11 and len(queries.captured_queries) == 2


def test_a_list_search_pages_in_order_of_entry_with_other_filters(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "SORTED_MAX", 3)
    for name in ("Delta", "Alpha", "Charlie", "Bravo", "Echo", "Foxtrot", "Golf"):
        OrganisationFactory(name=f"{name} Bau", city="Bottrop")
    OrganisationFactory(name="Hotel Bau", city="Gladbeck")
    in_bottrop = text_search(Organisation.objects.filter(city="Bottrop"), "bau")
    order = ["Delta Bau", "Alpha Bau", "Charlie Bau", "Bravo Bau", "Echo Bau", "Foxtrot Bau", "Golf Bau"]

    rows, by_name = sorted_page(in_bottrop, ("name", "id"), start=0, size=2, filtered=True)
    assert not by_name and [row.name for row in rows] == order[:3]
    rows, by_name = sorted_page(in_bottrop, ("name", "id"), start=4, size=2, filtered=True)
    assert not by_name and [row.name for row in rows] == order[4:7]  # beyond the first keys
    rows, by_name = sorted_page(in_bottrop, ("name", "id"), start=6, size=2, filtered=True)
    assert [row.name for row in rows] == ["Golf Bau"]

    few = text_search(Organisation.objects.filter(city="Bottrop"), "ch bau")  # a short word too
    rows, by_name = sorted_page(few, ("name", "id"), start=0, size=5, filtered=True)
    assert by_name and [row.name for row in rows] == ["Charlie Bau", "Echo Bau"]


def test_a_list_filtered_by_one_need_pages_in_order_of_entry_from_the_tag_index(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One need joins its tags (``actors.filters``); every organisation appears once, whatever
    else it is tagged with, and long lists page in the order of entry."""
    from reallabor.actors.criteria import Criteria
    from reallabor.actors.filters import organisations_matching
    from reallabor.taxonomy.models import Tag, Term

    monkeypatch.setattr(search, "SORTED_MAX", 3)
    needs = [
        Term.objects.get(vocabulary__family="needs", vocabulary__retired_at__isnull=True, code=code)
        for code in ("digitalisation", "succession")
    ]
    order: list[str] = []
    for name in ("Delta", "Alpha", "Charlie", "Bravo", "Echo"):
        organisation = cast(Organisation, OrganisationFactory(name=f"{name} Bau"))
        order.append(organisation.name)
        for term in needs:
            Tag.objects.create(content_object=organisation, term=term, priority="primary")
    OrganisationFactory(name="Foxtrot Bau")  # no need
    one = organisations_matching(Criteria(needs=("digitalisation",)))
    assert "entry_key" in one.query.annotations  # the join, not a list of keys

    rows, by_name = sorted_page(one, ("name", "id"), start=0, size=2, filtered=True)
    assert not by_name and [row.name for row in rows] == order[:3]
    rows, by_name = sorted_page(one, ("name", "id"), start=3, size=2, filtered=True)
    assert not by_name and [row.name for row in rows] == order[3:]
    assert list(one.order_by("name").values_list("name", flat=True)) == sorted(order)

    both = organisations_matching(Criteria(needs=("digitalisation", "succession")))
    assert sorted(both.values_list("name", flat=True)) == sorted(order)
    searched = text_search(one, "alpha")
    rows, by_name = sorted_page(searched, ("name", "id"), start=0, size=2, filtered=True)
    assert by_name and [row.name for row in rows] == ["Alpha Bau"]


def test_every_search_index_is_in_place_after_all_migrations() -> None:
    """SQLite: a migration that rebuilds a searched table drops its triggers and must restore them
    (``search_trigger_operations``), or new and changed rows are never found. PostgreSQL: the
    trigram index of every searched column exists."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT indexname FROM pg_indexes")
        names = {name for (name,) in cursor.fetchall()}
    for table, columns in search.SEARCH_COLUMNS.items():
        if connection.vendor == "sqlite":
            fts = search.search_table(table)
            expected = {f"{fts}_insert", f"{fts}_delete", f"{fts}_update"}
        else:
            expected = {f"{table}_{column}_trgm" for column in columns}
        assert expected <= names, table
